import Foundation
import RuneCompiler
import RuneFrontEnd
import RuneManifest
import RuneTestSupport
import Testing

/// User blocks written to hurt the compiler: each is a located E0402 (or, for input that is merely
/// big, a rune), never a crash, a hang or a leak of a file outside the Runefile's folder.
///
/// `Fixtures/hostile/blocks/<case>/` holds the small cases with their golden `expected.stderr`;
/// the big ones (100,000-term expressions, exponential macros) are generated here.
@Suite struct HostileBlockTests {
    static let e0402 = DiagnosticCode.blockCompilation

    @Test(.timeLimit(.minutes(2)), arguments: Fixtures.cases("hostile/blocks"))
    func refusesTheFixture(_ name: String) throws {
        let folder = Fixtures.folder("hostile/blocks", name)
        let start = Date()
        let result = Compiler().compile(path: Fixtures.runefile(in: folder).path)
        let rendered = Fixtures.relativize(result.renderedDiagnostics())
        Fixtures.expect(rendered, matches: folder.appendingPathComponent("expected.stderr"))
        #expect(!result.succeeded)
        #expect(result.artifact == nil)
        #expect(result.diagnostics.contains { $0.code == Self.e0402 && $0.severity == .error })
        #expect(!rendered.contains("internal compiler error"))
        #expect(!rendered.contains("internal error"))
        // Nothing of /etc/passwd, which several cases try to include.
        #expect(!rendered.contains("root:"))
        #expect(Date().timeIntervalSince(start) < 60)
    }

    // MARK: Generated inputs

    @Test(.timeLimit(.minutes(3)))
    func compilesAHundredThousandTermExpression() throws {
        let terms = Array(repeating: "1", count: 100_000).joined(separator: "+")
        let block = HostileBlock(body: "return (\(terms)) == 100000 ? RUNE_OK : RUNE_ERROR_BLOCK;")
        let result = block.compile()
        #expect(!result.rendered.contains("internal"), "\(result.rendered)")
        #expect(result.compilation.succeeded, "\(result.rendered)")
        #expect(result.seconds < 120)
    }

    /// `!!!!...!0`: clang's parser recurses once per operator and has no limit for it, so two
    /// million of them exhaust even the compiler's 512 MiB stack. That is an error, and the same
    /// process compiles the next block as if nothing happened.
    @Test(.timeLimit(.minutes(3)))
    func recoversFromAStackOverflowInClangAndKeepsCompiling() throws {
        let block = HostileBlock(body: "return " + String(repeating: "!", count: 2_000_000) + "0;")
        let result = block.compile()
        #expect(!result.compilation.succeeded)
        #expect(result.compilation.diagnostics.contains { $0.code == Self.e0402 && $0.message.contains("ran out of stack") },
                "\(result.rendered)")
        #expect(result.seconds < 120)

