;; Control flow for fuel exactness: loops, nested blocks, br_if/br_table (also to the function
;; label), if/else with and without results, select, calls, tail calls, traps in the middle of a
;; run, memory.grow, unreachable, host calls and a host callback that re-enters the module.
(module $fuel
  (import "env" "host" (func $host (param i32) (result i32)))
  (import "env" "reenter" (func $reenter (param i32) (result i32)))
  (memory 1 4)

  ;; sum 0..n-1 with a loop and a br_if back edge
  (func $sum (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block $done
      (loop $top
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $top)))
    (local.get $s))

  ;; classify with br_table, including a target that is the function's own label
  (global $last (mut i32) (i32.const 0))
  (func $classifyInto (param $x i32)
    (global.set $last (i32.const 0))
    (block $c (block $b (block $a
      (br_table $a $b $c 3 (local.get $x)))
      (global.set $last (i32.const 10))
      (return))
      (global.set $last (i32.const 20))
      (return))
    (global.set $last (i32.const 30)))
  (func (export "classify") (param $x i32) (result i32)
    (call $classifyInto (local.get $x))
    (global.get $last))

  ;; early exit with br_if to the function label, then more work
  (func $early (export "early") (param $x i32) (result i32)
    (i32.const 99)
    (br_if 0 (i32.eqz (local.get $x)))
    (drop)
    (if (result i32) (i32.gt_s (local.get $x) (i32.const 5))
      (then (i32.mul (local.get $x) (i32.const 2)))
      (else (select (i32.const 1) (i32.const 2) (local.get $x)))))

  (func $fib (export "fib") (param $n i32) (result i32)
    (if (i32.lt_u (local.get $n) (i32.const 2)) (then (return (local.get $n))))
    (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
             (call $fib (i32.sub (local.get $n) (i32.const 2)))))

  ;; tail-recursive countdown
  (func $count (export "count") (param $n i32) (param $acc i32) (result i32)
    (if (i32.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $count (i32.sub (local.get $n) (i32.const 1)) (i32.add (local.get $acc) (i32.const 3))))

  ;; traps in the middle of a run: the operators after the division must be refunded
  (func $div (export "div") (param $a i32) (param $b i32) (result i32)
    (i32.add (i32.div_s (local.get $a) (local.get $b)) (i32.mul (local.get $a) (i32.const 3))))
  (func (export "divDeep") (param $a i32) (param $b i32) (result i32)
    (i32.add (call $sum (i32.const 10)) (call $div (local.get $a) (local.get $b))))
  (func (export "load") (param $addr i32) (result i32)
    (i32.add (i32.load (local.get $addr)) (i32.const 1)))
  (func (export "boom") (result i32)
    (drop (call $sum (i32.const 5)))
    (unreachable))

  (func (export "grow") (param $d i32) (result i32)
    (i32.add (memory.grow (local.get $d)) (i32.const 1000)))
  (func (export "size") (result i32) (memory.size))

  (func (export "callHost") (param $x i32) (result i32)
    (i32.add (call $host (local.get $x)) (call $sum (local.get $x))))
  (func (export "callReenter") (param $x i32) (result i32)
    (i32.add (call $reenter (local.get $x)) (i32.const 1)))

  ;; a loop with nothing observable in it (no trap, no call): only the register copy moves
  (func (export "spin") (param $n i32) (result i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.xor (i32.add (local.get $acc) (local.get $n)) (i32.const 0x55)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))

  ;; a free run (cost 0: a loop's end, the function's end) after runs that only moved the register
  ;; copy: the exit must still publish the fuel
  (func (export "freeExit") (local $x i32)
    (local.set $x (i32.const 1))
    (loop (nop)))

  ;; dead code after br/return/unreachable, nested blocks inside it
  (func (export "dead") (param $x i32) (result i32)
    (block $b (result i32)
      (br $b (local.get $x))
      (drop (i32.const 1))
      (block (nop) (drop (call $fib (i32.const 3)))))
    (return)
    (i32.const 5)))
