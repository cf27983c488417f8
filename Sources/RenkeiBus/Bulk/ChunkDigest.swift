import Crypto

/// The hashes a transfer manifest carries: SHA-256 of each chunk, so a chunk can be checked on its own (a feed may
/// start inside a transfer), and the chunk-list hash, SHA-256 over the chunks' digests in order, which pins the
/// whole transfer while every byte is hashed once.
enum ChunkDigest {
    /// SHA-256 of `bytes`.
    static func digest(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    /// SHA-256 over the concatenated digests, in chunk order.
    static func chunkList(_ digests: [[UInt8]]) -> [UInt8] {
        var hasher = SHA256()
        for digest in digests { hasher.update(data: digest) }
        return Array(hasher.finalize())
    }
}
