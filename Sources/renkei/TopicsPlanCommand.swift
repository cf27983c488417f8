import ArgumentParser
import RenkeiBus

struct TopicsPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print every topic of the contracts with its partitions, replication, min ISR and configs.",
        discussion: "Needs no cluster. Replication and min ISR default to a real cluster's 3 and 2.")

    @OptionGroup var contracts: ContractsOptions
    @OptionGroup var topics: TopicOptions
    @OptionGroup var instances: TopicInstanceOptions
    @Option(help: "Output format: text for people, json for tools.") var format: OutputFormat = .text

    func run() async throws {
        let plan = try TopicPlan(
            contracts: try contracts.load(), instances: instances.names,
            settings: try topics.settings(embedded: false))
        print(format == .json ? TopicRendering.json(plan) : TopicRendering.table(plan))
    }
}
