import ArgumentParser

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Ask the tamper-evident history who provided and received what, and check its hash chains.",
        subcommands: [HistoryQueryCommand.self, HistoryReportCommand.self, HistoryVerifyCommand.self]
    )
}
