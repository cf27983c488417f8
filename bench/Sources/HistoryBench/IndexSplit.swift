import Foundation
import GRDB
import GRDBSQLite
import Logging
import RenkeiBus
import RenkeiContracts

/// Where the time of ``HistoryIndex/index(_:keyLists:next:)`` goes, on the same pages (`--split N`): JSON decoding
/// alone; `index` into an in-memory index and into a file index; and the SQLite floor, rows bound and stepped through
/// the C API from entries decoded and names resolved beforehand, into a copy of the index's schema (with and
/// without its secondary indexes). The floor is what SQLite itself costs for this schema; the rest of `index` is
/// decoding and Swift-side work per entry.
enum IndexSplit {
    static func run(shape: HistoryShape, contracts: ContractSet, pageSize: Int, rounds: Int) async throws {
        var generator = HistoryGenerator(shape: shape, contracts: contracts)
        var pages: [HistoryGenerator.Page] = []
        while let page = generator.nextPage(size: pageSize) { pages.append(page) }
        let count = pages.reduce(0) { $0 + $1.messages.count }
        let decoded = pages.map { $0.messages.map { HistoryEntry(serialized: $0.value)! } }
        print("split    \(count) entries (no key lists), pages of \(pageSize); best and median of \(rounds) rounds")
        var logger = Logger(label: "renkei.bench.history")
        logger.logLevel = .error
        let base = (NSTemporaryDirectory() as NSString).appendingPathComponent("renkei-history-split-\(getpid())")
        defer { try? FileManager.default.removeItem(atPath: base) }

        var figures: [(String, [Double])] = [
            ("decode (HistoryEntry(serialized:))", []), ("of which Timestamp.parse of the time", []),
            ("index() into .memory", []), ("index() into a file", []),
            ("SQLite floor, full schema, file", []), ("SQLite floor, no secondary indexes, file", []),
        ]
        for round in 0..<rounds {
            let (_, decode) = await Measure.time {
                for page in pages {
                    for message in page.messages { precondition(HistoryEntry(serialized: message.value) != nil) }
                }
            }
            figures[0].1.append(decode)
            let times = decoded.joined().map { Timestamp.format($0.time) }
            let (_, parse) = await Measure.time {
                for time in times { precondition(Timestamp.parse(time) != nil) }
            }
            figures[1].1.append(parse)
            for (slot, location) in [(2, HistoryIndex.Location.memory), (3, .directory(base + "/index-\(round)"))] {
                let index = try HistoryIndex.open(location, topic: BusTopics.history, cluster: "split", logger: logger)
                let (_, seconds) = try await Measure.time {
                    for page in pages {
                        try await index.index(page.messages, next: page.messages.last!.offset + 1)
                    }
                }
                try index.close()
                figures[slot].1.append(seconds)
            }
            for (slot, indexes) in [(4, true), (5, false)] {
                figures[slot].1.append(
                    try floor(decoded, path: base + "/floor-\(round)-\(indexes)", secondaryIndexes: indexes))
            }
        }
        for (name, seconds) in figures {
            print(
                "split    " + name.padding(toLength: 42, withPad: " ", startingAt: 0)
                    + String(
                        format: "best %.2f s = %.0f entries/s (%.1f µs/entry), median %.2f s", seconds.min()!,
                        Double(count) / seconds.min()!, seconds.min()! / Double(count) * 1e6, Measure.median(seconds)))
        }
    }

