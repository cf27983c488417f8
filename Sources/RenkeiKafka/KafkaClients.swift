/// The librdkafka clients (producers, consumers, admin clients) of this process: each has its own threads and broker
/// connections, so their number must not grow with requests.
public enum KafkaClients {
    /// How many are open: created and not yet destroyed. The embedded cluster's own host client is not counted.
    public static var openCount: Int { KafkaClientHandle.openCount.load(ordering: .relaxed) }
}
