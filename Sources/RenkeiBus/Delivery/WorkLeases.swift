import Foundation
import Logging
import RenkeiKafka
import Synchronization

/// Work that must run once in the whole cluster, not once per instance — a receiver's file deliveries (with their
/// schedule), a provider's inbox — held through Kafka alone: every instance joins the group
/// ``ConsumerGroups/leases`` on ``BusTopics/leases``, whose partitions are the leases, and a worker runs where the
/// partition its id maps to is assigned.
///
/// The group moves a lease only after its holder has stopped the worker (``revoking(_:lost:)`` waits for that),
/// so two instances never run it at once — unless the holder stops answering without leaving: then, after the
/// consumer's session timeout, the group gives the lease to another instance, as it does when an instance is
/// killed. A worker that was cut off mid-window leaves what a crash leaves (docs/reliability.md).
final class WorkLeases: KafkaRebalanceListener {
    private let consumer: Mutex<KafkaConsumer?> = Mutex(nil)
    /// How many partitions the topic has: every instance maps ids to the same ones.
    let partitionCount: Int
    private let logger: Logger
    /// How long a revocation waits for the workers of the lease to stop.
    let stopTimeout: Duration

    private struct State {
        var held: Set<Int32> = []
        /// The running workers of each lease, by a token.
        var running: [Int32: [Int: Task<Void, any Error>]] = [:]
        var nextToken = 0
    }

    private let state = Mutex(State())

    private init(partitionCount: Int, stopTimeout: Duration, logger: Logger) {
        self.partitionCount = max(1, partitionCount)
        self.stopTimeout = stopTimeout
        self.logger = logger
    }

    /// Joins the lease group; leases arrive with the group's first assignment. Throws when the lease topic cannot be
    /// described: instances that counted its partitions differently would map work to different leases.
    static func join(bus: Bus, stopTimeout: Duration = .seconds(30)) async throws -> WorkLeases {
        let count: Int
        do {
            count = try await bus.admin.describeTopic(BusTopics.leases).partitions.count
        } catch {
            throw WorkLeasesError(reason: "it cannot be described (\(error)); create it with `renkei topics apply`")
        }
        guard count > 0 else {
            throw WorkLeasesError(reason: "it has no partitions; create it with `renkei topics apply`")
        }
        let leases = WorkLeases(partitionCount: count, stopTimeout: stopTimeout, logger: bus.logger)
        var configuration = bus.configuration.kafka
        configuration.producer.transactionalID = nil
        configuration.consumer.groupID = ConsumerGroups.leases
        // librdkafka's default (eager) assignment: every rebalance stops and restarts the leased workers, which is
        // safe (each stops before its lease moves). Its incremental `cooperative-sticky` would move only what must
        // move, but librdkafka 2.0.2 aborted in it when a killed member's successor left the group (ServeKillFaultSuite).
        let consumer = try KafkaConsumer.make(configuration: configuration, logger: bus.logger, listener: leases)
        try consumer.subscribe(topics: [BusTopics.leases])
        leases.consumer.withLock { $0 = consumer }
        return leases
    }

    /// Leaves the group: another instance takes every lease at once.
    func leave() async {
        // Let go of the consumer too: it holds this listener, so keeping it would keep both (and its client).
        guard let consumer = consumer.withLock({ $0.take() }) else { return }
        await consumer.shutdown()
    }

    /// The lease of `id`: a stable hash of it, the same at every instance.
    func partition(for id: DeliveryWorkerID) -> Int32 {
        // FNV-1a: Swift's own hash is seeded per process.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.description.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int32(hash % UInt64(partitionCount))
    }

    /// Whether this instance holds the lease of `id` now.
    func holds(_ id: DeliveryWorkerID) -> Bool { state.withLock { $0.held.contains(partition(for: id)) } }

    /// Runs the worker `id` whenever this instance holds its lease, until cancelled: waits for the lease, starts the
    /// worker with `start` (again after a pause when that fails), runs it until the lease is revoked (the worker's
    /// task is cancelled), and waits again.
    func run(_ id: DeliveryWorkerID, start: @escaping @Sendable () async throws -> any DeliveryWorker) async throws {
        let lease = partition(for: id)
        while true {
            while !state.withLock({ $0.held.contains(lease) }) { try await Task.sleep(for: .milliseconds(200)) }
            let task = Task {
                let worker: any DeliveryWorker
                do {
                    worker = try await start()
                } catch let error as CancellationError {
                    throw error
                } catch {
                    self.logger.error(
                        "leased worker not started; trying again",
                        metadata: ["renkei.worker": "\(id)", "renkei.error": "\(error)"])
                    try await Task.sleep(for: .seconds(30))
                    return
                }
                try await worker.run()
            }
            let token = state.withLock { state -> Int? in
                // Revoked between the check and now: do not start.
                guard state.held.contains(lease) else { return nil }
                state.nextToken += 1
                state.running[lease, default: [:]][state.nextToken] = task
                return state.nextToken
            }
            guard let token else {
                task.cancel()
                _ = await task.result
                continue
            }
            logger.info("lease taken: running", metadata: ["renkei.worker": "\(id)", "renkei.lease": "\(lease)"])
            let result = await withTaskCancellationHandler {
                await task.result
            } onCancel: {
                task.cancel()
            }
            let stillHeld = state.withLock { state -> Bool in
                state.running[lease]?[token] = nil
                return state.held.contains(lease)
            }
            try Task.checkCancellation()
            if case .failure(let error) = result, stillHeld, !(error is CancellationError) { throw error }
            logger.info("lease given up", metadata: ["renkei.worker": "\(id)", "renkei.lease": "\(lease)"])
        }
    }

    func assigned(_ partitions: Set<KafkaTopicPartition>) {
        state.withLock { state in
            for partition in partitions where partition.topic == BusTopics.leases {
                state.held.insert(partition.partition)
            }
        }
    }

    func revoking(_ partitions: Set<KafkaTopicPartition>, lost: Bool) {
        let leases = Set(partitions.filter { $0.topic == BusTopics.leases }.map(\.partition))
        let tasks = state.withLock { state -> [Task<Void, any Error>] in
            state.held.subtract(leases)
            return leases.flatMap { (state.running[$0] ?? [:]).values }
        }
        for task in tasks { task.cancel() }
        // The group hands the leases on when this returns: wait until their workers have stopped.
        let deadline = ContinuousClock.now + stopTimeout
        while ContinuousClock.now < deadline,
            state.withLock({ state in leases.contains { !(state.running[$0] ?? [:]).isEmpty } })
        {
            usleep(10_000)
        }
        if state.withLock({ state in leases.contains { !(state.running[$0] ?? [:]).isEmpty } }) {
            logger.warning(
                "lease given up while its worker is still stopping", metadata: ["renkei.leases": "\(leases.sorted())"])
        }
    }
}

/// The lease topic cannot be used: file deliveries and inboxes cannot be shared out, so none runs.
struct WorkLeasesError: Error, Sendable, CustomStringConvertible {
    var reason: String
    var description: String { "the lease topic \(BusTopics.leases) cannot be used: \(reason)" }
}
