import ArgumentParser

/// `hmr`: Hammer deploys runes to devices running RunicOS and talks to them over their link.
@main
struct Hammer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hmr",
        abstract: "Deploy runes to RunicOS devices, feed them inputs and watch their health.",
        discussion: """
            A target is a device reached over MCUmgr's SMP: a serial port (found by itself: \
            /dev/ttyACM*, /dev/ttyUSB*, /dev/serial/by-id/*), or a name added with \
            'hmr targets add NAME URL' for tcp://HOST:PORT (QEMU's UART, a serial bridge, a host \
            running 'rune agent') or serial:///dev/PORT?baud=N.

            Typical session:
              hmr targets add qemu tcp://127.0.0.1:5555
              hmr targets ls
              hmr targets cast -t qemu sine.rune
              hmr run -t qemu --raw input.bin
              hmr targets status -t qemu

            Results go to stdout, diagnostics to stderr. Exit status: 0 on success, 1 when a \
            command fails (a target that cannot be reached, a refused cast), 64 for a usage error.
            """,
        subcommands: [Targets.self, RunCommand.self, Logs.self])
}
