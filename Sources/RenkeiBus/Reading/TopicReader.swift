import Logging
import RenkeiKafka

/// Reads what a topic holds between given offsets and fixed ends, without joining a group: the one bounded read
/// behind pull feeds, transfer chunks, dead-letter listings and history reads.
///
/// The ends are fixed when a read starts (the high watermark; under `read_committed` the last stable offset,
/// which is what the admin client's watermark query returns), so a read always finishes, and an open transaction
/// never holds it. A partition ends when its position reaches the end or librdkafka reports its end — never by
/// waiting for "the record at end − 1": on a real broker that offset is usually a transaction marker, which no
/// consumer receives, and aborted, compacted or expired records leave gaps too.
struct TopicReader: Sendable {
    let pool: ReaderPool
    let admin: KafkaAdmin
    let timeout: Duration

    init(pool: ReaderPool, admin: KafkaAdmin) {
        self.pool = pool
        self.admin = admin
        self.timeout = pool.configuration.operationTimeout
    }

    /// Reads the cluster the bus runs on, through the bus's consumers.
    init(bus: Bus) {
        self.init(pool: bus.readers, admin: bus.admin)
    }

    struct Message: Sendable {
        var topic: String
        var partition: Int32
        var offset: Int64
        var key: [UInt8]?
        var value: [UInt8]
        var headers: [KafkaHeader]

        /// A copy of a consumed message, which no longer holds its batch (and so its client).
        init(_ message: KafkaMessage) {
            self.init(
                topic: message.topic, partition: message.partition, offset: message.offset, key: message.key,
                value: message.value, headers: message.headers)
        }

