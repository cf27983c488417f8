import ArgumentParser
import RenkeiBus

struct TopicsApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create the planned topics the cluster lacks, with their configs; report those that exist.",
        discussion: "Existing topics are not changed: `renkei topics check` says how they differ from the plan.")

    @OptionGroup var brokers: BrokerOptions
    @OptionGroup var contracts: ContractsOptions
    @OptionGroup var instances: TopicInstanceOptions

    func run() async throws {
        let cluster = try await PlannedCluster.connect(brokers, contracts, instances)
        print(TopicRendering.applied(try await cluster.plan.apply(admin: cluster.admin, kind: cluster.kind)))
    }
}
