public import Foundation
import GRDB

extension HistoryIndexer {
    /// What each linkage did to each receiver from `since` to `until` (both included; no end when `nil`), by kind:
    /// entries, records and the newest time, from the index as it stands (call ``catchUp(within:)`` first for
    /// fresh answers). Sorted by linkage, receiver (none first), then kind.
    public func activity(since: Date, until: Date? = nil) async throws -> [LinkageActivity] {
        try await index.activity(since: since, until: until)
    }

    /// The time of the newest `delivery` entry of `linkage` to `receiver` the index holds (replays are not
    /// deliveries), or `nil` when there is none.
    public func lastDelivery(linkage: String, receiver: String) async throws -> Date? {
        try await index.lastDelivery(linkage: linkage, receiver: receiver)
    }

    /// For dead-letter references (`topic/partition/offset`, as ``HistoryEntry/deadLetter`` holds them), the time
    /// of the newest replay of each one that was replayed; references never replayed are absent. Reads the index as
    /// it stands: the caller decides whether to ``catchUp(within:)`` first.
    public func replays(of references: [String]) async throws -> [String: Date] {
        try await index.replays(of: references)
    }
}

extension HistoryIndex {
    /// References per statement of ``replays(of:)``: well under SQLite's limit on bound parameters.
    static let replayChunk = 500

    /// One pass over the period's range of `entries(time)`, grouped; names are joined from `names` in the same
    /// read, so a name another process indexed first is found.
    static func activitySQL(until: Bool) -> String {
        """
        SELECT l.name AS linkage, r.name AS receiver, k.name AS kind, g.entries, g.records, g.last
        FROM (
            SELECT e.linkage, e.receiver, e.kind, count(*) AS entries, sum(e.record_count) AS records,
                max(e.time) AS last
            FROM entries e WHERE e.time >= ?\(until ? " AND e.time <= ?" : "")
            GROUP BY e.linkage, e.receiver, e.kind
        ) g
        JOIN names l ON l.id = g.linkage
        JOIN names k ON k.id = g.kind
        LEFT JOIN names r ON r.id = g.receiver
        """
    }

    /// A backward walk of the receiver's `entries(receiver, time)`: the unary `+` keeps SQLite from choosing the
    /// linkage's or the kind's index instead, whose walks are longer for a busy linkage or kind.
    static let lastDeliverySQL = """
        SELECT e.time FROM entries e
        WHERE e.receiver = (SELECT id FROM names WHERE name = ?)
            AND +e.linkage = (SELECT id FROM names WHERE name = ?)
            AND +e.kind = (SELECT id FROM names WHERE name = ?)
        ORDER BY e.time DESC LIMIT 1
        """

    /// Replays of up to ``replayChunk`` dead letters, through the partial `entries(dead_letter)` index.
    static func replaysSQL(count: Int) -> String {
        """
        SELECT e.dead_letter, max(e.time) AS last FROM entries e
        WHERE e.dead_letter IN (\(Array(repeating: "?", count: count).joined(separator: ", ")))
            AND e.kind = (SELECT id FROM names WHERE name = ?)
        GROUP BY e.dead_letter
        """
    }

    func activity(since: Date, until: Date?) async throws -> [LinkageActivity] {
        var arguments = [Self.milliseconds(since)]
        if let until { arguments.append(Self.milliseconds(until)) }
        let rows = try await database.read { db in
            try Row.fetchAll(db, sql: Self.activitySQL(until: until != nil), arguments: StatementArguments(arguments))
        }
        return rows.compactMap { row -> LinkageActivity? in
            // A kind this build does not know (written by a newer one) is left out rather than miscounted.
            guard let kind = HistoryEntry.Kind(rawValue: row["kind"]) else { return nil }
            return LinkageActivity(
                linkage: row["linkage"], receiver: row["receiver"], kind: kind, entries: row["entries"],
                records: row["records"], last: Self.date(milliseconds: row["last"]))
        }.sorted { left, right in
            (left.linkage, left.receiver ?? "", left.kind.rawValue)
                < (right.linkage, right.receiver ?? "", right.kind.rawValue)
        }
    }

    func lastDelivery(linkage: String, receiver: String) async throws -> Date? {
        let time = try await database.read { db in
            try Int64.fetchOne(
                db, sql: Self.lastDeliverySQL, arguments: [receiver, linkage, HistoryEntry.Kind.delivery.rawValue])
        }
        return time.map(Self.date(milliseconds:))
    }

    func replays(of references: [String]) async throws -> [String: Date] {
        let unique = Array(Set(references))
        guard !unique.isEmpty else { return [:] }
        let found = try await database.read { db in
            var found: [String: Int64] = [:]
            for start in stride(from: 0, to: unique.count, by: Self.replayChunk) {
                let chunk = unique[start..<min(start + Self.replayChunk, unique.count)]
                let arguments = Array(chunk) + [HistoryEntry.Kind.replay.rawValue]
                for row in try Row.fetchAll(
                    db, sql: Self.replaysSQL(count: chunk.count), arguments: StatementArguments(arguments))
                {
                    found[row["dead_letter"]] = row["last"]
                }
            }
            return found
        }
        return found.mapValues(Self.date(milliseconds:))
    }
}

extension HistoryIndex {
    /// SQLite's plan for `sql` (parameters left unbound), one step a line: lets tests hold each question to the
    /// index it is meant to walk.
    func queryPlan(_ sql: String) async throws -> String {
        try await database.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }
                .joined(separator: "\n")
        }
    }
}
