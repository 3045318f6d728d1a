import ArgumentParser

/// `runec`: the Rune compiler.
@main
struct Runec: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runec",
        abstract: "Compile a Runefile into a .rune container.",
        discussion: """
            A Runefile describes a TinyML pipeline: capabilities (sensor inputs), processing \
            blocks, TFLite models and outputs. runec checks it, generates C for the whole \
            pipeline and compiles it in-process with clang, LLVM and lld into a WebAssembly \
            module that `rune run` executes.

            Examples:
              runec Runefile -o app.rune          compile (the default subcommand is 'build')
              runec Runefile.yml --emit c         print the generated C
              runec model-info model.tflite       describe a model
              runec aot app.rune -o app.so        the rune as native code for this host
            """,
        version: RuneVersion.current,
        subcommands: [Build.self, ModelInfo.self, AOT.self, RunicOSCommand.self],
        defaultSubcommand: Build.self
    )
}

enum RuneVersion {
    static let current = "0.1.0"
}
