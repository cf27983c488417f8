import Foundation
import Logging
import RenkeiBus
import RenkeiCodec
import RenkeiContracts
import RenkeiKafka
import RenkeiSynthetic

/// The steps of `renkei demo`, each printing what a new user should notice.
struct DemoTour {
    let contracts: ContractSet
    let contractsDirectory: String
    let residents: Int
    /// Keep the operator console open at the end (until Ctrl-C), on this port.
    var console: DemoConsole?

    func run() async throws {
        // librdkafka reports the embedded brokers going away at the end as errors; the demo's failures surface as
        // thrown errors, so its log shows only critical messages unless RENKEI_LOG_LEVEL asks for more.
        var logger = commandLogger()
        if ProcessInfo.processInfo.environment["RENKEI_LOG_LEVEL"] == nil { logger.logLevel = .critical }
        let started = ContinuousClock.now
        step("1", "Starting an embedded Kafka cluster (in memory, inside this process)")
        let kafka = try EmbeddedKafka.start(brokers: 1, logger: logger)
        say("bootstrap \(kafka.bootstrapServers) — data lives in memory and is gone when the demo ends")
        var configuration = BusConfiguration(kafka: kafka.configuration, instance: "demo")
        configuration.bulkPartitions = 32
        // Files (receiver 008's outbox, provider 001's inbox) and the history index go to a folder of their own.
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-demo-\(UUID())").path
        configuration.dataDirectory = dataDirectory
        let bus = try await Bus.start(contracts: contracts, configuration: configuration, logger: logger)
        say("contracts: \(contracts.systems.count) systems, \(contracts.linkages.count) linkages; the bus is running")
        say("files and the history index: \(dataDirectory)")

        do {
            try await tour(bus: bus, kafka: kafka, logger: logger)
            let elapsed = ContinuousClock.now - started
            print("\nDone in \(format(elapsed)). Next: `renkei serve` runs the bus with its REST edge; see README.md.")
            step("9", "The operator console: linkages, dead letters, a resident's history, health")
            if let console {
                try await console.serve(bus: bus, say: { say($0) }, logger: logger)
            } else {
                say(
                    "`renkei demo --console` keeps this demo's console open at http://127.0.0.1:8080/console/ "
                        + "(`renkei serve` too, with its own data) — \(DemoConsole.signInHint())")
            }
        } catch {
            await bus.shutdown()
            kafka.shutdown()
            throw error
        }
        await bus.shutdown()
        kafka.shutdown()
    }

