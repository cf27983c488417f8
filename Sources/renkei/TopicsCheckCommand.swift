import ArgumentParser
import RenkeiBus
import RenkeiKafka

struct TopicsCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compare the cluster's topics with the plan; exit 1 naming each topic, setting, value found and "
            + "value required.",
        discussion: """
            Exit 0 when every planned topic exists with at least the planned partitions and replication and \
            exactly the planned cleanup.policy, retention.ms and min.insync.replicas. On the embedded cluster, \
            which ignores topic configs, it says so and exits 0 without checking.
            """)

    @OptionGroup var brokers: BrokerOptions
    @OptionGroup var contracts: ContractsOptions
    @OptionGroup var instances: TopicInstanceOptions

    func run() async throws {
        let admin = try KafkaAdmin.make(configuration: try brokers.configuration(), logger: commandLogger())
        let kind = try await admin.clusterKind()
        let plan = try TopicPlan(
            contracts: try contracts.load(), instances: instances.names,
            settings: try brokers.topics.settings(embedded: kind.isEmbedded))
        guard !kind.isEmbedded else { return print("not checked: " + TopicPlan.embeddedNote(kind)) }
        let findings = plan.check(try await plan.observe(admin: admin))
        print(TopicRendering.findings(findings, of: plan))
        if !findings.isEmpty { throw ExitCode(1) }
    }
}
