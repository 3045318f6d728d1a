/*
 * outputs.c - SERIAL records, byte for byte as the host prints them
 * (RuneRuntime/Outputs/SerialRecord.swift).
 *
 * Tensors are held by pointer until the call returns rather than copied:
 * generated code gives every tensor its own static buffer, written once per
 * call, so the bytes are still there when the record is printed, and the
 * firmware needs no RAM sized for the largest output.
 */
#include "cortex-m/outputs.h"
#include "cortex-m/capabilities.h"
#include "cortex-m/console.h"
#include "cortex-m/firmware.h"
#include "cortex-m/json.h"

_Static_assert(sizeof(rune_string) == 8, "UTF8 elements are 8-byte rune_strings on 32-bit targets");

static const rune_manifest_view *manifest;
static const uint8_t *received[RUNE_FIRMWARE_MAX_OUTPUT_TENSORS];

void rune_outputs_prepare(const rune_manifest_view *view) { manifest = view; }

void rune_outputs_begin_call(void) {
    for (uint32_t i = 0; i < RUNE_FIRMWARE_MAX_OUTPUT_TENSORS; i++) received[i] = NULL;
}

static void log_violation_start(void) { rune_console_text("[error] "); }

int32_t rune_output_write(uint32_t output, uint32_t input, const void *data, uint32_t length) {
    /* Worded as the host words them (Sources/RuneRuntime/HostState.swift), as
     * a test checks. */
    if (manifest == NULL || output >= manifest->output_count) {
        const uint32_t count = manifest == NULL ? 0 : manifest->output_count;
        log_violation_start();
        rune_console_text("it wrote output ");
        rune_console_u64(output);
        rune_console_text(", but its manifest declares only ");
        rune_console_u64(count);
        rune_console_text(count == 1 ? " output" : " outputs");
        rune_console_end_line();
        return RUNE_ERROR_ARGUMENT;
    }
    const rune_output_info *info = &manifest->outputs[output];
    if (input >= info->tensor_count) {
        log_violation_start();
        rune_console_text("it wrote tensor ");
        rune_console_u64(input);
        rune_console_text(" of output '");
        rune_console_write(info->name.data, info->name.length);
        rune_console_text("', which takes ");
        rune_console_u64(info->tensor_count);
        rune_console_end_line();
        return RUNE_ERROR_ARGUMENT;
    }
    const rune_tensor_info *tensor = &manifest->output_tensors[info->first_tensor + input];
    if (length != tensor->bytes || data == NULL) {
        log_violation_start();
        rune_console_text("it wrote ");
        rune_console_u64(length);
        rune_console_text(" bytes as tensor ");
        rune_console_u64(input);
        rune_console_text(" of output '");
        rune_console_write(info->name.data, info->name.length);
        rune_console_text("', which is ");
        rune_console_tensor_type(tensor);
        rune_console_text(" (");
        rune_console_u64(tensor->bytes);
        rune_console_text(" bytes)");
        rune_console_end_line();
        return RUNE_ERROR_ARGUMENT;
    }
    received[info->first_tensor + input] = (const uint8_t *)data;
    return RUNE_OK;
}

static uint64_t load_le(const uint8_t *from, uint32_t width) {
    uint64_t value = 0;
    for (uint32_t i = 0; i < width; i++) value |= (uint64_t)from[i] << (8 * i);
    return value;
}

static void print_element(const rune_tensor_info *tensor, const uint8_t *element) {
    char text[RUNE_JSON_NUMBER_MAX];
    uint32_t length;
    switch (tensor->element_type) {
    case RUNE_U8: length = rune_json_u64(text, element[0]); break;
    case RUNE_I8: length = rune_json_i64(text, (int8_t)element[0]); break;
    case RUNE_U16: length = rune_json_u64(text, load_le(element, 2)); break;
    case RUNE_I16: length = rune_json_i64(text, (int16_t)load_le(element, 2)); break;
    case RUNE_U32: length = rune_json_u64(text, load_le(element, 4)); break;
    case RUNE_I32: length = rune_json_i64(text, (int32_t)load_le(element, 4)); break;
    case RUNE_U64: length = rune_json_u64(text, load_le(element, 8)); break;
    case RUNE_I64: length = rune_json_i64(text, (int64_t)load_le(element, 8)); break;
    case RUNE_F32: length = rune_json_f32_bits(text, (uint32_t)load_le(element, 4)); break;
    case RUNE_F64: length = rune_json_f64_bits(text, load_le(element, 8)); break;
    case RUNE_UTF8: {
        const rune_string *string = (const rune_string *)(const void *)element;
        rune_console_text("\"");
        if (string->data != NULL) rune_console_json_escaped(string->data, string->length);
        rune_console_text("\"");
        return;
    }
    default: return;
    }
    rune_console_write(text, length);
}

static void print_tensor(const rune_tensor_info *tensor, const uint8_t *data) {
    rune_console_text("{\"type\":\"");
    rune_console_text(rune_element_type_name(tensor->element_type));
    rune_console_text("\",\"dimensions\":[");
    for (uint32_t i = 0; i < tensor->rank; i++) {
        if (i > 0) rune_console_text(",");
        rune_console_u64(rune_tensor_dimension(tensor, i));
    }
    rune_console_text("],\"elements\":[");
    const uint32_t width = tensor->bytes / tensor->elements;
    for (uint32_t i = 0; i < tensor->elements; i++) {
        if (i > 0) rune_console_text(",");
        print_element(tensor, data + (uint64_t)i * width);
    }
    rune_console_text("]}");
}

int rune_outputs_finish_call(void) {
    for (uint32_t o = 0; o < manifest->output_count; o++) {
        const rune_output_info *output = &manifest->outputs[o];
        uint32_t count = 0;
        for (uint32_t t = 0; t < output->tensor_count; t++) count += received[output->first_tensor + t] != NULL;
        if (count == 0) continue;
        if (count != output->tensor_count) {
            rune_console_text("error: output '");
            rune_console_write(output->name.data, output->name.length);
            rune_console_text("' received only some of its ");
            rune_console_u64(output->tensor_count);
            rune_console_text(" tensors");
            rune_console_end_line();
            return 1;
        }
        /* Checked above exactly as when printing, so a quiet run fails where a loud one would. */
        if (rune_firmware_quiet_outputs != 0) continue;
        rune_console_text("{\"");
        rune_console_json_escaped(output->name.data, output->name.length);
        rune_console_text("\":[");
        for (uint32_t t = 0; t < output->tensor_count; t++) {
            if (t > 0) rune_console_text(",");
            print_tensor(&manifest->output_tensors[output->first_tensor + t], received[output->first_tensor + t]);
        }
        rune_console_text("]}");
        rune_console_end_line();
    }
    return 0;
}
