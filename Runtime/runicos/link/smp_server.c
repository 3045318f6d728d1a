/*
 * smp_server.c - the SMP command handlers (smp_server.h). Each handler reads
 * its request map into a table of expected fields, so unknown keys are
 * skipped in one place and a duplicate or mistyped field is refused in one
 * place; it then writes its response map or returns an rc with a reason.
 */
#include "runicos/link/smp_server.h"
#include "runicos/link/cbor.h"
#include "runicos/kernel.h"
#include "cortex-m/sha256.h"

int runicos_smp_header_read(const uint8_t *message, uint32_t length, runicos_smp_header *header) {
    if (length < RUNICOS_SMP_HEADER_BYTES) return -1;
    header->op = message[0] & 7u;
    header->version = message[0] >> 3 & 3u;
    header->flags = message[1];
    header->length = (uint16_t)(message[2] << 8 | message[3]);
    header->group = (uint16_t)(message[4] << 8 | message[5]);
    header->sequence = message[6];
    header->command = message[7];
    return 0;
}

void runicos_smp_header_write(const runicos_smp_header *header, uint8_t out[RUNICOS_SMP_HEADER_BYTES]) {
    out[0] = (uint8_t)((header->version & 3u) << 3 | (header->op & 7u));
    out[1] = header->flags;
    out[2] = (uint8_t)(header->length >> 8);
    out[3] = (uint8_t)header->length;
    out[4] = (uint8_t)(header->group >> 8);
    out[5] = (uint8_t)header->group;
    out[6] = header->sequence;
    out[7] = header->command;
}

typedef struct smp_request {
    runicos_cbor_reader body;
    runicos_cbor_writer out;
    const char *reason; /* why the handler refused, for "rsn" */
    bool reset;
} smp_request;

static int smp_refuse(smp_request *r, int rc, const char *reason) {
    r->reason = reason;
    return rc;
}

typedef enum smp_field_kind { FIELD_UINT, FIELD_BYTES, FIELD_TEXT, FIELD_BOOL } smp_field_kind;

typedef struct smp_field {
    const char *name;
    smp_field_kind kind;
    bool present;
    uint64_t number;
    bool flag;
    const uint8_t *data;
    uint32_t length;
} smp_field;

/* Reads the request map into `fields`; other keys are skipped. An empty body
 * counts as an empty map (some clients send no map with a read). */
static int smp_read_fields(smp_request *r, smp_field *fields, uint32_t count) {
    runicos_cbor_reader *reader = &r->body;
    if (reader->length == 0) return 0;
    runicos_cbor_map map;
    if (runicos_cbor_map_begin(reader, &map) != 0) return smp_refuse(r, RUNICOS_SMP_EINVAL, "the request body is not a CBOR map");
    for (;;) {
        const uint8_t *key;
        uint32_t key_length;
        const int next = runicos_cbor_map_key(reader, &map, &key, &key_length);
        if (next < 0) return smp_refuse(r, RUNICOS_SMP_EINVAL, "malformed CBOR in the request");
        if (next == 0) break;
        smp_field *wanted = 0;
        for (uint32_t i = 0; i < count; i++) {
            if (runicos_cbor_key_is(key, key_length, fields[i].name)) wanted = &fields[i];
        }
        if (wanted == 0) {
            if (runicos_cbor_skip(reader) != 0) return smp_refuse(r, RUNICOS_SMP_EINVAL, "malformed CBOR in the request");
            continue;
        }
        if (wanted->present) return smp_refuse(r, RUNICOS_SMP_EINVAL, "a request field appears twice");
        wanted->present = true;
        int read;
        switch (wanted->kind) {
        case FIELD_UINT: read = runicos_cbor_read_uint(reader, &wanted->number); break;
        case FIELD_BYTES: read = runicos_cbor_read_bytes(reader, &wanted->data, &wanted->length); break;
        case FIELD_TEXT: read = runicos_cbor_read_text(reader, &wanted->data, &wanted->length); break;
        default: read = runicos_cbor_read_bool(reader, &wanted->flag); break;
        }
        if (read != 0) return smp_refuse(r, RUNICOS_SMP_EINVAL, "a request field has the wrong type or is malformed");
    }
    if (reader->offset != reader->length) return smp_refuse(r, RUNICOS_SMP_EINVAL, "bytes follow the request map");
    return 0;
}

