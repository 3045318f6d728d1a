import CRuneAOTSupport

/// How translated code keeps loads and stores inside the rune's linear memory.
///
/// Measured on the microspeech and person_detection examples (x86_64, per call): explicit
/// checks cost 18-21% over unchecked code; guard pages cost nothing per access, only the
/// fault handler and an 8 GiB address-space reservation per memory (no physical memory). On a
/// Cortex-M7 (microspeech, QEMU instruction counts) explicit checks, in their 32-bit form and
/// with range checks eliminated from induction loops, cost 1.8x over unchecked code.
public enum MemoryIsolation: String, Sendable, CaseIterable {
    /// Every load and store compares its end with the memory's size and traps past it. Works
    /// on any target; the choice for 32-bit targets, where the address space has no room for
    /// guard regions.
    case explicitChecks = "explicit-checks"
    /// Loads and stores are unchecked: each memory reserves all a 32-bit address plus a 32-bit
    /// offset can reach, only its current size is accessible, and a fault inside the
    /// reservation becomes an out-of-bounds trap of the running call. 64-bit hosts only.
    case guardPages = "guard-pages"
    /// Loads and stores are unchecked, and the Cortex-M7 MPU confines them: under RunicOS a rune
    /// reaches only its own RAM region, so a stray access cannot touch the OS or another rune,
    /// though it may corrupt the rune's own state where WebAssembly would have trapped. For
    /// 32-bit bare-metal targets; code without checks runs 1.8x faster there (microspeech).
    case mpu

    /// What this host uses: guard pages where the address space allows them.
    public static var host: MemoryIsolation {
        rune_aot_guard_pages() != 0 ? .guardPages : .explicitChecks
    }
}
