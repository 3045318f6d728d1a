#include "CLLVMBridge.h"
#include "RuneLinker.h"

#include <clang/AST/ASTConsumer.h>
#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/Decl.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/AST/Stmt.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/DiagnosticLex.h>
#include <clang/Basic/DiagnosticOptions.h>
#include <clang/Basic/SourceManager.h>
#include <clang/CodeGen/CodeGenAction.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <clang/Frontend/MultiplexConsumer.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Lex/Preprocessor.h>
#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/CrashRecoveryContext.h>
#include <llvm/Support/ErrorHandling.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/VirtualFileSystem.h>
#include <llvm/Support/raw_ostream.h>

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace {

// MARK: Crash recovery

/// The stack of the thread clang and LLVM run on. Deeply nested input (a 100,000-term
/// expression) recurses deeply in Sema and CodeGen; 512 MiB is address space, not memory: only
/// the pages used are touched.
constexpr size_t kStackBytes = size_t(512) << 20;
/// Below the stack: a large guard, so a frame bigger than a page still faults in it.
constexpr size_t kGuardBytes = size_t(1) << 20;
/// The signal handler's own stack, so a stack overflow can still be handled.
constexpr size_t kSignalStackBytes = size_t(256) << 10;

/// Why the last recovery on this thread happened.
thread_local std::string fatalErrorMessage;
thread_local uintptr_t faultAddress = 0;

struct sigaction crashRecoveryActions[NSIG];

/// The AOT engine's (CRuneAOTSupport), when linked in: handles a rune's guard-page fault.
extern "C" int RuneAOTHandleFault(int signal, siginfo_t *info, void *ucontext) __attribute__((weak));

/// Runs before llvm::CrashRecoveryContext's handler (on the alternate stack, which that handler
/// does not ask for): remembers the faulting address, to tell a stack overflow from a crash.
void faultHandler(int signal, siginfo_t *info, void *ucontext) {
    // A rune's guard-page fault (in processes that also run runes) is the AOT engine's trap,
    // handled before LLVM's handler can take it for a crash: outside a recovery context LLVM
    // would switch recovery off for the whole process, and a compilation on another thread
    // that crashed in that moment would end the process.
    if (RuneAOTHandleFault && RuneAOTHandleFault(signal, info, ucontext)) return;
    faultAddress = reinterpret_cast<uintptr_t>(info->si_addr);
    const struct sigaction &next = crashRecoveryActions[signal];
    if (next.sa_flags & SA_SIGINFO) {
        next.sa_sigaction(signal, info, ucontext);
    } else if (next.sa_handler != SIG_DFL && next.sa_handler != SIG_IGN) {
        next.sa_handler(signal);
    } else {
        ::signal(signal, SIG_DFL);
        raise(signal);
    }
}

/// LLVM's fatal errors (report_fatal_error) end the process unless the handler leaves it. Inside
/// a recovery context, leave through it; elsewhere behave as LLVM does.
void fatalErrorHandler(void *, const char *reason, bool) {
    if (llvm::CrashRecoveryContext *context = llvm::CrashRecoveryContext::GetCurrent()) {
        fatalErrorMessage = reason ? reason : "unknown error";
        context->HandleExit(1);
    }
    std::fprintf(stderr, "LLVM ERROR: %s\n", reason ? reason : "");
}

void installCrashRecovery() {
    // Every time, not once: LLVM switches recovery off for the whole process when a fault
    // reaches its handler outside any recovery context (an AOT rune's guard-page fault on
    // another thread, in a process that also compiles), and a compilation that then crashed
    // would take the process with it. Enabling again is a no-op while it is on.
    llvm::CrashRecoveryContext::Enable();
    static std::once_flag once;
    std::call_once(once, [] {
        llvm::CrashRecoveryContext::Enable();
        for (int signal : {SIGSEGV, SIGBUS}) {
            sigaction(signal, nullptr, &crashRecoveryActions[signal]);
            struct sigaction action;
            std::memset(&action, 0, sizeof action);
            action.sa_sigaction = faultHandler;
            action.sa_flags = SA_SIGINFO | SA_ONSTACK;
            sigemptyset(&action.sa_mask);
            sigaction(signal, &action, nullptr);
        }
        llvm::install_fatal_error_handler(fatalErrorHandler, nullptr);
    });
}

/// How a safely run body ended.
struct SafeOutcome {
    bool completed = false;
    /// The LLVM fatal error's text, when that is why it stopped.
    std::string fatalError;
    /// The fault was in or just below the thread's stack.
    bool stackOverflow = false;
    /// Whether the body left through `RuneStopRequested` on purpose (a limit), not a crash.
    bool stoppedOnPurpose = false;

    std::string describe() const {
        if (!fatalError.empty()) return "LLVM fatal error: " + fatalError;
        if (stackOverflow) return "it ran out of stack";
        return "it crashed";
    }
};

/// The return code a body passes to HandleExit to stop on purpose.
constexpr int kStopCode = 0x5255;

struct SafeJob {
    std::function<void()> body;
    SafeOutcome outcome;
};

void *safeThreadMain(void *argument) {
    auto *job = static_cast<SafeJob *>(argument);
    void *signalStack = std::malloc(kSignalStackBytes);
    stack_t alternate;
    std::memset(&alternate, 0, sizeof alternate);
    alternate.ss_sp = signalStack;
    alternate.ss_size = kSignalStackBytes;
    sigaltstack(&alternate, nullptr);

    uintptr_t stackLow = 0;
#if defined(__linux__)
    pthread_attr_t attributes;
    if (pthread_getattr_np(pthread_self(), &attributes) == 0) {
        void *address = nullptr;
        size_t size = 0;
        pthread_attr_getstack(&attributes, &address, &size);
        stackLow = reinterpret_cast<uintptr_t>(address);
        pthread_attr_destroy(&attributes);
    }
#endif
    fatalErrorMessage.clear();
    faultAddress = 0;

    // The inner context recovers the body; the outer one recovers the inner one's cleanups
    // (clang registers some), which run on a state the crash may have damaged.
    llvm::CrashRecoveryContext outer;
    outer.RunSafely([&] {
        llvm::CrashRecoveryContext inner;
        job->outcome.completed = inner.RunSafely(job->body);
        if (!job->outcome.completed) {
            job->outcome.stoppedOnPurpose = inner.RetCode == kStopCode;
            job->outcome.fatalError = fatalErrorMessage;
            uintptr_t fault = faultAddress;
            job->outcome.stackOverflow = stackLow != 0 && fault != 0 && fault + 2 * kGuardBytes >= stackLow &&
                                         fault < stackLow + 64 * 1024;
        }
    });

    stack_t disable;
    std::memset(&disable, 0, sizeof disable);
    disable.ss_flags = SS_DISABLE;
    sigaltstack(&disable, nullptr);
    std::free(signalStack);
    return nullptr;
}

/// Runs `body` on a new thread with a large stack under crash recovery, and waits for it.
SafeOutcome runSafely(std::function<void()> body) {
    installCrashRecovery();
    SafeJob job{std::move(body), {}};
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, kStackBytes);
    pthread_attr_setguardsize(&attributes, kGuardBytes);
    pthread_t thread;
    if (pthread_create(&thread, &attributes, safeThreadMain, &job) != 0) {
        pthread_attr_destroy(&attributes);
        // No thread (address space exhausted): run here, still under recovery.
        safeThreadMain(&job);
        return job.outcome;
    }
    pthread_attr_destroy(&attributes);
    pthread_join(thread, nullptr);
    return job.outcome;
}

