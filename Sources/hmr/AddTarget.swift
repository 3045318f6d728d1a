import ArgumentParser

/// `hmr targets add NAME URL`.
struct AddTarget: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Name a target.",
        discussion: """
            URL is tcp://HOST:PORT (QEMU's UART with -serial tcp:127.0.0.1:PORT,server=on,wait=off, \
            or a serial bridge), serial:///dev/PORT?baud=N (default 115200), or a device path. \
            The name is saved in $XDG_CONFIG_HOME/hammer/targets.json (default ~/.config). \
            Adding a name again replaces its address.

            Example:
              hmr targets add qemu tcp://127.0.0.1:5555
              hmr targets add board serial:///dev/ttyACM0?baud=921600
            """)

    @Argument(help: "The target's name (what -t takes).")
    var name: String
    @Argument(help: "tcp://HOST:PORT, serial:///dev/PORT[?baud=N] or a device path.")
    var url: String

    func validate() throws {
        guard !name.isEmpty, !name.contains(","), !name.hasPrefix("/"), !name.contains("://") else {
            throw ValidationError("a target name is not empty, has no comma and is not a path or URL")
        }
        do { _ = try TargetAddress(parsing: url) } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        do {
            let address = try TargetAddress(parsing: url)
            var store = try TargetStore.load()
            store.entries.removeAll { $0.name == name }
            store.entries.append(TargetStore.Entry(name: name, url: address.description))
            try store.save()
            Output.diagnose("added \(name): \(address)")
        } catch {
            throw Output.fail("\(error)")
        }
    }
}
