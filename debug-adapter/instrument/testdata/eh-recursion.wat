;; A self-recursive function in a module that uses exception handling: no recursion clones (a
;; handler could catch a stack overflow unwinding a chain).
(module $eh_recursion
  (tag $e)
  (func $down (export "down") (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (i32.add (call $down (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))
      (else (i32.const 0))))
  (func (export "guarded") (param $n i32) (result i32)
    (try (result i32)
      (do (call $down (local.get $n)))
      (catch_all (i32.const -1)))))
