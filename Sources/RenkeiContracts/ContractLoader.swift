/// Loads a contract directory in named stages: read (YAML with positions) → validate (shape, then every
/// cross-reference and rule) → model (`ContractSet`).
public enum ContractLoader {
    /// The outcome of checking a contract directory: every diagnostic, and the contracts when there was no error.
    public struct Report: Sendable {
        /// In file order.
        public var diagnostics: [Diagnostic]
        /// `nil` when any diagnostic is an error: a contract set with an error never loads.
        public var contracts: ContractSet?

        public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    }

    /// Checks `directory` and reports everything found, all at once.
    public static func check(directory: String) -> Report {
        var diagnostics = Diagnostics()
        let sources = ContractSources.read(directory: directory, into: &diagnostics)
        let drafts = DraftParser.parse(sources, into: &diagnostics)
        let contracts = ContractValidator.validate(drafts, into: &diagnostics)
        return Report(diagnostics: diagnostics.sorted, contracts: diagnostics.hasErrors ? nil : contracts)
    }

    /// The contracts of `directory`; throws `ContractLoadError` listing every error when there is any.
    public static func load(directory: String) throws(ContractLoadError) -> ContractSet {
        let report = check(directory: directory)
        guard let contracts = report.contracts else { throw ContractLoadError(diagnostics: report.errors) }
        return contracts
    }
}

/// The contract set has errors and was not loaded.
public struct ContractLoadError: Error, Sendable, CustomStringConvertible {
    /// Every error, in file order.
    public var diagnostics: [Diagnostic]

    public var description: String {
        let count = diagnostics.count
        return "The contracts have \(count) error\(count == 1 ? "" : "s") and were not loaded:\n"
            + diagnostics.map(\.description).joined(separator: "\n")
    }
}
