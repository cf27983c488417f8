import Foundation
import GRDB
public import Logging
import Synchronization

/// A local index of the history topic in SQLite (through GRDB): answers operators' questions by resident key,
/// linkage, system, kind, outcome and time, newest first, and gives each chain's head at start. The topic stays the
/// record: the index is rebuilt from it whenever it is missing, unreadable, or was built from another cluster,
/// topic or format, and it is never trusted over the topic (`history verify` reads the topic).
public final class HistoryIndex: Sendable {
    /// Where the index lives.
    public enum Location: Sendable, Equatable {
        /// `history.sqlite` in this directory, created when missing.
        case directory(String)
        /// In memory, rebuilt at every start (tests, and buses configured without a data directory).
        case memory
    }

    public let location: Location
    /// The history topic the index follows.
    public let topic: String
    let database: any DatabaseWriter
    let names: Mutex<NameTable>

    /// The file name of the index inside its directory.
    public static let fileName = "history.sqlite"

    private init(location: Location, topic: String, database: any DatabaseWriter, names: NameTable) {
        self.location = location
        self.topic = topic
        self.database = database
        self.names = Mutex(names)
    }

    /// Opens the index at `location` for `topic` on the cluster `cluster` (its id). An index file that is not
    /// readable, or that belongs to another cluster, topic or index format, is set aside (renamed, never deleted)
    /// with a warning, and a new one is started.
    public static func open(
        _ location: Location, topic: String, cluster: String, logger: Logger
    ) throws -> HistoryIndex {
        let identity = ["version": HistoryIndexSchema.version, "topic": topic, "cluster": cluster]
        switch location {
        case .memory:
            let queue = try DatabaseQueue(configuration: configuration())
            try create(queue, identity: identity)
            return HistoryIndex(location: location, topic: topic, database: queue, names: NameTable())
        case .directory(let directory):
            let path = try prepare(directory: directory, logger: logger)
            if FileManager.default.fileExists(atPath: path) {
                do {
                    let pool = try DatabasePool(path: path, configuration: configuration())
                    let found = try pool.read { db in
                        try Dictionary(
                            uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT name, value FROM meta").map {
                                (row: Row) -> (String, String) in (row["name"], row["value"])
                            })
                    }
                    let mismatch = identity.keys.sorted().first { found[$0] != identity[$0] }
                    if mismatch == nil {
                        try pool.write { db in try db.execute(sql: HistoryIndexSchema.indexes) }
                        return HistoryIndex(
                            location: location, topic: topic, database: pool, names: try pool.read(NameTable.init))
                    }
                    try pool.close()
                    setAside(
                        path, logger: logger,
                        reason: "it was built from another \(mismatch!) (\(found[mismatch!] ?? "none"))")
                } catch {
                    setAside(path, logger: logger, reason: "it cannot be read (\(error))")
                }
            }
            let pool = try DatabasePool(path: path, configuration: configuration())
            try create(pool, identity: identity)
            return HistoryIndex(location: location, topic: topic, database: pool, names: NameTable())
        }
    }

    /// Empties the index (it did not match the topic), to be rebuilt from the topic.
    func reset(logger: Logger, reason: String) async throws {
        logger.warning(
            "the history index does not match the topic and is rebuilt from it",
            metadata: ["renkei.topic": "\(topic)", "renkei.reason": "\(reason)"])
        try await database.write { db in
            for table in ["entries", "entry_keys", "list_keys", "key_lists", "unreadable", "chain_heads"] {
                try db.execute(sql: "DELETE FROM \(table)")
            }
            try db.execute(sql: "UPDATE meta SET value = '0' WHERE name = 'next_offset'")
        }
    }

    /// Drops the lookup indexes before a large catch-up or load (answers meanwhile scan, and say how far behind
    /// they are); ``createLookupIndexes()`` builds them again, once, at the end.
    public func dropLookupIndexes() async throws {
        try await database.write { db in
            for index in HistoryIndexSchema.lookupIndexes { try db.execute(sql: "DROP INDEX IF EXISTS \(index.name)") }
        }
    }

    /// Builds the lookup indexes that are missing (after a large catch-up or load, or one that was interrupted).
    public func createLookupIndexes() async throws {
        let names = HistoryIndexSchema.lookupIndexes.map(\.name)
        let present = try await database.read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ("
                    + names.map { _ in "?" }.joined(separator: ", ") + ")", arguments: StatementArguments(names)) ?? 0
        }
        guard present < names.count else { return }
        try await database.write { db in try db.execute(sql: HistoryIndexSchema.indexes) }
    }

    /// Closes the file; the index is unusable afterwards.
    public func close() throws {
        if let pool = database as? DatabasePool { try pool.close() }
        if let queue = database as? DatabaseQueue { try queue.close() }
    }

    /// The offset of the history topic the index continues from (every entry before it is indexed).
    public func nextOffset() async throws -> Int64 {
        try await database.read { db in try Self.nextOffset(db) }
    }

    static func nextOffset(_ db: Database) throws -> Int64 {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE name = 'next_offset'").flatMap { Int64($0) } ?? 0
    }

    /// Entries indexed.
    public func count() async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM entries") ?? 0 }
    }

    private static func configuration() -> Configuration {
        var configuration = Configuration()
        // A second process (a CLI question beside `serve`) waits for the other's write instead of failing.
        configuration.busyMode = .timeout(30)
        // Memory: the writer keeps 64 MiB of pages (a rebuild's B-trees), each of at most 4 readers 8 MiB.
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            // Losing the last transactions in a power cut costs only re-reading them from the topic.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -8192" : "PRAGMA cache_size = -65536")
        }
        return configuration
    }

    private static func create(_ writer: any DatabaseWriter, identity: [String: String]) throws {
        try writer.write { db in
            try db.execute(sql: HistoryIndexSchema.tables)
            try db.execute(sql: HistoryIndexSchema.indexes)
            for (name, value) in identity.sorted(by: { $0.key < $1.key }) {
                try db.execute(sql: "INSERT INTO meta(name, value) VALUES (?, ?)", arguments: [name, value])
            }
            try db.execute(sql: "INSERT INTO meta(name, value) VALUES ('next_offset', '0')")
        }
    }

    /// Creates `directory` when missing (saying so), and returns the index file's path in it.
    private static func prepare(directory: String, logger: Logger) throws -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw HistoryIndexError.notADirectory(directory) }
        } else {
            do {
                // Only its owner may read it: the index holds every resident's record key (宛名番号).
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw HistoryIndexError.cannotCreate(directory, "\(error)")
            }
            logger.notice(
                "created the data directory for the history index", metadata: ["renkei.data-dir": "\(directory)"])
        }
        return (directory as NSString).appendingPathComponent(fileName)
    }

    /// Renames an index file that cannot be trusted (and its WAL files) to `…-set-aside-<time>`, so nothing is
    /// deleted and the new index starts clean.
    private static func setAside(_ path: String, logger: Logger, reason: String) {
        let stamp = Timestamp.format(Date()).replacingOccurrences(of: ":", with: "")
        let aside = "\(path).set-aside-\(stamp)"
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try? FileManager.default.moveItem(atPath: path + suffix, toPath: aside + suffix)
        }
        logger.warning(
            "the history index was set aside and will be rebuilt from the topic",
            metadata: ["renkei.index": "\(path)", "renkei.set-aside": "\(aside)", "renkei.reason": "\(reason)"])
    }
}

