import Crypto
import Foundation
import RenkeiBus
import RenkeiContracts
import RenkeiKafka
import Testing

@Suite(.serialized) struct BulkTransferTests {
    @Test func completedTransferMatchesItsManifest() async throws {
        // Small chunks, so the transfer spans several and the chunk-list hash covers more than one digest.
        try await BusHarness.with(configure: { $0.bulkChunkBytes = 64 * 1024 }, checkCompletedTransfer)
    }

    private func checkCompletedTransfer(_ harness: BusHarness) async throws {
        do {
            let (csv, records) = harness.residentsCSV(3000)
            let receipt = try await harness.bus.provideBulk(
                linkage: "resident-register-daily", provider: "001", format: .csv,
                chunks: ChunkedBytes(bytes: csv, chunkSize: 64 * 1024))
            #expect(receipt.accepted == 3000)
            let transfer = try #require(receipt.transfer)
            for receiver in try #require(harness.contracts.linkage("resident-register-daily")).receivers {
                let manifest = try #require(transfer.manifests[receiver.system])
                let feed = try await harness.feed("resident-register-daily", receiver.system)
                #expect(feed.count == 3000)
                #expect(manifest.records == 3000)
                // The delivered lines, cut at the chunks' record counts, are exactly what the chunk hashes cover,
                // and the chunk-list hash covers those digests in order.
                var lines = feed.map { $0.value + [UInt8(0x0A)] }[...]
                var digests: [UInt8] = []
                for chunk in manifest.chunks {
                    let digest = SHA256.hash(data: Array(lines.prefix(chunk.records).joined()))
                    lines = lines.dropFirst(chunk.records)
                    #expect(hex(digest) == chunk.sha256)
                    digests += Array(digest)
                }
                #expect(lines.isEmpty)
                #expect(manifest.chunks.count > 1)
                #expect(hex(SHA256.hash(data: digests)) == manifest.chunkListSHA256)
                #expect(feed.allSatisfy { $0.fieldKeys.isSubset(of: Set(receiver.items)) })
                #expect(feed.map { $0.transferIndex ?? -1 } == Array(0..<3000))
                // Records keep their input order.
                let firstKey = try #require(records[0][0])
                #expect(String(decoding: feed[0].value, as: UTF8.self).contains("\"atena_number\":\"\(firstKey)\""))
            }
        }
    }

    /// A manifest whose chunk list was reordered (each chunk still matching its own hash) fails the feed, naming
    /// the transfer, instead of delivering the records out of order.
    @Test func reorderedManifestFailsTheFeedNamingTheTransfer() async throws {
        try await BusHarness.with(configure: { $0.bulkChunkBytes = 64 * 1024 }) { harness in
            let (csv, _) = harness.residentsCSV(3000)
            let receipt = try await harness.bus.provideBulk(
                linkage: "resident-register-daily", provider: "001", format: .csv,
                chunks: ChunkedBytes(bytes: csv, chunkSize: 64 * 1024))
            var forged = try #require(receipt.transfer?.manifests["018"])
            try #require(forged.chunks.count > 1)
            forged.chunks.reverse()
            forged.transfer = "forged-transfer"
            let envelope = Envelope(
                source: Envelope.source(system: "001"), type: .transferManifest, linkage: "resident-register-daily",
                receiver: "018", transfer: forged.transfer)
            let producer = try await KafkaProducer.make(
                configuration: harness.kafka.configuration, logger: harness.logger)
            try await producer.send([
                KafkaOutgoingMessage(
                    topic: BusTopics.outbound(linkage: "resident-register-daily", receiver: "018"),
                    key: Array(forged.transfer.utf8), value: forged.encoded(), headers: envelope.headers)
            ]).throwIfAnyFailed()
            await producer.shutdown()

            await #expect {
                _ = try await harness.feed("resident-register-daily", "018")
            } throws: { error in
                (error as? TransferIntegrityError)?.transfer == "forged-transfer"
            }
        }
    }

    /// The provider's stream breaks midway: chunks already reached the bulk topics, but without a manifest no
    /// receiver ever sees them.
    @Test func interruptedTransferIsNeverDelivered() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (csv, _) = harness.residentsCSV(4000)
            await #expect {
                try await harness.bus.provideBulk(
                    linkage: "resident-register-daily", provider: "001", format: .csv,
                    chunks: ChunkedBytes(bytes: csv, chunkSize: 128 * 1024, failAt: 6))
            } throws: { error in
                (error as? ProvideError)?.code == .interrupted
            }
            let admin = try KafkaAdmin.make(configuration: harness.bus.configuration.kafka, logger: harness.logger)
            let bulk = try await admin.watermarks(
                topic: BusTopics.bulk(linkage: "resident-register-daily", receiver: "008"))
            #expect(bulk.values.contains { $0.high > $0.low }, "chunks were written before the interruption")
            for receiver in ["008", "018", "C001"] {
                let feed = try await harness.feed("resident-register-daily", receiver)
                #expect(feed.isEmpty, "receiver \(receiver) saw an interrupted transfer")
            }
            let refusals = try await harness.history(HistoryFilter(kind: .refusal))
            #expect(refusals.map(\.reason) == ["interrupted"])
        }
    }

    @Test func invalidRowsAreQuarantinedAndTheRestDelivered() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (csv, _) = harness.residentsCSV(500)
            var lines = String(decoding: csv, as: UTF8.self).components(separatedBy: "\r\n")
            // Rows 10 and 20 (lines 11 and 21 after the header): a 異動年月日 that is no calendar date.
            for line in [10, 20] {
                var fields = lines[line].components(separatedBy: ",")
                fields[5] = "2026-02-30"
                lines[line] = fields.joined(separator: ",")
            }
            let broken = Array(lines.joined(separator: "\r\n").utf8)
            let receipt = try await harness.bus.provideBulk(
                linkage: "resident-register-daily", provider: "001", format: .csv,
                chunks: ChunkedBytes(bytes: broken, chunkSize: 32 * 1024))
            #expect(receipt.accepted == 498)
            #expect(receipt.quarantined == 2)
            let delivered = try await harness.feed("resident-register-daily", "008")
            #expect(delivered.count == 498)
            let letters = try await DeadLetterReader(bus: harness.bus).list(
                DeadLetterFilter(linkage: "resident-register-daily"))
            #expect(letters.map(\.row) == [10, 20])
            #expect(letters.allSatisfy { $0.stage == "ingest" && $0.reasons == ["bad-date"] })
            #expect(letters.allSatisfy { !$0.message.contains("2026-02-30") })
        }
    }

    @Test func invalidRowAbortsATransferUnderReject() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (csv, _) = harness.residentsCSV(300)
            var text = String(decoding: csv, as: UTF8.self)
            text += "999,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n"
            await #expect {
                try await harness.bus.provideBulk(
                    linkage: "resident-change", provider: "001", format: .csv,
                    chunks: ChunkedBytes(bytes: Array(text.utf8), chunkSize: 16 * 1024))
            } throws: { error in
                guard let error = error as? ProvideError else { return false }
                return error.code == .invalidRecords && error.invalidCount == 1
                    && error.recordErrors.allSatisfy { $0.record == 301 }
            }
            for receiver in ["018", "017", "002", "C001"] {
                let feed = try await harness.feed("resident-change", receiver)
                #expect(feed.isEmpty)
            }
        }
    }
}

/// Lowercase hexadecimal of a digest, written here independently of the bus's own.
private func hex(_ digest: some Sequence<UInt8>) -> String {
    digest.map { String(format: "%02x", $0) }.joined()
}
