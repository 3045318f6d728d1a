import Foundation
@testable import RuneCompiler
@testable import RuneFrontEnd
import RuneManifest
import RuneTestSupport
import Testing

/// Capability and output kinds are defined once, in `RuneManifest` (`CapabilityKind.swift`);
/// these tests hold every other place to that definition.
@Suite struct RuneKindsHeaderTests {
    static let runtime = Fixtures.root.deletingLastPathComponent().appendingPathComponent("Runtime")

    /// `Runtime/include/rune_kinds.h` is generated from the enums: IDs and spellings, exactly.
    /// `RUNE_UPDATE_GOLDEN=1` rewrites it.
    @Test func headerMatchesTheEnums() {
        Fixtures.expect(RuneKindsHeader.text, matches: Self.runtime.appendingPathComponent(RuneKindsHeader.path))
    }

    /// The runtime embedded in runec was built from that same header.
    @Test func embeddedHeaderMatchesTheEnums() {
        #expect(RuntimeLibrary.source(RuneKindsHeader.path) == RuneKindsHeader.text)
    }

    @Test func idsAreUniqueNonZeroAndInDeclarationOrder() {
        let ids = CapabilityKind.allCases.map(\.id)
        #expect(!ids.contains(0))
        #expect(ids == ids.sorted() && Set(ids).count == ids.count)
        for kind in CapabilityKind.allCases { #expect(CapabilityKind(id: kind.id) == kind) }
        #expect(CapabilityKind(id: 0) == nil)
        let outputIDs = OutputKind.allCases.map(\.id)
        #expect(!outputIDs.contains(0) && outputIDs == outputIDs.sorted() && Set(outputIDs).count == outputIDs.count)
    }

    @Test func namesAndAliasesFindTheirKind() {
        var spellings = Set<String>()
        for kind in CapabilityKind.allCases {
            for spelling in [kind.name] + kind.aliases {
                #expect(spellings.insert(spelling).inserted, "\(spelling) names two kinds")
                #expect(CapabilityKind(named: spelling) == kind)
                #expect(CapabilityKind(named: spelling.lowercased()) == kind)
            }
            #expect(CapabilityKind(manifestName: kind.name) == kind)
        }
        #expect(CapabilityKind(manifestName: "AUDIO") == nil, "a manifest stores only the canonical spelling")
        #expect(CapabilityKind(named: "SERIAL") == nil)
    }

    /// The compiler's schemas take exactly the keys, aliases and defaults of the shared definition.
    @Test func catalogSchemasFollowTheSharedDefinition() {
        for kind in CapabilityKind.allCases {
            let parameters = kind.schema.parameters
            #expect(parameters.map(\.name) == kind.arguments.map(\.key))
            for (parameter, argument) in zip(parameters, kind.arguments) {
                #expect(parameter.defaultValue == argument.defaultValue)
                #expect(parameter.aliases == kind.aliases(of: argument))
            }
        }
        #expect([CapabilityArgument.hz, .sampleDurationMs, .pixelFormat, .n].map(\.defaultValue) == ["16000", "1000", "RGB", "128"])
    }

    /// Each board's C lists exactly the kinds its `Board` declares.
    @Test(arguments: Board.all.map(\.name))
    func boardSourcesListTheBoardsKinds(_ name: String) throws {
        let board = try #require(Board.named(name))
        let source = try String(contentsOf: Self.runtime.appendingPathComponent(board.source), encoding: .utf8)
        let list = try #require(source.firstRange(of: "static const rune_capability_kind kinds[] = {"))
        let end = try #require(source[list.upperBound...].firstIndex(of: "}"))
        let listed = source[list.upperBound..<end].split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        #expect(listed == board.capabilities.map { "RUNE_CAPABILITY_KIND_\($0.name)" })
    }
}
