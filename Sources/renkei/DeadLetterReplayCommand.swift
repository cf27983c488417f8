import ArgumentParser
import RenkeiBus

struct DeadLetterReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a dead letter to its receivers, validated again against the current contracts.",
        discussion: """
            Without --execute this is a dry run: it says what would happen and writes nothing. The record keeps \
            its event id, so receivers can de-duplicate. A letter already replayed is refused unless --force. \
            Every replay is written to the history.
            """)

    @OptionGroup var brokers: BrokerOptions
    @OptionGroup var contracts: ContractsOptions
    @OptionGroup var dataDirectory: DataDirectoryOptions
    @Argument(help: ArgumentHelp("The dead letter, topic/partition/offset.", valueName: "reference"))
    var reference: String
    @Flag(help: "Really replay (the default is a dry run).") var execute = false
    @Flag(help: "Replay even if the letter was replayed before.") var force = false
    @Option(help: "The bus instance name this replay is recorded under.") var instance = "cli"

    func run() async throws {
        guard let reference = DeadLetterReference(parsing: reference) else {
            throw ValidationError(
                "`\(self.reference)` is not a dead-letter reference such as renkei.dlq.resident-change/0/12.")
        }
        var configuration = BusConfiguration(kafka: try brokers.configuration(), instance: instance)
        configuration.createsTopics = false
        configuration.dataDirectory = dataDirectory.path
        configuration.topics = try brokers.topics.settings(embedded: false)
        let bus = try await Bus.start(
            contracts: try contracts.load(), configuration: configuration, logger: commandLogger())
        let outcome: ReplayOutcome
        do {
            outcome = try await bus.replay(reference, dryRun: !execute, force: force)
        } catch {
            await bus.shutdown()
            throw usageFailure("\(error)")
        }
        await bus.shutdown()
        print(OperatorRendering.replay(outcome))
        if case .delivered = outcome.result { return }
        throw ExitCode(1)
    }
}
