import ArgumentParser
import RenkeiBus

struct HistoryVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every hash chain of the history; exit 1 if any entry was changed, removed or reordered.",
        discussion: """
            The history is read a page at a time. --write-checkpoint saves where an intact history ended; \
            --from-checkpoint starts there the next time, reading only the newest entries and checking that the \
            ones the checkpoint recorded are still there: a history truncated since then fails. Keep checkpoint \
            files where the Kafka operators cannot rewrite them.
            """)

    @OptionGroup var brokers: BrokerOptions
    @Option(help: "The history topic (a forensic copy, say).") var topic = BusTopics.history
    @Option(
        help: ArgumentHelp(
            "Verify from this checkpoint (written by --write-checkpoint) instead of from the beginning.",
            valueName: "file"))
    var fromCheckpoint: String?
    @Option(
        help: ArgumentHelp(
            "When the history is intact, write where it ended to this file (JSON), for --from-checkpoint.",
            valueName: "file"))
    var writeCheckpoint: String?
    @Flag(help: "Print progress on standard error even when it is not a terminal.") var progress = false

    func run() async throws {
        let checkpoint = try fromCheckpoint.map(CheckpointFile.read)
        if let writeCheckpoint { try CheckpointFile.checkWritable(writeCheckpoint) }
        let reader = try HistoryReader(
            configuration: try brokers.configuration(), logger: commandLogger(), topic: topic)
        let report = try await reader.verify(
            from: checkpoint, progress: VerifyProgressPrinter.callback(asked: progress))
        print(OperatorRendering.verification(report))
        if let writeCheckpoint {
            if let next = report.checkpoint {
                try CheckpointFile.write(next, to: writeCheckpoint)
            } else {
                printError("The checkpoint was not written: the history is not intact.")
            }
        }
        if !report.isIntact { throw ExitCode(1) }
    }
}
