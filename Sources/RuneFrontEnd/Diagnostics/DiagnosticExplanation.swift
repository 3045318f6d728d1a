/// The long form of a diagnostic code, printed by `runec --explain CODE` as rustc does.
public struct DiagnosticExplanation: Sendable {
    /// What the code means and how to fix it, one paragraph.
    public var text: String
    /// A Runefile that gets this diagnostic; nil where the mistake needs other files (a model, a
    /// C file, a board) to show.
    public var example: String?
    /// The same Runefile corrected, where a correction fits in a few lines.
    public var corrected: String?

    /// The whole explanation as `runec --explain` prints it.
    public func rendered(for code: DiagnosticCode) -> String {
        var lines = ["\(code.rawValue): \(code.summary)", "", text]
        if let example {
            lines += ["", "Example of the mistake:", ""] + indent(example)
        }
        if let corrected {
            lines += ["", "Corrected:", ""] + indent(corrected)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func indent(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { $0.isEmpty ? "" : "    " + $0 }
    }
}

extension DiagnosticCode {
    /// The code written as given, in any case (`e0101` is `E0101`); nil when no such code exists.
    public static func named(_ name: String) -> DiagnosticCode? {
        all.first { $0.rawValue == name.uppercased() }
    }

    /// The long explanation of this code.
    public var explanation: DiagnosticExplanation {
        DiagnosticCode.explanations[rawValue]
            ?? DiagnosticExplanation(text: summary.prefix(1).uppercased() + summary.dropFirst() + ".")
    }

    private static let header = "FROM runicos/base\n"

    /// Every code's explanation; `DiagnosticExplanationTests` compiles each example and checks it
    /// gets its code, and fails when a code has none.
    static let explanations: [String: DiagnosticExplanation] = [
        "E0001": DiagnosticExplanation(
            text: """
                A Runefile line is not well formed: a stage declaration is missing its name, a \
                tensor type list is not closed, or an argument is not `--key value`. Each \
                instruction is one line (end a line with `\\` to continue it).
                """,
            example: header + "CAPABILITY<F32[4]>\nOUT serial\n",
            corrected: header + "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n"),
        "E0002": DiagnosticExplanation(
            text: """
                The first word of a line must be one of FROM, CAPABILITY, PROC_BLOCK, MODEL, OUT \
                or RUN (upper case). Anything else, a typo included, is an unknown instruction.
                """,
            example: header + "CAPABILITY<F32[4]> input RAW\nOUTPUT serial\nRUN input serial\n",
            corrected: header + "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n"),
        "E0003": DiagnosticExplanation(
            text: """
                A Runefile.yml is not valid YAML, or its YAML is not shaped like a Runefile: \
                `version`, `image` and `pipeline` at the top, one mapping per stage under \
                `pipeline`. YAML aliases are expanded with a limit on nodes and bytes, so a file \
                that expands past it is refused here too.
                """),
        "E0004": DiagnosticExplanation(
            text: """
                Runefile.yml declares its format version with `version: 1`, the only version \
                runec reads. Any other number is refused rather than guessed at.
                """),
        "E0005": DiagnosticExplanation(
            text: """
                Every Runefile starts from a base image: `FROM runicos/base` in a Runefile, \
                `image: runicos/base` in a Runefile.yml.
                """,
            example: "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n",
            corrected: header + "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n"),
        "E0006": DiagnosticExplanation(
            text: """
                A tensor type is an element type and a shape: `F32[4]`, `I16[16000]`, `U8[96,96,1]` \
                or `UTF8`. Element types are U8, I8, U16, I16, U32, I32, U64, I64, F32, F64 and \
                UTF8; each dimension is a positive integer.
                """,
            example: header + "CAPABILITY<F32[four]> input RAW\nOUT serial\nRUN input serial\n",
            corrected: header + "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n"),
        "E0007": DiagnosticExplanation(
            text: """
                A stage name is longer than the 256 bytes hosts accept (`RuneLimits.maxNameBytes`). \
                Names travel in the manifest and in every message a host prints, so they are kept \
                short; use a shorter name.
                """,
            example: header + "CAPABILITY<F32[4]> " + String(repeating: "n", count: 300) + " RAW\nOUT serial\nRUN "
                + String(repeating: "n", count: 300) + " serial\n",
            corrected: header + "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n"),
        "E0100": DiagnosticExplanation(
            text: """
                Stage names are unique in a Runefile: RUN lines refer to stages by name, so two \
                stages with one name would be ambiguous. Rename one of them.
                """,
            example: header + "CAPABILITY<F32[4]> input RAW\nCAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n",
            corrected: header + "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n"),
        "E0101": DiagnosticExplanation(
            text: """
                A RUN line (or a stage's inputs in Runefile.yml) names a stage that is not \
                declared. Check the spelling, or declare the stage.
                """,
            example: header + "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serail\n",
            corrected: header + "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n"),
        "E0102": DiagnosticExplanation(
            text: """
                Data flows one way, from capabilities through blocks and models to outputs. A \
                set of RUN lines that leads a stage back to itself has no order to run in.
                """,
            example: header + """
                CAPABILITY<F32[4]> input RAW
                PROC_BLOCK<F32[4],F32[4]> first hotg-ai/rune#proc-blocks/normalize
                PROC_BLOCK<F32[4],F32[4]> second hotg-ai/rune#proc-blocks/normalize
                OUT serial
                RUN input first second serial
                RUN second first

                """,
            corrected: header + """
                CAPABILITY<F32[4]> input RAW
                PROC_BLOCK<F32[4],F32[4]> first hotg-ai/rune#proc-blocks/normalize
                PROC_BLOCK<F32[4],F32[4]> second hotg-ai/rune#proc-blocks/normalize
                OUT serial
                RUN input first second serial

                """),
        "E0103": DiagnosticExplanation(
            text: """
                A connection goes the wrong way: a capability has no inputs, so nothing may flow \
                into it, and an output has no outputs, so nothing may follow it.
                """,
            example: header + "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN serial input\n",
            corrected: header + "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n"),
        "E0104": DiagnosticExplanation(
            text: """
                Every block, model and output needs an input. Connect the stage after a \
                capability or another stage in a RUN line.
                """,
            example: header + "CAPABILITY<F32[4]> input RAW\nPROC_BLOCK<F32[4],F32[4]> norm hotg-ai/rune#proc-blocks/normalize\nOUT serial\nRUN norm serial\n",
            corrected: header + "CAPABILITY<F32[4]> input RAW\nPROC_BLOCK<F32[4],F32[4]> norm hotg-ai/rune#proc-blocks/normalize\nOUT serial\nRUN input norm serial\n"),
        "E0105": DiagnosticExplanation(
            text: """
                A rune exists to produce results: a pipeline needs at least one OUT stage that \
                data reaches. A Runefile with only FROM, or with stages but no output, gets this.
                """,
            example: header,
            corrected: header + "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n"),
        "E0106": DiagnosticExplanation(
            text: """
                The pipeline is larger than every host accepts: more than 1,024 capabilities, \
                outputs or models, more than 1,024 inputs to one output, or more than 65,536 \
                stages (`RuneLimits`). runec refuses it at compile time rather than build a rune \
                no host would load; split the pipeline or merge stages.
                """),
        "E0200": DiagnosticExplanation(
            text: """
                The capability kind names a sensor the host provides: RAND, RAW, SOUND, IMAGE or \
                ACCEL. A rune may read only what it declares, so the kind must be one hosts know.
                """,
            example: header + "CAPABILITY<F32[4]> input THERMOMETER\nOUT serial\nRUN input serial\n",
            corrected: header + "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n"),
        "E0201": DiagnosticExplanation(
            text: """
                The output kind names a sink the host provides. Hosts today provide SERIAL (JSON \
                lines on stdout), written `OUT serial`.
                """,
            example: header + "CAPABILITY<F32[4]> input RAW\nOUT<HTTP> web\nRUN input web\n"),
        "E0202": DiagnosticExplanation(
            text: """
                A PROC_BLOCK names a block of the library (`hotg-ai/rune#proc-blocks/fft`, or the \
                short `runicos/fft`) or a C file of yours (`./block.c`). The README lists the \
                library's blocks.
                """,
            example: header + "CAPABILITY<F32[4]> input RAW\nPROC_BLOCK<F32[4],F32[4]> f hotg-ai/rune#proc-blocks/fast\nOUT serial\nRUN input f serial\n",
            corrected: header + "CAPABILITY<F32[4]> input RAW\nPROC_BLOCK<F32[4],F32[4]> f hotg-ai/rune#proc-blocks/normalize\nOUT serial\nRUN input f serial\n"),
        "E0203": DiagnosticExplanation(
            text: """
                The stage does not take this argument. Each capability and block has a fixed set \
                of arguments; the help line lists them.
                """,
            example: header + "CAPABILITY<F32[4]> input RAW --volume 3\nOUT serial\nRUN input serial\n",
            corrected: header + "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n"),
        "E0204": DiagnosticExplanation(
            text: """
                The argument's value is not of the kind the stage needs (a number where a number \
                is expected, a value within the allowed range, a known pixel format).
                """,
            example: header + "CAPABILITY<I16[16000]> audio SOUND --hz fast\nOUT serial\nRUN audio serial\n",
            corrected: header + "CAPABILITY<I16[16000]> audio SOUND --hz 16000\nOUT serial\nRUN audio serial\n"),
        "E0205": DiagnosticExplanation(
            text: """
                The stage needs this argument and has no default for it, for example the labels \
                of a `label` block.
                """,
            example: header + "CAPABILITY<U32[2]> input RAW\nPROC_BLOCK<U32[2],UTF8[2]> label hotg-ai/rune#proc-blocks/label\nOUT serial\nRUN input label serial\n",
            corrected: header + "CAPABILITY<U32[2]> input RAW\nPROC_BLOCK<U32[2],UTF8[2]> label hotg-ai/rune#proc-blocks/label --labels yes,no\nOUT serial\nRUN input label serial\n"),
        "E0206": DiagnosticExplanation(
            text: """
                An argument is given twice on one stage. Keep one; runec does not guess which you \
                meant.
                """,
            example: header + "CAPABILITY<I16[16000]> audio SOUND --hz 16000 --hz 8000\nOUT serial\nRUN audio serial\n",
            corrected: header + "CAPABILITY<I16[16000]> audio SOUND --hz 16000\nOUT serial\nRUN audio serial\n"),
        "E0300": DiagnosticExplanation(
            text: """
                A stage's output has one element type and the next stage's input expects another. \
                Types are never converted silently: add a block that converts them, or declare \
                matching types.
                """,
            example: header + "CAPABILITY<I16[4]> input RAW\nPROC_BLOCK<F32[4],F32[4]> soft hotg-ai/rune#proc-blocks/softmax\nOUT serial\nRUN input soft serial\n",
            corrected: header + "CAPABILITY<F32[4]> input RAW\nPROC_BLOCK<F32[4],F32[4]> soft hotg-ai/rune#proc-blocks/softmax\nOUT serial\nRUN input soft serial\n"),
        "E0301": DiagnosticExplanation(
            text: """
                A stage's output has one shape and the next stage's input expects another. Shapes \
                are compared without unit dimensions, so `F32[1,4]` fits `F32[4]`.
                """,
            example: header + "CAPABILITY<F32[4]> input RAW\nPROC_BLOCK<F32[8],F32[8]> soft hotg-ai/rune#proc-blocks/softmax\nOUT serial\nRUN input soft serial\n",
            corrected: header + "CAPABILITY<F32[8]> input RAW\nPROC_BLOCK<F32[8],F32[8]> soft hotg-ai/rune#proc-blocks/softmax\nOUT serial\nRUN input soft serial\n"),
        "E0302": DiagnosticExplanation(
            text: """
                runec could not work out a stage's tensor type: the untyped spelling leaves it \
                open and nothing connected to it fixes it. Declare the types: \
                `CAPABILITY<F32[4]> input RAW`.
                """),
        "E0303": DiagnosticExplanation(
            text: """
                The element type is valid but this stage cannot take it, for example a RAND \
                capability of UTF8 or an FFT fed F32.
                """,
            example: header + "CAPABILITY<UTF8[1]> rand RAND\nOUT serial\nRUN rand serial\n",
            corrected: header + "CAPABILITY<F32[1]> rand RAND\nOUT serial\nRUN rand serial\n"),
        "E0304": DiagnosticExplanation(
            text: """
                A tensor is larger than hosts accept: more than 8 dimensions, more than 2^26 \
                elements, or more than 64 MiB (`RuneLimits`). Every tensor lives in the rune's \
                memory and is copied by the host, so the limit is checked when the type is \
                declared or inferred.
                """,
            example: header + "CAPABILITY<F32[100000000]> input RAW\nOUT serial\nRUN input serial\n",
            corrected: header + "CAPABILITY<F32[1000]> input RAW\nOUT serial\nRUN input serial\n"),
        "E0400": DiagnosticExplanation(
            text: """
                A file the Runefile names (a model, a C block) does not exist, is not readable, \
                or is not a regular file. Paths are relative to the Runefile's folder.
                """,
            example: header + "CAPABILITY<F32[1]> input RAW\nMODEL<F32[1],F32[1]> model ./missing.tflite\nOUT serial\nRUN input model serial\n"),
        "E0401": DiagnosticExplanation(
            text: """
                The model file is not a TFLite flatbuffer runec can compile: it is truncated or \
                corrupt, uses an operator runec does not support (the README lists them), has a \
                quantization parameter that is not finite and positive, or has inputs and outputs \
                other than the ones declared. `runec model-info MODEL.tflite` shows what runec \
                reads from it.
                """),
        "E0402": DiagnosticExplanation(
            text: """
                A C block of yours does not compile. Clang's own message follows, at your file and \
                line. Blocks are freestanding C11 compiled to WebAssembly: they may include only \
                files beside the Runefile and the runtime headers, call only what they define or \
                what `rune_block.h` offers, and use no inline assembly.
                """),
        "E0403": DiagnosticExplanation(
            text: """
                A `$NAME` in a `model:` or in an argument names no entry of the Runefile.yml's \
                top-level `resources:`, or names one that cannot be used there: a model needs a \
                `binary` resource with a `path`, an argument a `string` resource with a `path` or \
                an `inline` value. Declare it, or fix its type.

                A resource declared without `path` or `inline` is given its file when the rune is \
                built: `runec Runefile.yml --resource NAME=FILE` (which also replaces a `path` or \
                `inline` value). The original Rune read such resources when the rune ran; runec \
                compiles models to code and arguments to constants, with every buffer planned at \
                compile time, so a value cannot arrive later and `rune run` takes no resources. \
                A `--resource` NAME the Runefile does not declare is reported with this code too.
                """),
        "E0404": DiagnosticExplanation(
            text: """
                A model's `format` argument names a format runec cannot compile. runec compiles \
                `tensorflow-lite` models (the default) to code; convert TensorFlow, TensorFlow.js \
                or ONNX models to TensorFlow Lite first, for example with `tflite_convert`.
                """),
        "E0405": DiagnosticExplanation(
            text: """
                `FROM REGISTRY/REPO:TAG` names a base rune that cannot be used: the registry \
                refused it (the message names its error code, such as `MANIFEST_UNKNOWN` or \
                `UNAUTHORIZED`), it is not in the pull cache (with `--offline`), its bytes do not \
                match their digest, it carries no Runefile (built with `--no-sources`, or before \
                runec stored sources), or its stored Runefile has errors. Check the reference and \
                your login (`rune login`), pull it once while online, or build the base again \
                with this runec.
                """),
        "E0406": DiagnosticExplanation(
            text: """
                A stage of a derived Runefile has the name of a stage of its base rune, so it \
                replaces that stage, but it is of another kind (a MODEL replacing a PROC_BLOCK, \
                say): the base's connections would no longer make sense. Replace a stage with one \
                of the same kind, or give the new stage another name.
                """),
        "E0500": DiagnosticExplanation(
            text: """
                The firmware image is larger than the board's flash or RAM. runec prints how much \
                each region needs; use a smaller model, fewer stages, or a larger board.
                """),
        "E0501": DiagnosticExplanation(
            text: """
                An `--embed-input NAME=FILE` names no capability of the rune, or its file cannot \
                be converted into that capability's tensor (wrong format, unreadable).
                """),
        "E0502": DiagnosticExplanation(
            text: """
                The rune declares a capability of a kind the chosen board cannot feed (neither a \
                sensor of its own nor an embedded input of that kind), so firmware built from it \
                could only refuse to run. Choose a board that has the sensor, or change the \
                capability. For example a `CAPABILITY<U8[96, 96]> image IMAGE` built with \
                `--board mps2-an500`, which has no camera and takes no embedded image.
                """),
        "E0900": DiagnosticExplanation(
            text: """
                Not a mistake in your Runefile: runec itself failed (a state it should never \
                reach, or a crash inside clang or LLVM that it recovered from). Please report it \
                with the Runefile and the files it names; the message says what failed.
                """),
        "W0001": DiagnosticExplanation(
            text: """
                A stage is declared but no RUN line connects it, so it does nothing. Connect it \
                or remove it.
                """,
            example: header + "CAPABILITY<F32[4]> input RAW\nCAPABILITY<F32[4]> spare RAW\nOUT serial\nRUN input serial\n",
            corrected: header + "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n"),
        "W0002": DiagnosticExplanation(
            text: """
                An argument is accepted but has no effect here, for example `--output` or \
                `--input` on a MODEL whose types are declared. It is kept out of the rune.
                """),
        "W0003": DiagnosticExplanation(
            text: """
                Clang warned about a C block of yours. The rune is still built; the warning is \
                shown at your file and line.
                """),
        "W0004": DiagnosticExplanation(
            text: """
                The `FROM` or `image:` names neither the built-in base `runicos/base` nor a \
                registry reference (one whose first part has a `.` or `:`, or is `localhost`). \
                As in the original Rune, the name is treated as metadata and the rune is built on \
                `runicos/base`.
                """,
            example: "FROM asdf\nCAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n",
            corrected: header + "CAPABILITY<F32[4]> input RAW\nOUT serial\nRUN input serial\n"),
    ]
}
