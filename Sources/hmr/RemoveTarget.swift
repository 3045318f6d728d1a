import ArgumentParser

/// `hmr targets rm NAME`.
struct RemoveTarget: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Forget a named target.")

    @Argument(help: "The target's name.")
    var name: String

    func run() throws {
        do {
            var store = try TargetStore.load()
            guard store.entries.contains(where: { $0.name == name }) else {
                throw HammerError("no target named '\(name)' in \(store.url.path)")
            }
            store.entries.removeAll { $0.name == name }
            try store.save()
            Output.diagnose("removed \(name)")
        } catch {
            throw Output.fail("\(error)")
        }
    }
}
