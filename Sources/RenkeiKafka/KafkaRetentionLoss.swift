/// A consumer wanted an offset the broker no longer holds (retention, compaction or DeleteRecords removed it), and
/// librdkafka moved its position to the oldest retained offset: the records from ``from`` up to that point were
/// skipped. librdkafka reports this only in a warning (`auto.offset.reset` does the move); the consumer surfaces
/// it here so that nothing is skipped in silence.
public struct KafkaRetentionLoss: Sendable, Hashable, CustomStringConvertible {
    /// The partition.
    public var partition: KafkaTopicPartition
    /// The first offset that was wanted and is gone.
    public var from: Int64

    /// A loss.
    public init(partition: KafkaTopicPartition, from: Int64) {
        self.partition = partition
        self.from = from
    }

    /// Reads librdkafka's (2.0) reset warning, `[thrd:main]: <topic> [<partition>]: offset reset (at offset <n>,
    /// broker <b>) to …: … Offset out of range`; `nil` for any other line. Only out-of-range resets are losses: a group without a
    /// committed offset starting at `auto.offset.reset` is not.
    init?(log line: String) {
        guard line.lowercased().contains("out of range"),
            let anchor = line.range(of: "]: offset reset (at offset "),
            let open = line[..<anchor.lowerBound].lastIndex(of: "["),
            let partition = Int32(line[line.index(after: open)..<anchor.lowerBound]),
            let offset = Int64(line[anchor.upperBound...].prefix { $0.isNumber })
        else { return nil }
        // The topic is the word before " [<partition>]" (lines may start with a thread tag such as "[thrd:main]:").
        let topic = line[..<open].split(separator: " ").last.map(String.init) ?? ""
        guard !topic.isEmpty, !topic.hasSuffix(":") else { return nil }
        self.init(partition: KafkaTopicPartition(topic: topic, partition: partition), from: offset)
    }

    public var description: String { "\(partition.topic)[\(partition.partition)] from offset \(from)" }
}
