// RuneLinker: lld's ELF and wasm drivers called in process, on their own.
//
// The AOT engine links the object LLVM emits into a shared object it can dlopen. It lives apart
// from CLLVMBridge so that `rune` links lld and libLLVM only, not libclang-cpp (which would
// slow every start of `rune`); CLLVMBridge's RuneLink calls this too, so every link in a process
// goes through one lock (lld keeps global state).
#ifndef RUNE_LINKER_H
#define RUNE_LINKER_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum RuneLinkerFormat {
    RuneLinkerFormatWasm = 0,
    RuneLinkerFormatELF = 1,
} RuneLinkerFormat;

/// Runs lld with the command line `arguments` (arguments[0] is the program name), one link at a
/// time in the process. An lld fatal error ends the link, not the process. Returns true on
/// success; whatever lld printed is stored in `*messages` (free it with RuneLinkerDisposeMessage),
/// or NULL when it printed nothing.
bool RuneLinkerRun(RuneLinkerFormat format, const char *const *arguments, unsigned argumentCount,
                   char **messages);

void RuneLinkerDisposeMessage(char *message);

/// The version of the LLVM this was built with ("14.0.6"): part of the AOT cache's key.
const char *RuneLinkerLLVMVersion(void);

/// Registers every LLVM code generator the process uses (the host's, Arm, WebAssembly), with
/// their assembly printers and parsers, exactly once however many threads ask at once: LLVM's
/// target registry is not thread-safe, and both runec's toolchain and the AOT translator use
/// Arm, possibly from two threads at the same moment.
void RuneLinkerInitializeTargets(void);

#ifdef __cplusplus
}
#endif

#endif
