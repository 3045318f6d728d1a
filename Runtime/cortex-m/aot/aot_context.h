/*
 * aot_context.h - what code translated by runec's AOT engine for Cortex-M
 * (`runec aot --target cortex-m7`) expects of its host: the context every
 * translated function gets as its first argument, and the module descriptor
 * (a `rune_aot_module`, symbol `rune_aot_descriptor`) the object carries in place of a WebAssembly decoder.
 *
 * The context mirrors RuneAOTContext of the workstation engine
 * (Sources/CRuneAOTSupport/include/RuneAOTSupport.h) field for field and
 * offset for offset: every field has an 8-byte slot, a pointer sits in the
 * low half of its slot (little-endian) and the high half is zero. The
 * translator then has one layout for every target (Sources/RuneAOT,
 * ContextLayout). The rune reaches its host only through the function
 * pointers here; nothing is resolved by name.
 */
#ifndef RUNE_CORTEX_M_AOT_CONTEXT_H
#define RUNE_CORTEX_M_AOT_CONTEXT_H

#include "rune.h"

/* Why translated code stopped; the values of RuneAOTTrap on the workstation. */
typedef enum rune_aot_trap {
    RUNE_AOT_TRAP_NONE = 0,
    RUNE_AOT_TRAP_UNREACHABLE = 1,
    RUNE_AOT_TRAP_DIVIDE_BY_ZERO = 2,
    RUNE_AOT_TRAP_INTEGER_OVERFLOW = 3,
    RUNE_AOT_TRAP_INVALID_CONVERSION = 4,
    RUNE_AOT_TRAP_MEMORY_OUT_OF_BOUNDS = 5,
    RUNE_AOT_TRAP_INDIRECT_CALL_TYPE_MISMATCH = 6,
    RUNE_AOT_TRAP_UNDEFINED_ELEMENT = 7,
    RUNE_AOT_TRAP_UNINITIALIZED_ELEMENT = 8,
    RUNE_AOT_TRAP_CALL_STACK_EXHAUSTED = 9,
    RUNE_AOT_TRAP_INTERRUPTED = 10,
    RUNE_AOT_TRAP_HOST = 11,
} rune_aot_trap;

/* A pointer in an 8-byte slot. */
#define RUNE_AOT_SLOT(type, name) \
    union {                       \
        type name;                \
        uint64_t name##_slot;     \
    }

/* The linear memory. Offsets: base 0, size 8, pages 16. */
typedef struct rune_aot_memory {
    RUNE_AOT_SLOT(uint8_t *, base);
    uint64_t size; /* bytes accessible: pages * 65536 */
    uint64_t pages;
    uint64_t max_pages;
    uint64_t reserved;
} rune_aot_memory;

/* Offsets: type id 0, function 8, context 16; 24 bytes. */
typedef struct rune_aot_table_entry {
    int32_t type_id;
    int32_t padding;
    RUNE_AOT_SLOT(void *, function);
    RUNE_AOT_SLOT(void *, context);
} rune_aot_table_entry;

/* Offsets: entries 0, size 8. */
typedef struct rune_aot_table {
    RUNE_AOT_SLOT(rune_aot_table_entry *, entries);
    uint64_t size;
} rune_aot_table;

/* An imported function: its code and the context it runs with; 16 bytes. */
typedef struct rune_aot_import {
    RUNE_AOT_SLOT(void *, function);
    RUNE_AOT_SLOT(void *, context);
} rune_aot_import;

/* Offsets: depth 0, depth limit 4, stack limit 8, interrupt 16. Setting
 * `interrupt` (from an interrupt handler, say) stops the rune at its next
 * function entry, host call or memory.copy/fill with an "interrupted" trap. */
typedef struct rune_aot_thread {
    uint32_t depth;
    uint32_t depth_limit;
    uint64_t stack_limit; /* translated code traps when the stack pointer is below */
    volatile uint32_t interrupt;
    uint32_t padding;
    uint64_t owner;
} rune_aot_thread;

/* One 8-byte slot of context->globals: the address of a global's cell. */
typedef struct rune_aot_slot {
    RUNE_AOT_SLOT(void *, pointer);
} rune_aot_slot;

typedef void (*rune_aot_trap_function)(int32_t code, int64_t detail1, int64_t detail2);
typedef int32_t (*rune_aot_grow_function)(rune_aot_memory *memory, uint32_t delta_pages);
/* Runs import `import` with its arguments in `values` (raw bits, 8 bytes
 * each) and writes its results there; returns 0, or the trap to stop with. */