/// Leaves the current safe body on purpose (a limit was reached); clang's state is consistent.
[[noreturn]] void stopOnPurpose() {
    llvm::CrashRecoveryContext::GetCurrent()->HandleExit(kStopCode);
}

char *copyMessage(const std::string &text) {
    char *message = static_cast<char *>(std::malloc(text.size() + 1));
    std::memcpy(message, text.c_str(), text.size() + 1);
    return message;
}

// MARK: Confinement

bool isWithin(llvm::StringRef path, llvm::StringRef folder) {
    if (folder.endswith("/")) folder = folder.drop_back();
    return path == folder || (path.startswith(folder) && path.size() > folder.size() && path[folder.size()] == '/');
}

/// A file that reports the name it was asked for, so diagnostics show the user's path.
class RenamedFile final : public llvm::vfs::File {
public:
    RenamedFile(std::unique_ptr<llvm::vfs::File> file, std::string name) : file(std::move(file)), name(std::move(name)) {}
    llvm::ErrorOr<llvm::vfs::Status> status() override {
        auto status = file->status();
        if (!status) return status;
        return llvm::vfs::Status::copyWithNewName(*status, name);
    }
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> getBuffer(const llvm::Twine &, int64_t size,
                                                                 bool requiresNullTerminator,
                                                                 bool isVolatile) override {
        return file->getBuffer(name, size, requiresNullTerminator, isVolatile);
    }
    std::error_code close() override { return file->close(); }

private:
    std::unique_ptr<llvm::vfs::File> file;
    std::string name;
};

