import CYaml
import RuneManifest

/// Measures a YAML document before it is composed, so hostile input cannot ask for unbounded
/// work: every alias counts as the nodes and scalar bytes it expands to, and nesting is
/// bounded.
///
/// One pass over libyaml's events with an explicit stack (no recursion, however deep the
/// input), remembering each anchor's expanded size; work and memory are linear in the text.
/// Stops at the first limit crossed and says where.
struct YAMLBudget {
    struct Violation: Error, Equatable {
        var message: String
        var help: String
        /// 1-based.
        var line: Int
        var column: Int
    }

    var maxNodes = RuneLimits.maxYAMLNodes
    var maxScalarBytes = RuneLimits.maxYAMLScalarBytes
    var maxDepth = RuneLimits.maxYAMLDepth

    /// The first limit `text` crosses, or nil. Malformed YAML is not reported here: the
    /// composer reports it with its own words.
    func check(_ text: String) -> Violation? {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return nil }
        return bytes.withUnsafeMutableBufferPointer { buffer -> Violation? in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)

            struct Size { var nodes = 0, bytes = 0 }
            var total = Size()
            var anchors: [[UInt8]: Size] = [:]
            // Each open sequence or mapping: its anchor and the totals when it opened.
            var open: [(anchor: [UInt8]?, start: Size)] = []

            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1
                let column = Int(event.start_mark.column) + 1
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_SCALAR_EVENT:
                    let size = Size(nodes: 1, bytes: Int(event.data.scalar.length))
                    total.nodes += size.nodes
                    total.bytes += size.bytes
                    if let anchor = YAMLBudget.name(event.data.scalar.anchor) { anchors[anchor] = size }
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let pointer = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor
                        : event.data.mapping_start.anchor
                    open.append((YAMLBudget.name(pointer), total))
                    total.nodes += 1
                    if open.count > maxDepth {
                        return Violation(message: "the YAML nests more than \(maxDepth) lists and mappings deep",
                                         help: "a Runefile.yml needs only a few levels", line: line, column: column)
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    if let (anchor, start) = open.popLast(), let anchor {
                        anchors[anchor] = Size(nodes: total.nodes - start.nodes, bytes: total.bytes - start.bytes)
                    }
                case YAML_ALIAS_EVENT:
                    if let anchor = YAMLBudget.name(event.data.alias.anchor), let size = anchors[anchor] {
                        // Both sizes are within the limits, so these sums cannot overflow.
                        total.nodes += size.nodes
                        total.bytes += size.bytes
                    }
                default:
                    break
                }
                if total.nodes > maxNodes {
                    return Violation(message: "the YAML has more than \(maxNodes) values once its aliases are expanded",
                                     help: "write the values out, or use fewer aliases", line: line, column: column)
                }
                if total.bytes > maxScalarBytes {
                    return Violation(message: "the YAML has more than \(maxScalarBytes) bytes of text once its aliases are expanded",
                                     help: "write the values out, or use fewer aliases", line: line, column: column)
                }
            }
        }
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> [UInt8]? {
        guard let pointer else { return nil }
        var result: [UInt8] = []
        var index = 0
        while pointer[index] != 0 {
            result.append(pointer[index])
            index += 1
        }
        return result
    }
}
