public import Foundation
import GRDB

extension HistoryIndex {
    /// Hands every entry from `since` to `until` (both included) to `body`, oldest first (by time, then position in
    /// the topic), a page of `pageSize` at a time: each page is its own read, so memory stays bounded however long
    /// the history is.
    public func walk(
        since: Date, until: Date? = nil, pageSize: Int = 1000,
        _ body: ([HistoryPage.Item]) async throws -> Void
    ) async throws {
        let from = Self.milliseconds(since)
        let to = until.map(Self.milliseconds)
        var after: (time: Int64, position: Int64)?
        while true {
            let snapshot = names.withLock { $0 }
            let last = after
            let items = try await database.read { db in
                var conditions = ["e.time >= ?"]
                var arguments: [any DatabaseValueConvertible] = [from]
                if let to {
                    conditions.append("e.time <= ?")
                    arguments.append(to)
                }
                if let last {
                    // A row-value range the `entries_time` index serves: strictly after the last entry handed over.
                    conditions.append("(e.time, e.position) > (?, ?)")
                    arguments += [last.time, last.position]
                }
                let sql = """
                    SELECT \(Self.columns) FROM entries e WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY e.time, e.position LIMIT \(max(pageSize, 1))
                    """
                var table = snapshot
                return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                    let (entry, problem) = try Self.entry(row, db: db, table: &table)
                    return HistoryPage.Item(
                        offset: row["position"], entry: entry, foundInKeyList: false, keyListProblem: problem)
                }
            }
            guard let final = items.last else { return }
            try await body(items)
            guard items.count >= pageSize else { return }
            after = (Self.milliseconds(final.entry.time), final.offset)
        }
    }

    /// How many entries ``walk(since:until:pageSize:_:)`` would hand over (for progress).
    public func count(since: Date, until: Date? = nil) async throws -> Int {
        let from = Self.milliseconds(since)
        let to = until.map(Self.milliseconds)
        return try await database.read { db in
            guard let to else {
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM entries WHERE time >= ?", arguments: [from]) ?? 0
            }
            return try Int.fetchOne(
                db, sql: "SELECT count(*) FROM entries WHERE time >= ? AND time <= ?", arguments: [from, to]) ?? 0
        }
    }

    /// Up to `limit` keys of the key list `list` (in key order), or none when the index does not hold its keys.
    public func keys(in list: HistoryKeyList, limit: Int) async throws -> [String] {
        let reference = Self.referenceText(list)
        return try await database.read { db in
            guard
                let id = try Int64.fetchOne(
                    db, sql: "SELECT id FROM key_lists WHERE reference = ?", arguments: [reference])
            else { return [] }
            return try String.fetchAll(
                db, sql: "SELECT key FROM list_keys WHERE list = ? LIMIT ?", arguments: [id, max(limit, 0)])
        }
    }
}
