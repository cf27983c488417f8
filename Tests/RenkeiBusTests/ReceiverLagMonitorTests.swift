import Foundation
import RenkeiContracts
import RenkeiKafka
import Synchronization
import Testing

@testable import RenkeiBus

@Suite(.serialized) struct ReceiverLagMonitorTests {
    @Test func aKafkaReceiversLagIsItsGroupsUncommittedRecordsAndFallsToZeroOnceItHandledThem() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (jsonl, _) = harness.residents(5)
            _ = try await harness.bus.provide(
                linkage: "resident-register-daily", provider: "001", records: jsonl, format: .jsonLines)
            let monitor = ReceiverLagMonitor(bus: harness.bus, maxAge: .zero)
            func lag(_ linkage: String, _ receiver: String) async -> ReceiverLag? {
                await monitor.lag().first { $0.linkage == linkage && $0.receiver == receiver }
            }
            // No member of the group ever committed: everything retained is still to be read.
            #expect(
                await lag("resident-register-daily", "018")
                    == ReceiverLag(
                        linkage: "resident-register-daily", receiver: "018", method: .kafka, records: 5))
            #expect(await lag("resident-change", "017")?.records == 0)
            // A pull receiver counts only once it fetched at this instance.
            #expect(await lag("resident-register-daily", "C001") == nil)

            let handled = Mutex(0)
            let receiver = try BusReceiver(bus: harness.bus, linkage: "resident-register-daily", receiver: "018")
            let run = Task { try await receiver.run { _ in handled.withLock { $0 += 1 } } }
            let deadline = ContinuousClock.now + .seconds(20)
            var pending = await lag("resident-register-daily", "018")?.records
            while pending != 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                pending = await lag("resident-register-daily", "018")?.records
            }
            await receiver.shutdown()
            run.cancel()
            _ = await run.result
            #expect(pending == 0)
            #expect(handled.withLock { $0 } == 5)
        }
    }

    @Test func aPullReceiversLagRunsFromTheLastCursorItWasHandedAtThisInstance() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (jsonl, _) = harness.residents(4)
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            let monitor = ReceiverLagMonitor(bus: harness.bus, maxAge: .seconds(60))
            let reader = FeedReader(bus: harness.bus)
            let first = try await reader.read(linkage: "resident-change", receiver: "002", after: .start, limit: 1)
            monitor.fetched(
                linkage: "resident-change", receiver: "002", next: first.next,
                at: Date(timeIntervalSince1970: 1_790_000_000.25))
            #expect(await monitor.lag().first { $0.receiver == "002" }?.records == 3)
            #expect(
                monitor.lastFetches == [
                    PullFetch(linkage: "resident-change", receiver: "002", secondsSince1970: 1_790_000_000.25)
                ])
            // The topic's ends are kept for `maxAge`; the receiver's new cursor counts at once.
            let rest = try await reader.read(linkage: "resident-change", receiver: "002", after: first.next, limit: 10)
            monitor.fetched(linkage: "resident-change", receiver: "002", next: rest.next)
            #expect(await monitor.lag().first { $0.receiver == "002" }?.records == 0)
        }
    }

    @Test(
        arguments: [
            ([:], 7),  // never read: from each partition's oldest retained offset
            ([0: 7, 1: 2], 3),
            ([0: 1], 7),  // below what partition 0 retains: counts from its oldest
            ([0: 12, 1: 3], 0),  // a position past the (cached) end never counts negative
        ] as [([Int32: Int64], Int)])
    func lagCountsOffsetsFromEachPartitionsPositionToItsEnd(positions: [Int32: Int64], expected: Int) {
        let ends: [Int32: KafkaWatermarks] = [
            0: KafkaWatermarks(low: 5, high: 10), 1: KafkaWatermarks(low: 0, high: 2),
        ]
        #expect(ReceiverLag.records(after: positions, ends: ends) == expected)
    }
}
