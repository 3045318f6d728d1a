import RuneManifest

/// Draws a rune's pipeline: stages as boxes, tensor types on the edges, capabilities and outputs
/// marked. As Graphviz DOT, or as a self-contained SVG laid out here (no Graphviz needed).
public struct PipelineGraph: Sendable {
    public var pipeline: PipelineDescription
    public var title: String

    public init(pipeline: PipelineDescription, title: String) {
        self.pipeline = pipeline
        self.title = title
    }

    // MARK: DOT

    public var dot: String {
        var lines = ["digraph \(quote(title)) {", "  rankdir=LR;", "  node [fontname=\"Helvetica\", fontsize=11];",
                     "  edge [fontname=\"Helvetica\", fontsize=9];"]
        for stage in pipeline.stages {
            let style: String = switch stage.kind {
            case .capability: "shape=invhouse, style=filled, fillcolor=\"#d5f5e3\""
            case .procBlock: "shape=box, style=\"rounded,filled\", fillcolor=\"#eaecee\""
            case .model: "shape=box3d, style=filled, fillcolor=\"#d6eaf8\""
            case .output: "shape=house, style=filled, fillcolor=\"#fdebd0\""
            }
            lines.append("  \(quote(stage.name)) [label=\(quote("\(stage.name)\n\(stage.kind.name): \(stage.detail)")), \(style)];")
        }
        for stage in pipeline.stages {
            for input in stage.inputs {
                let producer = pipeline.stages[input.stage]
                lines.append("  \(quote(producer.name)) -> \(quote(stage.name)) [label=\(quote(producer.outputs[input.output].description))];")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    // MARK: SVG

    struct Box {
        var x: Double
        var y: Double
        var width: Double
        var height: Double
    }

    /// Columns by longest path from a capability; rows in stage order within a column.
    func layout() -> [Box] {
        var column = Array(repeating: 0, count: pipeline.stages.count)
        for (index, stage) in pipeline.stages.enumerated() {
            column[index] = stage.inputs.map { column[$0.stage] + 1 }.max() ?? 0
        }
        let characterWidth = 7.0
        let boxHeight = 44.0
        var widths = Array(repeating: 0.0, count: (column.max() ?? 0) + 1)
        for (index, stage) in pipeline.stages.enumerated() {
            let text = max(stage.name.count, stage.kind.name.count + stage.detail.count + 2)
            widths[column[index]] = max(widths[column[index]], Double(text) * characterWidth + 24)
        }
        let gap = 150.0
        var xs: [Double] = []
        var x = 20.0
        for width in widths {
            xs.append(x)
            x += width + gap
        }
        var rows = Array(repeating: 0, count: widths.count)
        return pipeline.stages.indices.map { index in
            let c = column[index]
            defer { rows[c] += 1 }
            return Box(x: xs[c], y: 50 + Double(rows[c]) * (boxHeight + 40), width: widths[c], height: boxHeight)
        }
    }

    public var svg: String {
        let boxes = layout()
        let width = (boxes.map { $0.x + $0.width }.max() ?? 100) + 20
        let height = (boxes.map { $0.y + $0.height }.max() ?? 100) + 30
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(format(width))\" height=\"\(format(height))\" viewBox=\"0 0 \(format(width)) \(format(height))\" font-family=\"Helvetica, Arial, sans-serif\">",
            "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"20\" y=\"24\" font-size=\"14\" font-weight=\"bold\">\(escape(title))</text>",
        ]
        for (index, stage) in pipeline.stages.enumerated() {
            for input in stage.inputs {
                let from = boxes[input.stage]
                let to = boxes[index]
                let (x1, y1) = (from.x + from.width, from.y + from.height / 2)
                let (x2, y2) = (to.x, to.y + to.height / 2)
                let middle = (x1 + x2) / 2
                parts.append("<path d=\"M\(format(x1)),\(format(y1)) C\(format(middle)),\(format(y1)) \(format(middle)),\(format(y2)) \(format(x2)),\(format(y2))\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>")
                let label = pipeline.stages[input.stage].outputs[input.output].description
                parts.append("<text x=\"\(format(middle))\" y=\"\(format((y1 + y2) / 2 - 5))\" font-size=\"10\" text-anchor=\"middle\" fill=\"#333\">\(escape(label))</text>")
            }
        }
        for (index, stage) in pipeline.stages.enumerated() {
            let box = boxes[index]
            let (fill, stroke): (String, String) = switch stage.kind {
            case .capability: ("#d5f5e3", "#1e8449")
            case .procBlock: ("#eaecee", "#566573")
            case .model: ("#d6eaf8", "#2874a6")
            case .output: ("#fdebd0", "#b9770e")
            }
            let radius = stage.kind == .procBlock ? 8 : 2
            parts.append("<g class=\"\(stage.kind.name)\"><rect x=\"\(format(box.x))\" y=\"\(format(box.y))\" width=\"\(format(box.width))\" height=\"\(format(box.height))\" rx=\"\(radius)\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(stage.kind == .capability || stage.kind == .output ? 2.5 : 1.2)\"/>")
            parts.append("<text x=\"\(format(box.x + box.width / 2))\" y=\"\(format(box.y + 18))\" font-size=\"12\" font-weight=\"bold\" text-anchor=\"middle\">\(escape(stage.name))</text>")
            parts.append("<text x=\"\(format(box.x + box.width / 2))\" y=\"\(format(box.y + 34))\" font-size=\"10\" text-anchor=\"middle\" fill=\"#444\">\(escape("\(stage.kind.name): \(stage.detail)"))</text></g>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String((value * 10).rounded() / 10)
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
