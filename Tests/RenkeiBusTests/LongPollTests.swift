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
            let receipt = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            try await waited
            #expect(ContinuousClock.now < deadline, "woken by the records, not by the deadline")
            // A commit's records in different partitions may reach the follower in separate batches: the first
            // page may hold some of them, and the pages that follow the rest, each exactly once.
            var cursor = empty.next
            var ids: [String] = []
            while ids.count < 3, ContinuousClock.now < deadline {
                let page = try await reader.read(linkage: "resident-change", receiver: "017", after: cursor)
                ids += page.deliveries.map(\.envelope.id)
                cursor = page.next
                if page.deliveries.isEmpty {
                    try await reader.waitForRecords(
                        linkage: "resident-change", receiver: "017", after: cursor, until: .now + .seconds(5))
                }
            }
            #expect(ids.sorted() == receipt.eventIDs.sorted())
            // From the window: the next page is empty and continues where the last one ended.
            let next = try await reader.read(linkage: "resident-change", receiver: "017", after: cursor)
            #expect(next.deliveries.isEmpty)
            #expect(!next.hasMore)
            #expect(next.next == cursor)
        }
    }

    @Test func topicsFollowedLaterDoNotDisturbTheOnesFollowedBefore() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let reader = FeedReader(bus: harness.bus)
            let (first, _) = harness.residents(2, seed: 1)
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: first, format: .jsonLines)
            var cursors: [String: FeedCursor] = [:]
            for receiver in ["017", "018", "002"] {
                let page = try await reader.read(linkage: "resident-change", receiver: receiver, after: .start)
                #expect(page.deliveries.count == 2)
                cursors[receiver] = page.next
                // Following one more topic reassigns the shared follower; the others keep their place.
                try await reader.waitForRecords(
                    linkage: "resident-change", receiver: receiver, after: page.next, until: .now + .milliseconds(10))
            }
            let (second, _) = harness.residents(3, seed: 2)
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: second, format: .jsonLines)
            for receiver in ["017", "018", "002"] {
                let cursor = try #require(cursors[receiver])
                try await reader.waitForRecords(
                    linkage: "resident-change", receiver: receiver, after: cursor, until: .now + .seconds(30))
                var seen = 0
                var next = cursor
                let deadline = ContinuousClock.now + .seconds(30)
                while seen < 3, ContinuousClock.now < deadline {
                    let page = try await reader.read(linkage: "resident-change", receiver: receiver, after: next)
                    seen += page.deliveries.count
                    next = page.next
                    if page.deliveries.isEmpty {
                        try await reader.waitForRecords(
                            linkage: "resident-change", receiver: receiver, after: next, until: .now + .seconds(5))
                    }
                }
                #expect(seen == 3, "receiver \(receiver)")
            }
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
            // At most the reader pool (4) and the one follower of every receiver topic more than before.
            #expect(Bus.openKafkaClients <= before + 5)
        }
    }
}
