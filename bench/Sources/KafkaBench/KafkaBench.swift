// Kafka layer throughput: RenkeiKafka against the C ceiling (bench/kafka/kafka_ceiling.c) against one embedded
// cluster. This process hosts the cluster; every client, C or Swift, runs in its own process against it, so both
// sides have the same shape (client process ↔ loopback ↔ broker process). See bench/README.md.
//
//   KafkaBench <kafka_ceiling> [messages=1000000] [runs=7] [--callgrind N] [--callgrind-only]
//   KafkaBench client produce <bootstrap> <topic> <count> <size> <partitions>    (the Swift client; see SwiftClient)
//   KafkaBench client consume <bootstrap> <topic> <count> <group>
//   KafkaBench serve [topic...]        (a cluster alone, for profiling a client by hand; prints its address)
import Foundation
import Logging
import RenkeiKafka

@main
struct KafkaBench {
    /// A synchronous entry point that waits for the async body: valgrind 3.19 crashes in the `sigsuspend` that an
    /// `async` main parks its thread in, and the clients must run under callgrind.
    static func main() {
        let done = DispatchSemaphore(value: 0)
        // Detached: a plain Task would inherit the main actor, whose thread is the one blocked below.
        Task.detached {
            do {
                try await run()
            } catch {
                FileHandle.standardError.write(Data("KafkaBench: \(error)\n".utf8))
                exit(1)
            }
            done.signal()
        }
        done.wait()
    }

    static func run() async throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "client" {
            exit(try await SwiftClient.run(Array(arguments.dropFirst())))
        }
        if arguments.first == "serve" {
            // A cluster for profiling one client by hand: creates the named 200-partition topics, prints the
            // bootstrap address and runs until killed.
            let cluster = try EmbeddedKafka.start(brokers: 1)
            for topic in arguments.dropFirst() { try cluster.createTopic(topic, partitions: 200) }
            say(cluster.bootstrapServers)
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
        var callgrindMessages: Int? = nil
        var callgrindOnly = false
        if let index = arguments.firstIndex(of: "--callgrind-only") {
            callgrindOnly = true
            arguments.remove(at: index)
        }
        if let index = arguments.firstIndex(of: "--callgrind"), index + 1 < arguments.count {
            callgrindMessages = Int(arguments[index + 1])
            arguments.removeSubrange(index...index + 1)
        }
        guard arguments.count >= 1 else {
            say("usage: KafkaBench <kafka_ceiling> [messages=1000000] [runs=7] [--callgrind N] [--callgrind-only]")
            exit(2)
        }
        let clients = Clients(
            ceiling: arguments[0], swift: URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path)
        let count = arguments.count > 1 ? Int(arguments[1])! : 1_000_000
        let runs = arguments.count > 2 ? Int(arguments[2])! : 7
        var logger = Logger(label: "renkei.kafka.bench")
        logger.logLevel = .error
        let cluster = try EmbeddedKafka.start(brokers: 1, logger: logger)
        let bench = Bench(cluster: cluster, clients: clients, logger: logger)
        say(Machine.describe())
        var summary: [String] = []
        if !callgrindOnly {
            say("embedded cluster at \(cluster.bootstrapServers); \(count) messages per figure, best of \(runs) runs")
            for size in [100, 500] { summary += try await bench.timed(size: size, count: count, runs: runs) }
        }
        if let callgrindMessages {
            for size in [100, 500] { summary += try await bench.callgrind(size: size, count: callgrindMessages) }
        }
        say("")
        for entry in summary { say(entry) }
        cluster.shutdown()
    }
}

/// The two client programs and how to run one.
struct Clients {
    enum Side: String { case c = "C", swift = "Swift" }
    let ceiling: String
    let swift: String

    func command(_ side: Side, _ arguments: [String]) -> [String] {
        side == .c ? [ceiling] + arguments : [swift, "client"] + arguments
    }
}

/// One client run's `RESULT` line.
struct ClientResult {
    var rate: Double
    var cpuSeconds: Double
    var count: Int
    /// CPU time of the client process per message, in microseconds.
    var cpuMicrosPerMessage: Double { cpuSeconds * 1e6 / Double(count) }
}