/* ---- group 0: OS ---- */

static int os_echo(smp_request *r) {
    smp_field fields[] = {{.name = "d", .kind = FIELD_TEXT}};
    const int rc = smp_read_fields(r, fields, 1);
    if (rc != 0) return rc;
    if (!fields[0].present) return smp_refuse(r, RUNICOS_SMP_EINVAL, "echo needs \"d\"");
    runicos_cbor_put_map(&r->out, 1);
    runicos_cbor_put_text(&r->out, "r");
    runicos_cbor_put_text_n(&r->out, fields[0].data, fields[0].length);
    return 0;
}

static int os_reset(smp_request *r) {
    const int rc = smp_read_fields(r, 0, 0); /* "force" and the like change nothing here */
    if (rc != 0) return rc;
    runicos_cbor_put_map(&r->out, 0);
    r->reset = true;
    return 0;
}

static int os_parameters(smp_request *r) {
    const int rc = smp_read_fields(r, 0, 0);
    if (rc != 0) return rc;
    runicos_cbor_put_map(&r->out, 2);
    runicos_cbor_put_text(&r->out, "buf_size");
    runicos_cbor_put_uint(&r->out, RUNICOS_SMP_PACKET_BYTES);
    runicos_cbor_put_text(&r->out, "buf_count");
    runicos_cbor_put_uint(&r->out, RUNICOS_SMP_BUFFER_COUNT);
    return 0;
}

/* ---- group 1: images ---- */

/* Whether slot `slot` holds a valid image, and then the SHA-256 of all its
 * bytes: what an uploader announced as "sha" for it. */
static bool slot_image_hash(const runicos_slots *slots, uint32_t slot, uint8_t hash[32]) {
    const runicos_layout *layout = slots->layout;
    const uint8_t *image = runicos_slots_image(slots, slot);
    runicos_image_error error;
    if (image == 0 || runicos_image_check(image, layout->slot_bytes, layout, slot, &error) != 0) return false;
    runicos_image_header header;
    runicos_image_read_header(image, &header);
    rune_sha256 sha;
    rune_sha256_init(&sha);
    rune_sha256_update(&sha, image, header.image_bytes);
    rune_sha256_final(&sha, hash);
    return true;
}

/* The images list of a state read or write: every slot holding a valid image. */
static void put_image_list(smp_request *r) {
    const runicos_slots *slots = runicos_kernel_slots();
    const int32_t active = runicos_slots_active(slots);
    uint8_t hashes[2][32];
    bool valid[2];
    uint32_t listed = 0;
    for (uint32_t slot = 0; slot < 2; slot++) {
        valid[slot] = slot_image_hash(slots, slot, hashes[slot]);
        listed += valid[slot];
    }
    runicos_cbor_put_map(&r->out, 1);
    runicos_cbor_put_text(&r->out, "images");
    runicos_cbor_put_array(&r->out, listed);
    for (uint32_t slot = 0; slot < 2; slot++) {
        if (!valid[slot]) continue;
        const bool is_active = (int32_t)slot == active;
        runicos_cbor_put_map(&r->out, 9);
        runicos_cbor_put_text(&r->out, "image");
        runicos_cbor_put_uint(&r->out, 0); /* one application image, in two slots */
        runicos_cbor_put_text(&r->out, "slot");
        runicos_cbor_put_uint(&r->out, slot);
        /* MCUmgr requires a version; a RunicOS image carries none. */
        runicos_cbor_put_text(&r->out, "version");
        runicos_cbor_put_text(&r->out, "0.0.0");
        runicos_cbor_put_text(&r->out, "hash");
        runicos_cbor_put_bytes(&r->out, hashes[slot], 32);
        runicos_cbor_put_text(&r->out, "bootable");
        runicos_cbor_put_bool(&r->out, true);
        /* Activation is immediate and final (slots.h): nothing is ever pending
         * a test boot, and the active image is the confirmed one. */
        runicos_cbor_put_text(&r->out, "pending");
        runicos_cbor_put_bool(&r->out, false);
        runicos_cbor_put_text(&r->out, "confirmed");
        runicos_cbor_put_bool(&r->out, is_active);
        runicos_cbor_put_text(&r->out, "active");
        runicos_cbor_put_bool(&r->out, is_active);
        runicos_cbor_put_text(&r->out, "permanent");
        runicos_cbor_put_bool(&r->out, false);
    }
}

