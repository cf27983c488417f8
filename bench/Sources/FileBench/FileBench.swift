import Foundation
import Logging
import RenkeiBus
import RenkeiContracts
import RenkeiKafka
import RenkeiStorage

/// File linkage (issue 12) at 1,000,000 residents, on the embedded cluster (in a child process): the first window
/// after a bulk transfer (which writes the full receivers' state), full daily files from that state for three
/// receivers to a folder and to S3 (moto on loopback), differential files, and the inbox ingest of a CSV file.
/// Options: see bench/README.md ("File linkage").
@main
struct FileBench {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "serve", arguments.count >= 3 {
            try ClusterProcess.serve(contracts: arguments[1], bulkPartitions: Int(arguments[2]) ?? 128)
        }
        let options = try Options(arguments)
        say(
            "nproc: \(ProcessInfo.processInfo.activeProcessorCount); load: "
                + ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ")
                .prefix(3).joined(separator: " "))
        let files = FileManager.default
        try? files.removeItem(atPath: options.work)
        try files.createDirectory(atPath: options.work + "/input", withIntermediateDirectories: true)
        let contracts = try ContractLoader.load(directory: options.contracts)
        let layout = contracts.layout(contracts.linkage("resident-register-daily")!.layout)!
        let generated = ContinuousClock.now
        let input = options.work + "/input/residents.csv"
        let bytes = try Support.writeResidents(layout: layout, count: options.records, to: input)
        say(
            String(
                format: "input    %d residents, %.0f MB of CSV, generated in %.1f s (not counted); %@",
                options.records, Double(bytes) / 1e6, Support.seconds(since: generated), Support.memoryText()))

        let bench = FileScenarios(options: options, input: input)
        for storage in options.storages { try await bench.full(storage: storage) }
        if options.differential { try await bench.differential() }
        if options.inbox { try await bench.inbox() }
        if !options.keep { try? files.removeItem(atPath: options.work) }
        say("memory   end: \(Support.memoryText())")
    }
}

/// The benchmark's options.
struct Options {
    var records = 1_000_000
    var runs = 3
    var contracts = "../contracts"
    var storages: [String] = ["folder"]
    var s3Endpoint: String?
    var bucket = "renkei-bench"
    var bulkPartitions = 128
    var fetchWaitMilliseconds = 10
    var work = FileManager.default.temporaryDirectory.path + "/renkei-filebench-\(getpid())"
    var differential = true
    var inbox = true
    var keep = false
    var executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let option = rest.popFirst() {
            func value() throws -> String {
                guard let value = rest.popFirst() else { throw ClusterError(reason: "\(option) needs a value") }
                return value
            }
            switch option {
            case "--records": records = Int(try value()) ?? records
            case "--runs": runs = Int(try value()) ?? runs
            case "--contracts": contracts = try value()
            case "--storage": storages = try value().split(separator: ",").map(String.init)
            case "--s3-endpoint": s3Endpoint = try value()
            case "--bucket": bucket = try value()
            case "--bulk-partitions": bulkPartitions = Int(try value()) ?? bulkPartitions
            case "--fetch-wait-ms": fetchWaitMilliseconds = Int(try value()) ?? fetchWaitMilliseconds
            case "--work": work = try value()
            case "--no-differential": differential = false
            case "--no-inbox": inbox = false
            case "--keep": keep = true
            default: throw ClusterError(reason: "unknown option \(option)")
            }
        }
        if storages.contains("s3"), s3Endpoint == nil {
            throw ClusterError(reason: "--storage s3 needs --s3-endpoint http://127.0.0.1:PORT (moto_server)")
        }
    }
}
