;; A module whose functions have no names (no name section, no DWARF), like a stripped release
;; build: stacks, reports and function breakpoints all call them $func<N>.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (memory (export "memory") 1)
  (func (param i32) (result i32)
    local.get 0
    i32.const 2
    i32.mul)
  (func (export "_start")
    i32.const 21
    call 1
    i32.const 42
    i32.ne
    call 0))
