;; A start function that never ends, and one that counts: the instrumenter moves the start section
;; to an export that FuelMeter.bind runs once the hooks are bound, so a fuel limit stops it.
(module $start_loop
  (global $n (mut i32) (i32.const 0))
  (global $forever (mut i32) (i32.const 1))
  (func $init
    (loop $l
      (global.set $n (i32.add (global.get $n) (i32.const 1)))
      (br_if $l (global.get $forever))))
  (func (export "n") (result i32) (global.get $n))
  (start $init))
