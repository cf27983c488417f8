import Logging
import RenkeiKafka
import Synchronization

/// The bus's ``FeedTail``s, one per receiver topic that long polls wait on: created on first use, at most
/// ``maxTails`` at once, each closed after ``idleTimeout`` without a read or a wait.
final class FeedTails: Sendable {
    let configuration: KafkaConfiguration
    let admin: KafkaAdmin
    let logger: Logger
    let maxTails: Int
    let idleTimeout: Duration
    let window: Int

    private struct State {
        var tails: [String: FeedTail] = [:]
        var runs: [String: Task<Void, Never>] = [:]
        var sweeping = false
        var closed = false
    }

    private let state = Mutex(State())
    private let starting = SerialGate()

    init(
        configuration: KafkaConfiguration, admin: KafkaAdmin, logger: Logger, maxTails: Int = 64,
        idleTimeout: Duration = .seconds(300), window: Int = 2048
    ) {
        var tail = configuration
        tail.consumer.groupID = nil
        tail.consumer.reportsPartitionEnd = true
        // Records end a wait at once; the wait only bounds how often positions past markers are noted.
        tail.consumer.batchWait = .milliseconds(100)
        self.configuration = tail
        self.admin = admin
        self.logger = logger
        self.maxTails = maxTails
        self.idleTimeout = idleTimeout
        self.window = window
    }

    /// The tail of `topic` if one follows it already.
    func existing(_ topic: String) -> FeedTail? {
        state.withLock { $0.tails[topic] }
    }

    /// The tail of `topic`, started if needed; `nil` when ``maxTails`` are running or the bus is closing.
    func follow(_ topic: String) async throws -> FeedTail? {
        if let tail = existing(topic) { return tail }
        return try await starting.run {
            let admitted = state.withLock { state -> Bool in
                !state.closed && state.tails[topic] == nil && state.tails.count < maxTails
            }
            guard admitted else { return existing(topic) }
            let tail = try await FeedTail.start(
                topic: topic, admin: admin, configuration: configuration, logger: logger, window: window)
            let startSweep = state.withLock { state -> Bool in
                state.tails[topic] = tail
                state.runs[topic] = Task { await tail.run() }
                defer { state.sweeping = true }
                return !state.sweeping
            }
            if startSweep { Task { await self.sweep() } }
            return tail
        }
    }

    /// Topics followed now.
    var count: Int { state.withLock { $0.tails.count } }

    /// Stops every tail.
    func shutdown() async {
        let tails = state.withLock { state -> [FeedTail] in
            state.closed = true
            defer { state.tails = [:] }
            return Array(state.tails.values)
        }
        for tail in tails { await tail.stop() }
    }

    private func sweep() async {
        while true {
            try? await Task.sleep(for: min(idleTimeout, .seconds(30)))
            let idle = state.withLock { state -> [FeedTail] in
                let idle = state.tails.values.filter { $0.idleFor >= idleTimeout }
                for tail in idle {
                    state.tails[tail.topic] = nil
                    state.runs[tail.topic] = nil
                }
                if state.tails.isEmpty || state.closed { state.sweeping = false }
                return idle
            }
            for tail in idle { await tail.stop() }
            if !state.withLock({ $0.sweeping }) { return }
        }
    }
}
