/*
 * memory.c - the four memory functions a C compiler may call on its own.
 *
 * LLVM turns struct copies and some loops into calls to memcpy, memmove,
 * memset and memcmp even in freestanding code, and there is no libc in a rune.
 * This unit is compiled with -ffreestanding (which implies -fno-builtin), so
 * the loops below are not turned back into calls to themselves.
 */
#include "rune.h"

void *memcpy(void *restrict destination, const void *restrict source, size_t count) {
    uint8_t *to = (uint8_t *)destination;
    const uint8_t *from = (const uint8_t *)source;
    if ((((uintptr_t)to | (uintptr_t)from) & 3u) == 0) {
        while (count >= 4) {
            *(uint32_t *)(void *)to = *(const uint32_t *)(const void *)from;
            to += 4;
            from += 4;
            count -= 4;
        }
    }
    while (count--) *to++ = *from++;
    return destination;
}

void *memmove(void *destination, const void *source, size_t count) {
    uint8_t *to = (uint8_t *)destination;
    const uint8_t *from = (const uint8_t *)source;
    if (to == from || count == 0) return destination;
    if (to < from || to >= from + count) {
        while (count--) *to++ = *from++;
    } else {
        to += count;
        from += count;
        while (count--) *--to = *--from;
    }
    return destination;
}

void *memset(void *destination, int value, size_t count) {
    uint8_t *to = (uint8_t *)destination;
    const uint8_t byte = (uint8_t)value;
    if (((uintptr_t)to & 3u) == 0) {
        const uint32_t word = byte * 0x01010101u;
        while (count >= 4) {
            *(uint32_t *)(void *)to = word;
            to += 4;
            count -= 4;
        }
    }
    while (count--) *to++ = byte;
    return destination;
}

int memcmp(const void *left, const void *right, size_t count) {
    const uint8_t *a = (const uint8_t *)left;
    const uint8_t *b = (const uint8_t *)right;
    for (size_t i = 0; i < count; i++) {
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}
