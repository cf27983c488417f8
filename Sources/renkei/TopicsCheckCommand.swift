import ArgumentParser
import RenkeiBus

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
        let cluster = try await PlannedCluster.connect(brokers, contracts, instances)
        guard !cluster.kind.isEmbedded else { return print("not checked: " + TopicPlan.embeddedNote(cluster.kind)) }
        let findings = cluster.plan.check(try await cluster.plan.observe(admin: cluster.admin))
        print(TopicRendering.findings(findings, of: cluster.plan))
        if !findings.isEmpty { throw ExitCode(1) }
    }
}