        let normal = HostileBlock(body: "float *y = out[0].data; const float *x = in[0].data;\n"
            + "    for (uint32_t i = 0; i < 4; i++) y[i] = x[i] * 2.0f;\n    return RUNE_OK;").compile()
        #expect(normal.compilation.succeeded, "\(normal.rendered)")
        #expect(normal.compilation.artifact.map { Array($0.prefix(4)) } == [0x00, 0x61, 0x73, 0x6d])
    }

    /// `#define X1 X0 X0`, ... `X40`: 2^40 tokens if expanded.
    @Test(.timeLimit(.minutes(2)))
    func refusesExponentialObjectLikeMacros() throws {
        var lines = ["#define X0 1+"]
        for level in 1...40 { lines.append("#define X\(level) X\(level - 1) X\(level - 1)") }
        let result = HostileBlock(prelude: lines.joined(separator: "\n"), body: "return X40 0;").compile()
        #expect(result.compilation.diagnostics.contains {
            $0.code == Self.e0402 && $0.message.contains("expands to more than \(RuneLimits.maxBlockTokens) tokens")
                && $0.range?.start.line == 44
        }, "\(result.rendered)")
        #expect(result.seconds < 60)
    }

    /// `D(D(D(...D(1)...)))` with `#define D(x) x x`: the doubling happens while clang
    /// pre-expands macro arguments, below the token stream the parser sees.
    @Test(.timeLimit(.minutes(2)))
    func refusesExponentialMacroArguments() throws {
        let nested = String(repeating: "D(", count: 40) + "1+" + String(repeating: ")", count: 40)
        let result = HostileBlock(prelude: "#define D(x) x x", body: "return \(nested) 0;").compile()
        #expect(result.compilation.diagnostics.contains {
            $0.code == Self.e0402 && $0.message.contains("expands to more than")
        }, "\(result.rendered)")
        #expect(result.seconds < 60)
    }

    /// A file outside the Runefile's folder, holding a secret, reached every way a block could try.
    @Test(.timeLimit(.minutes(2)))
    func neverShowsAFileOutsideTheRunefileFolder() throws {
        let marker = "RUNE_SECRET_MARKER_5f1c"
        let attempts: [(name: String, prelude: String)] = [
            ("absolute", "#include \"{secret}\""),
            ("parent", "#include \"../secret.h\""),
            ("symlink", "#include \"link.h\""),
            ("macro", "#define STR(x) #x\n#define PATH(x) STR(x)\n#include PATH({secret})"),
            ("include_next", "#include_next \"../secret.h\""),
            ("line", "#line 1 \"{secret}\"\nint oops = undefined_name;"),
        ]
        for attempt in attempts {
            let block = HostileBlock(prelude: attempt.prelude, body: "return RUNE_OK;")
            let secret = block.root.appendingPathComponent("secret.h")
            try "\(marker) is the first line\nint \(marker);\n".write(to: secret, atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: block.folder.appendingPathComponent("link.h").path,
                                                       withDestinationPath: secret.path)
            block.prelude = block.prelude.replacingOccurrences(of: "{secret}", with: secret.path)
            let result = block.compile()
            #expect(!result.rendered.contains(marker), "\(attempt.name): \(result.rendered)")
            #expect(!result.compilation.succeeded, "\(attempt.name) compiled")
            #expect(result.compilation.diagnostics.contains { $0.code == Self.e0402 }, "\(attempt.name): \(result.rendered)")
            #expect(!result.rendered.contains("internal"), "\(attempt.name): \(result.rendered)")
        }
    }

    /// `__has_include` cannot even tell that a file outside the folder exists.
    @Test func hidesTheExistenceOfFilesOutsideTheFolder() throws {
        let block = HostileBlock(prelude: "#if __has_include(\"{secret}\") || __has_include(\"../secret.h\")\n"
            + "#error the secret exists\n#endif", body: "return RUNE_OK;")
        let secret = block.root.appendingPathComponent("secret.h")
        try "int x;\n".write(to: secret, atomically: true, encoding: .utf8)
        block.prelude = block.prelude.replacingOccurrences(of: "{secret}", with: secret.path)
        let result = block.compile()
        #expect(result.compilation.succeeded, "\(result.rendered)")
    }

    /// The block itself may not be a symlink to a file elsewhere.
    @Test func refusesABlockThatIsASymlinkOutOfTheFolder() throws {
        let marker = "RUNE_SECRET_MARKER_a90e"
        let block = HostileBlock(body: "return RUNE_OK;")
        let secret = block.root.appendingPathComponent("secret.c")
        try "\(marker) here\n".write(to: secret, atomically: true, encoding: .utf8)
        block.blockName = "evil.c"
        try FileManager.default.createSymbolicLink(atPath: block.folder.appendingPathComponent("evil.c").path,
                                                   withDestinationPath: secret.path)
        let result = block.compile(writeBlock: false)
        #expect(!result.rendered.contains(marker), "\(result.rendered)")
        #expect(!result.compilation.succeeded)
        #expect(result.compilation.diagnostics.contains { $0.code == Self.e0402 }, "\(result.rendered)")
    }

    /// A FIFO inside the folder would block `open` forever; it is refused without opening it.
    @Test(.timeLimit(.minutes(1)))
    func refusesAFIFOInsideTheFolder() throws {
        let block = HostileBlock(prelude: "#include \"pipe.h\"", body: "return RUNE_OK;")
        #expect(mkfifo(block.folder.appendingPathComponent("pipe.h").path, 0o600) == 0)
        let result = block.compile()
        #expect(!result.compilation.succeeded)
        #expect(result.compilation.diagnostics.contains { $0.code == Self.e0402 }, "\(result.rendered)")
        #expect(result.seconds < 30)
    }

    /// Runes without user blocks are built exactly as before: the examples compile to the same
    /// bytes twice, and confinement changes nothing for a plan that has no user block.
    @Test func planWithoutUserBlocksIsUnconfined() throws {
        var plan = BuildPlan(target: .wasm32, optimization: .size, debugInfo: false,
                             units: [.init(path: "/rune/main.c", source: "int x;")], headers: [:],
                             includeDirectories: [], exportedSymbols: [], linkerArguments: [])
        plan.confineUserBlocks(to: "/tmp")
        #expect(plan.units.allSatisfy { $0.confinement == nil })
    }
}

/// A Runefile and its block, written to a fresh folder (inside a fresh root, so tests can put
/// files next to the folder, outside it).
final class HostileBlock {
    let root: URL
    let folder: URL
    var prelude: String
    var body: String
    var blockName = "gain.c"

    init(prelude: String = "", body: String) {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("rune-hostile-\(UUID().uuidString)")
        folder = root.appendingPathComponent("block")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.prelude = prelude
        self.body = body
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    var source: String {
        """
        #include "rune_block.h"
        \(prelude)
        int32_t rune_block_run(const rune_block_arguments *a, const rune_tensor *in, uint32_t n, rune_tensor *out, uint32_t m) {
            \(body)
        }

        """
    }

    func compile(writeBlock: Bool = true) -> (compilation: CompilationResult, rendered: String, seconds: Double) {
        let runefile = folder.appendingPathComponent("Runefile")
        try? """
            FROM runicos/base
            CAPABILITY<F32[4]> input RAW
            PROC_BLOCK<F32[4],F32[4]> gain ./\(blockName)
            OUT serial
            RUN input gain serial

            """.write(to: runefile, atomically: true, encoding: .utf8)
        if writeBlock {
            try? source.write(to: folder.appendingPathComponent(blockName), atomically: true, encoding: .utf8)
        }
        let start = Date()
        let result = Compiler().compile(path: runefile.path)
        return (result, result.renderedDiagnostics(), Date().timeIntervalSince(start))
    }
}
