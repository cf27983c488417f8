import ArgumentParser
import Foundation
import RenkeiBus

struct DeadLetterListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List dead letters, oldest first, with their reason codes (never their values).")

    @OptionGroup var brokers: BrokerOptions
    @Option(help: "Only this linkage.") var linkage: String?
    @Option(help: "Only dead letters of this receiving system.") var receiver: String?
    @Option(help: "Only dead letters with this reason code (e.g. unknown-code, webhook-gave-up).") var reason: String?
    @Option(help: ArgumentHelp("Only since this time (RFC 3339).", valueName: "time")) var since: String?
    @Option(help: ArgumentHelp("Only until this time (RFC 3339).", valueName: "time")) var until: String?
    @Option(help: "Output format: text for people, json for tools.") var format: OutputFormat = .text

    func run() async throws {
        let filter = DeadLetterFilter(
            linkage: linkage, receiver: receiver, reason: reason, since: try parseTime(since, "--since"),
            until: try parseTime(until, "--until"))
        let letters = try await DeadLetterReader(configuration: try brokers.configuration(), logger: commandLogger())
            .list(filter)
        print(format == .json ? OperatorRendering.json(letters) : OperatorRendering.table(letters))
    }
}

/// Parses an RFC 3339 time given on the command line.
func parseTime(_ text: String?, _ option: String) throws -> Date? {
    guard let text else { return nil }
    guard let date = Timestamp.parse(text) else {
        throw ValidationError("\(option) takes an RFC 3339 time such as 2026-11-27T09:00:00Z, not `\(text)`.")
    }
    return date
}