typedef int32_t (*rune_aot_host_function)(void *host, uint32_t import, uint64_t *values);
/* An entry wrapper: arguments in `values`, results written back there. */
typedef void (*rune_aot_entry)(void *context, uint64_t *values);

typedef struct rune_aot_context {
    RUNE_AOT_SLOT(rune_aot_memory *, memory);          /* 0 */
    RUNE_AOT_SLOT(const rune_aot_slot *, globals);     /* 8 */
    RUNE_AOT_SLOT(rune_aot_table *, table);            /* 16 */
    RUNE_AOT_SLOT(rune_aot_import *, imports);         /* 24 */
    RUNE_AOT_SLOT(const int32_t *, type_ids);          /* 32 */
    RUNE_AOT_SLOT(rune_aot_thread *, thread);          /* 40 */
    RUNE_AOT_SLOT(rune_aot_trap_function, trap);       /* 48 */
    RUNE_AOT_SLOT(rune_aot_grow_function, memory_grow); /* 56 */
    RUNE_AOT_SLOT(rune_aot_host_function, host_call);  /* 64 */
    RUNE_AOT_SLOT(void *, host);                       /* 72 */
} rune_aot_context;

_Static_assert(sizeof(rune_aot_context) == 80, "the context has ten 8-byte fields");
_Static_assert(__builtin_offsetof(rune_aot_context, host) == 72, "context layout");
_Static_assert(__builtin_offsetof(rune_aot_memory, size) == 8, "memory layout");
_Static_assert(__builtin_offsetof(rune_aot_memory, pages) == 16, "memory layout");
_Static_assert(sizeof(rune_aot_table_entry) == 24, "table entry layout");
_Static_assert(__builtin_offsetof(rune_aot_table, size) == 8, "table layout");
_Static_assert(sizeof(rune_aot_import) == 16, "import layout");
_Static_assert(__builtin_offsetof(rune_aot_thread, stack_limit) == 8, "thread layout");
_Static_assert(__builtin_offsetof(rune_aot_thread, interrupt) == 16, "thread layout");

/*
 * The module descriptor the translator emits (Sources/RuneAOT/ModuleDescriptor
 * .swift), in flash: what instantiation copies where. All fields are 4 bytes.
 * Signatures are parameter letters, ':', result letters (i i32, I i64, f f32,
 * F f64): capability_read is "iii:i".
 */
#define RUNE_AOT_MODULE_MAGIC 0x544F4152u /* "RAOT" */
#define RUNE_AOT_MODULE_VERSION 1u

typedef struct rune_aot_data_segment {
    uint32_t offset;
    uint32_t length;
    const uint8_t *bytes;
} rune_aot_data_segment;

typedef struct rune_aot_element {
    uint32_t index; /* table slot */
    int32_t type_id; /* -1: a null reference */
    void *function;
} rune_aot_element;

typedef struct rune_aot_import_entry {
    const char *module;
    const char *name;
    const char *signature;
    void *thunk; /* calls context->host_call with this import's index */
} rune_aot_import_entry;

typedef struct rune_aot_export_entry {
    const char *name;
    const char *signature;
    rune_aot_entry entry;
} rune_aot_export_entry;

typedef struct rune_aot_module {
    uint32_t magic;
    uint32_t version;
    uint8_t *memory; /* storage of memory_pages * 65536 zeroed bytes; NULL without a memory */
    uint32_t memory_pages;
    uint64_t *global_cells;
    const rune_aot_slot *global_slots; /* context->globals */
    const uint64_t *global_values;     /* initial bits */
    uint32_t global_count;
    rune_aot_table_entry *table_entries; /* storage; NULL without a table */
    uint32_t table_size;
    const rune_aot_element *elements;
    uint32_t element_count;
    const int32_t *type_ids; /* context->type_ids */
    uint32_t type_count;
    const rune_aot_data_segment *data;
    uint32_t data_count;
    const rune_aot_import_entry *imports;
    uint32_t import_count;
    const rune_aot_export_entry *exports;
    uint32_t export_count;
    rune_aot_entry start; /* NULL without a start function */
} rune_aot_module;

#endif /* RUNE_CORTEX_M_AOT_CONTEXT_H */
