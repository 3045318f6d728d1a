/*
 * cbor.c - the bounded CBOR reader and writer (cbor.h).
 */
#include "runicos/link/cbor.h"

#define AI_INDEFINITE 31u
#define BREAK_BYTE 0xFFu
#define NO_CHUNKS 0xFFu

void runicos_cbor_reader_init(runicos_cbor_reader *reader, const uint8_t *data, uint32_t length) {
    reader->data = data;
    reader->length = length;
    reader->offset = 0;
    reader->failed = false;
}

static int reader_fail(runicos_cbor_reader *reader) {
    reader->failed = true;
    return -1;
}

/* An item's initial byte and argument. `info` is the low five bits: 31 is
 * an indefinite length (or the break in major 7). */
typedef struct cbor_head {
    uint8_t major;
    uint8_t info;
    uint64_t value;
} cbor_head;

static int cbor_read_head(runicos_cbor_reader *reader, cbor_head *item) {
    if (reader->failed || reader->offset >= reader->length) return reader_fail(reader);
    const uint8_t initial = reader->data[reader->offset++];
    item->major = initial >> 5;
    item->info = initial & 31u;
    item->value = item->info;
    if (item->info < 24) return 0;
    if (item->info == AI_INDEFINITE) {
        /* Only strings, arrays, maps and the break have an indefinite form. */
        if (item->major == RUNICOS_CBOR_UNSIGNED || item->major == RUNICOS_CBOR_NEGATIVE || item->major == RUNICOS_CBOR_TAG)
            return reader_fail(reader);
        return 0;
    }
    if (item->info > 27) return reader_fail(reader); /* 28-30 are reserved */
    const uint32_t size = 1u << (item->info - 24);
    if (size > reader->length - reader->offset) return reader_fail(reader);
    uint64_t value = 0;
    for (uint32_t i = 0; i < size; i++) value = value << 8 | reader->data[reader->offset++];
    item->value = value;
    return 0;
}

/* Moves past `length` bytes of string content, if that many are there. */
static int cbor_advance(runicos_cbor_reader *reader, uint64_t length) {
    if (length > reader->length - reader->offset) return reader_fail(reader);
    reader->offset += (uint32_t)length;
    return 0;
}

int runicos_cbor_skip(runicos_cbor_reader *reader) {
    /* An explicit stack of open containers instead of recursion: its depth is
     * the attacker's choice, so it is bounded here and not by the C stack. */
    uint64_t remaining[RUNICOS_CBOR_MAX_DEPTH + 1];
    bool indefinite[RUNICOS_CBOR_MAX_DEPTH + 1];
    uint8_t chunks[RUNICOS_CBOR_MAX_DEPTH + 1]; /* an indefinite string's major type, or NO_CHUNKS */
    uint32_t depth = 0;
    remaining[0] = 1;
    indefinite[0] = false;
    chunks[0] = NO_CHUNKS;
    for (;;) {
        while (!indefinite[depth] && remaining[depth] == 0) {
            if (depth == 0) return 0;
            depth--;
        }
        cbor_head item;
        if (cbor_read_head(reader, &item) != 0) return -1;
        if (item.major == RUNICOS_CBOR_SIMPLE && item.info == AI_INDEFINITE) {
            if (!indefinite[depth]) return reader_fail(reader); /* a break outside an indefinite container */
            depth--;
            continue;
        }
        if (chunks[depth] != NO_CHUNKS && (item.major != chunks[depth] || item.info == AI_INDEFINITE))
            return reader_fail(reader); /* an indefinite string holds only definite strings of its type */
        if (!indefinite[depth]) remaining[depth]--;
        uint64_t count = 0;
        bool open_indefinite = item.info == AI_INDEFINITE;
        uint8_t open_chunks = NO_CHUNKS;
        switch (item.major) {
        case RUNICOS_CBOR_UNSIGNED:
        case RUNICOS_CBOR_NEGATIVE:
        case RUNICOS_CBOR_SIMPLE:
            continue;
        case RUNICOS_CBOR_BYTES:
        case RUNICOS_CBOR_TEXT:
            if (!open_indefinite) {
                if (cbor_advance(reader, item.value) != 0) return -1;
                continue;
            }
            open_chunks = item.major;
            break;
        case RUNICOS_CBOR_ARRAY:
            count = item.value;
            break;
        case RUNICOS_CBOR_MAP:
            if (item.value > (~(uint64_t)0) / 2) return reader_fail(reader);
            count = item.value * 2;
            break;
        default: /* a tag: the one item it applies to follows */
            count = 1;
            open_indefinite = false;
            break;
        }
        /* Every item takes at least a byte: a count beyond what is left is a lie. */
        if (!open_indefinite && count > reader->length - reader->offset) return reader_fail(reader);
        if (depth == RUNICOS_CBOR_MAX_DEPTH) return reader_fail(reader);
        depth++;
        remaining[depth] = count;
        indefinite[depth] = open_indefinite;
        chunks[depth] = open_chunks;
    }
}

