/// Every time bound and retry count of Hammer, in one place.
enum HammerLimits {
    /// Connecting to a TCP target.
    static let connectSeconds = 2.0
    /// `hmr targets ls`: the whole probe of one target (connect, then one rune info).
    static let probeSeconds = 2.0
    /// One SMP request's answer, and how often an unanswered request is resent.
    static let requestSeconds = 2.5
    static let requestRetries = 3
    /// The first chunk of an upload, before which the device erases the slot (seconds on flash).
    static let eraseSeconds = 30.0
    /// How many times an upload reconnects and resumes after the link failed, and the first
    /// wait between attempts (doubled each time).
    static let uploadAttempts = 5
    static let reconnectBackoffSeconds = 0.5
    /// The whole upload, by default (``UploadTimeout``): this many times the image's time on the
    /// wire, on top of the erase. A streamed upload takes about 1.1 times its wire time and one
    /// request at a time about 1.5; eight leaves room for a lossy line's resends and a few
    /// reconnects. Small images still get a minute, time for reconnects with their backoff.
    static let uploadTimeoutWireFactor = 8.0
    static let uploadTimeoutMinimumSeconds = 60.0
    /// Waiting for the device to run the new rune after a verified upload.
    static let activationSeconds = 5.0
    /// Health check: the first call, by itself or fed zeros.
    static let firstCallSeconds = 15.0
    /// `hmr run`: one call, from the last input chunk to the device's `called` event.
    static let callSeconds = 30.0
    /// Bytes of an SMP request that are not input data (header, CBOR keys, framing), so a chunk
    /// of streamed input fits the device's buffer.
    static let inputChunkOverhead = 64
    /// `hmr targets status --watch`: seconds between reads.
    static let watchIntervalSeconds = 1.0
}
