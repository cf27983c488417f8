import Foundation
import GRDB
import GRDBSQLite

extension HistoryIndex {
    /// One message of the history topic, read: the entry, or why its bytes are not one.
    struct Read: Sendable {
        var offset: Int64
        var entry: Result<HistoryEntry, Unreadable>

        struct Unreadable: Error, Sendable {
            var reason: String
        }

        /// A message's bytes as the topic holds them, read as an entry or marked as not one.
        init(offset: Int64, bytes: [UInt8]) {
            self.offset = offset
            self.entry =
                HistoryHashing.decode(bytes).map { .success($0) }
                ?? .failure(Unreadable(reason: "the bytes are not a history entry"))
        }
    }

    /// What indexing a page did.
    struct Applied: Sendable {
        /// Entries added (fewer than given when another process indexed some first).
        var entries = 0
        var unreadable = 0
    }

    /// Adds `reads` (in offset order) and moves the index's next offset to `next`, in one transaction: an index
    /// is never half-way through a page. Messages below the stored next offset are skipped, so two processes
    /// sharing the file (`serve` and a CLI question) never index an entry twice; `expected` is the stored offset the
    /// caller read from, and a stored offset below it fails the page (``IndexMovedBack``). `keyLists` holds the keys of
    /// the key lists the entries reference, by reference, or why they could not be read.
    func apply(
        _ reads: [Read], keyLists: [HistoryKeyList: Result<[String], KeyListUnavailable>], expecting expected: Int64?,
        next: Int64
    ) async throws -> Applied {
        let snapshot = names.withLock { $0 }
        let (applied, table) = try await database.writeWithoutTransaction { db in
            var table = snapshot
            var applied = Applied()
            try db.inTransaction(.immediate) {
                let from = try Self.nextOffset(db)
                guard next > from else { return .rollback }
                // The page must join what is indexed: if the stored offset went back (another process sharing the
                // file emptied the index), indexing this page would leave a gap for good.
                if let expected, from < expected { throw IndexMovedBack(stored: from, expected: expected) }
                let writer = try EntryWriter(db, table: table)
                var heads: [String: (entry: HistoryEntry, offset: Int64)] = [:]
                for read in reads where read.offset >= from {
                    switch read.entry {
                    case .success(let entry):
                        try writer.insert(entry, offset: read.offset, keyLists: keyLists, table: &table)
                        applied.entries += 1
                        if entry.sequence > heads[entry.chain]?.entry.sequence ?? 0 {
                            heads[entry.chain] = (entry, read.offset)
                        }
                    case .failure(let unreadable):
                        try db.execute(
                            sql: "INSERT OR REPLACE INTO unreadable(position, reason) VALUES (?, ?)",
                            arguments: [read.offset, unreadable.reason])
                        applied.unreadable += 1
                    }
                }
                for (chain, head) in heads {
                    try db.execute(
                        sql: """
                            INSERT INTO chain_heads(chain, sequence, hash, position) VALUES (?, ?, ?, ?)
                            ON CONFLICT(chain) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash,
                                position = excluded.position
                            WHERE excluded.sequence > chain_heads.sequence
                            """,
                        arguments: [
                            table.ids[chain], head.entry.sequence,
                            HistoryIndex.hashBytes(head.entry.hash).map { Data($0) } ?? head.entry.hash, head.offset,
                        ])
                }
                try db.execute(
                    sql: "UPDATE meta SET value = ? WHERE name = 'next_offset'", arguments: [String(next)])
                return .commit
            }
            return (applied, table)
        }
        // The names learned are kept only once their rows are committed.
        names.withLock { $0 = table }
        return applied
    }
}

/// The index's stored offset is behind the page being indexed (another process emptied it): the sync stops and
/// the next one reads from the stored offset.
struct IndexMovedBack: Error, CustomStringConvertible {
    var stored: Int64
    var expected: Int64
    var description: String {
        "the index continues from offset \(stored), not \(expected) as this sync read it; reading again from there"
    }
}

/// Binds one row's values in order, through SQLite's C API.
private struct RowBinder {
    let statement: OpaquePointer
    var index: Int32 = 0

    init(_ statement: OpaquePointer) {
        self.statement = statement
        sqlite3_reset(statement)
    }

