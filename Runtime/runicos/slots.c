/*
 * slots.c - which of the two rune slots is active, and the upload that fills
 * the other one (see slots.h).
 *
 * Every byte the uploader sends is untrusted: offsets must be exactly the next
 * expected one, lengths are compared against what is left rather than summed,
 * and nothing is activated before the stored bytes (read back through `map`,
 * not the buffers they came from) hash to the announced SHA-256 and pass
 * runicos_image_check. The activation record is the last thing written; until
 * it is whole the previous slot stays active.
 *
 * Freestanding: no libc, no allocation, no recursion.
 */
#include "runicos/slots.h"
#include "cortex-m/sha256.h"

#define RECORD_CHECKED_BYTES 28u /* the record's bytes the CRC covers */

static uint32_t read_le32(const uint8_t *from) {
    return (uint32_t)from[0] | (uint32_t)from[1] << 8 | (uint32_t)from[2] << 16 | (uint32_t)from[3] << 24;
}

static void write_le32(uint8_t *to, uint32_t value) {
    to[0] = (uint8_t)value;
    to[1] = (uint8_t)(value >> 8);
    to[2] = (uint8_t)(value >> 16);
    to[3] = (uint8_t)(value >> 24);
}

/* CRC-32 (IEEE 802.3, reflected), bit by bit: 28 bytes per record, so a
 * table would cost more flash than the time it saves. */