/// Why the history index could not be opened.
public enum HistoryIndexError: Error, Sendable, CustomStringConvertible {
    case notADirectory(String)
    case cannotCreate(String, String)

    public var description: String {
        switch self {
        case .notADirectory(let path): "the data directory \(path) is a file, not a directory"
        case .cannotCreate(let path, let reason): "cannot create the data directory \(path): \(reason)"
        }
    }
}

/// The repeated strings of the index and their ids, kept in memory (a few hundred at most: chains, linkages,
/// systems, contracts, purposes, kinds, outcomes), and the item sets.
struct NameTable: Sendable {
    var ids: [String: Int64] = [:]
    var names: [Int64: String] = [:]
    var itemSets: [[String]: Int64] = [:]
    var itemSetsByID: [Int64: [String]] = [:]

    init() {}

    init(_ db: Database) throws {
        for row in try Row.fetchAll(db, sql: "SELECT id, name FROM names") {
            let id: Int64 = row["id"]
            let name: String = row["name"]
            ids[name] = id
            names[id] = name
        }
        for row in try Row.fetchAll(db, sql: "SELECT id, items FROM item_sets") {
            let id: Int64 = row["id"]
            let items: String = row["items"]
            itemSets[ItemSet.split(items)] = id
            itemSetsByID[id] = ItemSet.split(items)
        }
    }
}

/// Item lists as the index stores them: one text, items separated by U+001F.
enum ItemSet {
    static let separator: Character = "\u{1F}"
    static func join(_ items: [String]) -> String { items.joined(separator: String(separator)) }
    static func split(_ text: String) -> [String] {
        text.isEmpty ? [] : text.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
    }
}
