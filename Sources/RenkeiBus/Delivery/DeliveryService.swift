import Logging
import RenkeiContracts
public import ServiceLifecycle
import Synchronization

/// Every long-running delivery worker of this process, as one `Service`: from the bus's route table, a
/// ``PushWorker`` per push receiver with a webhook, a ``FileDelivery`` per file receiver with a storage location, an
/// ``InboxIngest`` per provider with an inbox, and a ``QueryEndpointWorker`` per query linkage whose provider
/// registered a query endpoint. `run()` starts them (each joins its consumer group), runs them in a task group and,
/// on graceful shutdown or cancellation, stops them: each leaves its group before `run()` returns.
///
/// Every instance runs one: push and query-endpoint workers share their topics' partitions through their consumer
/// groups, and file deliveries and inboxes — which must run once in the cluster — run only where this instance
/// holds their lease (``WorkLeases``).
///
/// HTTP calls go through the process's ``WebhookTransport``; what the workers do is told to the
/// ``DeliveryObserver`` (metrics).
public final class DeliveryService: Service, Sendable {
    private let bus: Bus
    private let transport: any WebhookTransport
    private let configuration: DeliveryConfiguration
    private let observer: (any DeliveryObserver)?
    /// The workers while `run()` runs (for ``lag()``).
    private let running = Mutex<[any DeliveryWorker]>([])

    public init(
        bus: Bus, transport: any WebhookTransport, configuration: DeliveryConfiguration = DeliveryConfiguration(),
        observer: (any DeliveryObserver)? = nil
    ) {
        self.bus = bus
        self.transport = transport
        self.configuration = configuration
        self.observer = observer
    }

    /// The workers the route table asks for, in a stable order (whether or not they run yet).
    public var plannedWorkers: [DeliveryWorkerID] { plan().map(\.id) }