        init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader]) {
            self.topic = topic
            self.partition = partition
            self.offset = offset
            self.key = key
            self.value = value
            self.headers = headers
        }

        func header(_ name: String) -> String? {
            headers.last { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// What a read returned: the messages in partition-then-offset order, and for each partition read the offset
    /// to continue from — its end when every message up to it was returned (even if the last offsets held only
    /// markers), else the offset after the last message returned.
    struct Result: Sendable {
        var messages: [Message]
        var next: [Int32: Int64]
    }

    /// The partitions of `topic` with their watermarks; empty when the topic does not exist.
    func watermarks(_ topic: String) async throws -> [Int32: KafkaWatermarks] {
        do {
            return try await admin.watermarks(topic: topic)
        } catch let error where error.code == .unknownTopicOrPartition {
            return [:]
        }
    }

    /// Messages from `start` (per partition; missing partitions from the oldest retained) up to `ends`, at most
    /// `limit`. A start below what the topic still retains reads from the oldest retained offset: callers that
    /// must not skip silently check ``RetentionGap`` first.
    func read(
        topic: String, from start: [Int32: Int64] = [:], limit: Int = .max, ends: [Int32: KafkaWatermarks]
    ) async throws -> Result {
        let ranges = Self.ranges(from: start, to: ends)
        return try await read(topic: topic, ranges: ranges, limit: limit)
    }

    /// What is left to read per partition from `start` (missing partitions and starts below the oldest retained
    /// offset: from the oldest retained) up to `ends`; partitions with nothing left are absent.
    static func ranges(from start: [Int32: Int64], to ends: [Int32: KafkaWatermarks]) -> [Int32: Range<Int64>] {
        var ranges: [Int32: Range<Int64>] = [:]
        for (partition, marks) in ends {
            let from = max(start[partition] ?? marks.low, marks.low)
            guard from < marks.high else { continue }
            ranges[partition] = from..<marks.high
        }
        return ranges
    }

    /// Messages in exact offset ranges, by partition (each range's upper bound a watermark or an offset read
    /// before), at most `limit`.
    func read(topic: String, ranges: [Int32: Range<Int64>], limit: Int = .max) async throws -> Result {
        let ranges = ranges.filter { !$0.value.isEmpty }
        guard !ranges.isEmpty, limit > 0 else { return Result(messages: [], next: [:]) }
        return try await pool.withConsumer { consumer in
            try consumer.assign(
                ranges.map {
                    KafkaPartitionOffset(topic: topic, partition: $0.key, offset: .offset($0.value.lowerBound))
                })
            var collector = RangeCollector(topic: topic, ranges: ranges, limit: limit)
            let deadline = ContinuousClock.now + timeout
            while true {
                // The poll thread notes how far it got only after pushing the batches before that point: taken
                // together with what is buffered, every record below a noted end is taken.
                let (batches, reached) = consumer.drainBuffered(notingReached: collector.runningPartitions)
                for batch in batches { collector.take(batch) }
                collector.end(reached.map { ($0.key.partition, $0.value) })
                if collector.isDone { break }
                guard ContinuousClock.now < deadline else {
                    throw TopicReadTimeout(topic: topic, read: collector.count)
                }
                if let batch = try await consumer.nextBatch(within: .milliseconds(20)) { collector.take(batch) }
            }
            return collector.result()
        }
    }
}

extension TopicReader {
    /// Reads from `start` to `ends` (fixed by the caller) a page at a time, handing each page of at least
    /// `pageSize` messages (or the last, smaller one) to `body` with where each partition continues. One consumer
    /// stays assigned throughout, so what it fetched ahead is not fetched again: for reading a whole topic (a
    /// history rebuild, a verification) with memory bounded by a page and the consumer's prefetch.
    func readPages(
        topic: String, from start: [Int32: Int64] = [:], ends: [Int32: KafkaWatermarks], pageSize: Int,
        _ body: (Result) async throws -> Void
    ) async throws {
        let ranges = Self.ranges(from: start, to: ends)
        guard !ranges.isEmpty else { return }
        try await pool.withConsumer { consumer in
            try consumer.assign(
                ranges.map {
                    KafkaPartitionOffset(topic: topic, partition: $0.key, offset: .offset($0.value.lowerBound))
                })
            var collector = RangeCollector(topic: topic, ranges: ranges, limit: .max)
            var deadline = ContinuousClock.now + timeout
            while true {
                try Task.checkCancellation()
                let (batches, reached) = consumer.drainBuffered(notingReached: collector.runningPartitions)
                for batch in batches { collector.take(batch) }
                collector.end(reached.map { ($0.key.partition, $0.value) })
                while collector.count >= pageSize {
                    try await body(collector.takePage(limit: pageSize))
                    deadline = ContinuousClock.now + timeout
                }
                if collector.isDone {
                    try await body(collector.takePage(limit: pageSize))
                    return
                }
                guard ContinuousClock.now < deadline else {
                    throw TopicReadTimeout(topic: topic, read: collector.count)
                }
                if let batch = try await consumer.nextBatch(within: .milliseconds(20)) { collector.take(batch) }
            }
        }
    }
}

/// The bookkeeping of one bounded read: which partitions still run, what was taken, where each can continue.
struct RangeCollector {
    let topic: String
    private(set) var ranges: [Int32: Range<Int64>]
    let limit: Int
    private var running: Set<Int32>
    private var messages: [Int32: [TopicReader.Message]] = [:]
    private(set) var count = 0

    init(topic: String, ranges: [Int32: Range<Int64>], limit: Int) {
        self.topic = topic
        self.ranges = ranges
        self.limit = limit
        self.running = Set(ranges.keys)
    }

    var isDone: Bool { running.isEmpty || count >= limit }

    /// Takes the messages of `batch` that fall in the ranges (once each: a consumer lent before may still hand
    /// over a message of an earlier read, which is the same record if its offset is in range).
    mutating func take(_ batch: KafkaMessageBatch) {
        for message in batch where message.topic == topic {
            guard let range = ranges[message.partition], range.contains(message.offset) else { continue }
            let last = messages[message.partition]?.last?.offset ?? (range.lowerBound - 1)
            guard message.offset > last else { continue }
            messages[message.partition, default: []].append(
                TopicReader.Message(message))
            count += 1
            if message.offset + 1 >= range.upperBound { running.remove(message.partition) }
        }
    }

    /// The partitions not yet ended.
    var runningPartitions: [KafkaTopicPartition] {
        running.map { KafkaTopicPartition(topic: topic, partition: $0) }
    }

    /// Ends the partitions whose reached offset is at or past their range's end.
    mutating func end(_ reached: [(partition: Int32, offset: Int64)]) {
        for (partition, offset) in reached {
            guard let range = ranges[partition], offset >= range.upperBound else { continue }
            running.remove(partition)
        }
    }

    /// The first `limit` messages taken (in partition-then-offset order) and where each partition continues; they
    /// leave the collector, and its ranges start after them, so the next page takes up where this one ended.
    mutating func takePage(limit: Int) -> TopicReader.Result {
        let page = result(limit: limit)
        count = 0
        for (partition, next) in page.next {
            guard let range = ranges[partition] else { continue }
            ranges[partition] = min(next, range.upperBound)..<range.upperBound
            messages[partition]?.removeAll { $0.offset < next }
            count += messages[partition]?.count ?? 0
        }
        return page
    }

    /// The messages in partition-then-offset order, cut to `limit`, and where each partition continues.
    func result() -> TopicReader.Result { result(limit: limit) }

    private func result(limit: Int) -> TopicReader.Result {
        var all: [TopicReader.Message] = []
        for partition in messages.keys.sorted() { all += messages[partition]! }
        let kept = Array(all.prefix(limit))
        var next: [Int32: Int64] = [:]
        var keptPerPartition: [Int32: Int] = [:]
        for message in kept { keptPerPartition[message.partition, default: 0] += 1 }
        for (partition, range) in ranges {
            let taken = messages[partition] ?? []
            let keptCount = keptPerPartition[partition] ?? 0
            if !running.contains(partition) && keptCount == taken.count {
                next[partition] = range.upperBound
            } else if keptCount > 0 {
                next[partition] = taken[keptCount - 1].offset + 1
            } else {
                next[partition] = range.lowerBound
            }
        }
        return TopicReader.Result(messages: kept, next: next)
    }
}

/// A read did not reach the end of a topic within the configured operation timeout (a broker down).
public struct TopicReadTimeout: Error, Sendable, CustomStringConvertible {
    public var topic: String
    public var read: Int
    public var description: String { "reading \(topic) timed out after \(read) messages; is the broker reachable?" }
}
