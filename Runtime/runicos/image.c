/*
 * image.c - checking a container image before any of it is trusted (see
 * image.h). Every size is checked against what is known before it is used,
 * in 64-bit arithmetic so no sum wraps.
 */
#include "runicos/image.h"
#include "cortex-m/sha256.h"

static uint32_t load_u32(const uint8_t *from) {
    return (uint32_t)from[0] | (uint32_t)from[1] << 8 | (uint32_t)from[2] << 16 | (uint32_t)from[3] << 24;
}

void runicos_image_read_header(const uint8_t *image, runicos_image_header *header) {
    uint8_t *to = (uint8_t *)header;
    for (uint32_t i = 0; i < RUNICOS_IMAGE_HEADER_BYTES; i++) to[i] = image[i];
    /* Little-endian fields on a little-endian core: the copy is the decoding;
     * the explicit loads keep this right on a big-endian test host too. */
    header->magic = load_u32(image + 0);
    header->format_version = (uint16_t)(image[4] | image[5] << 8);
    header->header_bytes = (uint16_t)(image[6] | image[7] << 8);
    header->abi_version = load_u32(image + 8);
    header->image_bytes = load_u32(image + 12);
    uint32_t *fields = &header->load_address;
    for (uint32_t i = 0; i < 13; i++) fields[i] = load_u32(image + 32 + 4 * i);
}

static int fail(runicos_image_error *error, uint32_t offset, const char *message) {
    error->offset = offset;
    error->message = message;
    return -1;
}

/* [offset, offset + length) inside [0, limit). */
static bool inside(uint64_t offset, uint64_t length, uint64_t limit) { return offset <= limit && length <= limit - offset; }

static bool same_board(const char *field, const char *board) {
    uint32_t i = 0;
    for (; i < RUNICOS_IMAGE_BOARD_BYTES && board[i] != 0; i++) {
        if (field[i] != board[i]) return false;
    }
    if (board[i] != 0) return false;
    for (; i < RUNICOS_IMAGE_BOARD_BYTES; i++) {
        if (field[i] != 0) return false;
    }
    return true;
}

int runicos_image_check(const uint8_t *image, uint32_t available, const runicos_layout *layout, uint32_t slot,
                        runicos_image_error *error) {
    if (slot > 1) return fail(error, 0, "no such slot");
    if (available < RUNICOS_IMAGE_HEADER_BYTES + RUNICOS_IMAGE_TRAILER_BYTES) return fail(error, 0, "the image is shorter than its header");
    runicos_image_header header;
    runicos_image_read_header(image, &header);
    if (header.magic != RUNICOS_IMAGE_MAGIC) return fail(error, 0, "not a RunicOS image (bad magic)");
    if (header.format_version != RUNICOS_IMAGE_FORMAT_VERSION) return fail(error, 4, "unsupported image format version");
    if (header.header_bytes != RUNICOS_IMAGE_HEADER_BYTES) return fail(error, 6, "unexpected header size");
    if (header.abi_version != RUNICOS_ABI_VERSION) return fail(error, 8, "the image is for another RunicOS ABI version");
    if (!same_board(header.board, layout->board)) return fail(error, 16, "the image is for another board");
    const uint64_t total = header.image_bytes;
    if (total < RUNICOS_IMAGE_HEADER_BYTES + RUNICOS_IMAGE_TRAILER_BYTES || total > available || total > layout->slot_bytes - 32u /* the slot's activation record */)
        return fail(error, 12, "the image size does not fit what arrived or the slot");
    if (header.load_address != layout->slot_address[slot]) return fail(error, 32, "the image is linked for another slot");
    const uint64_t body = total - RUNICOS_IMAGE_TRAILER_BYTES;
    if (header.text_offset < RUNICOS_IMAGE_HEADER_BYTES || !inside(header.text_offset, header.text_bytes, body))
        return fail(error, 36, "the code lies outside the image");
    if (!inside(header.data_offset, header.data_bytes, body) || header.data_offset < RUNICOS_IMAGE_HEADER_BYTES)
        return fail(error, 44, "the initialised data lies outside the image");
    if (header.manifest_bytes < 4 || header.manifest_offset < RUNICOS_IMAGE_HEADER_BYTES ||
        !inside(header.manifest_offset, header.manifest_bytes, body))
        return fail(error, 64, "the manifest lies outside the image");
    if ((uint64_t)load_u32(image + header.manifest_offset) + 4 != header.manifest_bytes)
        return fail(error, header.manifest_offset, "the manifest's length prefix disagrees with the header");
    const uint64_t ram_start = (uint64_t)layout->ram_address + RUNICOS_CONTROL_BLOCK_BYTES;
    if (header.ram_address != ram_start) return fail(error, 52, "the image's RAM is linked for another address");
    const uint64_t ram_needed = (uint64_t)RUNICOS_CONTROL_BLOCK_BYTES + header.data_bytes + header.bss_bytes + header.stack_bytes;
    if ((header.data_bytes & 7) != 0 || ram_needed > layout->ram_bytes) return fail(error, 56, "the rune needs more RAM than the board gives a rune");
    if (header.stack_bytes < 1024) return fail(error, 60, "the rune's stack is too small");
    const uint64_t text_start = (uint64_t)header.load_address + header.text_offset;
    if (header.entry_address < text_start || !inside(header.entry_address - text_start, 4, header.text_bytes))
        return fail(error, 72, "the entry table lies outside the code");
    if ((header.flags & ~RUNICOS_IMAGE_FLAG_UNCHECKED_MEMORY) != 0) return fail(error, 80, "unknown image flags");
    for (uint32_t i = 0; i < sizeof header.reserved; i++) {
        if (header.reserved[i] != 0) return fail(error, 116, "reserved header bytes are not zero");
    }

    uint8_t digest[RUNE_SHA256_DIGEST_BYTES];
    rune_sha256 hash;
    rune_sha256_init(&hash);
    rune_sha256_update(&hash, image, (size_t)body);
    rune_sha256_final(&hash, digest);
    uint8_t difference = 0;
    for (uint32_t i = 0; i < RUNE_SHA256_DIGEST_BYTES; i++) difference |= (uint8_t)(digest[i] ^ image[body + i]);
    if (difference != 0) return fail(error, (uint32_t)body, "the image's SHA-256 does not match its contents");
    return 0;
}
