import RuneFiles
import RuneManifest

/// A RunicOS container image (`runec aot app.rune --board B -o app.rimg`): one rune's translated
/// code linked at a slot's address, with its manifest and the SHA-256 of the `.rune` it came
/// from. The format is `Runtime/runicos/image.h`'s; the OS checks it with `runicos_image_check`.
///
/// The image holds the rune's object (from the AOT engine's Cortex-M7 backend, whose one symbol
/// is its module descriptor), the rune side of RunicOS (`Runtime/runicos/rune/`: it builds the
/// context from the descriptor, unprivileged) and the compiler helpers the translated code
/// calls, so the rune needs nothing of the OS but the gates it is handed at entry.
public struct ContainerImage: Sendable {
    public var board: Board
    /// 0 for slot A, 1 for slot B: the image runs only from the slot it is linked for.
    public var slot: Int
    public var manifest: Manifest
    /// SHA-256 of the `.rune`.
    public var runeSHA256: [UInt8]
    /// Set when the code has no bounds checks of its own (`--isolation mpu`).
    public var uncheckedMemory: Bool

    public init(board: Board, slot: Int, manifest: Manifest, runeSHA256: [UInt8], uncheckedMemory: Bool = false) {
        self.board = board
        self.slot = slot
        self.manifest = manifest
        self.runeSHA256 = runeSHA256
        self.uncheckedMemory = uncheckedMemory
    }

    /// The header's fields, as `Runtime/runicos/image.h` lays them out.
    public struct Header: Sendable, Equatable {
        public static let magic: UInt32 = 0x474D_4952  // "RIMG"
        public static let formatVersion: UInt16 = 1
        /// `RUNICOS_ABI_VERSION`.
        public static let abiVersion: UInt32 = 1

        public var imageBytes: UInt32
        public var board: String
        public var loadAddress: UInt32
        public var textOffset: UInt32
        public var textBytes: UInt32
        public var dataOffset: UInt32
        public var dataBytes: UInt32
        public var ramAddress: UInt32
        public var bssBytes: UInt32
        public var stackBytes: UInt32
        public var manifestOffset: UInt32
        public var manifestBytes: UInt32
        public var entryAddress: UInt32
        public var memoryPages: UInt32
        public var flags: UInt32
        public var runeSHA256: [UInt8]

        func encoded() -> [UInt8] {
            var bytes: [UInt8] = []
            func u32(_ value: UInt32) { bytes += withUnsafeBytes(of: value.littleEndian, Array.init) }
            func u16(_ value: UInt16) { bytes += withUnsafeBytes(of: value.littleEndian, Array.init) }
            u32(Self.magic)
            u16(Self.formatVersion)
            u16(UInt16(RunicOSLayout.headerBytes))
            u32(Self.abiVersion)
            u32(imageBytes)
            bytes += Array(board.utf8.prefix(15)) + Array(repeating: 0, count: 16 - min(board.utf8.count, 15))
            for field in [loadAddress, textOffset, textBytes, dataOffset, dataBytes, ramAddress, bssBytes, stackBytes,
                          manifestOffset, manifestBytes, entryAddress, memoryPages, flags] { u32(field) }
            bytes += runeSHA256
            bytes += Array(repeating: 0, count: Int(RunicOSLayout.headerBytes) - bytes.count)
            return bytes
        }

        /// The header of `image`, or nil if it is shorter than one or not an image.
        public init?(_ image: [UInt8]) {
            guard image.count >= Int(RunicOSLayout.headerBytes) else { return nil }
            func u32(_ offset: Int) -> UInt32 { image[offset..<offset + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) } }
            guard u32(0) == Self.magic else { return nil }
            imageBytes = u32(12)
            board = String(decoding: image[16..<32].prefix { $0 != 0 }, as: UTF8.self)
            loadAddress = u32(32); textOffset = u32(36); textBytes = u32(40); dataOffset = u32(44); dataBytes = u32(48)
            ramAddress = u32(52); bssBytes = u32(56); stackBytes = u32(60); manifestOffset = u32(64); manifestBytes = u32(68)
            entryAddress = u32(72); memoryPages = u32(76); flags = u32(80)
            runeSHA256 = Array(image[84..<116])
        }