static int image_state(smp_request *r) {
    const int rc = smp_read_fields(r, 0, 0);
    if (rc != 0) return rc;
    put_image_list(r);
    return 0;
}

/*
 * State write {"hash", "confirm"}: MCUmgr's way to choose the image that
 * runs. Confirming the running image (no hash, or its hash) changes nothing:
 * RunicOS's active image is always the confirmed one. Confirming the other
 * slot's image rolls back to it, if that slot holds a verified image that
 * was active before (it has an activation record). Records are written once
 * per upload and flash cannot rewrite one in place, so the slot being left
 * is revoked (erased, its record first): the older record wins again, and a
 * power cut at any point leaves one of the two images active. Test boots
 * ("confirm" false for another image) do not exist here, since activation
 * is final.
 */
enum { STATE_HASH, STATE_CONFIRM, STATE_FIELDS };

static int image_state_write(smp_request *r) {
    smp_field f[STATE_FIELDS] = {[STATE_HASH] = {.name = "hash", .kind = FIELD_BYTES},
                                 [STATE_CONFIRM] = {.name = "confirm", .kind = FIELD_BOOL}};
    const int rc = smp_read_fields(r, f, STATE_FIELDS);
    if (rc != 0) return rc;
    const bool confirm = f[STATE_CONFIRM].present && f[STATE_CONFIRM].flag;
    runicos_slots *slots = runicos_kernel_slots();
    const int32_t active = runicos_slots_active(slots);
    if (!f[STATE_HASH].present) {
        if (!confirm) return smp_refuse(r, RUNICOS_SMP_EINVAL, "a state write needs \"hash\", or \"confirm\": true for the running image");
        if (active < 0) return smp_refuse(r, RUNICOS_SMP_ENOENT, "no image is running to confirm");
        put_image_list(r);
        return 0;
    }
    if (f[STATE_HASH].length != RUNE_SHA256_DIGEST_BYTES) return smp_refuse(r, RUNICOS_SMP_EINVAL, "\"hash\" is an image's 32-byte SHA-256");
    int32_t chosen = -1;
    for (uint32_t slot = 0; slot < 2 && chosen < 0; slot++) {
        uint8_t hash[32];
        if (!slot_image_hash(slots, slot, hash)) continue;
        bool same = true;
        for (uint32_t i = 0; i < 32; i++) same = same && hash[i] == f[STATE_HASH].data[i];
        if (same) chosen = (int32_t)slot;
    }
    if (chosen < 0) return smp_refuse(r, RUNICOS_SMP_ENOENT, "no slot holds a verified image with that hash");
    if (chosen != active) {
        if (!confirm) return smp_refuse(r, RUNICOS_SMP_ENOTSUP, "RunicOS has no test boots: activating another image is final, so confirm it");
        runicos_slot_record record;
        if (active < 0 || runicos_slots_record(slots, (uint32_t)chosen, &record) != 0)
            return smp_refuse(r, RUNICOS_SMP_ENOENT, "that image was never active, so there is nothing to roll back to");
        if (slots->upload_slot >= 0) return smp_refuse(r, RUNICOS_SMP_EBADSTATE, "an upload is in progress");
        if (runicos_kernel_leave_active() != 0) return smp_refuse(r, RUNICOS_SMP_EUNKNOWN, "erasing the running slot failed");
        if (runicos_slots_active(slots) != chosen) return smp_refuse(r, RUNICOS_SMP_EUNKNOWN, "the other slot did not become active");
    }
    put_image_list(r);
    return 0;
}

