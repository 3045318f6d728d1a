import ArgumentParser
import Foundation
import RuneLink
import RuneManifest
import RuneRuntime

/// `rune agent`: this host acting as a RunicOS device, reached by `hmr` over MCUmgr SMP on TCP.
struct Agent: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve runes to hmr over the network: this host acting as a device.",
        discussion: """
            Listens for hmr (MCUmgr SMP, serial framing, over TCP: what RunicOS speaks on its \
            UART), so that 'hmr targets add NAME tcp://HOST:PORT' and every hmr command work \
            against this host:
              rune agent --listen 127.0.0.1:7700 &
              hmr targets add gw tcp://127.0.0.1:7700
              hmr targets cast -t gw microspeech.rune
              hmr run -t gw --sound yes.wav
              hmr targets status -t gw

            The agent takes the .rune itself and runs it with this host's runtime, as 'rune run' \
            does. Its capabilities are fed over the link by 'hmr run' (converted on that host as \
            'rune run' converts files); RAND is served here from --random. A rune that reads \
            only RAND is called every --period. Each call's records are printed on stdout and \
            sent to every connected client as the JSON lines 'rune run' prints; a trap is one \
            JSON line, after which the agent keeps serving. A rune asking for a capability the \
            agent does not serve (see --deny) is refused before it is activated.

            Uploaded runes are kept in --state-dir in two slots, A and B, with an activation \
            record replaced atomically: a dropped link or a killed agent never leaves a \
            half-written rune active, an interrupted upload resumes, and the agent restarts \
            into the last activated rune. A newly cast rune that cannot be loaded, or whose \
            first call fails, is reverted to the one before it.

            Security: the agent accepts code over the network and runs it (sandboxed by the \
            runtime, with the limits below, but still: code). It listens on loopback unless \
            you give a non-loopback address AND --allow-remote; do that only on a network you \
            trust, since SMP has no authentication.
            """)

    @Option(help: ArgumentHelp("Where to listen: an IPv4 address (or name) and a port; port 0 picks a free one.", valueName: "host:port"))
    var listen: String = "127.0.0.1:7700"

    @Flag(name: .customLong("allow-remote"), help: "Allow a --listen address other than loopback (it accepts code from anyone who can reach it).")
    var allowRemote = false

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("The slots and activation record (default $XDG_STATE_HOME/rune/agent, else ~/.local/state/rune/agent).", valueName: "dir"))
    var stateDir: String?

    @Option(name: .customLong("deny"), help: ArgumentHelp("A capability kind not to serve (RAW, RAND, SOUND, IMAGE, ACCEL); runes needing it are refused.", valueName: "kind"))
    var deniedKinds: [String] = []

    @Option(name: .customLong("random"), help: ArgumentHelp("The seed of every RAND capability, as 'rune run --random'.", valueName: "seed"))
    var randomSeed: UInt64 = 0

    @Option(help: ArgumentHelp("How often a rune that reads only RAND is called: 500ms, 1s, 2m.", valueName: "duration"))
    var period: String = "1s"

    @Option(help: ArgumentHelp("Stop any call of the rune that runs longer: 500ms, 10s, 2m; 0 for none.", valueName: "duration"))
    var timeout: String = RunLimits.format(seconds: RuneLimits.defaultTimeoutSeconds)

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("The most linear memory a rune may have, in bytes (suffixes K, M, G).", valueName: "bytes"))
    var maxMemory: String = "\(RuneLimits.defaultMaxMemoryBytes >> 20)M"

    @Option(help: ArgumentHelp("The engine: aot (native code, cached) or interpreter.", valueName: "engine"))
    var engine: RuneEngine = .aot

    /// The board name the agent reports: `host-linux-x86_64`.
    static var board: String {
        #if os(Linux)
        let system = "linux"
        #elseif os(macOS)
        let system = "macos"
        #else
        let system = "unknown"
        #endif
        #if arch(x86_64)
        let machine = "x86_64"
        #elseif arch(arm64)
        let machine = "aarch64"
        #else
        let machine = "unknown"
        #endif
        return "host-\(system)-\(machine)"
    }

    /// `HOST:PORT` split, or nil.
    static func endpoint(_ text: String) -> (host: String, port: UInt16)? {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        let host = String(text[..<colon])
        return host.isEmpty ? nil : (host, port)
    }

    /// Whether `host` is an IPv4 loopback address or a name for one.
    static func isLoopback(_ host: String) -> Bool {
        var address = in_addr()
        if inet_pton(AF_INET, host, &address) == 1 { return UInt32(bigEndian: address.s_addr) >> 24 == 127 }
        return host == "localhost"
    }

    func validate() throws {
        guard let (host, _) = Self.endpoint(listen) else { throw ValidationError("--listen '\(listen)' is not HOST:PORT (such as 127.0.0.1:7700)") }
        if !Self.isLoopback(host), !allowRemote {
            throw ValidationError("--listen \(listen) is not a loopback address: the agent runs code it is sent, so listening beyond this machine needs --allow-remote")
        }
        for kind in deniedKinds where CapabilityKind(named: kind) == nil {
            throw ValidationError("--deny '\(kind)' is not a capability kind; the kinds are \(CapabilityKind.allCases.map(\.name).joined(separator: ", "))")
        }
        guard let seconds = RunLimits.parseDuration(period), seconds > 0 else { throw ValidationError("--period '\(period)' is not a duration such as 500ms or 1s") }
        guard RunLimits.parseDuration(timeout) != nil else { throw ValidationError("--timeout '\(timeout)' is not a duration such as 500ms, 10s or 2m") }
        guard let memory = RunLimits.parseBytes(maxMemory), memory >= 65536, memory <= 1 << 32 else {
            throw ValidationError("--max-memory '\(maxMemory)' is not a byte count from 64K to 4G")
        }
    }

    /// --state-dir, or the XDG state folder.
    func stateFolder() throws -> URL {
        if let stateDir { return URL(fileURLWithPath: stateDir) }
        let environment = ProcessInfo.processInfo.environment
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return URL(fileURLWithPath: state).appendingPathComponent("rune/agent")
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return URL(fileURLWithPath: home).appendingPathComponent(".local/state/rune/agent")
        }
        throw ValidationError("no state folder: give --state-dir (neither XDG_STATE_HOME nor HOME is an absolute path)")
    }

    func run() throws {
        let errors = StandardError()
        let (host, port) = Self.endpoint(listen)!
        let configuration = HostConfiguration(
            randomSeed: randomSeed, deniedKinds: Set(deniedKinds.compactMap { CapabilityKind(named: $0) }),
            limits: RunLimits(timeoutSeconds: RunLimits.parseDuration(timeout) ?? RuneLimits.defaultTimeoutSeconds,
                              maxMemoryBytes: RunLimits.parseBytes(maxMemory) ?? RuneLimits.defaultMaxMemoryBytes),
            nativeCodeCache: engine == .aot ? CacheFolder.resolve(warn: true) : nil)
        let slots: AgentSlots
        let listener: TCPListener
        do {
            let folder = try stateFolder()
            slots = try AgentSlots(folder: folder)
            listener = try TCPListener(host: host, port: port)
        } catch let error as ValidationError {
            throw error
        } catch let ByteLinkError.system(call, code) {
            errors.write("error: cannot listen: \(call): \(String(cString: strerror(code)))\n")
            throw ExitCode(1)
        } catch {
            errors.write("error: \(error)\n")
            throw ExitCode(1)
        }
        // Writes to a closed stdout or client fail with EPIPE rather than end the agent.
        signal(SIGPIPE, SIG_IGN)
        let console = AgentConsole()
        let runner = AgentRunner(console: console, configuration: configuration, engine: engine,
                                 period: RunLimits.parseDuration(period) ?? 1)
        let service = AgentService(slots: slots, runner: runner, console: console, configuration: configuration, board: Self.board)
        service.start()
        errors.write("rune agent: listening on \(host):\(listener.port) as \(Self.board), state in \(slots.folder.path)\n")
        while true {
            let link: TCPByteLink?
            do {
                link = try listener.accept(timeout: 1)
            } catch {
                errors.write("error: \(error)\n")
                throw ExitCode(1)
            }
            guard let link else { continue }
            let client = AgentConsole.Client(link: link)
            guard console.add(client) else {
                link.disconnect()
                continue
            }
            Thread.detachNewThread { AgentConnection.serve(client, service: service, console: console) }
        }
    }
}