/// What a user's block sees: the in-memory files under /rune/ and the regular files inside one
/// folder, after resolving `..` and symlinks. Everything else does not exist, so neither
/// `#include`, `#include_next`, `__has_include` nor a macro can reach it.
class ConfinedFileSystem final : public llvm::vfs::FileSystem {
public:
    ConfinedFileSystem(llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> memory, std::string folder,
                       uint64_t maxFileBytes)
        : memory(std::move(memory)), real(llvm::vfs::getRealFileSystem()), folder(std::move(folder)),
          maxFileBytes(maxFileBytes) {
        llvm::SmallString<256> canonical;
        if (!llvm::sys::fs::real_path(this->folder, canonical)) canonicalFolder = std::string(canonical);
    }

    /// Whether a path was refused for being outside the folder since the last reset.
    bool refusedOutside = false;

    llvm::ErrorOr<llvm::vfs::Status> status(const llvm::Twine &path) override {
        Resolved where = resolve(path);
        switch (where.kind) {
        case Memory: return memory->status(where.absolute);
        case Refused: return where.error;
        case Real: {
            auto status = real->status(where.canonical);
            if (!status) return status.getError();
            if (auto error = check(*status)) return error;
            return llvm::vfs::Status::copyWithNewName(*status, where.absolute);
        }
        }
        return std::make_error_code(std::errc::no_such_file_or_directory);
    }

    llvm::ErrorOr<std::unique_ptr<llvm::vfs::File>> openFileForRead(const llvm::Twine &path) override {
        Resolved where = resolve(path);
        switch (where.kind) {
        case Memory: return memory->openFileForRead(where.absolute);
        case Refused: return where.error;
        case Real: {
            // Check what is there before opening it (a FIFO would block the open), then check that
            // what was opened is what was checked.
            auto expected = real->status(where.canonical);
            if (!expected) return expected.getError();
            if (auto error = check(*expected)) return error;
            if (!expected->isRegularFile()) return std::make_error_code(std::errc::is_a_directory);
            auto file = real->openFileForRead(where.canonical);
            if (!file) return file.getError();
            auto opened = (*file)->status();
            if (!opened || opened->getUniqueID() != expected->getUniqueID() || !opened->isRegularFile())
                return std::make_error_code(std::errc::permission_denied);
            if (auto error = check(*opened)) return error;
            return std::unique_ptr<llvm::vfs::File>(new RenamedFile(std::move(*file), where.absolute));
        }
        }
        return std::make_error_code(std::errc::no_such_file_or_directory);
    }

    llvm::vfs::directory_iterator dir_begin(const llvm::Twine &path, std::error_code &error) override {
        Resolved where = resolve(path);
        switch (where.kind) {
        case Memory: return memory->dir_begin(where.absolute, error);
        case Real: return real->dir_begin(where.canonical, error);
        case Refused: break;
        }
        error = where.error;
        return {};
    }

