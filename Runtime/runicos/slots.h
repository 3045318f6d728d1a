/*
 * slots.h - the two rune slots, A and B, and the upload that fills one.
 *
 * A new image is written to the inactive slot, verified (the SHA-256 the
 * uploader announced, then runicos_image_check), and only then activated by
 * writing an activation record with a higher sequence number than the
 * active slot's. Until that record is complete the previous rune stays the
 * active one: an upload that stops halfway, a bad hash, a power cut or a
 * failed write leaves it running. The record sits in the last
 * RUNICOS_SLOT_RECORD_BYTES of its slot, so erasing a slot for an upload
 * also revokes it.
 *
 * The storage underneath is RAM (mps2-an500) or flash (portenta-h7, with the
 * STM32H7 driver in stm32h7_flash.c); slots.c knows neither, only the
 * runicos_storage operations, so its logic is tested on the host.
 */
#ifndef RUNICOS_SLOTS_H
#define RUNICOS_SLOTS_H

#include "runicos/image.h"

#define RUNICOS_SLOT_RECORD_BYTES 32u

/*
 * The activation record, little-endian, at slot_address + slot_bytes - 32:
 *
 *   0   magic        RUNICOS_SLOT_RECORD_MAGIC
 *   4   sequence     the active slot's + 1 when written (wraps; compared
 *                    with serial-number arithmetic)
 *   8   image_bytes  the length uploaded, which is the header's image_bytes
 *   12  sha256       the first 16 bytes of the image's announced SHA-256
 *   28  check        CRC-32 (IEEE) of bytes 0..27
 *
 * Erased storage (0xFF) has the wrong magic, so it is "no record"; a record
 * cut short by a power failure or a failed write fails the CRC.
 */
#define RUNICOS_SLOT_RECORD_MAGIC 0x544F4C53u /* "SLOT" */
#define RUNICOS_SLOT_RECORD_SHA256_BYTES 16u
/* pending[] holds one program unit: storages with bigger units are refused. */
#define RUNICOS_SLOT_MAX_PROGRAM_UNIT 32u

typedef struct runicos_storage {
    /* Makes [address, address + length) ready to program: flash erases every
     * sector it touches, RAM fills with 0xFF. Both go from the highest
     * address down, so erasing a slot takes its activation record first.
     * 0, or -1 on failure. */
    int (*erase)(void *state, uint32_t address, uint32_t length);
    /* Writes `length` bytes to erased storage at `address`; both are
     * multiples of program_unit. 0, or -1 on failure. */
    int (*program)(void *state, uint32_t address, const uint8_t *data, uint32_t length);
    /* Where the bytes at device address `address` can be read (on a board:
     * the address itself; in host tests, a buffer). A slot is contiguous
     * there: slots.c maps its start and reads the whole slot from it. */
    const uint8_t *(*map)(void *state, uint32_t address);
    uint32_t program_unit; /* 32 for STM32H7 flash words, 4 for RAM */
    void *state;
} runicos_storage;

typedef struct runicos_slots {
    const runicos_storage *storage;
    const runicos_layout *layout;
    /* The upload in progress (one at a time). */
    int32_t upload_slot;          /* -1: none */
    uint32_t upload_bytes;        /* announced length */
    uint32_t upload_next;         /* next offset expected; bytes below it are written */
    uint8_t upload_sha256[32];    /* announced SHA-256 of the whole image */
    uint8_t pending[RUNICOS_SLOT_MAX_PROGRAM_UNIT]; /* bytes held until a whole program unit is there */
    uint32_t pending_used;
} runicos_slots;

typedef enum runicos_slot_status {
    RUNICOS_SLOT_OK = 0,
    RUNICOS_SLOT_BAD_REQUEST = 1,    /* offset not the next expected, length too big, no session */
    RUNICOS_SLOT_STORAGE_FAILED = 2, /* erase or program reported failure, or read-back differs */
    RUNICOS_SLOT_HASH_MISMATCH = 3,  /* what arrived is not what was announced */
    RUNICOS_SLOT_INVALID_IMAGE = 4,  /* runicos_image_check refused it */
} runicos_slot_status;

void runicos_slots_init(runicos_slots *slots, const runicos_storage *storage, const runicos_layout *layout);

/* The active slot (0 = A, 1 = B): the one whose activation record is whole
 * with the highest sequence and whose image passes runicos_image_check; -1
 * if neither. Verified again on every call (a SHA-256 over the image, a few
 * milliseconds for a large one on the M7): callers that ask often, such as a
 * status request, should keep the answer until the slots change. */
int32_t runicos_slots_active(const runicos_slots *slots);

/* The image in slot `slot`, where it can be read (NULL for no such slot). */
const uint8_t *runicos_slots_image(const runicos_slots *slots, uint32_t slot);

typedef struct runicos_slot_record {
    uint32_t sequence;
    uint32_t image_bytes;
    uint8_t sha256[RUNICOS_SLOT_RECORD_SHA256_BYTES];
} runicos_slot_record;

/* Slot `slot`'s activation record, decoded: 0 if it is whole, else -1 (none,
 * erased or torn). Says nothing about the image; runicos_slots_active does. */
int runicos_slots_record(const runicos_slots *slots, uint32_t slot, runicos_slot_record *record);

/*
 * Starts (or resumes) an upload of `bytes` bytes whose SHA-256 is `sha256`
 * into the inactive slot. The same length and hash as the session in
 * progress resume it: `*next` is then the offset to send next; otherwise the
 * slot is erased and `*next` is 0.
 */
runicos_slot_status runicos_slots_upload_begin(runicos_slots *slots, uint32_t bytes, const uint8_t sha256[32], uint32_t *next);

/* Writes a chunk at `offset`, which must be the next expected one; `*next`
 * is then where the following chunk starts. */
runicos_slot_status runicos_slots_upload_write(runicos_slots *slots, uint32_t offset, const uint8_t *data, uint32_t length,
                                               uint32_t *next);

/* After the last chunk: checks the hash and the image, then activates the
 * slot. On any failure the session ends and the previous slot stays active;
 * `error` says why for RUNICOS_SLOT_INVALID_IMAGE. */
runicos_slot_status runicos_slots_upload_finish(runicos_slots *slots, runicos_image_error *error);

/* Takes slot `slot` out of service by erasing it (its activation record
 * with it), so the other slot becomes the active one again: the kernel does
 * this to a newly activated rune it cannot load. */
runicos_slot_status runicos_slots_revoke(runicos_slots *slots, uint32_t slot);

/* RAM storage: erase fills with 0xFF, program copies (mps2-an500). */
extern const runicos_storage runicos_ram_storage;

#endif /* RUNICOS_SLOTS_H */
