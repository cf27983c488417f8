import Foundation
import RenkeiKafka
import Testing

@testable import RenkeiBus

@Suite(.serialized) struct ProvideGroupTests {
    /// Provides arriving together share transactions, and each is still delivered whole, acknowledged on its own
    /// and written to one unbroken history chain.
    @Test func concurrentProvidesShareTransactionsAndEachIsDeliveredWhole() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let lines = String(decoding: harness.residents(24).jsonl, as: UTF8.self).split(separator: "\n")
            let receipts = try await withThrowingTaskGroup(of: ProvideReceipt.self) { group in
                for line in lines {
                    group.addTask {
                        try await harness.bus.provide(
                            linkage: "resident-change", provider: "001", records: Array(line.utf8), format: .json)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(receipts.count == 24)
            #expect(receipts.allSatisfy { $0.accepted == 1 })
            #expect(Set(receipts.flatMap(\.eventIDs)).count == receipts.flatMap(\.eventIDs).count)
            let groups = harness.bus.provideGroups.groupsCommitted
            #expect(groups >= 1 && groups < 24, "24 concurrent provides took \(groups) transactions")

            let feed = try await harness.feed("resident-change", "018")
            #expect(feed.count == 24)
            #expect(Set(feed.compactMap(\.key)).count == 24)
            let history = try HistoryReader(configuration: harness.bus.configuration.kafka, logger: harness.logger)
            let report = try await history.verify()
            #expect(report.isIntact, "\(report.problems)")
            #expect(report.entries == 24 * 4)
        }
    }
}
