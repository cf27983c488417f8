import Foundation
import Logging
import RenkeiBus
import RenkeiContracts
import RenkeiKafka
import Testing

/// `renkei history …` and `renkei dlq …` as an operator runs them: a separate process connecting to the
/// cluster of a running bus (here an embedded cluster in the test process, as `renkei serve` would host it).
@Suite(.serialized) struct OperatorCommandTests {
    @Test func historyAndDeadLetterCommandsAgainstARunningBus() async throws {
        var logger = Logger(label: "renkei.test")
        logger.logLevel = .critical
        let kafka = try EmbeddedKafka.start(logger: logger)
        let contracts = try ContractLoader.load(
            directory: CLIRunner.repositoryRoot.appendingPathComponent("contracts").path)
        let bus = try await Bus.start(
            contracts: contracts, configuration: BusConfiguration(kafka: kafka.configuration, instance: "cli-test"),
            logger: logger)
        let records = try String(
            contentsOf: CLIRunner.repositoryRoot.appendingPathComponent("docs/examples/resident-record.jsonl"),
            encoding: .utf8)
        _ = try await bus.provide(
            linkage: "resident-change", provider: "001", records: Array(records.utf8), format: .jsonLines)
        // One row that fails validation (a 性別 of 7) is quarantined by the daily linkage.
        let broken = records.split(separator: "\n")[0].replacingOccurrences(of: #""sex": "1""#, with: #""sex": "7""#)
        _ = try await bus.provideBulk(
            linkage: "resident-register-daily", provider: "001", format: .jsonLines,
            chunks: [Array((records + broken + "\n").utf8)].async)
        await bus.shutdown()
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-cli-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let brokers = ["--brokers", kafka.bootstrapServers]

        let who = try CLIRunner.run(
            ["history", "query", "--key", "000000000012345", "--data-dir", dataDirectory] + brokers)
        #expect(who.status == 0, "\(who.stderr)")
        for receiver in ["018", "017", "002", "C001"] { #expect(who.stdout.contains("→ \(receiver)")) }
        #expect(!who.stdout.contains("山田"), "history output must not carry names")

        let verify = try CLIRunner.run(["history", "verify"] + brokers)
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("History intact"))

        let list = try CLIRunner.run(["dlq", "list", "--format", "json"] + brokers)
        #expect(list.status == 0, "\(list.stderr)")
        let letters = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(letters.count == 1)
        #expect(letters.first?["reasons"] as? [String] == ["unknown-code"])
        let reference = try #require(letters.first?["reference"] as? String)
        #expect(!list.stdout.contains("山田"))

        let show = try CLIRunner.run(["dlq", "show", reference] + brokers)
        #expect(show.stdout.contains("性別: unknown-code"))
        #expect(!show.stdout.contains("山田"), "values only with --values")

        // Values: masked for every operator, unmasked only for one of the mynumber zone; each read in the history.
        let anonymous = try CLIRunner.run(["dlq", "show", reference, "--values"] + brokers)
        #expect(anonymous.status != 0)
        #expect(anonymous.stderr.contains("--values needs --operator"))
        let local = ["--data-dir", dataDirectory] + brokers
        let masked = try CLIRunner.run(["dlq", "show", reference, "--values", "--operator", "ops"] + local)
        #expect(masked.status == 0, "\(masked.stderr)")
        #expect(masked.stdout.contains(#""name":"***""#))
        #expect(masked.stdout.contains(#""atena_number":"000000000012345""#), "items of no sensitivity show")
        #expect(!masked.stdout.contains("山田"))
        let refused = try CLIRunner.run(
            ["dlq", "show", reference, "--values", "--operator", "ops", "--unmask"] + local)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("not in the mynumber zone"))
        let unmasked = try CLIRunner.run(
            ["dlq", "show", reference, "--values", "--operator", "ops-mynumber", "--unmask"] + local)
        #expect(unmasked.status == 0, "\(unmasked.stderr)")
        #expect(unmasked.stdout.contains("山田"))
        let reads = try CLIRunner.run(
            ["history", "query", "--key", "000000000012345", "--kind", "dead-letter-read", "--format", "json"] + local)
        let readEntries = try #require(
            (try JSONSerialization.jsonObject(with: Data(reads.stdout.utf8)) as? [String: Any])?["entries"]
                as? [[String: Any]])
        #expect(
            readEntries.map { $0["operator"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["ops", "ops-mynumber"])
        #expect(Set(readEntries.map { $0["outcome"] as? String }) == ["masked", "unmasked"])
        #expect(readEntries.allSatisfy { $0["deadLetter"] as? String == reference })
        #expect(!reads.stdout.contains("山田"))

        let dryRun = try CLIRunner.run(["dlq", "replay", reference, "--data-dir", dataDirectory] + brokers)
        #expect(dryRun.status == 1, "a row still invalid against today's contracts is not replayed")
        #expect(dryRun.stdout.contains("still fails validation (unknown-code)"))
        let unnamed = try CLIRunner.run(
            ["dlq", "replay", reference, "--execute", "--data-dir", dataDirectory] + brokers)
        #expect(unnamed.status != 0)
        #expect(unnamed.stderr.contains("--execute needs --operator"))

        let noBroker = try CLIRunner.run(["history", "verify"])
        #expect(noBroker.status == 2)
        #expect(noBroker.stderr.contains("No Kafka cluster given"))
        kafka.shutdown()
    }
}

extension Array where Element == [UInt8] {
    /// The elements as an async sequence, for APIs that take streamed chunks.
    fileprivate var async: AsyncStream<[UInt8]> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
