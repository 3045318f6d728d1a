import Foundation
import RuneCompiler
import RuneFiles
import RuneLink

/// One cast of a rune to one target, step by step (see ``CastStep``).
struct Caster {
    let target: Target
    let rune: RuneFile
    let cache: ImageCache
    let reporter: any CastReporter
    /// Upload chunks in flight at most; nil: what the device takes.
    var uploadWindow: Int? = nil
    /// Seconds the whole upload may take; nil: ``UploadTimeout/defaultSeconds(imageBytes:address:)``.
    var uploadTimeout: Double? = nil

    /// Runs every step; the first that fails stops the cast, is reported and returned.
    func cast() -> CastFailure? {
        let start = Date()
        do {
            try castSteps()
            reporter.completed(target.id, seconds: Date().timeIntervalSince(start))
            return nil
        } catch let failure as CastFailure {
            reporter.failed(target.id, failure)
            return failure
        } catch {
            // Every step turns its errors into its own failure; this is for what lies between.
            let failure = CastFailure(step: .verifyingProvider, reason: HammerError.describe(error))
            reporter.failed(target.id, failure)
            return failure
        }
    }

    /// Runs `body` as `step`: reported when it starts and ends, and any error it throws becomes
    /// that step's failure.
    private func step<Value>(_ step: CastStep, _ body: () throws -> (Value, String)) throws -> Value {
        reporter.started(target.id, step)
        do {
            let (value, detail) = try body()
            reporter.finished(target.id, step, detail: detail)
            return value
        } catch let failure as CastFailure {
            throw failure
        } catch {
            throw CastFailure(step: step, reason: HammerError.describe(error))
        }
    }

    private func castSteps() throws {
        // Identity: a RunicOS device of a board this hmr can build for, speaking its ABI; or a
        // `rune agent`, which takes the .rune itself.
        let (opened, info, board) = try step(.verifyingProvider) { () -> ((Connection, RuneInfo, Board?), String) in
            let connection = try Connection(to: target)
            let info = try connection.client.runeInfo()
            if info.isAgent { return ((connection, info, nil), "rune agent on \(info.board), \(info.runicOSVersion)") }
            guard let board = Board.named(info.board) else {
                throw CastFailure(step: .verifyingProvider, reason: "the device is a '\(info.board)', a board this hmr does not know (it knows \(Board.all.map(\.name).joined(separator: ", ")))")
            }
            let abi = Int(ContainerImage.Header.abiVersion)
            guard info.abiVersion == abi else {
                throw CastFailure(step: .verifyingProvider, reason: "the device's RunicOS speaks ABI \(info.abiVersion), this hmr builds images for ABI \(abi)")
            }
            return ((connection, info, board), "\(board.name), RunicOS \(info.runicOSVersion), ABI \(info.abiVersion)")
        }
        var connection = opened
        try step(.checkingCapabilities) { () -> ((), String) in
            // What the target serves: the agent says; a device's are its board's.
            let served = board.map { Set($0.capabilities.map(\.name)) } ?? Set(info.capabilities ?? [])
            let provider = board.map { "board \($0.name)" } ?? "the agent on \(info.board)"
            var lines: [String] = []
            for capability in rune.manifest.capabilities {
                guard let kind = capability.kindID, served.contains(kind.name) else {
                    throw CastFailure(step: .checkingCapabilities, reason: "the rune needs capability '\(capability.name)' of kind \(capability.kind), which \(provider) does not provide; nothing was uploaded")
                }
                lines.append("Capability \(capability.kind) '\(capability.name)' OK")
            }
            return ((), lines.isEmpty ? "no capabilities" : lines.joined(separator: ", "))
        }
        // The target writes into the slot it does not run (A when it runs none).
        let slot = info.slot == 0 ? 1 : 0
        let image = try step(.preparingImage) { () -> ([UInt8], String) in
            cache.keep(rune)
            guard let board else { return (rune.bytes, "slot \(slot == 0 ? "A" : "B"), the .rune itself, \(rune.bytes.count) bytes") }
            let started = Date()
            let (image, cached) = try cache.image(for: rune, board: board, slot: slot)
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            return (image, "slot \(slot == 0 ? "A" : "B"), \(image.count) bytes, \(cached ? "cached" : "translated") in \(seconds) s")
        }
        let uploadStart = Date()
        try step(.uploading) { () -> ((), String) in
            let (reconnects, report) = try upload(image, over: &connection)
            let seconds = Date().timeIntervalSince(uploadStart)
            let rate = Double(image.count) / max(seconds, 0.001) / 1024
            return ((), "\(image.count) bytes in \(String(format: "%.2f", seconds)) s, \(String(format: "%.1f", rate)) KB/s, "
                        + "\(report.bytesWritten) bytes on the wire, \(report.chunks) chunks, window \(report.window)"
                        + (report.resentBytes > 0 ? ", \(report.resentBytes) bytes resent" : "")
                        + (reconnects > 0 ? ", resumed after \(reconnects) reconnect\(reconnects == 1 ? "" : "s")"
                            : report.resumedAt > 0 ? ", resumed an interrupted upload at byte \(report.resumedAt)" : ""))
        }
        let imageSHA256 = SHA256.hash(image)
        try step(.verifying) { () -> ((), String) in
            let states = try connection.client.imageState()
            guard let state = states.first(where: { $0.slot == slot }) else {
                throw CastFailure(step: .verifying, reason: "the device reports no valid image in slot \(slot == 0 ? "A" : "B")")
            }
            guard state.hash == imageSHA256 else {
                throw CastFailure(step: .verifying, reason: "the device's SHA-256 of slot \(slot == 0 ? "A" : "B") is \(SHA256.hex(state.hash).prefix(16))..., not the uploaded image's \(SHA256.hex(imageSHA256).prefix(16))...")
            }
            return ((), "SHA-256 \(SHA256.hex(imageSHA256).prefix(16)) matches")
        }
        try step(.activating) { () -> ((), String) in
            let info = try awaitActivation(slot: slot, client: connection.client)
            return ((), "slot \(info.slotName) runs rune \(info.shortDigest)")
        }
        try step(.healthCheck) { () -> ((), String) in
            ((), try healthCheck(connection: connection))
        }
    }

