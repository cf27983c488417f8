import Foundation
import Logging
import RenkeiBus
import RenkeiContracts
import RenkeiKafka

/// The embedded Kafka cluster in a child process of its own (`FileBench serve`): the mock keeps every topic in
/// memory, and in this process it would count in the bus's RSS. The child creates the bus's topics with their
/// planned partitions (the mock answers no CreateTopics from another process, and its own 4-partition default
/// would drop data past a few MiB per partition), prints its address and lives until its stdin closes.
final class ClusterProcess {
    let bootstrapServers: String
    private let process: Process
    private let input: Pipe

    init(executable: String, contracts: String, bulkPartitions: Int) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", contracts, String(bulkPartitions)]
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line: [UInt8] = []
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            guard let first = byte.first else { throw ClusterError(reason: "the cluster process ended at start") }
            if first == 0x0A { break }
            line.append(first)
        }
        bootstrapServers = String(decoding: line, as: UTF8.self)
    }

    /// The child's peak RSS (VmHWM), in MiB.
    var peakMiB: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1) / 1024
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// `FileBench serve CONTRACTS BULK_PARTITIONS`.
    static func serve(contracts directory: String, bulkPartitions: Int) throws -> Never {
        var logger = Logger(label: "renkei.bench.cluster")
        logger.logLevel = .critical
        let contracts = try ContractLoader.load(directory: directory)
        var settings = TopicSettings.embedded
        settings.bulkPartitions = bulkPartitions
        let plan = try TopicPlan(contracts: contracts, instances: ["bench"], settings: settings)
        let cluster = try EmbeddedKafka.start(brokers: 1, logger: logger)
        for topic in plan.topics { try cluster.createTopic(topic.name, partitions: topic.partitions) }
        say(cluster.bootstrapServers)
        // Until the parent closes our stdin (or dies).
        while FileHandle.standardInput.availableData.count > 0 {}
        cluster.shutdown()
        exit(0)
    }
}

struct ClusterError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
