(; folded.wat: folded WAT for the source-map tests, with comments and strings that contain
   parentheses: ( and ) and even (; nested ;) ones. Tests find lines by @markers. ;)
(module
  (type $bin (func (param i32 i32) (result i32)))
  (import "env" "print" (func $print (param i32 i32)))
  (func $imported_too (import "env" "other") (param i32))
  (memory (export "memory") 1)
  (data (i32.const 0) "a string with ) parens ( and ;; not a comment")

  (func $add (type $bin)
    (i32.add (local.get 0) (local.get 1))) ;; @add

  (func $abs (param $v i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $v) (i32.const 0)) ;; @abs-if
      (then
        (i32.sub (i32.const 0) (local.get $v))) ;; @abs-then
      (else
        (local.get $v)))) ;; @abs-else

  (func $sum (export "sum") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n))) ;; @sum-exit
        (local.set $acc
          (i32.add                               ;; @sum-add
            (local.get $acc)
            (call $add (local.get $n) (i32.const 0)))) ;; @sum-call
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))

    (call $print (i32.const 0) (i32.const 12)) ;; @sum-print
    (local.get $acc))

  (func $pick (param i32) (result i32)
    (select (result i32) (i32.const 10) (i32.const 20) (local.get 0)) ;; @pick
    (if (local.get 0) (then) (else nop)) ;; @empty-then
    (drop (call_indirect (type $bin) (i32.const 1) (i32.const 2) (i32.const 0))))

  (table 1 funcref)
  (elem (i32.const 0) $add)
)