    /// Uploads `image`, reconnecting and resuming (the device keys its session by the image's
    /// SHA-256 and length, and answers the first request with where it stopped) when the link
    /// fails or the device stops answering; returns how many reconnects it took. A refusal by
    /// the device is final, and so is the upload timeout, which no attempt, resend or backoff
    /// outlasts. The report adds up every attempt's (the bytes of those that broke included,
    /// counted from what each client wrote).
    private func upload(_ image: [UInt8], over connection: inout Connection) throws -> (reconnects: Int, report: SMPClient.UploadReport) {
        let seconds = uploadTimeout ?? UploadTimeout.defaultSeconds(imageBytes: image.count, address: target.address)
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        var reconnects = 0
        var backoff = HammerLimits.reconnectBackoffSeconds
        var earlier = SMPClient.UploadReport()
        // What the device last said it holds, whichever attempt heard it.
        var acknowledged = 0
        func timedOut(after error: (any Error)?) -> CastFailure {
            let percent = image.isEmpty ? 100 : acknowledged * 100 / image.count
            let attempts = reconnects + 1
            let cause = error.map { "; the last attempt ended with: \(HammerError.describe($0))" } ?? ""
            return CastFailure(step: .uploading, reason: "not finished within \(UploadTimeout.format(seconds)) (--upload-timeout\(uploadTimeout == nil ? ", the default for \(image.count) bytes over \(target.address.kind)" : ""))"
                               + " in \(attempts) attempt\(attempts == 1 ? "" : "s"): the device acknowledged \(acknowledged) of \(image.count) bytes (\(percent)%)\(cause)."
                               + " It keeps them: cast the same rune again to resume from byte \(acknowledged)")
        }
        while true {
            let written = connection.client.bytesWritten, read = connection.client.bytesRead
            do {
                var report = try connection.client.upload(image: image, window: uploadWindow, eraseTimeout: HammerLimits.eraseSeconds,
                                                          deadline: deadline) { done, total in
                    acknowledged = done
                    reporter.progress(target.id, .uploading, done: done, total: total)
                }
                report.add(earlier)
                return (reconnects, report)
            } catch let error as SMPDeviceError {
                throw CastFailure(step: .uploading, reason: "the device refused the image: \(error.reason ?? "rc \(error.returnCode)")")
            } catch SMPClientError.uploadDeadlinePassed {
                throw timedOut(after: nil)
            } catch {
                earlier.bytesWritten += connection.client.bytesWritten - written
                earlier.bytesRead += connection.client.bytesRead - read
                guard ContinuousClock.now < deadline else { throw timedOut(after: error) }
                guard reconnects + 1 < HammerLimits.uploadAttempts else {
                    throw CastFailure(step: .uploading, reason: "\(HammerError.describe(error)), after \(reconnects + 1) attempts")
                }
                SMPClient.sleep(backoff, until: deadline)
                backoff *= 2
                guard ContinuousClock.now < deadline else { throw timedOut(after: error) }
                reconnects += 1
                // A fresh link: whatever half-frame the old one held is gone with it.
                if let reopened = try? Connection(to: target) { connection = reopened }
            }
        }
    }

