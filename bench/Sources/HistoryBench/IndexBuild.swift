import Foundation
import RenkeiBus
import RenkeiContracts

/// Generates the history page by page and feeds each page to ``HistoryIndex/index(_:keyLists:next:)``, timing
/// only that call. Pages that carry a new key list are timed apart, and every tenth page is also decoded alone
/// (`HistoryEntry(serialized:)`, the decoder `index` uses) to split the time between decoding and SQLite.
struct IndexBuild {
    var entries = 0
    var seconds = 0.0
    var listPages = (entries: 0, keys: 0, seconds: 0.0)
    var decode = (entries: 0, seconds: 0.0)
    var generateSeconds = 0.0
    /// Building the lookup indexes once at the end (the load runs without them, as a rebuild does); counted in
    /// `seconds`.
    var lookupSeconds = 0.0
    var kinds: [HistoryEntry.Kind: Int] = [:]
    /// The last entries as the topic holds them (value, key), to end the topic with.
    var tail: [(value: [UInt8], key: String)] = []

    static func run(
        index: HistoryIndex, shape: HistoryShape, contracts: ContractSet, pageSize: Int, tail: Int
    ) async throws -> IndexBuild {
        var build = IndexBuild()
        var generator = HistoryGenerator(shape: shape, contracts: contracts)
        var pages = 0
        var nextReport = 1_000_000
        let started = ContinuousClock.now
        // As the indexer does for a large backlog: load without the lookup indexes, build them once at the end.
        let (_, dropSeconds) = try await Measure.time { try await index.dropLookupIndexes() }
        build.seconds += dropSeconds
        while true {
            let (generated, generateSeconds) = await Measure.time { generator.nextPage(size: pageSize) }
            guard let page = generated else { break }
            build.generateSeconds += generateSeconds
            let next = page.messages.last!.offset + 1
            let (added, seconds) = try await Measure.time {
                try await index.index(page.messages, keyLists: page.keyLists, next: next)
            }
            precondition(added == page.messages.count, "indexed \(added) of \(page.messages.count)")
            build.entries += added
            build.seconds += seconds
            if !page.keyLists.isEmpty {
                build.listPages.entries += added
                build.listPages.keys += page.listKeys
                build.listPages.seconds += seconds
            }
            if pages % 10 == 0 {
                let (_, decodeSeconds) = await Measure.time {
                    for message in page.messages { precondition(HistoryEntry(serialized: message.value) != nil) }
                }
                build.decode.entries += page.messages.count
                build.decode.seconds += decodeSeconds
            }
            if next > shape.entries - tail {
                for (message, chain) in zip(page.messages, page.chains) where message.offset >= shape.entries - tail {
                    build.tail.append((message.value, chain))
                }
            }
            pages += 1
            if build.entries >= nextReport {
                nextReport += 1_000_000
                let (rss, _) = Measure.memory()
                print(
                    String(
                        format: "progress %d entries, %.0f s elapsed, index %.0f entries/s, generator %.0f entries/s, "
                            + "VmRSS %.0f MiB", build.entries, Measure.seconds(ContinuousClock.now - started),
                        Double(build.entries) / build.seconds, Double(build.entries) / build.generateSeconds, rss))
            }
        }
        let (_, lookupSeconds) = try await Measure.time { try await index.createLookupIndexes() }
        build.lookupSeconds = lookupSeconds
        build.seconds += lookupSeconds
        print(String(format: "lookups  built in %.1f s after the load", lookupSeconds))
        build.kinds = generator.kinds
        return build
    }

    func report(directory: String) {
        let kindText = HistoryEntry.Kind.allCases.map { "\($0.rawValue) \(kinds[$0] ?? 0)" }.joined(separator: ", ")
        print("entries  \(kindText)")
        let plain = (entries: entries - listPages.entries, seconds: seconds - listPages.seconds)
        let decodeRate = Double(decode.entries) / decode.seconds
        print(
            String(
                format: "index-build  %d entries in %.1f s = %.0f entries/s overall (goal >= 200000); "
                    + "generating them took %.1f s more (not counted)", entries, seconds, Double(entries) / seconds,
                generateSeconds))
        print(
            String(
                format: "index-build  pages without key lists: %d entries in %.1f s = %.0f entries/s; of which "
                    + "JSON decoding (HistoryEntry(serialized:), measured on every 10th page: %.0f entries/s) "
                    + "~%.1f s, SQLite and the rest ~%.1f s", plain.entries, plain.seconds,
                Double(plain.entries) / plain.seconds, decodeRate, Double(plain.entries) / decodeRate,
                plain.seconds - Double(plain.entries) / decodeRate))
        if listPages.keys > 0 {
            let entryCost = Double(listPages.entries) * plain.seconds / Double(max(plain.entries, 1))
            print(
                String(
                    format: "index-build  pages with key lists: %d entries + %d key-list keys in %.1f s; "
                        + "the keys alone (less the entries at the plain rate) %.1f s = %.0f keys/s", listPages.entries,
                    listPages.keys, listPages.seconds, listPages.seconds - entryCost,
                    Double(listPages.keys) / (listPages.seconds - entryCost)))
        }
        let bytes = Measure.fileBytes(directory: directory)
        print(
            String(
                format: "index-file  %.2f GB (%.0f bytes/entry with the key lists)", Double(bytes) / 1e9,
                Double(bytes) / Double(max(entries, 1))))
    }
}
