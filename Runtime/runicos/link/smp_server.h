/*
 * smp_server.h - the MCUmgr SMP server of RunicOS: one request message in,
 * at most one response message out.
 *
 * A message is an 8-byte header (op, flags, length, group, sequence,
 * command; big-endian) and a CBOR map. The response has op + 1 and the same
 * version, group, sequence and command. Served:
 *
 *   group 0 (OS)     0 echo {"d"} -> {"r"}; 5 reset (after the response);
 *                    6 MCUmgr parameters -> {"buf_size", "buf_count"}
 *   group 1 (image)  0 state (read) -> {"images": [...]} for each slot with a
 *                    valid image; 0 state (write) {"hash", "confirm"}:
 *                    confirms the running image or rolls back to the
 *                    other slot's, then the same list; 1 upload {"off", "data", "len", "sha",
 *                    "image", "upgrade"} -> {"rc": 0, "off": next}
 *   group 64 (rune)  0 info (read); 1 input {"index", "data"} -> {}
 *
 * Anything else gets {"rc": 8} (MGMT_ERR_ENOTSUP). Errors are SMP v1 return
 * codes, with a reason in "rsn" so a person reading a log can tell why.
 */
#ifndef RUNICOS_SMP_SERVER_H
#define RUNICOS_SMP_SERVER_H

#include "rune.h"
#include "runicos/link/link_limits.h"

#define RUNICOS_SMP_HEADER_BYTES 8u

#define RUNICOS_SMP_OP_READ 0u
#define RUNICOS_SMP_OP_READ_RSP 1u
#define RUNICOS_SMP_OP_WRITE 2u
#define RUNICOS_SMP_OP_WRITE_RSP 3u

#define RUNICOS_SMP_GROUP_OS 0u
#define RUNICOS_SMP_GROUP_IMAGE 1u
#define RUNICOS_SMP_GROUP_RUNE 64u

#define RUNICOS_SMP_OS_ECHO 0u
#define RUNICOS_SMP_OS_RESET 5u
#define RUNICOS_SMP_OS_PARAMETERS 6u
#define RUNICOS_SMP_IMAGE_STATE 0u
#define RUNICOS_SMP_IMAGE_UPLOAD 1u
#define RUNICOS_SMP_RUNE_INFO 0u
#define RUNICOS_SMP_RUNE_INPUT 1u

/* MCUmgr's general return codes (MGMT_ERR_*). */
#define RUNICOS_SMP_OK 0
#define RUNICOS_SMP_EUNKNOWN 1
#define RUNICOS_SMP_ENOMEM 2
#define RUNICOS_SMP_EINVAL 3
#define RUNICOS_SMP_ENOENT 5
#define RUNICOS_SMP_EBADSTATE 6
#define RUNICOS_SMP_EMSGSIZE 7
#define RUNICOS_SMP_ENOTSUP 8
#define RUNICOS_SMP_ECORRUPT 9
#define RUNICOS_SMP_UNSUPPORTED_TOO_NEW 13

/* The highest SMP header version served (1: SMP version 2). */
#define RUNICOS_SMP_VERSION 1u

typedef struct runicos_smp_header {
    uint8_t op;
    uint8_t version;
    uint8_t flags;
    uint16_t length;
    uint16_t group;
    uint8_t sequence;
    uint8_t command;
} runicos_smp_header;

/* Reads the header at the start of `message`; -1 if it is shorter than one. */
int runicos_smp_header_read(const uint8_t *message, uint32_t length, runicos_smp_header *header);
void runicos_smp_header_write(const runicos_smp_header *header, uint8_t out[RUNICOS_SMP_HEADER_BYTES]);

typedef struct runicos_smp_result {
    uint32_t response_bytes; /* 0: send nothing (the request was not one to answer) */
    bool reset;              /* reset the board once the response is out */
} runicos_smp_result;

/* Serves one request. `response` must hold RUNICOS_SMP_MESSAGE_BYTES. Uses
 * the kernel (kernel.h) for the slots, the status and the inputs. */
runicos_smp_result runicos_smp_handle(const uint8_t *request, uint32_t length, uint8_t *response);

#endif /* RUNICOS_SMP_SERVER_H */
