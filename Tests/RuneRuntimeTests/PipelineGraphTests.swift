import RuneManifest
@testable import RuneRuntime
import Testing

@Suite struct PipelineGraphTests {
    static let pipeline = PipelineDescription(stages: [
        .init(name: "audio", kind: .capability, detail: "SOUND", inputs: [], outputs: [TensorType(.i16, [16000])]),
        .init(name: "fft", kind: .procBlock, detail: "fft", inputs: [(0, 0)], outputs: [TensorType(.u32, [1960])]),
        .init(name: "model", kind: .model, detail: "model.tflite", inputs: [(1, 0)], outputs: [TensorType(.i8, [6])]),
        .init(name: "serial", kind: .output, detail: "SERIAL", inputs: [(2, 0), (0, 0)], outputs: []),
    ])

    @Test func drawsDOTWithTypesOnEdges() {
        let dot = PipelineGraph(pipeline: Self.pipeline, title: "microspeech").dot
        #expect(dot.contains(#""audio" -> "fft" [label="I16[16000]"];"#))
        #expect(dot.contains(#""model" -> "serial" [label="I8[6]"];"#))
        #expect(dot.contains(#""audio" [label="audio\ncapability: SOUND", shape=invhouse"#))
        #expect(dot.contains(#""serial" [label="serial\noutput: SERIAL", shape=house"#))
    }

    @Test func drawsSVGInColumnsByDepth() {
        let graph = PipelineGraph(pipeline: Self.pipeline, title: "microspeech")
        let boxes = graph.layout()
        #expect(boxes[0].x < boxes[1].x && boxes[1].x < boxes[2].x && boxes[2].x < boxes[3].x)
        let svg = graph.svg
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.components(separatedBy: "marker-end=").count - 1 == 4, "one curve per edge")
        #expect(svg.contains(">U32[1960]</text>"))
        #expect(svg.contains("class=\"capability\"") && svg.contains("class=\"output\""))
    }

    @Test func descriptionRoundTripsAndRejectsForwardReferences() throws {
        #expect(try PipelineDescription(decoding: Self.pipeline.encoded()) == Self.pipeline)
        var broken = Self.pipeline
        broken.stages[1].inputs = [(2, 0)]
        #expect(throws: ManifestError.self) { _ = try PipelineDescription(decoding: broken.encoded()) }
        let bytes = Self.pipeline.encoded()
        for length in 0..<bytes.count {
            #expect(throws: ManifestError.self) { _ = try PipelineDescription(decoding: bytes.prefix(length)) }
        }
    }

    /// Stages are bounded by the pipeline's limit (65,536, which runec enforces), not by the
    /// manifest's 1,024 list entries: hosts refused runes of over 1,024 stages that runec built.
    @Test func descriptionTakesAsManyStagesAsRunecAccepts() throws {
        let chain = PipelineDescription(stages: [
            .init(name: "input", kind: .capability, detail: "RAW", inputs: [], outputs: [TensorType(.f32, [4])]),
        ] + (1..<3_000).map {
            .init(name: "m\($0)", kind: .procBlock, detail: "modulo", inputs: [($0 - 1, 0)], outputs: [TensorType(.f32, [4])])
        })
        #expect(try PipelineDescription(decoding: chain.encoded()) == chain)
        // "RPIP", the version, then a stage count of 65,537 as a ULEB128.
        let tooMany = Array("RPIP".utf8) + [PipelineDescription.currentVersion, 0x81, 0x80, 0x04]
        #expect(RuneLimits.maxStages + 1 == 0x01 | 0x00 << 7 | 0x04 << 14)
        #expect(throws: ManifestError(offset: 8, message: "count 65537 exceeds the limit of 65536")) {
            _ = try PipelineDescription(decoding: tooMany)
        }
    }
}
