import RuneFiles

extension SMPClient {
    /// Uploads `image` into the device's inactive slot (image group, command 1), which activates
    /// it once the device has verified it.
    ///
    /// The first request carries the length and SHA-256; if the device holds an interrupted
    /// session for the same image it answers with where that stopped and the upload goes on from
    /// there. Every response names the offset the device wants next, so a lost response or a
    /// retried request costs only a resend. Chunks fill the device's buffer (its MCUmgr
    /// parameters), or `chunkSize` bytes of data if that is smaller.
    ///
    /// - Parameters:
    ///   - eraseTimeout: how long to wait for the answer to the first chunk, before which the
    ///     device erases the slot (seconds on flash); a retry after it would only resume.
    ///   - progress: called with (bytes the device holds, total) after each response; throwing
    ///     from it stops the upload (which can later resume).
    public func upload(image: [UInt8], chunkSize: Int? = nil, eraseTimeout: Double = 30,
                       progress: (Int, Int) throws -> Void = { _, _ in }) throws {
        let sha = SHA256.hash(image)
        // Without parameters, the smallest buffer a console-framed server has: one 128-byte line.
        let bufferSize = (try? parameters().bufferSize) ?? 128
        let messageLimit = bufferSize - 4 // the serial packet's length and CRC share the buffer
        var offset = 0
        var stalled = 0
        repeat {
            var fields: [String: CBOR] = ["off": .unsigned(UInt64(offset)), "data": .bytes([])]
            if offset == 0 {
                fields["len"] = .unsigned(UInt64(image.count))
                fields["sha"] = .bytes(sha)
                fields["image"] = .unsigned(0)
            }
            // What the request takes without data, plus the data's head growing to 3 bytes.
            let overhead = SMPMessage.headerLength + CBOR.map(fields).encoded().count + 2
            var length = min(image.count - offset, messageLimit - overhead)
            if let chunkSize { length = min(length, chunkSize) }
            guard length > 0 || image.isEmpty else {
                throw SMPClientError.unexpectedResponse("the device's buffer (\(bufferSize) bytes) leaves no room for data")
            }
            fields["data"] = .bytes(Array(image[offset..<(offset + length)]))
            let body = try request(.write, group: SMPGroup.image, command: 1, body: .map(fields),
                                   timeout: offset == 0 ? max(timeout, eraseTimeout) : nil)
            guard let next = body["off"]?.intValue, next >= 0, next <= image.count else {
                throw SMPClientError.unexpectedResponse("an upload response without a valid \"off\"")
            }
            stalled = Int(next) > offset ? 0 : stalled + 1
            if stalled > 8 { throw SMPClientError.uploadStalled(offset: offset) }
            offset = Int(next)
            try progress(offset, image.count)
        } while offset < image.count
    }
}
