import ArgumentParser
import RenkeiBus
import RenkeiContracts

struct DeadLetterShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one dead letter: its envelope, error context and, with --values, its record.",
        discussion: """
            REFERENCE is `topic/partition/offset` as `renkei dlq list` prints it. With --values the record is \
            printed with its personal items and 個人番号 masked (***), and the read is written to the history \
            under --operator. --unmask shows them, only for an operator the contracts declare in the mynumber zone.
            """)

    @OptionGroup var brokers: BrokerOptions
    @OptionGroup var contracts: ContractsOptions
    @OptionGroup var dataDirectory: DataDirectoryOptions
    @Argument(help: ArgumentHelp("The dead letter, topic/partition/offset.", valueName: "reference"))
    var reference: String
    @Flag(help: "Also print the record's values, personal items masked (written to the history).")
    var values = false
    @Option(
        name: .customLong("operator"), help: ArgumentHelp("Your operator client id (with --values).", valueName: "id"))
    var operatorID: String?
    @Flag(help: "Show personal items and 個人番号 unmasked (operators of the mynumber zone only).")
    var unmask = false
    @Option(help: "The bus instance name a read is recorded under.") var instance = "cli"

    func run() async throws {
        guard let reference = DeadLetterReference(parsing: reference) else {
            throw ValidationError(
                "`\(self.reference)` is not a dead-letter reference such as renkei.dlq.resident-change/0/12.")
        }
        guard values else {
            if unmask || operatorID != nil { throw ValidationError("--operator and --unmask go with --values.") }
            let reader = try DeadLetterReader(configuration: try brokers.configuration(), logger: commandLogger())
            guard let letter = try await reader.show(reference) else {
                throw usageFailure("There is no dead letter at \(reference).")
            }
            print(OperatorRendering.detail(letter, value: nil))
            return
        }
        let contracts = try self.contracts.load()
        let access = try access(in: contracts)
        var configuration = BusConfiguration(kafka: try brokers.configuration(), instance: instance)
        configuration.createsTopics = false
        configuration.dataDirectory = dataDirectory.path
        configuration.topics = try brokers.topics.settings(embedded: false)
        let bus = try await Bus.start(contracts: contracts, configuration: configuration, logger: commandLogger())
        do {
            guard let letter = try await DeadLetterReader(bus: bus).show(reference) else {
                throw usageFailure("There is no dead letter at \(reference).")
            }
            try await bus.recordDeadLetterRead(letter, operatorID: operatorID ?? "", access: access)
            let value = DeadLetterMasking.value(of: letter, access: access, contracts: contracts)
            print(OperatorRendering.detail(letter, value: (value, access)))
        } catch {
            await bus.shutdown()
            throw error
        }
        await bus.shutdown()
    }

    /// Who reads, and how much they may see: the operator must be in the contracts; unmasked only in the mynumber
    /// zone.
    private func access(in contracts: ContractSet) throws -> DeadLetterAccess {
        guard let operatorID else {
            throw ValidationError("--values needs --operator ID: every read of a record is written to the history.")
        }
        guard let declared = contracts.operator(clientID: operatorID) else {
            throw usageFailure("`\(operatorID)` is no operator of the contracts (systems.yaml, `operators:`).")
        }
        guard unmask else { return .masked }
        guard declared.zone == .mynumber else {
            throw usageFailure(
                "Operator `\(operatorID)` is not in the mynumber zone; personal items and 個人番号 stay masked.")
        }
        return .unmasked
    }
}
