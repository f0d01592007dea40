;; Self-recursive functions, which the instrumenter runs in a recursion clone (recursion-chains.ts),
;; and near misses it must leave alone. recursion-chains.test.ts runs each export with clones, without
;; them and in the reference mode, and wants the same fuel, figures, traps and sample points.
(module $recursion
  (memory 1)
  ;; the classic: two self-calls
  (func $fib (export "fib") (param $n i32) (result i64)
    (if (result i64) (i32.lt_u (local.get $n) (i32.const 2))
      (then (i64.extend_i32_u (local.get $n)))
      (else (i64.add
        (call $fib (i32.sub (local.get $n) (i32.const 1)))
        (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  ;; traps at the bottom of the recursion, in the middle of a run (the load is out of bounds)
  (func $dive (export "dive") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.add (i32.load (i32.const 70000)) (i32.const 1)))
      (else (i32.add (call $dive (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))))
  ;; never returns: a stack overflow unwinds the chain
  (func $runaway (export "runaway") (param $n i32) (result i32)
    (call $runaway (i32.add (local.get $n) (i32.const 1))))
  ;; loops inside the clone, and a self-call in the loop (checks at loop headers in the chain)
  (func $spin (export "spin") (param $depth i32) (param $iters i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $i) (i32.const 3))))
      (if (i32.gt_u (local.get $depth) (i32.const 0))
        (then (local.set $acc (i32.add (local.get $acc)
          (call $spin (i32.sub (local.get $depth) (i32.const 1)) (i32.const 2))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $iters))))
    (local.get $acc))
  ;; early return from the function label inside the recursion
  (func $early (export "early") (param $n i32) (result i32)
    (block $out
      (br_if $out (i32.gt_u (local.get $n) (i32.const 40)))
      (return (i32.add (call $early (i32.add (local.get $n) (i32.const 1))) (i32.const 2))))
    (local.get $n))
  ;; not cloned: calls another function too
  (func $mixed (export "mixed") (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (i32.add (call $mixed (i32.sub (local.get $n) (i32.const 1))) (call $leaf)))
      (else (call $leaf))))
  (func $leaf (result i32) (i32.const 7))
  ;; not cloned: grows memory
  (func $grower (export "grower") (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (call $grower (i32.sub (local.get $n) (i32.const 1))))
      (else (memory.grow (i32.const 0)))))
  ;; enters fib's chain twice from outside, and a chain from a loop
  (func (export "twice") (param $n i32) (result i64)
    (i64.add (call $fib (local.get $n)) (call $fib (local.get $n))))
  (func (export "many") (param $k i32) (result i64)
    (local $acc i64)
    (loop $l
      (local.set $acc (i64.add (local.get $acc) (call $fib (i32.const 7))))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br_if $l (local.get $k)))
    (local.get $acc)))