        init(imageBytes: UInt32, board: String, loadAddress: UInt32, textOffset: UInt32, textBytes: UInt32, dataOffset: UInt32,
             dataBytes: UInt32, ramAddress: UInt32, bssBytes: UInt32, stackBytes: UInt32, manifestOffset: UInt32,
             manifestBytes: UInt32, entryAddress: UInt32, memoryPages: UInt32, flags: UInt32, runeSHA256: [UInt8]) {
            self.imageBytes = imageBytes; self.board = board; self.loadAddress = loadAddress; self.textOffset = textOffset
            self.textBytes = textBytes; self.dataOffset = dataOffset; self.dataBytes = dataBytes; self.ramAddress = ramAddress
            self.bssBytes = bssBytes; self.stackBytes = stackBytes; self.manifestOffset = manifestOffset
            self.manifestBytes = manifestBytes; self.entryAddress = entryAddress; self.memoryPages = memoryPages
            self.flags = flags; self.runeSHA256 = runeSHA256
        }
    }

    var layout: RunicOSLayout { board.runicos }
    var loadAddress: UInt32 { layout.slots[slot] }
    var ramStart: UInt32 { layout.runeRAM.origin + RunicOSLayout.controlBlockBytes }

    /// Links `object` (the rune translated for the Cortex-M7) into an image for `slot`.
    public func build(object: [UInt8], toolchain: any ToolchainExecutor = Toolchain()) throws(AOTFirmware.Failure) -> [UInt8] {
        // RunicOS refuses it too, but a user should hear it here, before any upload.
        let missing = manifest.capabilities.filter { capability in !board.capabilities.contains { $0.name == capability.kind } }
        guard missing.isEmpty else {
            throw AOTFirmware.Failure(messages: missing.map {
                "the rune needs capability '\($0.name)' of kind \($0.kind), which board \(board.name) does not provide"
            })
        }
        let built: BuildProduct
        do {
            built = try toolchain.build(plan(object: object))
        } catch {
            if case .link(let message) = error, message.contains("will not fit in region") || message.contains("overflowed") {
                throw AOTFirmware.Failure(messages: [
                    "the rune does not fit a RunicOS slot of \(board.name) (\(layout.slotBytes / 1024) KB of code, "
                        + "\((layout.runeRAM.bytes - layout.runeStackBytes - RunicOSLayout.controlBlockBytes) / 1024) KB of RAM "
                        + "besides its stack): \(FirmwarePlanner.overflowSummary(message))"])
            }
            throw AOTFirmware.Failure(messages: ["cannot link the rune image: \(error)"])
        }
        let elf: ELFImage
        do { elf = try ELFImage(built.binary) } catch {
            throw AOTFirmware.Failure(messages: ["the linked rune is not a valid ELF file: \(error)"])
        }
        return try assemble(elf)
    }

    /// Lays the linked sections out behind the header, adds the manifest and the trailer.
    func assemble(_ elf: ELFImage) throws(AOTFirmware.Failure) -> [UInt8] {
        let textOffset = RunicOSLayout.headerBytes
        let slotEnd = UInt64(loadAddress) + UInt64(layout.slotBytes)
        var body = [UInt8](repeating: 0, count: Int(textOffset))
        // Every loaded byte that lies in the slot: code, read-only data, and .data's load image.
        for segment in elf.segments where segment.type == 1 && segment.fileSize > 0 {
            let address = UInt64(segment.physicalAddress)
            guard address >= UInt64(loadAddress) + UInt64(textOffset), address + UInt64(segment.fileSize) <= slotEnd else {
                throw AOTFirmware.Failure(messages: ["the rune image has a segment outside its slot at 0x\(String(address, radix: 16))"])
            }
            let offset = Int(address - UInt64(loadAddress))
            if body.count < offset + Int(segment.fileSize) { body += Array(repeating: 0, count: offset + Int(segment.fileSize) - body.count) }
            body.replaceSubrange(offset..<offset + Int(segment.fileSize),
                                 with: elf.bytes[Int(segment.offset)..<Int(segment.offset) + Int(segment.fileSize)])
        }
        let data = elf.sections.first { $0.name == ".data" }
        let bss = elf.sections.first { $0.name == ".bss" }
        let dataBytes = data?.size ?? 0
        let dataLoad = data.flatMap { section in
            elf.segments.first { $0.type == 1 && section.address >= $0.virtualAddress && section.address < $0.virtualAddress + max($0.memorySize, 1) }
                .map { $0.physicalAddress + (section.address - $0.virtualAddress) }
        }
        let textEnd = elf.sections.filter { $0.isAllocated && !$0.isNoBits && $0.size > 0 && $0.address >= loadAddress && UInt64($0.address) < slotEnd
                && $0.name != ".data" }
            .map { $0.address + $0.size }.max() ?? loadAddress + textOffset
        let dataOffset = dataBytes > 0 ? (dataLoad ?? 0) - loadAddress : UInt32(body.count)
        if dataBytes > 0, let data, data.address != ramStart {
            throw AOTFirmware.Failure(messages: ["the rune's .data is linked at 0x\(String(data.address, radix: 16)), not 0x\(String(ramStart, radix: 16))"])
        }
        let ramEnd = max(ramStart + dataBytes, bss.map { $0.address + $0.size } ?? 0)
        let bssBytes = ramEnd - ramStart - dataBytes

        body += Array(repeating: 0, count: (8 - body.count % 8) % 8)
        let manifestBlob = manifest.encoded()
        let manifestOffset = UInt32(body.count)
        body += withUnsafeBytes(of: UInt32(manifestBlob.count).littleEndian, Array.init) + manifestBlob
        body += Array(repeating: 0, count: (4 - body.count % 4) % 4)
        let imageBytes = UInt32(body.count) + RunicOSLayout.trailerBytes
        guard imageBytes <= layout.maxImageBytes else {
            throw AOTFirmware.Failure(messages: ["the rune image is \(imageBytes) bytes; a slot of \(board.name) holds \(layout.maxImageBytes)"])
        }
        // The linear memory's initial pages: the fourth word of the module descriptor, which the
        // entry table (first in the code) points to in its third.
        func word(at address: UInt32) -> UInt32? {
            guard address >= loadAddress, Int(address - loadAddress) + 4 <= body.count else { return nil }
            let at = Int(address - loadAddress)
            return body[at..<at + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }
        let memoryPages = word(at: loadAddress + textOffset + 8).flatMap { word(at: $0 + 12) } ?? 0
        let header = Header(
            imageBytes: imageBytes, board: board.name, loadAddress: loadAddress, textOffset: textOffset,
            textBytes: textEnd - loadAddress - textOffset, dataOffset: dataOffset, dataBytes: dataBytes,
            ramAddress: ramStart, bssBytes: bssBytes, stackBytes: layout.runeStackBytes,
            manifestOffset: manifestOffset, manifestBytes: UInt32(manifestBlob.count + 4),
            entryAddress: loadAddress + textOffset, memoryPages: memoryPages,
            flags: uncheckedMemory ? 1 : 0, runeSHA256: runeSHA256)
        body.replaceSubrange(0..<Int(textOffset), with: header.encoded())
        return body + SHA256.hash(body)
    }

    /// The rune side of RunicOS and the helpers translated code calls, compiled for the
    /// Cortex-M7, linked with `object` at the slot's address.
    func plan(object: [UInt8]) -> BuildPlan {
        let units = ["runicos/rune/rune_start.c", "cortex-m/aot/aot_prepare.c", "cortex-m/builtins.c", "lib/memory.c"]
            .map { BuildPlan.TranslationUnit(path: RuntimeLibrary.path($0), source: nil) }
        var plan = BuildPlan(target: .cortexM7, optimization: .size, debugInfo: false, units: units,
                             headers: RuntimeLibrary.files, includeDirectories: RuntimeLibrary.includeDirectories,
                             exportedSymbols: ["runicos_image_entry_table"] + AOTFirmware.helpersOfTranslatedCode, linkerArguments: [])
        plan.linkerScript = linkerScript
        plan.objects = [object]
        return plan
    }

    /// Code at the slot (after the header), RAM after the control block, below the stack.
    var linkerScript: String {
        let codeOrigin = loadAddress + RunicOSLayout.headerBytes
        let codeBytes = layout.slotBytes - RunicOSLayout.headerBytes - RunicOSLayout.trailerBytes - RunicOSLayout.slotRecordBytes
        let ramBytes = layout.runeRAM.bytes - RunicOSLayout.controlBlockBytes - layout.runeStackBytes
        func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
        return """
            /* Generated by runec: a RunicOS container image for slot \(slot == 0 ? "A" : "B") of \(board.name). */
            ENTRY(runicos_image_entry_table)
            MEMORY
            {
                SLOT (rx) : ORIGIN = \(hex(codeOrigin)), LENGTH = \(hex(codeBytes))
                RAM (rw)  : ORIGIN = \(hex(ramStart)), LENGTH = \(hex(ramBytes))
            }
            SECTIONS
            {
                .text : { KEEP(*(.runicos_entry)) *(.text .text.*) *(.rodata .rodata.*) . = ALIGN(8); } > SLOT
                /* Nothing unwinds a rune's frames: a trap abandons its stack whole. */
                /DISCARD/ : { *(.ARM.exidx* .gnu.linkonce.armexidx.* .ARM.extab*) }
                .data : ALIGN(8) { *(.data .data.*) . = ALIGN(8); } > RAM AT> SLOT
                .bss (NOLOAD) : ALIGN(8) { *(.bss .bss.* COMMON) . = ALIGN(8); } > RAM
            }

            """
    }
}