int runicos_cbor_map_begin(runicos_cbor_reader *reader, runicos_cbor_map *map) {
    cbor_head item;
    if (cbor_read_head(reader, &item) != 0) return -1;
    if (item.major != RUNICOS_CBOR_MAP) return reader_fail(reader);
    map->indefinite = item.info == AI_INDEFINITE;
    map->remaining = map->indefinite ? 0 : item.value;
    return 0;
}

int runicos_cbor_map_key(runicos_cbor_reader *reader, runicos_cbor_map *map, const uint8_t **key, uint32_t *key_length) {
    if (reader->failed) return -1;
    if (map->indefinite) {
        if (reader->offset >= reader->length) return reader_fail(reader);
        if (reader->data[reader->offset] == BREAK_BYTE) {
            reader->offset++;
            return 0;
        }
    } else {
        if (map->remaining == 0) return 0;
        map->remaining--;
    }
    return runicos_cbor_read_text(reader, key, key_length) == 0 ? 1 : -1;
}

int runicos_cbor_read_uint(runicos_cbor_reader *reader, uint64_t *value) {
    cbor_head item;
    if (cbor_read_head(reader, &item) != 0) return -1;
    if (item.major != RUNICOS_CBOR_UNSIGNED) return reader_fail(reader);
    *value = item.value;
    return 0;
}

int runicos_cbor_read_int(runicos_cbor_reader *reader, int64_t *value) {
    cbor_head item;
    if (cbor_read_head(reader, &item) != 0) return -1;
    if ((item.major != RUNICOS_CBOR_UNSIGNED && item.major != RUNICOS_CBOR_NEGATIVE) || item.value > (~(uint64_t)0 >> 1))
        return reader_fail(reader);
    *value = item.major == RUNICOS_CBOR_UNSIGNED ? (int64_t)item.value : -1 - (int64_t)item.value;
    return 0;
}

static int cbor_read_string(runicos_cbor_reader *reader, uint8_t major, const uint8_t **data, uint32_t *length) {
    cbor_head item;
    if (cbor_read_head(reader, &item) != 0) return -1;
    if (item.major != major || item.info == AI_INDEFINITE) return reader_fail(reader);
    const uint32_t start = reader->offset;
    if (cbor_advance(reader, item.value) != 0) return -1;
    *data = reader->data + start;
    *length = (uint32_t)item.value;
    return 0;
}

int runicos_cbor_read_bytes(runicos_cbor_reader *reader, const uint8_t **data, uint32_t *length) {
    return cbor_read_string(reader, RUNICOS_CBOR_BYTES, data, length);
}

/* Well-formed UTF-8 (RFC 3629): no overlong forms, surrogates or values past U+10FFFF. */
static bool cbor_valid_utf8(const uint8_t *text, uint32_t length) {
    uint32_t i = 0;
    while (i < length) {
        const uint8_t c = text[i];
        uint32_t more;
        uint8_t low = 0x80, high = 0xBF; /* the allowed range of the second byte */
        if (c < 0x80) more = 0;
        else if (c >= 0xC2 && c <= 0xDF) more = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            more = 2;
            if (c == 0xE0) low = 0xA0;
            if (c == 0xED) high = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            more = 3;
            if (c == 0xF0) low = 0x90;
            if (c == 0xF4) high = 0x8F;
        } else return false;
        if (more > length - i - 1) return false;
        for (uint32_t k = 1; k <= more; k++) {
            const uint8_t next = text[i + k];
            if (k == 1 ? (next < low || next > high) : (next < 0x80 || next > 0xBF)) return false;
        }
        i += 1 + more;
    }
    return true;
}

