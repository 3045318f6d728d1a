/*
 * link.h - the RunicOS link: MCUmgr SMP over the board's serial port, shared
 * with the console. The kernel calls runicos_link_poll between rune calls
 * and while idle, so a request waits at most one rune call; meanwhile the
 * board's UART interrupt keeps receiving into its ring (serial_ring.h),
 * which holds RUNICOS_SMP_BUFFER_COUNT whole frames: a host may send that
 * many requests before the first is answered, and the link reads the next
 * while the device serves one.
 */
#ifndef RUNICOS_LINK_H
#define RUNICOS_LINK_H

#include "rune.h"

/* Reads every byte the serial port has, serves each complete request and
 * writes its response; resets the board after a reset request's response. */
void runicos_link_poll(void);

#endif /* RUNICOS_LINK_H */
