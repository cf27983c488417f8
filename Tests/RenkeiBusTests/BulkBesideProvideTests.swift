import Foundation
import RenkeiBus
import RenkeiKafka
import Testing

/// A bulk transfer streams beside single provides: its chunks are written outside the transaction and the history
/// gate, and only its manifests, dead letters and history entries take one short transaction at the end.
@Suite(.serialized) struct BulkBesideProvideTests {
    static let linkage = "resident-register-daily"
    static let receivers = ["008", "018", "C001"]

    /// A provide that starts while a transfer streams commits before the transfer can end: the transfer's last
    /// chunk is held back until the provide returned. (Were the provide queued behind the transfer, the guard
    /// below would release the chunk after a while and the order would come out reversed.)
    @Test func singleProvideCommitsWhileATransferStreams() async throws {
        try await BusHarness.with(configure: { $0.bulkChunkBytes = 64 * 1024 }) { harness in
            let (csv, _) = harness.residentsCSV(10_000)
            let chunks = GatedChunks(bytes: csv, chunkSize: 32 * 1024)
            let events = EventLog()
            let transfer = Task {
                let receipt = try await harness.bus.provideBulk(
                    linkage: Self.linkage, provider: "001", format: .csv, chunks: chunks)
                events.append("transfer committed")
                return receipt
            }
            await chunks.reachedLast.wait()
            let guardRelease = Task {
                try await Task.sleep(for: .seconds(20))
                chunks.release.fire()
            }
            let (single, records) = harness.residents(1, seed: 99)
            let provided = try await harness.bus.provide(
                linkage: Self.linkage, provider: "001", records: single, format: .jsonLines)
            events.append("provide committed")
            chunks.release.fire()
            let receipt = try await transfer.value
            guardRelease.cancel()

            #expect(events.all == ["provide committed", "transfer committed"])
            #expect(provided.accepted == 1)
            #expect(receipt.accepted == 10_000)

            // The transfer still delivers every record to every receiver, beside the single record.
            let key = try #require(records[0][0])
            for receiver in Self.receivers {
                let feed = try await harness.feed(Self.linkage, receiver)
                #expect(feed.count == 10_001, "receiver \(receiver)")
                #expect(feed.filter { $0.transferIndex != nil }.count == 10_000, "receiver \(receiver)")
                #expect(
                    feed.contains { String(decoding: $0.value, as: UTF8.self).contains("\"atena_number\":\"\(key)\"") })
            }
            // And its history: one provide entry per receiver, naming the transfer and its record count.
            let transferID = try #require(receipt.transfer?.id)
            let entries = try await harness.history(HistoryFilter(linkage: Self.linkage, kind: .provide))
            let ofTransfer = entries.filter { $0.transfer == transferID }
            #expect(Set(ofTransfer.compactMap(\.receiver)) == Set(Self.receivers))
            #expect(ofTransfer.allSatisfy { $0.recordCount == 10_000 && $0.outcome == "ok" })
            #expect(entries.filter { $0.transfer == nil }.map(\.recordCount) == [1, 1, 1])
        }
    }

    /// Quarantined rows of a transfer that breaks off are not dead-lettered: a dead letter can be replayed, so
    /// one written before the transfer committed would deliver a row of a transfer that delivered nothing.
    @Test func interruptedTransferLeavesNoDeadLettersAndNoProvideHistory() async throws {
        try await BusHarness.with { harness in
            let broken = try Self.withInvalidRows(harness.residentsCSV(4000).csv, rows: [10, 20])
            await #expect {
                try await harness.bus.provideBulk(
                    linkage: Self.linkage, provider: "001", format: .csv,
                    chunks: ChunkedBytes(bytes: broken, chunkSize: 64 * 1024, failAt: 4))
            } throws: { error in
                (error as? ProvideError)?.code == .interrupted
            }
            for receiver in Self.receivers {
                #expect(try await harness.feed(Self.linkage, receiver).isEmpty, "receiver \(receiver)")
            }
            let letters = try await DeadLetterReader(bus: harness.bus).list(DeadLetterFilter(linkage: Self.linkage))
            #expect(letters.isEmpty)
            let entries = try await harness.history(HistoryFilter(linkage: Self.linkage))
            #expect(entries.map(\.kind) == [.refusal])
        }
    }

    /// Dead letters wait in memory for the closing transaction, so their number per transfer is bounded: a
    /// transfer with more invalid rows than that is refused whole.
    @Test func transferWithMoreInvalidRowsThanTheQuarantineHoldsIsRefused() async throws {
        try await BusHarness.with(configure: { $0.maxQuarantinedPerTransfer = 1 }) { harness in
            let broken = try Self.withInvalidRows(harness.residentsCSV(500).csv, rows: [10, 20])
            await #expect {
                try await harness.bus.provideBulk(
                    linkage: Self.linkage, provider: "001", format: .csv,
                    chunks: ChunkedBytes(bytes: broken, chunkSize: 32 * 1024))
            } throws: { error in
                guard let error = error as? ProvideError else { return false }
                return error.code == .invalidRecords && error.invalidCount == 2
            }
            for receiver in Self.receivers {
                #expect(try await harness.feed(Self.linkage, receiver).isEmpty, "receiver \(receiver)")
            }
            let letters = try await DeadLetterReader(bus: harness.bus).list(DeadLetterFilter(linkage: Self.linkage))
            #expect(letters.isEmpty)
        }
    }

    /// `csv` with a 異動年月日 that is no calendar date on the given lines (line 0 is the header).
    static func withInvalidRows(_ csv: [UInt8], rows: [Int]) throws -> [UInt8] {
        var lines = String(decoding: csv, as: UTF8.self).components(separatedBy: "\r\n")
        for row in rows {
            var fields = lines[row].components(separatedBy: ",")
            try #require(fields.count > 5)
            fields[5] = "2026-02-30"
            lines[row] = fields.joined(separator: ",")
        }
        return Array(lines.joined(separator: "\r\n").utf8)
    }
}
