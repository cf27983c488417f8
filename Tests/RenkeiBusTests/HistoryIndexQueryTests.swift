import Foundation
import Logging
import RenkeiKafka
import Synchronization
import Testing

@testable import RenkeiBus

/// The index answers every question as the topic would: each filter, newest first, page by page.
@Suite(.serialized, .timeLimit(.minutes(5))) struct HistoryIndexQueryTests {
    @Test func everyFilterAnswersWhatTheTopicHoldsNewestFirst() async throws {
        try await BusHarness.with { harness in
            let scene = try await HistoryScene.make(harness)
            try await harness.bus.history.sync()
            #expect(scene.topic.count == 16)
            let filters: [(String, HistoryFilter)] =
                [
                    ("everything", HistoryFilter()),
                    ("key listed and in a key list", HistoryFilter(key: scene.sharedKey)),
                    ("key of the quarantined row", HistoryFilter(key: scene.quarantinedKey)),
                    ("key nobody sent", HistoryFilter(key: "999999999999999")),
                    ("linkage resident-change", HistoryFilter(linkage: "resident-change")),
                    ("linkage resident-register-daily", HistoryFilter(linkage: "resident-register-daily")),
                    ("unknown linkage", HistoryFilter(linkage: "no-such-linkage")),
                    ("system 001", HistoryFilter(system: "001")),
                    ("system 018", HistoryFilter(system: "018")),
                    ("system C001, provider and receiver", HistoryFilter(system: "C001")),
                    ("system 008", HistoryFilter(system: "008")),
                    ("outcome ok", HistoryFilter(outcome: "ok")),
                    ("outcome refused", HistoryFilter(outcome: "refused")),
                    ("outcome quarantined", HistoryFilter(outcome: "quarantined")),
                    ("outcome replayed", HistoryFilter(outcome: "replayed")),
                    ("since the first mark", HistoryFilter(since: scene.firstMark)),
                    ("until the first mark", HistoryFilter(until: scene.firstMark)),
                    ("between the marks", HistoryFilter(since: scene.firstMark, until: scene.secondMark)),
                    (
                        "linkage, system, kind and since",
                        HistoryFilter(
                            linkage: "resident-register-daily", system: "018", kind: .provide, since: scene.firstMark)
                    ),
                    ("key and system", HistoryFilter(system: "C001", key: scene.sharedKey)),
                    ("key and kind", HistoryFilter(key: scene.quarantinedKey, kind: .replay)),
                ] + HistoryEntry.Kind.allCases.map { ("kind \($0.rawValue)", HistoryFilter(kind: $0)) }
            for (name, filter) in filters {
                let items = try await harness.bus.history.walk(filter, limit: HistoryQuery.maxLimit)
                #expect(items.map(\.offset) == scene.expected(filter), "\(name)")
            }

            // The oracle is not vacuous: the counts a reader of the scene expects.
            let counts: [(HistoryFilter, Int)] = [
                (HistoryFilter(key: scene.sharedKey), 4 + 3 + 4),
                (HistoryFilter(key: scene.quarantinedKey), 1 + 3),
                (HistoryFilter(system: "C001"), 1 + 2 + 1 + 1),
                (HistoryFilter(kind: .replay), 3),
                (HistoryFilter(since: scene.firstMark, until: scene.secondMark), 1 + 3 + 1),
            ]
            for (filter, count) in counts {
                #expect(try await harness.bus.history.walk(filter, limit: 100).count == count, "\(filter)")
            }
        }
    }

    /// Entries found through a key list say so; entries that list the key themselves do not.
    @Test func keyAnswersSayWhetherTheKeyWasInAKeyList() async throws {
        try await BusHarness.with { harness in
            let scene = try await HistoryScene.make(harness)
            try await harness.bus.history.sync()
            let items = try await harness.bus.history.walk(HistoryFilter(key: scene.sharedKey), limit: 100)
            #expect(items.count == 11)
            for item in items {
                #expect(item.foundInKeyList == (item.entry.transfer != nil), "offset \(item.offset)")
                #expect(item.keyListProblem == nil)
            }
            #expect(items.filter(\.foundInKeyList).compactMap(\.entry.receiver).sorted() == ["008", "018", "C001"])
        }
    }

    /// Small pages, including ones that cut a transaction's entries of the same millisecond apart, walk every
    /// answer exactly once, in order.
    @Test(arguments: [1, 2, 3, 5])
    func pagesWalkEveryAnswerOnce(limit: Int) async throws {
        try await BusHarness.with { harness in
            let scene = try await HistoryScene.make(harness)
            try await harness.bus.history.sync()
            for filter in [HistoryFilter(), HistoryFilter(system: "001"), HistoryFilter(key: scene.sharedKey)] {
                let walked = try await harness.bus.history.walk(filter, limit: limit).map(\.offset)
                #expect(walked == scene.expected(filter), "\(filter) by \(limit)")
                #expect(Set(walked).count == walked.count)
            }
        }
    }

    @Test func cursorTextRoundTripsAndOtherTextIsRejected() {
        let cursor = HistoryCursor(time: 1_767_225_600_123, offset: 42)
        #expect(HistoryCursor(text: cursor.text) == cursor)
        for text in [
            "", "not a cursor!", "%%%", Data("12.x".utf8).base64EncodedString(),
            Data("1.2.3".utf8).base64EncodedString(),
        ] {
            #expect(HistoryCursor(text: text) == nil, "\(text)")
        }
    }

    /// The items of an entry that moves records to a receiver are that receiver's projection in the contracts.
    @Test func entriesNameTheItemsEachReceiverGot() async throws {
        try await BusHarness.with { harness in
            let scene = try await HistoryScene.make(harness)
            let moved = scene.topic.map(\.entry).filter { $0.kind == .provide || $0.kind == .replay }
            // Provides: 4, 3 (the transfer) and 4; replays: 3.
            #expect(moved.count == 14)
            for entry in moved {
                let receiver = try #require(
                    harness.contracts.linkage(entry.linkage)?.receivers.first { $0.system == entry.receiver })
                #expect(entry.items == receiver.items, "\(entry.kind) to \(receiver.system)")
            }
            // C001 gets fewer items than 018 on resident-change: the entries differ, they are not all "all".
            let c001 = try #require(moved.first { $0.linkage == "resident-change" && $0.receiver == "C001" })
            let nhi = try #require(moved.first { $0.linkage == "resident-change" && $0.receiver == "018" })
            #expect((c001.items?.count ?? 0) < (nhi.items?.count ?? 0))
            #expect(c001.items?.contains("my_number") == false)
            // The index gives the items back as the entry holds them.
            let indexed = try await harness.history(HistoryFilter(kind: .provide))
            #expect(indexed.map(\.items) == moved.filter { $0.kind == .provide }.map(\.items))
        }
    }

    /// `behind` counts the offsets written since the indexer's sync began and not yet indexed; 0 once caught up.
    @Test func behindIsZeroAfterASyncAndCountsWhatIsNotYetIndexed() async throws {
        try await BusHarness.with { harness in
            let bus = harness.bus
            let (jsonl, _) = harness.residents(2)
            _ = try await bus.provide(linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            let index = try HistoryIndex.open(
                .memory, topic: BusTopics.history, cluster: try await bus.admin.clusterID(), logger: harness.logger)
            let second = HistoryIndexer(
                index: index, reader: TopicReader(bus: bus), logger: harness.logger, pageSize: 2)
            #expect(second.behind == nil, "unknown before the first sync")
            #expect(try await second.sync() == 4)
            #expect(second.behind == 0)

            for _ in 0..<3 {
                _ = try await bus.provide(
                    linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            }
            let seen = Mutex<[Int64]>([])
            let indexed = try await second.sync { _ in seen.withLock { $0.append(second.behind ?? -1) } }
            #expect(indexed == 12)
            let during = seen.withLock { $0 }
            // Three provides are 12 entries (and their commit markers): the first page of 2 leaves at least 10.
            #expect((during.first ?? 0) >= 10)
            #expect(during.last == 0)
            #expect(during == during.sorted(by: >))
            #expect(second.behind == 0)
            let page = try await second.page(HistoryQuery())
            #expect(page.behind == 0)
            #expect(page.indexedThrough == (try await bus.admin.watermarks(topic: BusTopics.history)[0]?.high))
        }
    }
}
