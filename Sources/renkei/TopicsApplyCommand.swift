import ArgumentParser
import RenkeiBus
import RenkeiKafka

struct TopicsApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create the planned topics the cluster lacks, with their configs; report those that exist.",
        discussion: "Existing topics are not changed: `renkei topics check` says how they differ from the plan.")

    @OptionGroup var brokers: BrokerOptions
    @OptionGroup var contracts: ContractsOptions
    @OptionGroup var instances: TopicInstanceOptions

    func run() async throws {
        let admin = try KafkaAdmin.make(configuration: try brokers.configuration(), logger: commandLogger())
        let kind = try await admin.clusterKind()
        let plan = try TopicPlan(
            contracts: try contracts.load(), instances: instances.names,
            settings: try brokers.topics.settings(embedded: kind.isEmbedded))
        print(TopicRendering.applied(try await plan.apply(admin: admin, kind: kind)))
    }
}
