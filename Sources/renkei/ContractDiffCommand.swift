import ArgumentParser
import RenkeiContracts

/// `renkei contract diff OLD NEW`: what a contract change would change, entitlements first.
struct ContractDiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changes between two contract folders, entitlements first.",
        discussion: """
            Lists, per linkage and receiver, the items each system would newly get or no longer get (個人番号 and \
            personal items first), new and removed receivers and providers, operators and zone changes; then every \
            other change: triggers, schedules, delivery methods, layout versions with their item changes, code \
            tables, endpoints. Secrets are never shown. Exits with 0 when no entitlement grows, 3 when some system \
            or operator may get, send or read more than before (a review pipeline can stop on it), 2 when either \
            folder does not load.
            """
    )

    @Argument(help: ArgumentHelp("The contracts in force.", valueName: "old-dir"))
    var old: String

    @Argument(help: ArgumentHelp("The proposed contracts.", valueName: "new-dir"))
    var new: String

    @Option(help: "Output format: text for people, json for tools.")
    var format: OutputFormat = .text

    func run() async throws {
        let diff = ContractDiff(old: try Self.load(old), new: try Self.load(new))
        print(
            format == .json
                ? DiffRendering.json(diff, old: old, new: new).serialized(pretty: true)
                : DiffRendering.text(diff, old: old, new: new))
        if diff.entitlementsGrow { throw ExitCode(3) }
    }

    private static func load(_ directory: String) throws -> ContractSet {
        do {
            return try ContractLoader.load(directory: directory)
        } catch {
            printError(error.description)
            printError("contract diff: \(directory) does not load; fix it first (renkei contract lint \(directory))")
            throw ExitCode(2)
        }
    }
}