static int slot_refusal(smp_request *r, runicos_slot_status status, const runicos_image_error *error) {
    switch (status) {
    case RUNICOS_SLOT_BAD_REQUEST:
        return smp_refuse(r, RUNICOS_SMP_EINVAL, "the chunk does not fit the upload (offset, length or slot size)");
    case RUNICOS_SLOT_STORAGE_FAILED:
        return smp_refuse(r, RUNICOS_SMP_EUNKNOWN, "writing the slot failed");
    case RUNICOS_SLOT_HASH_MISMATCH:
        return smp_refuse(r, RUNICOS_SMP_ECORRUPT, "the uploaded bytes do not have the announced SHA-256");
    default:
        return smp_refuse(r, RUNICOS_SMP_EINVAL, error != 0 && error->message != 0 ? error->message : "the image is not valid");
    }
}

static void upload_progress(smp_request *r, uint32_t next) {
    runicos_cbor_put_map(&r->out, 2);
    runicos_cbor_put_text(&r->out, "rc");
    runicos_cbor_put_uint(&r->out, 0);
    runicos_cbor_put_text(&r->out, "off");
    runicos_cbor_put_uint(&r->out, next);
}

enum { UP_OFF, UP_DATA, UP_LEN, UP_SHA, UP_IMAGE, UP_UPGRADE, UP_FIELDS };

static int image_upload(smp_request *r) {
    smp_field f[UP_FIELDS] = {
        [UP_OFF] = {.name = "off", .kind = FIELD_UINT},     [UP_DATA] = {.name = "data", .kind = FIELD_BYTES},
        [UP_LEN] = {.name = "len", .kind = FIELD_UINT},     [UP_SHA] = {.name = "sha", .kind = FIELD_BYTES},
        [UP_IMAGE] = {.name = "image", .kind = FIELD_UINT}, [UP_UPGRADE] = {.name = "upgrade", .kind = FIELD_BOOL},
    };
    const int rc = smp_read_fields(r, f, UP_FIELDS);
    if (rc != 0) return rc;
    if (!f[UP_OFF].present || !f[UP_DATA].present) return smp_refuse(r, RUNICOS_SMP_EINVAL, "an upload chunk needs \"off\" and \"data\"");
    if (f[UP_OFF].number > 0xFFFFFFFFu) return smp_refuse(r, RUNICOS_SMP_EINVAL, "\"off\" is past any slot");
    runicos_slots *slots = runicos_kernel_slots();
    const uint32_t off = (uint32_t)f[UP_OFF].number;
    uint32_t next = 0;
    if (off == 0) {
        /* The first chunk opens (or, with the same sha and len, resumes) a session. */
        if (!f[UP_LEN].present || f[UP_LEN].number == 0 || f[UP_LEN].number > 0xFFFFFFFFu)
            return smp_refuse(r, RUNICOS_SMP_EINVAL, "the first chunk needs the image length \"len\"");
        /* The spec allows leaving sha out at the price of verification and
         * resumption; RunicOS verifies every upload by it, so it is required,
         * and only as the full SHA-256 the spec defines. */
        if (!f[UP_SHA].present || f[UP_SHA].length != RUNE_SHA256_DIGEST_BYTES)
            return smp_refuse(r, RUNICOS_SMP_EINVAL, "the first chunk needs the image's full 32-byte SHA-256 \"sha\"");
        if (f[UP_IMAGE].present && f[UP_IMAGE].number != 0) return smp_refuse(r, RUNICOS_SMP_EINVAL, "there is only image 0");
        /* "upgrade" asks the device to refuse a version that is not newer; images carry no version to compare. */
        if (f[UP_UPGRADE].present && f[UP_UPGRADE].flag)
            return smp_refuse(r, RUNICOS_SMP_ENOTSUP, "RunicOS images carry no version, so upgrade-only uploads cannot be checked");
        runicos_slot_status status = runicos_slots_upload_begin(slots, (uint32_t)f[UP_LEN].number, f[UP_SHA].data, &next);
        if (status != RUNICOS_SLOT_OK) return slot_refusal(r, status, 0);
        if (next != 0) {
            /* Resumed: this chunk's bytes are already there. */
            upload_progress(r, next);
            return 0;
        }
    } else {
        if (slots->upload_slot < 0) return smp_refuse(r, RUNICOS_SMP_EBADSTATE, "no upload in progress: start again at offset 0");
        if (off != slots->upload_next) {
            /* Not where the device is: say where it is, as MCUmgr servers do. */
            upload_progress(r, slots->upload_next);
            return 0;
        }
    }
    const uint32_t total = slots->upload_bytes;
    runicos_slot_status status = runicos_slots_upload_write(slots, off, f[UP_DATA].data, f[UP_DATA].length, &next);
    if (status != RUNICOS_SLOT_OK) return slot_refusal(r, status, 0);
    if (next == total) {
        runicos_image_error error = {0, 0};
        status = runicos_slots_upload_finish(slots, &error);
        if (status != RUNICOS_SLOT_OK) return slot_refusal(r, status, &error);
        runicos_kernel_rune_changed();
    }
    upload_progress(r, next);
    return 0;
}