static uint32_t record_crc32(const uint8_t *data, uint32_t length) {
    uint32_t crc = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < length; i++) {
        crc ^= data[i];
        for (uint32_t bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* Serial-number comparison: `a` is newer than `b` if it lies less than half
 * the sequence space ahead. Each record is the other slot's + 1, so the two
 * never drift further apart than that and the counter may wrap. */
static bool newer(uint32_t a, uint32_t b) { return a != b && (a - b) < 0x80000000u; }

static bool power_of_two(uint32_t value) { return value != 0 && (value & (value - 1)) == 0; }

/* Whether the storage and layout are ones this file can work with: a
 * malformed board table is refused rather than trusted. */
static bool usable(const runicos_slots *slots) {
    const runicos_storage *storage = slots->storage;
    const runicos_layout *layout = slots->layout;
    if (storage == NULL || layout == NULL) return false;
    if (storage->erase == NULL || storage->program == NULL || storage->map == NULL) return false;
    if (!power_of_two(storage->program_unit) || storage->program_unit > RUNICOS_SLOT_MAX_PROGRAM_UNIT) return false;
    /* A slot holds at least the smallest image and its record. */
    if (!power_of_two(layout->slot_bytes) ||
        layout->slot_bytes < RUNICOS_IMAGE_HEADER_BYTES + RUNICOS_IMAGE_TRAILER_BYTES + RUNICOS_SLOT_RECORD_BYTES)
        return false;
    /* Aligned to its power-of-two size, a slot cannot run past 2^32. */
    for (uint32_t slot = 0; slot < 2; slot++) {
        if ((layout->slot_address[slot] & (layout->slot_bytes - 1)) != 0) return false;
    }
    return layout->slot_address[0] != layout->slot_address[1];
}

static uint32_t record_address(const runicos_slots *slots, uint32_t slot) {
    return slots->layout->slot_address[slot] + slots->layout->slot_bytes - RUNICOS_SLOT_RECORD_BYTES;
}

static const uint8_t *map(const runicos_slots *slots, uint32_t address) {
    return slots->storage->map(slots->storage->state, address);
}

void runicos_slots_init(runicos_slots *slots, const runicos_storage *storage, const runicos_layout *layout) {
    slots->storage = storage;
    slots->layout = layout;
    slots->upload_slot = -1;
    slots->upload_bytes = 0;
    slots->upload_next = 0;
    for (uint32_t i = 0; i < sizeof slots->upload_sha256; i++) slots->upload_sha256[i] = 0;
    for (uint32_t i = 0; i < sizeof slots->pending; i++) slots->pending[i] = 0xFF;
    slots->pending_used = 0;
}

const uint8_t *runicos_slots_image(const runicos_slots *slots, uint32_t slot) {
    if (slot > 1 || !usable(slots)) return NULL;
    return map(slots, slots->layout->slot_address[slot]);
}

int runicos_slots_record(const runicos_slots *slots, uint32_t slot, runicos_slot_record *record) {
    if (slot > 1 || !usable(slots)) return -1;
    const uint8_t *bytes = map(slots, record_address(slots, slot));
    if (bytes == NULL) return -1;
    if (read_le32(bytes) != RUNICOS_SLOT_RECORD_MAGIC) return -1;
    if (read_le32(bytes + RECORD_CHECKED_BYTES) != record_crc32(bytes, RECORD_CHECKED_BYTES)) return -1;
    record->sequence = read_le32(bytes + 4);
    record->image_bytes = read_le32(bytes + 8);
    for (uint32_t i = 0; i < RUNICOS_SLOT_RECORD_SHA256_BYTES; i++) record->sha256[i] = bytes[12 + i];
    return 0;
}

/* The image a whole record points at is still the one that was verified:
 * checked again on every call, as flash can lose bits and a slot can be
 * half-erased by a power cut. */
static bool image_intact(const runicos_slots *slots, uint32_t slot, const runicos_slot_record *record) {
    const uint8_t *image = map(slots, slots->layout->slot_address[slot]);
    if (image == NULL) return false;
    runicos_image_error error;
    const uint32_t room = slots->layout->slot_bytes - RUNICOS_SLOT_RECORD_BYTES;
    if (runicos_image_check(image, room, slots->layout, slot, &error) != 0) return false;
    return read_le32(image + 12) == record->image_bytes;
}

int32_t runicos_slots_active(const runicos_slots *slots) {
    if (!usable(slots)) return -1;
    runicos_slot_record records[2];
    const bool whole[2] = {runicos_slots_record(slots, 0, &records[0]) == 0, runicos_slots_record(slots, 1, &records[1]) == 0};
    /* The newer record first; the older one only if the newer's image fails
     * (hashing an image costs milliseconds, so the usual case hashes one). */
    int32_t first = -1, second = -1;
    if (whole[0] && whole[1]) {
        first = newer(records[1].sequence, records[0].sequence) ? 1 : 0;
        second = 1 - first;
    } else if (whole[0]) {
        first = 0;
    } else if (whole[1]) {
        first = 1;
    }
    if (first >= 0 && image_intact(slots, (uint32_t)first, &records[first])) return first;
    if (second >= 0 && image_intact(slots, (uint32_t)second, &records[second])) return second;
    return -1;
}

static void end_session(runicos_slots *slots) {
    slots->upload_slot = -1;
    slots->upload_bytes = 0;
    slots->upload_next = 0;
    slots->pending_used = 0;
}

/* Programs and reads back: a write the storage reports as done but that did
 * not land (a worn flash word, a protected sector) is a failure too. */
static bool program_verified(const runicos_slots *slots, uint32_t address, const uint8_t *data, uint32_t length) {
    const runicos_storage *storage = slots->storage;
    if (storage->program(storage->state, address, data, length) != 0) return false;
    const uint8_t *stored = map(slots, address);
    if (stored == NULL) return false;
    uint8_t difference = 0;
    for (uint32_t i = 0; i < length; i++) difference |= (uint8_t)(stored[i] ^ data[i]);
    return difference == 0;
}

static bool erased(const uint8_t *bytes, uint32_t length) {
    uint8_t all = 0xFF;
    for (uint32_t i = 0; i < length; i++) all &= bytes[i];
    return all == 0xFF;
}

runicos_slot_status runicos_slots_upload_begin(runicos_slots *slots, uint32_t bytes, const uint8_t sha256[32], uint32_t *next) {
    if (next != NULL) *next = 0;
    if (slots == NULL || sha256 == NULL || next == NULL) return RUNICOS_SLOT_BAD_REQUEST;
    if (slots->upload_slot >= 0 && bytes == slots->upload_bytes) {
        uint8_t difference = 0;
        for (uint32_t i = 0; i < 32; i++) difference |= (uint8_t)(sha256[i] ^ slots->upload_sha256[i]);
        if (difference == 0) {
            *next = slots->upload_next;
            return RUNICOS_SLOT_OK;
        }
    }
    end_session(slots);
    if (!usable(slots)) return RUNICOS_SLOT_STORAGE_FAILED;
    const runicos_layout *layout = slots->layout;
    if (bytes < RUNICOS_IMAGE_HEADER_BYTES + RUNICOS_IMAGE_TRAILER_BYTES || bytes > layout->slot_bytes - RUNICOS_SLOT_RECORD_BYTES)
        return RUNICOS_SLOT_BAD_REQUEST;

    /* Never the active slot: with none active, A. */
    const uint32_t slot = runicos_slots_active(slots) == 0 ? 1u : 0u;
    const uint32_t address = layout->slot_address[slot];
    const runicos_storage *storage = slots->storage;
    if (storage->erase(storage->state, address, layout->slot_bytes) != 0) return RUNICOS_SLOT_STORAGE_FAILED;
    /* Programming assumes erased bytes (flash words take one write each). */
    const uint8_t *stored = map(slots, address);
    if (stored == NULL || !erased(stored, layout->slot_bytes)) return RUNICOS_SLOT_STORAGE_FAILED;

    slots->upload_slot = (int32_t)slot;
    slots->upload_bytes = bytes;
    for (uint32_t i = 0; i < 32; i++) slots->upload_sha256[i] = sha256[i];
    return RUNICOS_SLOT_OK;
}

runicos_slot_status runicos_slots_upload_write(runicos_slots *slots, uint32_t offset, const uint8_t *data, uint32_t length,
                                               uint32_t *next) {
    if (slots == NULL) return RUNICOS_SLOT_BAD_REQUEST;
    if (slots->upload_slot < 0) {
        if (next != NULL) *next = 0;
        return RUNICOS_SLOT_BAD_REQUEST;
    }
    if (next != NULL) *next = slots->upload_next;
    /* Out of order, repeated or overlapping chunks are refused, not merged:
     * the uploader resends from *next. The length is compared with what is
     * left, so no offset + length is ever formed that could wrap. */
    if (next == NULL || offset != slots->upload_next || length > slots->upload_bytes - slots->upload_next ||
        (data == NULL && length != 0))
        return RUNICOS_SLOT_BAD_REQUEST;

    const uint32_t unit = slots->storage->program_unit;
    const uint32_t base = slots->layout->slot_address[slots->upload_slot];
    uint32_t done = 0;
    while (done < length) {
        /* Below slot_bytes - 32, so base + position cannot wrap. */
        const uint32_t position = offset + done;
        if (slots->pending_used == 0 && length - done >= unit) {
            /* Whole units straight from the chunk. */
            const uint32_t whole = (length - done) & ~(unit - 1);
            if (!program_verified(slots, base + position, data + done, whole)) {
                end_session(slots);
                return RUNICOS_SLOT_STORAGE_FAILED;
            }
            done += whole;
            continue;
        }
        slots->pending[slots->pending_used++] = data[done++];
        if (slots->pending_used == unit) {
            if (!program_verified(slots, base + position + 1 - unit, slots->pending, unit)) {
                end_session(slots);
                return RUNICOS_SLOT_STORAGE_FAILED;
            }
            slots->pending_used = 0;
        }
    }
    slots->upload_next = offset + length;
    *next = slots->upload_next;
    return RUNICOS_SLOT_OK;
}

/* Whether the stored bytes of the upload hash to what was announced. */
static bool hash_matches(const uint8_t *stored, uint32_t length, const uint8_t expected[32]) {
    uint8_t digest[RUNE_SHA256_DIGEST_BYTES];
    rune_sha256 hash;
    rune_sha256_init(&hash);
    rune_sha256_update(&hash, stored, length);
    rune_sha256_final(&hash, digest);
    uint8_t difference = 0;
    for (uint32_t i = 0; i < RUNE_SHA256_DIGEST_BYTES; i++) difference |= (uint8_t)(digest[i] ^ expected[i]);
    return difference == 0;
}

static runicos_slot_status image_refused(runicos_image_error *error, uint32_t offset, const char *message) {
    error->offset = offset;
    error->message = message;
    return RUNICOS_SLOT_INVALID_IMAGE;
}

runicos_slot_status runicos_slots_upload_finish(runicos_slots *slots, runicos_image_error *error) {
    runicos_image_error ignored;
    if (error == NULL) error = &ignored;
    if (slots == NULL || slots->upload_slot < 0) return RUNICOS_SLOT_BAD_REQUEST;
    /* The session ends here whatever happens next: a failed finish is
     * retried with a new upload_begin, which erases the slot again. */
    const uint32_t slot = (uint32_t)slots->upload_slot;
    const uint32_t bytes = slots->upload_bytes;
    const bool complete = slots->upload_next == bytes;
    uint8_t announced[32];
    for (uint32_t i = 0; i < 32; i++) announced[i] = slots->upload_sha256[i];
    uint8_t tail[RUNICOS_SLOT_MAX_PROGRAM_UNIT];
    const uint32_t unit = slots->storage->program_unit;
    const uint32_t tail_used = slots->pending_used;
    for (uint32_t i = 0; i < unit; i++) tail[i] = i < tail_used ? slots->pending[i] : 0xFF;
    end_session(slots);
    if (!complete) return RUNICOS_SLOT_BAD_REQUEST;

    const runicos_layout *layout = slots->layout;
    const uint32_t base = layout->slot_address[slot];
    /* The last partial unit, padded with 0xFF; it ends at or before the
     * record, since slot_bytes - 32 is a multiple of the unit. */
    if (tail_used != 0 && !program_verified(slots, base + bytes - tail_used, tail, unit)) return RUNICOS_SLOT_STORAGE_FAILED;

    const uint8_t *image = map(slots, base);
    if (image == NULL) return RUNICOS_SLOT_STORAGE_FAILED;
    if (!hash_matches(image, bytes, announced)) return RUNICOS_SLOT_HASH_MISMATCH;
    if (runicos_image_check(image, bytes, layout, slot, error) != 0) return RUNICOS_SLOT_INVALID_IMAGE;
    /* Trailing bytes after the image would not be covered by its trailer. */
    if (read_le32(image + 12) != bytes) return image_refused(error, 12, "the image is shorter than what was uploaded");

    /* The slot being filled has no record (begin erased it), so the active
     * slot, if any, is the other one. */
    runicos_slot_record previous;
    const int32_t active = runicos_slots_active(slots);
    uint32_t sequence = 1;
    if (active >= 0 && runicos_slots_record(slots, (uint32_t)active, &previous) == 0) sequence = previous.sequence + 1;

    uint8_t record[RUNICOS_SLOT_RECORD_BYTES];
    write_le32(record, RUNICOS_SLOT_RECORD_MAGIC);
    write_le32(record + 4, sequence);
    write_le32(record + 8, bytes);
    for (uint32_t i = 0; i < RUNICOS_SLOT_RECORD_SHA256_BYTES; i++) record[12 + i] = announced[i];
    write_le32(record + RECORD_CHECKED_BYTES, record_crc32(record, RECORD_CHECKED_BYTES));
    const uint32_t at = record_address(slots, slot);
    if (!program_verified(slots, at, record, RUNICOS_SLOT_RECORD_BYTES) || runicos_slots_active(slots) != (int32_t)slot) {
        /* A write reported as failed may still have landed whole: take the
         * record back so a slot whose activation failed never boots. If
         * even that fails, the record (if whole) covers a verified image. */
        const runicos_storage *storage = slots->storage;
        (void)storage->erase(storage->state, at, RUNICOS_SLOT_RECORD_BYTES);
        return RUNICOS_SLOT_STORAGE_FAILED;
    }
    return RUNICOS_SLOT_OK;
}

runicos_slot_status runicos_slots_revoke(runicos_slots *slots, uint32_t slot) {
    if (!usable(slots) || slot > 1) return RUNICOS_SLOT_BAD_REQUEST;
    if (slots->upload_slot == (int32_t)slot) end_session(slots);
    /* Erasing the slot takes its record with it; on flash nothing smaller
     * than a sector can be erased. */
    const runicos_storage *storage = slots->storage;
    return storage->erase(storage->state, slots->layout->slot_address[slot], slots->layout->slot_bytes) == 0 ? RUNICOS_SLOT_OK
                                                                                                           : RUNICOS_SLOT_STORAGE_FAILED;
}
