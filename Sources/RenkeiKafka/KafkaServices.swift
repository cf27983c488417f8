public import ServiceLifecycle

extension KafkaProducer: Service {
    /// Runs until graceful shutdown (or cancellation), then flushes within the configured deadline and stops.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}

extension KafkaConsumer: Service {
    /// Runs until graceful shutdown (or cancellation), then commits processed offsets, leaves the group and ends
    /// ``batches``. Read ``batches`` from another service or task of the same group.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}

extension EmbeddedKafka: Service {
    /// Runs until graceful shutdown (or cancellation), then stops the cluster. Put it first in the service group
    /// so it stops after the clients that use it.
    public func run() async throws {
        try? await gracefulShutdown()
        shutdown()
    }
}
