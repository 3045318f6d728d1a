import RuneLink

/// One client of `rune agent`: its requests decoded and answered in turn until it hangs up.
enum AgentConnection {
    /// How long a read waits before the loop checks whether the client is gone.
    static let readSeconds = 0.5

    static func serve(_ client: AgentConsole.Client, service: AgentService, console: AgentConsole) {
        defer {
            console.remove(client)
            client.link.disconnect()
        }
        let server = SMPServer(packetBytes: AgentService.packetBytes, handle: service.handle)
        while !client.hasFailed {
            guard let bytes = try? client.link.read(timeout: readSeconds) else { return }
            let response = server.receive(bytes)
            if !response.isEmpty, !client.send(response) { return }
        }
    }
}
