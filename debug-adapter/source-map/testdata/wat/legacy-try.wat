;; legacy-try.wat: the folded legacy try, built with wat2wasm --enable-exceptions.
(module
  (tag $e (param i32))
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func $legacy (result i32)
    (try (result i32) ;; @try
      (do
        (call $thrower (i32.const 1)) ;; @do-call
        (i32.const 0))
      (catch $e) ;; @catch
      (catch_all
        (i32.const 2))))) ;; @catch-all