/* ---- group 64: the running rune ---- */

static int rune_info(smp_request *r) {
    const int rc = smp_read_fields(r, 0, 0);
    if (rc != 0) return rc;
    runicos_status status;
    runicos_kernel_status(&status);
    /* LibSaga's fields follow the original eight, each only when measured. */
    const bool timed = status.rune_calls > 0, loaded = status.active_slot >= 0;
    runicos_cbor_put_map(&r->out, 9u + (timed ? 2u : 0u) + (loaded ? 1u : 0u) + (status.stack_peak_bytes != 0 ? 1u : 0u));
    runicos_cbor_put_text(&r->out, "board");
    runicos_cbor_put_text(&r->out, status.board != 0 ? status.board : "");
    runicos_cbor_put_text(&r->out, "abi");
    runicos_cbor_put_uint(&r->out, status.abi_version);
    runicos_cbor_put_text(&r->out, "runicos");
    runicos_cbor_put_text(&r->out, RUNICOS_VERSION);
    runicos_cbor_put_text(&r->out, "slot");
    runicos_cbor_put_int(&r->out, status.active_slot);
    runicos_cbor_put_text(&r->out, "rune");
    runicos_cbor_put_bytes(&r->out, status.rune_sha256, 32);
    runicos_cbor_put_text(&r->out, "calls");
    runicos_cbor_put_uint(&r->out, status.calls);
    runicos_cbor_put_text(&r->out, "traps");
    runicos_cbor_put_uint(&r->out, status.traps);
    runicos_cbor_put_text(&r->out, "uptime_ms");
    runicos_cbor_put_uint(&r->out, status.uptime_ms);
    /* The unit of every time: rune_board_cycles, the core clock (DWT CYCCNT,
     * or SysTick's count where the core has no cycle counter). */
    runicos_cbor_put_text(&r->out, "unit");
    runicos_cbor_put_text(&r->out, "cycles");
    if (timed) {
        runicos_cbor_put_text(&r->out, "call_last");
        runicos_cbor_put_uint(&r->out, status.last_call_cycles);
        runicos_cbor_put_text(&r->out, "call_mean");
        runicos_cbor_put_uint(&r->out, status.rune_cycles / status.rune_calls);
    }
    if (loaded) {
        runicos_cbor_put_text(&r->out, "mem");
        runicos_cbor_put_uint(&r->out, status.ram_bytes);
    }
    if (status.stack_peak_bytes != 0) {
        runicos_cbor_put_text(&r->out, "stack_peak");
        runicos_cbor_put_uint(&r->out, status.stack_peak_bytes);
    }
    return 0;
}

static int rune_input(smp_request *r) {
    smp_field f[] = {{.name = "index", .kind = FIELD_UINT}, {.name = "data", .kind = FIELD_BYTES}, {.name = "off", .kind = FIELD_UINT}};
    const int rc = smp_read_fields(r, f, 3);
    if (rc != 0) return rc;
    if (!f[0].present || !f[1].present) return smp_refuse(r, RUNICOS_SMP_EINVAL, "input needs \"index\" and \"data\"");
    const uint64_t offset = f[2].present ? f[2].number : 0;
    if (f[0].number > 0xFFFFFFFFu || offset > 0xFFFFFFFFu ||
        runicos_kernel_stream_input((uint32_t)f[0].number, (uint32_t)offset, f[1].data, f[1].length) != 0)
        return smp_refuse(r, RUNICOS_SMP_EINVAL, "no such capability, a chunk out of order, or more than its tensor holds");
    runicos_cbor_put_map(&r->out, 0);
    return 0;
}

typedef struct smp_command {
    uint16_t group;
    uint8_t id;
    uint8_t op;
    int (*handle)(smp_request *r);
} smp_command;

