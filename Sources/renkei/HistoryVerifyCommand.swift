import ArgumentParser
import RenkeiBus

struct HistoryVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every hash chain of the history; exit 1 if any entry was changed, removed or reordered.")

    @OptionGroup var brokers: BrokerOptions
    @Option(help: "The history topic (a forensic copy, say).") var topic = BusTopics.history

    func run() async throws {
        let reader = try HistoryReader(
            configuration: try brokers.configuration(), logger: commandLogger(), topic: topic)
        let report = try await reader.verify()
        print(OperatorRendering.verification(report))
        if !report.isIntact { throw ExitCode(1) }
    }
}
