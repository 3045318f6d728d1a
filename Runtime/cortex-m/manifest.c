/*
 * manifest.c - a bounds-checked reader for the manifest format of rune.h.
 *
 * It applies the host's rules (RuneManifest/ManifestEncoding.swift) and its
 * messages, so a manifest one side rejects the other rejects too, for the
 * same reason at the same byte.
 */
#include "cortex-m/manifest.h"
#include "rune_limits.h"

typedef struct reader {
    const uint8_t *bytes;
    uint32_t length;
    uint32_t offset;
    rune_manifest_error *error;
} reader;

static int fail_at(reader *r, uint32_t offset, const char *message) {
    r->error->offset = offset;
    r->error->message = message;
    return -1;
}

static int fail(reader *r, const char *message) { return fail_at(r, r->offset, message); }

static int read_byte(reader *r, uint8_t *value) {
    if (r->offset >= r->length) return fail(r, "unexpected end of manifest");
    *value = r->bytes[r->offset++];
    return 0;
}

static int read_uleb(reader *r, uint64_t *value) {
    uint64_t result = 0;
    uint32_t shift = 0;
    for (;;) {
        uint8_t byte;
        if (read_byte(r, &byte) != 0) return -1;
        if (shift >= 64 || (shift >= 63 && (byte & 0x7e) != 0)) return fail(r, "integer too large");
        result |= (uint64_t)(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) {
            /* A padded encoding (0x80 0x00 for 0) would not re-encode to the same bytes. */
            if (byte == 0 && shift != 0) return fail(r, "integer is not in its shortest encoding");
            break;
        }
        shift += 7;
    }
    *value = result;
    return 0;
}

static int read_count(reader *r, uint32_t *count) {
    uint64_t value;
    if (read_uleb(r, &value) != 0) return -1;
    if (value > RUNE_MAX_MANIFEST_ENTRIES) return fail(r, "count exceeds the limit of entries");
    *count = (uint32_t)value;
    return 0;
}

static int read_size(reader *r) {
    uint64_t value;
    if (read_uleb(r, &value) != 0) return -1;
    if (value > 0xffffffffu) return fail(r, "size exceeds 4 GiB");
    return 0;
}

/* Well-formed UTF-8 as Swift's String(validating:) requires: no overlong
 * forms, no surrogates, nothing above U+10FFFF. */
static bool valid_utf8(const uint8_t *bytes, uint32_t length) {
    uint32_t i = 0;
    while (i < length) {
        const uint8_t lead = bytes[i];
        uint32_t extra;
        uint32_t low = 0x80, high = 0xbf; /* range of the second byte */
        if (lead < 0x80) { i++; continue; }
        if (lead >= 0xc2 && lead <= 0xdf) extra = 1;
        else if (lead >= 0xe0 && lead <= 0xef) {
            extra = 2;
            if (lead == 0xe0) low = 0xa0;
            if (lead == 0xed) high = 0x9f;
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            extra = 3;
            if (lead == 0xf0) low = 0x90;
            if (lead == 0xf4) high = 0x8f;
        } else {
            return false;
        }
        if (length - i <= extra) return false;
        if (bytes[i + 1] < low || bytes[i + 1] > high) return false;
        for (uint32_t k = 2; k <= extra; k++) {
            if ((bytes[i + k] & 0xc0) != 0x80) return false;
        }
        i += extra + 1;
    }
    return true;
}

static int read_string(reader *r, rune_text *text) {
    uint64_t length;
    if (read_uleb(r, &length) != 0) return -1;
    if (length > RUNE_MAX_STRING_BYTES) return fail(r, "string is too long");
    if (length > r->length - r->offset) return fail(r, "unexpected end of manifest");
    const uint32_t start = r->offset;
    if (!valid_utf8(r->bytes + start, (uint32_t)length)) return fail_at(r, start, "string is not valid UTF-8");
    if (text) {
        text->data = (const char *)(r->bytes + start);
        text->length = (uint32_t)length;
    }
    r->offset += (uint32_t)length;
    return 0;
}

