public import Foundation
public import RenkeiContracts

/// Replays indexed history against proposed contracts: for every provide, delivery, replay, query and refusal since
/// a time, decides what the proposed contracts would have done instead — refused it, not delivered it, sent or
/// withheld items, delivered to a receiver that did not exist, accepted what was refused — and counts it per linkage
/// and receiver with sample record keys. Entitlements come from ``ContractSet/projection(linkage:receiver:)``, the
/// same projections the bus routes with; what a receiver got comes from the items its history entry names.
///
/// The walk streams through the index a page at a time and keeps only the findings (a few per linkage and
/// receiver) and the entries of the submission it is reading, so a city's history of millions of entries runs in
/// bounded memory.
public struct ContractWhatIf: Sendable {
    public let proposed: ContractSet
    /// The contracts in force, for item names and sensitivities of layouts the proposal no longer holds.
    public let current: ContractSet?
    /// Sample record keys kept per finding.
    public let samples: Int

    public init(proposed: ContractSet, current: ContractSet? = nil, samples: Int = 5) {
        self.proposed = proposed
        self.current = current
        self.samples = max(samples, 0)
    }

    /// How far a walk got.
    public struct Progress: Sendable {
        public var entries: Int
        public var total: Int
        /// The time of the last entry walked.
        public var time: Date?
    }

    /// Walks the entries of `index` from `since` to `until` (both included), oldest first.
    public func run(
        index: HistoryIndex, since: Date, until: Date? = nil, pageSize: Int = 1000,
        progress: ((Progress) -> Void)? = nil
    ) async throws -> WhatIfReport {
        let total = try await index.count(since: since, until: until)
        var walk = WhatIfWalk(rules: self, index: index)
        var walked = 0
        try await index.walk(since: since, until: until, pageSize: pageSize) { items in
            for item in items { try await walk.take(item) }
            walked += items.count
            progress?(Progress(entries: walked, total: total, time: items.last?.entry.time))
        }
        try await walk.finish()
        return WhatIfReport(
            since: since, until: until, entries: walked,
            findings: walk.findings.values.sorted(by: WhatIfFinding.isOrderedBefore),
            indexedThrough: try await index.nextOffset())
    }

    /// Why the proposed contracts would refuse `provider` providing `linkage`, with the bus's refusal codes.
    func provideRefusal(provider: String?, _ linkage: Linkage) -> String? {
        if linkage.mode != .provide { return ProvideError.Code.notAProvideLinkage.rawValue }
        if linkage.provider != provider { return ProvideError.Code.notTheProvider.rawValue }
        return nil
    }

    /// Why the proposed contracts would refuse `asker` querying `linkage`, with the bus's refusal codes.
    func queryRefusal(asker: String?, _ linkage: Linkage) -> String? {
        if linkage.mode != .query { return QueryError.Code.notAQueryLinkage.rawValue }
        if asker.flatMap(linkage.receiver) == nil { return QueryError.Code.notAReceiver.rawValue }
        return nil
    }

    /// The field keys `receiver` of `linkage` would get, in layout order.
    func entitlement(_ linkage: Linkage, receiver: String) -> [String] {
        proposed.projection(linkage: linkage.id, receiver: receiver)?.items.map(\.key) ?? []
    }

    /// An item described from the first of the proposed linkage's layout, the proposed contracts' copy of the
    /// layout the entry names, and the current contracts' copy of it, that holds the item.
    func describe(_ key: String, entry: HistoryEntry, linkage: Linkage?) -> WhatIfFinding.Item {
        let reference = entry.contract.flatMap(LayoutReference.init(parsing:))
        let layouts = [
            linkage.flatMap { proposed.layout($0.layout) }, reference.flatMap(proposed.layout),
            reference.flatMap { current?.layout($0) },
        ]
        for case let layout? in layouts {
            if let item = layout.item(key) {
                return WhatIfFinding.Item(key: key, name: item.name, sensitivity: item.sensitivity)
            }
        }
        return WhatIfFinding.Item(key: key, name: nil, sensitivity: nil)
    }
}
