import RenkeiKafka

/// Offsets a reader wanted that the topic no longer holds: retention (or an operator's DeleteRecords) removed
/// them before they were read. Reported, never skipped in silence.
public struct RetentionGap: Sendable, Hashable, Codable, CustomStringConvertible {
    public var partition: Int32
    /// The first offset wanted.
    public var from: Int64
    /// The oldest offset still retained: everything from `from` up to it is gone.
    public var retainedFrom: Int64
    /// How many offsets were lost (records, or markers among them).
    public var lost: Int64 { retainedFrom - from }

    public var description: String { "partition \(partition): offsets \(from)…\(retainedFrom - 1) no longer retained" }

    /// The gaps between the wanted start offsets and the topic's low watermarks, by partition order.
    static func find(from start: [Int32: Int64], ends: [Int32: KafkaWatermarks]) -> [RetentionGap] {
        start.compactMap { partition, offset -> RetentionGap? in
            guard let marks = ends[partition], offset < marks.low else { return nil }
            return RetentionGap(partition: partition, from: offset, retainedFrom: marks.low)
        }
        .sorted { $0.partition < $1.partition }
    }
}

/// A feed cursor points below what the receiver's topic still retains: the records between it and the oldest
/// retained one were removed before the receiver read them. The receiver must resynchronise (a full transfer, or
/// a query), then continue from ``restart``.
public struct FeedCursorExpired: Error, Sendable, CustomStringConvertible {
    public var linkage: String
    public var receiver: String
    public var gaps: [RetentionGap]

    /// Where the feed can continue: the oldest retained offset of each lost partition, the cursor's elsewhere.
    public func restart(from cursor: FeedCursor) -> FeedCursor {
        var restart = cursor
        restart.transfer = nil
        for gap in gaps { restart.offsets[gap.partition] = gap.retainedFrom }
        return restart
    }

    public var description: String {
        "the feed of \(receiver) on \(linkage) lost \(gaps.reduce(0) { $0 + $1.lost }) offsets to retention before "
            + "they were read (\(gaps.map(\.description).joined(separator: "; ")))"
    }
}