    std::error_code setCurrentWorkingDirectory(const llvm::Twine &) override {
        return std::make_error_code(std::errc::operation_not_permitted);
    }
    llvm::ErrorOr<std::string> getCurrentWorkingDirectory() const override {
        return real->getCurrentWorkingDirectory();
    }
    std::error_code getRealPath(const llvm::Twine &path, llvm::SmallVectorImpl<char> &output) const override {
        Resolved where = const_cast<ConfinedFileSystem *>(this)->resolve(path);
        switch (where.kind) {
        case Memory: return memory->getRealPath(where.absolute, output);
        case Real: output.assign(where.canonical.begin(), where.canonical.end()); return {};
        case Refused: break;
        }
        return where.error;
    }
    std::error_code isLocal(const llvm::Twine &, bool &result) override {
        result = true;
        return {};
    }

private:
    enum Kind { Memory, Real, Refused };
    struct Resolved {
        Kind kind;
        std::string absolute;
        std::string canonical;
        std::error_code error;
    };

    Resolved resolve(const llvm::Twine &path) {
        llvm::SmallString<256> absolute;
        path.toVector(absolute);
        real->makeAbsolute(absolute);
        llvm::sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
        std::string text(absolute);
        Resolved refused{Refused, text, "", std::make_error_code(std::errc::no_such_file_or_directory)};
        if (isWithin(text, "/rune")) return {Memory, text, text, {}};
        if (canonicalFolder.empty() || !isWithin(text, folder)) {
            refusedOutside = true;
            return refused;
        }
        llvm::SmallString<256> canonical;
        if (llvm::sys::fs::real_path(text, canonical)) return refused; // does not exist
        if (!isWithin(canonical, canonicalFolder)) {
            refusedOutside = true;
            return refused;
        }
        return {Real, text, std::string(canonical), {}};
    }

    /// Only regular files of bounded size, and folders.
    std::error_code check(const llvm::vfs::Status &status) const {
        if (status.isDirectory()) return {};
        if (!status.isRegularFile()) return std::make_error_code(std::errc::permission_denied);
        if (status.getSize() > maxFileBytes) return std::make_error_code(std::errc::file_too_large);
        return {};
    }

    llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> memory;
    llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> real;
    std::string folder;
    std::string canonicalFolder;
    uint64_t maxFileBytes;
};

// MARK: Diagnostics

/// Forwards clang's diagnostics, with presumed locations, to the Swift side.
class ForwardingConsumer final : public clang::DiagnosticConsumer {
public:
    ForwardingConsumer(RuneDiagnosticHandler handler, void *context, ConfinedFileSystem *confined)
        : handler(handler), context(context), confined(confined) {}

    void HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                          const clang::Diagnostic &info) override {
        clang::DiagnosticConsumer::HandleDiagnostic(level, info);
        if (!handler) return;
        RuneDiagnosticSeverity severity;
        switch (level) {
        case clang::DiagnosticsEngine::Ignored: return;
        case clang::DiagnosticsEngine::Note:
        case clang::DiagnosticsEngine::Remark: severity = RuneDiagnosticNote; break;
        case clang::DiagnosticsEngine::Warning: severity = RuneDiagnosticWarning; break;
        default: severity = RuneDiagnosticError; break;
        }
        llvm::SmallString<256> message;
        info.FormatDiagnostic(message);
        if (confined && info.getID() == clang::diag::err_pp_file_not_found) {
            std::string name = info.getNumArgs() > 0 ? info.getArgStdStr(0) : std::string();
            message = confined->refusedOutside
                ? "'" + name + "' is outside the Runefile's folder: a block may include only files in that folder "
                      "and the runtime headers"
                : "'" + name + "' file not found (blocks are freestanding: they may include rune_block.h, rune.h "
                      "and files in the Runefile's folder)";
        }
        std::string file;
        unsigned line = 0, column = 0;
        if (info.getLocation().isValid() && info.hasSourceManager()) {
            // A user's `#line` could name any file; a block's diagnostics point where clang read.
            clang::PresumedLoc presumed =
                info.getSourceManager().getPresumedLoc(info.getLocation(), /*UseLineDirectives=*/confined == nullptr);
            if (presumed.isValid()) {
                file = presumed.getFilename();
                line = presumed.getLine();
                column = presumed.getColumn();
            }
        }
        handler(context, severity, file.c_str(), line, column, message.c_str());
    }

