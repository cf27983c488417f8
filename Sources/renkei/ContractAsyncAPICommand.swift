import ArgumentParser
import Foundation
import RenkeiBus
import RenkeiContracts

struct ContractAsyncAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asyncapi",
        abstract: "Print the AsyncAPI 3.0 document of one system: what it sends and receives, and how.",
        discussion: """
            Channels are the system's topics (from the topic plan, with its partitions, replication and retention), \
            payloads hold exactly the items the contracts give the system, and operations that go through the \
            gateway name its route and scope (x-renkei-rest). The topic flags are those of `renkei topics plan`.
            """
    )

    @OptionGroup var contracts: ContractsOptions
    @OptionGroup var topics: TopicOptions

    @Option(help: ArgumentHelp("The system (業務ID or 独自施策システム等ID).", valueName: "id"))
    var system: String

    @Option(help: ArgumentHelp("Write the document to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: "json or yaml.") var format: AsyncAPIFormat = .json

    @Option(help: ArgumentHelp("The Kafka bootstrap server named in `servers`.", valueName: "host:port"))
    var kafka: String = AsyncAPIDocument.Servers.placeholder.kafka

    @Option(help: ArgumentHelp("The gateway's base URL named in `servers`.", valueName: "url"))
    var gateway: String = AsyncAPIDocument.Servers.placeholder.gateway

    func run() async throws {
        let document: JSONValue
        do {
            document = try AsyncAPIDocument.make(
                contracts: try contracts.load(), system: system, settings: try topics.settings(embedded: false),
                servers: AsyncAPIDocument.Servers(kafka: kafka, gateway: gateway))
        } catch let error as AsyncAPIError {
            throw usageFailure(error.message)
        }
        let text = format == .yaml ? YAMLText.render(document) : document.serialized(pretty: true) + "\n"
        guard let output else {
            print(text, terminator: "")
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        } catch {
            printError("error: cannot write \(output): \(error.localizedDescription)")
            throw ExitCode(1)
        }
    }
}

/// The output formats of `renkei contract asyncapi`.
enum AsyncAPIFormat: String, ExpressibleByArgument, CaseIterable {
    case json
    case yaml
}
