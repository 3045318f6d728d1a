/*
 * capabilities.c - rune_capability_read on a board: embedded inputs replayed
 * on every call (the host's RAW files), and RAND drawn by random.c, the file
 * the host draws with too.
 */
#include "cortex-m/capabilities.h"
#include "cortex-m/board.h"
#include "cortex-m/console.h"
#include "cortex-m/random.h"

void *memcpy(void *restrict destination, const void *restrict source, size_t count);

static const rune_manifest_view *manifest;
static const rune_embedded_input *embedded[RUNE_FIRMWARE_MAX_CAPABILITIES];
static uint64_t random_state[RUNE_FIRMWARE_MAX_CAPABILITIES];
static bool allow_feeding;
static bool ignore_embedded;

void rune_capabilities_allow_feeding(bool allow, bool use_embedded) {
    allow_feeding = allow;
    ignore_embedded = !use_embedded;
}

static void fill_random(uint32_t index, uint8_t *buffer) {
    const rune_tensor_info *tensor = &manifest->capabilities[index].tensor;
    rune_random_fill(&random_state[index], tensor->element_type, tensor->elements, buffer);
}

static const rune_embedded_input *find_embedded(uint32_t index) {
    for (uint32_t i = 0; i < rune_embedded_input_count; i++) {
        if (rune_embedded_inputs[i].capability == index) return &rune_embedded_inputs[i];
    }
    return NULL;
}

void rune_console_tensor_type(const rune_tensor_info *tensor) {
    const char *name = rune_element_type_name(tensor->element_type);
    for (; *name; name++) {
        const char upper = (*name >= 'a' && *name <= 'z') ? (char)(*name - 'a' + 'A') : *name;
        rune_console_write(&upper, 1);
    }
    rune_console_text("[");
    for (uint32_t i = 0; i < tensor->rank; i++) {
        if (i > 0) rune_console_text(", ");
        rune_console_u64(rune_tensor_dimension(tensor, i));
    }
    rune_console_text("]");
}

static void print_capability(const rune_capability_info *capability) {
    rune_console_text("error: the rune needs capability '");
    rune_console_write(capability->name.data, capability->name.length);
    rune_console_text("' of kind ");
    rune_console_write(capability->kind.data, capability->kind.length);
}

int rune_capabilities_prepare(const rune_manifest_view *view) {
    manifest = view;
    for (uint32_t i = 0; i < view->capability_count; i++) {
        const rune_capability_info *capability = &view->capabilities[i];
        if (!rune_board_has_capability(capability->kind_id)) {
            print_capability(capability);
            rune_console_text(", which board ");
            rune_console_text(rune_board_name());
            rune_console_text(" does not provide");
            rune_console_end_line();
            return 1;
        }
        /* A recording replaces any kind's own source, RAND's too, as
         * `--raw NAME=FILE` does on the host. */
        embedded[i] = ignore_embedded ? NULL : find_embedded(i);
        const bool generated = capability->kind_id == RUNE_CAPABILITY_KIND_RAND && capability->tensor.element_type != RUNE_UTF8;
        if (embedded[i] == NULL && !generated && !allow_feeding) {
            print_capability(capability);
            rune_console_text(", and no input was embedded for it");
            rune_console_end_line();
            return 1;
        }
        /* Each capability has its own stream, so adding one leaves the others be. */
        random_state[i] = rune_random_stream_start(rune_firmware_random_seed, (const uint8_t *)capability->name.data,
                                                   capability->name.length);
    }
    return 0;
}

int rune_capabilities_feed(uint32_t index, const rune_embedded_input *input) {
    if (manifest == NULL || index >= manifest->capability_count || input->length != manifest->capabilities[index].tensor.bytes) return -1;
    embedded[index] = input;
    return 0;
}

int rune_capabilities_has_source(uint32_t index) {
    if (manifest == NULL || index >= manifest->capability_count) return 0;
    const rune_capability_info *capability = &manifest->capabilities[index];
    return embedded[index] != NULL || (capability->kind_id == RUNE_CAPABILITY_KIND_RAND && capability->tensor.element_type != RUNE_UTF8);
}

static void log_line_start(void) { rune_console_text("[error] "); }

int32_t rune_capability_read(uint32_t capability, void *buffer, uint32_t length) {
    if (manifest == NULL || capability >= manifest->capability_count) {
        log_line_start();
        rune_console_text("it read capability ");
        rune_console_u64(capability);
        rune_console_text(", which its manifest does not declare");
        rune_console_end_line();
        return RUNE_ERROR_ARGUMENT;
    }
    const rune_capability_info *info = &manifest->capabilities[capability];
    if (length != info->tensor.bytes || buffer == NULL) {
        log_line_start();
        rune_console_text("it read ");
        rune_console_u64(length);
        rune_console_text(" bytes from capability '");
        rune_console_write(info->name.data, info->name.length);
        rune_console_text("', which is ");
        rune_console_tensor_type(&info->tensor);
        rune_console_text(" (");
        rune_console_u64(info->tensor.bytes);
        rune_console_text(" bytes)");
        rune_console_end_line();
        return RUNE_ERROR_ARGUMENT;
    }
    const rune_embedded_input *input = embedded[capability];
    if (input != NULL) {
        if (input->length != length || input->data == NULL) {
            log_line_start();
            rune_console_text("capability '");
            rune_console_write(info->name.data, info->name.length);
            rune_console_text("' is ");
            rune_console_tensor_type(&info->tensor);
            rune_console_text(" (");
            rune_console_u64(info->tensor.bytes);
            rune_console_text(" bytes) but its embedded input has ");
            rune_console_u64(input->length);
            rune_console_text(" bytes");
            rune_console_end_line();
            return RUNE_ERROR_CAPABILITY;
        }
        /* memcpy moves words where both sides allow: microspeech reads 32 KB a call. */
        memcpy(buffer, input->data, length);
        return (int32_t)length;
    }
    if (info->kind_id == RUNE_CAPABILITY_KIND_RAND && info->tensor.element_type != RUNE_UTF8) {
        fill_random(capability, (uint8_t *)buffer);
        return (int32_t)length;
    }
    return RUNE_ERROR_CAPABILITY;
}
