;; SYNTAX TEST "source.wat" "instructions of every family"

(func $all (param $x i32) (result i32)
  ;; control
  block $outer (result i32)
;; <~~----- keyword.control.wat
;;      ^^^^^^ entity.name.label.wat
;;              ^^^^^^ keyword.other.wat
    loop $again
;;  ^^^^ keyword.control.wat
;;       ^^^^^^ entity.name.label.wat
      local.get $x
      br_if $again
;;    ^^^^^ keyword.control.wat
;;          ^^^^^^ entity.name.label.wat
      br_table $a $b 2 $outer
;;    ^^^^^^^^ keyword.control.wat
;;             ^^ entity.name.label.wat
;;                ^^ entity.name.label.wat
;;                   ^ constant.numeric.integer.wat
;;                     ^^^^^^ entity.name.label.wat
      br 0
;;    ^^ keyword.control.wat
;;       ^ constant.numeric.integer.wat
    end $again
;;  ^^^ keyword.control.wat
;;      ^^^^^^ entity.name.label.wat
    if (result i32) nop else unreachable end
;;  ^^ keyword.control.wat
;;                  ^^^ keyword.control.wat
;;                      ^^^^ keyword.control.wat
;;                           ^^^^^^^^^^^ keyword.control.wat
;;                                       ^^^ keyword.control.wat
    (if (then (return)) (else (br $outer)))
;;       ^^^^ keyword.control.wat
;;             ^^^^^^ keyword.control.wat
;;                                ^^^^^^ entity.name.label.wat
    call $all
;;  ^^^^ keyword.control.wat
;;       ^^^^ entity.name.function.wat
    call_indirect $tbl (type $t)
;;  ^^^^^^^^^^^^^ keyword.control.wat
;;                           ^^ entity.name.type.wat
    return_call $all return_call_indirect (type 0) call_ref $t return_call_ref $t
;;  ^^^^^^^^^^^ keyword.control.wat
;;              ^^^^ entity.name.function.wat
;;                   ^^^^^^^^^^^^^^^^^^^^ keyword.control.wat
;;                                                 ^^^^^^^^ keyword.control.wat
;;                                                             ^^^^^^^^^^^^^^^ keyword.control.wat
    try_table (catch $e $l) (catch_all $l2) throw $e throw_ref end
;;  ^^^^^^^^^ keyword.control.wat
;;             ^^^^^ keyword.control.wat
;;                   ^^ entity.name.tag.wat
;;                      ^^ entity.name.label.wat
;;                           ^^^^^^^^^ keyword.control.wat
;;                                     ^^^ entity.name.label.wat
;;                                          ^^^^^ keyword.control.wat
;;                                                ^^ entity.name.tag.wat
;;                                                   ^^^^^^^^^ keyword.control.wat
    try $legacy catch $e rethrow $legacy delegate 0
;;  ^^^ keyword.control.wat
;;                       ^^^^^^^ keyword.control.wat
;;                                       ^^^^^^^^ keyword.control.wat
    br_on_null $l br_on_non_null $l br_on_cast $l anyref (ref $t) br_on_cast_fail $l anyref eqref
;;  ^^^^^^^^^^ keyword.control.wat
;;                ^^^^^^^^^^^^^^ keyword.control.wat
;;                                  ^^^^^^^^^^ keyword.control.wat
;;                                                                ^^^^^^^^^^^^^^^ keyword.control.wat
  end
  ;; parametric and variable
  drop select (select (result i32))
;; <~~---- keyword.operator.parametric.wat
;;     ^^^^^^ keyword.operator.parametric.wat
  local.set $x local.tee $x global.get $g global.set $g
;; <~~--------- keyword.operator.variable.wat
;;             ^^^^^^^^^ keyword.operator.variable.wat
;;                          ^^^^^^^^^^ keyword.operator.variable.wat
;;                                     ^^ variable.other.global.wat
;;                                        ^^^^^^^^^^ keyword.operator.variable.wat
  ;; numeric
  i32.eqz i32.clz i32.popcnt i32.div_s i32.rem_u i32.shr_u i32.rotl i32.ge_u i32.extend16_s
;; <~~------- keyword.operator.numeric.wat
;;        ^^^^^^^ keyword.operator.numeric.wat
;;                ^^^^^^^^^^ keyword.operator.numeric.wat
;;                           ^^^^^^^^^ keyword.operator.numeric.wat
;;                                     ^^^^^^^^^ keyword.operator.numeric.wat
;;                                               ^^^^^^^^^ keyword.operator.numeric.wat
;;                                                         ^^^^^^^^ keyword.operator.numeric.wat
;;                                                                  ^^^^^^^^ keyword.operator.numeric.wat
;;                                                                           ^^^^^^^^^^^^^^ keyword.operator.numeric.wat
  i32.wrap_i64 i64.extend_i32_u i64.extend32_s i32.trunc_f64_s i64.trunc_sat_f32_u i32.reinterpret_f32
;; <~~------------ keyword.operator.numeric.wat
;;             ^^^^^^^^^^^^^^^^ keyword.operator.numeric.wat
;;                              ^^^^^^^^^^^^^^ keyword.operator.numeric.wat
;;                                             ^^^^^^^^^^^^^^^ keyword.operator.numeric.wat
;;                                                             ^^^^^^^^^^^^^^^^^^^ keyword.operator.numeric.wat
;;                                                                                 ^^^^^^^^^^^^^^^^^^^ keyword.operator.numeric.wat
  f32.sqrt f64.copysign f32.nearest f64.le f32.convert_i64_u f32.demote_f64 f64.promote_f32 f64.reinterpret_i64
;; <~~-------- keyword.operator.numeric.wat
;;         ^^^^^^^^^^^^ keyword.operator.numeric.wat
;;                      ^^^^^^^^^^^ keyword.operator.numeric.wat
;;                                  ^^^^^^ keyword.operator.numeric.wat
;;                                         ^^^^^^^^^^^^^^^^^ keyword.operator.numeric.wat
;;                                                           ^^^^^^^^^^^^^^ keyword.operator.numeric.wat
;;                                                                          ^^^^^^^^^^^^^^^ keyword.operator.numeric.wat
;;                                                                                          ^^^^^^^^^^^^^^^^^^^ keyword.operator.numeric.wat
  i32.bogus f32.popcnt i32.add_x
;; <~~--------- - keyword.operator.numeric.wat
;;          ^^^^^^^^^^ - keyword.operator.numeric.wat
;;                     ^^^^^^^^^ - keyword.operator.numeric.wat
  ;; memory
  i32.load offset=8 align=4 i64.load32_u i32.load8_s f64.store i64.store16 i32.store8
;; <~~-------- keyword.operator.memory.wat
;;                          ^^^^^^^^^^^^ keyword.operator.memory.wat
;;                                       ^^^^^^^^^^^ keyword.operator.memory.wat
;;                                                   ^^^^^^^^^ keyword.operator.memory.wat
;;                                                             ^^^^^^^^^^^ keyword.operator.memory.wat
;;                                                                         ^^^^^^^^^^ keyword.operator.memory.wat
  memory.size memory.grow memory.fill memory.copy memory.init $d data.drop $d
;; <~~----------- keyword.operator.memory.wat
;;            ^^^^^^^^^^^ keyword.operator.memory.wat
;;                        ^^^^^^^^^^^ keyword.operator.memory.wat
;;                                    ^^^^^^^^^^^ keyword.operator.memory.wat
;;                                                ^^^^^^^^^^^ keyword.operator.memory.wat
;;                                                               ^^^^^^^^^ keyword.operator.memory.wat
  ;; table
  table.get $t table.set table.size table.grow table.fill table.copy table.init elem.drop
;; <~~--------- keyword.operator.table.wat
;;             ^^^^^^^^^ keyword.operator.table.wat
;;                       ^^^^^^^^^^ keyword.operator.table.wat
;;                                  ^^^^^^^^^^ keyword.operator.table.wat
;;                                             ^^^^^^^^^^ keyword.operator.table.wat
;;                                                        ^^^^^^^^^^ keyword.operator.table.wat
;;                                                                   ^^^^^^^^^^ keyword.operator.table.wat
;;                                                                              ^^^^^^^^^ keyword.operator.table.wat
  ;; reference
  ref.null func ref.is_null ref.func $all ref.as_non_null ref.eq ref.test (ref $t) ref.cast anyref ref.i31
;; <~~-------- keyword.operator.reference.wat
;;         ^^^^ storage.type.wat
;;              ^^^^^^^^^^^ keyword.operator.reference.wat
;;                          ^^^^^^^^ keyword.operator.reference.wat
;;                                   ^^^^ entity.name.function.wat
;;                                        ^^^^^^^^^^^^^^^ keyword.operator.reference.wat
;;                                                        ^^^^^^ keyword.operator.reference.wat
;;                                                               ^^^^^^^^ keyword.operator.reference.wat
;;                                                                                 ^^^^^^^^ keyword.operator.reference.wat
;;                                                                                                 ^^^^^^^ keyword.operator.reference.wat
  ;; gc
  struct.new $p struct.get_s $p 0 struct.set array.new_fixed $a 3 array.len array.init_data i31.get_u
;; <~~---------- keyword.operator.gc.wat
;;              ^^^^^^^^^^^^ keyword.operator.gc.wat
;;                                ^^^^^^^^^^ keyword.operator.gc.wat
;;                                           ^^^^^^^^^^^^^^^ keyword.operator.gc.wat
;;                                                                ^^^^^^^^^ keyword.operator.gc.wat
;;                                                                          ^^^^^^^^^^^^^^^ keyword.operator.gc.wat
;;                                                                                          ^^^^^^^^^ keyword.operator.gc.wat
  any.convert_extern extern.convert_any
;; <~~------------------ keyword.operator.gc.wat
;;                   ^^^^^^^^^^^^^^^^^^ keyword.operator.gc.wat
  ;; threads and atomics
  memory.atomic.notify memory.atomic.wait32 memory.atomic.wait64 atomic.fence
;; <~~-------------------- keyword.operator.atomic.wat
;;                     ^^^^^^^^^^^^^^^^^^^^ keyword.operator.atomic.wat
;;                                          ^^^^^^^^^^^^^^^^^^^^ keyword.operator.atomic.wat
;;                                                               ^^^^^^^^^^^^ keyword.operator.atomic.wat
  i32.atomic.load i64.atomic.load32_u i32.atomic.store8 i64.atomic.rmw.add i32.atomic.rmw16.cmpxchg_u i64.atomic.rmw32.xchg_u
;; <~~--------------- keyword.operator.atomic.wat
;;                ^^^^^^^^^^^^^^^^^^^ keyword.operator.atomic.wat
;;                                    ^^^^^^^^^^^^^^^^^ keyword.operator.atomic.wat
;;                                                      ^^^^^^^^^^^^^^^^^^ keyword.operator.atomic.wat
;;                                                                         ^^^^^^^^^^^^^^^^^^^^^^^^^^ keyword.operator.atomic.wat
;;                                                                                                    ^^^^^^^^^^^^^^^^^^^^^^^ keyword.operator.atomic.wat
  i32.atomic.rmw.add_u i32.atomic.load32_u i64.atomic.store32_u i64.atomic.store32
;; <~~-------------------- - keyword.operator.atomic.wat
;;                     ^^^^^^^^^^^^^^^^^^^ - keyword.operator.atomic.wat
;;                                         ^^^^^^^^^^^^^^^^^^^^ - keyword.operator.atomic.wat
;;                                                              ^^^^^^^^^^^^^^^^^^ keyword.operator.atomic.wat
  ;; SIMD
  v128.const i32x4 1 2 3 4 v128.load offset=16 v128.load8x8_s v128.load32_zero v128.load16_lane 3 v128.store64_lane 1
;; <~~---------- keyword.operator.vector.wat
;;           ^^^^^ storage.type.wat
;;                         ^^^^^^^^^ keyword.operator.vector.wat
;;                                             ^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                            ^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                                             ^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                                                                ^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
  i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 i8x16.swizzle i16x8.splat i32x4.extract_lane 2
;; <~~------------- keyword.operator.vector.wat
;;                                                 ^^ constant.numeric.integer.wat
;;                                                    ^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                                  ^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                                              ^^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
  i8x16.extract_lane_u 15 f64x2.replace_lane 1 v128.bitselect v128.any_true i8x16.all_true i16x8.bitmask
;; <~~-------------------- keyword.operator.vector.wat
;;                        ^^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                             ^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                            ^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                                          ^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                                                         ^^^^^^^^^^^^^ keyword.operator.vector.wat
  i8x16.narrow_i16x8_u i16x8.extend_high_i8x16_s i16x8.extadd_pairwise_i8x16_u i32x4.extmul_low_i16x8_s
;; <~~-------------------- keyword.operator.vector.wat
;;                     ^^^^^^^^^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                                             ^^^^^^^^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
  i16x8.q15mulr_sat_s i32x4.dot_i16x8_s i8x16.add_sat_u i8x16.avgr_u i32x4.trunc_sat_f64x2_s_zero
;; <~~------------------- keyword.operator.vector.wat
;;                    ^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                      ^^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                      ^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
  f32x4.demote_f64x2_zero f64x2.promote_low_f32x4 f64x2.convert_low_i32x4_u f32x4.pmin f64x2.ceil
;; <~~----------------------- keyword.operator.vector.wat
;;                        ^^^^^^^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                ^^^^^^^^^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                                          ^^^^^^^^^^ keyword.operator.vector.wat
;;                                                                                     ^^^^^^^^^^ keyword.operator.vector.wat
  i8x16.relaxed_swizzle f32x4.relaxed_madd i32x4.relaxed_trunc_f64x2_u_zero i16x8.relaxed_dot_i8x16_i7x16_s
;; <~~--------------------- keyword.operator.vector.wat
;;                      ^^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
  i32x4.relaxed_dot_i8x16_i7x16_add_s i8x16.relaxed_laneselect f64x2.relaxed_min i16x8.relaxed_q15mulr_s
;; <~~----------------------------------- keyword.operator.vector.wat
;;                                    ^^^^^^^^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                             ^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
;;                                                                               ^^^^^^^^^^^^^^^^^^^^^^^ keyword.operator.vector.wat
  i8x16.nonsense v256.const
;; <~~-------------- - keyword.operator.vector.wat
;;               ^^^^^^^^^^ - keyword.operator.vector.wat
  ;; words that only look like instructions
  $i32.add $block
;; <~~-------- variable.other.wat - keyword.operator.numeric.wat
;;         ^^^^^^ variable.other.wat - keyword.control.wat
  (i32.add (local.get $x) (i32.const 1))
;; ^^^^^^^ keyword.operator.numeric.wat
;;          ^^^^^^^^^ keyword.operator.variable.wat
;;                    ^^ variable.other.local.wat
;;                         ^^^^^^^^^ keyword.operator.numeric.wat
)