    /// The device's rune info once it runs the cast rune from `slot`.
    private func awaitActivation(slot: Int, client: SMPClient) throws -> RuneInfo {
        let deadline = Date().addingTimeInterval(HammerLimits.activationSeconds)
        var info = try client.runeInfo()
        while info.runeSHA256 != rune.sha256 || info.slot != slot {
            if let refusal = client.consoleLines.last(where: { $0.hasPrefix("error:") || $0.contains("\"event\":\"reverted\"") }) {
                throw CastFailure(step: .activating, reason: "the device did not start the rune: \(refusal)")
            }
            guard Date() < deadline else {
                throw CastFailure(step: .activating, reason: "after \(HammerLimits.activationSeconds) s the device still runs rune \(info.shortDigest) from slot \(info.slotName)")
            }
            Thread.sleep(forTimeInterval: 0.1)
            info = try client.runeInfo()
        }
        return info
    }

    /// The first call succeeds, with no trap. A rune that feeds itself must complete a call by
    /// itself (the device's call count reaches 1); a rune fed by the host is fed one set of
    /// all-zero tensors (what a silent microphone or a still sensor gives) and must finish that
    /// call (RunicOS's `called` event). Either within ``HammerLimits/firstCallSeconds``; then
    /// the device must still run the rune, with a trap count of 0.
    private func healthCheck(connection: Connection) throws -> String {
        let client = connection.client
        let trapMark = "\"error\":\"trap\""
        var trap: String?
        if rune.feedsItself {
            _ = try client.waitForConsoleLine(timeout: HammerLimits.firstCallSeconds) { line in
                if line.contains(trapMark) { trap = line; return true }
                return line.hasPrefix("{") && !line.contains("\"event\"")
            }
        } else {
            let chunk = connection.inputChunkSize()
            for (index, capability) in rune.manifest.capabilities.enumerated() where capability.kindID != .rand {
                try client.streamInput(index: index, data: [UInt8](repeating: 0, count: capability.tensor.byteCount), chunkSize: chunk)
            }
            let end = try client.waitForConsoleLine(timeout: HammerLimits.firstCallSeconds) { line in
                if line.contains(trapMark) || line.hasPrefix("error:") { trap = line }
                return line.hasPrefix("{\"event\":\"called\"") || line.contains("\"event\":\"reverted\"")
            }
            if end == nil, trap == nil {
                throw CastFailure(step: .healthCheck, reason: "the first call, fed zeros, did not finish within \(HammerLimits.firstCallSeconds) s")
            }
        }
        if let trap { throw CastFailure(step: .healthCheck, reason: "the rune trapped: \(trap)") }
        var info = try client.runeInfo()
        let deadline = Date().addingTimeInterval(HammerLimits.firstCallSeconds)
        while info.calls == 0, info.traps == 0, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            info = try client.runeInfo()
        }
        guard info.runeSHA256 == rune.sha256 else {
            throw CastFailure(step: .healthCheck, reason: "the device stopped running the rune (it runs \(info.shortDigest) from slot \(info.slotName))")
        }
        guard info.traps == 0 else {
            throw CastFailure(step: .healthCheck, reason: "the rune trapped (\(info.traps) trap\(info.traps == 1 ? "" : "s") in \(info.calls) calls)")
        }
        guard info.calls > 0 else {
            throw CastFailure(step: .healthCheck, reason: "no call completed within \(HammerLimits.firstCallSeconds) s")
        }
        return rune.feedsItself ? "first call OK, \(info.calls) so far, no trap" : "first call (fed zeros) OK, no trap"
    }
}