private:
    RuneDiagnosticHandler handler;
    void *context;
    ConfinedFileSystem *confined;
};

// MARK: User blocks

/// What a user's block may not contain, found on the AST so that macros cannot hide it:
/// inline assembly (statement or file scope) and asm labels. Also records every function and
/// variable the block uses, to refuse those it neither defines nor may import.
class BlockChecker final : public clang::ASTConsumer, public clang::RecursiveASTVisitor<BlockChecker> {
public:
    BlockChecker(clang::DiagnosticsEngine &diagnostics, const RuneBlockPolicy &policy, void *handlerContext)
        : diagnostics(diagnostics), policy(policy), handlerContext(handlerContext) {
        asmNotAllowed = diagnostics.getCustomDiagID(
            clang::DiagnosticsEngine::Error, "inline assembly is not allowed in a block: runes are portable WebAssembly");
        asmLabelNotAllowed = diagnostics.getCustomDiagID(
            clang::DiagnosticsEngine::Error, "asm labels are not allowed in a block: runes are portable WebAssembly");
        undefinedFunction = diagnostics.getCustomDiagID(
            clang::DiagnosticsEngine::Error,
            "the block calls '%0', which it does not define: a block may call only its own functions, those of "
            "rune_block.h and the rune ABI (rune_capability_read, rune_output_write, rune_log_write)");
        undefinedVariable = diagnostics.getCustomDiagID(
            clang::DiagnosticsEngine::Error, "the block uses '%0', which it does not define");
        foreignImport = diagnostics.getCustomDiagID(
            clang::DiagnosticsEngine::Error,
            "the block imports '%0' from module '%1': a rune may import only rune.capability_read, "
            "rune.output_write and rune.log");
    }

    bool HandleTopLevelDecl(clang::DeclGroupRef group) override {
        for (clang::Decl *decl : group) TraverseDecl(decl);
        return true;
    }

    void HandleTranslationUnit(clang::ASTContext &context) override {
        for (const Use &use : uses) {
            if (auto *function = llvm::dyn_cast<clang::FunctionDecl>(use.decl)) {
                if (function->getDefinition()) continue;
                std::string name = function->getName().str();
                if (function->getBuiltinID() != 0) {
                    // A builtin may become a library call (`__builtin_powf` calls `powf`); the
                    // linker names it, and this says where it came from.
                    llvm::StringRef symbol(name);
                    symbol.consume_front("__builtin_");
                    reportSymbol(symbol.str(), use.location);
                    continue;
                }
                reportSymbol(name, use.location);
                clang::FunctionDecl *latest = function->getMostRecentDecl();
                auto *module = latest->getAttr<clang::WebAssemblyImportModuleAttr>();
                auto *importName = latest->getAttr<clang::WebAssemblyImportNameAttr>();
                if (module || importName) {
                    llvm::StringRef moduleName = module ? module->getImportModule() : "env";
                    llvm::StringRef field = importName ? importName->getImportName() : llvm::StringRef(name);
                    bool abi = moduleName == "rune" &&
                               (field == "capability_read" || field == "output_write" || field == "log");
                    if (!abi) diagnostics.Report(use.location, foreignImport) << field << moduleName;
                    continue;
                }
                if (isRuntimeDeclaration(function, context)) continue;
                diagnostics.Report(use.location, undefinedFunction) << name;
            } else if (auto *variable = llvm::dyn_cast<clang::VarDecl>(use.decl)) {
                if (!variable->hasGlobalStorage() || variable->hasDefinition(context) != clang::VarDecl::DeclarationOnly)
                    continue;
                reportSymbol(variable->getName().str(), use.location);
                diagnostics.Report(use.location, undefinedVariable) << variable->getName();
            }
        }
    }

