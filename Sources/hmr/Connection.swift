import RuneLink

/// An open SMP session with a target.
struct Connection {
    let target: Target
    let client: SMPClient

    /// Opens `target`'s link; each request waits `timeout` seconds and is resent `retries` times.
    init(to target: Target, timeout: Double = HammerLimits.requestSeconds, retries: Int = HammerLimits.requestRetries) throws {
        self.target = target
        client = SMPClient(link: try target.address.open(), timeout: timeout, retries: retries)
    }

    /// Bytes of input data per request, so each fits the device's SMP buffer.
    func inputChunkSize() -> Int {
        max(32, ((try? client.parameters().bufferSize) ?? 128) - HammerLimits.inputChunkOverhead)
    }
}
