import Foundation
import RuneCompiler

/// What `runec --target cortex-m7` prints after a build, and the file formats it writes.
struct FirmwareReport {
    var board: Board
    var size: FirmwareSize
    /// What the image is measured against: the board's flash and RAM, or RunicOS's share of them.
    var flash: Board.Region? = nil
    var ram: [Board.Region]? = nil
    var what = "firmware"

    var text: String {
        let ram = (self.ram ?? board.ram).reduce(0) { $0 + Int($1.bytes) }
        let flash = self.flash ?? board.flash
        func kb(_ bytes: Int) -> String { String(format: "%.1f KB", Double(bytes) / 1024) }
        func percent(_ used: Int, _ total: Int) -> String { String(format: "%.1f%%", 100 * Double(used) / Double(max(total, 1))) }
        return """
            \(what) for \(board.name) (\(board.summary))
              flash \(kb(size.flash)) of \(kb(Int(flash.bytes))) (\(percent(size.flash, Int(flash.bytes)))): text+rodata \(size.text) bytes, data \(size.data) bytes
              RAM   \(kb(size.ram)) of \(kb(ram)) (\(percent(size.ram, ram))): data \(size.data) bytes, bss \(size.bss) bytes (model arenas \(size.arena) bytes)

            """
    }

    struct FormatError: Error, CustomStringConvertible {
        var description: String
    }

    /// The magic number an existing firmware output must start with before it is replaced, and
    /// its format's name, by the output's extension.
    static func outputFormat(for destination: String) -> (magic: [UInt8]?, name: String) {
        switch URL(fileURLWithPath: destination).pathExtension.lowercased() {
        case "elf": ([0x7f, 0x45, 0x4c, 0x46], "an ELF file")
        case "hex": ([UInt8(ascii: ":")], "an Intel HEX file")
        default: (nil, "a firmware image")
        }
    }

    /// The ELF image as the output's extension asks: `.bin` (flat, from the first loaded address),
    /// `.hex` (Intel HEX), anything else the ELF itself.
    static func format(_ elf: [UInt8], for destination: String) throws -> [UInt8] {
        let ext = URL(fileURLWithPath: destination).pathExtension.lowercased()
        guard ext == "bin" || ext == "hex" else { return elf }
        let image: ELFImage
        do { image = try ELFImage(elf) } catch { throw FormatError(description: "the linked firmware is not a valid ELF file: \(error)") }
        return ext == "bin" ? image.flatBinary().bytes : Array(image.intelHex().utf8)
    }
}