/* A name, kind or argument key: a string of at most RUNE_MAX_NAME_BYTES. */
static int read_name(reader *r, rune_text *text) {
    const uint32_t start = r->offset;
    rune_text name;
    if (read_string(r, &name) != 0) return -1;
    if (name.length > RUNE_MAX_NAME_BYTES) return fail_at(r, start, "name is longer than the limit");
    if (text) *text = name;
    return 0;
}

static uint32_t element_width(uint8_t element_type) {
    switch (element_type) {
    case RUNE_U8: case RUNE_I8: return 1;
    case RUNE_U16: case RUNE_I16: return 2;
    case RUNE_U32: case RUNE_I32: case RUNE_F32: return 4;
    case RUNE_U64: case RUNE_I64: case RUNE_F64: return 8;
    case RUNE_UTF8: return 8; /* a rune_string on a 32-bit target */
    default: return 0;
    }
}

/* declared_shape: the tensor of an output in a version 2 manifest, which keeps the unit
 * dimensions its Runefile declared (F32[1, 1]) so it prints as declared. */
static int read_tensor(reader *r, rune_tensor_info *tensor, bool declared_shape) {
    const uint32_t start = r->offset;
    uint8_t code;
    if (read_byte(r, &code) != 0) return -1;
    if (element_width(code) == 0) return fail_at(r, start, "unknown element type");
    uint64_t rank;
    if (read_uleb(r, &rank) != 0) return -1;
    if (rank < 1 || rank > RUNE_MAX_RANK) return fail(r, "tensor rank is outside 1...8");
    const uint8_t *dimensions = r->bytes + r->offset;
    uint64_t elements = 1;
    bool has_unit = false;
    for (uint32_t i = 0; i < (uint32_t)rank; i++) {
        uint64_t dimension;
        if (read_uleb(r, &dimension) != 0) return -1;
        if (dimension < 1 || dimension > RUNE_MAX_TENSOR_ELEMENTS) return fail(r, "tensor dimension is out of range");
        elements *= dimension;
        if (elements > RUNE_MAX_TENSOR_ELEMENTS) return fail(r, "tensor has too many elements");
        if (dimension == 1) has_unit = true;
    }
    const uint64_t bytes = elements * element_width(code);
    if (bytes > RUNE_MAX_TENSOR_BYTES) return fail_at(r, start, "tensor is over the byte limit");
    /* Canonical shapes drop unit dimensions, except the [1] of a scalar. */
    if (has_unit && rank > 1 && !declared_shape) return fail_at(r, start, "tensor shape is not canonical");
    if (tensor) {
        tensor->element_type = code;
        tensor->rank = (uint8_t)rank;
        tensor->elements = (uint32_t)elements;
        tensor->bytes = (uint32_t)bytes;
        tensor->dimensions = dimensions;
    }
    return 0;
}

rune_capability_kind rune_capability_kind_from_text(rune_text kind) {
    static const struct {
        rune_capability_kind id;
        const char *spelling;
    } kinds[] = {
#define RUNE_KIND_ENTRY(id, spelling) {id, spelling},
        RUNE_CAPABILITY_KINDS(RUNE_KIND_ENTRY)
#undef RUNE_KIND_ENTRY
    };
    for (uint32_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        const char *spelling = kinds[k].spelling;
        uint32_t i = 0;
        while (i < kind.length && spelling[i] != 0 && spelling[i] == kind.data[i]) i++;
        if (i == kind.length && spelling[i] == 0) return kinds[k].id;
    }
    return RUNE_CAPABILITY_KIND_UNKNOWN;
}

static int read_arguments(reader *r) {
    uint32_t count;
    if (read_count(r, &count) != 0) return -1;
    for (uint32_t i = 0; i < count; i++) {
        if (read_name(r, NULL) != 0 || read_string(r, NULL) != 0) return -1;
    }
    return 0;
}

