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
    /// Microseconds the thread pauses between drains while reports keep coming.
    static let busyPause: UInt32 = 1000
    /// Senders waiting for queue space resume once no more than this many messages are in flight, so each wake-up
    /// has room for a run of messages instead of the few one acknowledgement freed.
    private let resumeBelow: Int
    private let space = Mutex(SpaceState())
    private let stopRequested = Atomic<Bool>(false)
    private let exited = Mutex<(done: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))
    private let fatal = Mutex<KafkaError?>(nil)

    /// The client's main queue, where delivery reports and errors arrive. Shared by the thread and by senders
    /// that find the queue full (``serveReady()``); librdkafka queues may be polled from several threads.
    private let mainQueue: MainQueue

    private struct MainQueue: @unchecked Sendable {
        // Safe: a librdkafka queue handle is thread-safe; it is destroyed only in the pump's deinit.
        let pointer: OpaquePointer
    }

    init(client: KafkaClientHandle, maxInFlightMessages: Int) {
        self.client = client
        self.resumeBelow = maxInFlightMessages * 3 / 4
        self.mainQueue = MainQueue(pointer: rd_kafka_queue_get_main(client.pointer)!)
    }

    deinit {
        rd_kafka_queue_destroy(mainQueue.pointer)
    }

    /// Starts the dedicated thread. Called once by the producer factory.
    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "renkei.kafka.delivery"
        thread.start()
    }

    /// A fatal error the client raised, if any.
    var fatalError: KafkaError? { fatal.withLock { $0 } }

    /// Whether any sender is waiting for queue space.
    var hasWaiters: Bool { space.withLock { !$0.waiters.isEmpty } }

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
        rd_kafka_queue_yield(mainQueue.pointer)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = exited.withLock { state -> Bool in
                if state.done { return true }
                state.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// The thread's loop. Idle, it blocks until the first report arrives, so a lone send is acknowledged at once.
    /// Busy, it drains what is ready, then sleeps a moment and drains again: reports gather meanwhile, and
    /// librdkafka's broker thread, which would otherwise wake this thread (a futex call and a context switch) for
    /// every produce response, finds nobody waiting. A C program producing and calling `rd_kafka_poll(rk, 0)`
    /// every so often gets the same effect.
    private func run() {
        var idlePollsAfterStop = 0
        var busy = false
        while true {
            if stopRequested.load(ordering: .acquiring) {
                // Drain what librdkafka still reports (purged messages, last acknowledgements), then leave.
                if rd_kafka_outq_len(client.pointer) == 0 || idlePollsAfterStop > 50 { break }
            }
            var served = false
            if busy {
                usleep(Self.busyPause)
            } else if let event = rd_kafka_queue_poll(mainQueue.pointer, 100) {
                serve(event)
                served = true
            } else {
                // Quiet for 100 ms: let waiting senders try again whatever the queue length says (it also counts
                // events not yet served), so none can wait for a report that will not come.
                if hasWaiters { wakeSenders() }
                if stopRequested.load(ordering: .relaxed) { idlePollsAfterStop += 1 }
            }
            busy = serveReady() || served
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

    /// Serves the events that are ready now, without waiting, on the caller's thread: a sender that found the
    /// queue full frees space itself, as a C program calling `rd_kafka_poll` would, instead of waiting for the
    /// thread to be scheduled. Returns `true` if it served any.
    func serveReady() -> Bool {
        var served = false
        while let event = rd_kafka_queue_poll(mainQueue.pointer, 0) {
            serve(event)
            served = true
        }
        return served
    }

    /// Hands an event's delivery reports to their trackers (or records its error) and destroys it.
    private func serve(_ event: OpaquePointer) {
        switch rd_kafka_event_type(event) {
        case RD_KAFKA_EVENT_DR:
            withUnsafeTemporaryAllocation(of: UnsafePointer<rd_kafka_message_t>?.self, capacity: 1024) { buffer in
                while true {
                    let n = rd_kafka_event_message_array(event, buffer.baseAddress, buffer.count)
                    if n == 0 { break }
                    DeliveryTracker.handle(reports: UnsafeMutableBufferPointer(rebasing: buffer[0..<n]))
                }
            }
            // Destroying the event frees the messages' queue slots; only then can waiting senders enqueue.
            // Every message in flight still has a report to come, so a sender left waiting above the mark is
            // woken by a later event. (A queue full by bytes holds fewer messages than the mark.)
            rd_kafka_event_destroy(event)
            if Int(rd_kafka_outq_len(client.pointer)) <= resumeBelow { wakeSenders() }
        case RD_KAFKA_EVENT_ERROR:
            handleErrorEvent(event)
            rd_kafka_event_destroy(event)
            wakeSenders()
        default:
            rd_kafka_event_destroy(event)
        }
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
