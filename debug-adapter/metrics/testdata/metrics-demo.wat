;; A module that uses the wasiscope_metrics host API, for metrics/module-metrics.test.ts.
;; Rebuild: wat2wasm metrics-demo.wat -o metrics-demo.wasm
;; `$fuel` stands in for the instrumentation's fuel counter: the loop adds 1 per iteration.
(module
  (import "wasiscope_metrics" "emit_metric" (func $emit_metric (param i32 i32 f64)))
  (import "wasiscope_metrics" "start_timer" (func $start_timer (param i32 i32) (result i32)))
  (import "wasiscope_metrics" "stop_timer" (func $stop_timer (param i32)))
  (import "wasiscope_metrics" "record_gauge" (func $record_gauge (param i32 i32 f64)))
  ;; Lets the test see how many metric events exist while the module is still running.
  (import "env" "mark" (func $mark))
  (memory (export "memory") 1)
  (global $fuel (export "fuel") (mut i64) (i64.const 0))
  (data (i32.const 16) "requests")         ;; 8 bytes
  (data (i32.const 32) "queue.depth")      ;; 11 bytes
  (data (i32.const 48) "work")             ;; 4 bytes
  (data (i32.const 64) "bad\ff\fename")    ;; invalid UTF-8 in the middle, 9 bytes
  (func $burn (param $n i32)
    (loop $l
      (global.set $fuel (i64.add (global.get $fuel) (i64.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (i32.gt_s (local.get $n) (i32.const 0)))))
  ;; Returns the timer handle it got, so the test can compare handles across runs.
  (func (export "run") (result i32)
    (local $t i32)
    (call $emit_metric (i32.const 16) (i32.const 8) (f64.const 1))
    (call $mark)
    (call $emit_metric (i32.const 16) (i32.const 8) (f64.const 2))
    (call $record_gauge (i32.const 32) (i32.const 11) (f64.const 7.5))
    (local.set $t (call $start_timer (i32.const 48) (i32.const 4)))
    (call $burn (i32.const 1000))
    (call $stop_timer (local.get $t))
    (call $record_gauge (i32.const 32) (i32.const 11) (f64.const 3))
    ;; Misuse that must neither trap nor throw: name past the end of memory, a negative
    ;; (huge unsigned) length, invalid UTF-8, an unknown timer, a NaN value.
    (call $emit_metric (i32.const 65530) (i32.const 100) (f64.const 1))
    (call $emit_metric (i32.const 16) (i32.const -1) (f64.const 1))
    (call $emit_metric (i32.const 64) (i32.const 9) (f64.const 4))
    (call $stop_timer (i32.const 999))
    (call $record_gauge (i32.const 32) (i32.const 11) (f64.const nan))
    ;; A timer left running.
    (drop (call $start_timer (i32.const 48) (i32.const 4)))
    (local.get $t)))
