/// Checks history entries one at a time, in topic order, keeping only the head of each chain: what a verification
/// of millions of entries holds in memory is a few heads and at most ``problemLimit`` problems.
///
/// Every chain must be numbered 1, 2, 3, … without gap, each entry's `previousHash` the hash of the entry before
/// it, and each hash must match its content. Started from a ``HistoryCheckpoint``, the chains go on from the
/// checkpoint's heads instead of from 1, and each head must still be in the topic, unchanged, at its offset.
public struct HistoryVerifier: Sendable {
    public typealias Problem = HistoryVerification.Problem
    public typealias Expired = HistoryVerification.Expired
    private typealias Head = HistoryCheckpoint.Anchor

    /// How many problems a report lists; it counts them all.
    public static let problemLimit = 1000

    private let retainedFrom: Int64
    private let checkpoint: HistoryCheckpoint?
    private var heads: [String: Head]
    /// The checkpoint's heads not yet found at their offsets.
    private var unconfirmed: [String: Head]
    private var expired: [Expired] = []
    private var problems: [Problem] = []
    private var problemCount = 0
    private var entries = 0

    /// `retainedFrom` is the topic's oldest retained offset: when it is above what `checkpoint` covers (0 without
    /// one), the first entry seen of a chain may follow entries that retention removed, and its link to them cannot
    /// be checked; that is reported in ``HistoryVerification/Report/expired``, never as tampering.
    public init(retainedFrom: Int64 = 0, from checkpoint: HistoryCheckpoint? = nil) {
        self.retainedFrom = retainedFrom
        self.checkpoint = checkpoint
        self.heads = checkpoint?.chains ?? [:]
        self.unconfirmed = heads
        // A head that retention removed cannot be read again: its chain goes on from it on trust.
        for (chain, anchor) in heads.sorted(by: { $0.value.offset < $1.value.offset })
        where anchor.offset < retainedFrom {
            unconfirmed[chain] = nil
            noteExpired(chain: chain, 1...anchor.sequence)
        }
    }

    /// Checks the entry at `offset`; entries must come in topic order.
    public mutating func check(offset: Int64, entry: HistoryEntry) {
        entries += 1
        if let checkpoint, offset < checkpoint.offset {
            checkBelow(checkpoint, offset: offset, entry: entry)
            return
        }
        // A chain not seen yet starts at the genesis hash; from a checkpoint, it started after the checkpoint.
        var head =
            heads[entry.chain] ?? Head(sequence: 0, hash: HistoryHashing.genesis, offset: (checkpoint?.offset ?? 0) - 1)
        if retainedFrom > head.offset + 1, entry.sequence > head.sequence + 1 {
            // Entries after the head lie below the retained range: take this entry's link on trust.
            noteExpired(chain: entry.chain, (head.sequence + 1)...(entry.sequence - 1))
            head = Head(sequence: entry.sequence - 1, hash: entry.previousHash, offset: retainedFrom - 1)
        }
        if HistoryHashing.hash(of: entry) != entry.hash {
            record(offset, entry, "the content does not match its hash: the entry was changed")
        }
        if entry.sequence != head.sequence + 1 {
            record(
                offset, entry,
                entry.sequence <= head.sequence
                    ? "entry \(entry.sequence) comes after entry \(head.sequence): entries were reordered or repeated"
                    : "entries \(head.sequence + 1)…\(entry.sequence - 1) are missing: entries were removed")
        } else if entry.previousHash != head.hash {
            record(offset, entry, "the previous-hash link does not match entry \(head.sequence): the chain was altered")
        }
        heads[entry.chain] = Head(sequence: max(head.sequence, entry.sequence), hash: entry.hash, offset: offset)
    }

    /// Notes that the message at `offset` is not an entry at all.
    public mutating func unreadable(offset: Int64) {
        record(Problem(offset: offset, chain: "?", sequence: 0, reason: "the entry is not readable: it was altered"))
    }

    /// The report, once every entry up to `end` (the topic's end when the read started) was checked; with a
    /// checkpoint to continue from when the history is intact.
    public func report(end: Int64) -> HistoryVerification.Report {
        var final = self
        if let checkpoint, end < checkpoint.offset {
            final.record(
                Problem(
                    offset: end, chain: "?", sequence: 0,
                    reason: "the topic ends at offset \(end), below the checkpoint's offset \(checkpoint.offset): "
                        + "the newest entries were truncated"))
        }
        for (chain, anchor) in unconfirmed.sorted(by: { $0.value.offset < $1.value.offset }) {
            final.record(
                Problem(
                    offset: anchor.offset, chain: chain, sequence: anchor.sequence, reason: Self.gone(chain, anchor)))
        }
        return HistoryVerification.Report(
            entries: entries, chains: heads.count, problems: final.problems, problemCount: final.problemCount,
            retainedFrom: retainedFrom, expired: expired, verifiedFrom: checkpoint?.offset,
            checkpoint: final.problemCount == 0
                ? HistoryCheckpoint(offset: max(end, checkpoint?.offset ?? 0), chains: heads) : nil)
    }

    /// An entry the checkpoint covers: a chain's head is compared with the checkpoint, older entries were verified
    /// before it was taken, and anything else was not there when it was taken.
    private mutating func checkBelow(_ checkpoint: HistoryCheckpoint, offset: Int64, entry: HistoryEntry) {
        guard let anchor = checkpoint.chains[entry.chain] else {
            record(
                offset, entry,
                "the entry is below the checkpoint's offset \(checkpoint.offset) but its chain is not in the checkpoint: "
                    + "the topic was rewritten")
            return
        }
        if offset < anchor.offset { return }
        guard offset == anchor.offset else {
            record(
                offset, entry,
                "the entry is below the checkpoint's offset \(checkpoint.offset) but after its chain's recorded head "
                    + "(entry \(anchor.sequence)): the topic was rewritten")
            return
        }
        guard unconfirmed.removeValue(forKey: entry.chain) != nil else { return }
        if entry.sequence != anchor.sequence || entry.hash != anchor.hash
            || HistoryHashing.hash(of: entry) != entry.hash
        {
            record(offset, entry, Self.gone(entry.chain, anchor))
        }
    }

    private static func gone(_ chain: String, _ anchor: Head) -> String {
        "entry \(anchor.sequence) of chain \(chain) recorded in the checkpoint is gone or changed: the newest entries "
            + "were truncated or rewritten"
    }

    private mutating func noteExpired(chain: String, _ sequences: ClosedRange<Int>) {
        if let index = expired.firstIndex(where: { $0.chain == chain }) {
            expired[index].sequences = expired[index].sequences.lowerBound...sequences.upperBound
        } else {
            expired.append(Expired(chain: chain, sequences: sequences))
        }
    }

    private mutating func record(_ offset: Int64, _ entry: HistoryEntry, _ reason: String) {
        record(Problem(offset: offset, chain: entry.chain, sequence: entry.sequence, reason: reason))
    }

    private mutating func record(_ problem: Problem) {
        problemCount += 1
        if problems.count < Self.problemLimit { problems.append(problem) }
    }
}
