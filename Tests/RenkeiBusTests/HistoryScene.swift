import Foundation
import RenkeiContracts
import Testing

@testable import RenkeiBus

/// A history with a little of everything, written by a real bus: provides, a refusal, a bulk transfer with a
/// quarantined row, its replay by a second instance, and two marks in time between them. Expected answers are
/// worked out here from the entries the topic holds, independently of the index's SQL.
struct HistoryScene {
    /// Every entry the history topic holds, with its offset, in topic order.
    var topic: [(offset: Int64, entry: HistoryEntry)]
    /// The keys of the transfer's valid rows (its key list), and the key of its quarantined row.
    var transferKeys: Set<String>
    var quarantinedKey: String
    /// A key listed in the provides' entries and also in the transfer's key list.
    var sharedKey: String
    /// Taken between the first provide and the refusal, and between the transfer and the replay.
    var firstMark: Date
    var secondMark: Date

    static func make(_ harness: BusHarness) async throws -> HistoryScene {
        let bus = harness.bus
        let (first, firstRecords) = harness.residents(3)
        _ = try await bus.provide(linkage: "resident-change", provider: "001", records: first, format: .jsonLines)
        let firstMark = try await mark()
        await #expect(throws: ProvideError.self) {
            try await bus.provide(linkage: "resident-change", provider: "C001", records: first, format: .jsonLines)
        }

        // Row 7 (record 6) carries a nationality code the contracts do not know: quarantined, then replayed by an
        // instance whose contracts know it.
        let (csv, records) = harness.residentsCSV(50)
        var lines = String(decoding: csv, as: UTF8.self).components(separatedBy: "\r\n")
        var fields = lines[7].components(separatedBy: ",")
        fields[try #require(harness.layout.index(of: "nationality_code"))] = "999"
        lines[7] = fields.joined(separator: ",")
        let receipt = try await bus.provideBulk(
            linkage: "resident-register-daily", provider: "001", format: .csv,
            chunks: ChunkedBytes(bytes: Array(lines.joined(separator: "\r\n").utf8), chunkSize: 4096))
        try #require(receipt.quarantined == 1)
        let secondMark = try await mark()

        let letter = try #require(
            try await DeadLetterReader(bus: bus).list(DeadLetterFilter(reason: "unknown-code")).first)
        let fixed = try ReplayTests.contractsWithNationality("999", from: BusHarness.contractsDirectory)
        defer { try? FileManager.default.removeItem(atPath: fixed) }
        var configuration = bus.configuration
        configuration.instance += "-fixed"
        configuration.dataDirectory = nil
        let replayer = try await Bus.start(
            contracts: try ContractLoader.load(directory: fixed), configuration: configuration, logger: harness.logger)
        let replayed = try await replayer.replay(letter.reference, dryRun: false)
        await replayer.shutdown()
        try #require(replayed.performed)

        let (second, _) = harness.residents(2, seed: 9)
        _ = try await bus.provide(linkage: "resident-change", provider: "001", records: second, format: .jsonLines)

        let keys = records.map { $0[0] ?? "" }
        let topic = try await HistoryReader(bus: bus).readAll().entries
        return HistoryScene(
            topic: topic, transferKeys: Set(keys).subtracting([keys[6]]), quarantinedKey: keys[6],
            sharedKey: try #require(firstRecords[1][0]), firstMark: firstMark, secondMark: secondMark)
    }

    /// A time strictly between the entries written before and after it.
    private static func mark() async throws -> Date {
        try await Task.sleep(for: .milliseconds(30))
        let now = Date()
        try await Task.sleep(for: .milliseconds(30))
        return now
    }

    /// Whether `entry` answers `filter`, decided here without the index.
    func matches(_ entry: HistoryEntry, _ filter: HistoryFilter) -> Bool {
        if let linkage = filter.linkage, entry.linkage != linkage { return false }
        if let system = filter.system, entry.provider != system && entry.receiver != system { return false }
        if let kind = filter.kind, entry.kind != kind { return false }
        if let outcome = filter.outcome, entry.outcome != outcome { return false }
        if let since = filter.since, entry.time < since { return false }
        if let until = filter.until, entry.time > until { return false }
        if let key = filter.key {
            let inList = entry.keyList != nil && transferKeys.contains(key)
            if !entry.keys.contains(key) && !inList { return false }
        }
        return true
    }

    /// The offsets answering `filter`, newest first (time, then position in the topic).
    func expected(_ filter: HistoryFilter) -> [Int64] {
        topic.filter { matches($0.entry, filter) }
            .sorted { a, b in
                let (ta, tb) = (HistoryIndex.milliseconds(a.entry.time), HistoryIndex.milliseconds(b.entry.time))
                return ta != tb ? ta > tb : a.offset > b.offset
            }
            .map(\.offset)
    }
}

extension HistoryIndexer {
    /// Every answer to `filter`, page after page of `limit`, in the order the pages give them; fails the test when
    /// a page is longer than `limit` or a cursor repeats.
    func walk(_ filter: HistoryFilter, limit: Int) async throws -> [HistoryPage.Item] {
        var items: [HistoryPage.Item] = []
        var cursor: HistoryCursor?
        var seen: Set<HistoryCursor> = []
        repeat {
            let page = try await page(HistoryQuery(filter: filter, limit: limit, cursor: cursor))
            #expect(page.items.count <= limit)
            items += page.items
            cursor = page.next
            if let cursor {
                #expect(!page.items.isEmpty, "a page with a next cursor has entries")
                guard seen.insert(cursor).inserted else {
                    Issue.record("cursor \(cursor.text) came back twice")
                    return items
                }
            }
        } while cursor != nil
        return items
    }
}
