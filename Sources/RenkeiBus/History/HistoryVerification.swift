/// Checks a sequence of history entries, as read from the topic: every chain numbered 1, 2, 3, … without gap,
/// each entry's `previousHash` the hash of the entry before it, and each hash matching its content.
public enum HistoryVerification {
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The position of the entry in the history topic.
        public var offset: Int64
        public var chain: String
        public var sequence: Int
        public var reason: String
        public var description: String { "offset \(offset) (chain \(chain), entry \(sequence)): \(reason)" }
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
        public var entries: Int
        public var chains: Int
        public var problems: [Problem]
        /// The oldest offset the topic still holds.
        public var retainedFrom: Int64 = 0
        /// Chains whose oldest entries were removed by retention.
        public var expired: [Expired] = []
        /// No entry was changed, removed from the middle or reordered (retention aside).
        public var isIntact: Bool { problems.isEmpty }
    }

    /// The hash an entry must carry: SHA-256 of its canonical form with an empty `hash` field.
    public static func hash(of entry: HistoryEntry) -> String { HistoryHashing.hash(of: entry) }

    /// Verifies `entries` in topic order; `unreadable` lists offsets whose bytes are not an entry at all.
    /// `retainedFrom` is the topic's oldest retained offset: when it is above 0, the first entry seen of a chain
    /// may follow entries that retention removed, and its link to them cannot be checked; that is reported in
    /// ``Report/expired``, never as tampering.
    public static func verify(
        _ entries: [(offset: Int64, entry: HistoryEntry)], unreadable: [Int64] = [], retainedFrom: Int64 = 0
    ) -> Report {
        var heads: [String: (sequence: Int, hash: String)] = [:]
        var expired: [Expired] = []
        var problems = unreadable.map {
            Problem(offset: $0, chain: "?", sequence: 0, reason: "the entry is not readable: it was altered")
        }
        for (offset, entry) in entries {
            if heads[entry.chain] == nil, retainedFrom > 0, entry.sequence > 1 {
                // The chain's start lies below the retained range: take this entry's link on trust.
                expired.append(Expired(chain: entry.chain, sequences: 1...(entry.sequence - 1)))
                heads[entry.chain] = (entry.sequence - 1, entry.previousHash)
            }
            let head = heads[entry.chain] ?? (0, HistoryHashing.genesis)
            func problem(_ reason: String) {
                problems.append(Problem(offset: offset, chain: entry.chain, sequence: entry.sequence, reason: reason))
            }
            if HistoryHashing.hash(of: entry) != entry.hash {
                problem("the content does not match its hash: the entry was changed")
            }
            if entry.sequence != head.sequence + 1 {
                problem(
                    entry.sequence <= head.sequence
                        ? "entry \(entry.sequence) comes after entry \(head.sequence): entries were reordered or repeated"
                        : "entries \(head.sequence + 1)…\(entry.sequence - 1) are missing: entries were removed")
            } else if entry.previousHash != head.hash {
                problem("the previous-hash link does not match entry \(head.sequence): the chain was altered")
            }
            heads[entry.chain] = (max(head.sequence, entry.sequence), entry.hash)
        }
        return Report(
            entries: entries.count, chains: heads.count, problems: problems, retainedFrom: retainedFrom,
            expired: expired)
    }
}
