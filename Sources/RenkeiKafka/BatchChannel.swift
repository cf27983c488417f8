import Dispatch
import Synchronization

/// The bounded hand-off between the consumer's poll thread and the application, plus the offset bookkeeping that
/// must change atomically with it: what was handed out, what the application marked processed, what is
/// committed, and which partitions this member owns.
final class BatchChannel: Sendable {
    struct Offsets {
        var assigned: Set<KafkaTopicPartition> = []
        var handedOut: [KafkaTopicPartition: Int64] = [:]
        var processed: [KafkaTopicPartition: Int64] = [:]
        var committed: [KafkaTopicPartition: Int64] = [:]
    }

    private struct State {
        var buffer: [MessageBatchStorage] = []
        var waiters: [(id: UInt64, continuation: CheckedContinuation<MessageBatchStorage?, any Error>)] = []
        var nextWaiterID: UInt64 = 0
        var finished = false
        var failure: KafkaError? = nil
        var offsets = Offsets()
        /// How far the poll thread got in each partition: every offset below is in a batch pushed before (or was
        /// a marker, aborted or compacted). From partition-end events and positions, noted after the push.
        var reached: [KafkaTopicPartition: Int64] = [:]
        /// Offsets librdkafka skipped because they were no longer retained, not yet taken by the application.
        var losses: [KafkaRetentionLoss] = []
        /// Changes with every assignment change, so that progress seen before it is never noted after it.
        var generation: UInt64 = 0
    }

    private let capacity: Int
    private let state = Mutex(State())
    private let spaceSignal = DispatchSemaphore(value: 0)

    init(capacity: Int) {
        self.capacity = capacity
    }

    // MARK: poll thread side

    /// Blocks the poll thread up to `timeoutMilliseconds` while the buffer is full. Returns `true` if there is room.
    func waitForRoom(timeoutMilliseconds: Int) -> Bool {
        if state.withLock({ $0.buffer.count < capacity }) { return true }
        _ = spaceSignal.wait(timeout: .now() + .milliseconds(timeoutMilliseconds))
        return state.withLock { $0.buffer.count < capacity }
    }

    /// Hands a batch to a waiting reader or buffers it.
    func push(_ batch: MessageBatchStorage) {
        let waiter = state.withLock { state -> CheckedContinuation<MessageBatchStorage?, any Error>? in
            if state.finished { return nil }
            if !state.waiters.isEmpty {
                Self.recordHandedOut(batch, in: &state.offsets)
                return state.waiters.removeFirst().continuation
            }
            state.buffer.append(batch)
            return nil
        }
        waiter?.resume(returning: batch)
    }

