import Logging
import RenkeiKafka
import Synchronization

/// The long-lived consumers that bounded reads borrow: feed pages, dead-letter listings, history questions and
/// transfer chunks. A librdkafka client has its own threads and broker connections, so none is created per
/// request: at most ``maxClients`` exist, a read waits for a free one, and one left idle for ``idleTimeout`` is
/// closed.
///
/// The consumers join no group; each read assigns the partitions it needs and gives them up when it returns.
final class ReaderPool: Sendable {
    let configuration: KafkaConfiguration
    let logger: Logger
    let maxClients: Int
    let idleTimeout: Duration

    private struct Idle {
        var consumer: KafkaConsumer
        var since: ContinuousClock.Instant
    }

    private struct State {
        var idle: [Idle] = []
        var open = 0
        /// Reads waiting for a consumer; `nil` hands them the right to create one.
        var waiters: [CheckedContinuation<KafkaConsumer?, Never>] = []
        var sweeping = false
        var closed = false
    }

    private let state = Mutex(State())

    init(
        configuration: KafkaConfiguration, logger: Logger, maxClients: Int = 4, idleTimeout: Duration = .seconds(60)
    ) {
        // The poll thread notes positions when a wait for messages ends: short waits make a read that ends on a
        // marker finish quickly.
        self.configuration = configuration.positionReading(batchWait: .milliseconds(10))
        self.logger = logger
        self.maxClients = max(1, maxClients)
        self.idleTimeout = idleTimeout
    }

    /// Runs `body` with a consumer of the pool, returned (with nothing assigned) afterwards.
    func withConsumer<T: Sendable>(_ body: (KafkaConsumer) async throws -> T) async throws -> T {
        let consumer = try await checkOut()
        do {
            let result = try await body(consumer)
            await checkIn(consumer)
            return result
        } catch let error as KafkaError where error.isFatal || error.code == .destroyed {
            // A consumer that failed for good is not lent again.
            releaseSlot()
            await consumer.shutdown()
            throw error
        } catch {
            await checkIn(consumer)
            throw error
        }
    }

    /// Closes every idle consumer; later reads fail.
    func shutdown() async {
        let (idle, waiters) = state.withLock { state -> ([Idle], [CheckedContinuation<KafkaConsumer?, Never>]) in
            state.closed = true
            defer {
                state.idle = []
                state.waiters = []
            }
            state.open -= state.idle.count
            return (state.idle, state.waiters)
        }
        // Reads waiting for a consumer fail with ReaderPoolClosed instead of waiting for ever.
        for waiter in waiters { waiter.resume(returning: nil) }
        for entry in idle { await entry.consumer.shutdown() }
    }

    private enum Grant {
        case reuse(KafkaConsumer)
        case create
        case wait
        case closed
    }

    private func checkOut() async throws -> KafkaConsumer {
        let grant = state.withLock { state -> Grant in
            if state.closed { return .closed }
            if let entry = state.idle.popLast() { return .reuse(entry.consumer) }
            if state.open < maxClients {
                state.open += 1
                return .create
            }
            return .wait
        }
        switch grant {
        case .reuse(let consumer):
            return consumer
        case .create:
            return try make()
        case .closed:
            throw ReaderPoolClosed()
        case .wait:
            let handed = await withCheckedContinuation { continuation in
                let immediate = state.withLock { state -> Grant in
                    if state.closed { return .closed }
                    if let entry = state.idle.popLast() { return .reuse(entry.consumer) }
                    if state.open < maxClients {
                        state.open += 1
                        return .create
                    }
                    state.waiters.append(continuation)
                    return .wait
                }
                switch immediate {
                case .reuse(let consumer): continuation.resume(returning: consumer)
                case .create, .closed: continuation.resume(returning: nil)
                case .wait: break
                }
            }
            if let handed { return handed }
            if state.withLock({ $0.closed }) { throw ReaderPoolClosed() }
            return try make()
        }
    }

    private func make() throws -> KafkaConsumer {
        do {
            return try KafkaConsumer.make(configuration: configuration, logger: logger)
        } catch {
            releaseSlot()
            throw error
        }
    }

    private func checkIn(_ consumer: KafkaConsumer) async {
        do {
            try consumer.unassign()
        } catch {
            // A consumer that cannot give its partitions up is not lent again.
            releaseSlot()
            await consumer.shutdown()
            return
        }
        let (waiter, closed, startSweep) = state.withLock {
            state -> (CheckedContinuation<KafkaConsumer?, Never>?, Bool, Bool) in
            if state.closed {
                state.open -= 1
                return (nil, true, false)
            }
            if !state.waiters.isEmpty { return (state.waiters.removeFirst(), false, false) }
            state.idle.append(Idle(consumer: consumer, since: .now))
            defer { state.sweeping = true }
            return (nil, false, !state.sweeping)
        }
        if let waiter {
            waiter.resume(returning: consumer)
        } else if closed {
            await consumer.shutdown()
        } else if startSweep {
            Task { await self.sweep() }
        }
    }

    /// Gives up a consumer's slot; a waiting read may create one instead.
    private func releaseSlot() {
        let waiter = state.withLock { state -> CheckedContinuation<KafkaConsumer?, Never>? in
            // With a read waiting, the slot passes to it, and it creates its own consumer.
            guard !state.waiters.isEmpty else {
                state.open -= 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: nil)
    }

    /// Closes consumers idle for longer than ``idleTimeout``, until none is idle.
    private func sweep() async {
        while true {
            try? await Task.sleep(for: idleTimeout)
            let now = ContinuousClock.now
            let (expired, more) = state.withLock { state -> ([Idle], Bool) in
                let expired = state.idle.filter { now - $0.since >= idleTimeout }
                state.idle.removeAll { now - $0.since >= idleTimeout }
                state.open -= expired.count
                if state.idle.isEmpty || state.closed { state.sweeping = false }
                return (expired, state.sweeping)
            }
            for entry in expired { await entry.consumer.shutdown() }
            if !more { return }
        }
    }
}

/// A read was asked of a bus that is shutting down.
struct ReaderPoolClosed: Error, CustomStringConvertible {
    var description: String { "the bus is shutting down; no more reads" }
}
