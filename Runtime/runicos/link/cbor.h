/*
 * cbor.h - the part of CBOR (RFC 8949) that SMP requests and responses use:
 * maps with text keys, unsigned and negative integers, byte and text
 * strings, booleans, arrays and maps. The reader walks a hostile buffer
 * without recursion and refuses nesting deeper than RUNICOS_CBOR_MAX_DEPTH;
 * the writer never writes past its buffer. Both keep a sticky error, so a
 * handler may read or write a whole message and check once at the end.
 *
 * Strings are read in place (no copy): a definite-length string comes back
 * as a pointer into the message. Indefinite-length strings are skipped where
 * a value is not wanted but refused where one is, since joining their chunks
 * would need a buffer; no SMP client sends them.
 */
#ifndef RUNICOS_CBOR_H
#define RUNICOS_CBOR_H

#include "rune.h"
#include "runicos/link/link_limits.h"

#define RUNICOS_CBOR_UNSIGNED 0u
#define RUNICOS_CBOR_NEGATIVE 1u
#define RUNICOS_CBOR_BYTES 2u
#define RUNICOS_CBOR_TEXT 3u
#define RUNICOS_CBOR_ARRAY 4u
#define RUNICOS_CBOR_MAP 5u
#define RUNICOS_CBOR_TAG 6u
#define RUNICOS_CBOR_SIMPLE 7u /* false, true, null, floats, break */

typedef struct runicos_cbor_reader {
    const uint8_t *data;
    uint32_t length;
    uint32_t offset;
    bool failed;
} runicos_cbor_reader;

void runicos_cbor_reader_init(runicos_cbor_reader *reader, const uint8_t *data, uint32_t length);

/* Skips one whole data item (with everything nested in it). 0, or -1. */
int runicos_cbor_skip(runicos_cbor_reader *reader);

/* A map being read: runicos_cbor_map_begin, then runicos_cbor_map_key until
 * it returns 0; after each key (1) the caller reads or skips the value. */
typedef struct runicos_cbor_map {
    uint64_t remaining; /* pairs left in a definite map */
    bool indefinite;
} runicos_cbor_map;

int runicos_cbor_map_begin(runicos_cbor_reader *reader, runicos_cbor_map *map);
/* 1 with the next key (a definite text string), 0 at the end, -1 on error. */
int runicos_cbor_map_key(runicos_cbor_reader *reader, runicos_cbor_map *map, const uint8_t **key, uint32_t *key_length);

/* Value readers: 0, or -1 if the next item is not of that kind (or is out of
 * range, or truncated); on -1 the reader is failed. */
int runicos_cbor_read_uint(runicos_cbor_reader *reader, uint64_t *value);
int runicos_cbor_read_int(runicos_cbor_reader *reader, int64_t *value);
int runicos_cbor_read_bytes(runicos_cbor_reader *reader, const uint8_t **data, uint32_t *length);
int runicos_cbor_read_text(runicos_cbor_reader *reader, const uint8_t **text, uint32_t *length);
int runicos_cbor_read_bool(runicos_cbor_reader *reader, bool *value);

/* Whether `key` of `length` bytes is the NUL-terminated `name`. */
bool runicos_cbor_key_is(const uint8_t *key, uint32_t length, const char *name);

typedef struct runicos_cbor_writer {
    uint8_t *data;
    uint32_t capacity;
    uint32_t length;
    bool overflow;
} runicos_cbor_writer;

void runicos_cbor_writer_init(runicos_cbor_writer *writer, uint8_t *data, uint32_t capacity);
void runicos_cbor_put_map(runicos_cbor_writer *writer, uint32_t pairs);
void runicos_cbor_put_array(runicos_cbor_writer *writer, uint32_t items);
void runicos_cbor_put_uint(runicos_cbor_writer *writer, uint64_t value);
void runicos_cbor_put_int(runicos_cbor_writer *writer, int64_t value);
void runicos_cbor_put_bytes(runicos_cbor_writer *writer, const uint8_t *data, uint32_t length);
void runicos_cbor_put_text_n(runicos_cbor_writer *writer, const uint8_t *text, uint32_t length);
/* A NUL-terminated string, as a text string (also for keys). */
void runicos_cbor_put_text(runicos_cbor_writer *writer, const char *text);
void runicos_cbor_put_bool(runicos_cbor_writer *writer, bool value);

#endif /* RUNICOS_CBOR_H */
