/*
 * rune.h - the ABI between a rune and its host.
 *
 * Shared by the C that `runec` generates, the processing blocks and kernels in
 * Runtime/, the Swift host runtime (which implements the imports below on
 * WasmKit) and the Cortex-M runtime (which implements them natively).
 *
 * Freestanding C11: this header includes nothing, so it compiles the same for
 * wasm32, thumbv7em and the machine running the tests.
 *
 * ## Exports of a rune (wasm32)
 *
 *   memory                      the rune's linear memory
 *   _manifest() -> i32          address of the manifest blob: a little-endian
 *                               u32 byte count followed by that many bytes
 *                               (format below). Pure: no imports are called.
 *   _call() -> i32              runs the pipeline once; 0 on success, else a
 *                               negative rune_status.
 *   _stage(index: i32) -> i32   runs stage `index` alone (stages in the order
 *                               `_call` runs them), so a host can time each
 *                               stage; calling every stage in order is one call.
 *
 * The custom section "rune.pipeline" describes the stages (names, kinds, how
 * they connect, tensor types) for tools; see RuneManifest/PipelineDescription.
 * The same manifest bytes are stored in the custom section "rune.manifest",
 * so tools read a rune without running it; hosts refuse a rune whose
 * `_manifest()` disagrees with its section.
 *
 * ## Imports of a rune, module "rune"
 *
 *   capability_read(capability: i32, buffer: i32, length: i32) -> i32
 *       Fills `length` bytes at `buffer` with the next reading of capability
 *       number `capability` (its index in the manifest), laid out as the
 *       tensor type the manifest declares: row-major, little-endian.
 *       Returns `length`, or a negative rune_status.
 *
 *   output_write(output: i32, input: i32, data: i32, length: i32) -> i32
 *       Hands the host tensor number `input` of output number `output`.
 *       Numeric tensors are row-major, little-endian. A UTF8 tensor is an
 *       array of rune_string (8 bytes each on 32-bit targets) whose pointers
 *       refer to the rune's own memory. Returns 0 or a negative rune_status.
 *       Hosts emit an output's record once all of its inputs have arrived.
 *
 *   log(level: i32, message: i32, length: i32)
 *       A UTF-8 message for the host's log (stderr). Levels: rune_log_level.
 *
 * A rune imports nothing else; hosts reject any other import.
 *
 * ## Manifest format (versions 1 and 2)
 *
 *   manifest   := "RUNE" u8:version capabilities outputs models resources
 *   capabilities := uleb:count capability*
 *   capability := str:name str:kind tensor args
 *   outputs    := uleb:count output*
 *   output     := str:name str:kind uleb:count tensor* args
 *   models     := uleb:count model*
 *   model      := str:name str:source uleb:weight_bytes uleb:arena_bytes
 *                 uleb:count tensor* (inputs) uleb:count tensor* (outputs)
 *   resources  := uleb:memory_bytes (static data and stack the rune needs)
 *   tensor     := u8:rune_element_type uleb:rank uleb:dimension*
 *
 * Tensor dimensions are canonical (unit dimensions dropped, a single element
 * is [1]), except in version 2 the tensors of an output, which keep the shape
 * the Runefile declared (F32[1, 1] is [1, 1]) so hosts print it as declared.
 * runec writes version 1 unless an output needs that; hosts read both.
 *   args       := uleb:count (str:key str:value)*
 *   str        := uleb:length byte*      (UTF-8, not NUL-terminated)
 *
 * `uleb` is unsigned LEB128. Capability and output kinds are upper case
 * ("RAW", "RAND", "SOUND", "IMAGE", "ACCEL"; "SERIAL"). Argument keys are the
 * Runefile's, lower case with '-' written as '_'; values are canonical text
 * (integers in decimal, lists comma-separated).
 */
#ifndef RUNE_H
#define RUNE_H

/* Fixed-width types without libc: the compiler knows them all. */
typedef __INT8_TYPE__ int8_t;
typedef __UINT8_TYPE__ uint8_t;
typedef __INT16_TYPE__ int16_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __INT32_TYPE__ int32_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __INT64_TYPE__ int64_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __SIZE_TYPE__ size_t;
typedef __UINTPTR_TYPE__ uintptr_t;
typedef __INTPTR_TYPE__ intptr_t;

#ifndef __cplusplus
#define bool _Bool
#define true 1
#define false 0
#endif

#ifndef NULL
#define NULL ((void *)0)
#endif

#define RUNE_ABI_VERSION 2
/* The first manifest version whose outputs' tensors keep their declared shapes. */
#define RUNE_ABI_DECLARED_SHAPES_VERSION 2

/** Element types, as stored in the manifest. */
typedef enum rune_element_type {
    RUNE_U8 = 1,
    RUNE_I8 = 2,
    RUNE_U16 = 3,
    RUNE_I16 = 4,
    RUNE_U32 = 5,
    RUNE_I32 = 6,
    RUNE_U64 = 7,
    RUNE_I64 = 8,
    RUNE_F32 = 9,
    RUNE_F64 = 10,
    RUNE_UTF8 = 11,
} rune_element_type;

/** Results of `_call` and of the host functions. */
typedef enum rune_status {
    RUNE_OK = 0,
    /** The host could not provide a capability reading. */
    RUNE_ERROR_CAPABILITY = -1,
    /** The host refused or could not take an output. */
    RUNE_ERROR_OUTPUT = -2,
    /** A processing block rejected its input. */
    RUNE_ERROR_BLOCK = -3,
    /** A model kernel failed. */
    RUNE_ERROR_MODEL = -4,
    /** An argument to a host function was out of range. */
    RUNE_ERROR_ARGUMENT = -5,
} rune_status;

typedef enum rune_log_level {
    RUNE_LOG_ERROR = 1,
    RUNE_LOG_WARN = 2,
    RUNE_LOG_INFO = 3,
    RUNE_LOG_DEBUG = 4,
} rune_log_level;

/** One element of a UTF8 tensor: text in the rune's memory. */
typedef struct rune_string {
    const char *data;
    uint32_t length;
} rune_string;

#if defined(__wasm__)
#define RUNE_IMPORT(name) __attribute__((import_module("rune"), import_name(name)))
#define RUNE_EXPORT(name) __attribute__((export_name(name), visibility("default")))
#else
#define RUNE_IMPORT(name)
#define RUNE_EXPORT(name) __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Host functions (imports). */
RUNE_IMPORT("capability_read")
int32_t rune_capability_read(uint32_t capability, void *buffer, uint32_t length);

RUNE_IMPORT("output_write")
int32_t rune_output_write(uint32_t output, uint32_t input, const void *data, uint32_t length);

RUNE_IMPORT("log")
void rune_log_write(uint32_t level, const char *message, uint32_t length);

/* Rune entry points (exports), defined by generated code. */
RUNE_EXPORT("_manifest")
const uint8_t *rune_manifest(void);

RUNE_EXPORT("_call")
int32_t rune_call(void);

RUNE_EXPORT("_stage")
int32_t rune_stage(uint32_t index);

#ifdef __cplusplus
}
#endif

#endif /* RUNE_H */
