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
}