int runicos_cbor_read_text(runicos_cbor_reader *reader, const uint8_t **text, uint32_t *length) {
    if (cbor_read_string(reader, RUNICOS_CBOR_TEXT, text, length) != 0) return -1;
    if (!cbor_valid_utf8(*text, *length)) return reader_fail(reader);
    return 0;
}

int runicos_cbor_read_bool(runicos_cbor_reader *reader, bool *value) {
    cbor_head item;
    if (cbor_read_head(reader, &item) != 0) return -1;
    if (item.major != RUNICOS_CBOR_SIMPLE || (item.info != 20 && item.info != 21)) return reader_fail(reader);
    *value = item.info == 21;
    return 0;
}

bool runicos_cbor_key_is(const uint8_t *key, uint32_t length, const char *name) {
    uint32_t i = 0;
    for (; i < length; i++) {
        if (name[i] == 0 || (uint8_t)name[i] != key[i]) return false;
    }
    return name[i] == 0;
}

void runicos_cbor_writer_init(runicos_cbor_writer *writer, uint8_t *data, uint32_t capacity) {
    writer->data = data;
    writer->capacity = capacity;
    writer->length = 0;
    writer->overflow = false;
}

static void cbor_put_raw(runicos_cbor_writer *writer, const uint8_t *data, uint32_t length) {
    if (writer->overflow || length > writer->capacity - writer->length) {
        writer->overflow = true;
        return;
    }
    for (uint32_t i = 0; i < length; i++) writer->data[writer->length + i] = data[i];
    writer->length += length;
}

/* The shortest head for `value`, as deterministic encoding asks. */
static void cbor_put_head(runicos_cbor_writer *writer, uint8_t major, uint64_t value) {
    uint8_t bytes[9];
    uint32_t size;
    if (value < 24) {
        bytes[0] = (uint8_t)((uint64_t)major << 5 | value);
        size = 0;
    } else if (value <= 0xFFu) {
        bytes[0] = (uint8_t)(major << 5 | 24);
        size = 1;
    } else if (value <= 0xFFFFu) {
        bytes[0] = (uint8_t)(major << 5 | 25);
        size = 2;
    } else if (value <= 0xFFFFFFFFu) {
        bytes[0] = (uint8_t)(major << 5 | 26);
        size = 4;
    } else {
        bytes[0] = (uint8_t)(major << 5 | 27);
        size = 8;
    }
    for (uint32_t i = 0; i < size; i++) bytes[1 + i] = (uint8_t)(value >> (8 * (size - 1 - i)));
    cbor_put_raw(writer, bytes, 1 + size);
}

void runicos_cbor_put_map(runicos_cbor_writer *writer, uint32_t pairs) { cbor_put_head(writer, RUNICOS_CBOR_MAP, pairs); }
void runicos_cbor_put_array(runicos_cbor_writer *writer, uint32_t items) { cbor_put_head(writer, RUNICOS_CBOR_ARRAY, items); }
void runicos_cbor_put_uint(runicos_cbor_writer *writer, uint64_t value) { cbor_put_head(writer, RUNICOS_CBOR_UNSIGNED, value); }

void runicos_cbor_put_int(runicos_cbor_writer *writer, int64_t value) {
    if (value >= 0) cbor_put_head(writer, RUNICOS_CBOR_UNSIGNED, (uint64_t)value);
    else cbor_put_head(writer, RUNICOS_CBOR_NEGATIVE, (uint64_t)(-(value + 1)));
}

void runicos_cbor_put_bytes(runicos_cbor_writer *writer, const uint8_t *data, uint32_t length) {
    cbor_put_head(writer, RUNICOS_CBOR_BYTES, length);
    cbor_put_raw(writer, data, length);
}

void runicos_cbor_put_text_n(runicos_cbor_writer *writer, const uint8_t *text, uint32_t length) {
    cbor_put_head(writer, RUNICOS_CBOR_TEXT, length);
    cbor_put_raw(writer, text, length);
}

void runicos_cbor_put_text(runicos_cbor_writer *writer, const char *text) {
    uint32_t length = 0;
    while (text[length] != 0) length++;
    runicos_cbor_put_text_n(writer, (const uint8_t *)text, length);
}

void runicos_cbor_put_bool(runicos_cbor_writer *writer, bool value) {
    const uint8_t byte = value ? 0xF5u : 0xF4u;
    cbor_put_raw(writer, &byte, 1);
}
