#define _GNU_SOURCE
#include "RuneAOTSupport.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <ucontext.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

static const uint64_t pageSize = 65536;
/// Room left on the thread's stack below the deepest wasm frame, for host calls and the trap.
static const uintptr_t stackMargin = 256 * 1024;

typedef struct Activation {
    jmp_buf buffer;
    int32_t code;
    int64_t detail[2];
    RuneAOTThread *thread;
} Activation;

static _Thread_local Activation *current;

void rune_aot_trap(int32_t code, int64_t detail1, int64_t detail2) {
    Activation *activation = current;
    activation->code = code;
    activation->detail[0] = detail1;
    activation->detail[1] = detail2;
    longjmp(activation->buffer, 1);
}

static _Thread_local int interruptUnblocked;
static int interruptSignal(void);

static _Thread_local uintptr_t cachedLowBound;
static _Thread_local int hasCachedLowBound;

/// The lowest address of this thread's stack (pthread_getattr_np reads /proc/self/maps on the
/// main thread, so it is asked once per thread).
static uintptr_t stackLowBound(void) {
    if (hasCachedLowBound) return cachedLowBound;
    hasCachedLowBound = 1;
    pthread_attr_t attributes;
    void *low = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attributes) != 0) return 0;
    pthread_attr_getstack(&attributes, &low, &size);
    pthread_attr_destroy(&attributes);
    cachedLowBound = (uintptr_t)low;
    return cachedLowBound;
}

int32_t rune_aot_invoke(void (*entry)(void *, uint64_t *), void *context, uint64_t *values,
                        RuneAOTThread *thread, int64_t detail[2]) {
    Activation activation;
    Activation *volatile saved = current;
    volatile uint32_t depth = thread->depth;
    volatile uintptr_t stackLimit = thread->stackLimit;
    if (saved == NULL) {
        uintptr_t low = stackLowBound();
        uintptr_t here = (uintptr_t)__builtin_frame_address(0);
        // Main threads report their maximum stack; never trust more than what is below us.
        thread->stackLimit = (low != 0 && low + stackMargin < here) ? low + stackMargin : here - (here > (1u << 20) ? (1u << 20) : 0);
    }
    activation.code = 0;
    activation.thread = thread;
    thread->owner = (uintptr_t)pthread_self();
    if (!interruptUnblocked) {
        // Thread pools (libdispatch, Swift concurrency) block asynchronous signals on their
        // threads; the interrupt signal is ours alone, so it is unblocked once per thread.
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, interruptSignal());
        pthread_sigmask(SIG_UNBLOCK, &set, NULL);
        interruptUnblocked = 1;
    }
    current = &activation;
    if (setjmp(activation.buffer) == 0) {
        entry(context, values);
    }
    current = saved;
    thread->depth = depth;
    thread->stackLimit = stackLimit;
    detail[0] = activation.detail[0];
    detail[1] = activation.detail[1];
    return activation.code;
}

// Address ranges a signal handler looks up: guard regions, translated code. A fixed table of
// atomics, since a handler may read it at any moment and must not take a lock. A slot is
// claimed by setting its start to 1 (never a real address) and filled in before its start is
// published; it is emptied end first and start last, so a lookup never matches a half-written
// slot and a slot is never freed while it is being emptied.
enum { rangeSlotCount = 4096 };
typedef struct RangeTable {
    _Atomic uintptr_t starts[rangeSlotCount];
    _Atomic uintptr_t ends[rangeSlotCount];
    _Atomic uintptr_t owners[rangeSlotCount];
} RangeTable;

static int rangeTableContains(RangeTable *table, uintptr_t address) {
    for (int slot = 0; slot < rangeSlotCount; slot++) {
        uintptr_t start = atomic_load_explicit(&table->starts[slot], memory_order_acquire);
        if (start > 1 && address >= start && address < atomic_load_explicit(&table->ends[slot], memory_order_acquire)) {
            return 1;
        }
    }
    return 0;
}

/// Adds [start, end) for `owner`; -1 when the table is full.
static int rangeTableAdd(RangeTable *table, uintptr_t start, uintptr_t end, uintptr_t owner) {
    for (int slot = 0; slot < rangeSlotCount; slot++) {
        uintptr_t expected = 0;
        if (atomic_compare_exchange_strong(&table->starts[slot], &expected, (uintptr_t)1)) {
            atomic_store_explicit(&table->owners[slot], owner, memory_order_release);
            atomic_store_explicit(&table->ends[slot], end, memory_order_release);
            atomic_store_explicit(&table->starts[slot], start, memory_order_release);
            return 0;
        }
    }
    return -1;
}

/// Removes every range of `owner`.
static void rangeTableRemove(RangeTable *table, uintptr_t owner) {
    for (int slot = 0; slot < rangeSlotCount; slot++) {
        if (atomic_load_explicit(&table->owners[slot], memory_order_acquire) == owner) {
            atomic_store_explicit(&table->ends[slot], 0, memory_order_release);
            atomic_store_explicit(&table->owners[slot], 0, memory_order_release);
            atomic_store_explicit(&table->starts[slot], 0, memory_order_release);
        }
    }
}

