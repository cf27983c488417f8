import Foundation
import Logging
import RenkeiBus
import RenkeiContracts
import RenkeiKafka
import Testing

/// `renkei history verify` with checkpoint files, as an operator runs it against a running bus's cluster.
@Suite(.serialized, .timeLimit(.minutes(3))) struct HistoryVerifyCommandTests {
    @Test func writesACheckpointAndVerifiesFromIt() async throws {
        var logger = Logger(label: "renkei.test")
        logger.logLevel = .critical
        let kafka = try EmbeddedKafka.start(logger: logger)
        defer { kafka.shutdown() }
        let brokers = ["--brokers", kafka.bootstrapServers]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-checkpoint-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("history.checkpoint.json").path

        try await Self.provide(on: kafka, logger: logger)
        let first = try CLIRunner.run(["history", "verify", "--write-checkpoint", file] + brokers)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("History intact"))
        let written = try HistoryCheckpoint(decoding: Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(written.chains.keys.sorted() == ["cli-verify"])
        #expect(written.offset > 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(leftovers == ["history.checkpoint.json"], "no temporary file left behind")

        try await Self.provide(on: kafka, logger: logger)
        let second = try CLIRunner.run(
            ["history", "verify", "--from-checkpoint", file, "--write-checkpoint", file, "--progress"] + brokers)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("History intact"))
        #expect(second.stdout.contains("verified from checkpoint at offset \(written.offset)"))
        let next = try HistoryCheckpoint(decoding: Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(next.offset > written.offset)
        #expect(next.chains["cli-verify"]!.sequence > written.chains["cli-verify"]!.sequence)
    }

    @Test func aMissingOrMalformedCheckpointIsRefusedNamingTheFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-checkpoint-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // No cluster answers here: the checkpoint is read, and refused, before any connection.
        let brokers = ["--brokers", "127.0.0.1:1", "--timeout", "1"]

        let malformed = folder.appendingPathComponent("broken.json").path
        try Data(#"{"offset": 12, "chains": {"a": {"sequence": 3}}}"#.utf8).write(to: URL(fileURLWithPath: malformed))
        let bad = try CLIRunner.run(["history", "verify", "--from-checkpoint", malformed] + brokers)
        #expect(bad.status == 2)
        #expect(
            bad.stderr.contains("\(malformed) is not a history checkpoint: chains.a: `hash` is missing"),
            "\(bad.stderr)")
        #expect(bad.stdout.isEmpty)

        let missing = folder.appendingPathComponent("none.json").path
        let absent = try CLIRunner.run(["history", "verify", "--from-checkpoint", missing] + brokers)
        #expect(absent.status == 2)
        #expect(absent.stderr.contains("cannot read the checkpoint \(missing): no such file"), "\(absent.stderr)")

        let nowhere = folder.appendingPathComponent("no-such-folder/checkpoint.json").path
        let unwritable = try CLIRunner.run(["history", "verify", "--write-checkpoint", nowhere] + brokers)
        #expect(unwritable.status == 2)
        #expect(unwritable.stderr.contains("cannot write the checkpoint \(nowhere)"), "\(unwritable.stderr)")
    }

    /// One provide by bus instance `cli-verify`, which starts again where its chain ended.
    static func provide(on kafka: EmbeddedKafka, logger: Logger) async throws {
        let contracts = try ContractLoader.load(
            directory: CLIRunner.repositoryRoot.appendingPathComponent("contracts").path)
        let bus = try await Bus.start(
            contracts: contracts, configuration: BusConfiguration(kafka: kafka.configuration, instance: "cli-verify"),
            logger: logger)
        let records = try String(
            contentsOf: CLIRunner.repositoryRoot.appendingPathComponent("docs/examples/resident-record.jsonl"),
            encoding: .utf8)
        do {
            _ = try await bus.provide(
                linkage: "resident-change", provider: "001", records: Array(records.utf8), format: .jsonLines)
        } catch {
            await bus.shutdown()
            throw error
        }
        await bus.shutdown()
    }
}
