import Logging
import RenkeiKafka
import Synchronization

/// The heads of the receiver topics that long polls wait on, followed by ONE long-lived consumer of the bus: each
/// topic is added (a ``FeedTail``) on first use, at most ``maxTails`` at once, and dropped after ``idleTimeout``
/// without a read or a wait. One consumer for every followed topic keeps the cost of waiting flat: one fetch
/// request covers them all, however many topics and polls there are.
final class FeedTails: Sendable {
    let configuration: KafkaConfiguration
    let admin: KafkaAdmin
    let logger: Logger
    let maxTails: Int
    let idleTimeout: Duration
    let window: Int

    private struct State {
        var tails: [String: FeedTail] = [:]
        var consumer: KafkaConsumer?
        var running: Task<Void, Never>?
        var sweeping = false
        var closed = false
    }

    private let state = Mutex(State())
    /// Changes to what is followed run one at a time (each reassigns the consumer).
    private let changes = SerialGate()

    init(
        configuration: KafkaConfiguration, admin: KafkaAdmin, logger: Logger, maxTails: Int = 64,
        idleTimeout: Duration = .seconds(300), window: Int = 2048
    ) {
        // Records end a wait at once; the wait only bounds how often positions past markers are noted.
        self.configuration = configuration.positionReading(batchWait: .milliseconds(100))
        self.admin = admin
        self.logger = logger
        self.maxTails = maxTails
        self.idleTimeout = idleTimeout
        self.window = window
    }

    /// The tail of `topic` if it is followed already.
    func existing(_ topic: String) -> FeedTail? {
        state.withLock { $0.tails[topic] }
    }

    /// The tail of `topic`, followed from now if it was not; `nil` when ``maxTails`` are followed or the bus is
    /// closing.
    func follow(_ topic: String) async throws -> FeedTail? {
        if let tail = existing(topic) { return tail }
        return try await changes.run {
            let admitted = state.withLock { !$0.closed && $0.tails[topic] == nil && $0.tails.count < maxTails }
            guard admitted else { return existing(topic) }
            let tail = FeedTail(topic: topic, marks: try await admin.watermarks(topic: topic), window: window)
            let consumer =
                try state.withLock({ $0.consumer })
                ?? KafkaConsumer.make(configuration: configuration, logger: logger)
            // Known before its partitions are assigned, so none of its records arrives for a topic not followed.
            let tails = state.withLock { state -> [FeedTail] in
                state.tails[topic] = tail
                return Array(state.tails.values)
            }
            do {
                // Every followed topic continues where its window ends; the new one from its current end.
                try consumer.assign(tails.flatMap(\.positions))
            } catch {
                state.withLock { $0.tails[topic] = nil }
                throw error
            }
            enum Outcome {
                case started(sweep: Bool)
                case closed(newConsumer: Bool)
            }
            let outcome = state.withLock { state -> Outcome in
                if state.closed {
                    // Shut down while this follow waited: nothing it made may outlive the bus.
                    state.tails[topic] = nil
                    return .closed(newConsumer: state.consumer == nil)
                }
                if state.consumer == nil {
                    state.consumer = consumer
                    state.running = Task { await self.run(consumer) }
                }
                defer { state.sweeping = true }
                return .started(sweep: !state.sweeping)
            }
            switch outcome {
            case .closed(let newConsumer):
                tail.stop()
                if newConsumer { await consumer.shutdown() }
                return nil
            case .started(let sweep):
                if sweep { Task { await self.sweep() } }
                return tail
            }
        }
    }

    /// Stops following everything.
    func shutdown() async {
        let (tails, consumer, running) = state.withLock { state in
            state.closed = true
            defer {
                state.tails = [:]
                state.consumer = nil
                state.running = nil
            }
            return (Array(state.tails.values), state.consumer, state.running)
        }
        for tail in tails { tail.stop() }
        await consumer?.shutdown()
        await running?.value
    }

    /// Takes committed records into their topics' windows until the consumer is shut down.
    private func run(_ consumer: KafkaConsumer) async {
        while true {
            // The notes and what is buffered, taken together: the poll thread notes a position only after pushing
            // the records before it, and a reassignment drops both at once.
            let drained = consumer.drainBuffered(notingReached: Array(consumer.assignment))
            var reached: [String: [(Int32, Int64)]] = [:]
            for (partition, offset) in drained.reached {
                reached[partition.topic, default: []].append((partition.partition, offset))
            }
            var messages: [String: [TopicReader.Message]] = [:]
            for batch in drained.batches { Self.collect(batch, into: &messages) }
            let tails = state.withLock { $0.tails }
            for (topic, tail) in tails { tail.take(messages[topic] ?? [], reached: reached[topic] ?? []) }
            do {
                guard let batch = try await consumer.nextBatch(within: .milliseconds(50)) else { continue }
                var more: [String: [TopicReader.Message]] = [:]
                Self.collect(batch, into: &more)
                let current = state.withLock { $0.tails }
                for (topic, records) in more { current[topic]?.take(records, reached: []) }
            } catch {
                return
            }
        }
    }

    private static func collect(_ batch: KafkaMessageBatch, into messages: inout [String: [TopicReader.Message]]) {
        for message in batch {
            messages[message.topic, default: []].append(
                TopicReader.Message(message))
        }
    }

    /// Drops topics nobody read or waited on for ``idleTimeout``; closes the consumer when none is left.
    private func sweep() async {
        while true {
            try? await Task.sleep(for: min(idleTimeout, .seconds(30)))
            let keepGoing =
                (try? await changes.run { () async throws -> Bool in
                    let (idle, remaining, consumer) = state.withLock { state in
                        let idle = state.tails.values.filter { $0.idleFor >= idleTimeout }
                        for tail in idle { state.tails[tail.topic] = nil }
                        return (idle, Array(state.tails.values), state.consumer)
                    }
                    for tail in idle { tail.stop() }
                    if remaining.isEmpty {
                        let running = state.withLock { state in
                            defer {
                                state.consumer = nil
                                state.running = nil
                                state.sweeping = false
                            }
                            return state.running
                        }
                        await consumer?.shutdown()
                        await running?.value
                        return false
                    }
                    if !idle.isEmpty { try consumer?.assign(remaining.flatMap(\.positions)) }
                    return !state.withLock { $0.closed }
                }) ?? true
            if !keepGoing { return }
        }
    }
}
