/// CRC-16/XMODEM (polynomial 0x1021, initial value 0, no reflection): the checksum of an SMP
/// serial packet, as `Runtime/runicos/link/smp_serial.c` computes it.
enum CRC16 {
    static func xmodem<Bytes: Sequence>(_ bytes: Bytes, startingWith crc: UInt16 = 0) -> UInt16 where Bytes.Element == UInt8 {
        var crc = crc
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return crc
    }
}
