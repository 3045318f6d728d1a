import ArgumentParser
import RuneRegistry

/// `rune logout`: forget a stored login.
struct Logout: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Forget the stored credentials for a registry.")

    @Argument(help: ArgumentHelp("The registry: HOST[:PORT].", valueName: "registry"))
    var registryHost: String

    func run() throws {
        let host = try Login.registryHost(registryHost)
        guard let store = CredentialStore.standard() else {
            StandardError().write("error: no config folder: set XDG_CONFIG_HOME or HOME to an absolute path\n")
            throw ExitCode(1)
        }
        do {
            print(try store.remove(for: host) ? "removed the login for \(host)" : "no login stored for \(host)")
        } catch {
            StandardError().write("error: \(error)\n")
            throw ExitCode(1)
        }
    }
}
