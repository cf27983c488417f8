import Foundation
import GRDB

extension HistoryIndex {
    /// One message of the history topic, read: the entry, or why its bytes are not one.
    struct Read: Sendable {
        var offset: Int64
        var entry: Result<HistoryEntry, Unreadable>

        struct Unreadable: Error, Sendable {
            var reason: String
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
    /// sharing the file (`serve` and a CLI question) never index an entry twice. `keyLists` holds the keys of
    /// the key lists the entries reference, by reference, or why they could not be read.
    func apply(
        _ reads: [Read], keyLists: [HistoryKeyList: Result<[String], KeyListUnavailable>], next: Int64
    ) async throws -> Applied {
        let snapshot = names.withLock { $0 }
        let (applied, table) = try await database.writeWithoutTransaction { db in
            var table = snapshot
            var applied = Applied()
            try db.inTransaction(.immediate) {
                let from = try Self.nextOffset(db)
                guard next > from else { return .rollback }
                let writer = try EntryWriter(db, table: table)
                for read in reads where read.offset >= from {
                    switch read.entry {
                    case .success(let entry):
                        try writer.insert(entry, offset: read.offset, keyLists: keyLists, table: &table)
                        applied.entries += 1
                    case .failure(let unreadable):
                        try db.execute(
                            sql: "INSERT OR REPLACE INTO unreadable(position, reason) VALUES (?, ?)",
                            arguments: [read.offset, unreadable.reason])
                        applied.unreadable += 1
                    }
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
                    outcome, reason, dead_letter)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
        let arguments: [(any DatabaseValueConvertible)?] = [
            offset, try id(value.chain), value.sequence, Data(HexText.decode(value.hash) ?? Array(value.hash.utf8)),
            Data(HexText.decode(value.previousHash) ?? Array(value.previousHash.utf8)),
            HistoryIndex.milliseconds(value.time), try id(value.kind.rawValue), try id(value.linkage),
            try id(value.contract), try id(value.provider), try id(value.receiver), try id(value.purpose),
            value.recordCount, value.keys.isEmpty ? nil : ItemSet.join(value.keys), keyList, items, value.transfer,
            value.events.isEmpty ? nil : ItemSet.join(value.events), try id(value.outcome), value.reason,
            value.deadLetter,
        ]
        entry.setUncheckedArguments(StatementArguments(arguments))
        try entry.execute()
        for key in Set(value.keys) where !key.isEmpty {
            entryKey.setUncheckedArguments([key, offset])
            try entryKey.execute()
        }
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
        let text = ItemSet.join(items)
        if let id = table.itemSets[text] { return id }
        try db.execute(sql: "INSERT OR IGNORE INTO item_sets(items) VALUES (?)", arguments: [text])
        let id = try Int64.fetchOne(db, sql: "SELECT id FROM item_sets WHERE items = ?", arguments: [text])!
        table.itemSets[text] = id
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
            listKey.setUncheckedArguments([key, id])
            try listKey.execute()
        }
        return id
    }
}

extension HistoryIndex {
    /// Whole milliseconds since 1970, as entries are hashed and written.
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

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
        let reads = messages.map { message in
            Read(
                offset: message.offset,
                entry: HistoryHashing.decode(message.value).map { .success($0) }
                    ?? .failure(.init(reason: "the bytes are not a history entry")))
        }
        return try await apply(reads, keyLists: keyLists.mapValues { .success($0) }, next: next).entries
    }
}