    // RecursiveASTVisitor
    bool VisitGCCAsmStmt(clang::GCCAsmStmt *statement) {
        diagnostics.Report(statement->getAsmLoc(), asmNotAllowed);
        return true;
    }
    bool VisitMSAsmStmt(clang::MSAsmStmt *statement) {
        diagnostics.Report(statement->getAsmLoc(), asmNotAllowed);
        return true;
    }
    bool VisitFileScopeAsmDecl(clang::FileScopeAsmDecl *decl) {
        diagnostics.Report(decl->getAsmLoc(), asmNotAllowed);
        return true;
    }
    bool VisitDecl(clang::Decl *decl) {
        if (auto *label = decl->getAttr<clang::AsmLabelAttr>(); label && !label->isImplicit())
            diagnostics.Report(label->getLocation(), asmLabelNotAllowed);
        return true;
    }
    bool VisitDeclRefExpr(clang::DeclRefExpr *reference) {
        clang::ValueDecl *decl = reference->getDecl();
        if (!llvm::isa<clang::FunctionDecl>(decl) && !llvm::isa<clang::VarDecl>(decl)) return true;
        clang::Decl *canonical = decl->getCanonicalDecl();
        if (seen.insert({canonical, true}).second) uses.push_back({canonical, reference->getLocation()});
        return true;
    }

private:
    struct Use {
        clang::Decl *decl;
        clang::SourceLocation location;
    };

    /// The rune ABI's functions, declared by the runtime headers (rune.h): imports on wasm,
    /// defined by the firmware on Cortex-M. And the memory functions every rune defines.
    bool isRuntimeDeclaration(clang::FunctionDecl *function, clang::ASTContext &context) const {
        llvm::StringRef name = function->getName();
        if (name == "memcpy" || name == "memmove" || name == "memset" || name == "memcmp") return true;
        if (name != "rune_capability_read" && name != "rune_output_write" && name != "rune_log_write") return false;
        clang::PresumedLoc declared = context.getSourceManager().getPresumedLoc(
            function->getCanonicalDecl()->getLocation(), /*UseLineDirectives=*/false);
        return declared.isValid() && isWithin(declared.getFilename(), "/rune");
    }

    void reportSymbol(const std::string &symbol, clang::SourceLocation location) {
        if (!policy.symbolHandler) return;
        clang::PresumedLoc presumed = diagnostics.getSourceManager().getPresumedLoc(location, false);
        policy.symbolHandler(handlerContext, symbol.c_str(), presumed.isValid() ? presumed.getFilename() : "",
                             presumed.isValid() ? presumed.getLine() : 0, presumed.isValid() ? presumed.getColumn() : 0);
    }

    clang::DiagnosticsEngine &diagnostics;
    const RuneBlockPolicy &policy;
    void *handlerContext;
    unsigned asmNotAllowed, asmLabelNotAllowed, undefinedFunction, undefinedVariable, foreignImport;
    llvm::DenseMap<clang::Decl *, bool> seen;
    std::vector<Use> uses;
};

/// Resets the confined file system's "refused" flag once an include has been reported.
class IncludeTracker final : public clang::PPCallbacks {
public:
    explicit IncludeTracker(ConfinedFileSystem &confined) : confined(confined) {}
    void InclusionDirective(clang::SourceLocation, const clang::Token &, llvm::StringRef, bool,
                            clang::CharSourceRange, const clang::FileEntry *, llvm::StringRef, llvm::StringRef,
                            const clang::Module *, clang::SrcMgr::CharacteristicKind) override {
        confined.refusedOutside = false;
    }
    void HasInclude(clang::SourceLocation, llvm::StringRef, bool, llvm::Optional<clang::FileEntryRef>,
                    clang::SrcMgr::CharacteristicKind) override {
        confined.refusedOutside = false;
    }

private:
    ConfinedFileSystem &confined;
};

/// Emits LLVM IR like clang's EmitLLVMOnlyAction; for a user's block, also checks the AST and
/// bounds the preprocessor.
class CompileAction final : public clang::EmitLLVMOnlyAction {
public:
    CompileAction(llvm::LLVMContext *context, const RuneBlockPolicy *policy, ConfinedFileSystem *confined,
                  void *handlerContext)
        : clang::EmitLLVMOnlyAction(context), policy(policy), confined(confined), handlerContext(handlerContext) {}

