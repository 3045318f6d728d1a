/*
 * link.h - the RunicOS link: MCUmgr SMP over the board's serial port, shared
 * with the console. The kernel calls runicos_link_poll between rune calls
 * and while idle; there are no interrupts, so a request waits at most one
 * rune call, and the board's receive FIFO (or QEMU's chardev) holds what
 * arrives meanwhile.
 */
#ifndef RUNICOS_LINK_H
#define RUNICOS_LINK_H

#include "rune.h"

/* Reads every byte the serial port has, serves each complete request and
 * writes its response; resets the board after a reset request's response. */
void runicos_link_poll(void);

#endif /* RUNICOS_LINK_H */
