// CLLVMBridge: a C API over the two things LLVM 14's C API lacks.
//
// 1. clang's CompilerInstance compiling C held in memory into an llvm::Module, with
//    diagnostics delivered as structured values rather than printed text.
// 2. lld's wasm and ELF drivers, called in-process.
//
// Everything else (targets, passes, object emission, module linking) goes through llvm-c.
#ifndef CLLVM_BRIDGE_H
#define CLLVM_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <llvm-c/Core.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A file visible to the compiler that exists only in memory (generated code, runtime sources).
typedef struct RuneVirtualFile {
    const char *path;
    const char *contents;
    size_t length;
} RuneVirtualFile;

typedef enum RuneDiagnosticSeverity {
    RuneDiagnosticNote = 0,
    RuneDiagnosticWarning = 1,
    RuneDiagnosticError = 2,
} RuneDiagnosticSeverity;

/// Receives one clang diagnostic. `file` is empty when clang gives no location.
typedef void (*RuneDiagnosticHandler)(void *context, RuneDiagnosticSeverity severity,
                                      const char *file, unsigned line, unsigned column,
                                      const char *message);

/// Compiles one C translation unit into a module owned by `context`.
///
/// `arguments` are clang -cc1 arguments and must name the main file; `files` overlay the real
/// file system. Returns NULL when compilation fails; every diagnostic reaches `handler`.
LLVMModuleRef RuneClangCompile(LLVMContextRef context,
                               const char *const *arguments, unsigned argumentCount,
                               const RuneVirtualFile *files, unsigned fileCount,
                               RuneDiagnosticHandler handler, void *handlerContext);

typedef enum RuneLinkerFlavor {
    RuneLinkerWasm = 0,
    RuneLinkerELF = 1,
} RuneLinkerFlavor;

/// Runs lld in-process with the given command line (arguments[0] is the program name).
/// Returns true on success. Whatever lld printed is stored in `*messages` (free it with
/// RuneDisposeMessage), or NULL when it printed nothing.
bool RuneLink(RuneLinkerFlavor flavor, const char *const *arguments, unsigned argumentCount,
              char **messages);

void RuneDisposeMessage(char *message);

#ifdef __cplusplus
}
#endif

#endif
