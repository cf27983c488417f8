import Foundation
import Logging
import RenkeiBus
import RenkeiContracts
import RenkeiKafka
import RenkeiStorage

/// The benchmark's phases, each on a fresh cluster and bus.
struct FileScenarios {
    let options: Options
    let input: String
    let receivers = ["008", "018", "C001"]
    let linkage = "resident-register-daily"

    private struct Running {
        let cluster: ClusterProcess
        let bus: Bus
        func stop() async {
            await bus.shutdown()
            cluster.stop()
        }
    }

    private func start(name: String, mode: String, storage: String) async throws -> Running {
        let contracts = options.work + "/contracts-\(name)"
        let data = options.work + "/data-\(name)"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try Support.contractsCopy(of: options.contracts, into: contracts, mode: mode) { system in
            storage == "s3" ? "s3://\(options.bucket)/\(getpid())-\(name)/\(system)" : "file://\(data)/outbox/\(system)"
        }
        let cluster = try ClusterProcess(
            executable: options.executable, contracts: contracts, bulkPartitions: options.bulkPartitions)
        var logger = Logger(label: "renkei.bench")
        logger.logLevel =
            ProcessInfo.processInfo.environment["FILE_BENCH_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        var configuration = BusConfiguration(
            kafka: KafkaConfiguration(
                bootstrapServers: cluster.bootstrapServers.split(separator: ",").map(String.init)),
            instance: "bench")
        configuration.topics.bulkPartitions = options.bulkPartitions
        // librdkafka's mock broker holds a fetch for fetch.wait.max.ms whenever it has little to send, where a real
        // broker answers as soon as it has records; the bus's default (500 ms) would time the mock, not the bus.
        configuration.kafka.consumer.fetchWait = .milliseconds(options.fetchWaitMilliseconds)
        configuration.dataDirectory = data
        if let endpoint = options.s3Endpoint {
            var s3 = S3Settings(
                endpoint: endpoint, region: "us-east-1",
                credentials: S3Credentials(accessKeyID: "bench", secretAccessKey: "bench-secret"), addressing: .path)
            s3.retries = 1
            configuration.s3 = s3
        }
        let bus = try await Bus.start(
            contracts: try ContractLoader.load(directory: contracts), configuration: configuration, logger: logger)
        return Running(cluster: cluster, bus: bus)
    }

    /// The 1M-row input as one bulk transfer to the three receivers, read from disk in 1 MiB pieces.
    private func provide(_ bus: Bus) async throws -> Double {
        let folder = Storage.open(
            try StorageLocation(parsing: "file://" + options.work + "/input"), settings: S3Settings(),
            logger: Logger(label: "renkei.bench"))
        let start = ContinuousClock.now
        let receipt = try await bus.provideBulk(
            linkage: linkage, provider: "001", format: .csv, chunks: folder.read("residents.csv", chunkBytes: 1 << 20))
        precondition(receipt.accepted == options.records, "accepted \(receipt.accepted) of \(options.records)")
        return Support.seconds(since: start)
    }

    /// One window for every receiver at once, as the bus's daily schedule runs them; each receiver's time too.
    private func deliverAll(_ bus: Bus, expect records: Int?) async throws -> (total: Double, each: [String: Double]) {
        let start = ContinuousClock.now
        let each = try await withThrowingTaskGroup(of: (String, Double).self) { group in
            for receiver in receivers {
                group.addTask {
                    let manifest = try await bus.deliverFile(linkage: linkage, receiver: receiver)
                    if let records, manifest?.records != records {
                        throw ClusterError(reason: "\(receiver): \(manifest?.records ?? -1) rows, not \(records)")
                    }
                    return (receiver, Support.seconds(since: start))
                }
            }
            var each: [String: Double] = [:]
            for try await (receiver, seconds) in group { each[receiver] = seconds }
            return each
        }
        return (Support.seconds(since: start), each)
    }

    private func eachText(_ each: [String: Double]) -> String {
        receivers.map { String(format: "%@ %.2f", $0, each[$0] ?? -1) }.joined(separator: ", ")
    }