// Guard regions. On 64-bit hosts every memory reserves all an access can reach (a 32-bit
// address plus a 32-bit offset plus the access size), and only its current size is readable
// and writable. Generated code then needs no bounds check on loads and stores: an access past
// the end touches a page with no access, and the fault handler below turns the fault into an
// out-of-bounds trap of the running call.

#if UINTPTR_MAX > 0xFFFFFFFFu
static RangeTable guards;  // owner: the region's base
// The actions in place before this handler: faults that are not a rune's go to them.
static struct sigaction previousSegv, previousBus;
static pthread_once_t handlerOnce = PTHREAD_ONCE_INIT;
static int handlerInstalled;

static void faultHandler(int signal, siginfo_t *info, void *ucontext);

/// Passes a fault that is not a rune's to the action that was in place before this handler,
/// which stays installed: a crash LLVM recovers from on another thread (its crash-recovery
/// context longjmps out of its handler) must not cost the next rune its guard pages.
static void chainFault(int signal, siginfo_t *info, void *ucontext) {
    const struct sigaction *previous = signal == SIGBUS ? &previousBus : &previousSegv;
    if (previous->sa_flags & SA_SIGINFO) {
        if (previous->sa_sigaction != NULL && previous->sa_sigaction != faultHandler) {
            previous->sa_sigaction(signal, info, ucontext);
            return;
        }
    } else if (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN && previous->sa_handler != NULL) {
        previous->sa_handler(signal);
        return;
    }
    // Nobody else handles it: the default action, when the access runs again (ends the process).
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(signal, &fallback, NULL);
}

static void faultHandler(int signal, siginfo_t *info, void *ucontext) {
    Activation *activation = current;
    if (info->si_code <= 0) {
        // Sent by kill or raise, not by a fault: LLVM's crash-recovery handler, installed over
        // this one by a compilation, re-raises a fault it does not own after putting this
        // handler back. In a rune, returning lets the faulting access run again and fault into
        // this handler, with its address. Elsewhere it is a crash being reported: passing it on
        // would hand LLVM a fault outside any recovery context, and LLVM then switches recovery
        // off for the whole process (putting back what came before it, without this handler).
        if (activation == NULL) {
            struct sigaction fallback;
            memset(&fallback, 0, sizeof fallback);
            fallback.sa_handler = SIG_DFL;
            sigemptyset(&fallback.sa_mask);
            sigaction(signal, &fallback, NULL);
        }
        return;
    }
    if (RuneAOTHandleFault(signal, info, ucontext)) return;
    chainFault(signal, info, ucontext);
}

int RuneAOTHandleFault(int signal, siginfo_t *info, void *ucontext) {
    (void)ucontext;
    Activation *activation = current;
    if (info->si_code <= 0) return 0;
    if (activation != NULL && rangeTableContains(&guards, (uintptr_t)info->si_addr)) {
        activation->code = RuneAOTTrapMemoryOutOfBounds;
        activation->detail[0] = 0;
        activation->detail[1] = 0;
        // SA_NODEFER leaves the signal unblocked when this handler is called by the kernel, but
        // another handler installed over it (runec's crash recovery) may block it and call this
        // one: jumping out of that would leave the thread's next fault blocked, which ends the
        // process. Traps are rare; the system call is cheap next to one.
        sigset_t faults;
        sigemptyset(&faults);
        sigaddset(&faults, signal);
        pthread_sigmask(SIG_UNBLOCK, &faults, NULL);
        longjmp(activation->buffer, 1);
    }
    return 0;
}

static void installHandler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = faultHandler;
    action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    handlerInstalled = sigaction(SIGSEGV, &action, &previousSegv) == 0 && sigaction(SIGBUS, &action, &previousBus) == 0;
}

static int registerGuard(uintptr_t base, uintptr_t end) {
    pthread_once(&handlerOnce, installHandler);
    if (!handlerInstalled) return -1;
    return rangeTableAdd(&guards, base, end, base);
}

static void unregisterGuard(uintptr_t base) {
    rangeTableRemove(&guards, base);
}

int rune_aot_guard_pages(void) { return 1; }
#else
int rune_aot_guard_pages(void) { return 0; }
int RuneAOTHandleFault(int signal, siginfo_t *info, void *ucontext) {
    (void)signal;
    (void)info;
    (void)ucontext;
    return 0;
}
#endif

