import ArgumentParser
import RenkeiBus

struct HistoryReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Everything the history says about one resident, to hand over: who got which items, when, why.",
        discussion: """
            Lists, oldest first, every provide, delivery, query, replay, refusal and dead letter about the \
            resident with record key --key: systems by name, purposes, the items each receiver got, times and \
            outcomes — never a value. Bulk transfers and large provides are included through their key lists. \
            Names come from the contracts in --contracts; items of layouts the contracts no longer hold are \
            given by key.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, csv
    }

    @OptionGroup var brokers: BrokerOptions
    @OptionGroup var dataDirectory: DataDirectoryOptions
    @OptionGroup var contractsOptions: ContractsOptions
    @Option(help: "The resident's record key (宛名番号).") var key: String
    @Option(help: "text for people, json for tools, csv for spreadsheets.") var format: Format = .text

    func validate() throws {
        if key.isEmpty { throw ValidationError("--key is the resident's record key (宛名番号).") }
    }

    func run() async throws {
        let contracts = try contractsOptions.load()
        let indexer = try await syncedHistoryIndexer(brokers: brokers, dataDirectory: dataDirectory)
        let report = try await ResidentReport.make(key: key, indexer: indexer, contracts: contracts)
        switch format {
        case .text: print(ResidentReportRendering.text(report))
        case .json: print(ResidentReportRendering.json(report))
        case .csv: print(report.csv, terminator: "")
        }
    }
}
