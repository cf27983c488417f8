import Synchronization

/// A worker that runs only while this instance holds its lease (``WorkLeases``): once in the cluster. It is started
/// when the lease is taken, by `start`, and stopped when the lease moves on.
final class LeasedWorker: DeliveryWorker {
    let id: DeliveryWorkerID
    private let start: @Sendable () async throws -> any DeliveryWorker
    private let leases: WorkLeases
    /// The worker while the lease is held here.
    private let current = Mutex<(any DeliveryWorker)?>(nil)

    init(id: DeliveryWorkerID, start: @escaping @Sendable () async throws -> any DeliveryWorker, leases: WorkLeases) {
        self.id = id
        self.start = start
        self.leases = leases
    }

    func run() async throws {
        try await leases.run(id) {
            let worker = try await self.start()
            self.current.withLock { $0 = worker }
            return worker
        }
    }

    /// The worker's lag where it runs; other instances do not say.
    func lag() async -> Int? {
        guard leases.holds(id), let worker = current.withLock({ $0 }) else { return nil }
        return await worker.lag()
    }
}
