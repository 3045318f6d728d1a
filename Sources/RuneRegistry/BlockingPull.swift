import Dispatch
import RuneManifest
import Synchronization

extension RegistryClient {
    /// Pulls `reference` for a synchronous caller, such as runec's front end resolving
    /// `FROM REGISTRY/REPO:TAG`: the rune from the cache when `offline` (an error if it is not
    /// there), else from the registry, kept in `cache`.
    ///
    /// It blocks the calling thread until the pull ends, so call it from synchronous code only,
    /// never from inside a Swift concurrency task (which would hold a thread of the pool the pull
    /// needs).
    public static func pullRuneBlocking(_ reference: ImageReference, options: RegistryConnectionOptions = .init(),
                                        credentials: @escaping CredentialLookup = RegistryClient.standardCredentials(),
                                        cache: PullCache? = PullCache.standard(), offline: Bool = false) throws -> PulledRune {
        if offline {
            guard let cached = cache?.lookup(reference) else {
                throw RegistryError("\(reference) is not in the pull cache\(cache.map { " (\($0.folder))" } ?? ""), or is damaged there")
            }
            return cached
        }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let result: Result<PulledRune, any Error>
            do {
                result = .success(try await RegistryClient.with(options: options, credentials: credentials, cache: cache) {
                    try await $0.pullRune(reference)
                })
            } catch {
                result = .failure(error)
            }
            outcome.value.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.value.withLock { $0! }.get()
    }

    /// Where the pulling task leaves its result for the waiting thread.
    private final class Outcome: Sendable {
        let value = Mutex<Result<PulledRune, any Error>?>(nil)
    }
}
