public import Foundation

/// The manifest of a bulk transfer to one receiver, written to the receiver's outbound topic only after every
/// record of the transfer is durably stored. A receiver reaches the records only through it, so a transfer that
/// was interrupted (no manifest) is never delivered, on any broker.
public struct TransferManifest: Sendable, Hashable, Codable {
    /// Where one chunk of records is: a message of JSON Lines on the bulk topic.
    public struct Chunk: Sendable, Hashable, Codable {
        public var partition: Int32
        public var offset: Int64
        public var records: Int
        /// SHA-256 (lowercase hex) of the chunk's bytes, so each chunk can be checked on its own.
        public var sha256: String
    }

    public var transfer: String
    public var linkage: String
    public var receiver: String
    /// The layout the records conform to, `id@version`.
    public var layout: String
    /// The topic holding the chunks.
    public var topic: String
    public var records: Int
    /// SHA-256 (lowercase hex) over the chunks' SHA-256 digests (32 bytes each, in chunk order): with the
    /// per-chunk hashes it pins the whole transfer, and every byte is hashed once.
    public var chunkListSHA256: String
    public var contentType: String
    public var chunks: [Chunk]
    public var completedAt: Date

    public func encoded() -> [UInt8] { Array(try! DocumentJSON.compact.encode(self)) }

    public static func decode(_ bytes: [UInt8]) -> TransferManifest? {
        try? DocumentJSON.decoder.decode(TransferManifest.self, from: Data(bytes))
    }
}
