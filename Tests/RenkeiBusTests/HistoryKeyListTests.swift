import Foundation
import Logging
import RenkeiKafka
import Testing

@testable import RenkeiBus

/// Residents in a bulk transfer or a large provide are found by key through the key list their entries reference;
/// a key list that is gone or altered leaves its entries indexed, saying why their keys cannot be found.
@Suite(.serialized, .timeLimit(.minutes(8))) struct HistoryKeyListTests {
    @Test func everyReceiverOfATransferIsFoundByAnyOfItsKeys() async throws {
        // Small chunks, so the key list spans several chunk messages.
        try await BusHarness.with(configure: { $0.bulkChunkBytes = 16 * 1024 }) { harness in
            let (csv, records) = harness.residentsCSV(3000)
            let receipt = try await harness.bus.provideBulk(
                linkage: "resident-register-daily", provider: "001", format: .csv,
                chunks: ChunkedBytes(bytes: csv, chunkSize: 64 * 1024))
            let transfer = try #require(receipt.transfer?.id)
            let keys = records.map { $0[0] ?? "" }
            let receivers = try #require(harness.contracts.linkage("resident-register-daily")).receivers.map(\.system)
            try await harness.bus.history.sync()

            for key in [keys[0], keys[1500], keys[2999]] {
                let items = try await harness.bus.history.walk(HistoryFilter(key: key), limit: 100)
                #expect(items.map { $0.entry.receiver ?? "-" }.sorted() == receivers.sorted(), "key \(key)")
                #expect(items.allSatisfy { $0.entry.kind == .provide && $0.entry.transfer == transfer })
                #expect(items.allSatisfy { $0.foundInKeyList && $0.keyListProblem == nil && $0.entry.keys.isEmpty })
            }
            // The generator numbers residents by 7: the next number is in no transfer.
            let outside = String(try #require(Int(keys[2999])) + 7)
            let isOutside = !keys.contains(outside)
            #expect(isOutside)
            #expect(try await harness.bus.history.walk(HistoryFilter(key: outside), limit: 100).isEmpty)

            // The list the entries reference holds exactly the transfer's keys, in order, over several chunks.
            let entries = try await harness.history(HistoryFilter(kind: .provide))
            let lists = Set(entries.compactMap(\.keyList))
            let list = try #require(lists.first)
            #expect(lists.count == 1 && entries.count == receivers.count)
            #expect(list.count == 3000)
            #expect(list.chunks.count > 1)
            #expect(try await TopicReader(bus: harness.bus).keys(of: list) == keys)
        }
    }

    /// Up to the threshold an entry lists the keys itself; beyond it they go to a key list, and either way every
    /// resident is found.
    @Test(arguments: [HistoryKeyList.threshold, HistoryKeyList.threshold + 50])
    func provideKeysAreListedUpToTheThresholdAndInAKeyListBeyond(count: Int) async throws {
        try await BusHarness.with { harness in
            let (jsonl, records) = harness.residents(count)
            let receipt = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            #expect(receipt.accepted == count)
            let keys = records.map { $0[0] ?? "" }
            let inList = count > HistoryKeyList.threshold
            try await harness.bus.history.sync()
            for key in [keys[count / 2], keys[count - 1]] {
                let items = try await harness.bus.history.walk(HistoryFilter(key: key), limit: 100)
                #expect(items.compactMap(\.entry.receiver).sorted() == ["002", "017", "018", "C001"], "key \(key)")
                #expect(items.allSatisfy { $0.foundInKeyList == inList && $0.keyListProblem == nil })
            }
            let entries = try await harness.history(HistoryFilter(kind: .provide))
            #expect(entries.count == 4)
            for entry in entries {
                #expect(entry.recordCount == count)
                if inList {
                    let list = try #require(entry.keyList)
                    #expect(entry.keys.isEmpty)
                    #expect(list.count == count)
                    #expect(try await TopicReader(bus: harness.bus).keys(of: list) == keys)
                } else {
                    #expect(entry.keyList == nil)
                    #expect(entry.keys == keys)
                }
            }
        }
    }

    /// Retention removed the key list's chunk before an index was built: the entries are still indexed (found by
    /// linkage), their keys are not, and the answer says why.
    @Test func keyListGoneByRetentionIsIndexedWithTheProblem() async throws {
        try await BusHarness.with { harness in
            let (csv, records) = harness.residentsCSV(50)
            _ = try await harness.bus.provideBulk(
                linkage: "resident-register-daily", provider: "001", format: .csv,
                chunks: ChunkedBytes(bytes: csv, chunkSize: 4096))
            let list = try #require(try await harness.history(HistoryFilter(kind: .provide)).first?.keyList)
            try await harness.expireOldestRecords(
                of: BusTopics.historyKeys, partitions: Array(Set(list.chunks.map(\.partition))))

            let fresh = try await freshIndexer(harness)
            #expect(try await fresh.sync() == 3)
            let items = try await fresh.walk(HistoryFilter(linkage: "resident-register-daily"), limit: 100)
            #expect(items.count == 3)
            #expect(items.allSatisfy { $0.keyListProblem?.contains("no longer in the topic") == true })
            let eleventh = try #require(records[10][0])
            #expect(try await fresh.walk(HistoryFilter(key: eleventh), limit: 100).isEmpty)
        }
    }

    /// A copy of the history whose entries point at a chunk holding other bytes than the SHA-256 they carry: the
    /// entries are indexed, the altered list's keys are not.
    @Test func alteredKeyListChunkIsIndexedWithTheProblem() async throws {
        try await BusHarness.with { harness in
            let (csv, records) = harness.residentsCSV(50)
            _ = try await harness.bus.provideBulk(
                linkage: "resident-register-daily", provider: "001", format: .csv,
                chunks: ChunkedBytes(bytes: csv, chunkSize: 4096))
            let kafka = harness.bus.configuration.kafka
            let topic = try await HistoryReader(bus: harness.bus).readAll().entries
            let list = try #require(topic.first { $0.entry.keyList != nil }?.entry.keyList)
            try #require(list.chunks.count == 1)

            // The same number of keys, other bytes, at a new position of the key topic.
            let producer = try await KafkaProducer.make(configuration: kafka, logger: harness.logger)
            let forged = Array(String(repeating: "0000000000\n", count: list.chunks[0].keys).utf8)
            let landed = try await producer.send([
                KafkaOutgoingMessage(topic: BusTopics.historyKeys, partition: 0, value: forged)
            ])
            try landed.throwIfAnyFailed()
            var altered = list
            altered.chunks[0].partition = landed.positions[0].partition
            altered.chunks[0].offset = landed.positions[0].offset

            let copy = "renkei.history.altered"
            try harness.kafka.createTopic(copy, partitions: 1)
            try await producer.send(
                topic.map { item in
                    var entry = item.entry
                    if entry.keyList != nil { entry.keyList = altered }
                    return KafkaOutgoingMessage(topic: copy, partition: 0, value: entry.serialized())
                }
            ).throwIfAnyFailed()
            await producer.shutdown()
            try await harness.bus.history.sync()

            let fresh = try await freshIndexer(harness, topic: copy)
            #expect(try await fresh.sync() == topic.count)
            let items = try await fresh.walk(HistoryFilter(kind: .provide), limit: 100)
            #expect(items.count == 3)
            #expect(items.allSatisfy { $0.keyListProblem?.contains("altered") == true })
            let eleventh = try #require(records[10][0])
            #expect(try await fresh.walk(HistoryFilter(key: eleventh), limit: 100).isEmpty)
            // The original, unaltered list is still found.
            #expect(try await harness.bus.history.walk(HistoryFilter(key: eleventh), limit: 100).count == 3)
        }
    }

    /// An in-memory index of `topic` with clients of its own, as a command builds one.
    private func freshIndexer(_ harness: BusHarness, topic: String = BusTopics.history) async throws -> HistoryIndexer {
        let kafka = harness.bus.configuration.kafka
        let admin = try KafkaAdmin.make(configuration: kafka, logger: harness.logger)
        let index = try HistoryIndex.open(
            .memory, topic: topic, cluster: try await admin.clusterID(), logger: harness.logger)
        return try HistoryIndexer(index: index, configuration: kafka, logger: harness.logger)
    }
}
