import Foundation
import RuneLink
import RuneTestSupport
import Testing

/// A Python with PyPI's smpclient (and its serial extra): `RUNE_SMPCLIENT_PYTHON`, else
/// `python3` if it imports smpclient. To get one:
///
///     python3 -m venv DIR && DIR/bin/pip install 'smpclient[serial]'
///     RUNE_SMPCLIENT_PYTHON=DIR/bin/python swift test --skip-build --filter RuneLink
let smpclientPython: URL? = {
    var candidates: [URL] = []
    if let configured = ProcessInfo.processInfo.environment["RUNE_SMPCLIENT_PYTHON"], !configured.isEmpty {
        candidates.append(URL(fileURLWithPath: configured))
    }
    if let python = Executables.system("python3") { candidates.append(python) }
    return candidates.first { python in
        (try? Executables.run(executable: python, ["-c", "import smpclient, serial"], timeout: 30))?.status == 0
    }
}()

/// smpclient, the reference Python client, against the device side: what `smpmgr` and other
/// MCUmgr tools will do to a RunicOS board.
@Suite(.enabled(if: hostCCompiler != nil && smpclientPython != nil,
                "needs a host C compiler and a Python with smpclient[serial] (set RUNE_SMPCLIENT_PYTHON)"),
       .timeLimit(.minutes(2)))
struct SMPClientInteropTests {
    @Test func smpclientEchoesAndUploads() throws {
        let harness = try LinkHarness()
        let image = TestImage.make(slot: 0, codeBytes: 25_000, runeSHA256: Array(repeating: 0x5C, count: 32), seed: 9)
        let folder = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let imageFile = folder.appendingPathComponent("app.rimg")
        try Data(image).write(to: imageFile)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Interop/smpclient_interop.py")
        let run = try Executables.run(executable: try #require(smpclientPython), [script.path, String(harness.port), imageFile.path],
                                      timeout: 90)
        #expect(run.status == 0 && !run.timedOut, "smpclient failed:\n\(run.standardOutput)\n\(run.standardError)")
        #expect(run.standardOutput.contains("upload ok") && run.standardOutput.contains("image state ok: slot 0 active"))
        #expect(run.standardOutput.contains("corrupt upload refused") && run.standardOutput.contains("the good image stays active"))
        // The device agrees, seen through the Swift client.
        let info = try harness.client().runeInfo()
        #expect(info.slot == 0 && info.runeSHA256 == Array(repeating: 0x5C, count: 32))
    }
}
