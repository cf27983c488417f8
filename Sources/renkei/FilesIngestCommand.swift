import ArgumentParser
import RenkeiBus

struct FilesIngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest the CSV files waiting in a provider's inbox.",
        discussion: """
            Each `<inbox>/<linkage>/<name>.csv` becomes a bulk transfer of that linkage, then moves to \
            `<linkage>/done/` (or `failed/`) with `<name>.result.json` beside it: counts, and for refused rows their \
            row, line, item and reason, never a value. A file ingested before (same name and SHA-256) is moved to \
            done/ without being delivered again. Exit 1 when any file was refused.
            """)

    @OptionGroup var brokers: BrokerOptions
    @OptionGroup var contracts: ContractsOptions
    @OptionGroup var dataDirectory: DataDirectoryOptions
    @Argument(help: "The providing system whose inbox to read.") var system: String
    @Option(help: "The bus instance name the transfers are recorded under.") var instance = "cli"

    func run() async throws {
        let bus = try await startCommandBus(
            brokers: brokers, contracts: contracts, dataDirectory: dataDirectory, instance: instance)
        let results: [InboxResult]
        do {
            results = try await bus.ingestInbox(of: system)
        } catch {
            await bus.shutdown()
            throw usageFailure("\(error)")
        }
        await bus.shutdown()
        if results.isEmpty { print("no file waiting") }
        for result in results {
            print(
                "\(result.file): \(result.outcome), \(result.accepted) of \(result.records) records, transfer \(result.transfer)"
            )
            if let message = result.message { print("  \(message)") }
            for error in result.errors.prefix(20) {
                print("  row \(error.row) (line \(error.line))\(error.item.map { " \($0)" } ?? ""): \(error.reason)")
            }
        }
        if results.contains(where: { $0.outcome == "refused" }) { throw ExitCode(1) }
    }
}
