import Logging
import RenkeiKafka
import Synchronization

/// Reads the shared topics (``BusTopics/sharedClaims`` and the others) from their beginning and keeps following
/// them into their ``SharedTable``s: one long-lived consumer per process, without a group, on partition 0 of each.
///
/// Writers wait with ``waitUntilRead(_:through:timeout:)`` until this instance has read past their own record, so
/// what a request wrote is what the next request at this instance sees, and a claim's winner is known.
final class SharedFollower: Sendable {
    private let consumer: KafkaConsumer
    private let tables: [String: any SharedTopicTable]
    private let logger: Logger

    private struct Waiter {
        var topic: String
        var offset: Int64
        var continuation: CheckedContinuation<Bool, Never>
        var id: Int
    }

    private struct Progress {
        /// The offset below which every record of each topic has been applied.
        var reached: [String: Int64] = [:]
        var waiters: [Waiter] = []
        var nextWaiter = 0
        /// Waits begun and not yet answered (registered in `waiters` or about to be).
        var pending: Set<Int> = []
        /// Waits that timed out before they were registered.
        var expired: Set<Int> = []
        var task: Task<Void, Never>?
        var closed = false
    }

    private let progress = Mutex(Progress())

    private init(consumer: KafkaConsumer, tables: [any SharedTopicTable], logger: Logger) {
        self.consumer = consumer
        self.tables = Dictionary(uniqueKeysWithValues: tables.map { ($0.topic, $0) })
        self.logger = logger
    }

    /// Starts following `tables`' topics from their beginning.
    static func start(
        configuration: KafkaConfiguration, tables: [any SharedTopicTable], logger: Logger
    ) throws(KafkaError) -> SharedFollower {
        let consumer = try KafkaConsumer.make(
            configuration: configuration.positionReading(batchWait: .milliseconds(20)), logger: logger)
        let follower = SharedFollower(consumer: consumer, tables: tables, logger: logger)
        do {
            try consumer.assign(
                tables.map { KafkaPartitionOffset(topic: $0.topic, partition: 0, offset: .beginning) })
        } catch {
            Task { await consumer.shutdown() }
            throw error
        }
        let task = Task { await follower.follow() }
        follower.progress.withLock { $0.task = task }
        return follower
    }

    private var partitions: [KafkaTopicPartition] {
        tables.keys.map { KafkaTopicPartition(topic: $0, partition: 0) }
    }

    private func follow() async {
        var lastSweep = ContinuousClock.now
        while !Task.isCancelled {
            do {
                var batches: [KafkaMessageBatch] = []
                if let batch = try await consumer.nextBatch(within: .milliseconds(200)) { batches.append(batch) }
                let (more, reached) = consumer.drainBuffered(notingReached: partitions)
                batches += more
                var read = reached
                for batch in batches {
                    for message in batch {
                        guard let table = tables[message.topic] else { continue }
                        let key = message.key.map { String(decoding: $0, as: UTF8.self) } ?? ""
                        let value: [UInt8]? = message.withUnsafeValue { $0.isEmpty ? nil : Array($0) }
                        table.apply(key: key, value: value, offset: message.offset)
                        let partition = message.topicPartition
                        read[partition] = max(read[partition] ?? 0, message.offset + 1)
                    }
                }
                advance(read)
                if ContinuousClock.now - lastSweep > .seconds(60) {
                    for table in tables.values { table.sweep() }
                    lastSweep = .now
                }
            } catch {
                if progress.withLock({ $0.closed }) { return }
                logger.warning("shared state not read; trying again", metadata: ["renkei.error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func advance(_ read: [KafkaTopicPartition: Int64]) {
        let ready = progress.withLock { progress -> [CheckedContinuation<Bool, Never>] in
            for (partition, offset) in read where offset > progress.reached[partition.topic] ?? 0 {
                progress.reached[partition.topic] = offset
            }
            let reached = progress.reached
            let (done, waiting) = progress.waiters.partitioned { $0.offset < reached[$0.topic] ?? 0 }
            progress.waiters = waiting
            progress.pending.subtract(done.map(\.id))
            return done.map(\.continuation)
        }
        for continuation in ready { continuation.resume(returning: true) }
    }

    /// Waits until every record of `topic` up to and including `offset` has been applied; `false` when that did not
    /// happen within `timeout` (or the follower stopped).
    func waitUntilRead(_ topic: String, through offset: Int64, timeout: Duration) async -> Bool {
        let id = progress.withLock { progress -> Int in
            progress.nextWaiter += 1
            progress.pending.insert(progress.nextWaiter)
            return progress.nextWaiter
        }
        let timer = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self.expire(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let now = progress.withLock { progress -> Bool? in
                if offset < progress.reached[topic] ?? 0 {
                    progress.pending.remove(id)
                    return true
                }
                // Timed out before it got here, or stopped: it will never be read here.
                if progress.closed || progress.expired.remove(id) != nil {
                    progress.pending.remove(id)
                    return false
                }
                progress.waiters.append(Waiter(topic: topic, offset: offset, continuation: continuation, id: id))
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    /// Gives up the wait `id`: resumes it with `false` if it waits, or marks it so that it does not start waiting.
    private func expire(_ id: Int) {
        let waiter = progress.withLock { progress -> Waiter? in
            guard progress.pending.contains(id) else { return nil }
            guard let index = progress.waiters.firstIndex(where: { $0.id == id }) else {
                progress.expired.insert(id)
                return nil
            }
            progress.pending.remove(id)
            return progress.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: false)
    }

    /// Waits until everything the topics held when called has been applied: an instance that starts reads the
    /// shared state before it serves. Throws ``SharedStateError`` when that takes longer than `timeout`.
    func catchUp(admin: KafkaAdmin, timeout: Duration) async throws {
        for topic in tables.keys.sorted() {
            let marks = try await admin.watermarks(topic: topic, partition: 0)
            guard marks.high > marks.low else { continue }
            guard await waitUntilRead(topic, through: marks.high - 1, timeout: timeout) else {
                throw SharedStateError(
                    topic: topic, reason: "not read to its end (offset \(marks.high)) within \(timeout)")
            }
        }
    }

    /// Stops following; waiting writers are let go.
    func shutdown() async {
        let (task, waiters) = progress.withLock { progress in
            progress.closed = true
            defer {
                progress.waiters = []
                progress.pending = []
            }
            return (progress.task, progress.waiters)
        }
        for waiter in waiters { waiter.continuation.resume(returning: false) }
        task?.cancel()
        await consumer.shutdown()
        await task?.value
    }
}

extension Array {
    /// The elements for which `belongs` holds, and the others, each in order.
    fileprivate func partitioned(by belongs: (Element) -> Bool) -> (matching: [Element], rest: [Element]) {
        var matching: [Element] = []
        var rest: [Element] = []
        for element in self {
            if belongs(element) { matching.append(element) } else { rest.append(element) }
        }
        return (matching, rest)
    }
}
