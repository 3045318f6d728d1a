/*
 * Checks cortex-m/serial_ring.h, the UART receive ring: bytes come out in
 * order across the index wrap; a full ring drops, and the loss is reported
 * once, exactly where it happened, with everything received until the
 * consumer got there dropped too (one gap, never bytes joined across it);
 * an overrun the hardware reports is a gap the same way.
 */
#include <stdio.h>
#include <string.h>
#include "cortex-m/serial_ring.h"

static int failures = 0;

#define CHECK(condition, message)                            \
    do {                                                     \
        if (!(condition)) {                                  \
            printf("%s:%d: %s\n", __FILE__, __LINE__, message); \
            failures++;                                      \
        }                                                    \
    } while (0)

static rune_serial_ring ring;

/* Takes everything waiting: the bytes into `out` and the gaps as -1 in `events`. */
static uint32_t drain(int *events, uint32_t capacity) {
    uint32_t count = 0;
    uint8_t byte;
    int got;
    while (count < capacity && (got = rune_serial_ring_get(&ring, &byte)) != RUNE_SERIAL_NONE) {
        events[count++] = got == RUNE_SERIAL_LOST ? -1 : byte;
    }
    return count;
}

int main(void) {
    static int events[3 * RUNE_SERIAL_RING_BYTES];
    uint8_t byte;

    CHECK(rune_serial_ring_get(&ring, &byte) == RUNE_SERIAL_NONE, "an empty ring has nothing");

    /* In order, also where the free-running indices wrap at 2^32. */
    ring.head = ring.tail = 0xFFFFFFF0u;
    for (uint32_t i = 0; i < 40; i++) rune_serial_ring_put(&ring, (uint8_t)i, false);
    uint32_t count = drain(events, 100);
    bool ordered = count == 40;
    for (uint32_t i = 0; i < count && ordered; i++) ordered = events[i] == (int)i;
    CHECK(ordered, "bytes come out in order across the wrap");

    /* Full: the overflow is one gap after the bytes that fit, and what the
     * interrupt receives before the consumer reaches it is dropped too. */
    memset(&ring, 0, sizeof ring);
    for (uint32_t i = 0; i < RUNE_SERIAL_RING_BYTES + 10; i++) rune_serial_ring_put(&ring, (uint8_t)(i % 251), false);
    CHECK(ring.overflows == 1, "one overflow counted");
    count = drain(events, RUNE_SERIAL_RING_BYTES / 2);
    for (uint32_t i = 0; i < 5; i++) rune_serial_ring_put(&ring, 0xEE, false); /* still losing: dropped */
    count += drain(events + count, 2 * RUNE_SERIAL_RING_BYTES);
    CHECK(count == RUNE_SERIAL_RING_BYTES + 1, "everything that fit, then the gap");
    bool intact = true;
    for (uint32_t i = 0; i < RUNE_SERIAL_RING_BYTES && intact; i++) intact = events[i] == (int)(i % 251);
    CHECK(intact, "the bytes before the gap are the ones received");
    CHECK(events[RUNE_SERIAL_RING_BYTES] == -1, "the gap is reported where the bytes were dropped");
    CHECK(rune_serial_ring_get(&ring, &byte) == RUNE_SERIAL_NONE, "the gap is reported once");
    rune_serial_ring_put(&ring, 0x42, false);
    CHECK(rune_serial_ring_get(&ring, &byte) == RUNE_SERIAL_BYTE && byte == 0x42, "reception resumes after the gap");

    /* A hardware overrun before a byte: a gap, then that byte. */
    rune_serial_ring_put(&ring, 1, false);
    rune_serial_ring_put(&ring, 2, true);
    rune_serial_ring_put(&ring, 3, false);
    count = drain(events, 10);
    CHECK(count == 2 && events[0] == 1 && events[1] == -1, "an overrun is a gap after the bytes before it");
    rune_serial_ring_put(&ring, 4, false);
    count = drain(events, 10);
    CHECK(count == 1 && events[0] == 4, "and reception resumes");
    CHECK(ring.overflows == 2, "the overrun is counted");

    if (failures == 0) printf("serial ring: ok\n");
    return failures == 0 ? 0 : 1;
}
