import ArgumentParser

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "A one-minute tour: an embedded broker, the sample contracts, residents provided and received.",
        discussion: """
            Starts an in-memory Kafka cluster inside this process, loads the contracts, provides generated \
            residents as single events and as one bulk transfer, shows which items each receiver actually got \
            (read back from Kafka), a refused provide, a quarantined row and its replay, and checks the history. \
            Nothing is kept after it ends.
            """)

    @OptionGroup var contracts: ContractsOptions

    @Option(help: "Residents in the bulk transfer.") var residents = 100_000

    func validate() throws {
        guard (1...2_000_000).contains(residents) else {
            throw ValidationError("--residents is between 1 and 2,000,000 (the embedded broker keeps data in memory).")
        }
    }

    func run() async throws {
        try await DemoTour(
            contracts: try contracts.load(), contractsDirectory: contracts.contracts, residents: residents
        )
        .run()
    }
}
