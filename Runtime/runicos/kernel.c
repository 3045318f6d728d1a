/*
 * kernel.c - RunicOS: boots, loads the rune of the active slot, calls it, and
 * serves the host's link between calls.
 *
 * Loading trusts nothing in the image beyond what runicos_image_check
 * proved (its integrity, and that its sections lie inside its slot and RAM
 * region): every pointer of its entry table and module descriptor the OS
 * follows is checked to lie in the image's code, and every string to end
 * there. Whatever the descriptor says about the rune's own RAM is acted on
 * by the rune itself, unprivileged (rune/rune_start.c).
 *
 * A rune that traps, faults or runs out of time is stopped with one JSON
 * line and unloaded; the OS keeps serving the link, so the host can send
 * another.
 */
#include "runicos/kernel.h"
#include "runicos/config.h"
#include "runicos/isolation.h"
#include "runicos/link/link.h"
#include "cortex-m/capabilities.h"
#include "cortex-m/aot/aot_host.h"
#include "cortex-m/aot/aot_prepare.h"
#include "cortex-m/board.h"
#include "cortex-m/boot.h"
#include "cortex-m/console.h"
#include "cortex-m/firmware.h"
#include "cortex-m/outputs.h"
#include "cortex-m/sha256.h"

/* Room for the tensors the host streams to a rune's capabilities. */
#ifndef RUNICOS_MAX_FED_BYTES
#define RUNICOS_MAX_FED_BYTES (48u * 1024u)
#endif

/* Room below the rune's stack limit for the exception frames its gates push. */
#define STACK_MARGIN 256u
#define MAX_NAME_BYTES 64u

extern const runicos_gates runicos_gate_table;

typedef struct loaded_rune {
    bool loaded;
    uint32_t slot;
    runicos_image_header header;
    uint32_t text_start, text_end;
    /* Only its memory is used: the rune's memory as the OS knows it, which
     * the host functions check addresses against (the rune's own copy, in
     * its control block, is writable by it). */
    rune_aot_instance trusted;
    rune_aot_host_import bindings[RUNICOS_MAX_IMPORTS];
    uint32_t import_count;
    uint32_t manifest_entry, call_entry;
    runicos_control *control;
    uint32_t stack_top;
    uint64_t budget_cycles;
} loaded_rune;

static runicos_slots slots;
static loaded_rune rune;
static rune_manifest_view manifest;
static volatile bool rune_changed;
static uint64_t total_calls, total_traps, rune_calls, rune_cycles;
static uint32_t last_call_cycles;
static bool rune_finished;

/* The rune's stack is painted with this at load; the first word from the
 * bottom that no longer holds it marks the deepest the stack reached. */
#define STACK_PAINT 0xA5A5A5A5u
static bool stack_measurable(void);

/* Tensors streamed by the host: one region of fed_bytes per capability. */
#define NO_ROOM 0xFFFFFFFFu
static uint8_t fed_bytes[RUNICOS_MAX_FED_BYTES] __attribute__((aligned(8)));
static rune_embedded_input fed[RUNE_FIRMWARE_MAX_CAPABILITIES];
static uint32_t fed_start[RUNE_FIRMWARE_MAX_CAPABILITIES]; /* NO_ROOM: its tensor does not fit */
static uint32_t fed_received[RUNE_FIRMWARE_MAX_CAPABILITIES];
/* Capabilities only the host feeds, and those of them with a new whole tensor. */
static uint32_t host_fed, fed_whole;


static void refuse(const char *message) {
    rune_console_text("error: ");
    rune_console_text(message);
    rune_console_end_line();
}

/* ---- Reading the descriptor ---- */

static bool in_text(uint32_t address, uint32_t bytes) {
    return address >= rune.text_start && address <= rune.text_end && bytes <= rune.text_end - address;
}

static uint32_t word_at(uint32_t address) { return *(const uint32_t *)(uintptr_t)address; }

/* The NUL-terminated string at `address`, if all of it lies in the code. */
static const char *text_at(uint32_t address) {
    if (!in_text(address, 1)) return NULL;
    const char *text = (const char *)(uintptr_t)address;
    for (uint32_t i = 0; i < MAX_NAME_BYTES && in_text(address + i, 1); i++) {
        if (text[i] == 0) return text;
    }
    return NULL;
}

