;; SYNTAX TEST "source.wat" "comments and strings"

;; a line comment
;; <-- comment.line.double-semicolon.wat punctuation.definition.comment.wat
;; ^^^^^^^^^^^^^^ comment.line.double-semicolon.wat

(module ;; trailing comment after code
;; <- punctuation.section.parens.begin.wat
;; <~------ keyword.declaration.wat
;;      ^^ comment.line.double-semicolon.wat punctuation.definition.comment.wat
;;         ^^^^^^^^^^^^^^^^ comment.line.double-semicolon.wat - keyword.declaration.wat
  (; a block comment ;) (func)
;; <~~-- comment.block.wat punctuation.definition.comment.begin.wat
;;   ^^^^^^^^^^^^^^^ comment.block.wat
;;                   ^^ comment.block.wat punctuation.definition.comment.end.wat
;;                      ^^^^^ - comment.block.wat
;;                       ^^^^ keyword.declaration.wat
  (; outer (; nested ;) still a comment i32.add ;) i32.add
;; <~~-- comment.block.wat punctuation.definition.comment.begin.wat
;;         ^^ comment.block.wat comment.block.wat punctuation.definition.comment.begin.wat
;;            ^^^^^^ comment.block.wat comment.block.wat
;;                   ^^ comment.block.wat comment.block.wat punctuation.definition.comment.end.wat
;;                      ^^^^^^^^^^^^^^^^^^^^^^^ comment.block.wat - keyword.operator.numeric.wat
;;                                              ^^ comment.block.wat punctuation.definition.comment.end.wat
;;                                                 ^^^^^^^ keyword.operator.numeric.wat - comment.block.wat
  (;
    a block comment over several lines: (func $f) i32.const 1
;;  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.block.wat
;;                                       ^^^^ comment.block.wat - keyword.declaration.wat
  ;)
;; <~~-- comment.block.wat punctuation.definition.comment.end.wat
  ;; region: folding markers are ordinary comments
;;   ^^^^^^ comment.line.double-semicolon.wat
  (data "plain text")
;;      ^ string.quoted.double.wat punctuation.definition.string.begin.wat
;;       ^^^^^^^^^^ string.quoted.double.wat
;;                 ^ string.quoted.double.wat punctuation.definition.string.end.wat
;;                  ^ punctuation.section.parens.end.wat - string.quoted.double.wat
  (data "tab\t nl\n cr\r quote\" apos\' bs\\ byte\00\ff\A0 uni\u{1F600}\u{10_FFFF}")
;;          ^^ string.quoted.double.wat constant.character.escape.wat
;;               ^^ constant.character.escape.wat
;;                    ^^ constant.character.escape.wat
;;                            ^^ constant.character.escape.wat
;;                                   ^^ constant.character.escape.wat
;;                                        ^^ constant.character.escape.wat
;;                                               ^^^ constant.character.escape.wat
;;                                                  ^^^ constant.character.escape.wat
;;                                                     ^^^ constant.character.escape.wat
;;                                                            ^^^^^^^^^ constant.character.escape.wat
;;                                                                     ^^^^^^^^^^^ constant.character.escape.wat
;;                       ^^^^^ string.quoted.double.wat - constant.character.escape.wat
  ;; ;; endregion
  (data "bad escape \q and ;; not a comment (; nor this ;)")
;;                  ^^ string.quoted.double.wat invalid.illegal.escape.wat
;;                         ^^^^^^^^^^^^^^^^ string.quoted.double.wat - comment.line.double-semicolon.wat
;;                                          ^^^^^^^^^^^^^^ string.quoted.double.wat - comment.block.wat
  (data "\"(module)\"") ;; escaped quotes do not end the string
;;         ^^^^^^^^ string.quoted.double.wat - keyword.declaration.wat punctuation.section.parens.begin.wat
;;                      ^^ comment.line.double-semicolon.wat
  (data "unterminated string ends at the line end
;;       ^^^^^^^^^^^^ string.quoted.double.wat
  (func)
;; ^^^^ keyword.declaration.wat - string.quoted.double.wat
)
;; <- punctuation.section.parens.end.wat
