;; Legacy exception handling (try/catch/throw): exclusive fuel stays exact when an exception
;; unwinds frames and is caught in an outer function.
(module $eh
  (tag $e (param i32))
  (func $thrower (param $x i32)
    (if (i32.gt_s (local.get $x) (i32.const 3)) (then (throw $e (i32.mul (local.get $x) (i32.const 2)))))
    (drop (i32.add (local.get $x) (i32.const 1))))
  (func $middle (param $x i32)
    (call $thrower (local.get $x))
    (drop (i32.const 1)))
  (func (export "catcher") (param $x i32) (result i32)
    (try (result i32)
      (do (call $middle (local.get $x)) (i32.const -1))
      (catch $e (i32.add (i32.const 1000)))
      (catch_all (i32.const -2)))))
