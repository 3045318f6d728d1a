@testable import RuneLink
import Testing

@Suite struct SMPMessageTests {
    @Test func headerLayout() throws {
        let message = SMPMessage(operation: .write, group: 0x0140, sequence: 0x9A, command: 1, body: .map(["d": .text("x")]))
        let bytes = message.encoded()
        #expect(Array(bytes.prefix(8)) == [0x0A, 0x00, 0x00, 0x05, 0x01, 0x40, 0x9A, 0x01])
        #expect(try SMPMessage(decoding: bytes) == message)
    }

    @Test func malformedMessagesAreRefused() {
        #expect(throws: SMPMessage.DecodingError.tooShort(7)) { try SMPMessage(decoding: [0, 0, 0, 0, 0, 0, 0]) }
        #expect(throws: SMPMessage.DecodingError.lengthMismatch(header: 2, body: 1)) { try SMPMessage(decoding: [1, 0, 0, 2, 0, 0, 0, 0, 0xA0]) }
        #expect(throws: SMPMessage.DecodingError.unknownOperation(5)) { try SMPMessage(decoding: [5, 0, 0, 0, 0, 0, 0, 0]) }
        #expect(throws: SMPMessage.DecodingError.self) { try SMPMessage(decoding: [1, 0, 0, 1, 0, 0, 0, 0, 0xFF]) }
    }
}
