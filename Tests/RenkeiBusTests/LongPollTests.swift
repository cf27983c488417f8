import Foundation
import RenkeiBus
import Synchronization
import Testing

/// Long polls wait on the receiver topic's follower: woken by a commit, served from its window, and no librdkafka
/// client is made per request.
@Suite(.serialized) struct LongPollTests {
    @Test func aWaitingPollIsWokenByTheCommitNotByItsDeadline() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let reader = FeedReader(bus: harness.bus)
            let empty = try await reader.read(linkage: "resident-change", receiver: "017", after: .start)
            #expect(empty.deliveries.isEmpty)
            let deadline = ContinuousClock.now + .seconds(60)
            let woken = Atomic<Bool>(false)
            async let waited: Void = {
                try await reader.waitForRecords(
                    linkage: "resident-change", receiver: "017", after: empty.next, until: deadline)
                woken.store(true, ordering: .relaxed)
            }()
            try await Task.sleep(for: .milliseconds(500))
            let wokenEarly = woken.load(ordering: .relaxed)
            #expect(!wokenEarly, "nothing was provided yet")
            let (jsonl, _) = harness.residents(3)
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            try await waited
            #expect(ContinuousClock.now < deadline, "woken by the records, not by the deadline")
            let page = try await reader.read(linkage: "resident-change", receiver: "017", after: empty.next)
            #expect(page.deliveries.count == 3)
            #expect(!page.hasMore)
            // From the window: the next page is empty and continues where this one ended.
            let next = try await reader.read(linkage: "resident-change", receiver: "017", after: page.next)
            #expect(next.deliveries.isEmpty)
            #expect(next.next == page.next)
        }
    }

    @Test func manyReadsShareAFixedNumberOfClients() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (jsonl, _) = harness.residents(5)
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            let reader = FeedReader(bus: harness.bus)
            _ = try await reader.read(linkage: "resident-change", receiver: "002", after: .start)
            let before = Bus.openKafkaClients
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let receiver = ["002", "017", "018", "C001"][index % 4]
                        let page = try await reader.read(linkage: "resident-change", receiver: receiver, after: .start)
                        try await reader.waitForRecords(
                            linkage: "resident-change", receiver: receiver, after: page.next,
                            until: .now + .milliseconds(50))
                        return page.deliveries.count
                    }
                }
                for try await count in group { #expect(count == 5) }
            }
            // At most the reader pool (4) and one follower per receiver topic (4) more than before.
            #expect(Bus.openKafkaClients <= before + 8)
        }
    }
}