    /// Inserts `pages` (one transaction each) through the SQLite C API into a copy of the index's schema.
    private static func floor(_ pages: [[HistoryEntry]], path: String, secondaryIndexes: Bool) throws -> Double {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        let pool = try DatabasePool(path: path + "/history.sqlite", configuration: configuration)
        defer { try? pool.close() }
        try pool.write { db in
            try db.execute(sql: tables)
            if secondaryIndexes { try db.execute(sql: indexes) }
        }
        // Names and item sets resolved to ids beforehand, as the index's in-memory name table does.
        var ids: [String: Int64] = [:]
        func id(_ name: String?) -> Int64? {
            guard let name else { return nil }
            if let id = ids[name] { return id }
            ids[name] = Int64(ids.count + 1)
            return ids[name]
        }
        struct Row {
            var entry: HistoryEntry
            var hash: [UInt8]
            var previous: [UInt8]
            var ids: [Int64?]
            var keys: String?
            var events: String?
        }
        var position: Int64 = 0
        let rows = pages.map { page in
            page.map { entry in
                Row(
                    entry: entry, hash: hex(entry.hash), previous: hex(entry.previousHash),
                    ids: [
                        id(entry.chain), id(entry.kind.rawValue), id(entry.linkage), id(entry.contract),
                        id(entry.provider), id(entry.receiver), id(entry.purpose),
                        entry.items.map { id($0.joined(separator: "\u{1F}"))! }, id(entry.outcome),
                    ],
                    keys: entry.keys.isEmpty ? nil : entry.keys.joined(separator: "\u{1F}"),
                    events: entry.events.isEmpty ? nil : entry.events.joined(separator: "\u{1F}"))
            }
        }
        let (_, seconds) = try Measure.timeSync {
            try pool.writeWithoutTransaction { db in
                // The statements stay alive (and prepared) for the whole loop; their C handles are used directly.
                let insertStatement = try db.makeStatement(
                    sql: """
                        INSERT OR IGNORE INTO entries(position, chain, sequence, hash, previous_hash, time, kind,
                            linkage, contract, provider, receiver, purpose, record_count, keys, key_list, items,
                            transfer, events, outcome, reason, dead_letter)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                let keyStatement = try db.makeStatement(
                    sql: "INSERT OR IGNORE INTO entry_keys(key, entry) VALUES (?, ?)")
                let insert = insertStatement.sqliteStatement
                let insertKey = keyStatement.sqliteStatement
                defer { withExtendedLifetime((insertStatement, keyStatement)) {} }
                for page in rows {
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    for row in page {
                        let e = row.entry
                        sqlite3_bind_int64(insert, 1, position)
                        bind(insert, 2, row.ids[0])
                        sqlite3_bind_int64(insert, 3, Int64(e.sequence))
                        row.hash.withUnsafeBytes { _ = sqlite3_bind_blob(insert, 4, $0.baseAddress, 32, transient) }
                        row.previous.withUnsafeBytes {
                            _ = sqlite3_bind_blob(insert, 5, $0.baseAddress, 32, transient)
                        }
                        sqlite3_bind_int64(insert, 6, Int64((e.time.timeIntervalSince1970 * 1000).rounded()))
                        for (column, value) in zip(7...12, row.ids[1...6]) { bind(insert, Int32(column), value) }
                        sqlite3_bind_int64(insert, 13, Int64(e.recordCount))
                        bind(insert, 14, row.keys)
                        sqlite3_bind_null(insert, 15)
                        bind(insert, 16, row.ids[7])
                        bind(insert, 17, e.transfer)
                        bind(insert, 18, row.events)
                        bind(insert, 19, row.ids[8])
                        bind(insert, 20, e.reason)
                        bind(insert, 21, e.deadLetter)
                        guard sqlite3_step(insert) == SQLITE_DONE else { fatalError("insert failed") }
                        sqlite3_reset(insert)
                        for key in e.keys {
                            bind(insertKey, 1, key)
                            sqlite3_bind_int64(insertKey, 2, position)
                            guard sqlite3_step(insertKey) == SQLITE_DONE else { fatalError("insert failed") }
                            sqlite3_reset(insertKey)
                        }
                        position += 1
                    }
                    try db.execute(sql: "COMMIT")
                }
            }
        }
        return seconds
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ statement: OpaquePointer?, _ column: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(statement, column, value) } else { sqlite3_bind_null(statement, column) }
    }

    private static func bind(_ statement: OpaquePointer?, _ column: Int32, _ value: String?) {
        guard let value else {
            sqlite3_bind_null(statement, column)
            return
        }
        var text = value
        text.withUTF8 { _ = sqlite3_bind_text(statement, column, $0.baseAddress, Int32($0.count), transient) }
    }

    private static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var high: UInt8?
        for c in text.utf8 {
            let v = c <= 0x39 ? c - 0x30 : c - 0x57
            if let h = high {
                bytes.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return bytes
    }

    // A copy of HistoryIndexSchema (internal to RenkeiBus), version 1.
    private static let tables = """
        CREATE TABLE entries(
            position INTEGER PRIMARY KEY, chain INTEGER NOT NULL, sequence INTEGER NOT NULL, hash BLOB NOT NULL,
            previous_hash BLOB NOT NULL, time INTEGER NOT NULL, kind INTEGER NOT NULL, linkage INTEGER NOT NULL,
            contract INTEGER, provider INTEGER, receiver INTEGER, purpose INTEGER, record_count INTEGER NOT NULL,
            keys TEXT, key_list INTEGER, items INTEGER, transfer TEXT, events TEXT, outcome INTEGER NOT NULL,
            reason TEXT, dead_letter TEXT);
        CREATE TABLE entry_keys(key TEXT NOT NULL, entry INTEGER NOT NULL, PRIMARY KEY(key, entry)) WITHOUT ROWID;
        """

    private static let indexes = """
        CREATE INDEX entries_time ON entries(time);
        CREATE INDEX entries_linkage ON entries(linkage, time);
        CREATE INDEX entries_provider ON entries(provider, time);
        CREATE INDEX entries_receiver ON entries(receiver, time);
        CREATE INDEX entries_kind ON entries(kind, time);
        CREATE INDEX entries_chain ON entries(chain, sequence);
        CREATE INDEX entries_key_list ON entries(key_list) WHERE key_list IS NOT NULL;
        CREATE INDEX entries_dead_letter ON entries(dead_letter) WHERE dead_letter IS NOT NULL;
        """
}
