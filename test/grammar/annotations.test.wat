;; SYNTAX TEST "source.wat" "annotations"

(module (@name "renamed module")
;;      ^^ - punctuation.section.parens.begin.wat
;;      ^ meta.annotation.wat punctuation.section.annotation.begin.wat
;;       ^^^^^ meta.annotation.wat storage.modifier.annotation.wat
;;             ^^^^^^^^^^^^^^^^ meta.annotation.wat string.quoted.double.wat
;;                             ^ meta.annotation.wat punctuation.section.annotation.end.wat
  (func $f (@name "original name") (result i32)
;;          ^^^^^ meta.annotation.wat storage.modifier.annotation.wat
;;                                  ^^^^^^ keyword.other.wat - meta.annotation.wat
    (@metadata.code.branch_hint "\01") if (result i32) i32.const 1 else i32.const 0 end)
;;   ^^^^^^^^^^^^^^^^^^^^^^^^^^ meta.annotation.wat storage.modifier.annotation.wat
;;                               ^^^ meta.annotation.wat string.quoted.double.wat constant.character.escape.wat
;;                                     ^^ keyword.control.wat - meta.annotation.wat
  (@custom "my-section" (after code) "\de\ad\be\ef")
;; ^^^^^^^ storage.modifier.annotation.wat
;;                      ^^^^^^ meta.annotation.wat
;;                             ^^^^^ meta.annotation.wat
;;                                    ^^^ constant.character.escape.wat
  (@producers
;; ^^^^^^^^^^ meta.annotation.wat storage.modifier.annotation.wat
    (language "C" "14") ;; comments inside an annotation
;;   ^^^^^^^^ meta.annotation.wat - keyword.declaration.wat
;;            ^^^ meta.annotation.wat string.quoted.double.wat
;;                      ^^ meta.annotation.wat comment.line.double-semicolon.wat
    (processed-by "clang" "14.0.6") (; and block comments ;) 42 $id
;;                                  ^^ meta.annotation.wat comment.block.wat
;;                                                           ^^ meta.annotation.wat constant.numeric.integer.wat
;;                                                              ^^^ meta.annotation.wat variable.other.wat
  )
;; <~~- meta.annotation.wat punctuation.section.annotation.end.wat
  (func $g)
;; ^^^^ keyword.declaration.wat - meta.annotation.wat
)
