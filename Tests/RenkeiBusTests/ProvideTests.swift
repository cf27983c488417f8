import Foundation
import RenkeiBus
import RenkeiContracts
import Testing

@Suite(.serialized) struct ProvideTests {
    @Test func eachReceiverGetsExactlyItsItems() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (jsonl, _) = harness.residents(20)
            let receipt = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            #expect(receipt.accepted == 20)
            #expect(receipt.deliveredTo == ["018": 20, "017": 20, "002": 20, "C001": 20])

            let linkage = try #require(harness.contracts.linkage("resident-change"))
            for receiver in linkage.receivers {
                let deliveries = try await harness.feed("resident-change", receiver.system)
                #expect(deliveries.count == 20, "receiver \(receiver.system)")
                let allowed = Set(receiver.items)
                for delivery in deliveries {
                    #expect(
                        delivery.fieldKeys.isSubset(of: allowed),
                        "receiver \(receiver.system) got \(delivery.fieldKeys.subtracting(allowed))")
                    #expect(delivery.envelope.receiver == receiver.system)
                    #expect(delivery.envelope.purpose == receiver.purpose)
                }
                #expect(Set(deliveries.map(\.envelope.id)) == Set(receipt.eventIDs))
            }
        }
    }

    /// Reads the outbound topics as raw bytes: 個人番号 appears only on mynumber-zone receivers' topics.
    @Test func myNumberReachesOnlyMynumberZoneTopics() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (jsonl, records) = harness.residents(30)
            let myNumberIndex = try #require(harness.layout.index(of: "my_number"))
            let myNumbers = records.compactMap { $0[myNumberIndex] }.filter { !$0.isEmpty }
            #expect(myNumbers.count > 10)
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)

            for receiver in try #require(harness.contracts.linkage("resident-change")).receivers {
                let raw = try await harness.feed("resident-change", receiver.system).map {
                    String(decoding: $0.value, as: UTF8.self)
                }
                let zone = try #require(harness.contracts.system(receiver.system)).zone
                let leaked = myNumbers.filter { number in raw.contains { $0.contains(number) } }
                if zone == .mynumber && receiver.items.contains("my_number") {
                    #expect(leaked.count == myNumbers.count, "receiver \(receiver.system) should get every 個人番号")
                } else {
                    #expect(leaked.isEmpty, "receiver \(receiver.system) got 個人番号")
                    #expect(!raw.contains { $0.contains("\"my_number\"") })
                }
            }
        }
    }

    @Test func undeclaredProviderIsRefusedAndRecorded() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (jsonl, _) = harness.residents(3)
            await #expect {
                try await harness.bus.provide(
                    linkage: "resident-change", provider: "C001", records: jsonl, format: .jsonLines)
            } throws: { error in
                (error as? ProvideError)?.code == .notTheProvider
            }
            let feed = try await harness.feed("resident-change", "018")
            #expect(feed.isEmpty)
            let refusals = try await harness.history(HistoryFilter(linkage: "resident-change", kind: .refusal))
            #expect(refusals.count == 1)
            #expect(refusals.first?.provider == "C001")
            #expect(refusals.first?.reason == "not-the-provider")
        }
    }

    @Test func invalidRecordRejectsTheWholeSubmissionUnderReject() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (jsonl, _) = harness.residents(5)
            var lines = String(decoding: jsonl, as: UTF8.self).split(separator: "\n").map(String.init)
            lines[2] = lines[2].replacingOccurrences(of: #""sex":"1""#, with: #""sex":"7""#)
                .replacingOccurrences(of: #""sex":"2""#, with: #""sex":"7""#)
            let broken = Array(lines.joined(separator: "\n").utf8)
            await #expect {
                try await harness.bus.provide(
                    linkage: "resident-change", provider: "001", records: broken, format: .jsonLines)
            } throws: { error in
                guard let error = error as? ProvideError else { return false }
                return error.code == .invalidRecords && error.invalidCount == 1
                    && error.recordErrors.map(\.record) == [3]
                    && error.recordErrors.first?.reason.rawValue == "unknown-code"
            }
            let feed = try await harness.feed("resident-change", "018")
            #expect(feed.isEmpty)
        }
    }

    @Test func historyListsWhoReceivedWhatAboutAResident() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (jsonl, records) = harness.residents(4)
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            let key = try #require(records[1][0])
            let entries = try await harness.history(HistoryFilter(key: key))
            #expect(Set(entries.compactMap(\.receiver)) == ["018", "017", "002", "C001"])
            #expect(entries.allSatisfy { $0.contract == "resident-record@1.0" && $0.outcome == "ok" })
            let verification = try await HistoryReader(bus: harness.bus).verify()
            #expect(verification.isIntact)
            #expect(verification.entries == 4)
        }
    }
}
