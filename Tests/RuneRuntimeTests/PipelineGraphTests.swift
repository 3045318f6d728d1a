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
}
