/// Where RunicOS and its runes live on a board: the OS's own flash and RAM, the two rune slots,
/// and the RAM region a rune runs in. runec links container images against it
/// (`ContainerImage`) and generates the OS's linker script and `runicos_board_layout` from it
/// (`RunicOSFirmware`), so the C side has no copy to drift.
///
/// Slots and the rune's RAM region are powers of two aligned to their size: each is one
/// Cortex-M7 MPU region.
public struct RunicOSLayout: Sendable, Equatable {
    /// The OS's code and read-only data, vector table first.
    public var flash: Board.Region
    /// The OS's data, bss and main stack.
    public var ram: Board.Region
    /// The addresses of slots A and B.
    public var slots: [UInt32]
    public var slotBytes: UInt32
    /// The rune's RAM: its control block, data, bss and, at the top, its stack.
    public var runeRAM: Board.Region
    /// The rune stack every image reserves at the top of `runeRAM`.
    public var runeStackBytes: UInt32
    /// The `runicos_storage` the slots are written through (C symbol) and the C that defines it.
    var storageSymbol: String
    var storageSources: [String]

    /// Bytes of the image header (`Runtime/runicos/image.h`).
    static let headerBytes: UInt32 = 128
    /// The SHA-256 trailer.
    static let trailerBytes: UInt32 = 32
    /// The activation record at the end of each slot (`Runtime/runicos/slots.h`).
    static let slotRecordBytes: UInt32 = 32
    /// The control block at the start of the rune's RAM (`RUNICOS_CONTROL_BLOCK_BYTES`).
    static let controlBlockBytes: UInt32 = 1024

    /// The largest image a slot holds.
    public var maxImageBytes: UInt32 { slotBytes - Self.slotRecordBytes }
}

extension Board {
    /// Slots in SSRAM1 (which QEMU's mps2-an500 boots from), the rune's RAM at the top of
    /// SSRAM2/3.
    static let mps2AN500RunicOS = RunicOSLayout(
        flash: Region(name: "FLASH", origin: 0x0000_0000, bytes: 1024 * 1024),
        ram: Region(name: "RAM", origin: 0x2000_0000, bytes: 256 * 1024),
        slots: [0x0010_0000, 0x0020_0000], slotBytes: 1024 * 1024,
        runeRAM: Region(name: "RUNE_RAM", origin: 0x2020_0000, bytes: 2 * 1024 * 1024),
        runeStackBytes: 64 * 1024,
        storageSymbol: "runicos_ram_storage", storageSources: ["runicos/storage_ram.c"])

    /// The OS after the Arduino bootloader in bank 1, the slots in bank 2 (four 128 KB sectors
    /// each), the rune's RAM in AXI SRAM, the OS's in DTCM.
    static let portentaH7RunicOS = RunicOSLayout(
        flash: Region(name: "FLASH", origin: 0x0804_0000, bytes: 768 * 1024),
        ram: Region(name: "RAM", origin: 0x2000_0000, bytes: 128 * 1024),
        slots: [0x0810_0000, 0x0818_0000], slotBytes: 512 * 1024,
        runeRAM: Region(name: "RUNE_RAM", origin: 0x2400_0000, bytes: 512 * 1024),
        runeStackBytes: 32 * 1024,
        storageSymbol: "runicos_stm32h7_flash_storage", storageSources: ["runicos/stm32h7_flash.c"])
}
