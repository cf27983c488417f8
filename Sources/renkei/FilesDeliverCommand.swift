import ArgumentParser
import Foundation
import RenkeiBus

struct FilesDeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Write a file receiver's file for the window that ends now.",
        discussion: """
            A differential receiver gets what it has not yet had in a file; a full receiver gets the current record \
            of every key. The data file appears whole, then its manifest. Prints the file, its record count and \
            SHA-256. Exit 1 when the storage kept failing (a dead letter and a history entry say so).
            """)

    @OptionGroup var brokers: BrokerOptions
    @OptionGroup var contracts: ContractsOptions
    @OptionGroup var dataDirectory: DataDirectoryOptions
    @Argument(help: "The linkage.") var linkage: String
    @Argument(help: "The receiving system (delivery: file).") var receiver: String
    @Option(help: "The bus instance name the delivery is recorded under.") var instance = "cli"

    func run() async throws {
        let bus = try await startCommandBus(
            brokers: brokers, contracts: contracts, dataDirectory: dataDirectory, instance: instance)
        do {
            let manifest = try await bus.deliverFile(linkage: linkage, receiver: receiver)
            await bus.shutdown()
            guard let manifest else { return print("nothing to write") }
            let location = bus.contracts.system(receiver)?.endpoints.storage ?? ""
            print("\(location)/\(manifest.file)")
            print("  \(manifest.records) records, \(manifest.bytes) bytes, sha256 \(manifest.sha256)")
        } catch {
            await bus.shutdown()
            throw usageFailure("\(error)")
        }
    }
}

/// A bus for one command: the given cluster, no topic creation, the data directory's history index.
func startCommandBus(
    brokers: BrokerOptions, contracts: ContractsOptions, dataDirectory: DataDirectoryOptions, instance: String
) async throws -> Bus {
    var configuration = BusConfiguration(kafka: try brokers.configuration(), instance: instance)
    configuration.createsTopics = false
    configuration.dataDirectory = dataDirectory.path
    configuration.topics = try brokers.topics.settings(embedded: false)
    return try await Bus.start(contracts: try contracts.load(), configuration: configuration, logger: commandLogger())
}
