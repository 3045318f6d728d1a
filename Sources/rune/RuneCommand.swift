import ArgumentParser

/// `rune`: run and inspect `.rune` containers on this machine.
@main
struct RuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rune",
        abstract: "Run and inspect .rune containers.",
        discussion: """
            A .rune is a WebAssembly module built by runec. Its manifest declares the \
            capabilities (inputs) it needs and the outputs it writes; this host grants exactly \
            those, from the files you pass, and prints every SERIAL output as one JSON line \
            on stdout.

            Examples:
              rune run noop.rune --raw input.bin
              rune run sine.rune --random 42 --repeat 3
              rune inspect microspeech.rune --json
              rune cache clear
              rune push sine.rune registry.example.com/team/sine:1
              rune pull registry.example.com/team/sine:1 -o sine.rune
              rune agent --listen 127.0.0.1:7700
            """,
        version: "0.1.0",
        subcommands: [Run.self, Inspect.self, Graph.self, Cache.self, Push.self, Pull.self, Login.self, Logout.self, Agent.self]
    )
}
