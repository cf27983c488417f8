public import RenkeiContracts
import RenkeiKafka

/// How far one receiver of one linkage is behind its outbound topic (the `renkei_receiver_lag` gauge).
public struct ReceiverLag: Sendable, Hashable {
    public var linkage: String
    public var receiver: String
    /// The receiver's delivery method; each method is measured its own way (``ReceiverLagMonitor``).
    public var method: Delivery
    /// Offsets of the receiver's topic after its position: records not yet delivered. A bulk transfer counts once
    /// (its manifest); on a real broker each transaction's commit marker takes an offset too, so a receiver that is
    /// done can show one per partition written since its last commit.
    public var records: Int

    public init(linkage: String, receiver: String, method: Delivery, records: Int) {
        self.linkage = linkage
        self.receiver = receiver
        self.method = method
        self.records = records
    }

    /// Offsets after `positions` up to each partition's end; a partition without a position (or one below what
    /// the topic retains) counts from the oldest retained offset, where a new reader starts.
    static func records(after positions: [Int32: Int64], ends: [Int32: KafkaWatermarks]) -> Int {
        ends.reduce(0) { sum, entry in
            let (partition, marks) = entry
            let from = max(positions[partition] ?? marks.low, marks.low)
            return sum + Int(max(0, marks.high - from))
        }
    }
}

/// When a pull receiver last fetched a page of its feed at this instance (the
/// `renkei_pull_last_fetch_timestamp_seconds` gauge).
public struct PullFetch: Sendable, Hashable {
    public var linkage: String
    public var receiver: String
    /// Seconds since 1970, UTC, with milliseconds.
    public var secondsSince1970: Double
}