static bool text_equal(const char *a, const char *b) {
    while (*a != 0 && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static bool is_code(uint32_t address) { return (address & 1u) != 0 && in_text(address & ~1u, 2); }

/* Module descriptor fields, by index of their 4-byte slot (aot_context.h). */
enum { MODULE_MAGIC = 0, MODULE_VERSION = 1, MODULE_MEMORY = 2, MODULE_MEMORY_PAGES = 3, MODULE_IMPORTS = 16,
       MODULE_IMPORT_COUNT = 17, MODULE_EXPORTS = 18, MODULE_EXPORT_COUNT = 19, MODULE_WORDS = 21 };

static int bind_imports(uint32_t module) {
    const uint32_t imports = word_at(module + 4 * MODULE_IMPORTS), count = word_at(module + 4 * MODULE_IMPORT_COUNT);
    if (count > RUNICOS_MAX_IMPORTS || (count != 0 && !in_text(imports, count * 16u))) {
        refuse("the rune's import table is malformed or too large");
        return -1;
    }
    for (uint32_t i = 0; i < count; i++) {
        const uint32_t entry = imports + 16 * i;
        const char *module_name = text_at(word_at(entry)), *name = text_at(word_at(entry + 4)), *signature = text_at(word_at(entry + 8));
        if (module_name == NULL || name == NULL || signature == NULL) {
            refuse("an import of the rune has a malformed name");
            return -1;
        }
        rune.bindings[i] = NULL;
        for (uint32_t h = 0; h < rune_aot_host_export_count; h++) {
            const rune_aot_host_export *host = &rune_aot_host_exports[h];
            if (text_equal(host->module, module_name) && text_equal(host->name, name) && text_equal(host->signature, signature)) {
                rune.bindings[i] = host->function;
            }
        }
        if (rune.bindings[i] == NULL) {
            rune_console_text("error: the rune imports ");
            rune_console_text(module_name);
            rune_console_text(".");
            rune_console_text(name);
            rune_console_text(", which RunicOS does not provide with that type");
            rune_console_end_line();
            return -1;
        }
    }
    rune.import_count = count;
    return 0;
}

static uint32_t find_export(uint32_t module, const char *wanted) {
    const uint32_t exports = word_at(module + 4 * MODULE_EXPORTS), count = word_at(module + 4 * MODULE_EXPORT_COUNT);
    if (count > 4096u || !in_text(exports, count * 12u)) return 0;
    for (uint32_t i = 0; i < count; i++) {
        const uint32_t entry = exports + 12 * i;
        const char *name = text_at(word_at(entry)), *signature = text_at(word_at(entry + 4));
        if (name != NULL && signature != NULL && text_equal(name, wanted) && text_equal(signature, ":i") && is_code(word_at(entry + 8)))
            return word_at(entry + 8);
    }
    return 0;
}

/* ---- Running rune code ---- */

static const char *trap_reason(int32_t code) {
    switch (code) {
    case RUNICOS_TRAP_ABI_MISMATCH: return "the rune was built for another RunicOS ABI";
    case RUNICOS_TRAP_BAD_SYSTEM_CALL: return "bad system call";
    case RUNICOS_TRAP_TIMEOUT: return "call timed out";
    case RUNICOS_TRAP_MEMORY_FAULT: return "memory protection fault";
    case RUNICOS_TRAP_BUS_FAULT: return "bus fault";
    case RUNICOS_TRAP_USAGE_FAULT: return "usage fault";
    case RUNICOS_TRAP_HARD_FAULT: return "hard fault";
    default: return rune_aot_trap_reason(code);
    }
}

static void hex_u32(uint32_t value) {
    char digits[10] = {'0', 'x'};
    for (int i = 0; i < 8; i++) digits[2 + i] = "0123456789abcdef"[(value >> (28 - 4 * i)) & 0xf];
    rune_console_write(digits, sizeof digits);
}

static void hex_bytes(const uint8_t *bytes, uint32_t count) {
    for (uint32_t i = 0; i < count; i++) {
        const char pair[2] = {"0123456789abcdef"[bytes[i] >> 4], "0123456789abcdef"[bytes[i] & 15]};
        rune_console_write(pair, 2);
    }
}

/* One JSON line: {"error":"trap","reason":...,"function":...,"slot":...,"rune":...[,"pc":...,"address":...]} */
static void report_trap(const char *function, const runicos_fault *fault) {
    total_traps++;
    rune_console_text("{\"error\":\"trap\",\"reason\":\"");
    rune_console_text(trap_reason(fault->code));
    rune_console_text("\",\"function\":\"");
    rune_console_text(function);
    rune_console_text("\",\"slot\":\"");
    rune_console_text(rune.slot == 0 ? "A" : "B");
    rune_console_text("\",\"rune\":\"");
    hex_bytes(rune.header.rune_sha256, 8);
    rune_console_text("\"");
    if (fault->pc != 0) {
        rune_console_text(",\"pc\":\"");
        hex_u32(fault->pc);
        rune_console_text("\"");
    }
    if (fault->address != 0) {
        rune_console_text(",\"address\":\"");
        hex_u32(fault->address);
        rune_console_text("\"");
    }
    rune_console_text("}");
    rune_console_end_line();
}

static int32_t call_rune(uint32_t function, uint32_t arg0, uint32_t arg1, const char *name) {
    runicos_control *control = rune.control;
    control->thread.depth = 0;
    control->thread.depth_limit = RUNE_AOT_MAX_CALL_DEPTH;
    control->thread.stack_limit = rune.stack_top - rune.header.stack_bytes + STACK_MARGIN;
    control->thread.interrupt = 0;
    runicos_fault fault;
    const int32_t code = runicos_isolation_call(function, arg0, arg1, rune.stack_top, rune.budget_cycles, &fault);
    if (code != 0) report_trap(name, &fault);
    return code;
}

int32_t runicos_kernel_host_call(uint32_t import, uint64_t *values) {
    if (!rune.loaded || import >= rune.import_count) return RUNICOS_TRAP_BAD_SYSTEM_CALL;
    return rune.bindings[import](&rune.trusted, values);
}

/* ---- Loading ---- */

static void unload(void) {
    rune.loaded = false;
    runicos_isolation_unmap();
}

/* The manifest `_manifest()` returns must be the one the image declared,
 * which is what the OS checked before any rune code ran. */
static int check_manifest_export(const uint8_t *declared) {
    const uint64_t *values = rune.control->values;
    rune.control->values[0] = 0;
    if (call_rune(rune.manifest_entry, (uint32_t)(uintptr_t)&rune.control->context, (uint32_t)(uintptr_t)values, "_manifest") != 0) return -1;
    const uint32_t length = rune.header.manifest_bytes;
    const uint8_t *returned = rune_aot_memory_range(&rune.trusted, (uint32_t)values[0], length);
    if (returned == NULL) {
        refuse("the manifest '_manifest' returned lies outside the rune's memory");
        return -1;
    }
    for (uint32_t i = 0; i < length; i++) {
        if (returned[i] != declared[i]) {
            refuse("the manifest '_manifest' returned differs from the one in the image");
            return -1;
        }
    }
    return 0;
}

/* Whether `header` is the built-in image's (same .rune). */
static bool is_built_in(const runicos_image_header *header) {
    if (runicos_factory_image_bytes < RUNICOS_IMAGE_HEADER_BYTES) return false;
    runicos_image_header factory;
    runicos_image_read_header(runicos_factory_image, &factory);
    for (uint32_t i = 0; i < 32; i++) {
        if (factory.rune_sha256[i] != header->rune_sha256[i]) return false;
    }
    return true;
}

/* Where each capability's streamed tensor goes, and which ones only the
 * host can feed. */
static void plan_feeding(void) {
    uint32_t used = 0;
    host_fed = fed_whole = 0;
    for (uint32_t i = 0; i < manifest.capability_count; i++) {
        const uint32_t bytes = manifest.capabilities[i].tensor.bytes;
        fed_received[i] = 0;
        fed_start[i] = NO_ROOM;
        if (bytes <= RUNICOS_MAX_FED_BYTES - used) {
            fed_start[i] = used;
            used += (bytes + 7u) & ~7u;
            if (used > RUNICOS_MAX_FED_BYTES) used = RUNICOS_MAX_FED_BYTES;
        }
        if (!rune_capabilities_has_source(i)) host_fed |= 1u << i;
    }
}

static int load(uint32_t slot) {
    const runicos_layout *layout = &runicos_board_layout;
    const uint8_t *image = runicos_slots_image(&slots, slot);
    runicos_image_error error;
    if (runicos_image_check(image, layout->slot_bytes, layout, slot, &error) != 0) {
        rune_console_text("error: the image in slot ");
        rune_console_text(slot == 0 ? "A" : "B");
        rune_console_text(" is refused at byte ");
        rune_console_u64(error.offset);
        rune_console_text(": ");
        rune_console_text(error.message);
        rune_console_end_line();
        return -1;
    }
    rune.slot = slot;
    runicos_image_read_header(image, &rune.header);
    const runicos_image_header *header = &rune.header;
    rune.text_start = header->load_address + header->text_offset;
    rune.text_end = rune.text_start + header->text_bytes;

    /* Before any rune code runs: the capabilities it declares, against the
     * board. The embedded inputs were made for the built-in rune only. */
    const uint8_t *declared = image + header->manifest_offset;
    rune_capabilities_allow_feeding(true, is_built_in(header));
    if (rune_boot_prepare(declared, &manifest) != 0) return -1;
    plan_feeding();

    const uint32_t entry = header->entry_address;
    if (!in_text(entry, sizeof(runicos_image_entry)) || word_at(entry) != RUNICOS_ENTRY_MAGIC || !is_code(word_at(entry + 4))) {
        refuse("the image's entry table is malformed");
        return -1;
    }
    const uint32_t module = word_at(entry + 8);
    if (!in_text(module, 4 * MODULE_WORDS) || word_at(module) != RUNE_AOT_MODULE_MAGIC || word_at(module + 4) != RUNE_AOT_MODULE_VERSION) {
        refuse("the image's module descriptor is malformed or of another version");
        return -1;
    }
    /* The memory must lie in the image's RAM, so host functions never reach past it. */
    const uint32_t memory = word_at(module + 4 * MODULE_MEMORY), pages = word_at(module + 4 * MODULE_MEMORY_PAGES);
    const uint64_t ram_end = (uint64_t)header->ram_address + header->data_bytes + header->bss_bytes;
    const uint64_t memory_bytes = (uint64_t)pages * RUNE_AOT_PAGE_BYTES;
    rune.trusted.memory.base = NULL;
    rune.trusted.memory.size = 0;
    if (memory != 0) {
        if (memory < header->ram_address || memory > ram_end || memory_bytes > ram_end - memory) {
            refuse("the rune's linear memory lies outside its RAM");
            return -1;
        }
        rune.trusted.memory.base_slot = 0;
        rune.trusted.memory.base = (uint8_t *)(uintptr_t)memory;
        rune.trusted.memory.size = memory_bytes;
    }
    if (bind_imports(module) != 0) return -1;
    rune.manifest_entry = find_export(module, "_manifest");
    rune.call_entry = find_export(module, "_call");
    if (rune.manifest_entry == 0 || rune.call_entry == 0) {
        refuse("the rune lacks '_manifest' or '_call' (taking nothing, returning an i32)");
        return -1;
    }

    /* Its RAM: control block zeroed, .data copied, .bss zeroed. */
    runicos_isolation_map(layout, slot);
    uint8_t *ram = (uint8_t *)(uintptr_t)layout->ram_address;
    for (uint32_t i = 0; i < RUNICOS_CONTROL_BLOCK_BYTES; i++) ram[i] = 0;
    uint8_t *data = (uint8_t *)(uintptr_t)header->ram_address;
    for (uint32_t i = 0; i < header->data_bytes; i++) data[i] = image[header->data_offset + i];
    for (uint32_t i = 0; i < header->bss_bytes; i++) data[header->data_bytes + i] = 0;
    rune.control = (runicos_control *)(uintptr_t)layout->ram_address;
    rune.stack_top = layout->ram_address + layout->ram_bytes;
    if (stack_measurable()) {
        volatile uint32_t *word = (volatile uint32_t *)(uintptr_t)(rune.stack_top - rune.header.stack_bytes);
        for (uint32_t i = 0; i < rune.header.stack_bytes / 4u; i++) word[i] = STACK_PAINT;
    }
    rune.budget_cycles = (uint64_t)runicos_call_timeout_ms * (rune_board_clock_hz() / 1000u);
    rune.loaded = true;

    if (call_rune(word_at(entry + 4), (uint32_t)(uintptr_t)&runicos_gate_table, (uint32_t)(uintptr_t)rune.control, "start") != 0 ||
        check_manifest_export(declared) != 0) {
        unload();
        return -1;
    }
    rune_aot_host_prepare(&manifest);
    rune_calls = rune_cycles = 0;
    last_call_cycles = 0;
    rune_finished = false;
    return 0;
}

/* Whether the stack lies word-aligned in the rune's RAM above its .data and
 * .bss, so painting it touches nothing else (runicos_image_check bounds the
 * sections; this is only the OS not trusting arithmetic it did not do). */
static bool stack_measurable(void) {
    const runicos_layout *layout = &runicos_board_layout;
    const uint32_t stack = rune.header.stack_bytes;
    const uint64_t ram_end = (uint64_t)rune.header.ram_address + rune.header.data_bytes + rune.header.bss_bytes;
    return stack != 0 && (stack & 3u) == 0 && stack <= layout->ram_bytes && (rune.stack_top & 3u) == 0 &&
           ram_end <= (uint64_t)rune.stack_top - stack;
}

/* The deepest the rune's stack reached since it was loaded, in bytes. */
static uint32_t stack_peak(void) {
    if (!rune.loaded || !stack_measurable()) return 0;
    const volatile uint32_t *word = (const volatile uint32_t *)(uintptr_t)(rune.stack_top - rune.header.stack_bytes);
    const uint32_t words = rune.header.stack_bytes / 4u;
    uint32_t untouched = 0;
    while (untouched < words && word[untouched] == STACK_PAINT) untouched++;
    return (words - untouched) * 4u;
}

/* ---- The kernel's services ---- */

void runicos_kernel_status(runicos_status *status) {
    status->board = runicos_board_layout.board;
    status->abi_version = RUNICOS_ABI_VERSION;
    status->active_slot = rune.loaded ? (int32_t)rune.slot : -1;
    for (uint32_t i = 0; i < 32; i++) status->rune_sha256[i] = rune.loaded ? rune.header.rune_sha256[i] : 0;
    status->calls = total_calls;
    status->traps = total_traps;
    const uint32_t per_ms = rune_board_clock_hz() / 1000u;
    status->uptime_ms = per_ms != 0 ? rune_board_cycles() / per_ms : 0;
    status->rune_calls = rune.loaded ? rune_calls : 0;
    status->rune_cycles = rune.loaded ? rune_cycles : 0;
    status->last_call_cycles = rune.loaded ? last_call_cycles : 0;
    status->ram_bytes = rune.loaded ? rune.header.data_bytes + rune.header.bss_bytes : 0;
    status->stack_peak_bytes = stack_peak();
}

runicos_slots *runicos_kernel_slots(void) { return &slots; }

void runicos_kernel_rune_changed(void) { rune_changed = true; }

int runicos_kernel_leave_active(void) {
    const int32_t active = runicos_slots_active(&slots);
    if (active < 0) return -1;
    unload();
    rune_changed = true;
    return runicos_slots_revoke(&slots, (uint32_t)active) == RUNICOS_SLOT_OK ? 0 : -1;
}

int runicos_kernel_stream_input(uint32_t index, uint32_t offset, const uint8_t *data, uint32_t length) {
    if (!rune.loaded || index >= manifest.capability_count || fed_start[index] == NO_ROOM) return -1;
    const uint32_t bytes = manifest.capabilities[index].tensor.bytes;
    if ((offset != 0 && offset != fed_received[index]) || offset > bytes || length > bytes - offset) return -1;
    uint8_t *tensor = fed_bytes + fed_start[index];
    for (uint32_t i = 0; i < length; i++) tensor[offset + i] = data[i];
    fed_received[index] = offset + length;
    if (fed_received[index] < bytes) return 0;
    fed[index].capability = index;
    fed[index].data = tensor;
    fed[index].length = bytes;
    fed_received[index] = 0;
    if (rune_capabilities_feed(index, &fed[index]) != 0) return -1;
    fed_whole |= 1u << index;
    return 0;
}

/* Installs the built-in image into the empty slots, through the same
 * checked path an upload takes. */
static void install_factory_image(void) {
    if (runicos_factory_image_bytes == 0) return;
    uint8_t digest[RUNE_SHA256_DIGEST_BYTES];
    rune_sha256 hash;
    rune_sha256_init(&hash);
    rune_sha256_update(&hash, runicos_factory_image, runicos_factory_image_bytes);
    rune_sha256_final(&hash, digest);
    uint32_t next = 0;
    runicos_image_error error = {0, "the upload failed"};
    runicos_slot_status status = runicos_slots_upload_begin(&slots, runicos_factory_image_bytes, digest, &next);
    if (status == RUNICOS_SLOT_OK) status = runicos_slots_upload_write(&slots, 0, runicos_factory_image, runicos_factory_image_bytes, &next);
    if (status == RUNICOS_SLOT_OK) status = runicos_slots_upload_finish(&slots, &error);
    if (status != RUNICOS_SLOT_OK) {
        rune_console_text("error: the built-in rune image is refused: ");
        rune_console_text(error.message);
        rune_console_end_line();
    }
}

static void load_active(void) {
    const int32_t active = runicos_slots_active(&slots);
    if (active >= 0 && load((uint32_t)active) != 0) rune_finished = true;
}

/* A rune the host feeds runs once per complete set of fed tensors; others
 * run by themselves. */
static bool ready_to_call(void) {
    if (!rune.loaded || rune_finished) return false;
    return host_fed == 0 || (fed_whole & host_fed) == host_fed;
}

/* The newly activated rune could not be loaded: take its slot out of
 * service and go back to the rune before it, if there was one. */
static void revert(void) {
    const int32_t refused = runicos_slots_active(&slots);
    if (refused < 0 || runicos_slots_revoke(&slots, (uint32_t)refused) != RUNICOS_SLOT_OK) return;
    const int32_t previous = runicos_slots_active(&slots);
    if (previous < 0) return;
    rune_console_text("{\"event\":\"reverted\",\"slot\":\"");
    rune_console_text(previous == 0 ? "A" : "B");
    rune_console_text("\"}");
    rune_console_end_line();
    rune_finished = false;
    load_active();
}

static void call_once(void) {
    const bool fed_by_host = host_fed != 0;
    if (fed_by_host) fed_whole = 0;
    rune_outputs_begin_call();
    rune_aot_host_begin_call();
    rune.control->values[0] = 0;
    const uint32_t start = rune_board_cycles();
    const int32_t code = call_rune(rune.call_entry, (uint32_t)(uintptr_t)&rune.control->context,
                                   (uint32_t)(uintptr_t)rune.control->values, "_call");
    last_call_cycles = (uint32_t)(rune_board_cycles() - start);
    rune_cycles += last_call_cycles;
    rune_calls++;
    total_calls++;
    if (code != 0 || rune_boot_check_status((int32_t)(uint32_t)rune.control->values[0]) != 0 || rune_outputs_finish_call() != 0) {
        unload();
        rune_finished = true;
    }
    /* The host that fed this call learns it is over (its records, or its trap
     * line, came before): {"event":"called","calls":N}. */
    if (fed_by_host) {
        rune_console_text("{\"event\":\"called\",\"calls\":");
        rune_console_u64(rune_calls);
        rune_console_text("}");
        rune_console_end_line();
    }
}

int rune_firmware_main(void) {
    runicos_slots_init(&slots, runicos_slot_storage, &runicos_board_layout);
    if (runicos_isolation_init() != 0) return 1;
    if (runicos_slots_active(&slots) < 0) install_factory_image();
    load_active();
    bool failed = rune_finished;
    for (;;) {
        if (ready_to_call()) {
            call_once();
            if (!rune.loaded) failed = true;
            if (rune.loaded && rune_firmware_iterations != 0 && rune_calls == rune_firmware_iterations) {
                rune_finished = true;
                rune_boot_report_timing((uint32_t)rune_calls, rune_cycles);
            }
        }
        runicos_link_poll();
        if (rune_changed) {
            rune_changed = false;
            unload();
            rune_finished = false;
            load_active();
            if (rune_finished) {
                failed = true;
                revert();
            }
        }
        /* A rune waiting for the host's inputs is not done. */
        if (runicos_exit_when_done && (rune_finished || !rune.loaded)) return failed ? 1 : 0;
    }
}
