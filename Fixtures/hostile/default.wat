;; The module of a hostile case without its own rune.wat: a rune that does nothing.
(module
  (import "rune" "capability_read" (func $read (param i32 i32 i32) (result i32)))
  (import "rune" "output_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "rune" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "$MANIFEST")
  (func $manifest (result i32) i32.const 1024)
  (func $call (result i32) i32.const 0)
  (export "_manifest" (func $manifest))
  (export "_call" (func $call)))
