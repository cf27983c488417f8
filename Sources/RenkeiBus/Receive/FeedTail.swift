import Foundation
import Logging
import RenkeiKafka
import Synchronization

/// Follows the head of one receiver's outbound topic with one long-lived consumer: keeps the newest records of
/// each partition in memory, serves feed pages whose cursor is inside that window without touching Kafka, and
/// wakes long polls as soon as new records are committed (a `read_committed` consumer sees them only then).
///
/// Pages older than the window go through the bounded reader (``TopicReader``); the window only makes the common
/// case — a receiver polling near the head — cheap and immediate.
final class FeedTail: Sendable {
    let topic: String
    private let consumer: KafkaConsumer
    /// Newest records kept per partition.
    private let window: Int

    private struct Partition {
        /// The oldest offset the window covers: records from here to `reached` are all in `messages`.
        var base: Int64
        /// Every offset below this was seen (records kept, markers skipped).
        var reached: Int64
        /// The low watermark when following began: a cursor without this partition reads from there.
        var lowAtStart: Int64
        var messages: [TopicReader.Message] = []
    }

    private struct Waiter {
        var after: [Int32: Int64]
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var partitions: [Int32: Partition]
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiter: UInt64 = 0
        var lastUsed = ContinuousClock.now
        var stopped = false
    }

    private let state: Mutex<State>

    private init(topic: String, consumer: KafkaConsumer, partitions: [Int32: Partition], window: Int) {
        self.topic = topic
        self.consumer = consumer
        self.window = window
        self.state = Mutex(State(partitions: partitions))
    }

    /// Starts following `topic` from its current end (its last stable offsets).
    static func start(
        topic: String, admin: KafkaAdmin, configuration: KafkaConfiguration, logger: Logger, window: Int
    ) async throws -> FeedTail {
        let marks = try await admin.watermarks(topic: topic)
        let consumer = try KafkaConsumer.make(configuration: configuration, logger: logger)
        try consumer.assign(
            marks.map { KafkaPartitionOffset(topic: topic, partition: $0.key, offset: .offset($0.value.high)) })
        let partitions = marks.mapValues { Partition(base: $0.high, reached: $0.high, lowAtStart: $0.low) }
        return FeedTail(topic: topic, consumer: consumer, partitions: partitions, window: window)
    }

    /// Takes committed records into the window and wakes the long polls they answer, until ``stop()``.
    func run() async {
        let partitions = state.withLock { $0.partitions.keys.map { KafkaTopicPartition(topic: topic, partition: $0) } }
        while !state.withLock({ $0.stopped }) {
            // Notes first, then what is buffered: the poll thread notes a position only after pushing the records
            // before it.
            let reached = partitions.compactMap { partition in
                consumer.reachedOffset(of: partition).map { (partition.partition, $0) }
            }
            var batches: [KafkaMessageBatch] = []
            while let batch = consumer.bufferedBatch() { batches.append(batch) }
            take(batches, reached: reached)
            do {
                if let batch = try await consumer.nextBatch(within: .milliseconds(50)) { take([batch], reached: []) }
            } catch {
                break
            }
        }
    }

    private func take(_ batches: [KafkaMessageBatch], reached: [(Int32, Int64)]) {
        var messages: [TopicReader.Message] = []
        for batch in batches {
            for message in batch {
                messages.append(
                    TopicReader.Message(
                        topic: message.topic, partition: message.partition, offset: message.offset, key: message.key,
                        value: message.value, headers: message.headers))
            }
        }
        guard !messages.isEmpty || !reached.isEmpty else { return }
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            for message in messages {
                guard var partition = state.partitions[message.partition], message.offset >= partition.reached
                else { continue }
                partition.messages.append(message)
                partition.reached = message.offset + 1
                if partition.messages.count > window {
                    let excess = partition.messages.count - window
                    partition.base = partition.messages[excess - 1].offset + 1
                    partition.messages.removeFirst(excess)
                }
                state.partitions[message.partition] = partition
            }
            for (partition, offset) in reached where offset > state.partitions[partition]?.reached ?? .max {
                state.partitions[partition]?.reached = offset
            }
            guard !messages.isEmpty else { return [] }
            var woken: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in state.waiters where Self.hasRecords(after: waiter.after, in: state.partitions) {
                woken.append(waiter.continuation)
                state.waiters[id] = nil
            }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// A page from the window: the records after `start` (missing partitions from where the topic began when
    /// following started), at most `limit`, with where each partition continues and the window's ends; `nil` when
    /// the cursor is older than the window.
    func read(from start: [Int32: Int64], limit: Int) -> (TopicReader.Result, [Int32: KafkaWatermarks])? {
        state.withLock { state in
            state.lastUsed = .now
            var messages: [TopicReader.Message] = []
            var next: [Int32: Int64] = [:]
            var ends: [Int32: KafkaWatermarks] = [:]
            for (index, partition) in state.partitions {
                let from = start[index] ?? partition.lowAtStart
                guard from >= partition.base else { return nil }
                ends[index] = KafkaWatermarks(low: partition.base, high: partition.reached)
            }
            for index in state.partitions.keys.sorted() {
                let partition = state.partitions[index]!
                let from = max(start[index] ?? partition.lowAtStart, partition.base)
                guard from < partition.reached else { continue }
                let pending = partition.messages.drop { $0.offset < from }
                let room = limit - messages.count
                if pending.count <= room {
                    messages += pending
                    next[index] = partition.reached
                } else {
                    let taken = pending.prefix(max(0, room))
                    messages += taken
                    next[index] = taken.last.map { $0.offset + 1 } ?? from
                }
            }
            return (TopicReader.Result(messages: messages, next: next), ends)
        }
    }

    /// Returns when records after `start` are in the window, or at `deadline`.
    func waitForRecords(after start: [Int32: Int64], until deadline: ContinuousClock.Instant) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                state.lastUsed = .now
                if state.stopped || Self.hasRecords(after: start, in: state.partitions) { return true }
                state.waiters[id] = Waiter(after: start, continuation: continuation)
                return false
            }
            if ready {
                continuation.resume()
                return
            }
            let delay = deadline - .now
            let nanoseconds = max(
                0,
                Int(delay.components.seconds) * 1_000_000_000
                    + Int(delay.components.attoseconds / 1_000_000_000))
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [self] in
                let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
                waiter?.continuation.resume()
            }
        }
    }

    /// How long ago the window last served a read or a wait.
    var idleFor: Duration { state.withLock { .now - $0.lastUsed } }

    /// Stops following; waiting long polls return.
    func stop() async {
        let waiters = state.withLock { state -> [Waiter] in
            state.stopped = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.continuation.resume() }
        await consumer.shutdown()
    }

    private static func hasRecords(after start: [Int32: Int64], in partitions: [Int32: Partition]) -> Bool {
        partitions.contains { index, partition in
            guard let last = partition.messages.last else { return false }
            return last.offset >= (start[index] ?? partition.lowAtStart)
        }
    }
}
