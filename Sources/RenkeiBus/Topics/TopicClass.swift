/// The classes of topics, each with its own retention (``TopicSettings``).
public enum TopicClass: String, Sendable, Hashable, CaseIterable {
    /// `renkei.history`: the hash-chained record of every linkage event; kept at least 7 years.
    case history
    /// `renkei.history.keys`: the record keys of bulk transfers and large provides, referenced by history
    /// entries; kept as long as the history.
    case historyKeys = "history-keys"
    /// `renkei.dlq.*`: dead letters of ingest and delivery; kept at least 7 years.
    case deadLetters = "dead-letters"
    /// `renkei.out.<linkage>.<receiver>`: what each receiver gets, bulk manifests included.
    case receiver
    /// `renkei.bulk.<linkage>.<receiver>`: bulk chunks, reached through the manifests.
    case bulk
    /// `renkei.state.<linkage>.<receiver>`: the current record per key of a full-file receiver; compacted, kept
    /// forever (one record per key, replaced when the key changes).
    case fileState = "file-state"
    /// `renkei.query.<linkage>`: query requests.
    case query
    /// `renkei.reply.<instance>`: query replies, one topic per bus instance.
    case reply
    /// `renkei.shared.claims`: client-assertion ids and file windows claimed at any instance; one partition (its order
    /// decides which claim came first), kept a day.
    case sharedClaims = "shared-claims"
    /// `renkei.shared.transfers`: bulk transfer status by id; one partition, compacted and kept a week.
    case sharedTransfers = "shared-transfers"
    /// `renkei.shared.settings`: settings every instance follows (maintenance mode); one partition, compacted, kept
    /// for ever.
    case sharedSettings = "shared-settings"
    /// `renkei.leases`: empty; its partitions are the leases of once-per-cluster work.
    case leases

    /// `segment.ms` for the shared topics, which every instance reads from the beginning at start: retention and
    /// compaction only act on closed segments, and a broker closes one after 7 days or 1 GiB by default, so without
    /// it a topic kept a day would hold a week. `nil` for the others (the broker's default).
    public var segment: TopicRetention? {
        switch self {
        case .sharedClaims: TopicRetention(milliseconds: 3_600_000)
        case .sharedTransfers, .sharedSettings: .days(1)
        default: nil
        }
    }

    /// `cleanup.policy`: `compact` for the file state and the shared settings (only each key's latest record
    /// matters), `compact,delete` for transfer status (the latest per transfer, for a week), `delete` for every other
    /// class (the history, dead letters and deliveries must never lose a record to compaction).
    public var cleanupPolicy: String {
        switch self {
        case .fileState, .sharedSettings: "compact"
        case .sharedTransfers: "compact,delete"
        default: "delete"
        }
    }
}