    private func tour(bus: Bus, kafka: EmbeddedKafka, logger: Logger) async throws {
        let layout = contracts.layout(named: "resident-record")!
        let schema = RecordSchema(layout: layout)
        var generator = ResidentGenerator(layout: layout, seed: 2026)

        step("2", "住民基本台帳 (001) provides 5 resident change events (linkage resident-change)")
        var events = RecordBatch(schema: schema)
        for _ in 0..<5 { events.append(values: generator.next()) }
        let encoder = JSONRecordEncoder(layout: layout, lineTerminated: true)
        let jsonl = (0..<events.count).flatMap { encoder.encode(events, record: $0) }
        let receipt = try await bus.provide(
            linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
        say("committed: \(receipt.accepted) records, one copy per receiver, in one Kafka transaction")

        step("3", "What each receiver actually received (read back from its Kafka topic)")
        let linkage = contracts.linkage("resident-change")!
        let reader = FeedReader(bus: bus)
        for receiver in linkage.receivers {
            let system = contracts.system(receiver.system)!
            let page = try await reader.read(linkage: linkage.id, receiver: receiver.system, limit: 100)
            let keys = page.deliveries.reduce(into: Set<String>()) { $0.formUnion(fieldKeys($1)) }
            let names = layout.items.filter { keys.contains($0.key) }.map(\.name)
            let myNumber = keys.contains("my_number") ? "個人番号 included" : "no 個人番号"
            say(
                "\(receiver.system) \(system.name) [\(system.zone.rawValue) zone]: \(page.deliveries.count) records "
                    + "carrying \(names.count) of \(layout.items.count) items, \(myNumber)")
            say("    " + names.joined(separator: " "))
        }

        step("4", "A system that is not the provider tries to provide: refused and recorded")
        do {
            _ = try await bus.provide(linkage: "resident-change", provider: "C001", records: jsonl, format: .jsonLines)
        } catch {
            say("refused: \(error.message)")
        }

        step("5", "The daily bulk transfer: \(residents) residents as CSV to 3 receivers (resident-register-daily)")
        let (csv, badKey) = bulkInput(layout: layout, schema: schema, generator: &generator, including: events)
        say(
            "input: \(String(format: "%.1f", Double(csv.count) / 1e6)) MB of CSV; one row carries a nationality code (999) the contracts do not know"
        )
        let bulkStart = ContinuousClock.now
        let progress = ProgressLine(total: residents)
        let bulk = try await bus.provideBulk(
            linkage: "resident-register-daily", provider: "001", format: .csv,
            chunks: ByteChunks(csv), progress: { progress.update($0.records) })
        progress.finish()
        let bulkElapsed = ContinuousClock.now - bulkStart
        let rate =
            Double(residents)
            / max(0.001, Double(bulkElapsed.components.seconds) + Double(bulkElapsed.components.attoseconds) / 1e18)
        say(
            "committed \(bulk.accepted) records in \(format(bulkElapsed)) (\(Int(rate)) records/s); quarantined \(bulk.quarantined)"
        )
        for (receiver, manifest) in (bulk.transfer?.manifests ?? [:]).sorted(by: { $0.key < $1.key }) {
            say(
                "  manifest for \(receiver): \(manifest.records) records in \(manifest.chunks.count) chunks, chunk-list sha256 \(manifest.chunkListSHA256.prefix(16))…"
            )
        }

        step("6", "File linkage: 個人住民税 (008) gets the daily file; 001 drops a CSV into its inbox")
        let schedule = contracts.linkage("resident-register-daily")?.schedule
        let fileStart = ContinuousClock.now
        let file = try await bus.deliverFile(linkage: "resident-register-daily", receiver: "008")
        let fileElapsed = ContinuousClock.now - fileStart
        if let file, let outbox = bus.configuration.dataDirectory.map({ $0 + "/outbox/008/" }) {
            say(
                "`renkei serve` writes it at \(schedule?.description ?? "the daily time"); here on demand "
                    + "(`renkei files deliver`), a full file: every resident's current record, in \(format(fileElapsed))"
            )
            say("  \(outbox)\(file.file)")
            say(
                "  \(file.records) records, \(file.items.count) items, \(file.bytes) bytes, sha256 \(file.sha256.prefix(16))…"
            )
            say(
                "  \(outbox)\(file.file.replacingOccurrences(of: ".csv", with: ".manifest.json")) (written after the data)"
            )
        }
        let inbox = (bus.configuration.dataDirectory ?? ".") + "/inbox/001/resident-change"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        let dropped = CSVRecordEncoder(layout: layout)
        let droppedWriter = ByteWriter()
        dropped.encodeHeader(into: droppedWriter)
        for record in 0..<events.count { dropped.encode(events, record: record, into: droppedWriter) }
        try Data(droppedWriter.bytes).write(to: URL(fileURLWithPath: inbox + "/changes-20261130.csv"))
        for result in try await bus.ingestInbox(of: "001") {
            say(
                "inbox \(inbox)/changes-20261130.csv: \(result.outcome), \(result.accepted) records as transfer \(result.transfer.prefix(14))…"
            )
            say("  moved to done/ with changes-20261130.csv.result.json beside it")
        }

        step("7", "The quarantined row, and its replay once the operator fixes the contracts")
        let letter = try await DeadLetterReader(bus: bus).list(DeadLetterFilter(linkage: "resident-register-daily"))
            .first!
        say(
            "dead letter \(letter.reference): row \(letter.row ?? 0), \(letter.reasons.joined(separator: ",")) — \(letter.message)"
        )
        let before = try await bus.replay(letter.reference, dryRun: true)
        say("dry run with today's contracts: \(describe(before.result))")
        let fixedDirectory = try contractsWithCode999()
        defer { try? FileManager.default.removeItem(atPath: fixedDirectory) }
        var fixedConfiguration = bus.configuration
        fixedConfiguration.instance = "demo-operator"
        let fixedBus = try await Bus.start(
            contracts: try ContractLoader.load(directory: fixedDirectory), configuration: fixedConfiguration,
            logger: logger)
        say("the operator adds code 999 (無国籍) to 国籍等 and replays:")
        let replayed = try await fixedBus.replay(letter.reference, dryRun: false)
        say("  \(describe(replayed.result)), event id \(letter.envelope?.id ?? "?") kept")
        let again = try await fixedBus.replay(letter.reference, dryRun: false)
        say("  a second replay: \(describe(again.result))")
        await fixedBus.shutdown()

        step("8", "The history: who received what about one resident, and the hash chains")
        let firstKey = events.value(record: 0, item: layout.index(of: "atena_number")!) ?? ""
        await bus.history.catchUp(within: .seconds(10))
        let report = try await ResidentReport.make(key: firstKey, indexer: bus.history, contracts: contracts)
        say("resident \(firstKey), from the history index (`renkei history report --key \(firstKey)`):")
        for line in report.lines {
            let via = line.transfer.map { " — bulk transfer \($0.prefix(8))…, found in its key list" } ?? ""
            say(
                "  \(line.kind.rawValue) \(line.linkage) \(line.provider?.id ?? "-") → \(line.receiver?.id ?? "-") "
                    + "(\(line.purpose ?? "")): \(line.items.count) items, \(line.outcome)\(via)")
        }
        let replays = try await bus.history.page(HistoryQuery(filter: HistoryFilter(key: badKey, kind: .replay)))
        say("replays about resident \(badKey): \(replays.items.count) (one entry per receiver)")
        let verification = try await HistoryReader(bus: bus).verify()
        say(
            verification.isIntact
                ? "history intact: \(verification.entries) entries in \(verification.chains) chains, every hash checked"
                : "history NOT intact: \(verification.problemCount) problems")
    }

    /// `residents` generated rows as CSV, one of them with an unknown nationality code; and that row's key.
    private func bulkInput(
        layout: Layout, schema: RecordSchema, generator: inout ResidentGenerator, including known: RecordBatch
    ) -> ([UInt8], String) {
        let writer = ByteWriter(capacity: residents * 300)
        let csv = CSVRecordEncoder(layout: layout)
        csv.encodeHeader(into: writer)
        // The register holds everyone, the residents who changed today included.
        for record in 0..<known.count { csv.encode(known, record: record, into: writer) }
        var batch = RecordBatch(schema: schema)
        let nationality = layout.index(of: "nationality_code")!
        let bad = residents / 2
        var badKey = ""
        for index in known.count..<residents {
            var values = generator.next()
            if index == bad {
                values[nationality] = "999"
                badKey = values[0] ?? ""
            }
            batch.append(values: values)
            csv.encode(batch, record: batch.count - 1, into: writer)
            if batch.count == 4096 { batch = RecordBatch(schema: schema) }
        }
        return (writer.bytes, badKey)
    }

    private func contractsWithCode999() throws -> String {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-demo-\(UUID())").path
        try FileManager.default.copyItem(atPath: contractsDirectory, toPath: target)
        let codes = target + "/codes/resident.yaml"
        let text = try String(contentsOfFile: codes, encoding: .utf8)
        try text.replacingOccurrences(of: "      \"840\": アメリカ合衆国", with: "      \"840\": アメリカ合衆国\n      \"999\": 無国籍")
            .write(toFile: codes, atomically: true, encoding: .utf8)
        return target
    }

    private func describe(_ result: ReplayOutcome.Result) -> String {
        switch result {
        case .delivered(let receivers): "delivered to \(receivers.joined(separator: ", "))"
        case .stillInvalid(let reasons): "still invalid (\(reasons.joined(separator: ", ")))"
        case .alreadyReplayed: "refused, already replayed"
        }
    }

    private func fieldKeys(_ record: ReceivedRecord) -> Set<String> {
        let object = (try? JSONSerialization.jsonObject(with: Data(record.value))) as? [String: Any]
        return Set(object?.keys.map { $0 } ?? [])
    }

    private func step(_ number: String, _ title: String) { print("\n[\(number)] \(title)") }
    private func say(_ text: String) { print("    \(text)") }
}

func format(_ duration: Duration) -> String {
    let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    return String(format: "%.2f s", seconds)
}

/// A progress line on standard error, rewritten in place.
final class ProgressLine: Sendable {
    let total: Int
    init(total: Int) { self.total = total }

    func update(_ done: Int) {
        let percent = total > 0 ? done * 100 / total : 100
        FileHandle.standardError.write(Data("\r    reading… \(done) of \(total) records (\(percent)%)".utf8))
    }

    func finish() { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
}