int rune_manifest_parse(const uint8_t *blob, rune_manifest_view *view, rune_manifest_error *error) {
    reader r = {0, 0, 0, error};
    error->offset = 0;
    error->message = "";
    if (blob == NULL) return fail(&r, "rune_manifest() returned no manifest");
    r.bytes = blob + 4;
    r.length = (uint32_t)blob[0] | (uint32_t)blob[1] << 8 | (uint32_t)blob[2] << 16 | (uint32_t)blob[3] << 24;

    if (r.length < 5 || r.bytes[0] != 'R' || r.bytes[1] != 'U' || r.bytes[2] != 'N' || r.bytes[3] != 'E') {
        return fail(&r, "missing the \"RUNE\" magic");
    }
    if (r.bytes[4] < 1 || r.bytes[4] > RUNE_ABI_VERSION) return fail_at(&r, 4, "unsupported manifest version");
    const bool declared_shapes = r.bytes[4] >= RUNE_ABI_DECLARED_SHAPES_VERSION;
    r.offset = 5;

    uint32_t count;
    if (read_count(&r, &count) != 0) return -1;
    if (count > RUNE_FIRMWARE_MAX_CAPABILITIES) {
        return fail(&r, "more capabilities than RUNE_FIRMWARE_MAX_CAPABILITIES allows");
    }
    view->capability_count = count;
    for (uint32_t i = 0; i < count; i++) {
        rune_capability_info *capability = &view->capabilities[i];
        if (read_name(&r, &capability->name) != 0 || read_name(&r, &capability->kind) != 0 ||
            read_tensor(&r, &capability->tensor, false) != 0 || read_arguments(&r) != 0) {
            return -1;
        }
        capability->kind_id = rune_capability_kind_from_text(capability->kind);
    }

    if (read_count(&r, &count) != 0) return -1;
    if (count > RUNE_FIRMWARE_MAX_OUTPUTS) return fail(&r, "more outputs than RUNE_FIRMWARE_MAX_OUTPUTS allows");
    view->output_count = count;
    view->output_tensor_count = 0;
    for (uint32_t i = 0; i < count; i++) {
        rune_output_info *output = &view->outputs[i];
        uint32_t tensors;
        if (read_name(&r, &output->name) != 0 || read_name(&r, &output->kind) != 0) return -1;
        if (read_count(&r, &tensors) != 0) return -1;
        if (tensors > RUNE_FIRMWARE_MAX_OUTPUT_TENSORS - view->output_tensor_count) {
            return fail(&r, "more output tensors than RUNE_FIRMWARE_MAX_OUTPUT_TENSORS allows");
        }
        output->first_tensor = view->output_tensor_count;
        output->tensor_count = tensors;
        for (uint32_t t = 0; t < tensors; t++) {
            if (read_tensor(&r, &view->output_tensors[view->output_tensor_count++], declared_shapes) != 0) return -1;
        }
        if (read_arguments(&r) != 0) return -1;
    }

    /* Models are only described, not acted on, but must still be well-formed. */
    if (read_count(&r, &count) != 0) return -1;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t tensors;
        if (read_name(&r, NULL) != 0 || read_string(&r, NULL) != 0) return -1;
        if (read_size(&r) != 0 || read_size(&r) != 0) return -1;
        for (uint32_t side = 0; side < 2; side++) {
            if (read_count(&r, &tensors) != 0) return -1;
            for (uint32_t t = 0; t < tensors; t++) {
                if (read_tensor(&r, NULL, false) != 0) return -1;
            }
        }
    }
    if (read_size(&r) != 0) return -1;
    if (r.offset != r.length) return fail(&r, "unexpected trailing bytes");
    return 0;
}

uint32_t rune_tensor_dimension(const rune_tensor_info *tensor, uint32_t index) {
    const uint8_t *p = tensor->dimensions;
    for (uint32_t i = 0;; i++) {
        uint32_t value = 0, shift = 0;
        uint8_t byte;
        do {
            byte = *p++;
            if (shift < 32) value |= (uint32_t)(byte & 0x7f) << shift;
            shift += 7;
        } while (byte & 0x80);
        if (i == index) return value;
    }
}

const char *rune_element_type_name(uint8_t element_type) {
    static const char *const names[] = {"", "u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32", "f64", "utf8"};
    return element_type < sizeof names / sizeof names[0] ? names[element_type] : "";
}