struct Bench {
    let cluster: EmbeddedKafka
    let clients: Clients
    let logger: Logger
    /// The mock keeps ~5 MiB per partition. Both producers spread messages round-robin over 200 partitions
    /// (≤ 2.5 MB each for 1M × 500 B); the sticky partitioner would pile MiBs onto a few and the mock would drop
    /// the oldest.
    let partitions = 200

    /// Best-of-`runs` and median wall-clock figures; C and Swift take turns (which goes first alternates run by run)
    /// and never run at the same time.
    func timed(size: Int, count: Int, runs: Int) async throws -> [String] {
        var results: [String: [ClientResult]] = [:]
        func keep(_ key: String, _ result: ClientResult) { results[key, default: []].append(result) }
        for run in 0..<runs {
            let order: [Clients.Side] = run % 2 == 0 ? [.c, .swift] : [.swift, .c]
            var topics: [Clients.Side: String] = [:]
            var line = "  run \(run + 1) \(size) B:"
            for side in order {
                let topic = "bench.\(side.rawValue.lowercased()).\(size).\(run)"
                try cluster.createTopic(topic, partitions: partitions)
                topics[side] = topic
                let result = try execute(
                    side, ["produce", cluster.bootstrapServers, topic, "\(count)", "\(size)", "\(partitions)"])
                try await checkRetained(topic, count)
                keep("produce \(side)", result)
                line += " produce \(side.rawValue) \(mega(result.rate))"
            }
            // Both consumers read the same topic (the one produced first in this run), each in its own group.
            let source = topics[order[0]]!
            for side in order {
                let result = try execute(
                    side, ["consume", cluster.bootstrapServers, source, "\(count)", "\(side).\(size).\(run)"])
                keep("consume \(side)", result)
                line += " consume \(side.rawValue) \(mega(result.rate))"
            }
            say(line)
        }
        return ["produce", "consume"].map { what in
            let c = results["\(what) \(Clients.Side.c)"]!.sorted { $0.rate > $1.rate }
            let swift = results["\(what) \(Clients.Side.swift)"]!.sorted { $0.rate > $1.rate }
            let (cMedian, swiftMedian) = (c[c.count / 2], swift[swift.count / 2])
            return "\(what) \(size) B: C \(mega(c[0].rate)) msg/s, Swift \(mega(swift[0].rate)) msg/s, Swift/C "
                + String(format: "%.2f", swift[0].rate / c[0].rate)
                + String(
                    format: " (best of %d; median %.2f; client CPU %.2f vs %.2f µs/msg)", runs,
                    swiftMedian.rate / cMedian.rate, c[0].cpuMicrosPerMessage, swift[0].cpuMicrosPerMessage)
        }
    }

    /// Instructions per message of each client process under `valgrind --tool=callgrind` (all threads), as the
    /// difference between a run of `count` and one of `count / 5` messages, so start-up and connection cost cancel.
    /// Stable under load, unlike the clock; it counts work, not waiting or contention between cores.
    func callgrind(size: Int, count: Int) async throws -> [String] {
        let small = count / 5
        // A consumer of n messages reads a topic of exactly n, so that prefetching past n costs neither side.
        func source(_ n: Int) -> String { "bench.cg.source.\(size).\(n)" }
        for n in [small, count] {
            try cluster.createTopic(source(n), partitions: partitions)
            _ = try execute(.c, ["produce", cluster.bootstrapServers, source(n), "\(n)", "\(size)", "\(partitions)"])
        }
        var lines: [String] = []
        for what in ["produce", "consume"] {
            var perMessage: [Clients.Side: Double] = [:]
            for side in [Clients.Side.c, .swift] {
                var runs: [(messages: Int, instructions: Double)] = []
                for n in [small, count] {
                    let arguments: [String]
                    if what == "produce" {
                        let topic = "bench.cg.\(side.rawValue.lowercased()).\(size).\(n)"
                        try cluster.createTopic(topic, partitions: partitions)
                        arguments = ["produce", cluster.bootstrapServers, topic, "\(n)", "\(size)", "\(partitions)"]
                    } else {
                        arguments = ["consume", cluster.bootstrapServers, source(n), "\(n)", "cg.\(side).\(size).\(n)"]
                    }
                    runs.append(try underCallgrind(side, arguments))
                }
                perMessage[side] =
                    (runs[1].instructions - runs[0].instructions) / Double(runs[1].messages - runs[0].messages)
                say(
                    "  callgrind \(what) \(size) B \(side.rawValue): \(Int(runs[0].instructions)) Ir for \(runs[0].messages) "
                        + "messages, \(Int(runs[1].instructions)) Ir for \(runs[1].messages)")
            }
            lines.append(
                "callgrind \(what) \(size) B: C \(Int(perMessage[.c]!)) Ir/msg, Swift \(Int(perMessage[.swift]!)) "
                    + "Ir/msg, Swift/C " + String(format: "%.2f", perMessage[.swift]! / perMessage[.c]!))
        }
        return lines
    }

