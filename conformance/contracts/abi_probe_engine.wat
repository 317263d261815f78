;; abi_probe_engine.wat — engine-level behaviour of a call: each trap kind, gas, values, engine
;; limits (conformance/fillers/engine.py). No imports. Built with wasmtime.wat2wasm into
;; abi_probe_engine.wasm; tests/test_conformance.py checks the two agree.
;;
;; Exports
;;   memory (1 page), counter (an i32 global: not a function)
;;   nop()                                 does nothing (gas: the entry only)
;;   add(a: i32, b: i32) -> i32            a + b
;;   echo(a: i32, b: i64, c: f32, d: f64) -> (f64, f32, i64, i32)
;;                                         the arguments in reverse order, bits unchanged
;;   unreachable()                         traps UNREACHABLE
;;   load(addr: i32) -> i32                i32.load at addr (MEMORY_OUT_OF_BOUNDS past 65532)
;;   table_get(i: i32) -> i32              ref.is_null(table.get i) on a table of 3
;;                                         (TABLE_OUT_OF_BOUNDS from 3)
;;   call_indirect(i: i32) -> i32          call_indirect (type () -> i32) through the table
;;                                         [$forty_two, null, $identity]: 0 -> 42,
;;                                         1 UNINITIALIZED_ELEMENT, 2 INDIRECT_CALL_TYPE_MISMATCH,
;;                                         3 and above UNDEFINED_ELEMENT
;;   div_s(a: i32, b: i32) -> i32          i32.div_s (INTEGER_DIVIDE_BY_ZERO, INTEGER_OVERFLOW)
;;   trunc(x: f32) -> i32                  i32.trunc_f32_s (INVALID_CONVERSION for NaN,
;;                                         INTEGER_OVERFLOW out of range)
;;   recurse() -> i32                      calls itself forever (CALL_STACK_EXHAUSTED)
;;   spin()                                loops forever (OUT_OF_GAS)
;;   count(n: i32) -> i32                  loops n times; returns n
;;   straight() -> i32                     1 + 2 + 3 + 4 without a loop (7 instructions)
;;   call_then_add() -> i32                $forty_two() + 1: a call with instructions after it
;;   choose(c: i32) -> i32                 if c then 10 else 20 (an if with an else)
;;   grow(pages: i32) -> i32               memory.grow (-1 beyond the engine's 1024 pages)
(module
  (type $ret_i32 (func (result i32)))
  (type $takes_i32 (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (global (export "counter") i32 (i32.const 7))
  (table 3 funcref)
  (elem (i32.const 0) func $forty_two)
  (elem (i32.const 2) func $identity)

  (func $forty_two (type $ret_i32) (i32.const 42))
  (func $identity (type $takes_i32) (local.get 0))

  (func (export "nop"))
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "echo") (param i32 i64 f32 f64) (result f64 f32 i64 i32)
    (local.get 3) (local.get 2) (local.get 1) (local.get 0))
  (func (export "unreachable") unreachable)
  (func (export "load") (param i32) (result i32)
    (i32.load (local.get 0)))
  (func (export "table_get") (param i32) (result i32)
    (ref.is_null (table.get (local.get 0))))
  (func (export "call_indirect") (param i32) (result i32)
    (call_indirect (type $ret_i32) (local.get 0)))
  (func (export "div_s") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "trunc") (param f32) (result i32)
    (i32.trunc_f32_s (local.get 0)))
  (func $recurse (export "recurse") (result i32)
    (i32.add (call $recurse) (i32.const 1)))
  (func (export "spin")
    (loop $forever (br $forever)))
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))
  (func (export "straight") (result i32)
    (i32.add (i32.add (i32.add (i32.const 1) (i32.const 2)) (i32.const 3)) (i32.const 4)))
  (func (export "call_then_add") (result i32)
    (i32.add (call $forty_two) (i32.const 1)))
  (func (export "choose") (param i32) (result i32)
    (if (result i32) (local.get 0) (then (i32.const 10)) (else (i32.const 20))))
  (func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0)))
)
