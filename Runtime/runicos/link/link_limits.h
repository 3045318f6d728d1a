/*
 * link_limits.h - every buffer size of the RunicOS link protocol (MCUmgr SMP
 * over serial), defined once. The host client learns the first of them from
 * the device (MCUmgr parameters, `buf_size`) and sizes its upload chunks so
 * that a request just fills it.
 */
#ifndef RUNICOS_LINK_LIMITS_H
#define RUNICOS_LINK_LIMITS_H

#include "cortex-m/serial_ring.h"

/* One decoded serial packet: the 2-byte length, the SMP message and the
 * 2-byte CRC. This is what smpclient calls the server's `buf_size`: it sends
 * messages of up to this minus 4 bytes. 2 KiB keeps an upload at 115200 baud
 * near the line rate while costing the kernel little RAM. */
#define RUNICOS_SMP_PACKET_BYTES 2048u

/* The length prefix and the CRC that share a packet with the message. */
#define RUNICOS_SMP_FRAMING_BYTES 4u

/* The largest SMP message (8-byte header and CBOR body), either direction. */
#define RUNICOS_SMP_MESSAGE_BYTES (RUNICOS_SMP_PACKET_BYTES - RUNICOS_SMP_FRAMING_BYTES)

/* The longest line the device writes, delimiter and newline included: what
 * Zephyr writes and every console-framing client accepts. */
#define RUNICOS_SMP_LINE_BYTES 127u

/* A whole packet on the wire, as a host writes it: base64 (4 characters for
 * 3 bytes) in lines of RUNICOS_SMP_LINE_BYTES, each spending 3 of them on
 * its delimiter and newline. */
#define RUNICOS_SMP_LINE_PACKET_BYTES ((RUNICOS_SMP_LINE_BYTES - 3u) / 4u * 3u)
#define RUNICOS_SMP_FRAME_WIRE_BYTES \
    ((RUNICOS_SMP_PACKET_BYTES + RUNICOS_SMP_LINE_PACKET_BYTES - 1u) / RUNICOS_SMP_LINE_PACKET_BYTES * RUNICOS_SMP_LINE_BYTES)

/* How many whole requests the device takes before it answers the first:
 * what the UART's receive ring holds while the link serves one (link.h).
 * This is the MCUmgr parameters' `buf_count`, the window of an upload that
 * streams its chunks. */
#define RUNICOS_SMP_BUFFER_COUNT (RUNE_SERIAL_RING_BYTES / RUNICOS_SMP_FRAME_WIRE_BYTES)
_Static_assert(RUNICOS_SMP_BUFFER_COUNT >= 1u, "the receive ring holds at least one whole frame");

/* How deeply CBOR containers may nest in a request before it is refused:
 * SMP requests are flat maps, so 8 leaves room for any sane extension. */
#define RUNICOS_CBOR_MAX_DEPTH 8u

#endif /* RUNICOS_LINK_LIMITS_H */