int rune_aot_memory_init(RuneAOTMemory *memory, uint64_t pages, uint64_t maxPages) {
    memset(memory, 0, sizeof *memory);
    if (pages > maxPages) return -1;
    // Reserve the whole maximum (at most 4 GiB) without committing it, so the base never moves;
    // with guard pages, everything an access could reach.
    uint64_t reserved = maxPages * pageSize;
    if (reserved == 0) reserved = pageSize;
#if UINTPTR_MAX > 0xFFFFFFFFu
    reserved = RUNE_AOT_GUARDED_RESERVATION;
#endif
    void *base = mmap(NULL, reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return -1;
    if (pages > 0 && mprotect(base, pages * pageSize, PROT_READ | PROT_WRITE) != 0) {
        munmap(base, reserved);
        return -1;
    }
#if UINTPTR_MAX > 0xFFFFFFFFu
    if (registerGuard((uintptr_t)base, (uintptr_t)base + reserved) != 0) {
        munmap(base, reserved);
        return -1;
    }
#endif
    memory->base = base;
    memory->size = pages * pageSize;
    memory->pages = pages;
    memory->maxPages = maxPages;
    memory->reserved = reserved;
    return 0;
}

void rune_aot_memory_free(RuneAOTMemory *memory) {
    if (memory->base == NULL) return;
#if UINTPTR_MAX > 0xFFFFFFFFu
    unregisterGuard((uintptr_t)memory->base);
#endif
    munmap(memory->base, memory->reserved);
    memory->base = NULL;
}

int32_t rune_aot_memory_grow(RuneAOTMemory *memory, uint32_t deltaPages) {
    uint64_t old = memory->pages;
    uint64_t wanted = old + deltaPages;
    if (wanted > memory->maxPages) return -1;
    if (deltaPages > 0 && mprotect(memory->base + old * pageSize, (uint64_t)deltaPages * pageSize,
                                   PROT_READ | PROT_WRITE) != 0) {
        return -1;
    }
    memory->pages = wanted;
    memory->size = wanted * pageSize;
    return (int32_t)old;
}

int rune_aot_memory_file(const char *name) {
    return memfd_create(name, MFD_CLOEXEC);
}

// Interruption. A watchdog on another thread sets the flag and sends `interruptSignal` to the
// running thread; the handler stops the call only when the thread is executing translated code
// (its program counter lies in a registered executable segment), where no lock, allocation or
// host state can be half-updated. Elsewhere it returns, and the next signal tries again.

static RangeTable translatedCode;  // owner: the dlopen handle
static pthread_once_t interruptOnce = PTHREAD_ONCE_INIT;
static int interruptInstalled;

static int interruptSignal(void) { return SIGRTMIN + 4; }

static uintptr_t programCounter(void *ucontext) {
    ucontext_t *context = ucontext;
#if defined(__x86_64__)
    return (uintptr_t)context->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (uintptr_t)context->uc_mcontext.pc;
#else
    (void)context;
    return 0;
#endif
}

static void interruptHandler(int signal, siginfo_t *info, void *ucontext) {
    (void)signal;
    (void)info;
    Activation *activation = current;
    if (activation == NULL || activation->thread == NULL || activation->thread->interrupt == 0) return;
    if (!rangeTableContains(&translatedCode, programCounter(ucontext))) return;
    activation->code = RuneAOTTrapInterrupted;
    activation->detail[0] = 0;
    activation->detail[1] = 0;
    // SA_NODEFER left this signal unblocked, so jumping out leaves the mask as it was.
    longjmp(activation->buffer, 1);
}

static void installInterruptHandler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = interruptHandler;
    action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK | SA_RESTART;
    sigemptyset(&action.sa_mask);
    interruptInstalled = sigaction(interruptSignal(), &action, NULL) == 0;
}

void rune_aot_interrupt(RuneAOTThread *thread) {
    atomic_store((_Atomic uint32_t *)&thread->interrupt, 1);
    uintptr_t owner = thread->owner;
    if (owner != 0 && interruptInstalled) pthread_kill((pthread_t)owner, interruptSignal());
}

typedef struct SegmentSearch {
    uintptr_t base;
    void *handle;
    int failed;
} SegmentSearch;

static int findSegments(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    SegmentSearch *search = data;
    if (info->dlpi_addr != search->base) return 0;
    for (int index = 0; index < info->dlpi_phnum; index++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[index];
        if (header->p_type != PT_LOAD || !(header->p_flags & PF_X)) continue;
        uintptr_t start = info->dlpi_addr + header->p_vaddr;
        if (rangeTableAdd(&translatedCode, start, start + header->p_memsz, (uintptr_t)search->handle) != 0) search->failed = 1;
    }
    return 1;
}

int rune_aot_register_code(void *handle) {
    pthread_once(&interruptOnce, installInterruptHandler);
    if (!interruptInstalled) return -1;
    struct link_map *map = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || map == NULL) return -1;
    SegmentSearch search = { (uintptr_t)map->l_addr, handle, 0 };
    if (dl_iterate_phdr(findSegments, &search) == 0 || search.failed) {
        rune_aot_unregister_code(handle);
        return -1;
    }
    return 0;
}

void rune_aot_unregister_code(void *handle) {
    rangeTableRemove(&translatedCode, (uintptr_t)handle);
}
