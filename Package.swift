// swift-tools-version:6.3
//
// Rune for Swift: `runec` compiles a Runefile into a `.rune` WebAssembly container (or Cortex-M
// firmware); `rune` runs and inspects runes on the host.
//
// LLVM 14 comes from Debian (llvm-dev libclang-cpp-dev liblld-dev) under /usr/lib/llvm-14; the
// Swift toolchain's own clang is a different LLVM, so every LLVM path below is explicit.

import PackageDescription

let llvmPrefix = "/usr/lib/llvm-14"
let llvmInclude = ["-I\(llvmPrefix)/include"]

/// Every target that imports CLLVM or CLLVMBridge parses the llvm-c headers. They import them
/// `internal`ly, so their dependents do not.
let llvmSwiftSettings: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-I\(llvmPrefix)/include"])]

let package = Package(
    name: "Rune",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "runec", targets: ["runec"]),
        .executable(name: "rune", targets: ["rune"]),
        .executable(name: "hmr", targets: ["hmr"]),
        .library(name: "RuneCompiler", targets: ["RuneCompiler"]),
        .library(name: "RuneRuntime", targets: ["RuneRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swiftwasm/WasmKit", .upToNextMinor(from: "0.4.2")),
        // OCI registries (RuneRegistry): HTTP and TLS, and SHA-256 for content digests.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // AsyncHTTPClient's own dependencies, named for their types (ByteBuffer, TLS trust roots).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // The manifest format and tensor types shared by the compiler and every host.
        .target(name: "RuneManifest"),

        // Files every tool reads and writes: bounded reads, and outputs that never
        // clobber what is not a regular file of ours.
        // Runtime/'s JSON spelling, RAND stream and SHA-256, compiled for the host: `rune run` and
        // the boards run the same C. Optimised even in debug builds: SHA-256 checks megabytes of
        // cached native code on every `rune run`.
        .target(
            name: "CRuneShared",
            cSettings: [.headerSearchPath("../../Runtime/include"), .headerSearchPath("../../Runtime"),
                        .unsafeFlags(["-O2"])]
        ),
        .target(name: "RuneFiles", dependencies: ["CRuneShared"]),

        // Sensor file decoders (WAV, PNG, BMP, JPEG, CSV) turning recordings into tensors; used by
        // the host runtime and by runec when it embeds test inputs into firmware.
        .target(name: "RuneSensors", dependencies: ["RuneManifest", "RuneFiles"]),

        // The llvm-c headers and libLLVM-14.
        .systemLibrary(name: "CLLVM", path: "Sources/CLLVM"),

        // lld in process (ELF and wasm), alone: the AOT engine links native code with it, and
        // `rune` must not load libclang-cpp for that (it would slow every start).
        .target(
            name: "CRuneLinker",
            cxxSettings: [.unsafeFlags(llvmInclude + ["-fno-rtti", "-Wno-deprecated-declarations"])],
            linkerSettings: [
                .unsafeFlags([
                    "-L\(llvmPrefix)/lib",
                    "-Xlinker", "-rpath", "-Xlinker", "\(llvmPrefix)/lib",
                ]),
                .linkedLibrary("lldWasm"),
                .linkedLibrary("lldELF"),
                .linkedLibrary("lldCommon"),
                .linkedLibrary("LLVM-14"),
                .linkedLibrary("stdc++"),
                .linkedLibrary("z"),
            ]
        ),

        // What LLVM's C API lacks: clang compiling in-memory C into a module, and lld (through
        // CRuneLinker).
        .target(
            name: "CLLVMBridge",
            dependencies: ["CLLVM", "CRuneLinker"],
            cxxSettings: [.unsafeFlags(llvmInclude + ["-fno-rtti", "-Wno-deprecated-declarations"])],
            linkerSettings: [
                .unsafeFlags([
                    "-L\(llvmPrefix)/lib",
                    "-Xlinker", "-rpath", "-Xlinker", "\(llvmPrefix)/lib",
                ]),
                .linkedLibrary("clang-cpp"),
                .linkedLibrary("LLVM-14"),
                .linkedLibrary("stdc++"),
                .linkedLibrary("z"),
            ]
        ),

        // Embeds Runtime/ (headers, kernels, blocks, Cortex-M runtime) into runec, so the
        // compiler is one self-contained binary.
        .executableTarget(name: "embed-runtime", path: "Sources/EmbedRuntimeTool"),
        .plugin(
            name: "EmbedRuntime",
            capability: .buildTool(),
            dependencies: ["embed-runtime"],
            path: "Sources/EmbedRuntimePlugin"
        ),

        // The compiler in three stages. Models: TFLite models read, lowered to kernel calls over a
        // planned arena and printed as C, with the C literal and string printers every
        // stage shares.
        .target(name: "RuneModels", dependencies: ["RuneManifest"]),
        // The front end: Runefile syntax, semantics, the processing-block catalog, the checked IR
        // and diagnostics.
        .target(
            name: "RuneFrontEnd",
            dependencies: [
                "RuneManifest",
                "RuneFiles",
                "RuneModels",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Code generation, the toolchain (clang, LLVM and lld in process), firmware and the
        // driver. Only this target sees the LLVM headers (`internal import`).
        .target(
            name: "RuneCompiler",
            dependencies: [
                "RuneManifest",
                "RuneSensors",
                "RuneFiles",
                "RuneModels",
                "RuneFrontEnd",
                // Container images are the AOT engine's Cortex-M7 code, linked for a slot.
                "RuneAOT",
                "CLLVM",
                "CLLVMBridge",
            ],
            swiftSettings: llvmSwiftSettings,
            plugins: ["EmbedRuntime"]
        ),
        // Runtime/'s JSON spelling and RAND stream, compiled for the host: `rune run` and the
        // boards run the same C.

        .target(
            name: "RuneRuntime",
            dependencies: [
                "CRuneShared",
                "RuneManifest",
                "RuneSensors",
                "RuneFiles",
                "RuneAOT",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WasmParser", package: "WasmKit"),
            ]
        ),
        // The ahead-of-time engine: a validated .rune translated to native code through LLVM, in
        // process, and run sandboxed (bounds-checked memory, traps unwound to the host).
        .target(name: "CRuneAOTSupport"),
        .target(
            name: "RuneAOT",
            dependencies: [
                "CLLVM",
                "CRuneAOTSupport",
                "CRuneLinker",
                "RuneManifest",
                "RuneFiles",
                .product(name: "WasmParser", package: "WasmKit"),
            ],
            swiftSettings: llvmSwiftSettings,
            linkerSettings: [
                .unsafeFlags(["-L\(llvmPrefix)/lib", "-Xlinker", "-rpath", "-Xlinker", "\(llvmPrefix)/lib"]),
                .linkedLibrary("LLVM-14"),
            ]
        ),
        .executableTarget(
            name: "runec",
            dependencies: [
                "RuneCompiler",
                "RuneAOT",
                "RuneFrontEnd",
                "RuneModels",
                "RuneManifest",
                "RuneSensors",
                "RuneFiles",
                // FROM REGISTRY/REPO:TAG pulls its base.
                "RuneRegistry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Runes as OCI artifacts in any registry: the distribution API over AsyncHTTPClient, bearer
        // and basic auth, stored logins, the content-addressed pull cache, and the provider
        // runec's `FROM` finds its base with. RuneCompiler does not depend on it (it sees only
        // RuneManifest's BaseRuneProvider), so the compiler library and hmr carry no HTTP stack.
        .target(
            name: "RuneRegistry",
            dependencies: [
                "RuneManifest",
                "RuneFiles",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // RegistryOptions, the connection flags rune and runec share.
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "rune",
            dependencies: [
                "RuneRegistry",
                "RuneRuntime",
                "RuneLink",
                "RuneAOT",
                "RuneManifest",
                "RuneFiles",
                "RuneSensors",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Hammer: deploys runes to RunicOS devices over their serial link (or TCP), verifies
        // them, feeds them inputs and reads their health.
        .executableTarget(
            name: "hmr",
            dependencies: [
                "RuneLink",
                "RuneCompiler",
                "RuneAOT",
                "RuneRuntime",
                "RuneManifest",
                "RuneFiles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // The host side of RunicOS's link protocol: MCUmgr SMP over a serial line (or a TCP
        // socket to QEMU's chardev): framing, CBOR, the client and its upload.
        .target(name: "RuneLink", dependencies: ["RuneFiles"]),

        // Fixture walking and golden files, shared by the test targets.
        .target(name: "RuneTestSupport", path: "Tests/RuneTestSupport"),
        .testTarget(
            name: "RuneCompilerTests",
            dependencies: [
                "RuneCompiler", "RuneFrontEnd", "RuneModels", "RuneManifest", "RuneTestSupport",
                // HostileBaseRuneTests serve bases through the pull cache and runec's provider.
                "RuneRegistry",
                // CrashRecoveryTests drives LLVM's C API and the bridge directly, and the AOT
                // engine alongside it (the two share SIGSEGV).
                "CLLVM", "CLLVMBridge", "RuneAOT",
            ],
            swiftSettings: llvmSwiftSettings
        ),
        .testTarget(
            name: "RuneRuntimeTests",
            dependencies: [
                "RuneRuntime", "RuneManifest", "RuneTestSupport",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WAT", package: "WasmKit"),
            ]
        ),
        .testTarget(
            name: "RuneAOTTests",
            dependencies: [
                "RuneAOT",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WAT", package: "WasmKit"),
            ]
        ),
        .testTarget(name: "RuneFilesTests", dependencies: ["RuneFiles"]),
        // The smpclient interop script is run by a test, not compiled.
        .testTarget(name: "RuneLinkTests", dependencies: ["RuneLink", "RuneFiles", "RuneTestSupport"], exclude: ["Interop"]),
        // hmr against RunicOS on QEMU (TCP and pty serial links), through a fault-injecting proxy.
        // WAT: RuneAgentTests writes a rune that traps in WebAssembly text.
        .testTarget(name: "HammerTests", dependencies: ["RuneLink", "RuneFiles", "RuneManifest", "RuneTestSupport",
                                                        .product(name: "WAT", package: "WasmKit")]),
        // ImageReference's grammar, the auth challenge parser, and rune push/pull/login against
        // Debian's docker-registry (plain, htpasswd behind TLS, and token auth) and skopeo.
        .testTarget(
            name: "RegistryTests",
            dependencies: ["RuneRegistry", "RuneManifest", "RuneFiles", "RuneTestSupport"],
            // The token service the bearer-flow test runs beside docker-registry (Python).
            exclude: ["TokenServer"]
        ),
        .testTarget(
            name: "RuneSensorsTests",
            dependencies: ["RuneSensors", "RuneManifest", "RuneFiles", "RuneTestSupport"]
        ),
        .testTarget(
            name: "ModelTests",
            dependencies: ["RuneCompiler", "RuneModels", "RuneRuntime", "RuneManifest", "RuneTestSupport"]
        ),
        .testTarget(
            name: "EndToEndTests",
            // RuneAOT: EngineFuzzTests shares one native code cache across instances. WAT:
            // AOTCortexMTests writes hostile runes in WebAssembly text. RuneLink: RunicOSLinkTests
            // deploys runes to RunicOS on QEMU over its serial link.
            dependencies: ["RuneCompiler", "RuneFrontEnd", "RuneRuntime", "RuneAOT", "RuneManifest", "RuneTestSupport", "RuneLink", "RuneFiles",
                           // FromCompositionTests fill the pull cache as rune pull does.
                           "RuneRegistry",
                           .product(name: "WAT", package: "WasmKit")]
        ),
    ]
)
