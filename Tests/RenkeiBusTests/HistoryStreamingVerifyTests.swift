import Foundation
import Logging
import RenkeiBus
import RenkeiKafka
import Synchronization
import Testing

/// `HistoryReader.verify` reading a history topic a page at a time, and from a checkpoint, on the embedded cluster.
/// Each test writes hash-chained entries to a topic of its own, as a bus would, or a doctored copy of one, as
/// someone with write access to the cluster could.
@Suite(.serialized, .timeLimit(.minutes(2))) struct HistoryStreamingVerifyTests {
    @Test func aVerificationReadsPageByPageToTheEnd() async throws {
        try await HistoryTopics.with { topics in
            var chains = SyntheticChains()
            try await topics.write(chains.append(50, chains: ["a", "b", "c"]), to: "history.pages")
            let seen = Mutex<[HistoryVerification.Progress]>([])
            let report = try await topics.reader("history.pages").verify(
                from: nil, pageSize: 7, progress: { progress in seen.withLock { $0.append(progress) } })
            #expect(report.isIntact, "\(report.problems)")
            #expect(report.entries == 50)
            #expect(report.chains == 3)
            #expect(report.checkpoint?.offset == 50)
            let pages = seen.withLock { $0 }
            #expect(pages.count == 8, "50 entries in pages of 7")
            #expect(pages.map(\.entries) == [7, 14, 21, 28, 35, 42, 49, 50])
            #expect(pages.last?.offset == 50)
            #expect(pages.allSatisfy { $0.end == 50 && $0.start == 0 })
        }
    }

    @Test func aChangedEntryInALaterPageIsFound() async throws {
        try await HistoryTopics.with { topics in
            var chains = SyntheticChains()
            var entries = chains.append(50, chains: ["a", "b"])
            entries[33].entry.receiver = "C001-tampered"
            try await topics.write(entries, to: "history.changed")
            let report = try await topics.reader("history.changed").verify(from: nil, pageSize: 7)
            #expect(!report.isIntact)
            #expect(report.problems.map(\.offset) == [33])
            #expect(report.problems.first?.reason.contains("changed") == true)
            #expect(report.checkpoint == nil)
        }
    }

    /// Verify, keep the checkpoint (as a file would), append, verify from it: only the newest entries are read.
    @Test func aCheckpointLetsTheNextVerificationReadOnlyWhatCameAfter() async throws {
        try await HistoryTopics.with { topics in
            var chains = SyntheticChains()
            try await topics.write(chains.append(30, chains: ["a", "b"]), to: "history.round")
            let first = try await topics.reader("history.round").verify(from: nil, pageSize: 7)
            let saved = try #require(first.checkpoint).encoded()
            let checkpoint = try HistoryCheckpoint(decoding: saved)
            #expect(checkpoint.offset == 30)
            #expect(checkpoint.readFrom == 28)

            try await topics.write(chains.append(20, chains: ["a", "b", "c"]), to: "history.round")
            let seen = Mutex<[HistoryVerification.Progress]>([])
            let second = try await topics.reader("history.round").verify(
                from: checkpoint, pageSize: 7, progress: { progress in seen.withLock { $0.append(progress) } })
            #expect(second.isIntact, "\(second.problems)")
            #expect(second.verifiedFrom == 30)
            #expect(second.entries == 22, "the two heads again, then the 20 new entries")
            #expect(second.chains == 3)
            #expect(seen.withLock { $0.first?.start } == 28)
            #expect(second.checkpoint?.offset == 50)
            #expect(second.checkpoint?.chains["c"]?.sequence == 6, "c wrote every third of the 20")
        }
    }

    /// The newest entries are cut off: on its own the shorter chain is well formed, the checkpoint says otherwise.
    @Test func aTruncatedHistoryFailsAgainstTheCheckpoint() async throws {
        try await HistoryTopics.with { topics in
            var chains = SyntheticChains()
            let entries = chains.append(30, chains: ["a", "b"])
            try await topics.write(entries, to: "history.full")
            let checkpoint = try #require(try await topics.reader("history.full").verify(from: nil).checkpoint)

            try await topics.write(Array(entries.prefix(25)), to: "history.cut")
            let cut = topics.reader("history.cut")
            #expect(try await cut.verify(from: nil).isIntact, "without the checkpoint nothing shows")
            let report = try await cut.verify(from: checkpoint)
            #expect(!report.isIntact)
            #expect(
                report.problems.contains { $0.reason.contains("ends at offset 25, below the checkpoint's offset 30") })
            #expect(
                report.problems.contains {
                    $0.chain == "a" && $0.sequence == 15
                        && $0.reason.contains("recorded in the checkpoint is gone or changed")
                })

            // Cut, then refilled past the checkpoint's offset by chains that go on from the cut: well formed
            // again, but the heads the checkpoint recorded are not where it says.
            var refilled = SyntheticChains()
            let prefix = refilled.append(25, chains: ["a", "b"])
            #expect(prefix.map(\.entry) == Array(entries.prefix(25)).map(\.entry))
            try await topics.write(prefix + refilled.append(10, chains: ["a", "b"]), to: "history.refilled")
            #expect(try await topics.reader("history.refilled").verify(from: nil).isIntact)
            let refilledReport = try await topics.reader("history.refilled").verify(from: checkpoint)
            #expect(!refilledReport.isIntact)
            #expect(refilledReport.problems.contains { $0.reason.contains("gone or changed") })
        }
    }

    @Test func aChangedEntryAfterTheCheckpointIsFound() async throws {
        try await HistoryTopics.with { topics in
            var chains = SyntheticChains()
            try await topics.write(chains.append(20, chains: ["a", "b"]), to: "history.later")
            let checkpoint = try #require(try await topics.reader("history.later").verify(from: nil).checkpoint)
            var newer = chains.append(10, chains: ["a", "b"])
            newer[4].entry.purpose = "not what was recorded"
            try await topics.write(newer, to: "history.later")
            let report = try await topics.reader("history.later").verify(from: checkpoint, pageSize: 4)
            #expect(!report.isIntact)
            #expect(report.problems.map(\.offset) == [24])
            #expect(report.problems.first?.reason.contains("the entry was changed") == true)
            #expect(report.verifiedFrom == 20)
        }
    }
}

