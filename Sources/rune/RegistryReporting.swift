import ArgumentParser
import RuneManifest
import RuneRegistry

/// Parses a command-line image reference, or exits with the reason.
func parseReference(_ text: String) throws -> ImageReference {
    do {
        return try ImageReference(parsing: text)
    } catch {
        StandardError().write("error: \(error)\n")
        throw ExitCode(1)
    }
}

/// Runs a registry operation, turning its failure into one line on stderr and exit status 1.
func reportingRegistryErrors<Result>(_ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        StandardError().write("error: \(error)\n")
        throw ExitCode(1)
    }
}
