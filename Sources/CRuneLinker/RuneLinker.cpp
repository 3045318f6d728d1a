#include "RuneLinker.h"

#include <lld/Common/CommonLinkerContext.h>
#include <lld/Common/Driver.h>
#include <llvm-c/Target.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/Support/CrashRecoveryContext.h>

#include <signal.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

namespace {

/// lld's drivers keep global state (the CommonLinkerContext): one link at a time per process.
std::mutex linkerMutex;

char *copyMessage(const std::string &text) {
    char *message = static_cast<char *>(std::malloc(text.size() + 1));
    std::memcpy(message, text.c_str(), text.size() + 1);
    return message;
}

/// SIGSEGV's and SIGBUS's actions at one moment, to put back later.
struct SavedFaultActions {
    struct sigaction segv, bus;
    SavedFaultActions() {
        sigaction(SIGSEGV, nullptr, &segv);
        sigaction(SIGBUS, nullptr, &bus);
    }
    /// Puts back a signal's saved action where LLVM's remove-on-signal handler is on top (the
    /// one handler that asks for SA_RESETHAND), and leaves any other alone: a handler another
    /// thread installed meanwhile stays.
    void restore() const {
        restore(SIGSEGV, segv);
        restore(SIGBUS, bus);
    }
    static void restore(int signal, const struct sigaction &saved) {
        struct sigaction current;
        if (sigaction(signal, nullptr, &current) == 0 && (current.sa_flags & SA_RESETHAND)) {
            sigaction(signal, &saved, nullptr);
        }
    }
};

}  // namespace

extern "C" bool RuneLinkerRun(RuneLinkerFormat format, const char *const *arguments, unsigned argumentCount,
                              char **messages) {
    std::lock_guard<std::mutex> guard(linkerMutex);
    // lld's fatal errors leave through the current recovery context (exitLld calls HandleExit),
    // which only works once recovery is enabled; without one they would _exit the process.
    llvm::CrashRecoveryContext::Enable();
    std::string output;
    llvm::raw_string_ostream stream(output);
    llvm::ArrayRef<const char *> args(arguments, argumentCount);
    bool ok = false;
    // lld writes its output through a temporary file, which registers LLVM's remove-on-signal
    // handlers over whatever handles faults; the first fault they see puts back what they found
    // at that moment, dropping any handler installed since (the AOT engine's guard pages'). The
    // temporary file is gone when lld returns, so the handlers from before the link come back.
    const SavedFaultActions saved;
    llvm::CrashRecoveryContext recovery;
    bool completed = recovery.RunSafely([&] {
        switch (format) {
        case RuneLinkerFormatWasm:
            ok = lld::wasm::link(args, stream, stream, /*exitEarly=*/false, /*disableOutput=*/false);
            break;
        case RuneLinkerFormatELF:
            ok = lld::elf::link(args, stream, stream, /*exitEarly=*/false, /*disableOutput=*/false);
            break;
        }
    });
    // Frees lld's global state so the next link starts clean.
    llvm::CrashRecoveryContext cleanup;
    cleanup.RunSafely([] { lld::CommonLinkerContext::destroy(); });
    saved.restore();
    stream.flush();
    if (!completed) {
        ok = false;
        // lld prints its own fatal error before leaving; only say more when it printed nothing.
        if (output.find("error:") == std::string::npos) output += "lld stopped: it crashed\n";
    }
    if (messages) *messages = output.empty() ? nullptr : copyMessage(output);
    return ok;
}

extern "C" void RuneLinkerDisposeMessage(char *message) { std::free(message); }

extern "C" const char *RuneLinkerLLVMVersion(void) { return LLVM_VERSION_STRING; }

extern "C" void RuneLinkerInitializeTargets(void) {
    // A function-local static is initialized once, and concurrent callers wait for it.
    static const bool initialized = [] {
#if defined(__x86_64__)
        LLVMInitializeX86TargetInfo();
        LLVMInitializeX86Target();
        LLVMInitializeX86TargetMC();
        LLVMInitializeX86AsmPrinter();
#elif defined(__aarch64__)
        LLVMInitializeAArch64TargetInfo();
        LLVMInitializeAArch64Target();
        LLVMInitializeAArch64TargetMC();
        LLVMInitializeAArch64AsmPrinter();
#endif
        LLVMInitializeARMTargetInfo();
        LLVMInitializeARMTarget();
        LLVMInitializeARMTargetMC();
        LLVMInitializeARMAsmPrinter();
        // Firmware startup code and translated code hold inline assembly, which the object
        // streamer parses.
        LLVMInitializeARMAsmParser();
        LLVMInitializeWebAssemblyTargetInfo();
        LLVMInitializeWebAssemblyTarget();
        LLVMInitializeWebAssemblyTargetMC();
        LLVMInitializeWebAssemblyAsmPrinter();
        return true;
    }();
    (void)initialized;
}
