import Foundation
import RuneLink
import RuneTestSupport
import Testing

/// A Python that imports `modules`: `RUNE_SMPCLIENT_PYTHON`, else `python3`. To get one with
/// PyPI's smpclient and smpmgr:
///
///     python3 -m venv DIR && DIR/bin/pip install 'smpclient[serial]' smpmgr
///     RUNE_SMPCLIENT_PYTHON=DIR/bin/python swift test --skip-build --filter RuneLink
func python(importing modules: String) -> URL? {
    var candidates: [URL] = []
    if let configured = ProcessInfo.processInfo.environment["RUNE_SMPCLIENT_PYTHON"], !configured.isEmpty {
        candidates.append(URL(fileURLWithPath: configured))
    }
    if let python = Executables.system("python3") { candidates.append(python) }
    return candidates.first { python in
        (try? Executables.run(executable: python, ["-c", "import \(modules)"], timeout: 60))?.status == 0
    }
}

let smpclientPython = python(importing: "smpclient, serial")
let smpmgrPython = python(importing: "smpmgr")

/// The reference MCUmgr tools from PyPI against the device side: smpclient (the library) and
/// smpmgr (its command line), as people will point them at a RunicOS board.
@Suite(.enabled(if: hostCCompiler != nil, "needs a host C compiler (cc or clang)"), .timeLimit(.minutes(2)))
struct SMPClientInteropTests {
    static let rune = Array(repeating: UInt8(0x5C), count: 32)

    /// Runs `script` (under Interop/) with `python` against a fresh harness and an image for
    /// slot A; returns the harness for checks afterwards.
    static func run(_ script: String, with python: URL?) throws -> (LinkHarness, Executables.Result) {
        let harness = try LinkHarness()
        let image = TestImage.make(slot: 0, codeBytes: 25_000, runeSHA256: rune, seed: 9)
        let folder = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let imageFile = folder.appendingPathComponent("app.rimg")
        try Data(image).write(to: imageFile)
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Interop/\(script)")
        let result = try Executables.run(executable: try #require(python), [path.path, String(harness.port), imageFile.path], timeout: 90)
        return (harness, result)
    }

    @Test(.enabled(if: smpclientPython != nil, "needs a Python with smpclient[serial] (set RUNE_SMPCLIENT_PYTHON)"))
    func smpclientEchoesUploadsAndIsRefusedACorruptImage() throws {
        let (harness, run) = try Self.run("smpclient_interop.py", with: smpclientPython)
        #expect(run.status == 0 && !run.timedOut, "smpclient failed:\n\(run.standardOutput)\n\(run.standardError)")
        #expect(run.standardOutput.contains("upload ok") && run.standardOutput.contains("image state ok: slot 0 active"))
        #expect(run.standardOutput.contains("corrupt upload refused") && run.standardOutput.contains("the good image stays active"))
        // The device agrees, seen through the Swift client.
        let info = try harness.client().runeInfo()
        #expect(info.slot == 0 && info.runeSHA256 == Self.rune)
    }

    @Test(.enabled(if: smpmgrPython != nil, "needs a Python with smpmgr (set RUNE_SMPCLIENT_PYTHON)"))
    func smpmgrEchoesUpgradesAndReadsTheState() throws {
        let (harness, run) = try Self.run("smpmgr_interop.py", with: smpmgrPython)
        #expect(run.status == 0 && !run.timedOut, "smpmgr failed:\n\(run.standardOutput)\n\(run.standardError)")
        #expect(run.standardOutput.contains("smpmgr image state ok"))
        // smpmgr's upgrade ends with a reset, which the harness survives with its storage.
        #expect(harness.log.contains("reset 1"))
        #expect(try harness.client().runeInfo().slot == 0)
    }
}
