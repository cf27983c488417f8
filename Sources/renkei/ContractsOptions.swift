import ArgumentParser
import RenkeiContracts

/// `--contracts DIR`, shared by every command that reads the contracts.
struct ContractsOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The contract folder.", valueName: "dir"))
    var contracts: String = "contracts"

    /// The loaded contracts; on any error prints every diagnostic to stderr and exits with 2 (unusable input).
    func load() throws -> ContractSet {
        do {
            return try ContractLoader.load(directory: contracts)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }
}

/// Output formats for commands that serve people and machines.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