    /// Runs every worker until graceful shutdown or cancellation. Throws when a worker cannot start or fails.
    public func run() async throws {
        let planned = plan()
        let started = try await startWorkers(planned.filter { !Self.isLeased($0.id) })
        let leased = planned.filter { Self.isLeased($0.id) }
        var leases: WorkLeases?
        if !leased.isEmpty {
            do {
                leases = try await WorkLeases.join(bus: bus)
            } catch {
                await Self.stop(started)
                throw error
            }
        }
        // Leased workers are started where their lease is held, not here: one that cannot start at this instance
        // (its storage unreachable from here) is tried again while the lease stays, and never blocks the others.
        let workers: [any DeliveryWorker] =
            started
            + leased.compactMap { planned in
                leases.map { LeasedWorker(id: planned.id, start: planned.start, leases: $0) }
            }
        running.withLock { $0 = workers }
        defer { running.withLock { $0 = [] } }
        bus.logger.info("delivery service started", metadata: ["renkei.workers": "\(workers.count)"])
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingDiscardingTaskGroup { group in
                    for worker in workers { group.addTask { try await worker.run() } }
                    // A service that returns ends its service group: with no worker to run, this one waits for
                    // shutdown.
                    group.addTask { try? await gracefulShutdown() }
                }
            }
        } catch is CancellationError {
            // Stopped (graceful shutdown cancels the workers): every worker has left its group.
        } catch {
            await leases?.leave()
            throw error
        }
        // Leaving hands the leases to other instances at once (the workers have stopped).
        await leases?.leave()
    }

    /// Whether the worker must run once in the cluster (under a lease) rather than on every instance.
    static func isLeased(_ id: DeliveryWorkerID) -> Bool { id.method == .file || id.method == .inbox }

    /// How far each running worker that can say is behind its topic: the file workers whose lease this instance
    /// holds. Push receivers are measured through their consumer groups instead (``ReceiverLagMonitor``), the same
    /// at every instance.
    public func lag() async -> [DeliveryLag] {
        var lags: [DeliveryLag] = []
        for worker in running.withLock({ $0 }) {
            guard let records = await worker.lag() else { continue }
            lags.append(DeliveryLag(worker: worker.id, records: records))
        }
        return lags
    }

    /// One planned worker: who it is and how to start it.
    private struct Planned {
        var id: DeliveryWorkerID
        var start: @Sendable () async throws -> any DeliveryWorker
    }

    /// The workers of the route table. A new kind of delivery adds its case here.
    private func plan() -> [Planned] {
        let (bus, transport, observer) = (self.bus, self.transport, self.observer)
        let contracts = bus.contracts
        let timeout = configuration.requestTimeout
        let signers = configuration.signers
        var planned: [Planned] = []
        for route in bus.routes.values.sorted(by: { $0.linkage.id < $1.linkage.id }) {
            for destination in route.destinations {
                switch destination.receiver.delivery {
                case .push:
                    guard let webhook = contracts.system(destination.receiver.system)?.endpoints.webhook else {
                        continue
                    }
                    planned.append(
                        Planned(
                            id: DeliveryWorkerID(
                                linkage: route.linkage.id, system: destination.receiver.system, method: .push),
                            start: {
                                try PushWorker.make(
                                    bus: bus, route: route, destination: destination, webhook: webhook,
                                    transport: transport, signers: signers, timeout: timeout, observer: observer)
                            }))
                case .file:
                    guard contracts.system(destination.receiver.system)?.endpoints.storage != nil else { continue }
                    let (linkage, receiver) = (route.linkage.id, destination.receiver.system)
                    planned.append(
                        Planned(
                            id: DeliveryWorkerID(linkage: linkage, system: receiver, method: .file),
                            start: {
                                guard let worker = try bus.fileDelivery(linkage: linkage, receiver: receiver) else {
                                    throw FileDeliveryError(
                                        linkage: linkage, receiver: receiver, file: "-", cause: "not a file receiver")
                                }
                                return worker
                            }))
                case .pull, .kafka:
                    continue
                }
            }
        }
        for system in contracts.systems where system.endpoints.inbox != nil {
            guard bus.routes.values.contains(where: { $0.linkage.provider == system.id }) else { continue }
            planned.append(
                Planned(
                    id: DeliveryWorkerID(linkage: "*", system: system.id, method: .inbox),
                    start: {
                        guard let worker = try bus.inbox(of: system.id) else {
                            throw InboxError(file: "-", reason: "the system provides no linkage")
                        }
                        return worker
                    }))
        }
        for linkage in contracts.linkages where linkage.mode == .query {
            guard let endpoint = contracts.system(linkage.provider)?.endpoints.query else { continue }
            planned.append(
                Planned(
                    id: DeliveryWorkerID(linkage: linkage.id, system: linkage.provider, method: .queryEndpoint),
                    start: {
                        try await QueryEndpointWorker.make(
                            bus: bus, linkage: linkage, endpoint: endpoint, transport: transport, signers: signers,
                            timeout: timeout)
                    }))
        }
        return planned
    }

    /// Starts the planned workers. A push, file or inbox worker that cannot start is logged and left out (its
    /// records wait on the topic, its files in the inbox); a query endpoint that cannot start stops the workers
    /// already started (they leave their groups) and is thrown.
    private func startWorkers(_ plan: [Planned]) async throws -> [any DeliveryWorker] {
        var workers: [any DeliveryWorker] = []
        for planned in plan {
            do {
                workers.append(try await planned.start())
            } catch {
                bus.logger.error(
                    "delivery worker not started",
                    metadata: [
                        "renkei.linkage": "\(planned.id.linkage)", "renkei.system": "\(planned.id.system)",
                        "renkei.method": "\(planned.id.method.rawValue)", "renkei.error": "\(error)",
                    ])
                // A receiver's webhook or storage that cannot be used holds back only that receiver; its records wait
                // on its topic.
                if planned.id.method != .queryEndpoint { continue }
                await Self.stop(workers)
                throw error
            }
        }
        return workers
    }

    /// Runs `workers` in a cancelled task group: each leaves its group and returns at once.
    private static func stop(_ workers: [any DeliveryWorker]) async {
        await withDiscardingTaskGroup { group in
            group.cancelAll()
            for worker in workers { group.addTask { try? await worker.run() } }
        }
    }
}
