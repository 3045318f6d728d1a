import RuneManifest

/// A board runec builds firmware for: its memory, its support code in `Runtime/cortex-m/boards/`,
/// and the capabilities it can provide.
public struct Board: Sendable, Equatable {
    public struct Region: Sendable, Equatable {
        public var name: String
        public var origin: UInt32
        public var bytes: UInt32
    }

    public var name: String
    public var summary: String
    /// Where the application image starts and how much flash it may use.
    public var flash: Region
    /// Where `.data`, `.bss` and the stack live.
    public var ram: [Region]
    /// Capability kinds the board's runtime serves (from data embedded at build time). Its C
    /// file lists the same kinds in `rune_board_has_capability` (a test checks they agree).
    public var capabilities: [CapabilityKind]
    /// Where RunicOS puts itself and its runes.
    public var runicos: RunicOSLayout
    /// Board support C, under Runtime/.
    var source: String
    var linkerScript: String

    /// Every board runec knows.
    public static let all: [Board] = [portentaH7, mps2AN500]

    public static func named(_ name: String) -> Board? {
        all.first { $0.name == name.lowercased() }
    }

    /// Arduino Portenta H7, STM32H747 Cortex-M7 core, after the Arduino bootloader.
    public static let portentaH7 = Board(
        name: "portenta-h7", summary: "Arduino Portenta H7 (STM32H747, Cortex-M7 at 480 MHz)",
        flash: Region(name: "FLASH", origin: 0x0804_0000, bytes: 768 * 1024),
        ram: [Region(name: "DTCM", origin: 0x2000_0000, bytes: 128 * 1024),
              Region(name: "AXI SRAM", origin: 0x2400_0000, bytes: 512 * 1024)],
        capabilities: [.raw, .rand, .sound, .image, .accel],
        runicos: portentaH7RunicOS,
        source: "cortex-m/boards/portenta_h7.c", linkerScript: "cortex-m/boards/portenta-h7.ld")

    /// QEMU's Cortex-M7 board (`qemu-system-arm -M mps2-an500`), for tests.
    public static let mps2AN500 = Board(
        name: "mps2-an500", summary: "ARM MPS2 AN500 (Cortex-M7), as emulated by QEMU",
        flash: Region(name: "SSRAM1", origin: 0x0000_0000, bytes: 4 * 1024 * 1024),
        ram: [Region(name: "SSRAM2/3", origin: 0x2000_0000, bytes: 4 * 1024 * 1024)],
        capabilities: [.raw, .rand, .sound, .accel],
        runicos: mps2AN500RunicOS,
        source: "cortex-m/boards/mps2_an500.c", linkerScript: "cortex-m/boards/mps2-an500.ld")
}