static const smp_command smp_commands[] = {
    {RUNICOS_SMP_GROUP_OS, RUNICOS_SMP_OS_ECHO, RUNICOS_SMP_OP_WRITE, os_echo},
    {RUNICOS_SMP_GROUP_OS, RUNICOS_SMP_OS_RESET, RUNICOS_SMP_OP_WRITE, os_reset},
    {RUNICOS_SMP_GROUP_OS, RUNICOS_SMP_OS_PARAMETERS, RUNICOS_SMP_OP_READ, os_parameters},
    {RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_STATE, RUNICOS_SMP_OP_READ, image_state},
    {RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_STATE, RUNICOS_SMP_OP_WRITE, image_state_write},
    {RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_UPLOAD, RUNICOS_SMP_OP_WRITE, image_upload},
    {RUNICOS_SMP_GROUP_RUNE, RUNICOS_SMP_RUNE_INFO, RUNICOS_SMP_OP_READ, rune_info},
    {RUNICOS_SMP_GROUP_RUNE, RUNICOS_SMP_RUNE_INPUT, RUNICOS_SMP_OP_WRITE, rune_input},
};

runicos_smp_result runicos_smp_handle(const uint8_t *message, uint32_t length, uint8_t *response) {
    runicos_smp_result result = {0, false};
    runicos_smp_header header;
    /* Too short to answer, or itself a response (answering it could start an
     * endless exchange with another server). */
    if (runicos_smp_header_read(message, length, &header) != 0) return result;
    if (header.op != RUNICOS_SMP_OP_READ && header.op != RUNICOS_SMP_OP_WRITE) return result;

    smp_request r;
    runicos_cbor_reader_init(&r.body, message + RUNICOS_SMP_HEADER_BYTES, length - RUNICOS_SMP_HEADER_BYTES);
    runicos_cbor_writer_init(&r.out, response + RUNICOS_SMP_HEADER_BYTES, RUNICOS_SMP_MESSAGE_BYTES - RUNICOS_SMP_HEADER_BYTES);
    r.reason = 0;
    r.reset = false;
    int rc;
    if (header.version > RUNICOS_SMP_VERSION) {
        header.version = RUNICOS_SMP_VERSION;
        rc = smp_refuse(&r, RUNICOS_SMP_UNSUPPORTED_TOO_NEW, "this SMP version is newer than the device's");
    } else if (header.length != length - RUNICOS_SMP_HEADER_BYTES) {
        rc = smp_refuse(&r, RUNICOS_SMP_EINVAL, "the header's length disagrees with the message");
    } else {
        const smp_command *found = 0;
        for (uint32_t i = 0; i < sizeof smp_commands / sizeof smp_commands[0]; i++) {
            if (smp_commands[i].group == header.group && smp_commands[i].id == header.command && smp_commands[i].op == header.op) found = &smp_commands[i];
        }
        rc = found != 0 ? found->handle(&r) : smp_refuse(&r, RUNICOS_SMP_ENOTSUP, "unknown group or command");
    }
    if (rc == 0 && r.out.overflow) rc = smp_refuse(&r, RUNICOS_SMP_EMSGSIZE, "the response does not fit the buffer");
    if (rc != 0) {
        runicos_cbor_writer_init(&r.out, response + RUNICOS_SMP_HEADER_BYTES, RUNICOS_SMP_MESSAGE_BYTES - RUNICOS_SMP_HEADER_BYTES);
        runicos_cbor_put_map(&r.out, r.reason != 0 ? 2 : 1);
        runicos_cbor_put_text(&r.out, "rc");
        runicos_cbor_put_uint(&r.out, (uint64_t)rc);
        if (r.reason != 0) {
            runicos_cbor_put_text(&r.out, "rsn");
            runicos_cbor_put_text(&r.out, r.reason);
        }
        r.reset = false;
    }
    header.op = (uint8_t)(header.op + 1);
    header.flags = 0;
    header.length = (uint16_t)r.out.length;
    runicos_smp_header_write(&header, response);
    result.response_bytes = RUNICOS_SMP_HEADER_BYTES + r.out.length;
    result.reset = r.reset;
    return result;
}
