;; exceptions.wat: exception handling and br_table in both forms. jco's parser takes the flat
;; legacy try and try_table; the folded legacy try (do/catch clauses) is only in legacy-try.wat,
;; which wat2wasm --enable-exceptions builds. Markers as in the other files.
(module
  (tag $e (param i32))
  (func $thrower (param i32) (throw $e (local.get 0))) ;; @thrower
  (func $legacy_flat (result i32)
    try (result i32)
      i32.const 1
      call $thrower ;; @flat-call
      i32.const 0
    catch $e ;; @flat-catch
    catch_all
      i32.const 2
    end)
  (func $modern (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) ;; @try-table
        (call $thrower (i32.const 3))
        (i32.const 0))))
  (func $tbl (param i32) (result i32)
    (block $a (block $b (br_table $a $b (local.get 0)))) ;; @br-table-folded
    (i32.const 7)))
