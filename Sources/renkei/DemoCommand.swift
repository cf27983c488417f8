import ArgumentParser

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "A one-minute tour: an embedded broker, the sample contracts, residents provided and received.",
        discussion: """
            Starts an in-memory Kafka cluster inside this process, loads the contracts, provides generated \
            residents as single events and as one bulk transfer, shows which items each receiver actually got \
            (read back from Kafka), a refused provide, a quarantined row and its replay, and checks the history. \
            It ends with the operator console's URL: in a terminal (or with --console) the console stays open on \
            the demo's data until Ctrl-C; otherwise, or with --no-console, the demo ends there. Nothing is kept \
            after it ends.
            """)

    @OptionGroup var contracts: ContractsOptions

    @Option(help: "Residents in the bulk transfer.") var residents = 100_000

    @Flag(
        inversion: .prefixedNo,
        help: "Keep the operator console open at the end, until Ctrl-C (default: when run in a terminal).")
    var console: Bool?

    @Option(help: "The console's port (a free one when this one is taken).") var consolePort = 8080

    func validate() throws {
        guard (1...2_000_000).contains(residents) else {
            throw ValidationError("--residents is between 1 and 2,000,000 (the embedded broker keeps data in memory).")
        }
    }

    func run() async throws {
        try await DemoTour(
            contracts: try contracts.load(), contractsDirectory: contracts.contracts, residents: residents,
            console: (console ?? DemoConsole.interactive) ? DemoConsole(port: consolePort) : nil
        )
        .run()
    }
}
