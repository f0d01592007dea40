;; SYNTAX TEST "source.wat" "module fields, types and declared names"

(module $example
;; <- punctuation.section.parens.begin.wat
;; <~------ keyword.declaration.wat
;;      ^^^^^^^^ entity.name.module.wat
  (type $binop (func (param i32 i32) (result i32)))
;; ^^^^ keyword.declaration.wat
;;      ^^^^^^ entity.name.type.wat
;;              ^^^^ keyword.declaration.wat
;;                    ^^^^^ keyword.other.wat
;;                          ^^^ storage.type.wat
;;                              ^^^ storage.type.wat
;;                                    ^^^^^^ keyword.other.wat
;;                                              ^^^ punctuation.section.parens.end.wat
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (type $binop)))
;; ^^^^^^ keyword.declaration.wat
;;        ^^^^^^^^^^^^^^^^^^^^^^^^ string.quoted.double.wat
;;                                 ^^^^^^^^^^ string.quoted.double.wat
;;                                                  ^^^^^^^^^ entity.name.function.wat
;;                                                                  ^^^^^^ entity.name.type.wat
  (memory $mem (export "memory") 1 10 shared)
;; ^^^^^^ keyword.declaration.wat
;;        ^^^^ entity.name.memory.wat
;;              ^^^^^^ keyword.declaration.wat
;;                               ^ constant.numeric.integer.wat
;;                                    ^^^^^^ keyword.other.wat
  (table $tbl 2 funcref)
;; ^^^^^ keyword.declaration.wat
;;       ^^^^ entity.name.table.wat
;;              ^^^^^^^ storage.type.wat
  (global $counter (mut i64) (i64.const 0))
;; ^^^^^^ keyword.declaration.wat
;;        ^^^^^^^^ variable.other.global.wat
;;                  ^^^ keyword.other.wat
;;                      ^^^ storage.type.wat
;;                            ^^^^^^^^^ keyword.operator.numeric.wat
  (global $ref (ref null $binop) (ref.null $binop))
;;              ^^^ storage.type.wat
;;                  ^^^^ keyword.other.wat
;;                       ^^^^^^ entity.name.type.wat
;;                                ^^^^^^^^ keyword.operator.reference.wat
;;                                         ^^^^^^ entity.name.type.wat
  (global $ext externref (ref.null extern))
;;             ^^^^^^^^^ storage.type.wat
;;             ^^^^^^ storage.type.wat - keyword.declaration.wat
  (elem $funcs (table $tbl) (offset (i32.const 0)) func $add $sub)
;; ^^^^ keyword.declaration.wat
;;      ^^^^^^ entity.name.segment.wat
;;                           ^^^^^^ keyword.other.wat
;;                                                 ^^^^ keyword.declaration.wat
;;                                                      ^^^^ variable.other.wat
  (elem declare func $add)
;;      ^^^^^^^ keyword.other.wat
  (elem (i32.const 1) (item ref.func $sub))
;;                     ^^^^ keyword.other.wat
;;                          ^^^^^^^^ keyword.operator.reference.wat
;;                                   ^^^^ entity.name.function.wat
  (data $greeting (memory $mem) (offset i32.const 16) "hello")
;; ^^^^ keyword.declaration.wat
;;      ^^^^^^^^^ entity.name.segment.wat
;;                        ^^^^ entity.name.memory.wat
  (tag $oops (param i32))
;; ^^^ keyword.declaration.wat
;;     ^^^^^ entity.name.tag.wat
  (rec (type $node (sub final (struct (field $value i32) (field $next (ref null $node))))))
;; ^^^ keyword.declaration.wat
;;           ^^^^^ entity.name.type.wat
;;                  ^^^ keyword.other.wat
;;                      ^^^^^ keyword.other.wat
;;                             ^^^^^^ keyword.other.wat
;;                                     ^^^^^ keyword.other.wat
;;                                           ^^^^^^ variable.other.field.wat
;;                                                                              ^^^^^ entity.name.type.wat
  (type $bytes (array (mut i8)))
;;              ^^^^^ keyword.other.wat
;;                         ^^ storage.type.wat
  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
;; ^^^^ keyword.declaration.wat
;;      ^^^^ entity.name.function.wat
;;                   ^^^^^ string.quoted.double.wat
;;                                 ^^ variable.parameter.wat
;;                                                ^^ variable.parameter.wat
    (local $tmp i32) (local f64 v128)
;;   ^^^^^ keyword.other.wat
;;         ^^^^ variable.other.local.wat
;;                          ^^^ storage.type.wat
;;                              ^^^^ storage.type.wat
    local.get $a
;;  ^^^^^^^^^ keyword.operator.variable.wat
;;            ^^ variable.other.local.wat
    local.get $b
    i32.add)
;;  ^^^^^^^ keyword.operator.numeric.wat
  (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
;;      ^^^^ entity.name.function.wat
;;                          ^^^^^^^ keyword.operator.numeric.wat
;;                                   ^^^^^^^^^ keyword.operator.variable.wat
  (func $main (result (ref any) anyref eqref i31ref structref arrayref nullref exnref)
;;                         ^^^ storage.type.wat
;;                              ^^^^^^ storage.type.wat
;;                                           ^^^^^^ storage.type.wat
;;                                                                             ^^^^^^ storage.type.wat
    unreachable)
  (start $main)
;; ^^^^^ keyword.declaration.wat
;;       ^^^^^ entity.name.function.wat
  (export "main" (func $main))
;; ^^^^^^ keyword.declaration.wat
;;                     ^^^^^ entity.name.function.wat
  (func $quoted-$"names with spaces" (param $"a b" i32))
;;                                          ^^^^^^ variable.parameter.wat
  (func $chars!#%&'*+-./:<=>?@\^_`|~ (result i32) i32.const 1)
;;      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ entity.name.function.wat
)
