import ArgumentParser

/// `hmr targets`: the devices Hammer knows, and what it does to them.
struct Targets: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, add, remove, cast runes to and roll back targets.",
        subcommands: [ListTargets.self, AddTarget.self, RemoveTarget.self, Cast.self, Rollback.self, Status.self])
}
