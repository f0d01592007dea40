;; flat.wat: flat (one instruction per line) WAT for the source-map tests; tests find lines by
;; the @markers in comments. Imports come first in the function index space.
(module $flat
  (import "env" "log" (func $log (param i32)))
  (import "env" "mem" (memory 1))
  (global $g (mut i32) (i32.const 0)) ;; an init expression: not in the Code section

  (func $classify (export "classify") (param $x i32) (result i32)
    (local $r i32)
    block $out ;; @block
      block $two
        block $one
          block $zero
            local.get $x ;; @br-table-arg
            br_table $zero $one $two $out
          end
          i32.const 100 ;; @case-zero

          local.set $r
          br $out
        end
        i32.const 101
        local.set $r
        br $out
      end
      i32.const 102
      local.set $r
    end
    local.get $r
  ) ;; @classify-close

  (func $count (param $n i32) (result i32)
    (local $i i32)
    loop $again ;; @loop
      local.get $i
      i32.const 1
      i32.add
      local.tee $i
      call $log ;; @call-log
      local.get $i
      local.get $n
      i32.lt_s
      br_if $again
    end
    local.get $i
    if (result i32) ;; @if
      i32.const 1
    else ;; @else
      i32.const 0
    end
    global.get $g
    i32.add
  )
)
