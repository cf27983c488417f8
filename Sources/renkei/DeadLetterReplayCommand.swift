import ArgumentParser
import RenkeiBus

struct DeadLetterReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a dead letter to its receivers, validated again against the current contracts.",
        discussion: """
            Without --execute this is a dry run: it says what would happen and writes nothing. The record keeps \
            its event id, so receivers can de-duplicate. A letter already replayed is refused unless --force. \
            Every replay is written to the history under --operator (needed with --execute).
            """)

    @OptionGroup var brokers: BrokerOptions
    @OptionGroup var contracts: ContractsOptions
    @OptionGroup var dataDirectory: DataDirectoryOptions
    @Argument(help: ArgumentHelp("The dead letter, topic/partition/offset.", valueName: "reference"))
    var reference: String
    @Flag(help: "Really replay (the default is a dry run).") var execute = false
    @Flag(help: "Replay even if the letter was replayed before.") var force = false
    @Option(help: "The bus instance name this replay is recorded under.") var instance = "cli"
    @Option(
        name: .customLong("operator"),
        help: ArgumentHelp("Your operator client id, recorded with the replay (with --execute).", valueName: "id"))
    var operatorID: String?

    func run() async throws {
        guard let reference = DeadLetterReference(parsing: reference) else {
            throw ValidationError(
                "`\(self.reference)` is not a dead-letter reference such as renkei.dlq.resident-change/0/12.")
        }
        let contracts = try self.contracts.load()
        if execute {
            guard let operatorID else {
                throw ValidationError("--execute needs --operator ID: every replay is written to the history.")
            }
            guard contracts.operator(clientID: operatorID) != nil else {
                throw usageFailure("`\(operatorID)` is no operator of the contracts (systems.yaml, `operators:`).")
            }
        }
        var configuration = BusConfiguration(kafka: try brokers.configuration(), instance: instance)
        configuration.createsTopics = false
        configuration.dataDirectory = dataDirectory.path
        configuration.topics = try brokers.topics.settings(embedded: false)
        let bus = try await Bus.start(contracts: contracts, configuration: configuration, logger: commandLogger())
        let outcome: ReplayOutcome
        do {
            outcome = try await bus.replay(reference, dryRun: !execute, force: force, operatorID: operatorID)
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
