import RenkeiKafka

extension TopicReader {
    /// Reads from `start` to `ends` (fixed by the caller) once, handing every message to `each` in place — no copy
    /// of its key, value or headers — in each partition's offset order, and calling `afterBatch` between the
    /// consumer's batches (where the caller may write out what it gathered). For whole-topic passes where copying
    /// each message into a ``Message`` would cost more than the work done on it (a full file's state).
    func scan(
        topic: String, from start: [Int32: Int64] = [:], ends: [Int32: KafkaWatermarks],
        _ each: (KafkaMessage) throws -> Void, afterBatch: () async throws -> Void = {}
    ) async throws {
        let ranges = Self.ranges(from: start, to: ends)
        guard !ranges.isEmpty else { return }
        try await pool.withConsumer { consumer in
            try consumer.assign(
                ranges.map {
                    KafkaPartitionOffset(topic: topic, partition: $0.key, offset: .offset($0.value.lowerBound))
                })
            var scan = RangeScan(topic: topic, ranges: ranges)
            var deadline = ContinuousClock.now + timeout
            while true {
                try Task.checkCancellation()
                let (batches, reached) = consumer.drainBuffered(notingReached: scan.runningPartitions)
                for batch in batches {
                    guard try scan.take(batch, each) else { continue }
                    try await afterBatch()
                    deadline = ContinuousClock.now + timeout
                }
                scan.end(reached.map { ($0.key.partition, $0.value) })
                if scan.isDone { return }
                guard ContinuousClock.now < deadline else { throw TopicReadTimeout(topic: topic, read: scan.count) }
                if let batch = try await consumer.nextBatch(within: .milliseconds(20)) {
                    if try scan.take(batch, each) {
                        try await afterBatch()
                        deadline = ContinuousClock.now + timeout
                    }
                }
            }
        }
    }
}

/// The bookkeeping of one scan: where each partition continues, which still run. Like ``RangeCollector`` it takes
/// each offset in range once (a consumer lent before may still hand over a message of an earlier read), but keeps
/// nothing.
struct RangeScan {
    let topic: String
    let ranges: [Int32: Range<Int64>]
    private var next: [Int32: Int64]
    private var running: Set<Int32>
    private(set) var count = 0

    init(topic: String, ranges: [Int32: Range<Int64>]) {
        self.topic = topic
        self.ranges = ranges
        self.next = ranges.mapValues(\.lowerBound)
        self.running = Set(ranges.keys)
    }

    var isDone: Bool { running.isEmpty }

    var runningPartitions: [KafkaTopicPartition] {
        running.map { KafkaTopicPartition(topic: topic, partition: $0) }
    }

    /// Hands the batch's messages in range to `each`; whether there were any.
    mutating func take(_ batch: KafkaMessageBatch, _ each: (KafkaMessage) throws -> Void) throws -> Bool {
        var took = false
        for message in batch where message.topic == topic {
            let partition = message.partition
            guard let upper = ranges[partition]?.upperBound, let from = next[partition] else { continue }
            let offset = message.offset
            guard offset >= from, offset < upper else { continue }
            next[partition] = offset + 1
            if offset + 1 >= upper { running.remove(partition) }
            count += 1
            took = true
            try each(message)
        }
        return took
    }

    /// Ends the partitions whose reached offset is at or past their range's end.
    mutating func end(_ reached: [(partition: Int32, offset: Int64)]) {
        for (partition, offset) in reached {
            guard let range = ranges[partition], offset >= range.upperBound else { continue }
            running.remove(partition)
        }
    }
}
