import ArgumentParser
import RenkeiBus

struct DeadLetterShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one dead letter: its envelope, error context and, with --values, its record.",
        discussion: "REFERENCE is `topic/partition/offset` as `renkei dlq list` prints it.")

    @OptionGroup var brokers: BrokerOptions
    @Argument(help: ArgumentHelp("The dead letter, topic/partition/offset.", valueName: "reference"))
    var reference: String
    @Flag(help: "Also print the record's values (personal data: only for operators entitled to see them).")
    var values = false

    func run() async throws {
        guard let reference = DeadLetterReference(parsing: reference) else {
            throw ValidationError(
                "`\(self.reference)` is not a dead-letter reference such as renkei.dlq.resident-change/0/12.")
        }
        let reader = try DeadLetterReader(configuration: try brokers.configuration(), logger: commandLogger())
        guard let letter = try await reader.show(reference) else {
            throw usageFailure("There is no dead letter at \(reference).")
        }
        print(OperatorRendering.detail(letter, values: values))
    }
}
