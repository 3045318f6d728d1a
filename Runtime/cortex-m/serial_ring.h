/*
 * serial_ring.h - the receive ring a board's UART interrupt fills and the
 * main loop drains (rune_board_serial_read), so the link keeps receiving
 * the next request while RunicOS serves one or runs a rune call.
 *
 * One producer (the interrupt) and one consumer (thread code) on one core:
 * each index is written by one side only, and a compiler barrier orders
 * the byte before the index that publishes it (one core needs no more; the
 * firmware is built without a C library, so no <stdatomic.h>). The indices
 * run freely and wrap at 2^32; the capacity is a power of two, so
 * `index % capacity` stays continuous across the wrap.
 *
 * Bounded: when the ring is full, the byte is dropped and the loss is
 * recorded where it happened. Everything the interrupt receives after that
 * is dropped too, until the consumer reaches that point and is told
 * (RUNE_SERIAL_LOST), so the loss is one gap at a known place: the link
 * abandons the frame it was decoding there and the sender's retry resends
 * it. A byte is never silently left out of a frame.
 */
#ifndef RUNE_CORTEX_M_SERIAL_RING_H
#define RUNE_CORTEX_M_SERIAL_RING_H

#include "rune.h"

#define RUNE_SERIAL_BARRIER() __asm__ volatile("" ::: "memory")

/* What the ring holds: two whole SMP frames as the host sends them (a
 * 2048-byte packet is 2921 bytes on the wire), which is what RunicOS tells
 * the host it may have outstanding (link_limits.h). */
#define RUNE_SERIAL_RING_BYTES 8192u

_Static_assert((RUNE_SERIAL_RING_BYTES & (RUNE_SERIAL_RING_BYTES - 1u)) == 0, "the ring's capacity is a power of two");

/* rune_serial_ring_get's answers (also rune_board_serial_read's). */
#define RUNE_SERIAL_NONE 0
#define RUNE_SERIAL_BYTE 1
#define RUNE_SERIAL_LOST (-1)

typedef struct rune_serial_ring {
    volatile uint32_t head;      /* written by the producer: bytes put */
    volatile uint32_t tail;      /* written by the consumer: bytes taken */
    volatile uint32_t lost_at;   /* the head when bytes were first dropped */
    volatile uint8_t losing;     /* set by the producer, cleared by the consumer */
    volatile uint32_t overflows; /* how many times bytes were dropped, for diagnostics */
    uint8_t bytes[RUNE_SERIAL_RING_BYTES];
} rune_serial_ring;

/* Producer (interrupt) side. `damaged` says the hardware itself lost bytes
 * before this one (an overrun): that is a gap like a full ring. */
static inline void rune_serial_ring_put(rune_serial_ring *ring, uint8_t byte, bool damaged) {
    const uint32_t head = ring->head;
    if (!ring->losing && (damaged || head - ring->tail >= RUNE_SERIAL_RING_BYTES)) {
        ring->lost_at = head;
        RUNE_SERIAL_BARRIER();
        ring->losing = 1;
        ring->overflows++;
    }
    if (ring->losing) return;
    ring->bytes[head % RUNE_SERIAL_RING_BYTES] = byte;
    RUNE_SERIAL_BARRIER();
    ring->head = head + 1u;
}

/* Consumer side: RUNE_SERIAL_BYTE with the next byte in `*byte`,
 * RUNE_SERIAL_LOST once where bytes went missing, or RUNE_SERIAL_NONE. */
static inline int rune_serial_ring_get(rune_serial_ring *ring, uint8_t *byte) {
    const uint32_t tail = ring->tail;
    if (ring->losing) {
        RUNE_SERIAL_BARRIER();
        if (tail == ring->lost_at) {
            /* The producer stores nothing while losing, so head == lost_at
             * here too: clearing resumes reception right after the gap. */
            ring->losing = 0;
            return RUNE_SERIAL_LOST;
        }
    }
    if (ring->head == tail) return RUNE_SERIAL_NONE;
    RUNE_SERIAL_BARRIER();
    *byte = ring->bytes[tail % RUNE_SERIAL_RING_BYTES];
    RUNE_SERIAL_BARRIER();
    ring->tail = tail + 1u;
    return RUNE_SERIAL_BYTE;
}

#endif /* RUNE_CORTEX_M_SERIAL_RING_H */
