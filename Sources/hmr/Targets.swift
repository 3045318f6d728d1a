import ArgumentParser

/// `hmr targets`: the devices Hammer knows, and what it does to them.
struct Targets: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, add, remove and cast runes to targets.",
        subcommands: [ListTargets.self, AddTarget.self, RemoveTarget.self, Cast.self, Status.self])
}
