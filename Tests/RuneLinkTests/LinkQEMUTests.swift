import Foundation
import RuneFiles
import RuneLink
import RuneTestSupport
import Testing

/// The link on the emulated board: `Runtime/runicos/tests/link_qemu.c` with the real mps2-an500
/// board file (CMSDK UART receive, SYSRESETREQ), built with the toolchain's clang and ld.lld and
/// run in QEMU with its serial port on a TCP socket of 127.0.0.1.
@Suite(.enabled(if: LinkQEMU.tools != nil, "needs qemu-system-arm, clang and ld.lld"), .timeLimit(.minutes(3)))
struct LinkQEMUTests {
    @Test func echoUploadInputAndResetOnTheEmulatedBoard() throws {
        let qemu = try LinkQEMU()
        let client = SMPClient(link: try TCPByteLink(port: qemu.port), timeout: 3, retries: 2)
        #expect(try client.echo("hello, mps2") == "hello, mps2")
        #expect(try client.parameters().bufferSize == 2048)
        #expect(try client.runeInfo().slot == nil)
        let rune = Array(repeating: UInt8(0x3E), count: 32)
        let image = TestImage.make(slot: 0, codeBytes: 40_000, runeSHA256: rune, seed: 11, layout: .qemu)
        try client.upload(image: image)
        let info = try client.runeInfo()
        #expect(info.board == "mps2-an500" && info.slot == 0 && info.runeSHA256 == rune)
        #expect(try client.imageState().first { $0.active }?.hash == SHA256.hash(image))
        try client.streamInput(index: 0, data: Array(repeating: 9, count: 16))
        #expect(try client.runeInfo().calls == 1)
        // SYSRESETREQ restarts the board; the slots (in RAM QEMU does not reload) keep the rune.
        try client.reset()
        Thread.sleep(forTimeInterval: 0.5)
        let after = try client.runeInfo()
        #expect(after.slot == 0 && after.calls == 0)
        #expect(client.consoleLines.filter { $0 == "runicos link test firmware ready" }.count >= 1)
    }
}

/// QEMU running the link test firmware; killed when released.
final class LinkQEMU {
    struct Tools {
        var qemu: URL
        var clang: URL
    }

    static let tools: Tools? = {
        guard let qemu = Executables.system("qemu-system-arm"), let clang = Executables.system("clang"),
              Executables.system("ld.lld") != nil else { return nil }
        return Tools(qemu: qemu, clang: clang)
    }()

    static let firmware: Result<URL, any Error> = Result {
        guard let compiler = LinkQEMU.tools?.clang else { throw LinkHarness.HarnessError("no clang") }
        let runtime = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Runtime")
        let sources = ["lib/memory.c", "cortex-m/startup.c", "cortex-m/builtins.c", "cortex-m/boards/mps2_an500.c", "cortex-m/sha256.c",
                       "runicos/image.c", "runicos/slots.c", "runicos/storage_ram.c", "runicos/link/smp_serial.c",
                       "runicos/link/cbor.c", "runicos/link/smp_server.c", "runicos/link/link.c", "runicos/tests/link_qemu.c"]
        let output = try Executables.temporaryFolder().appendingPathComponent("link_qemu.elf")
        let build = try Executables.run(executable: compiler, [
            "--target=thumbv7em-none-eabihf", "-mcpu=cortex-m7", "-mfloat-abi=hard", "-mfpu=fpv5-d16", "-ffreestanding", "-nostdlib",
            "-fno-common", "-std=c11", "-O2", "-Wall", "-Werror", "-I", runtime.appendingPathComponent("include").path, "-I", runtime.path,
            "-fuse-ld=lld", "-Wl,-T,\(runtime.appendingPathComponent("cortex-m/boards/mps2-an500.ld").path)", "-Wl,--gc-sections",
        ] + sources.map { runtime.appendingPathComponent($0).path } + ["-o", output.path], timeout: 120)
        guard build.status == 0 else { throw LinkHarness.HarnessError("link_qemu.c does not build:\n\(build.standardError)") }
        return output
    }

    let process = Process()
    let port: UInt16

    init() throws {
        let tools = try #require(Self.tools)
        port = try Self.freePort()
        process.executableURL = tools.qemu
        // wait=on: the board starts when the client connects, so its banner is not lost.
        process.arguments = ["-M", "mps2-an500", "-nographic", "-monitor", "none", "-kernel", try Self.firmware.get().path,
                             "-serial", "tcp:127.0.0.1:\(port),server=on,wait=on",
                             "-semihosting-config", "enable=on,target=native"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // QEMU listens once it has set up the machine; connecting before that is refused.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, process.isRunning {
            if let probe = try? TCPByteLink(port: port, timeout: 0.2) {
                probe.disconnect()
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(process.processIdentifier, SIGKILL)
        throw LinkHarness.HarnessError("QEMU did not listen on port \(port)")
    }

    /// A port of 127.0.0.1 free a moment ago (QEMU binds it next).
    static func freePort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw LinkHarness.HarnessError("no free port") }
        return UInt16(bigEndian: address.sin_port)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