    /// SQLite copies the bytes before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func bind(_ value: Int64?) {
        index += 1
        if let value { sqlite3_bind_int64(statement, index, value) } else { sqlite3_bind_null(statement, index) }
    }

    mutating func bind(_ value: String?) {
        index += 1
        guard var value else {
            sqlite3_bind_null(statement, index)
            return
        }
        value.withUTF8 { text in
            _ = text.withMemoryRebound(to: CChar.self) { characters in
                sqlite3_bind_text(statement, index, characters.baseAddress, Int32(characters.count), Self.transient)
            }
        }
    }

    /// A hash as its bytes when it is lowercase hex (as the bus writes it), else as text: an altered entry is
    /// indexed, and read back, exactly as it is.
    mutating func bind(hex text: String) {
        guard let bytes = HistoryIndex.hashBytes(text) else {
            bind(text)
            return
        }
        index += 1
        bytes.withUnsafeBytes { raw in
            _ = sqlite3_bind_blob(statement, index, raw.baseAddress, Int32(raw.count), Self.transient)
        }
    }
}

/// The prepared statements of one indexing transaction.
private struct EntryWriter {
    let db: Database
    let entry: Statement
    let entryKey: Statement
    let listKey: Statement

    init(_ db: Database, table: NameTable) throws {
        self.db = db
        entry = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO entries(position, chain, sequence, hash, previous_hash, time, kind, linkage,
                    contract, provider, receiver, purpose, record_count, keys, key_list, items, transfer, events,
                    outcome, reason, dead_letter, file, operator, request_purpose, contract_version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        entryKey = try db.cachedStatement(sql: "INSERT OR IGNORE INTO entry_keys(key, entry) VALUES (?, ?)")
        listKey = try db.cachedStatement(sql: "INSERT OR IGNORE INTO list_keys(key, list) VALUES (?, ?)")
    }

    func insert(
        _ value: HistoryEntry, offset: Int64, keyLists: [HistoryKeyList: Result<[String], KeyListUnavailable>],
        table: inout NameTable
    ) throws {
        func id(_ name: String?) throws -> Int64? {
            guard let name else { return nil }
            return try self.id(name, table: &table)
        }
        let keyList = try value.keyList.map { try self.keyList($0, keys: keyLists[$0]) }
        let items = try value.items.map { try itemSet($0, table: &table) }
        // Bound straight through SQLite's C API: millions of entries, so no argument arrays per row.
        var row = RowBinder(entry.sqliteStatement)
        row.bind(offset)
        row.bind(try id(value.chain))
        row.bind(Int64(value.sequence))
        row.bind(hex: value.hash)
        row.bind(hex: value.previousHash)
        row.bind(HistoryIndex.milliseconds(value.time))
        row.bind(try id(value.kind.rawValue))
        row.bind(try id(value.linkage))
        row.bind(try id(value.contract))
        row.bind(try id(value.provider))
        row.bind(try id(value.receiver))
        row.bind(try id(value.purpose))
        row.bind(Int64(value.recordCount))
        row.bind(value.keys.isEmpty ? nil : ItemSet.join(value.keys))
        row.bind(keyList)
        row.bind(items)
        row.bind(value.transfer)
        row.bind(value.events.isEmpty ? nil : ItemSet.join(value.events))
        row.bind(try id(value.outcome))
        row.bind(value.reason)
        row.bind(value.deadLetter)
        row.bind(value.file)
        row.bind(try id(value.operatorID))
        // Free text, rarely repeated: stored as it is rather than as a name.
        row.bind(value.requestPurpose)
        row.bind(try id(value.contractVersion))
        // An entry indexed before (by another process sharing the file) adds nothing, its keys included.
        guard try step(entry) else { return }
        for key in value.keys.count > 1 ? Array(Set(value.keys)) : value.keys where !key.isEmpty {
            var keyRow = RowBinder(entryKey.sqliteStatement)
            keyRow.bind(key)
            keyRow.bind(offset)
            _ = try step(entryKey)
        }
    }

    /// Runs a bound insert; returns whether it added a row.
    private func step(_ statement: Statement) throws -> Bool {
        let code = sqlite3_step(statement.sqliteStatement)
        sqlite3_reset(statement.sqliteStatement)
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code),
                message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
        }
        return sqlite3_changes(db.sqliteConnection) > 0
    }

    /// The id of `name` in `names`, adding it when new.
    private func id(_ name: String, table: inout NameTable) throws -> Int64 {
        if let id = table.ids[name] { return id }
        try db.execute(sql: "INSERT OR IGNORE INTO names(name) VALUES (?)", arguments: [name])
        let id = try Int64.fetchOne(db, sql: "SELECT id FROM names WHERE name = ?", arguments: [name])!
        table.ids[name] = id
        table.names[id] = name
        return id
    }

    private func itemSet(_ items: [String], table: inout NameTable) throws -> Int64 {
        if let id = table.itemSets[items] { return id }
        let text = ItemSet.join(items)
        try db.execute(sql: "INSERT OR IGNORE INTO item_sets(items) VALUES (?)", arguments: [text])
        let id = try Int64.fetchOne(db, sql: "SELECT id FROM item_sets WHERE items = ?", arguments: [text])!
        table.itemSets[items] = id
        table.itemSetsByID[id] = items
        return id
    }

    /// The id of a key list, adding it with its keys the first time (every receiver's entry of a transfer
    /// references the same list); a list whose keys could not be read is kept with the reason.
    private func keyList(
        _ list: HistoryKeyList, keys: Result<[String], KeyListUnavailable>?
    ) throws -> Int64 {
        let reference = HistoryIndex.referenceText(list)
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM key_lists WHERE reference = ?", arguments: [reference])
        {
            return id
        }
        var problem: String?
        var found: [String] = []
        switch keys {
        case .success(let keys): found = keys
        case .failure(let unavailable): problem = unavailable.description
        case nil: problem = "the key list was not read"
        }
        try db.execute(
            sql: "INSERT INTO key_lists(reference, problem) VALUES (?, ?)", arguments: [reference, problem])
        let id = db.lastInsertedRowID
        for key in found where !key.isEmpty {
            var keyRow = RowBinder(listKey.sqliteStatement)
            keyRow.bind(key)
            keyRow.bind(id)
            _ = try step(listKey)
        }
        return id
    }
}

