public import Foundation
public import RenkeiContracts

/// One way the history would have gone differently under proposed contracts, for one linkage and one receiver (or
/// one refused or accepted system), with how often and sample record keys — never a value.
public struct WhatIfFinding: Sendable, Hashable {
    /// What would have been different.
    public enum Kind: String, Sendable, CaseIterable {
        /// A receiver would have got items it did not get (its entitlement grows).
        case itemsSent = "items-sent"
        /// A system that was not a receiver would have got the linkage's records.
        case newReceiver = "new-receiver"
        /// A refused submission would have been accepted.
        case wouldBeAccepted = "would-be-accepted"
        /// A receiver would not have got records it got: it is no longer a receiver of the linkage.
        case notDelivered = "not-delivered"
        /// A receiver would not have got items it got (its entitlement shrinks).
        case itemsWithheld = "items-withheld"
        /// A provider's submission or a receiver's query would have been refused.
        case wouldBeRefused = "would-be-refused"
        /// The linkage is gone: nothing of it would have happened.
        case linkageRemoved = "linkage-removed"

        /// Whether more data would have reached someone.
        public var sends: Bool { self == .itemsSent || self == .newReceiver || self == .wouldBeAccepted }
    }

    /// An item by field key, with its name and sensitivity from the contracts that still hold its layout.
    public struct Item: Sendable, Hashable {
        public var key: String
        public var name: String?
        /// `nil` when neither the proposed nor the current contracts hold the item.
        public var sensitivity: Sensitivity?
    }

    /// How often: history entries by kind, and the records they carried.
    public struct Counts: Sendable, Hashable {
        /// Submissions (a provide or bulk transfer counts once, however many receivers it had).
        public var provides = 0
        /// Push, file and Kafka deliveries (their records are those of the provides, not counted again).
        public var deliveries = 0
        public var queries = 0
        public var replays = 0
        public var refusals = 0
        /// Records carried: a bulk transfer counts its records, not its entry.
        public var records = 0

        public init() {}

        static func + (a: Counts, b: Counts) -> Counts {
            var sum = a
            sum.provides += b.provides
            sum.deliveries += b.deliveries
            sum.queries += b.queries
            sum.replays += b.replays
            sum.refusals += b.refusals
            sum.records += b.records
            return sum
        }
    }

    public var kind: Kind
    public var linkage: String
    /// The receiver concerned (deliveries, items, new receivers, queries); `nil` for what concerns a submission.
    public var receiver: String?
    /// The system refused or accepted (a provider, or the asker of a query).
    public var system: String?
    /// Why it would have been refused or accepted, with the codes the bus refuses with.
    public var reason: String?
    /// The items sent or withheld; for a new receiver, every item it would have got.
    public var items: [Item]
    public var counts: Counts
    /// Up to the requested number of record keys (宛名番号) concerned, in the order met.
    public var samples: [String]
    /// When it first and last happened in the history walked.
    public var first: Date
    public var last: Date

    /// The most sensitive item sent, withheld or given to a new receiver (`none` without items).
    public var sensitivity: Sensitivity {
        let levels = items.compactMap(\.sensitivity)
        if levels.contains(.mynumber) { return .mynumber }
        if levels.contains(.personal) { return .personal }
        return .none
    }

    /// Findings in the order to read them: 個人番号 and then personal items that would have been sent come first, then
    /// other additions, then what would not have happened; within each, by linkage and receiver.
    static func isOrderedBefore(_ a: WhatIfFinding, _ b: WhatIfFinding) -> Bool {
        func rank(_ finding: WhatIfFinding) -> Int {
            guard finding.kind.sends else { return 3 }
            switch finding.sensitivity {
            case .mynumber: return 0
            case .personal: return 1
            case .none: return 2
            }
        }
        let kinds = Kind.allCases
        let left = (rank(a), a.linkage, a.receiver ?? "", kinds.firstIndex(of: a.kind)!, a.system ?? "")
        let right = (rank(b), b.linkage, b.receiver ?? "", kinds.firstIndex(of: b.kind)!, b.system ?? "")
        if left != right { return left < right }
        return a.items.map(\.key).joined(separator: ",") < b.items.map(\.key).joined(separator: ",")
    }
}

/// What replaying a stretch of history against proposed contracts found.
public struct WhatIfReport: Sendable {
    public var since: Date
    public var until: Date?
    /// History entries walked.
    public var entries: Int
    /// Ordered as ``WhatIfFinding/isOrderedBefore(_:_:)``: the riskiest first.
    public var findings: [WhatIfFinding]
    /// The history topic's offset the index had read up to.
    public var indexedThrough: Int64

    /// Whether anything would have gone differently.
    public var differs: Bool { !findings.isEmpty }
}
