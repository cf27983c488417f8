/// The tables of the history index (SQLite). Strings that repeat (chains, linkages, systems, kinds, outcomes…) are
/// stored once in `names` and referenced by id; item lists once in `item_sets`; key lists once in `key_lists`,
/// with their keys in `list_keys`; each chain's newest entry in `chain_heads` (cheaper than an index over every
/// entry for the one question a start asks). `entries` keeps every field, so an answer is the entry as written (its hash
/// still checks).
enum HistoryIndexSchema {
    /// Bumped when the tables change; an index of another version is rebuilt.
    static let version = "5"

    static let tables = """
        CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE names(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE item_sets(id INTEGER PRIMARY KEY, items TEXT NOT NULL UNIQUE);
        CREATE TABLE key_lists(
            id INTEGER PRIMARY KEY,
            reference TEXT NOT NULL UNIQUE,
            problem TEXT);
        CREATE TABLE entries(
            position INTEGER PRIMARY KEY,
            chain INTEGER NOT NULL,
            sequence INTEGER NOT NULL,
            hash BLOB NOT NULL,
            previous_hash BLOB NOT NULL,
            time INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            linkage INTEGER NOT NULL,
            contract INTEGER,
            provider INTEGER,
            receiver INTEGER,
            purpose INTEGER,
            record_count INTEGER NOT NULL,
            keys TEXT,
            key_list INTEGER,
            items INTEGER,
            transfer TEXT,
            events TEXT,
            outcome INTEGER NOT NULL,
            reason TEXT,
            dead_letter TEXT,
            file TEXT,
            operator INTEGER,
            request_purpose TEXT,
            contract_version INTEGER);
        CREATE TABLE entry_keys(key TEXT NOT NULL, entry INTEGER NOT NULL, PRIMARY KEY(key, entry)) WITHOUT ROWID;
        CREATE TABLE list_keys(key TEXT NOT NULL, list INTEGER NOT NULL, PRIMARY KEY(key, list)) WITHOUT ROWID;
        CREATE TABLE unreadable(position INTEGER PRIMARY KEY, reason TEXT NOT NULL);
        CREATE TABLE chain_heads(
            chain INTEGER PRIMARY KEY,
            sequence INTEGER NOT NULL,
            hash BLOB NOT NULL,
            position INTEGER NOT NULL);
        """

    /// The secondary indexes: each ends in `time` (and the row id, the offset), so "newest first" is a backward
    /// walk of one index. A large catch-up (a rebuild) drops them and builds them once at its end, which costs far
    /// less than keeping them up to date row by row.
    static let lookupIndexes: [(name: String, definition: String)] = [
        ("entries_time", "entries(time)"),
        ("entries_linkage", "entries(linkage, time)"),
        ("entries_provider", "entries(provider, time)"),
        ("entries_receiver", "entries(receiver, time)"),
        ("entries_kind", "entries(kind, time)"),
        ("entries_key_list", "entries(key_list) WHERE key_list IS NOT NULL"),
        ("entries_dead_letter", "entries(dead_letter) WHERE dead_letter IS NOT NULL"),
        ("entries_transfer", "entries(transfer) WHERE transfer IS NOT NULL"),
    ]

    static var indexes: String {
        lookupIndexes.map { "CREATE INDEX IF NOT EXISTS \($0.name) ON \($0.definition);" }.joined(separator: "\n")
    }
}