    /// Notes that every offset of `partition` below `offset` was pushed already or will never be handed out (a
    /// transaction marker, an aborted or a compacted record). The poll thread calls it after pushing the batch
    /// that held the records before it, so a reader that sees the note finds them buffered.
    func noteReached(_ partition: KafkaTopicPartition, _ offset: Int64, generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation, state.offsets.assigned.contains(partition) else { return }
            state.reached[partition] = max(state.reached[partition] ?? .min, offset)
        }
    }

    /// The current assignment generation (see ``noteReached(_:_:generation:)``).
    var generation: UInt64 { state.withLock { $0.generation } }

    /// See ``noteReached(_:_:generation:)``; `nil` when nothing was noted since the partition was assigned.
    func reached(_ partition: KafkaTopicPartition) -> Int64? {
        state.withLock { $0.reached[partition] }
    }

    /// Records a skip over offsets no longer retained.
    func noteLoss(_ loss: KafkaRetentionLoss) {
        // Bounded for consumers whose owner never asks (the first skips are the ones that matter).
        state.withLock { if $0.losses.count < 1000 { $0.losses.append(loss) } }
    }

    /// The skips recorded since the last call.
    func takeLosses() -> [KafkaRetentionLoss] {
        state.withLock { state in
            defer { state.losses = [] }
            return state.losses
        }
    }

    /// Replaces the owned partitions in one step: drops buffered messages of the previous ones, forgets their
    /// marks and notes, and owns `partitions` (a new generation). One lock, so a reader that takes notes and
    /// buffered batches together (``drain(noting:)``) sees all of the old assignment or none of it.
    func reassign(to partitions: Set<KafkaTopicPartition>) {
        state.withLock { state in
            let previous = state.offsets.assigned
            state.buffer = state.buffer.compactMap { batch in
                batch.partitions.isDisjoint(with: previous) ? batch : batch.removing(previous)
            }
            state.offsets.assigned = partitions
            state.generation &+= 1
            for partition in previous.union(partitions) {
                state.offsets.handedOut[partition] = nil
                state.offsets.processed[partition] = nil
                state.offsets.committed[partition] = nil
                state.reached[partition] = nil
            }
        }
        spaceSignal.signal()
    }

    /// Every buffered batch and the reached notes of `partitions`, taken under one lock: every record below a
    /// note is in these batches or was handed out before.
    func drain(noting partitions: [KafkaTopicPartition]) -> ([MessageBatchStorage], [KafkaTopicPartition: Int64]) {
        let taken = state.withLock { state -> ([MessageBatchStorage], [KafkaTopicPartition: Int64]) in
            var reached: [KafkaTopicPartition: Int64] = [:]
            for partition in partitions { reached[partition] = state.reached[partition] }
            let batches = state.buffer
            state.buffer = []
            for batch in batches { Self.recordHandedOut(batch, in: &state.offsets) }
            return (batches, reached)
        }
        if !taken.0.isEmpty { spaceSignal.signal() }
        return taken
    }

    /// Ends the sequence: readers get `nil` (or `failure`) once the buffer is drained.
    func finish(failure: KafkaError? = nil) {
        let waiters = state.withLock { state -> [CheckedContinuation<MessageBatchStorage?, any Error>] in
            state.finished = true
            if state.failure == nil { state.failure = failure }
            defer { state.waiters = [] }
            return state.waiters.map(\.continuation)
        }
        for waiter in waiters {
            if let failure { waiter.resume(throwing: failure) } else { waiter.resume(returning: nil) }
        }
    }

    /// Drops buffered (not yet handed out) messages of `partitions`: they belong to another member now, or to a
    /// new position after a seek.
    func purge(_ partitions: Set<KafkaTopicPartition>) {
        guard !partitions.isEmpty else { return }
        state.withLock { state in
            state.buffer = state.buffer.compactMap { batch in
                batch.partitions.isDisjoint(with: partitions) ? batch : batch.removing(partitions)
            }
        }
        spaceSignal.signal()
    }

    // MARK: application side

    /// The next batch, waiting at most `timeout` if none is buffered; `nil` when none came in time, an error
    /// after ``finish(failure:)``. Either the
    /// batch is handed to this waiter or the waiter is withdrawn, under one lock, so no batch is lost.
    func next(waitingAtMost timeout: Duration) async throws -> MessageBatchStorage? {
        try await next(timeout: timeout)
    }

    /// The next batch, waiting if none is buffered; `nil` after ``finish(failure:)``. Throws `CancellationError`
    /// if the waiting task is cancelled (no batch is lost: one that arrives later stays buffered).
    func next() async throws -> MessageBatchStorage? {
        try await next(timeout: nil)
    }

    private func next(timeout: Duration?) async throws -> MessageBatchStorage? {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<MessageBatchStorage?, any Error>) in
                enum Action {
                    case resume(MessageBatchStorage?)
                    case fail(any Error)
                    case wait
                }
                let action = state.withLock { state -> Action in
                    if !state.buffer.isEmpty {
                        let batch = state.buffer.removeFirst()
                        Self.recordHandedOut(batch, in: &state.offsets)
                        return .resume(batch)
                    }
                    if state.finished {
                        if let failure = state.failure { return .fail(failure) }
                        // A timed wait must tell the end from "nothing yet", or its caller would spin.
                        if timeout != nil {
                            return .fail(KafkaError(code: .destroyed, message: "the consumer was shut down"))
                        }
                        return .resume(nil)
                    }
                    if Task.isCancelled { return .fail(CancellationError()) }
                    state.waiters.append((id, continuation))
                    return .wait
                }
                switch action {
                case .resume(let batch):
                    spaceSignal.signal()
                    continuation.resume(returning: batch)
                case .fail(let error):
                    continuation.resume(throwing: error)
                case .wait:
                    if let timeout { withdraw(id, after: timeout) }
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<MessageBatchStorage?, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Resumes waiter `id` with `nil` after `timeout` unless a batch (or the end) reached it first.
    private func withdraw(_ id: UInt64, after timeout: Duration) {
        let nanoseconds =
            Int(timeout.components.seconds) * 1_000_000_000
            + Int(timeout.components.attoseconds / 1_000_000_000)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [self] in
            let waiter = state.withLock { state -> CheckedContinuation<MessageBatchStorage?, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(returning: nil)
        }
    }

    private static func recordHandedOut(_ batch: MessageBatchStorage, in offsets: inout Offsets) {
        for entry in batch.nextOffsets {
            offsets.handedOut[entry.topicPartition] = max(
                offsets.handedOut[entry.topicPartition] ?? .min, entry.offset.rawValue)
        }
    }

    // MARK: offsets

    /// Records that the application processed everything up to these next offsets. Ignores partitions this
    /// member no longer owns, so a late mark never moves another member's position.
    func markProcessed(_ nextOffsets: [KafkaPartitionOffset]) {
        state.withLock { state in
            for entry in nextOffsets where state.offsets.assigned.contains(entry.topicPartition) {
                state.offsets.processed[entry.topicPartition] = max(
                    state.offsets.processed[entry.topicPartition] ?? .min, entry.offset.rawValue)
            }
        }
    }

    /// Processed offsets not yet committed, limited to `partitions` if given.
    func uncommitted(in partitions: Set<KafkaTopicPartition>? = nil) -> [KafkaPartitionOffset] {
        state.withLock { state in
            state.offsets.processed.compactMap { partition, offset in
                guard state.offsets.assigned.contains(partition) else { return nil }
                if let partitions, !partitions.contains(partition) { return nil }
                if let committed = state.offsets.committed[partition], committed >= offset { return nil }
                return KafkaPartitionOffset(partition, offset: .offset(offset))
            }
        }
    }

    /// Records a successful commit.
    func recordCommitted(_ offsets: [KafkaPartitionOffset]) {
        state.withLock { state in
            for entry in offsets {
                state.offsets.committed[entry.topicPartition] = max(
                    state.offsets.committed[entry.topicPartition] ?? .min, entry.offset.rawValue)
            }
        }
    }

    /// `true` when every handed-out message of `partitions` was marked processed.
    func isDrained(_ partitions: Set<KafkaTopicPartition>) -> Bool {
        state.withLock { state in
            partitions.allSatisfy { partition in
                guard let handed = state.offsets.handedOut[partition] else { return true }
                return (state.offsets.processed[partition] ?? .min) >= handed
            }
        }
    }

    /// Adds partitions to the owned set; ends reported for them before are forgotten (they belong to an earlier
    /// position).
    func assign(_ partitions: Set<KafkaTopicPartition>) {
        state.withLock { state in
            state.offsets.assigned.formUnion(partitions)
            state.generation &+= 1
            for partition in partitions { state.reached[partition] = nil }
        }
    }

    /// Forgets partitions given up: their marks and positions no longer apply to this member.
    func revoke(_ partitions: Set<KafkaTopicPartition>) {
        state.withLock { state in
            state.offsets.assigned.subtract(partitions)
            state.generation &+= 1
            for partition in partitions {
                state.reached[partition] = nil
                state.offsets.handedOut[partition] = nil
                state.offsets.processed[partition] = nil
                state.offsets.committed[partition] = nil
            }
        }
    }

    /// The partitions currently owned.
    var assigned: Set<KafkaTopicPartition> { state.withLock { $0.offsets.assigned } }
}
