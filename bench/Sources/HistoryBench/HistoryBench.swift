import Foundation
import Logging
import RenkeiBus
import RenkeiContracts
import RenkeiKafka

/// The history index (issue 11) at scale: generates a synthetic history (10,000,000 entries by default, with bulk
/// transfers whose key lists hold 1,000,000 keys), indexes it into a file index page by page, times key lookups and
/// newest-first pages through ``HistoryIndex/page(_:)``, then times `Bus.start` on the embedded cluster with that
/// index and with a 10-entry one. Prints one line per figure and the process's memory after each phase.
@main
struct HistoryBench {
    struct Options {
        var shape = HistoryShape()
        var pageSize = 5000
        var lookups = 1000
        var pageQueries = 100
        var starts = 5
        var tail = 1000
        var contracts = "../contracts"
        var directory: String?
        var keep = false
        var busStart = true
        var split: Int?
        var rounds = 3

        static let usage = """
            usage: HistoryBench [--entries N] [--transfers N] [--transfer-keys N] [--residents N] [--chains N]
                [--seed N] [--page N] [--lookups N] [--page-queries N] [--starts N] [--tail N] [--contracts DIR]
                [--dir DIR] [--keep] [--no-start] [--split N [--rounds N]]
            """

        init(_ arguments: [String]) {
            var rest = arguments[...]
            func value(_ name: String) -> String {
                guard let next = rest.popFirst() else { fail("\(name) needs a value") }
                return next
            }
            func number(_ name: String) -> Int {
                guard let number = Int(value(name).replacingOccurrences(of: "_", with: "")) else {
                    fail("\(name) needs a number")
                }
                return number
            }
            while let argument = rest.popFirst() {
                switch argument {
                case "--entries": shape.entries = number(argument)
                case "--transfers": shape.transfers = number(argument)
                case "--transfer-keys": shape.transferKeys = number(argument)
                case "--residents": shape.residents = number(argument)
                case "--chains": shape.chains = number(argument)
                case "--seed": shape.seed = UInt64(number(argument))
                case "--page": pageSize = number(argument)
                case "--lookups": lookups = number(argument)
                case "--page-queries": pageQueries = number(argument)
                case "--starts": starts = number(argument)
                case "--tail": tail = number(argument)
                case "--contracts": contracts = value(argument)
                case "--dir": directory = value(argument)
                case "--keep": keep = true
                case "--no-start": busStart = false
                case "--split": split = number(argument)
                case "--rounds": rounds = number(argument)
                default: fail("unknown option \(argument)")
                }
            }
        }

        func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data("\(message)\n\(Self.usage)\n".utf8))
            exit(2)
        }
    }

    static func main() async throws {
        let options = Options(Array(CommandLine.arguments.dropFirst()))
        let shape = options.shape
        let contracts = try ContractLoader.load(directory: options.contracts)
        if let entries = options.split {
            var splitShape = shape
            (splitShape.entries, splitShape.transfers) = (entries, 0)
            try await IndexSplit.run(
                shape: splitShape, contracts: contracts, pageSize: options.pageSize, rounds: options.rounds)
            return
        }
        var logger = Logger(label: "renkei.bench.history")
        logger.logLevel = .error
        let directory =
            options.directory
            ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("renkei-history-bench-\(getpid())")
        try? FileManager.default.removeItem(atPath: directory)
        let started = ContinuousClock.now
        print(
            "history: \(shape.entries) entries, \(shape.transfers) transfers of \(shape.transferKeys) keys, "
                + "\(shape.residents) residents, \(shape.chains) chains, \(Int(shape.years)) years, seed \(shape.seed); "
                + "pages of \(options.pageSize); index in \(directory)")
        print(Measure.memoryLine("start"))

        // The index must name the cluster the bus will find, so the cluster comes first.
        let kafka = try EmbeddedKafka.start(brokers: 1, logger: logger)
        let cluster = try await clusterID(kafka, logger: logger)
        let index = try HistoryIndex.open(
            .directory(directory), topic: BusTopics.history, cluster: cluster, logger: logger)
        let build = try await IndexBuild.run(
            index: index, shape: shape, contracts: contracts, pageSize: options.pageSize, tail: options.tail)
        build.report(directory: directory)
        print(Measure.memoryLine("index build"))

        try await Queries.run(index: index, shape: shape, lookups: options.lookups, pageQueries: options.pageQueries)
        print(Measure.memoryLine("queries"))
        try index.close()

        if options.busStart {
            let large = try await BusStarts.run(
                kafka: kafka, directory: directory, next: Int64(shape.entries), tail: build.tail,
                instance: shape.chainNames[0], contracts: contracts, starts: options.starts, logger: logger)
            kafka.shutdown()
            print(Measure.memoryLine("bus starts (\(shape.entries) entries)"))

            // The same on a 10-entry index, on a cluster of its own.
            let smallDirectory = directory + "-small"
            try? FileManager.default.removeItem(atPath: smallDirectory)
            let smallKafka = try EmbeddedKafka.start(brokers: 1, logger: logger)
            let smallIndex = try HistoryIndex.open(
                .directory(smallDirectory), topic: BusTopics.history,
                cluster: try await clusterID(smallKafka, logger: logger), logger: logger)
            var smallShape = shape
            (smallShape.entries, smallShape.transfers) = (10, 0)
            let small = try await IndexBuild.run(
                index: smallIndex, shape: smallShape, contracts: contracts, pageSize: options.pageSize, tail: 10)
            try smallIndex.close()
            let few = try await BusStarts.run(
                kafka: smallKafka, directory: smallDirectory, next: 10, tail: small.tail,
                instance: shape.chainNames[0], contracts: contracts, starts: options.starts, logger: logger)
            smallKafka.shutdown()
            print(
                "bus-start  \(shape.entries)-entry index: "
                    + String(format: "median %.3f s", Measure.median(large)) + " (\(runs(large))); 10-entry index: "
                    + String(format: "median %.3f s", Measure.median(few)) + " (\(runs(few))); goal <= 2 s")
            print(Measure.memoryLine("bus starts (10 entries)"))
            if !options.keep { try? FileManager.default.removeItem(atPath: smallDirectory) }
        }
        if !options.keep { try? FileManager.default.removeItem(atPath: directory) }
        let (rss, peak) = Measure.memory()
        print(
            String(
                format: "memory   end: VmRSS %.0f MiB, VmHWM %.0f MiB (goal <= 300 MiB throughout); whole run %.0f s",
                rss, peak, Measure.seconds(ContinuousClock.now - started)))
    }

    static func clusterID(_ kafka: EmbeddedKafka, logger: Logger) async throws -> String {
        let admin = try KafkaAdmin.make(configuration: kafka.configuration, logger: logger)
        return try await admin.clusterID()
    }

    static func runs(_ seconds: [Double]) -> String {
        seconds.map { String(format: "%.3f", $0) }.joined(separator: " ")
    }
}
