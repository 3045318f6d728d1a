/*
 * image.h - the RunicOS container image (`runec aot app.rune --board B -o
 * app.rimg`): one rune, translated for one board and linked at that board's
 * slot address, so the device copies and relocates nothing but its
 * initialised data.
 *
 *   offset 0                 header (runicos_image_header, 128 bytes)
 *   text_offset              code and read-only data, executed in place
 *   data_offset              initialised data, copied to ram_address
 *   manifest_offset          the rune's manifest blob (u32 length, then the
 *                            binary form of rune.h), as `_manifest()` returns it
 *   image_bytes - 32         SHA-256 of every byte before it
 *
 * All integers are little-endian. The writer is Sources/RuneCompiler/
 * RunicOS/ContainerImage.swift; a test keeps the two in step.
 */
#ifndef RUNICOS_IMAGE_H
#define RUNICOS_IMAGE_H

#include "rune.h"

#define RUNICOS_IMAGE_MAGIC 0x474D4952u /* "RIMG" */
#define RUNICOS_IMAGE_FORMAT_VERSION 1u
/* The rune-to-OS interface: the context layout (cortex-m/aot/aot_context.h),
 * the module descriptor version, and the gates behind its function pointers. */
#define RUNICOS_ABI_VERSION 1u
#define RUNICOS_IMAGE_HEADER_BYTES 128u
#define RUNICOS_IMAGE_TRAILER_BYTES 32u
#define RUNICOS_IMAGE_BOARD_BYTES 16u
/* The control block at the start of the rune's RAM region: the context the
 * translated code reads, its memory, table and thread records, the import
 * bindings and the argument cells of an entry call. The image's RAM starts
 * after it. */
#define RUNICOS_CONTROL_BLOCK_BYTES 1024u

typedef struct runicos_image_header {
    uint32_t magic;                          /* 0 */
    uint16_t format_version;                 /* 4 */
    uint16_t header_bytes;                   /* 6 */
    uint32_t abi_version;                    /* 8 */
    uint32_t image_bytes;                    /* 12: everything, trailer included */
    char board[RUNICOS_IMAGE_BOARD_BYTES];   /* 16: NUL-padded, "mps2-an500" */
    uint32_t load_address;                   /* 32: where byte 0 must lie */
    uint32_t text_offset;                    /* 36 */
    uint32_t text_bytes;                     /* 40 */
    uint32_t data_offset;                    /* 44 */
    uint32_t data_bytes;                     /* 48 */
    uint32_t ram_address;                    /* 52: .data goes here, .bss follows */
    uint32_t bss_bytes;                      /* 56 */
    uint32_t stack_bytes;                    /* 60: at the top of the RAM region */
    uint32_t manifest_offset;                /* 64 */
    uint32_t manifest_bytes;                 /* 68: length prefix included */
    uint32_t entry_address;                  /* 72: the runicos_image_entry (control.h), inside text */
    uint32_t memory_pages;                   /* 76: the linear memory's initial pages */
    uint32_t flags;                          /* 80: RUNICOS_IMAGE_FLAG_* */
    uint8_t rune_sha256[32];                 /* 84: SHA-256 of the original .rune */
    uint8_t reserved[12];                    /* 116: zero */
} runicos_image_header;

/* Memory accesses are not bounds-checked in code: only the MPU confines them
 * (runec aot --isolation mpu). */
#define RUNICOS_IMAGE_FLAG_UNCHECKED_MEMORY 0x1u

_Static_assert(sizeof(runicos_image_header) == RUNICOS_IMAGE_HEADER_BYTES, "header layout");

/* Where a board puts runes: what an image must agree with. */
typedef struct runicos_layout {
    const char *board;
    uint32_t slot_address[2]; /* slots A and B */
    uint32_t slot_bytes;      /* a power of two; each slot is aligned to it */
    uint32_t ram_address;     /* the rune's RAM region, a power of two aligned to it */
    uint32_t ram_bytes;
} runicos_layout;

typedef struct runicos_image_error {
    uint32_t offset;     /* the header field or byte the problem is at */
    const char *message; /* a sentence without a trailing period */
} runicos_image_error;

/*
 * Checks that the `available` bytes at `image` (which lie at slot `slot` of
 * `layout`) hold a whole image for this board and ABI whose sections lie
 * inside the image, the slot and the RAM region, and whose SHA-256 trailer
 * matches. Reads nothing past `available`; never trusts a size before
 * checking it. Returns 0, or -1 with `error` saying why.
 */
int runicos_image_check(const uint8_t *image, uint32_t available, const runicos_layout *layout, uint32_t slot,
                        runicos_image_error *error);

/* The header's fields, decoded (the image may be unaligned in a buffer). */
void runicos_image_read_header(const uint8_t *image, runicos_image_header *header);

#endif /* RUNICOS_IMAGE_H */
