import Logging
import RenkeiKafka

/// Reads what a topic holds between given offsets and its end, without joining a group: the basis of pull
/// feeds, dead-letter listings and history reads. The end is the high watermark when the read starts, so a read
/// always finishes.
struct TopicReader: Sendable {
    let configuration: KafkaConfiguration
    let logger: Logger
    let admin: KafkaAdmin

    init(configuration: KafkaConfiguration, logger: Logger, admin: KafkaAdmin) {
        self.configuration = configuration
        self.logger = logger
        self.admin = admin
    }

    /// Reads the cluster the bus runs on, with its settings.
    init(bus: Bus) {
        self.init(configuration: bus.configuration.kafka, logger: bus.logger, admin: bus.admin)
    }

    struct Message: Sendable {
        var topic: String
        var partition: Int32
        var offset: Int64
        var key: [UInt8]?
        var value: [UInt8]
        var headers: [KafkaHeader]

        func header(_ name: String) -> String? {
            headers.last { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// The partitions of `topic` with their watermarks; empty when the topic does not exist.
    func watermarks(_ topic: String) async throws -> [Int32: KafkaWatermarks] {
        do {
            return try await admin.watermarks(topic: topic)
        } catch let error where error.code == .unknownTopicOrPartition {
            return [:]
        }
    }

    /// Messages from `start` (per partition; missing partitions from the beginning) up to the end, at most
    /// `limit`, in partition-then-offset order.
    func read(
        topic: String, from start: [Int32: Int64] = [:], limit: Int = .max, ends: [Int32: KafkaWatermarks]
    ) async throws -> [Message] {
        var targets: [Int32: Int64] = [:]
        var positions: [KafkaPartitionOffset] = []
        for (partition, marks) in ends {
            let from = max(start[partition] ?? marks.low, marks.low)
            guard from < marks.high else { continue }
            targets[partition] = marks.high
            positions.append(KafkaPartitionOffset(topic: topic, partition: partition, offset: .offset(from)))
        }
        guard !positions.isEmpty, limit > 0 else { return [] }
        return try await read(positions: positions, until: targets, limit: limit)
    }

    /// Messages at exact positions (each partition from its offset up to, not including, `until`).
    func read(
        positions: [KafkaPartitionOffset], until targets: [Int32: Int64], limit: Int = .max
    ) async throws
        -> [Message]
    {
        var consumerConfiguration = configuration
        consumerConfiguration.consumer.groupID = nil
        let consumer = try KafkaConsumer.make(configuration: consumerConfiguration, logger: logger)
        var messages: [Message] = []
        do {
            try consumer.assign(positions)
            messages = try await collect(
                from: consumer, until: targets, limit: limit, topic: positions[0].topicPartition.topic)
        } catch {
            await consumer.shutdown()
            throw error
        }
        await consumer.shutdown()
        messages.sort { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
        return Array(messages.prefix(limit))
    }

    private func collect(
        from consumer: KafkaConsumer, until targets: [Int32: Int64], limit: Int, topic: String
    )
        async throws -> [Message]
    {
        var remaining = targets
        var messages: [Message] = []
        let deadline = ContinuousClock.now + configuration.operationTimeout
        while !remaining.isEmpty, messages.count < limit {
            guard let batch = try await nextBatch(consumer, deadline: deadline) else {
                throw TopicReadTimeout(topic: topic, read: messages.count)
            }
            for message in batch {
                guard let end = remaining[message.partition], message.offset < end else { continue }
                messages.append(
                    Message(
                        topic: message.topic, partition: message.partition, offset: message.offset, key: message.key,
                        value: message.value, headers: message.headers))
                if message.offset + 1 >= end { remaining[message.partition] = nil }
            }
        }
        return messages
    }

    private func nextBatch(
        _ consumer: KafkaConsumer, deadline: ContinuousClock.Instant
    ) async throws
        -> KafkaMessageBatch?
    {
        try await withThrowingTaskGroup(of: KafkaMessageBatch?.self) { group in
            group.addTask { try await consumer.nextBatch() }
            group.addTask {
                try await Task.sleep(until: deadline)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}

/// A read did not reach the end of a topic within the configured operation timeout (a broker down, or records
/// no longer retained).
public struct TopicReadTimeout: Error, Sendable, CustomStringConvertible {
    public var topic: String
    public var read: Int
    public var description: String { "reading \(topic) timed out after \(read) messages; is the broker reachable?" }
}
