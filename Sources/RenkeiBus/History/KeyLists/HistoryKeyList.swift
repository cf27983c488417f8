/// Where the record keys of a bulk transfer or a large provide are kept: chunk messages of newline-separated keys on
/// `renkei.history.keys`, kept as long as the history. The history entry that carries this reference hashes it
/// into its chain, and each chunk's SHA-256 pins the chunk's bytes, so the keys are as tamper-evident as the entry.
public struct HistoryKeyList: Sendable, Hashable, Codable {
    /// One chunk message of keys.
    public struct Chunk: Sendable, Hashable, Codable {
        public var partition: Int32
        public var offset: Int64
        public var keys: Int
        /// SHA-256 (lowercase hex) of the chunk's bytes.
        public var sha256: String
    }

    /// The topic holding the chunks.
    public var topic: String
    /// Keys in all chunks.
    public var count: Int
    /// SHA-256 (lowercase hex) over the chunks' digests in order, as a transfer manifest's chunk-list hash.
    public var sha256: String
    public var chunks: [Chunk]

    /// Entries list up to this many keys themselves; beyond it the keys go to a key list.
    public static let threshold = 10_000
}