extension HistoryIndex {
    /// The bytes of a hash written as the bus writes it (lowercase hex), which read back to the same text; `nil`
    /// for anything else, which is stored as text.
    static func hashBytes(_ text: String) -> [UInt8]? {
        guard !text.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F") }) else { return nil }
        return HexText.decode(text)
    }

    /// Whole milliseconds since 1970, as entries are hashed and written.
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// A time as the index stores it (``milliseconds(_:)``), as a date.
    static func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    private static let referenceEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func referenceText(_ list: HistoryKeyList) -> String {
        String(decoding: try! referenceEncoder.encode(list), as: UTF8.self)
    }

    static func keyList(fromReference text: String) -> HistoryKeyList? {
        try? JSONDecoder().decode(HistoryKeyList.self, from: Data(text.utf8))
    }

    /// The key lists among `lists` the index does not hold yet (their keys must be read before indexing).
    func missingKeyLists(_ lists: Set<HistoryKeyList>) async throws -> [HistoryKeyList] {
        guard !lists.isEmpty else { return [] }
        return try await database.read { db in
            try lists.filter { list in
                try Int64.fetchOne(
                    db, sql: "SELECT id FROM key_lists WHERE reference = ?", arguments: [Self.referenceText(list)])
                    == nil
            }
        }
    }
}

extension HistoryIndex {
    /// Indexes history messages as the topic holds them (offset and bytes, in offset order) and moves the next
    /// offset to `next`: for tools that load a copy of a history, and for benchmarks. `keyLists` gives the keys of
    /// the key lists the entries reference; a list not given is indexed as unreadable. Returns the entries added.
    @discardableResult
    public func index(
        _ messages: [(offset: Int64, value: [UInt8])], keyLists: [HistoryKeyList: [String]] = [:], next: Int64
    ) async throws -> Int {
        let reads = messages.map { Read(offset: $0.offset, bytes: $0.value) }
        return try await apply(
            reads, keyLists: keyLists.mapValues { .success($0) }, expecting: nil, next: next
        ).entries
    }
}
