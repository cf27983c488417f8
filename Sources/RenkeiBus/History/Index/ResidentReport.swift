public import Foundation
public import RenkeiContracts

/// Everything the history says about one resident (宛名番号), oldest first, in words an operator can hand over:
/// which system provided or received, queried or replayed what, when, for what purpose (the contract's and the
/// request's), under which contract version, which items — never a
/// value. Built from the history index, so bulk transfers and large provides are included through their key lists.
public struct ResidentReport: Sendable {
    public struct Line: Sendable {
        public var time: Date
        public var kind: HistoryEntry.Kind
        public var linkage: String
        public var provider: System?
        public var receiver: System?
        /// The receiver's purpose of use, from the contract.
        public var purpose: String?
        /// The caller's purpose for the request, when it gave one (``RequestPurpose``).
        public var requestPurpose: String?
        /// The layout the records conformed to, `id@version`.
        public var contract: String?
        /// The version of the linkage the entry was written under (``EnvelopeHeader/contractVersion``).
        public var contractVersion: String?
        /// The items the receiver got, by key and, where the contracts still hold the layout, by name.
        public var items: [Item]
        public var outcome: String
        public var reason: String?
        public var transfer: String?
        /// The resident was in the entry's key list (a bulk transfer or a large provide).
        public var inKeyList: Bool
        /// Where the entry is in the history topic.
        public var offset: Int64
        /// For a file delivery: the file that carried the resident, `<storage location>/<name>`.
        public var file: String?
        /// The operator who replayed, read a dead letter or looked up this history.
        public var operatorID: String? = nil
    }

    public struct System: Sendable {
        public var id: String
        /// The name the contracts give it, if they still know it.
        public var name: String?
    }

    public struct Item: Sendable {
        public var key: String
        public var name: String?
    }

    public var key: String
    public var lines: [Line]
    /// The history topic's offsets not yet indexed when the report was made.
    public var behind: Int64?
    public var madeAt: Date

    /// Pages through every entry about `key` and names systems and items from `contracts`.
    public static func make(key: String, indexer: HistoryIndexer, contracts: ContractSet) async throws -> ResidentReport
    {
        var items: [HistoryPage.Item] = []
        var cursor: HistoryCursor?
        var behind: Int64?
        repeat {
            let page = try await indexer.page(
                HistoryQuery(filter: HistoryFilter(key: key), limit: HistoryQuery.maxLimit, cursor: cursor))
            items += page.items
            cursor = page.next
            behind = page.behind
        } while cursor != nil
        func system(_ id: String?) -> System? {
            id.map { System(id: $0, name: contracts.system($0)?.name) }
        }
        let lines = items.reversed().map { item in
            let entry = item.entry
            let layout = entry.contract.flatMap(LayoutReference.init(parsing:)).flatMap(contracts.layout)
            return Line(
                time: entry.time, kind: entry.kind, linkage: entry.linkage, provider: system(entry.provider),
                receiver: system(entry.receiver), purpose: entry.purpose, requestPurpose: entry.requestPurpose,
                contract: entry.contract, contractVersion: entry.contractVersion,
                items: (entry.items ?? []).map { Item(key: $0, name: layout?.item($0)?.name) }, outcome: entry.outcome,
                reason: entry.reason, transfer: entry.transfer, inKeyList: item.foundInKeyList, offset: item.offset,
                file: entry.file, operatorID: entry.operatorID)
        }
        return ResidentReport(key: key, lines: lines, behind: behind, madeAt: Date())
    }
}
