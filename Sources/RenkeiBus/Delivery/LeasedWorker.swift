/// A worker that runs only while this instance holds its lease (``WorkLeases``): once in the cluster.
struct LeasedWorker: DeliveryWorker {
    let worker: any DeliveryWorker
    let leases: WorkLeases

    var id: DeliveryWorkerID { worker.id }

    func run() async throws { try await leases.run(worker) }

    /// The worker's lag where it runs; other instances do not say.
    func lag() async -> Int? { leases.holds(id) ? await worker.lag() : nil }
}
