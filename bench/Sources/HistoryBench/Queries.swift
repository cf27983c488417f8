import Foundation
import RenkeiBus
import RenkeiSynthetic

/// Questions to the built index through ``HistoryIndex/page(_:)``, one at a time, each timed from the call to the
/// decoded page: random residents by key (transfers' key lists included), and the 100 newest entries of a
/// linkage, a system and a rare kind.
enum Queries {
    static func run(index: HistoryIndex, shape: HistoryShape, lookups: Int, pageQueries: Int) async throws {
        var random = SplitMix64(seed: shape.seed &+ 1)
        var times: [Double] = []
        var (answers, fromLists, truncated) = (0, 0, 0)
        for _ in 0..<lookups {
            let key = HistoryShape.key(random.int(below: shape.residents))
            let (page, seconds) = try await Measure.time {
                try await index.page(HistoryQuery(filter: HistoryFilter(key: key), limit: 100))
            }
            times.append(seconds)
            answers += page.items.count
            fromLists += page.items.filter(\.foundInKeyList).count
            if page.next != nil { truncated += 1 }
        }
        print(
            "key-lookup  \(Measure.latencies(times))  (goal p99 <= 20 ms); "
                + String(
                    format: "%.1f entries per resident, %.1f of them through transfers' key lists; %d pages full",
                    Double(answers) / Double(max(lookups, 1)), Double(fromLists) / Double(max(lookups, 1)),
                    truncated))

        let newest: [(String, [HistoryFilter])] = [
            (
                "linkage",
                ["resident-change", "resident-register-daily", "resident-query"].map { HistoryFilter(linkage: $0) }
            ),
            ("system", ["001", "017", "018", "C001", "008"].map { HistoryFilter(system: $0) }),
            ("kind=replay", [HistoryFilter(kind: .replay)]),
        ]
        for (name, filters) in newest {
            var times: [Double] = []
            var sizes: [Int] = []
            for round in 0..<pageQueries {
                let filter = filters[round % filters.count]
                let (page, seconds) = try await Measure.time {
                    try await index.page(HistoryQuery(filter: filter, limit: 100))
                }
                times.append(seconds)
                sizes.append(page.items.count)
            }
            print("newest-100 \(name)  \(Measure.latencies(times))  (goal <= 20 ms; \(describe(filters, sizes)))")
            if filters.count > 1 { printEach(filters, times) }
        }

        // The same pages ending at a random time over the 7 years (jumping into the past: less of it is cached).
        let start = Date(timeIntervalSince1970: 1_554_076_800)
        let span = shape.years * 365.25 * 86_400
        for (name, filters) in newest {
            var times: [Double] = []
            for round in 0..<pageQueries {
                var filter = filters[round % filters.count]
                filter.until = start.addingTimeInterval(Double(random.int(below: Int(span))))
                let (_, seconds) = try await Measure.time {
                    try await index.page(HistoryQuery(filter: filter, limit: 100))
                }
                times.append(seconds)
            }
            print("until-random-100 \(name)  \(Measure.latencies(times))")
            if filters.count > 1 { printEach(filters, times) }
        }
    }

    /// p50 and max of each filter's pages (they were asked in turn).
    private static func printEach(_ filters: [HistoryFilter], _ times: [Double]) {
        let names = filters.map { $0.linkage ?? $0.system ?? $0.kind?.rawValue ?? "?" }
        let parts = names.indices.map { index in
            let own = stride(from: index, to: times.count, by: filters.count).map { times[$0] * 1000 }
            return "\(names[index]) " + String(format: "p50 %.2f max %.2f", Measure.median(own), own.max() ?? .nan)
        }
        print("           each (ms): " + parts.joined(separator: "; "))
    }

    private static func describe(_ filters: [HistoryFilter], _ sizes: [Int]) -> String {
        let names = filters.map { $0.linkage ?? $0.system ?? $0.kind?.rawValue ?? "?" }
        let counts = (0..<filters.count).map { sizes.count > $0 ? sizes[$0] : 0 }
        return "entries per page: " + zip(names, counts).map { "\($0) \($1)" }.joined(separator: ", ")
    }
}
