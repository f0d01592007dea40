;; Function indices everywhere: imports before defined functions, exports, start, element segments
;; in all eight encodings, ref.func in bodies and constant expressions, call/return_call,
;; call_indirect through two tables, ref.func, and a name section (--debug-names) with local names.
(module $remap
  (import "env" "log" (func $log (param i32)))
  (import "env" "g" (global $g i32))
  (import "env" "mem" (memory 1))
  (import "env" "tab" (table $t0 4 funcref))
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (table $t2 4 funcref)
  (type $ii (func (param i32) (result i32)))
  (global $fref (mut funcref) (ref.func $add1))
  (global $counter (mut i32) (i32.const 0))

  (func $add1 (type $ii) (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 1)))
  (func $add2 (type $ii) (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 2)))
  (func $add3 (type $ii) (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 3)))
  (func $add4 (type $ii) (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 4)))
  (func $add5 (type $ii) (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 5)))
  (func $tail (type $ii) (param $x i32) (result i32) (return_call $add5 (local.get $x)))
  (func $init
    (global.set $counter (i32.add (global.get $g) (i32.const 100)))
    (call $log (i32.const 7)))

  ;; flags 0: active, table 0, function indices
  (elem (i32.const 0) $add1 $add2)
  ;; flags 1: passive, function indices
  (elem $p1 func $add3 $add4)
  ;; flags 2: active, explicit table, function indices
  (elem (table $t2) (i32.const 0) func $add3 $tail)
  ;; flags 3: declarative, function indices
  (elem declare func $add5)
  ;; flags 4: active, table 0, expressions
  (elem (i32.const 2) funcref (ref.func $add4) (ref.null func))
  ;; flags 5: passive, expressions
  (elem $p5 funcref (ref.func $add5) (ref.func $add1))
  ;; flags 6: active, explicit table, expressions
  (elem (table $t2) (i32.const 2) funcref (ref.func $add2) (ref.func $add1))
  ;; flags 7: declarative, expressions
  (elem declare funcref (ref.func $init))

  (start $init)

  (func (export "viaTable0") (param $i i32) (param $x i32) (result i32)
    (call_indirect $t0 (type $ii) (local.get $x) (local.get $i)))
  (func (export "viaTable2") (param $i i32) (param $x i32) (result i32)
    (call_indirect $t2 (type $ii) (local.get $x) (local.get $i)))
  (func (export "initPassive") (param $dst i32)
    (table.init $t2 $p5 (local.get $dst) (i32.const 0) (i32.const 2))
    (table.init $t0 $p1 (i32.const 0) (i32.const 0) (i32.const 2)))
  (func (export "isNotNull") (result i32)
    (i32.eqz (ref.is_null (ref.func $add5))))
  (func (export "viaGlobal") (param $x i32) (result i32)
    (call_indirect $t2 (type $ii) (local.get $x)
      (block (result i32)
        (table.set $t2 (i32.const 3) (global.get $fref))
        (i32.const 3))))
  (func (export "counter") (result i32) (global.get $counter))
  (func (export "tail") (param $x i32) (result i32) (return_call $tail (local.get $x)))
  (func (export "host") (param $x i32) (result i32) (call $twice (call $add1 (local.get $x))))
  (export "add3" (func $add3))
  (export "imported" (func $log)))
