import Foundation
import GRDB

extension HistoryIndex {
    /// The entries that answer `query`, newest first (by time, then by position in the topic), one page.
    func query(_ query: HistoryQuery) async throws -> (items: [HistoryPage.Item], next: HistoryCursor?) {
        let table = try await knownNames(query.filter)
        return try await database.read { db in
            guard let sql = Self.select(query, table: table) else { return ([], nil) }
            let rows = try Row.fetchAll(db, sql: sql.text, arguments: StatementArguments(sql.arguments))
            var table = table
            var items: [HistoryPage.Item] = []
            for row in rows.prefix(query.limit) {
                let (entry, problem) = try Self.entry(row, db: db, table: &table)
                let listed = query.filter.key.map { entry.keys.contains($0) } ?? true
                items.append(
                    HistoryPage.Item(
                        offset: row["position"], entry: entry, foundInKeyList: !listed, keyListProblem: problem))
            }
            let next =
                rows.count > query.limit
                ? items.last.map { HistoryCursor(time: HistoryIndex.milliseconds($0.entry.time), offset: $0.offset) }
                : nil
            return (items, next)
        }
    }

    /// A page of answers from the index alone, without a topic to follow (``HistoryPage/behind`` is `nil`): for
    /// tools that query a loaded copy of a history (``index(_:keyLists:next:)``), and for benchmarks.
    public func page(_ query: HistoryQuery) async throws -> HistoryPage {
        let (items, next) = try await self.query(query)
        return HistoryPage(items: items, next: next, indexedThrough: try await nextOffset(), behind: nil)
    }

