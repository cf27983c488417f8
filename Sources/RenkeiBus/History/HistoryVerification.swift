/// Checks a sequence of history entries, as read from the topic: every chain numbered 1, 2, 3, … without gap,
/// each entry's `previousHash` the hash of the entry before it, and each hash matching its content.
public enum HistoryVerification {
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The position of the entry in the history topic.
        public var offset: Int64
        public var chain: String
        public var sequence: Int
        public var reason: String
        public var description: String {
            // Problems with no entry to name (unreadable bytes, a truncated topic) carry chain "?" and entry 0.
            chain == "?" && sequence == 0
                ? "offset \(offset): \(reason)" : "offset \(offset) (chain \(chain), entry \(sequence)): \(reason)"
        }
    }

    /// Entries of a chain that are no longer in the topic because retention (or an operator's DeleteRecords)
    /// removed everything before ``Report/retainedFrom``: not tampering, but no longer provable.
    public struct Expired: Sendable, Hashable, CustomStringConvertible {
        public var chain: String
        /// The first and last sequence number removed.
        public var sequences: ClosedRange<Int>
        public var description: String {
            "chain \(chain): entries \(sequences.lowerBound)…\(sequences.upperBound) were removed by retention"
        }
    }

    public struct Report: Sendable {
        /// The entries read: all of them, or those from the checkpoint's oldest head on.
        public var entries: Int
        public var chains: Int
        /// The first ``HistoryVerifier/problemLimit`` problems, in topic order.
        public var problems: [Problem]
        /// Every problem found, also those not kept in ``problems``.
        public var problemCount: Int
        /// The oldest offset the topic still holds.
        public var retainedFrom: Int64 = 0
        /// Chains whose oldest entries were removed by retention.
        public var expired: [Expired] = []
        /// The checkpoint offset the verification started from; `nil` when it read the whole topic.
        public var verifiedFrom: Int64?
        /// Where this verification ended, to start the next one from; `nil` unless the history is intact.
        public var checkpoint: HistoryCheckpoint?
        /// No entry was changed, removed from the middle or reordered (retention aside).
        public var isIntact: Bool { problemCount == 0 }
    }

    /// How far a streaming verification got, after each page it read.
    public struct Progress: Sendable, Hashable {
        /// Entries read so far.
        public var entries: Int
        /// The offset the read has reached.
        public var offset: Int64
        /// The offset it stops at: the topic's end when it started.
        public var end: Int64
        /// Where it started reading (above 0 from a checkpoint or after retention).
        public var start: Int64
    }

    /// The hash an entry must carry: SHA-256 of its canonical form with an empty `hash` field.
    public static func hash(of entry: HistoryEntry) -> String { HistoryHashing.hash(of: entry) }

    /// Verifies `entries` in topic order; `unreadable` lists offsets whose bytes are not an entry at all.
    /// `retainedFrom` is the topic's oldest retained offset: when it is above 0, the first entry seen of a chain
    /// may follow entries that retention removed, and its link to them cannot be checked; that is reported in
    /// ``Report/expired``, never as tampering. For a whole topic, ``HistoryReader/verify(from:pageSize:progress:)``
    /// streams instead.
    public static func verify(
        _ entries: [(offset: Int64, entry: HistoryEntry)], unreadable: [Int64] = [], retainedFrom: Int64 = 0
    ) -> Report {
        var verifier = HistoryVerifier(retainedFrom: retainedFrom)
        for offset in unreadable { verifier.unreadable(offset: offset) }
        for (offset, entry) in entries { verifier.check(offset: offset, entry: entry) }
        let last = (entries.map(\.offset) + unreadable).max()
        return verifier.report(end: last.map { $0 + 1 } ?? retainedFrom)
    }
}
