import Foundation
import RenkeiKafka
import Synchronization

/// The head of one receiver's outbound topic, as ``FeedTails``' consumer follows it: the newest records of each
/// partition in memory, serving feed pages whose cursor is inside that window without touching Kafka, and the
/// long polls waiting for records, woken as soon as new records are committed (a `read_committed` consumer sees
/// them only then).
///
/// Pages older than the window go through the bounded reader (``TopicReader``); the window only makes the common
/// case — a receiver polling near the head — cheap and immediate.
final class FeedTail: Sendable {
    let topic: String
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

    /// A window that starts at `marks`' ends (the topic's last stable offsets when following began).
    init(topic: String, marks: [Int32: KafkaWatermarks], window: Int) {
        self.topic = topic
        self.window = window
        self.state = Mutex(
            State(partitions: marks.mapValues { Partition(base: $0.high, reached: $0.high, lowAtStart: $0.low) }))
    }

    /// Where the follower must continue in each partition: everything below is in the window.
    var positions: [KafkaPartitionOffset] {
        state.withLock { state in
            state.partitions.map {
                KafkaPartitionOffset(topic: topic, partition: $0.key, offset: .offset($0.value.reached))
            }
        }
    }

    /// Takes committed records of this topic into the window, and how far the follower got in each partition
    /// (past markers); wakes the long polls the records answer.
    func take(_ messages: [TopicReader.Message], reached: [(Int32, Int64)]) {
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

    /// No longer followed; waiting long polls return (and read through the bounded reader).
    func stop() {
        let waiters = state.withLock { state -> [Waiter] in
            state.stopped = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.continuation.resume() }
    }

    private static func hasRecords(after start: [Int32: Int64], in partitions: [Int32: Partition]) -> Bool {
        partitions.contains { index, partition in
            guard let last = partition.messages.last else { return false }
            return last.offset >= (start[index] ?? partition.lowAtStart)
        }
    }
}