    /// The newest entry of `chain` the index holds, with its offset.
    func head(of chain: String) async throws -> (head: HistoryChain.Head, offset: Int64)? {
        try await database.read { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM names WHERE name = ?", arguments: [chain]),
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT position, sequence, hash FROM chain_heads WHERE chain = ?",
                    arguments: [id])
            else { return nil }
            return (
                HistoryChain.Head(sequence: row["sequence"], hash: Self.hashText(row["hash"])), row["position"]
            )
        }
    }

    /// The last replay of the dead letter at `reference` (`topic/partition/offset`), if any.
    func lastReplay(of reference: String) async throws -> HistoryEntry? {
        let snapshot = names.withLock { $0 }
        return try await database.read { db in
            var table = snapshot
            // From the file, not this process's name table: another process may have written the first replay.
            guard
                let replay = try Int64.fetchOne(
                    db, sql: "SELECT id FROM names WHERE name = ?", arguments: [HistoryEntry.Kind.replay.rawValue])
            else { return nil }
            let sql = """
                SELECT \(Self.columns) FROM entries e WHERE e.dead_letter = ? AND e.kind = ?
                ORDER BY e.position DESC LIMIT 1
                """
            return try Row.fetchOne(db, sql: sql, arguments: [reference, replay]).map {
                try Self.entry($0, db: db, table: &table).entry
            }
        }
    }

    /// The first `provide` entry of the transfer `transfer`, if it was committed.
    func provide(ofTransfer transfer: String) async throws -> HistoryEntry? {
        let snapshot = names.withLock { $0 }
        return try await database.read { db in
            var table = snapshot
            guard
                let provide = try Int64.fetchOne(
                    db, sql: "SELECT id FROM names WHERE name = ?", arguments: [HistoryEntry.Kind.provide.rawValue])
            else { return nil }
            let sql = """
                SELECT \(Self.columns) FROM entries e WHERE e.transfer = ? AND e.kind = ?
                ORDER BY e.position LIMIT 1
                """
            return try Row.fetchOne(db, sql: sql, arguments: [transfer, provide]).map {
                try Self.entry($0, db: db, table: &table).entry
            }
        }
    }

    /// Every entry in topic order, for comparing two indexes (tests) and exporting.
    func allEntries() async throws -> [(offset: Int64, entry: HistoryEntry)] {
        let snapshot = names.withLock { $0 }
        return try await database.read { db in
            var table = snapshot
            return try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM entries e ORDER BY e.position").map {
                (row: Row) -> (Int64, HistoryEntry) in
                (row["position"], try Self.entry(row, db: db, table: &table).entry)
            }
        }
    }

    /// Offsets whose bytes were not an entry, with why.
    func unreadable() async throws -> [(offset: Int64, reason: String)] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT position, reason FROM unreadable ORDER BY position").map {
                (row: Row) -> (Int64, String) in (row["position"], row["reason"])
            }
        }
    }

    /// The name table, reloaded when the filter names something this process has not seen (another process
    /// sharing the file may have indexed it).
    private func knownNames(_ filter: HistoryFilter) async throws -> NameTable {
        let table = names.withLock { $0 }
        let wanted = [filter.linkage, filter.system, filter.kind?.rawValue, filter.outcome].compactMap { $0 }
        guard wanted.contains(where: { table.ids[$0] == nil }) else { return table }
        let fresh = try await database.read(NameTable.init)
        names.withLock { $0 = fresh }
        return fresh
    }

    static let columns = """
        e.position, e.chain, e.sequence, e.hash, e.previous_hash, e.time, e.kind, e.linkage, e.contract, e.provider,
        e.receiver, e.purpose, e.record_count, e.keys, e.key_list, e.items, e.transfer, e.events, e.outcome, e.reason,
        e.dead_letter, e.file, e.operator, e.request_purpose, e.contract_version
        """

    /// The SQL of a page; `nil` when a name in the filter is unknown (no entry can match).
    private static func select(
        _ query: HistoryQuery, table: NameTable
    ) -> (text: String, arguments: [any DatabaseValueConvertible])? {
        let filter = query.filter
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        for (column, name) in [
            ("linkage", filter.linkage), ("kind", filter.kind?.rawValue), ("outcome", filter.outcome),
        ] {
            guard let name else { continue }
            guard let id = table.ids[name] else { return nil }
            conditions.append("e.\(column) = ?")
            arguments.append(id)
        }
        if let since = filter.since {
            conditions.append("e.time >= ?")
            arguments.append(milliseconds(since))
        }
        if let until = filter.until {
            conditions.append("e.time <= ?")
            arguments.append(milliseconds(until))
        }
        if let cursor = query.cursor {
            // A range on `time` the indexes can use, less the entries of the same millisecond already returned.
            conditions.append("e.time <= ? AND NOT (e.time = ? AND e.position >= ?)")
            arguments += [cursor.time, cursor.time, cursor.offset]
        }
        if let key = filter.key {
            conditions.append(
                """
                e.position IN (SELECT entry FROM entry_keys WHERE key = ?
                    UNION ALL SELECT x.position FROM list_keys l JOIN entries x ON x.key_list = l.list WHERE l.key = ?)
                """)
            arguments += [key, key]
        }
        let order = "ORDER BY e.time DESC, e.position DESC LIMIT \(query.limit + 1)"
        func arm(_ extra: [String]) -> String {
            let all = extra + conditions
            return
                "SELECT \(columns) FROM entries e \(all.isEmpty ? "" : "WHERE " + all.joined(separator: " AND ")) \(order)"
        }
        guard let system = filter.system else { return (arm([]), arguments) }
        guard let id = table.ids[system] else { return nil }
        // A system as provider or receiver: two arms, each a backward walk of its own index, merged.
        let text = """
            SELECT * FROM (\(arm(["e.provider = ?"])))
            UNION ALL SELECT * FROM (\(arm(["e.receiver = ?", "(e.provider IS NULL OR e.provider != ?)"])))
            ORDER BY time DESC, position DESC LIMIT \(query.limit + 1)
            """
        return (text, [id] + arguments + [id, id] + arguments)
    }

    /// The entry a row holds, as it was written; the second value is why its key list's keys are missing.
    static func entry(
        _ row: Row, db: Database, table: inout NameTable
    ) throws -> (
        entry: HistoryEntry, keyListProblem: String?
    ) {
        func name(_ column: String) throws -> String? {
            guard let id: Int64 = row[column] else { return nil }
            if let name = table.names[id] { return name }
            table = try NameTable(db)
            return table.names[id] ?? "?"
        }
        var keyList: HistoryKeyList?
        var problem: String?
        if let id: Int64 = row["key_list"],
            let list = try Row.fetchOne(
                db, sql: "SELECT reference, problem FROM key_lists WHERE id = ?", arguments: [id])
        {
            keyList = HistoryIndex.keyList(fromReference: list["reference"])
            problem = list["problem"]
        }
        var items: [String]?
        if let id: Int64 = row["items"] {
            if table.itemSetsByID[id] == nil { table = try NameTable(db) }
            items = table.itemSetsByID[id]
        }
        var entry = HistoryEntry(
            time: date(milliseconds: row["time"]),
            kind: HistoryEntry.Kind(rawValue: try name("kind") ?? "") ?? .provide,
            linkage: try name("linkage") ?? "", contract: try name("contract"), provider: try name("provider"),
            receiver: try name("receiver"), purpose: try name("purpose"),
            keys: (row["keys"] as String?).map(ItemSet.split) ?? [], recordCount: row["record_count"], keyList: keyList,
            items: items, transfer: row["transfer"], events: (row["events"] as String?).map(ItemSet.split) ?? [],
            outcome: try name("outcome") ?? "", reason: row["reason"], deadLetter: row["dead_letter"],
            file: row["file"], operatorID: try name("operator"), requestPurpose: row["request_purpose"],
            contractVersion: try name("contract_version"))
        entry.chain = try name("chain") ?? ""
        entry.sequence = row["sequence"]
        entry.hash = hashText(row["hash"])
        entry.previousHash = hashText(row["previous_hash"])
        return (entry, problem)
    }

    /// A hash as the entry wrote it: stored as its 32 bytes when it was lowercase hex, else as the text itself.
    static func hashText(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .blob(let bytes): HexText.encode(bytes)
        case .string(let text): text
        default: ""
        }
    }
}
