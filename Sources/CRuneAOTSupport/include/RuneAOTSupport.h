// RuneAOTSupport: the few things native code translated from WebAssembly needs from the host
// that are best written in C: unwinding a trap back to the host (setjmp/longjmp), linear memory
// reserved once and grown in place, and the stack bound of the calling thread.
//
// Generated code reaches every one of these through function pointers in its context; nothing
// is resolved by name from the process.
#ifndef RUNE_AOT_SUPPORT_H
#define RUNE_AOT_SUPPORT_H

#include <signal.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Why generated code stopped. The host turns each into the interpreter's reason text.
typedef enum RuneAOTTrap {
    RuneAOTTrapNone = 0,
    RuneAOTTrapUnreachable = 1,
    RuneAOTTrapDivideByZero = 2,
    RuneAOTTrapIntegerOverflow = 3,
    RuneAOTTrapInvalidConversion = 4,
    RuneAOTTrapMemoryOutOfBounds = 5,
    RuneAOTTrapIndirectCallTypeMismatch = 6,  // detail: expected type id, actual type id
    RuneAOTTrapUndefinedElement = 7,          // detail: element index
    RuneAOTTrapUninitializedElement = 8,      // detail: element index
    RuneAOTTrapCallStackExhausted = 9,
    RuneAOTTrapInterrupted = 10,
    RuneAOTTrapHost = 11,                     // a host function stopped the call
} RuneAOTTrap;

/// One linear memory: reserved once (so `base` never moves) and committed as it grows.
/// Offsets are part of the generated code's ABI: base 0, size 8.
typedef struct RuneAOTMemory {
    uint8_t *base;
    uint64_t size;        // bytes accessible now (pages * 65536)
    uint64_t pages;
    uint64_t maxPages;
    uint64_t reserved;    // bytes reserved
} RuneAOTMemory;

/// Table entry: a function's canonical type id, its code, and the context it runs with.
/// Offsets: typeID 0, function 8, context 16; 24 bytes.
typedef struct RuneAOTTableEntry {
    int32_t typeID;
    int32_t padding;
    void *function;
    void *context;
} RuneAOTTableEntry;

/// Offsets: entries 0, size 8.
typedef struct RuneAOTTable {
    RuneAOTTableEntry *entries;
    uint64_t size;
} RuneAOTTable;

/// An imported function: its code and the context it is called with. Offsets: 0, 8; 16 bytes.
typedef struct RuneAOTImport {
    void *function;
    void *context;
} RuneAOTImport;

/// State shared by every instance that calls into each other on one thread.
/// Offsets: depth 0, depthLimit 4, stackLimit 8, interrupt 16.
/// `owner` (not read by generated code) is the thread running the outermost call, which
/// `rune_aot_interrupt` signals.
typedef struct RuneAOTThread {
    uint32_t depth;
    uint32_t depthLimit;
    uintptr_t stackLimit;
    volatile uint32_t interrupt;
    uint32_t padding;
    volatile uintptr_t owner;
} RuneAOTThread;

typedef void (*RuneAOTTrapFunction)(int32_t code, int64_t detail1, int64_t detail2);
typedef int32_t (*RuneAOTGrowFunction)(RuneAOTMemory *memory, uint32_t deltaPages);
typedef int32_t (*RuneAOTHostFunction)(void *host, uint32_t importIndex, uint64_t *arguments);

/// What every generated function gets as its first argument. Each field is 8 bytes; the
/// generated code addresses them by index (see ContextLayout in RuneAOT).
typedef struct RuneAOTContext {
    RuneAOTMemory *memory;          // 0
    uint64_t **globals;             // 1: one 8-byte cell per global
    RuneAOTTable *table;            // 2
    RuneAOTImport *imports;         // 3
    const int32_t *typeIDs;         // 4: canonical id per type index
    RuneAOTThread *thread;          // 5
    RuneAOTTrapFunction trap;       // 6
    RuneAOTGrowFunction memoryGrow; // 7
    RuneAOTHostFunction hostCall;   // 8
    void *host;                     // 9
} RuneAOTContext;

/// Calls `entry(context, values)` (a generated entry wrapper: arguments in, results out), and
/// returns 0, or the trap code that stopped it with its details in `detail`.
int32_t rune_aot_invoke(void (*entry)(void *, uint64_t *), void *context, uint64_t *values,
                        RuneAOTThread *thread, int64_t detail[2]);

/// Stops the call running on `thread` with an "interrupted" trap; safe from any thread. Sets the
/// interrupt flag (checked at every function entry) and signals the
/// running thread: if it is executing translated code, the call stops there, so loops need no
/// check of their own. If the signal lands elsewhere (in a host function, or in libc's memmove
/// for memory.copy), the flag stays set; callers repeat this until the call returns.
void rune_aot_interrupt(RuneAOTThread *thread);

/// Makes the executable segments of `handle` (a dlopen'd translated module) known to the
/// interrupt handler, until `rune_aot_unregister_code`. 0 on success.
int rune_aot_register_code(void *handle);
void rune_aot_unregister_code(void *handle);

/// Stops the running call with `code` (never returns).
void rune_aot_trap(int32_t code, int64_t detail1, int64_t detail2);

/// memory.grow: the old size in pages, or -1.
int32_t rune_aot_memory_grow(RuneAOTMemory *memory, uint32_t deltaPages);

/// Bytes reserved per memory on 64-bit hosts: a 32-bit address plus a 32-bit offset plus the
/// largest access (8 bytes), rounded up to a page. Nothing past a memory's size is accessible.
#define RUNE_AOT_GUARDED_RESERVATION ((uint64_t)0x200010000ULL)

/// 1 when memories are guarded (64-bit hosts): an access past a memory's size faults, and the
/// fault becomes an out-of-bounds trap of the running call, so loads and stores need no
/// explicit check. 0 otherwise.
int rune_aot_guard_pages(void);

/// Reserves and commits a memory of `pages` pages that may grow to `maxPages`. 0 on success.
int rune_aot_memory_init(RuneAOTMemory *memory, uint64_t pages, uint64_t maxPages);
void rune_aot_memory_free(RuneAOTMemory *memory);

/// An anonymous in-memory file (memfd_create, close-on-exec) for loading verified native code
/// by descriptor rather than by path; -1 with errno set when the kernel has none.
int rune_aot_memory_file(const char *name);

/// Turns `info`'s fault into an out-of-bounds trap of the running call (never returning) when it
/// is a rune's guard-page fault on this thread; returns 0 for any other. For handlers that other
/// code installs over the guard-page handler: runec's crash recovery asks it first, so a rune's
/// fault never reaches LLVM's handler, which would take it for a crash outside any recovery
/// context and switch recovery off for the whole process (and a compilation on another thread
/// that then crashed would end the process).
int RuneAOTHandleFault(int signal, siginfo_t *info, void *ucontext);

#ifdef __cplusplus
}
#endif
#endif
