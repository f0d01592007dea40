;; SYNTAX TEST "source.wat" "numbers: integers, floats, hex floats, inf, nan, underscores"

(func
  i32.const 0
;;          ^ constant.numeric.integer.wat
  i32.const -42
;;          ^^^ constant.numeric.integer.wat
  i32.const +7
;;          ^^ constant.numeric.integer.wat
  i64.const 1_000_000
;;          ^^^^^^^^^ constant.numeric.integer.wat
  i32.const 0xFFFF_FFFF
;;          ^^^^^^^^^^^ constant.numeric.integer.hexadecimal.wat
  i64.const -0x8000_0000_0000_0000
;;          ^^^^^^^^^^^^^^^^^^^^^^ constant.numeric.integer.hexadecimal.wat
  f32.const 1.5
;;          ^^^ constant.numeric.float.wat
  f32.const 1.
;;          ^^ constant.numeric.float.wat
  f64.const -2.5e-3
;;          ^^^^^^^ constant.numeric.float.wat
  f64.const 6.022_140E+23
;;          ^^^^^^^^^^^^^ constant.numeric.float.wat
  f64.const 1e10
;;          ^^^^ constant.numeric.float.wat
  f32.const 0x1p-1
;;          ^^^^^^ constant.numeric.float.hexadecimal.wat
  f64.const -0x1.fffffffffffffp+1023
;;          ^^^^^^^^^^^^^^^^^^^^^^^^ constant.numeric.float.hexadecimal.wat
  f64.const 0x1.8
;;          ^^^^^ constant.numeric.float.hexadecimal.wat
  f32.const 0xA_B.C_Dp1_0
;;          ^^^^^^^^^^^^^ constant.numeric.float.hexadecimal.wat
  f32.const inf
;;          ^^^ constant.numeric.float.wat
  f32.const -inf
;;          ^^^^ constant.numeric.float.wat
  f32.const nan
;;          ^^^ constant.numeric.float.wat
  f32.const -nan:0x7f_ffff
;;          ^^^^^^^^^^^^^^ constant.numeric.float.wat
  f64.const nan:0x8000000000000
;;          ^^^^^^^^^^^^^^^^^^^ constant.numeric.float.wat
  i32.const 1)(i32.const 2)
;;          ^ constant.numeric.integer.wat
;;                       ^ constant.numeric.integer.wat
  i32.const 3;; a comment right after a number
;;          ^ constant.numeric.integer.wat
;;           ^^ comment.line.double-semicolon.wat
  local.get 12abc
;;          ^^^^^ - constant.numeric.integer.wat
  i32.const 1__0
;;          ^^^^ - constant.numeric.integer.wat
  i32.const _1
;;          ^^ - constant.numeric.integer.wat
  call $f1
;;     ^^^ entity.name.function.wat - constant.numeric.integer.wat
  i32.load offset=0x10 align=4
;;         ^^^^^^ keyword.other.wat
;;               ^ keyword.operator.assignment.wat
;;                ^^^^ constant.numeric.integer.hexadecimal.wat
;;                     ^^^^^ keyword.other.wat
;;                           ^ constant.numeric.integer.wat
  v128.const f32x4 nan inf -0x1p3 1.5e2
;;           ^^^^^ storage.type.wat
;;                 ^^^ constant.numeric.float.wat
;;                     ^^^ constant.numeric.float.wat
;;                         ^^^^^^ constant.numeric.float.hexadecimal.wat
;;                                ^^^^^ constant.numeric.float.wat
)
