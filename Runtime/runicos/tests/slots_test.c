/*
 * Checks runicos/slots.c on the host: which slot is active, and that every
 * way an upload can go wrong (stopped at any byte, a power cut or a failing
 * write at any step, a bad hash, an image for another board or slot, a torn
 * activation record, chunks out of order or too long) leaves the previous
 * slot active. The storage is a buffer that behaves like erased flash and can
 * fail, or lose power during, its Nth operation.
 */
#include <stdio.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#include "cortex-m/sha256.c"
#include "runicos/image.c"
#include "runicos/slots.c"
#include "runicos/storage_ram.c"

#define SLOT_BYTES 4096u
#define BASE 0x10000000u
#define RAM_ADDRESS 0x20000000u
#define RAM_BYTES 0x10000u
#define LARGEST (SLOT_BYTES - RUNICOS_SLOT_RECORD_BYTES)

static const runicos_layout layout = {
    .board = "mps2-an500",
    .slot_address = {BASE, BASE + SLOT_BYTES},
    .slot_bytes = SLOT_BYTES,
    .ram_address = RAM_ADDRESS,
    .ram_bytes = RAM_BYTES,
};

static int failures = 0;

#define CHECK(condition)                                                        \
    do {                                                                        \
        if (!(condition)) {                                                     \
            printf("%s:%d: %s: failed: %s\n", __FILE__, __LINE__, scenario, #condition); \
            failures++;                                                         \
        }                                                                       \
    } while (0)

static const char *scenario = "";

/* ---- A storage that behaves like erased flash and fails on request. ---- */

typedef enum failure_kind {
    FAIL_REPORTED, /* the operation says -1; the firmware carries on */
    FAIL_POWER_CUT, /* the operation never returns: nothing after it happens */
    FAIL_SILENT,    /* the operation says 0, but one byte (at `landed`) came out wrong */
} failure_kind;

typedef struct test_storage {
    uint8_t bytes[2 * SLOT_BYTES];
    uint32_t operations; /* erase and program calls so far */
    uint32_t fail_at;    /* the 1-based operation that fails; 0: none */
    uint32_t landed;     /* bytes of the failing operation that still land */
    failure_kind kind;
    bool dead;           /* the power is off */
    uint32_t misuse;     /* calls outside the slots, misaligned, or programming unerased units */
    uint32_t unit;
} test_storage;

static bool inside_slots(uint32_t address, uint32_t length) {
    return address >= BASE && length <= 2 * SLOT_BYTES && address - BASE <= 2 * SLOT_BYTES - length;
}

/* Whether this operation fails, and if so how much of it lands. */
static bool failing(test_storage *storage, uint32_t *lands, uint32_t length) {
    if (storage->dead) {
        *lands = 0;
        return true;
    }
    storage->operations++;
    if (storage->fail_at == 0 || storage->operations != storage->fail_at) return false;
    *lands = storage->landed < length ? storage->landed : length;
    if (storage->kind == FAIL_POWER_CUT) storage->dead = true;
    return true;
}

static int test_erase(void *state, uint32_t address, uint32_t length) {
    test_storage *storage = state;
    if (!inside_slots(address, length)) {
        storage->misuse++;
        return -1;
    }
    uint32_t lands = length;
    const bool fails = failing(storage, &lands, length);
    if (fails && storage->kind == FAIL_SILENT) {
        for (uint32_t i = 0; i < length; i++) storage->bytes[address - BASE + i] = 0xFF;
        storage->bytes[address - BASE + storage->landed % length] = 0x00; /* a cell that would not erase */
        return 0;
    }
    /* From the top down, as slots.h promises. */
    for (uint32_t i = 0; i < lands; i++) storage->bytes[address - BASE + length - 1 - i] = 0xFF;
    return fails ? -1 : 0;
}

static int test_program(void *state, uint32_t address, const uint8_t *data, uint32_t length) {
    test_storage *storage = state;
    if (!inside_slots(address, length) || address % storage->unit != 0 || length % storage->unit != 0) {
        storage->misuse++;
        return -1;
    }
    uint8_t *to = storage->bytes + (address - BASE);
    for (uint32_t i = 0; i < length; i++) {
        if (to[i] != 0xFF) {
            storage->misuse++; /* flash takes one write per erase */
            return -1;
        }
    }
    uint32_t lands = length;
    const bool fails = failing(storage, &lands, length);
    if (fails && storage->kind == FAIL_SILENT) {
        for (uint32_t i = 0; i < length; i++) to[i] = data[i];
        to[storage->landed % length] ^= 0x01;
        return 0;
    }
    for (uint32_t i = 0; i < lands; i++) to[i] = data[i];
    return fails ? -1 : 0;
}

static const uint8_t *test_map(void *state, uint32_t address) {
    test_storage *storage = state;
    if (address < BASE || address - BASE >= 2 * SLOT_BYTES) return NULL;
    return storage->bytes + (address - BASE);
}

static test_storage storage;
static runicos_storage device;

static void reset_storage(uint32_t unit) {
    memset(&storage, 0, sizeof storage);
    memset(storage.bytes, 0xFF, sizeof storage.bytes);
    storage.unit = unit;
    device = (runicos_storage){.erase = test_erase, .program = test_program, .map = test_map, .program_unit = unit, .state = &storage};
}

/* After a power cut: the device boots again with what storage holds. */
static void reboot(runicos_slots *slots) {
    storage.dead = false;
    storage.fail_at = 0;
    runicos_slots_init(slots, &device, &layout);
}

/* ---- Images. ---- */

#define MANIFEST_BYTES 24u
#define DATA_BYTES 16u

static void put_u32(uint8_t *to, uint32_t value) {
    for (int i = 0; i < 4; i++) to[i] = (uint8_t)(value >> (8 * i));
}

static void sha256(const uint8_t *data, uint32_t length, uint8_t digest[32]) {
    rune_sha256 hash;
    rune_sha256_init(&hash);
    rune_sha256_update(&hash, data, length);
    rune_sha256_final(&hash, digest);
}

/* Recomputes the trailer after a field changed. */
static void seal(uint8_t *image, uint32_t length) { sha256(image, length - 32, image + length - 32); }

/* A valid image of `length` bytes linked for slot `slot`; `seed` makes each
 * one different. */
static uint32_t build_image(uint8_t *image, uint32_t length, uint32_t slot, uint8_t seed) {
    const uint32_t text_bytes = length - RUNICOS_IMAGE_HEADER_BYTES - DATA_BYTES - 4 - MANIFEST_BYTES - RUNICOS_IMAGE_TRAILER_BYTES;
    memset(image, 0, length);
    const uint32_t text_offset = RUNICOS_IMAGE_HEADER_BYTES;
    const uint32_t data_offset = text_offset + text_bytes;
    const uint32_t manifest_offset = data_offset + DATA_BYTES;
    put_u32(image + 0, RUNICOS_IMAGE_MAGIC);
    image[4] = RUNICOS_IMAGE_FORMAT_VERSION;
    image[6] = RUNICOS_IMAGE_HEADER_BYTES;
    put_u32(image + 8, RUNICOS_ABI_VERSION);
    put_u32(image + 12, length);
    memcpy(image + 16, "mps2-an500", 10);
    put_u32(image + 32, layout.slot_address[slot]);
    put_u32(image + 36, text_offset);
    put_u32(image + 40, text_bytes);
    put_u32(image + 44, data_offset);
    put_u32(image + 48, DATA_BYTES);
    put_u32(image + 52, RAM_ADDRESS + RUNICOS_CONTROL_BLOCK_BYTES);
    put_u32(image + 56, 64);   /* bss */
    put_u32(image + 60, 1024); /* stack */
    put_u32(image + 64, manifest_offset);
    put_u32(image + 68, 4 + MANIFEST_BYTES);
    put_u32(image + 72, layout.slot_address[slot] + text_offset); /* the descriptor starts the code */
    put_u32(image + 76, 1);
    for (uint32_t i = 0; i < 32; i++) image[84 + i] = (uint8_t)(seed + i);
    for (uint32_t i = 0; i < text_bytes; i++) image[text_offset + i] = (uint8_t)(seed * 31 + i * 7);
    for (uint32_t i = 0; i < DATA_BYTES; i++) image[data_offset + i] = (uint8_t)(seed ^ i);
    put_u32(image + manifest_offset, MANIFEST_BYTES);
    memcpy(image + manifest_offset + 4, "RUNE", 4);
    seal(image, length);
    return length;
}

/* Uploads in chunks of `chunk` bytes; the first status that is not OK, or
 * finish's. */
static runicos_slot_status upload(runicos_slots *slots, const uint8_t *image, uint32_t length, uint32_t chunk,
                                  runicos_image_error *error) {
    uint8_t digest[32];
    sha256(image, length, digest);
    uint32_t next = 0xDEADBEEFu;
    runicos_slot_status status = runicos_slots_upload_begin(slots, length, digest, &next);
    if (status != RUNICOS_SLOT_OK) return status;
    if (next != 0) return RUNICOS_SLOT_BAD_REQUEST;
    for (uint32_t offset = 0; offset < length;) {
        const uint32_t size = length - offset < chunk ? length - offset : chunk;
        status = runicos_slots_upload_write(slots, offset, image + offset, size, &next);
        if (status != RUNICOS_SLOT_OK) return status;
        offset += size;
        if (next != offset) return RUNICOS_SLOT_BAD_REQUEST;
    }
    return runicos_slots_upload_finish(slots, error);
}

static bool slot_holds(uint32_t slot, const uint8_t *image, uint32_t length) {
    return memcmp(storage.bytes + slot * SLOT_BYTES, image, length) == 0;
}

static uint32_t sequence_of(const runicos_slots *slots, uint32_t slot) {
    runicos_slot_record record;
    if (runicos_slots_record(slots, slot, &record) != 0) return 0xDEADu;
    return record.sequence;
}

static uint8_t image_a[SLOT_BYTES], image_b[SLOT_BYTES], image_c[SLOT_BYTES];
static uint8_t saved_a[SLOT_BYTES];

/* Storage with image_a (700 bytes) active in slot A, sequence 1. */
static void with_a_active(runicos_slots *slots, uint32_t unit) {
    reset_storage(unit);
    runicos_slots_init(slots, &device, &layout);
    build_image(image_a, 700, 0, 1);
    runicos_image_error error;
    runicos_slot_status status = upload(slots, image_a, 700, 64, &error);
    CHECK(status == RUNICOS_SLOT_OK);
    CHECK(runicos_slots_active(slots) == 0);
    memcpy(saved_a, storage.bytes, SLOT_BYTES);
    storage.operations = 0;
}

/* Slot A exactly as with_a_active left it, and still the active one after
 * a reboot. */
static void check_a_survives(runicos_slots *slots) {
    reboot(slots);
    CHECK(runicos_slots_active(slots) == 0);
    CHECK(memcmp(storage.bytes, saved_a, SLOT_BYTES) == 0);
}

/* ---- Scenarios. ---- */

static void fresh_boot(uint32_t unit) {
    scenario = "fresh boot";
    runicos_slots slots;
    reset_storage(unit);
    runicos_slots_init(&slots, &device, &layout);
    CHECK(runicos_slots_active(&slots) == -1);
    runicos_slot_record record;
    CHECK(runicos_slots_record(&slots, 0, &record) == -1);
    CHECK(runicos_slots_record(&slots, 1, &record) == -1);
    CHECK(runicos_slots_record(&slots, 2, &record) == -1);
    CHECK(runicos_slots_image(&slots, 2) == NULL);
    memset(storage.bytes, 0, sizeof storage.bytes);
    CHECK(runicos_slots_active(&slots) == -1);
    runicos_image_error error;
    CHECK(runicos_slots_upload_finish(&slots, &error) == RUNICOS_SLOT_BAD_REQUEST);
    uint32_t next = 7;
    CHECK(runicos_slots_upload_write(&slots, 0, image_a, 4, &next) == RUNICOS_SLOT_BAD_REQUEST && next == 0);
}

static void uploads_alternate(uint32_t unit) {
    scenario = "uploads alternate between the slots";
    runicos_slots slots;
    with_a_active(&slots, unit);
    CHECK(sequence_of(&slots, 0) == 1);
    CHECK(runicos_slots_image(&slots, 0) == storage.bytes);
    CHECK(slot_holds(0, image_a, 700));
    runicos_slot_record record;
    CHECK(runicos_slots_record(&slots, 0, &record) == 0 && record.image_bytes == 700);
    uint8_t digest[32];
    sha256(image_a, 700, digest);
    CHECK(memcmp(record.sha256, digest, RUNICOS_SLOT_RECORD_SHA256_BYTES) == 0);

    runicos_image_error error;
    build_image(image_b, 1000, 1, 2);
    CHECK(upload(&slots, image_b, 1000, 100, &error) == RUNICOS_SLOT_OK);
    CHECK(runicos_slots_active(&slots) == 1);
    CHECK(sequence_of(&slots, 1) == 2);
    CHECK(slot_holds(1, image_b, 1000));
    CHECK(memcmp(storage.bytes, saved_a, SLOT_BYTES) == 0); /* the old slot untouched */

    build_image(image_c, LARGEST, 0, 3); /* the largest image a slot takes */
    CHECK(upload(&slots, image_c, LARGEST, 333, &error) == RUNICOS_SLOT_OK);
    CHECK(runicos_slots_active(&slots) == 0);
    CHECK(sequence_of(&slots, 0) == 3);
    reboot(&slots);
    CHECK(runicos_slots_active(&slots) == 0);
    CHECK(storage.misuse == 0);
}

/* Stopped after every byte, then the power goes: the old slot is active at
 * the next boot, and the new session is gone. */
static void stopped_anywhere(uint32_t unit) {
    scenario = "upload stopped at every offset";
    runicos_slots slots;
    build_image(image_b, 777, 1, 2);
    uint8_t digest[32];
    sha256(image_b, 777, digest);
    for (uint32_t stop = 0; stop <= 777; stop++) {
        with_a_active(&slots, unit);
        uint32_t next;
        CHECK(runicos_slots_upload_begin(&slots, 777, digest, &next) == RUNICOS_SLOT_OK);
        for (uint32_t offset = 0; offset < stop;) {
            const uint32_t size = stop - offset < 13 ? stop - offset : 13;
            CHECK(runicos_slots_upload_write(&slots, offset, image_b + offset, size, &next) == RUNICOS_SLOT_OK);
            offset += size;
        }
        runicos_image_error error;
        runicos_slots early = slots;
        if (stop < 777) CHECK(runicos_slots_upload_finish(&early, &error) == RUNICOS_SLOT_BAD_REQUEST);
        CHECK(runicos_slots_active(&early) == 0);
        check_a_survives(&slots);
        CHECK(runicos_slots_upload_finish(&slots, &error) == RUNICOS_SLOT_BAD_REQUEST);
        CHECK(runicos_slots_upload_write(&slots, stop, image_b + stop, 1, &next) == RUNICOS_SLOT_BAD_REQUEST);
        if (failures > 20) return;
    }
    CHECK(storage.misuse == 0);
}

static void bad_hash(uint32_t unit) {
    scenario = "bad hash";
    runicos_slots slots;
    with_a_active(&slots, unit);
    build_image(image_b, 900, 1, 2);
    uint8_t digest[32];
    sha256(image_b, 900, digest);
    digest[31] ^= 1;
    uint32_t next;
    CHECK(runicos_slots_upload_begin(&slots, 900, digest, &next) == RUNICOS_SLOT_OK);
    CHECK(runicos_slots_upload_write(&slots, 0, image_b, 900, &next) == RUNICOS_SLOT_OK && next == 900);
    runicos_image_error error;
    CHECK(runicos_slots_upload_finish(&slots, &error) == RUNICOS_SLOT_HASH_MISMATCH);
    CHECK(runicos_slots_active(&slots) == 0);
    CHECK(runicos_slots_upload_finish(&slots, &error) == RUNICOS_SLOT_BAD_REQUEST); /* the session ended */
    check_a_survives(&slots);

    /* The hash is of what was stored: a chunk changed on the way fails too. */
    with_a_active(&slots, unit);
    sha256(image_b, 900, digest);
    CHECK(runicos_slots_upload_begin(&slots, 900, digest, &next) == RUNICOS_SLOT_OK);
    image_b[500] ^= 0x40;
    CHECK(runicos_slots_upload_write(&slots, 0, image_b, 900, &next) == RUNICOS_SLOT_OK);
    image_b[500] ^= 0x40;
    CHECK(runicos_slots_upload_finish(&slots, &error) == RUNICOS_SLOT_HASH_MISMATCH);
    check_a_survives(&slots);
}

/* An image whose hash matches what was announced, but which
 * runicos_image_check (or the length check) refuses. */
static void refused_image(uint32_t unit, const char *what, void (*spoil)(uint8_t *image, uint32_t length), uint32_t offset) {
    scenario = what;
    runicos_slots slots;
    with_a_active(&slots, unit);
    build_image(image_b, 800, 1, 2);
    spoil(image_b, 800);
    runicos_image_error error = {0, NULL};
    CHECK(upload(&slots, image_b, 800, 50, &error) == RUNICOS_SLOT_INVALID_IMAGE);
    CHECK(error.offset == offset && error.message != NULL);
    CHECK(runicos_slots_active(&slots) == 0);
    check_a_survives(&slots);
}

static void spoil_board(uint8_t *image, uint32_t length) {
    memcpy(image + 16, "portenta-h7", 11);
    seal(image, length);
}
static void spoil_abi(uint8_t *image, uint32_t length) {
    put_u32(image + 8, RUNICOS_ABI_VERSION + 1);
    seal(image, length);
}
static void spoil_slot(uint8_t *image, uint32_t length) { build_image(image, length, 0, 2); } /* linked for A, lands in B */
static void spoil_trailer(uint8_t *image, uint32_t length) { image[length - 1] ^= 1; }
static void spoil_length(uint8_t *image, uint32_t length) {
    /* A whole image of 760 bytes, then 40 bytes more that no trailer covers. */
    build_image(image, length - 40, 1, 2);
    memset(image + length - 40, 0xA5, 40);
}

/* Every erase or program of an upload fails in turn, in every way storage
 * can fail; the old slot stays active and untouched, and the firmware
 * either reports the failure or (after a power cut) boots the old slot. */
static void storage_failures(uint32_t unit) {
    runicos_slots slots;
    build_image(image_b, 650, 1, 2);
    with_a_active(&slots, unit);
    runicos_image_error error;
    CHECK(upload(&slots, image_b, 650, 100, &error) == RUNICOS_SLOT_OK);
    const uint32_t operations = storage.operations;
    CHECK(operations >= 4);
    static const char *names[] = {"failure reported", "power cut", "write lost silently"};
    const uint32_t landed[] = {0, 5, 16, 31};
    for (uint32_t kind = FAIL_REPORTED; kind <= FAIL_SILENT; kind++) {
        scenario = names[kind];
        for (uint32_t l = 0; l < sizeof landed / sizeof landed[0]; l++) {
            for (uint32_t at = 1; at <= operations; at++) {
                with_a_active(&slots, unit);
                storage.fail_at = at;
                storage.kind = (failure_kind)kind;
                storage.landed = landed[l];
                const runicos_slot_status status = upload(&slots, image_b, 650, 100, &error);
                if (kind == FAIL_POWER_CUT) {
                    check_a_survives(&slots);
                    continue;
                }
                CHECK(status == RUNICOS_SLOT_STORAGE_FAILED);
                CHECK(runicos_slots_active(&slots) == 0);
                check_a_survives(&slots);
                /* The next attempt, with storage working again, succeeds. */
                CHECK(upload(&slots, image_b, 650, 100, &error) == RUNICOS_SLOT_OK);
                CHECK(runicos_slots_active(&slots) == 1 && sequence_of(&slots, 1) == 2);
                if (failures > 20) return;
            }
        }
    }
    CHECK(storage.misuse == 0);
}

/* The record write is the upload's last operation: cut it after any byte. */
static void torn_record(uint32_t unit) {
    scenario = "torn activation record";
    runicos_slots slots;
    build_image(image_b, 650, 1, 2);
    runicos_image_error error;
    with_a_active(&slots, unit);
    CHECK(upload(&slots, image_b, 650, 650, &error) == RUNICOS_SLOT_OK);
    const uint32_t last = storage.operations;
    for (uint32_t landed = 0; landed < RUNICOS_SLOT_RECORD_BYTES; landed++) {
        with_a_active(&slots, unit);
        storage.fail_at = last;
        storage.kind = FAIL_POWER_CUT;
        storage.landed = landed;
        CHECK(upload(&slots, image_b, 650, 650, &error) == RUNICOS_SLOT_STORAGE_FAILED);
        check_a_survives(&slots);
    }
    /* Whole on storage but reported as failed: taken back, never activated. */
    with_a_active(&slots, unit);
    storage.fail_at = last;
    storage.kind = FAIL_REPORTED;
    storage.landed = RUNICOS_SLOT_RECORD_BYTES;
    CHECK(upload(&slots, image_b, 650, 650, &error) == RUNICOS_SLOT_STORAGE_FAILED);
    CHECK(runicos_slots_active(&slots) == 0);
    check_a_survives(&slots);
    /* Whole, then the power went before the write returned: the image was
     * verified before its record was written, so booting it is right. */
    with_a_active(&slots, unit);
    storage.fail_at = last;
    storage.kind = FAIL_POWER_CUT;
    storage.landed = RUNICOS_SLOT_RECORD_BYTES;
    upload(&slots, image_b, 650, 650, &error);
    reboot(&slots);
    CHECK(runicos_slots_active(&slots) == 1);
    /* Any one bit of a record flipped: not a record. */
    for (uint32_t bit = 0; bit < 8 * RUNICOS_SLOT_RECORD_BYTES; bit++) {
        with_a_active(&slots, unit);
        CHECK(upload(&slots, image_b, 650, 650, &error) == RUNICOS_SLOT_OK);
        storage.bytes[2 * SLOT_BYTES - RUNICOS_SLOT_RECORD_BYTES + bit / 8] ^= (uint8_t)(1u << (bit % 8));
        CHECK(runicos_slots_active(&slots) == 0);
    }
}

static void resume(uint32_t unit) {
    scenario = "resume";
    runicos_slots slots;
    with_a_active(&slots, unit);
    build_image(image_b, 1234, 1, 2);
    uint8_t digest[32];
    sha256(image_b, 1234, digest);
    uint32_t next;
    CHECK(runicos_slots_upload_begin(&slots, 1234, digest, &next) == RUNICOS_SLOT_OK && next == 0);
    CHECK(runicos_slots_upload_write(&slots, 0, image_b, 517, &next) == RUNICOS_SLOT_OK && next == 517);
    /* Same length and hash: carries on where it was. */
    const uint32_t erases_before = storage.operations;
    CHECK(runicos_slots_upload_begin(&slots, 1234, digest, &next) == RUNICOS_SLOT_OK && next == 517);
    CHECK(storage.operations == erases_before); /* nothing erased */
    CHECK(runicos_slots_upload_write(&slots, 517, image_b + 517, 1234 - 517, &next) == RUNICOS_SLOT_OK && next == 1234);
    runicos_image_error error;
    CHECK(runicos_slots_upload_finish(&slots, &error) == RUNICOS_SLOT_OK);
    CHECK(runicos_slots_active(&slots) == 1);

    /* Another hash (or length) starts over, erasing what was sent. */
    with_a_active(&slots, unit);
    CHECK(runicos_slots_upload_begin(&slots, 1234, digest, &next) == RUNICOS_SLOT_OK);
    CHECK(runicos_slots_upload_write(&slots, 0, image_b, 600, &next) == RUNICOS_SLOT_OK);
    uint8_t other[32];
    memcpy(other, digest, 32);
    other[0] ^= 0x80;
    CHECK(runicos_slots_upload_begin(&slots, 1234, other, &next) == RUNICOS_SLOT_OK && next == 0);
    bool blank = true;
    for (uint32_t i = 0; i < SLOT_BYTES; i++) blank = blank && storage.bytes[SLOT_BYTES + i] == 0xFF;
    CHECK(blank);
    CHECK(runicos_slots_upload_write(&slots, 600, image_b + 600, 10, &next) == RUNICOS_SLOT_BAD_REQUEST && next == 0);
    CHECK(runicos_slots_upload_begin(&slots, 1233, digest, &next) == RUNICOS_SLOT_OK && next == 0);
    CHECK(upload(&slots, image_b, 1234, 99, &error) == RUNICOS_SLOT_OK);
    CHECK(runicos_slots_active(&slots) == 1);
    CHECK(storage.misuse == 0);
}

static void hostile_chunks(uint32_t unit) {
    scenario = "hostile chunks";
    runicos_slots slots;
    with_a_active(&slots, unit);
    build_image(image_b, 1000, 1, 2);
    uint8_t digest[32];
    sha256(image_b, 1000, digest);
    uint32_t next;
    CHECK(runicos_slots_upload_begin(&slots, LARGEST + 1, digest, &next) == RUNICOS_SLOT_BAD_REQUEST);
    CHECK(runicos_slots_upload_begin(&slots, 0xFFFFFFFFu, digest, &next) == RUNICOS_SLOT_BAD_REQUEST);
    CHECK(runicos_slots_upload_begin(&slots, RUNICOS_IMAGE_HEADER_BYTES + RUNICOS_IMAGE_TRAILER_BYTES - 1, digest, &next) ==
          RUNICOS_SLOT_BAD_REQUEST);
    CHECK(runicos_slots_upload_begin(&slots, 1000, NULL, &next) == RUNICOS_SLOT_BAD_REQUEST);
    CHECK(runicos_slots_upload_begin(&slots, 1000, digest, NULL) == RUNICOS_SLOT_BAD_REQUEST);
    CHECK(runicos_slots_upload_begin(&slots, 1000, digest, &next) == RUNICOS_SLOT_OK);
    CHECK(runicos_slots_upload_write(&slots, 0, image_b, 100, &next) == RUNICOS_SLOT_OK && next == 100);
    /* Ahead, behind, overlapping, too long, wrapping: refused with where to go on. */
    CHECK(runicos_slots_upload_write(&slots, 200, image_b + 200, 10, &next) == RUNICOS_SLOT_BAD_REQUEST && next == 100);
    CHECK(runicos_slots_upload_write(&slots, 0, image_b, 100, &next) == RUNICOS_SLOT_BAD_REQUEST && next == 100);
    CHECK(runicos_slots_upload_write(&slots, 50, image_b + 50, 100, &next) == RUNICOS_SLOT_BAD_REQUEST && next == 100);
    CHECK(runicos_slots_upload_write(&slots, 99, image_b + 99, 2, &next) == RUNICOS_SLOT_BAD_REQUEST && next == 100);
    CHECK(runicos_slots_upload_write(&slots, 100, image_b + 100, 901, &next) == RUNICOS_SLOT_BAD_REQUEST && next == 100);
    CHECK(runicos_slots_upload_write(&slots, 100, image_b + 100, 0xFFFFFFFFu, &next) == RUNICOS_SLOT_BAD_REQUEST && next == 100);
    CHECK(runicos_slots_upload_write(&slots, 0xFFFFFFF0u, image_b, 0x20, &next) == RUNICOS_SLOT_BAD_REQUEST && next == 100);
    CHECK(runicos_slots_upload_write(&slots, 100, NULL, 10, &next) == RUNICOS_SLOT_BAD_REQUEST && next == 100);
    CHECK(runicos_slots_upload_write(&slots, 100, image_b + 100, 10, NULL) == RUNICOS_SLOT_BAD_REQUEST);
    /* None of that spoiled the session. */
    CHECK(runicos_slots_upload_write(&slots, 100, image_b + 100, 0, &next) == RUNICOS_SLOT_OK && next == 100);
    CHECK(runicos_slots_upload_write(&slots, 100, image_b + 100, 900, &next) == RUNICOS_SLOT_OK && next == 1000);
    CHECK(runicos_slots_upload_write(&slots, 1000, image_b, 1, &next) == RUNICOS_SLOT_BAD_REQUEST && next == 1000);
    runicos_image_error error;
    CHECK(runicos_slots_upload_finish(&slots, &error) == RUNICOS_SLOT_OK);
    CHECK(runicos_slots_active(&slots) == 1);
    CHECK(storage.misuse == 0);

    /* A layout slots.c cannot trust is refused, not used. */
    scenario = "bad layouts";
    runicos_layout odd = layout;
    odd.slot_bytes = 3000;
    runicos_slots bad;
    runicos_slots_init(&bad, &device, &odd);
    CHECK(runicos_slots_active(&bad) == -1);
    CHECK(runicos_slots_upload_begin(&bad, 1000, digest, &next) == RUNICOS_SLOT_STORAGE_FAILED);
    odd = layout;
    odd.slot_address[1] = BASE + 100;
    runicos_slots_init(&bad, &device, &odd);
    CHECK(runicos_slots_upload_begin(&bad, 1000, digest, &next) == RUNICOS_SLOT_STORAGE_FAILED);
    runicos_storage wide = device;
    wide.program_unit = 64;
    runicos_slots_init(&bad, &wide, &layout);
    CHECK(runicos_slots_upload_begin(&bad, 1000, digest, &next) == RUNICOS_SLOT_STORAGE_FAILED);
}

/* Writes a record by hand, as a long-lived device would have it. */
static void plant_record(uint32_t slot, uint32_t sequence, uint32_t image_bytes) {
    uint8_t *record = storage.bytes + slot * SLOT_BYTES + SLOT_BYTES - RUNICOS_SLOT_RECORD_BYTES;
    put_u32(record, RUNICOS_SLOT_RECORD_MAGIC);
    put_u32(record + 4, sequence);
    put_u32(record + 8, image_bytes);
    memset(record + 12, 0x11, 16);
    put_u32(record + 28, record_crc32(record, 28));
}

static void sequence_wraps(uint32_t unit) {
    scenario = "sequence wraps";
    runicos_slots slots;
    with_a_active(&slots, unit);
    plant_record(0, 0xFFFFFFFFu, 700);
    CHECK(runicos_slots_active(&slots) == 0);
    build_image(image_b, 700, 1, 2);
    runicos_image_error error;
    CHECK(upload(&slots, image_b, 700, 70, &error) == RUNICOS_SLOT_OK);
    CHECK(sequence_of(&slots, 1) == 0);
    CHECK(runicos_slots_active(&slots) == 1);
    CHECK(upload(&slots, image_a, 700, 70, &error) == RUNICOS_SLOT_OK);
    CHECK(sequence_of(&slots, 0) == 1);
    CHECK(runicos_slots_active(&slots) == 0);

    /* A newer record whose image has rotted: the older slot runs. */
    scenario = "newer image damaged";
    CHECK(upload(&slots, image_b, 700, 70, &error) == RUNICOS_SLOT_OK);
    CHECK(runicos_slots_active(&slots) == 1);
    storage.bytes[SLOT_BYTES + 300] ^= 4;
    CHECK(runicos_slots_active(&slots) == 0);
    storage.bytes[300] ^= 4;
    CHECK(runicos_slots_active(&slots) == -1);
    /* And the record must describe the image it sits under. */
    storage.bytes[300] ^= 4;
    plant_record(0, 50, 701);
    CHECK(runicos_slots_active(&slots) == -1);
    plant_record(0, 50, 700);
    CHECK(runicos_slots_active(&slots) == 0);
    /* With nothing active the next upload goes to A; its record (1) is
     * older than B's stale one, but B's image fails, so A runs. */
    storage.bytes[SLOT_BYTES + 300] ^= 4; /* repair B */
    plant_record(1, 90, 700);
    storage.bytes[SLOT_BYTES + 300] ^= 4;
    memset(storage.bytes, 0xFF, SLOT_BYTES);
    CHECK(runicos_slots_active(&slots) == -1);
    CHECK(upload(&slots, image_a, 700, 70, &error) == RUNICOS_SLOT_OK);
    CHECK(sequence_of(&slots, 0) == 1);
    CHECK(runicos_slots_active(&slots) == 0);
}

/* runicos_ram_storage works on real addresses; on Linux x86-64 a mapping
 * below 4 GB lets the host run it. */
static void ram_storage(void) {
    scenario = "RAM storage";
#if defined(__linux__) && defined(MAP_32BIT)
    uint8_t *memory = mmap(NULL, 2 * SLOT_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (memory == MAP_FAILED) {
        printf("RAM storage: no memory below 4 GB, not run\n");
        return;
    }
    const uint32_t base = (uint32_t)(uintptr_t)memory;
    CHECK(base % SLOT_BYTES == 0); /* a page, and slots are one page */
    runicos_layout ram = layout;
    ram.slot_address[0] = base;
    ram.slot_address[1] = base + SLOT_BYTES;
    memset(memory, 0, 2 * SLOT_BYTES);
    runicos_slots slots;
    runicos_slots_init(&slots, &runicos_ram_storage, &ram);
    CHECK(runicos_slots_active(&slots) == -1);
    /* An image linked for slot A at its real address. */
    uint8_t image[900];
    build_image(image, 900, 0, 5);
    put_u32(image + 32, base);
    put_u32(image + 72, base + RUNICOS_IMAGE_HEADER_BYTES);
    seal(image, 900);
    runicos_image_error error;
    CHECK(upload(&slots, image, 900, 128, &error) == RUNICOS_SLOT_OK);
    CHECK(runicos_slots_active(&slots) == 0);
    CHECK(memcmp(memory, image, 900) == 0);
    CHECK(runicos_slots_image(&slots, 0) == memory);
    munmap(memory, 2 * SLOT_BYTES);
#else
    printf("RAM storage: not run on this host\n");
#endif
}

/* The image checker reads hostile bytes: seeded mutations (bytes flipped,
 * header fields set to edge values, lengths cut), each resealed half of the
 * time so the field checks are reached past the hash. It must never read
 * past what it is given, and whatever it accepts must keep every section
 * inside the image (ASan/UBSan builds catch the rest). */
static void image_checker_fuzz(void) {
    static uint8_t original[1024], image[1024];
    build_image(original, 900, 1, 5);
    runicos_image_error error;
    CHECK(runicos_image_check(original, 900, &layout, 1, &error) == 0);
    static const uint32_t edges[] = {0, 1, 4, 31, 32, 127, 128, 899, 900, 901, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFE0u, 0xFFFFFFFFu};
    uint64_t state = 0x5EED5EEDu;
    uint32_t accepted = 0;
    for (uint32_t round = 0; round < 100000; round++) {
        memcpy(image, original, sizeof image);
        uint32_t length = 900;
        const uint32_t mutations = 1 + (uint32_t)(state % 3);
        for (uint32_t m = 0; m < mutations; m++) {
            state = state * 6364136223846793005u + 1442695040888963407u;
            const uint32_t choice = (uint32_t)(state >> 33);
            switch (choice % 4) {
            case 0: image[choice / 4 % 900] ^= (uint8_t)(1u << (choice % 8)); break;
            case 1: put_u32(image + 4 * (choice / 4 % (RUNICOS_IMAGE_HEADER_BYTES / 4)), edges[(choice / 512) % (sizeof edges / sizeof edges[0])]); break;
            case 2: length = choice / 4 % 901; break;
            default: put_u32(image + 32 + 4 * (choice / 4 % 13), (choice >> 8) & 0xFFFFu); break;
            }
        }
        if (state & (1u << 20)) seal(image, 900);
        if (runicos_image_check(image, length, &layout, 1, &error) != 0) {
            CHECK(error.message != NULL && error.message[0] != 0);
            continue;
        }
        accepted++;
        runicos_image_header header;
        runicos_image_read_header(image, &header);
        CHECK(header.image_bytes <= length && (uint64_t)header.text_offset + header.text_bytes <= header.image_bytes &&
                  (uint64_t)header.data_offset + header.data_bytes <= header.image_bytes &&
                  (uint64_t)header.manifest_offset + header.manifest_bytes <= header.image_bytes);
    }
    CHECK(accepted > 0 && accepted < 100000); /* both verdicts reached */
}

int main(void) {
    image_checker_fuzz();
    static const uint32_t units[] = {4, 32, 1};
    for (uint32_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        const uint32_t unit = units[u];
        fresh_boot(unit);
        uploads_alternate(unit);
        stopped_anywhere(unit);
        bad_hash(unit);
        refused_image(unit, "image for another board", spoil_board, 16);
        refused_image(unit, "image for another ABI", spoil_abi, 8);
        refused_image(unit, "image linked for the other slot", spoil_slot, 32);
        refused_image(unit, "image with a wrong trailer", spoil_trailer, 800 - 32);
        refused_image(unit, "image shorter than the upload", spoil_length, 12);
        storage_failures(unit);
        torn_record(unit);
        resume(unit);
        hostile_chunks(unit);
        sequence_wraps(unit);
        if (failures) printf("(program unit %u)\n", unit);
    }
    ram_storage();
    printf("%s\n", failures ? "FAILED" : "slots ok");
    return failures != 0;
}
