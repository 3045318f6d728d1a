import RuneManifest

extension StageSyntax {
    /// The name the stage's schema knows argument `key` by: `labels` and `wordlist` are both the
    /// label block's `labels`; a key the schema does not know (or a C block's) is only
    /// normalized. Two arguments are the same argument when their names are equal.
    public func argumentName(_ key: String) -> String {
        let schema: ArgumentSchema? = switch kind {
        case .capability: CapabilityKind(named: reference.value)?.schema
        case .output: OutputKind(named: reference.value)?.schema
        case .procBlock: ProcBlockCatalog.block(named: reference.value)?.schema
        case .model: nil
        }
        return schema?.parameter(named: key)?.name ?? ArgumentSchema.normalize(key)
    }
}
