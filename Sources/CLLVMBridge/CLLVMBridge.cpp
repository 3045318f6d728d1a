#include "CLLVMBridge.h"

#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/DiagnosticOptions.h>
#include <clang/Basic/SourceManager.h>
#include <clang/CodeGen/CodeGenAction.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <lld/Common/CommonLinkerContext.h>
#include <lld/Common/Driver.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/VirtualFileSystem.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace {

/// Forwards clang's diagnostics, with presumed locations, to the Swift side.
class ForwardingConsumer final : public clang::DiagnosticConsumer {
public:
    ForwardingConsumer(RuneDiagnosticHandler handler, void *context)
        : handler(handler), context(context) {}

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
        std::string file;
        unsigned line = 0, column = 0;
        if (info.getLocation().isValid() && info.hasSourceManager()) {
            clang::PresumedLoc presumed = info.getSourceManager().getPresumedLoc(info.getLocation());
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
};

/// lld keeps global state per link; one link at a time.
std::mutex linkerMutex;

} // namespace

extern "C" LLVMModuleRef RuneClangCompile(LLVMContextRef context,
                                          const char *const *arguments, unsigned argumentCount,
                                          const RuneVirtualFile *files, unsigned fileCount,
                                          RuneDiagnosticHandler handler, void *handlerContext) {
    llvm::IntrusiveRefCntPtr<clang::DiagnosticOptions> options(new clang::DiagnosticOptions());
    llvm::IntrusiveRefCntPtr<clang::DiagnosticIDs> ids(new clang::DiagnosticIDs());
    auto *consumer = new ForwardingConsumer(handler, handlerContext);
    llvm::IntrusiveRefCntPtr<clang::DiagnosticsEngine> diagnostics(
        new clang::DiagnosticsEngine(ids, options, consumer, /*ShouldOwnClient=*/true));

    auto invocation = std::make_shared<clang::CompilerInvocation>();
    llvm::ArrayRef<const char *> args(arguments, argumentCount);
    if (!clang::CompilerInvocation::CreateFromArgs(*invocation, args, *diagnostics))
        return nullptr;
    // Diagnostics reach the caller one by one; clang's "N errors generated." summary would
    // only add noise on stderr.
    invocation->getDiagnosticOpts().ShowCarets = false;

    auto memory = llvm::makeIntrusiveRefCnt<llvm::vfs::InMemoryFileSystem>();
    for (unsigned i = 0; i < fileCount; ++i) {
        llvm::StringRef contents(files[i].contents, files[i].length);
        memory->addFile(files[i].path, 0, llvm::MemoryBuffer::getMemBufferCopy(contents, files[i].path));
    }
    auto overlay = llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(llvm::vfs::getRealFileSystem());
    overlay->pushOverlay(memory);

    clang::CompilerInstance compiler;
    compiler.setInvocation(invocation);
    compiler.setDiagnostics(diagnostics.get());
    compiler.createFileManager(overlay);

    clang::EmitLLVMOnlyAction action(llvm::unwrap(context));
    if (!compiler.ExecuteAction(action)) return nullptr;
    std::unique_ptr<llvm::Module> module = action.takeModule();
    if (!module) return nullptr;
    return llvm::wrap(module.release());
}

extern "C" bool RuneLink(RuneLinkerFlavor flavor, const char *const *arguments, unsigned argumentCount,
                         char **messages) {
    std::lock_guard<std::mutex> guard(linkerMutex);
    std::string output;
    llvm::raw_string_ostream stream(output);
    llvm::ArrayRef<const char *> args(arguments, argumentCount);
    bool ok = false;
    switch (flavor) {
    case RuneLinkerWasm:
        ok = lld::wasm::link(args, stream, stream, /*exitEarly=*/false, /*disableOutput=*/false);
        break;
    case RuneLinkerELF:
        ok = lld::elf::link(args, stream, stream, /*exitEarly=*/false, /*disableOutput=*/false);
        break;
    }
    // Frees lld's global state so the next link starts clean.
    lld::CommonLinkerContext::destroy();
    stream.flush();
    if (messages) {
        if (output.empty()) {
            *messages = nullptr;
        } else {
            *messages = static_cast<char *>(std::malloc(output.size() + 1));
            std::memcpy(*messages, output.c_str(), output.size() + 1);
        }
    }
    return ok;
}

extern "C" void RuneDisposeMessage(char *message) { std::free(message); }
