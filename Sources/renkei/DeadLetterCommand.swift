import ArgumentParser

struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Inspect and replay dead letters: records quarantined at ingest or given up at delivery.",
        subcommands: [DeadLetterListCommand.self, DeadLetterShowCommand.self, DeadLetterReplayCommand.self]
    )
}