    /// Set when the preprocessor stopped at a limit.
    bool stoppedAtLimit = false;

protected:
    std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance &compiler,
                                                          llvm::StringRef file) override {
        auto codeGen = clang::EmitLLVMOnlyAction::CreateASTConsumer(compiler, file);
        if (!policy || !codeGen) return codeGen;
        std::vector<std::unique_ptr<clang::ASTConsumer>> consumers;
        consumers.push_back(std::make_unique<BlockChecker>(compiler.getDiagnostics(), *policy, handlerContext));
        consumers.push_back(std::move(codeGen));
        return std::make_unique<clang::MultiplexConsumer>(std::move(consumers));
    }

    bool BeginSourceFileAction(clang::CompilerInstance &compiler) override {
        if (confined) confined->refusedOutside = false;
        if (policy) {
            clang::Preprocessor &preprocessor = compiler.getPreprocessor();
            if (confined) preprocessor.addPPCallbacks(std::make_unique<IncludeTracker>(*confined));
            // Every token lexed, at every level of macro expansion: argument pre-expansion is
            // where a chain of doubling macros spends its time.
            preprocessor.setPreprocessToken(true);
            auto start = std::chrono::steady_clock::now();
            unsigned long long maxTokens = policy->maxTokens;
            double maxSeconds = policy->maxSeconds;
            clang::DiagnosticsEngine &diagnostics = compiler.getDiagnostics();
            unsigned tooManyTokens = diagnostics.getCustomDiagID(
                clang::DiagnosticsEngine::Error, "the block expands to more than %0 tokens; is a macro expanding "
                                                 "exponentially?");
            unsigned tooSlow = diagnostics.getCustomDiagID(
                clang::DiagnosticsEngine::Error, "compiling the block took more than %0 seconds");
            preprocessor.setTokenWatcher([this, &diagnostics, start, maxTokens, maxSeconds, tooManyTokens,
                                          tooSlow, count = 0ull](const clang::Token &token) mutable {
                ++count;
                bool overTokens = maxTokens != 0 && count > maxTokens;
                bool overTime = false;
                if (!overTokens && maxSeconds > 0 && (count & 0xfff) == 0) {
                    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
                    overTime = elapsed.count() > maxSeconds;
                }
                if (!overTokens && !overTime) return;
                {
                    clang::SourceLocation location = token.getLocation();
                    if (location.isValid())
                        location = diagnostics.getSourceManager().getExpansionLoc(location);
                    if (overTokens) {
                        diagnostics.Report(location, tooManyTokens) << std::to_string(maxTokens);
                    } else {
                        char seconds[32];
                        std::snprintf(seconds, sizeof seconds, "%g", maxSeconds);
                        diagnostics.Report(location, tooSlow) << seconds;
                    }
                }
                stoppedAtLimit = true;
                stopOnPurpose();
            });
        }
        return clang::EmitLLVMOnlyAction::BeginSourceFileAction(compiler);
    }

private:
    const RuneBlockPolicy *policy;
    ConfinedFileSystem *confined;
    void *handlerContext;
};


} // namespace

