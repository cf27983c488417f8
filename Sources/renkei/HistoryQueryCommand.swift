import ArgumentParser
import RenkeiBus

struct HistoryQueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "List history entries; --key answers \"who received what about resident R\".")

    @OptionGroup var brokers: BrokerOptions
    @Option(help: "Only this linkage.") var linkage: String?
    @Option(help: "Only entries where this system provided or received.") var system: String?
    @Option(help: "Only entries about this record key (宛名番号).") var key: String?
    @Option(help: "Only this kind: provide, delivery, refusal, dead-letter, replay, query.") var kind: String?
    @Option(help: ArgumentHelp("Only since this time (RFC 3339).", valueName: "time")) var since: String?
    @Option(help: ArgumentHelp("Only until this time (RFC 3339).", valueName: "time")) var until: String?
    @Option(help: "Output format: text for people, json for tools.") var format: OutputFormat = .text

    func validate() throws {
        if let kind, HistoryEntry.Kind(rawValue: kind) == nil {
            throw ValidationError(
                "--kind is one of " + HistoryEntry.Kind.allCases.map(\.rawValue).joined(separator: ", ") + ".")
        }
    }

    func run() async throws {
        let filter = HistoryFilter(
            linkage: linkage, system: system, key: key, kind: kind.flatMap(HistoryEntry.Kind.init),
            since: try parseTime(since, "--since"), until: try parseTime(until, "--until"))
        let entries = try await HistoryReader(configuration: try brokers.configuration(), logger: commandLogger())
            .query(filter)
        print(format == .json ? OperatorRendering.json(entries) : OperatorRendering.table(entries))
    }
}
