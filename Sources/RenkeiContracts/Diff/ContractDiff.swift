/// What changes between two contract sets, for a review before the new set is applied: first who may get or send
/// what (entitlements), then everything else.
///
/// Entitlements are compared on the compiled model — each receiver's resolved items — so a receiver with
/// `items: all` gains the items a new layout version adds, exactly as the bus would deliver them.
public struct ContractDiff: Sendable {
    /// Changes to who may receive, provide or read what; growing ones first, the most sensitive first.
    public var entitlements: [EntitlementChange]
    /// Every other change: linkage settings, layouts, code tables, systems, operators' names.
    public var changes: [ContractChange]

    /// Whether any system or operator may get, send or read something it could not before.
    public var entitlementsGrow: Bool { entitlements.contains(where: \.grows) }

    /// Whether the two sets are the same in every compared respect.
    public var isEmpty: Bool { entitlements.isEmpty && changes.isEmpty }

    /// Compares `old` with `new`.
    public init(old: ContractSet, new: ContractSet) {
        var entitlements = EntitlementComparison(old: old, new: new).changes()
        entitlements.sort(by: EntitlementChange.reviewOrder)
        self.entitlements = entitlements
        self.changes = DefinitionComparison(old: old, new: new).changes()
    }
}
