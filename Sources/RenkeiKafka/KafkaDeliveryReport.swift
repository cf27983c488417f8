import CRdKafka
import Synchronization

/// The outcome of one message of a batch.
public enum KafkaDeliveryOutcome: Sendable, Hashable {
    /// The broker acknowledged the message (with `acks=all`) at this partition and offset.
    case delivered(partition: Int32, offset: Int64)
    /// The message was not delivered.
    case failed(KafkaError)
}

/// The outcome of every message handed to one ``KafkaProducer/send(_:)`` call, in the order they were given.
public struct KafkaDeliveryReport: Sendable, RandomAccessCollection {
    let tracker: DeliveryTracker

    /// Index of the first message.
    public var startIndex: Int { 0 }
    /// One past the index of the last message.
    public var endIndex: Int { tracker.count }

    /// The outcome of the message at `index` (its position in the batch that was sent).
    public subscript(index: Int) -> KafkaDeliveryOutcome {
        precondition(index >= 0 && index < tracker.count, "index out of range")
        let slot = tracker.slots[index]
        if slot.error == 0 {
            return .delivered(partition: slot.partition, offset: slot.offset)
        }
        return .failed(KafkaError(code: KafkaError.Code(rawValue: slot.error), context: "delivery failed"))
    }

    /// `true` when the broker acknowledged every message.
    public var allDelivered: Bool { tracker.failureCount == 0 }

    /// Number of messages that were not delivered.
    public var failureCount: Int { tracker.failureCount }

    /// The failed messages' indices and errors.
    public var failures: [(index: Int, error: KafkaError)] {
        guard tracker.failureCount > 0 else { return [] }
        return indices.compactMap { index in
            if case .failed(let error) = self[index] { return (index, error) }
            return nil
        }
    }

    /// Throws the first failure, if any message was not delivered.
    public func throwIfAnyFailed() throws(KafkaError) {
        if let first = failures.first {
            throw KafkaError(
                code: first.error.code,
                message: "\(failureCount) of \(count) messages not delivered; first at index \(first.index): "
                    + first.error.message)
        }
    }
}

/// Collects the delivery reports of one batch; the poll thread fills slots, the sender awaits completion.
///
/// Each message's librdkafka opaque points at its slot; the slot points back at the tracker, so the poll thread
/// finds both tracker and index with no lookup.
final class DeliveryTracker: @unchecked Sendable {
    // Safe: each slot is written exactly once (by the sender for immediate failures, otherwise by the poll thread)
    // before `state` counts it; readers only read after completion, which is ordered by the `state` mutex.
    struct Slot {
        var tracker: UnsafeMutableRawPointer?
        var offset: Int64
        var partition: Int32
        var error: Int32
    }

    private struct State {
        var reported = 0
        var failures = 0
        var expected: Int? = nil
        var continuation: CheckedContinuation<Void, Never>? = nil
        var finished = false
    }

    let count: Int
    let slots: UnsafeMutablePointer<Slot>
    private let state = Mutex(State())
    private(set) var failureCount = 0
    /// The messages themselves: librdkafka reads large values in place (no copy when enqueuing), so they must live
    /// until their reports are in, which is as long as the tracker lives.
    private let messages: [KafkaOutgoingMessage]

    init(count: Int, keepingAlive messages: [KafkaOutgoingMessage] = []) {
        self.count = count
        self.messages = messages
        slots = .allocate(capacity: max(count, 1))
        let me = Unmanaged.passUnretained(self).toOpaque()
        slots.initialize(repeating: Slot(tracker: me, offset: -1, partition: -1, error: 0), count: max(count, 1))
    }

    deinit {
        slots.deallocate()
    }

    /// The opaque pointer for message `index`.
    @inline(__always)
    func opaque(for index: Int) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(slots + index) }

    /// Records a failure that happened before the message reached librdkafka's queue.
    func recordImmediateFailure(index: Int, code: Int32) {
        slots[index].error = code == 0 ? KafkaError.Code.fatal.rawValue : code
        complete(count: 1, failures: 1)
    }

    /// Counts `count` slots as reported, `failures` of them failed; resumes the sender when all are in.
    func complete(count: Int, failures: Int) {
        let continuation: CheckedContinuation<Void, Never>? = state.withLock { state in
            state.reported += count
            state.failures += failures
            return takeIfDone(&state)
        }
        continuation?.resume()
    }

    /// The sender has enqueued every message; waits until all reports are in.
    func waitForAll() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow: CheckedContinuation<Void, Never>? = state.withLock { state in
                // A tracker already awaited (a transaction waits again for what `sendAndWait` awaited) is done.
                if state.finished { return continuation }
                state.expected = count
                state.continuation = continuation
                return takeIfDone(&state)
            }
            resumeNow?.resume()
        }
        failureCount = state.withLock { $0.failures }
    }

    private func takeIfDone(_ state: inout State) -> CheckedContinuation<Void, Never>? {
        guard !state.finished, let expected = state.expected, state.reported >= expected,
            let continuation = state.continuation
        else { return nil }
        state.finished = true
        state.continuation = nil
        return continuation
    }

    /// Called by the poll thread for a run of delivered messages; finds the tracker and fills the slots.
    static func handle(reports messages: UnsafeMutableBufferPointer<UnsafePointer<rd_kafka_message_t>?>) {
        var runTracker: UnsafeMutableRawPointer? = nil
        var runCount = 0
        var runFailures = 0
        func flush() {
            if let runTracker, runCount > 0 {
                Unmanaged<DeliveryTracker>.fromOpaque(runTracker).takeUnretainedValue()
                    .complete(count: runCount, failures: runFailures)
            }
            runCount = 0
            runFailures = 0
        }
        for case let message? in messages {
            guard let opaque = message.pointee._private else { continue }
            let slot = opaque.assumingMemoryBound(to: Slot.self)
            let owner = slot.pointee.tracker
            if owner != runTracker {
                flush()
                runTracker = owner
            }
            slot.pointee.partition = message.pointee.partition
            slot.pointee.offset = message.pointee.offset
            let error = message.pointee.err.rawValue
            slot.pointee.error = error
            runCount += 1
            if error != 0 { runFailures += 1 }
        }
        flush()
    }
}
