;; SYNTAX TEST "source.wat" "wast script commands"

(module $M1 binary "\00asm" "\01\00\00\00")
;;      ^^^ entity.name.module.wat
;;          ^^^^^^ keyword.other.wat
;;                 ^^^^^^^^ string.quoted.double.wat
(module quote "(func (export \"f\"))")
;;      ^^^^^ keyword.other.wat
;;             ^^^^^ string.quoted.double.wat - keyword.declaration.wat
(module definition $D (func))
;;      ^^^^^^^^^^ keyword.other.wat
(module instance $I $D)
;;      ^^^^^^^^ keyword.other.wat
(register "M1" $M1)
;; <~-------- keyword.other.wast.wat
;;        ^^^^ string.quoted.double.wat
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
;; <- punctuation.section.parens.begin.wat
;; <~------------- keyword.other.wast.wat
;;              ^^^^^^ keyword.other.wast.wat
;;                     ^^^^^ string.quoted.double.wat
;;                            ^^^^^^^^^ keyword.operator.numeric.wat
(assert_return (invoke $M1 "f") (f32.const nan:canonical) (f64.const nan:arithmetic))
;;                     ^^^ variable.other.wat
;;                                         ^^^^^^^^^^^^^ constant.numeric.float.wat
;;                                                                   ^^^^^^^^^^^^^^ constant.numeric.float.wat
(assert_return (get "global") (ref.extern 1) (ref.null extern) (either (i32.const 1) (i32.const 2)))
;;              ^^^ keyword.other.wast.wat
;;                             ^^^^^^^^^^ keyword.operator.reference.wat
;;                                                              ^^^^^^ keyword.other.wast.wat
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
;; <~----------- keyword.other.wast.wat
;;                                                      ^^^^^^^^^^^^^^^^^^^^^^^^ string.quoted.double.wat
(assert_exhaustion (invoke "runaway") "call stack exhausted")
;; <~----------------- keyword.other.wast.wat
(assert_malformed (module quote "(i32.const 0x)") "unknown operator")
;; <~---------------- keyword.other.wast.wat
(assert_invalid (module (func (result i32))) "type mismatch")
;; <~-------------- keyword.other.wast.wat
(assert_unlinkable (module (import "M1" "missing" (func))) "unknown import")
;; <~----------------- keyword.other.wast.wat
(assert_exception (invoke "throws"))
;; <~---------------- keyword.other.wast.wat
(assert_return_canonical_nan (invoke "nan"))
;; <~--------------------------- keyword.other.wast.wat
(invoke "run")
;; <~------ keyword.other.wast.wat
