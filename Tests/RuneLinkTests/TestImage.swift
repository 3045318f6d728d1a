import RuneFiles

/// RunicOS container images (Runtime/runicos/image.h) for board mps2-an500 and the slot
/// layouts of the link's test devices.
enum TestImage {
    /// Where a device keeps its slots and the rune's RAM.
    struct Layout {
        var slotAddresses: [UInt32]
        var ramAddress: UInt32

        /// `Runtime/runicos/tests/link_host_kernel.c`: slots of 64 KiB at 0x00200000 and 0x00210000.
        static let harness = Layout(slotAddresses: [0x0020_0000, 0x0021_0000], ramAddress: 0x2004_0000)
        /// `Runtime/runicos/tests/link_qemu.c`: slots of 1 MiB at 0x20200000 and 0x20300000.
        static let qemu = Layout(slotAddresses: [0x2020_0000, 0x2030_0000], ramAddress: 0x2010_0000)
    }

    static let controlBlockBytes: UInt32 = 1024
    static let headerBytes = 128

    /// A valid image for `slot`: the header, `codeBytes` of code (the module descriptor at its
    /// start), a manifest blob, and the SHA-256 of all of it as the trailer.
    static func make(slot: Int, codeBytes: Int, runeSHA256: [UInt8], seed: UInt8 = 0, layout: Layout = .harness) -> [UInt8] {
        let code = (codeBytes + 7) / 8 * 8
        let manifest = Array("RUNE test manifest \(seed)".utf8)
        let manifestOffset = headerBytes + code
        let total = manifestOffset + 4 + manifest.count + 32
        var image = [UInt8](repeating: 0, count: total - 32)
        func put(_ value: UInt32, at offset: Int) {
            for i in 0..<4 { image[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
        }
        let load = layout.slotAddresses[slot]
        put(0x474D_4952, at: 0)                         // "RIMG"
        image[4] = 1                                    // format version
        image[6] = UInt8(headerBytes)
        put(1, at: 8)                                   // ABI version
        put(UInt32(total), at: 12)
        for (index, byte) in "mps2-an500".utf8.enumerated() { image[16 + index] = byte }
        put(load, at: 32)
        put(UInt32(headerBytes), at: 36)                // text offset
        put(UInt32(code), at: 40)
        put(UInt32(manifestOffset), at: 44)             // no initialised data
        put(0, at: 48)
        put(layout.ramAddress + controlBlockBytes, at: 52)
        put(256, at: 56)                                // bss
        put(4096, at: 60)                               // stack
        put(UInt32(manifestOffset), at: 64)
        put(UInt32(4 + manifest.count), at: 68)
        put(load + UInt32(headerBytes), at: 72)         // the module descriptor
        put(1, at: 76)                                  // memory pages
        for (index, byte) in runeSHA256.enumerated() { image[84 + index] = byte }
        for index in 0..<code { image[headerBytes + index] = UInt8(truncatingIfNeeded: index &* 31 &+ Int(seed)) }
        put(UInt32(manifest.count), at: manifestOffset)
        for (index, byte) in manifest.enumerated() { image[manifestOffset + 4 + index] = byte }
        return image + SHA256.hash(image)
    }
}
