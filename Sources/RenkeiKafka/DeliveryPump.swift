import CRdKafka
import Foundation
import Synchronization

/// The producer's poll thread: drains delivery-report events from the main queue in batches, hands each run of
/// reports to its ``DeliveryTracker``, and wakes senders waiting for queue space (back-pressure).
final class DeliveryPump: Sendable {
    private struct SpaceState {
        var generation: UInt64 = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var stopped = false
    }

    private let client: KafkaClientHandle
    private let space = Mutex(SpaceState())
    private let stopRequested = Atomic<Bool>(false)
    private let exited = Mutex<(done: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))
    private let fatal = Mutex<KafkaError?>(nil)

    init(client: KafkaClientHandle) {
        self.client = client
    }

    /// Starts the dedicated thread. Called once by the producer factory.
    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "renkei.kafka.delivery"
        thread.start()
    }

    /// A fatal error the client raised, if any.
    var fatalError: KafkaError? { fatal.withLock { $0 } }

    /// The current drain generation: read it before enqueuing, pass it to ``waitForSpace(after:)``.
    var generation: UInt64 { space.withLock { $0.generation } }

    /// Waits until reports were drained after `generation` (or the pump stopped). Returns `false` if stopped.
    func waitForSpace(after generation: UInt64) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = space.withLock { state -> Bool in
                if state.stopped || state.generation != generation { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
        return space.withLock { !$0.stopped }
    }

    /// Asks the thread to stop after draining what is queued, and waits for it to exit.
    func stop() async {
        stopRequested.store(true, ordering: .releasing)
        if let queue = rd_kafka_queue_get_main(client.pointer) {
            rd_kafka_queue_yield(queue)
            rd_kafka_queue_destroy(queue)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = exited.withLock { state -> Bool in
                if state.done { return true }
                state.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func run() {
        let queue = rd_kafka_queue_get_main(client.pointer)!
        defer { rd_kafka_queue_destroy(queue) }
        let capacity = 1024
        let buffer = UnsafeMutableBufferPointer<UnsafePointer<rd_kafka_message_t>?>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var idlePollsAfterStop = 0
        while true {
            if stopRequested.load(ordering: .acquiring) {
                // Drain what librdkafka still reports (purged messages, last acknowledgements), then leave.
                if rd_kafka_outq_len(client.pointer) == 0 || idlePollsAfterStop > 50 { break }
            }
            guard let event = rd_kafka_queue_poll(queue, 100) else {
                if stopRequested.load(ordering: .relaxed) { idlePollsAfterStop += 1 }
                continue
            }
            switch rd_kafka_event_type(event) {
            case RD_KAFKA_EVENT_DR:
                while true {
                    let n = rd_kafka_event_message_array(event, buffer.baseAddress, capacity)
                    if n == 0 { break }
                    DeliveryTracker.handle(reports: UnsafeMutableBufferPointer(rebasing: buffer[0..<n]))
                }
                // Destroying the event frees the messages' queue slots; only then can waiting senders enqueue.
                rd_kafka_event_destroy(event)
                wakeSenders()
            case RD_KAFKA_EVENT_ERROR:
                handleErrorEvent(event)
                rd_kafka_event_destroy(event)
            default:
                rd_kafka_event_destroy(event)
            }
        }
        let waiters = space.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.stopped = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
        let exitWaiter = exited.withLock { state -> CheckedContinuation<Void, Never>? in
            state.done = true
            return state.waiter
        }
        exitWaiter?.resume()
    }

    private func wakeSenders() {
        let waiters = space.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func handleErrorEvent(_ event: OpaquePointer) {
        let code = KafkaError.Code(rd_kafka_event_error(event))
        let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? code.description
        if rd_kafka_event_error_is_fatal(event) != 0 {
            let error = client.fatalError() ?? KafkaError(code: code, message: text, isFatal: true)
            fatal.withLock { $0 = error }
            client.context.logger.error("fatal producer error", metadata: ["renkei.kafka.error": "\(error)"])
        } else {
            client.context.logger.warning(
                "producer error", metadata: ["renkei.kafka.code": "\(code.name)", "renkei.kafka.reason": "\(text)"])
        }
    }
}
