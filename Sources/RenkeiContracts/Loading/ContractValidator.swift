/// Stage 2b and 3: checks every cross-reference and rule between the drafts, then builds the model.
///
/// Every rule runs on everything it can reach, so one run reports all problems at once.
enum ContractValidator {
    static func validate(_ drafts: ContractDrafts, into diagnostics: inout Diagnostics) -> ContractSet? {
        let systems = validateSystems(drafts.systems, into: &diagnostics)
        let operators = validateOperators(drafts.operators, systems: drafts.systems, into: &diagnostics)
        let codeTables = validateCodeTables(drafts.codeTables, into: &diagnostics)
        let layouts = drafts.layouts.compactMap { validateLayout($0, codeTables: codeTables, into: &diagnostics) }
        let layoutByReference = firstByKey(layouts.map { ($0.layout.reference, $0) })
        for (layout, earlier) in duplicates(layouts.map { ($0.layout.reference, $0.draft.id.location) }) {
            diagnostics.error(
                .duplicateID, at: layout.1,
                "The layout `\(layout.0)` is defined twice; the first definition is at \(earlier).")
        }
        let systemByID = firstByKey(systems.map { ($0.id, $0) })
        var linkages: [Linkage] = []
        for draft in drafts.linkages {
            let linkage = LinkageValidator(
                draft: draft, systems: systemByID, layouts: layoutByReference.mapValues(\.layout),
                layoutIDs: Set(layouts.map(\.layout.id))
            ).validate(into: &diagnostics)
            if let linkage { linkages.append(linkage) }
        }
        for (linkage, earlier) in duplicates(drafts.linkages.map { ($0.id.value, $0.id.location) }) {
            diagnostics.error(
                .duplicateID, at: linkage.1,
                "The linkage id `\(linkage.0)` is used twice; the first definition is at \(earlier).")
        }
        guard !diagnostics.hasErrors else { return nil }
        return ContractSet(
            systems: systems, codeTables: Array(codeTables.values).sorted { $0.id < $1.id },
            layouts: layouts.map(\.layout), linkages: linkages, operators: operators)
    }

    /// Operators' client ids must be unique among operators and systems alike: a client id names one credential.
    private static func validateOperators(
        _ drafts: [OperatorDraft], systems: [SystemDraft], into diagnostics: inout Diagnostics
    ) -> [Operator] {
        let systemClients = systems.compactMap { draft in
            draft.credentials.flatMap { credentials in draft.clientIDLocation.map { (credentials.clientID, $0) } }
        }
        let entries = systemClients + drafts.map { ($0.clientID.value, $0.clientID.location) }
        // Duplicates among systems alone are reported by `validateSystems`.
        let operatorLocations = drafts.map(\.clientID.location)
        for (client, earlier) in duplicates(entries) where operatorLocations.contains(client.1) {
            diagnostics.error(
                .duplicateID, at: client.1,
                "The client id `\(client.0)` is already given to another system or operator at \(earlier); "
                    + "each operator authenticates with its own.")
        }
        return drafts.map {
            Operator(clientID: $0.clientID.value, name: $0.name, secretSHA256: $0.secretSHA256, zone: $0.zone)
        }
    }

    private static func validateSystems(_ drafts: [SystemDraft], into diagnostics: inout Diagnostics) -> [System] {
        for (system, earlier) in duplicates(drafts.map { ($0.id.value, $0.id.location) }) {
            diagnostics.error(
                .duplicateID, at: system.1,
                "The system id `\(system.0)` is registered twice; the first registration is at \(earlier).")
        }
        let clientIDs = drafts.compactMap { draft in
            draft.credentials.flatMap { credentials in draft.clientIDLocation.map { (credentials.clientID, $0) } }
        }
        for (client, earlier) in duplicates(clientIDs) {
            diagnostics.error(
                .duplicateID, at: client.1,
                "The client id `\(client.0)` is already given to another system at \(earlier); "
                    + "each system authenticates with its own.")
        }
        return drafts.map {
            System(
                id: $0.id.value, name: $0.name, kind: $0.kind, zone: $0.zone, credentials: $0.credentials,
                endpoints: $0.endpoints)
        }
    }

    private static func validateCodeTables(
        _ drafts: [CodeTableDraft], into diagnostics: inout Diagnostics
    )
        -> [String: CodeTable]
    {
        for (table, earlier) in duplicates(drafts.map { ($0.id.value, $0.id.location) }) {
            diagnostics.error(
                .duplicateID, at: table.1,
                "The code table `\(table.0)` is defined twice; the first definition is at \(earlier).")
        }
        return firstByKey(drafts.map { ($0.id.value, $0.table) })
    }

    private static func validateLayout(
        _ draft: LayoutDraft, codeTables: [String: CodeTable], into diagnostics: inout Diagnostics
    ) -> (layout: Layout, draft: LayoutDraft)? {
        let subject = "layout `\(draft.id.value)@\(draft.version.value)`"
        for (name, earlier) in duplicates(draft.items.map { ($0.name.value, $0.name.location) }) {
            diagnostics.error(
                .duplicateID, at: name.1,
                "The item name `\(name.0)` appears twice in the \(subject) (first at line \(earlier.line)).")
        }
        for (key, earlier) in duplicates(draft.items.map { ($0.key.value, $0.key.location) }) {
            diagnostics.error(
                .duplicateID, at: key.1,
                "The item key `\(key.0)` appears twice in the \(subject) (first at line \(earlier.line)).")
        }
        let items = draft.items.map { ItemRules.check($0, codeTables: codeTables, into: &diagnostics) }
        return (Layout(id: draft.id.value, version: draft.version.value, title: draft.title, items: items), draft)
    }

    /// The second and later occurrences of each key, with the location of the first.
    static func duplicates<Key: Hashable>(
        _ entries: [(Key, SourceLocation)]
    ) -> [((Key, SourceLocation), SourceLocation)] {
        var first: [Key: SourceLocation] = [:]
        var result: [((Key, SourceLocation), SourceLocation)] = []
        for entry in entries {
            if let earlier = first[entry.0] {
                result.append((entry, earlier))
            } else {
                first[entry.0] = entry.1
            }
        }
        return result
    }

    private static func firstByKey<Key: Hashable, Value>(_ entries: [(Key, Value)]) -> [Key: Value] {
        Dictionary(entries, uniquingKeysWith: { first, _ in first })
    }
}