    private func checkRetained(_ topic: String, _ count: Int) async throws {
        let admin = try KafkaAdmin.make(configuration: cluster.configuration, logger: logger)
        let retained = try await admin.watermarks(topic: topic).values.reduce(0) { $0 + $1.count }
        guard retained == count else {
            throw BenchError(message: "\(topic) retains \(retained) of \(count) messages: use more partitions")
        }
    }

    /// Runs one client process and parses its `RESULT <mode> <count> <seconds> <rate> <cpu>` line.
    func execute(_ side: Clients.Side, _ arguments: [String]) throws -> ClientResult {
        let (status, output, _) = try Subprocess.run(clients.command(side, arguments))
        guard status == 0, let result = output.split(separator: "\n").first(where: { $0.hasPrefix("RESULT") })
        else {
            throw BenchError(message: "\(side.rawValue) \(arguments[0]) failed (\(status)): \(output)")
        }
        let fields = result.split(separator: " ")
        return ClientResult(rate: Double(fields[4])!, cpuSeconds: Double(fields[5])!, count: Int(fields[2])!)
    }

    /// Messages handled (a consumer takes whole batches, so it may read a few more than asked) and total
    /// instructions (`Collected`, every thread of the process) of one client run under callgrind.
    func underCallgrind(_ side: Clients.Side, _ arguments: [String]) throws -> (messages: Int, instructions: Double) {
        let command =
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + clients.command(side, arguments)
        let (status, output, errors) = try Subprocess.run(command, searchPath: true)
        guard status == 0, let collected = errors.split(separator: "\n").first(where: { $0.contains("Collected") }),
            let value = collected.split(separator: " ").last.flatMap({ Double($0) }),
            let result = output.split(separator: "\n").first(where: { $0.hasPrefix("RESULT") }),
            let messages = Int(result.split(separator: " ")[2])
        else {
            throw BenchError(message: "callgrind \(side.rawValue) \(arguments[0]) failed (\(status)): \(output)")
        }
        return (messages, value)
    }
}

enum Subprocess {
    /// Runs a program to completion and returns its status, stdout and stderr.
    static func run(_ command: [String], searchPath: Bool = false) throws -> (Int32, String, String) {
        let process = Process()
        if searchPath {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = command
        } else {
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
        }
        let out = Pipe()
        // stderr goes to a file, so neither stream can fill a pipe and block the child.
        let errorPath = NSTemporaryDirectory() + "kafkabench.\(getpid()).stderr"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return (process.terminationStatus, output, errors)
    }
}

enum Machine {
    static func describe() -> String {
        let model =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces)
            ?? "?"
        let load =
            (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
            .joined(separator: " ") ?? "?"
        return "machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(model); load average \(load)"
    }
}

/// Prints and flushes, so progress shows as it happens even through a pipe.
func say(_ line: String) {
    print(line)
    fflush(nil)
}

func mega(_ rate: Double) -> String { String(format: "%.3fM", rate / 1_000_000) }

struct BenchError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
