;; mixed.wat: flat and folded forms mixed, flat if/else with labels, a v128 constant, float
;; specials and memargs whose immediates look like keywords, and a GC function the operator
;; table does not cover (reported unmapped). Markers as in the other files.
(module
  (memory 1)
  (func $mix (param $p i32) (result f32)
    (i32.store offset=4 align=2 (local.get $p) (i32.const 7)) ;; @store
    local.get $p
    if $l
      (drop (v128.const i32x4 1 2 3 4)) ;; @v128
    else $l
      nop
    end $l
    (f32.add (f32.const nan) f32.const -inf) ;; @mixed-folded
  )
  (func $empty)
  (func $gc (result i32) ;; @unknown-func
    i32.const 1 ;; @gc-body
    ref.i31 ;; GC proposal: the operator table does not decode 0xfb
    i31.get_s
  )
  (func $after (result i32)
    i32.const 5 ;; @after-gc
  )
)
