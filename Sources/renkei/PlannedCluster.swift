import RenkeiBus
import RenkeiKafka

/// The cluster a `topics apply|check` command talks to, what kind it is, and the topic plan for it (replication
/// defaults depend on the kind): one place for what both commands need first.
struct PlannedCluster {
    let admin: KafkaAdmin
    let kind: KafkaClusterKind
    let plan: TopicPlan

    static func connect(
        _ brokers: BrokerOptions, _ contracts: ContractsOptions, _ instances: TopicInstanceOptions
    ) async throws -> PlannedCluster {
        let admin = try KafkaAdmin.make(configuration: try brokers.configuration(), logger: commandLogger())
        let kind = try await admin.clusterKind()
        let plan = try TopicPlan(
            contracts: try contracts.load(), instances: instances.names,
            settings: try brokers.topics.settings(embedded: kind.isEmbedded))
        return PlannedCluster(admin: admin, kind: kind, plan: plan)
    }
}
