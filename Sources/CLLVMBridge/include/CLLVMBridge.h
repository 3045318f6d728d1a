// CLLVMBridge: a C API over the two things LLVM 14's C API lacks.
//
// 1. clang's CompilerInstance compiling C held in memory into an llvm::Module, with
//    diagnostics delivered as structured values rather than printed text.
// 2. lld's wasm and ELF drivers, called in-process.
// 3. Crash recovery: every step that sees a user's C runs on a thread with a large stack under
//    llvm::CrashRecoveryContext, so a crash, a stack overflow or an LLVM fatal error becomes an
//    error the caller sees and the process stays usable.
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
    /// clang crashed, ran out of stack or hit an LLVM fatal error; the message says which.
    RuneDiagnosticInternalError = 3,
} RuneDiagnosticSeverity;

/// Receives one clang diagnostic. `file` is empty when clang gives no location.
typedef void (*RuneDiagnosticHandler)(void *context, RuneDiagnosticSeverity severity,
                                      const char *file, unsigned line, unsigned column,
                                      const char *message);

/// Receives one function or variable a user's block uses but does not define, with where it is
/// first used (`symbol` is the name the linker sees: `powf` for `__builtin_powf`).
typedef void (*RuneSymbolHandler)(void *context, const char *symbol, const char *file, unsigned line,
                                  unsigned column);

/// What a user's block (C the user wrote) may do. runec's own sources compile without one.
typedef struct RuneBlockPolicy {
    /// The absolute path of the only folder whose files the block may read (the Runefile's);
    /// the in-memory files under /rune/ stay visible. Anything else, including what a symlink
    /// inside the folder points to outside it, is not found.
    const char *confinement;
    /// Bytes one file may have.
    unsigned long long maxFileBytes;
    /// Preprocessor tokens clang may lex, counting those of every macro expansion.
    unsigned long long maxTokens;
    /// Seconds the front end may run (checked as tokens are lexed).
    double maxSeconds;
    /// Called for every used-but-undefined symbol; may be NULL.
    RuneSymbolHandler symbolHandler;
} RuneBlockPolicy;

/// Compiles one C translation unit into a module owned by `context`.
///
/// `arguments` are clang -cc1 arguments and must name the main file; `files` overlay the real
/// file system. Returns NULL when compilation fails; every diagnostic reaches `handler`.
///
/// With a `policy`, the unit is a user's block: it is confined to the policy's folder, its
/// preprocessing is bounded, and inline assembly, asm labels and calls to functions it neither
/// defines nor may import are errors located in the block. Either way clang runs on a thread
/// with a large stack under crash recovery; a crash is reported as a RuneDiagnosticInternalError.
LLVMModuleRef RuneClangCompile(LLVMContextRef context,
                               const char *const *arguments, unsigned argumentCount,
                               const RuneVirtualFile *files, unsigned fileCount,
                               const RuneBlockPolicy *policy,
                               RuneDiagnosticHandler handler, void *handlerContext);

/// Runs `body(context)` on a thread with a large stack under crash recovery. Returns true when
/// `body` returned; false when it crashed, overflowed its stack or hit an LLVM fatal error, with
/// a description in `*message` (free it with RuneDisposeMessage).
bool RuneRunSafely(void (*body)(void *context), void *context, char **message);

typedef enum RuneLinkerFlavor {
    RuneLinkerWasm = 0,
    RuneLinkerELF = 1,
} RuneLinkerFlavor;

/// Runs lld in-process with the given command line (arguments[0] is the program name), under
/// crash recovery (an lld fatal error or crash fails the link). Returns true on success. Whatever lld printed is stored in `*messages` (free it with
/// RuneDisposeMessage), or NULL when it printed nothing.
bool RuneLink(RuneLinkerFlavor flavor, const char *const *arguments, unsigned argumentCount,
              char **messages);

void RuneDisposeMessage(char *message);

#ifdef __cplusplus
}
#endif

#endif
