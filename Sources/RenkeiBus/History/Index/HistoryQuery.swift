public import Foundation

/// What an operator asks of the history. Every condition that is set must hold.
public struct HistoryFilter: Sendable, Equatable {
    public var linkage: String?
    /// A system as provider or receiver.
    public var system: String?
    /// A record key (宛名番号): "who received what about resident R", bulk transfers and large provides included.
    public var key: String?
    public var kind: HistoryEntry.Kind?
    /// `ok`, `refused`, `quarantined`, `failed`, `replayed`, `timeout`, `expired`…
    public var outcome: String?
    public var since: Date?
    public var until: Date?

    public init(
        linkage: String? = nil, system: String? = nil, key: String? = nil, kind: HistoryEntry.Kind? = nil,
        outcome: String? = nil, since: Date? = nil, until: Date? = nil
    ) {
        self.linkage = linkage
        self.system = system
        self.key = key
        self.kind = kind
        self.outcome = outcome
        self.since = since
        self.until = until
    }
}

/// One question to the history index: a filter, a page size, and where the previous page ended.
public struct HistoryQuery: Sendable {
    public var filter: HistoryFilter
    /// Entries per page, 1…1000.
    public var limit: Int
    /// The `next` of the previous page, to continue with older entries.
    public var cursor: HistoryCursor?

    public static let maxLimit = 1000

    public init(filter: HistoryFilter = HistoryFilter(), limit: Int = 100, cursor: HistoryCursor? = nil) {
        self.filter = filter
        self.limit = min(max(limit, 1), Self.maxLimit)
        self.cursor = cursor
    }
}

/// Where a page of answers ended: opaque to callers (text), it continues the same question with older entries.
public struct HistoryCursor: Sendable, Hashable {
    var time: Int64
    var offset: Int64

    /// The cursor as text for URLs and command lines.
    public var text: String {
        Data("\(time).\(offset)".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// Reads a cursor given back by a caller; `nil` when the text is not one.
    public init?(text: String) {
        var padded = text
        while padded.count % 4 != 0 { padded += "=" }
        guard let data = Data(base64Encoded: padded) else { return nil }
        let parts = String(decoding: data, as: UTF8.self).split(separator: ".")
        guard parts.count == 2, let time = Int64(parts[0]), let offset = Int64(parts[1]) else { return nil }
        self.time = time
        self.offset = offset
    }

    init(time: Int64, offset: Int64) {
        self.time = time
        self.offset = offset
    }
}

/// A page of answers, newest first.
public struct HistoryPage: Sendable {
    /// An entry as the topic holds it, with where it is.
    public struct Item: Sendable {
        /// Its offset in the history topic.
        public var offset: Int64
        public var entry: HistoryEntry
        /// When the question named a key: the key is in the entry's key list (a bulk transfer or a large provide)
        /// rather than listed in the entry.
        public var foundInKeyList: Bool
        /// The entry's key list could not be read when it was indexed (why), so its keys are not findable.
        public var keyListProblem: String?
    }

    public var items: [Item]
    /// Continues with older entries; `nil` on the last page.
    public var next: HistoryCursor?
    /// The offset of the history topic the index has read up to.
    public var indexedThrough: Int64
    /// Entries (offsets) the topic holds beyond what is indexed, when known: the answer may miss them.
    public var behind: Int64?

    public var entries: [HistoryEntry] { items.map(\.entry) }
}
