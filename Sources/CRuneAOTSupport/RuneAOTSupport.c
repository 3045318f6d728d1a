#define _GNU_SOURCE
#include "RuneAOTSupport.h"

#include <pthread.h>
#include <setjmp.h>
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
} Activation;

static _Thread_local Activation *current;

void rune_aot_trap(int32_t code, int64_t detail1, int64_t detail2) {
    Activation *activation = current;
    activation->code = code;
    activation->detail[0] = detail1;
    activation->detail[1] = detail2;
    longjmp(activation->buffer, 1);
}

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

int rune_aot_memory_init(RuneAOTMemory *memory, uint64_t pages, uint64_t maxPages) {
    memset(memory, 0, sizeof *memory);
    if (pages > maxPages) return -1;
    // Reserve the whole maximum (at most 4 GiB) without committing it, so the base never moves.
    uint64_t reserved = maxPages * pageSize;
    if (reserved == 0) reserved = pageSize;
    void *base = mmap(NULL, reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return -1;
    if (pages > 0 && mprotect(base, pages * pageSize, PROT_READ | PROT_WRITE) != 0) {
        munmap(base, reserved);
        return -1;
    }
    memory->base = base;
    memory->size = pages * pageSize;
    memory->pages = pages;
    memory->maxPages = maxPages;
    memory->reserved = reserved;
    return 0;
}

void rune_aot_memory_free(RuneAOTMemory *memory) {
    if (memory->base != NULL) munmap(memory->base, memory->reserved);
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