extern "C" LLVMModuleRef RuneClangCompile(LLVMContextRef context,
                                          const char *const *arguments, unsigned argumentCount,
                                          const RuneVirtualFile *files, unsigned fileCount,
                                          const RuneBlockPolicy *policy,
                                          RuneDiagnosticHandler handler, void *handlerContext) {
    auto memory = llvm::makeIntrusiveRefCnt<llvm::vfs::InMemoryFileSystem>();
    for (unsigned i = 0; i < fileCount; ++i) {
        llvm::StringRef contents(files[i].contents, files[i].length);
        memory->addFile(files[i].path, 0, llvm::MemoryBuffer::getMemBufferCopy(contents, files[i].path));
    }
    llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> fileSystem;
    ConfinedFileSystem *confined = nullptr;
    if (policy && policy->confinement) {
        auto confinedSystem = llvm::makeIntrusiveRefCnt<ConfinedFileSystem>(memory, policy->confinement,
                                                                            policy->maxFileBytes);
        confined = confinedSystem.get();
        fileSystem = confinedSystem;
    } else {
        auto overlay = llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(llvm::vfs::getRealFileSystem());
        overlay->pushOverlay(memory);
        fileSystem = overlay;
    }

    // Everything that sees the C happens on a large stack under crash recovery. After a crash
    // the compiler's objects are leaked, not destroyed: their state cannot be trusted.
    auto *compiler = new clang::CompilerInstance();
    auto *action = new CompileAction(llvm::unwrap(context), policy, confined, handlerContext);
    std::unique_ptr<llvm::Module> module;
    SafeOutcome outcome = runSafely([&] {
        llvm::IntrusiveRefCntPtr<clang::DiagnosticOptions> options(new clang::DiagnosticOptions());
        llvm::IntrusiveRefCntPtr<clang::DiagnosticIDs> ids(new clang::DiagnosticIDs());
        auto *consumer = new ForwardingConsumer(handler, handlerContext, confined);
        llvm::IntrusiveRefCntPtr<clang::DiagnosticsEngine> diagnostics(
            new clang::DiagnosticsEngine(ids, options, consumer, /*ShouldOwnClient=*/true));

        auto invocation = std::make_shared<clang::CompilerInvocation>();
        llvm::ArrayRef<const char *> args(arguments, argumentCount);
        if (!clang::CompilerInvocation::CreateFromArgs(*invocation, args, *diagnostics)) return;
        // Diagnostics reach the caller one by one; clang's "N errors generated." summary would
        // only add noise on stderr.
        invocation->getDiagnosticOpts().ShowCarets = false;

        compiler->setInvocation(invocation);
        compiler->setDiagnostics(diagnostics.get());
        compiler->createFileManager(fileSystem);
        if (!compiler->ExecuteAction(*action)) return;
        module = action->takeModule();
    });

    if (outcome.completed || (outcome.stoppedOnPurpose && action->stoppedAtLimit)) {
        // A limit stops clang at a token boundary, where its state is consistent; tear it down
        // under recovery all the same.
        SafeOutcome teardown = runSafely([&] {
            delete action;
            delete compiler;
        });
        (void)teardown;
    } else if (handler) {
        std::string unit = argumentCount > 0 ? arguments[argumentCount - 1] : "";
        std::string message = outcome.stackOverflow
            ? "the compiler ran out of stack while compiling " + unit +
                  "; is an expression or declaration nested too deeply?"
            : "internal error: clang crashed while compiling " + unit + " (" + outcome.describe() +
                  "); please report it with the file";
        handler(handlerContext, RuneDiagnosticInternalError, "", 0, 0, message.c_str());
    }
    if (!outcome.completed || !module) return nullptr;
    return llvm::wrap(module.release());
}

extern "C" bool RuneRunSafely(void (*body)(void *context), void *context, char **message) {
    SafeOutcome outcome = runSafely([&] { body(context); });
    if (message) *message = outcome.completed ? nullptr : copyMessage(outcome.describe());
    return outcome.completed;
}

extern "C" bool RuneLink(RuneLinkerFlavor flavor, const char *const *arguments, unsigned argumentCount,
                         char **messages) {
    // RuneLinker holds the process's one linker lock (the AOT engine links through it too).
    bool ok = false;
    char *linkerMessages = nullptr;
    RuneLinkerFormat format = flavor == RuneLinkerWasm ? RuneLinkerFormatWasm : RuneLinkerFormatELF;
    SafeOutcome outcome = runSafely([&] { ok = RuneLinkerRun(format, arguments, argumentCount, &linkerMessages); });
    std::string output = linkerMessages ? linkerMessages : "";
    RuneLinkerDisposeMessage(linkerMessages);
    if (!outcome.completed) {
        ok = false;
        if (output.find("error:") == std::string::npos) output += "lld stopped: " + outcome.describe() + "\n";
    }
    if (messages) *messages = output.empty() ? nullptr : copyMessage(output);
    return ok;
}

extern "C" void RuneDisposeMessage(char *message) { std::free(message); }
