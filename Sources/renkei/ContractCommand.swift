import ArgumentParser

struct ContractCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contract",
        abstract: "Check and inspect the contracts: systems, layouts and linkages.",
        subcommands: [
            ContractLintCommand.self, ContractShowCommand.self, ContractSchemaCommand.self, ContractDiffCommand.self,
            ContractWhatIfCommand.self, ContractAsyncAPICommand.self,
        ]
    )
}
