import ArgumentParser
import RenkeiContracts

struct ContractShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a linkage: its provider, its receivers and exactly which items each one receives."
    )

    @OptionGroup var options: ContractsOptions

    @Argument(help: ArgumentHelp("The linkage id; without it, every linkage is listed.", valueName: "linkage"))
    var linkage: String?

    @Option(help: "Output format: text for people, json for tools.")
    var format: OutputFormat = .text

    func run() async throws {
        let contracts = try options.load()
        guard let id = linkage else {
            print(LinkageRendering.list(contracts))
            return
        }
        guard let linkage = contracts.linkage(id) else {
            throw usageFailure(
                "There is no linkage `\(id)`; known linkages: "
                    + contracts.linkages.map(\.id).joined(separator: ", ") + ".")
        }
        print(
            format == .json
                ? LinkageRendering.json(linkage, contracts).serialized(pretty: true)
                : LinkageRendering.text(linkage, contracts))
    }
}