    /// (a) the first window after the transfer — it writes the state — and (b) full files from that state.
    func full(storage: String) async throws {
        let running = try await start(name: "full-\(storage)", mode: "full", storage: storage)
        let provided = try await provide(running.bus)
        say(
            String(
                format: "transfer %@  %d records to 3 receivers in %.2f s (not counted)", storage, options.records,
                provided))
        Support.resetPeak()
        let first = try await deliverAll(running.bus, expect: options.records)
        say(
            String(
                format:
                    "state-first-window %@  3 x %d rows in %.2f s (done at: %@); writes the state and a full file; %@",
                storage, options.records, first.total, eachText(first.each), Support.memoryText()))
        var times: [Double] = []
        Support.resetPeak()
        var peak = 0
        for run in 1...options.runs {
            let result = try await deliverAll(running.bus, expect: options.records)
            times.append(result.total)
            peak = max(peak, Support.memory().hwm)
            say(
                String(
                    format: "run %d   full files %@: %.2f s (done at: %@)", run, storage, result.total,
                    eachText(result.each)))
        }
        let sorted = times.sorted()
        let goal = storage == "s3" ? 8.0 : 4.0
        say(
            String(
                format:
                    "full-3x%d %@  best %.2f s, median %.2f s = %.0f rows/s per receiver (goal <= %.0f s); VmHWM %d MiB (goal <= 256 MiB); broker process VmHWM %d MiB",
                options.records, storage, sorted[0], sorted[sorted.count / 2],
                Double(options.records) / sorted[0], goal, peak, running.cluster.peakMiB))
        await running.stop()
    }

    /// (c) differential files: the window of the 1M transfer, then a window of 10,000 changed records.
    func differential() async throws {
        let running = try await start(name: "differential", mode: "differential", storage: "folder")
        let provided = try await provide(running.bus)
        say(String(format: "transfer differential  %d records in %.2f s (not counted)", options.records, provided))
        Support.resetPeak()
        let first = try await deliverAll(running.bus, expect: options.records)
        say(
            String(
                format: "differential-3x%d folder  %.2f s (done at: %@); %@", options.records, first.total,
                eachText(first.each), Support.memoryText()))
        let changes = options.work + "/input/changes.csv"
        let layout = running.bus.contracts.layout(running.bus.contracts.linkage(linkage)!.layout)!
        _ = try Support.writeResidents(layout: layout, count: 10_000, seed: 2, to: changes)
        let folder = Storage.open(
            try StorageLocation(parsing: "file://" + options.work + "/input"), settings: S3Settings(),
            logger: Logger(label: "renkei.bench"))
        _ = try await running.bus.provideBulk(
            linkage: linkage, provider: "001", format: .csv, chunks: folder.read("changes.csv", chunkBytes: 1 << 20))
        let second = try await deliverAll(running.bus, expect: 10_000)
        say(
            String(
                format: "differential-3x10000 folder  %.2f s (done at: %@); %@", second.total, eachText(second.each),
                Support.memoryText()))
        await running.stop()
    }

    /// (d) a 1M-row CSV dropped into provider 001's inbox, ingested as one bulk transfer to the three receivers.
    func inbox() async throws {
        let running = try await start(name: "inbox", mode: "full", storage: "folder")
        let folder = options.work + "/data-inbox/inbox/001/\(linkage)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.linkItem(atPath: input, toPath: folder + "/residents.csv")
        Support.resetPeak()
        let start = ContinuousClock.now
        let results = try await running.bus.ingestInbox(of: "001")
        let seconds = Support.seconds(since: start)
        guard results.count == 1, results[0].accepted == options.records else {
            throw ClusterError(reason: "inbox: \(results)")
        }
        say(
            String(
                format: "inbox-ingest  %d rows in %.2f s = %.0f rows/s (goal >= 250000 rows/s); %@", options.records,
                seconds, Double(options.records) / seconds, Support.memoryText()))
        await running.stop()
    }
}