/// An embedded cluster on which tests write history topics of their own.
struct HistoryTopics {
    let kafka: EmbeddedKafka
    let configuration: KafkaConfiguration
    let logger: Logger

    static func with(_ body: (HistoryTopics) async throws -> Void) async throws {
        var logger = Logger(label: "renkei.test")
        logger.logLevel = .critical
        let kafka = try EmbeddedKafka.start(logger: logger)
        var configuration = kafka.configuration
        configuration.operationTimeout = .seconds(15)
        // The mock broker holds every fetch at a partition's end this long, and each page reassigns the reader.
        configuration.consumer.fetchWait = .milliseconds(10)
        do {
            try await body(HistoryTopics(kafka: kafka, configuration: configuration, logger: logger))
            kafka.shutdown()
        } catch {
            kafka.shutdown()
            throw error
        }
    }

    /// Appends `entries` (serialized as the bus writes them) to `topic`, created with one partition if new; the
    /// offsets they get are the ones they carry when the topic held the entries before them.
    func write(_ entries: [(offset: Int64, entry: HistoryEntry)], to topic: String) async throws {
        try? kafka.createTopic(topic, partitions: 1)
        let producer = try await KafkaProducer.make(configuration: configuration, logger: logger)
        try await producer.send(
            entries.map {
                KafkaOutgoingMessage(
                    topic: topic, partition: 0, key: Array($0.entry.chain.utf8), value: $0.entry.serialized())
            }
        ).throwIfAnyFailed()
        await producer.shutdown()
    }

    func reader(_ topic: String) -> HistoryReader {
        try! HistoryReader(configuration: configuration, logger: logger, topic: topic)
    }
}
