/// Reads a committed transfer's chunks in manifest order, a group at a time, checking each against its hash and
/// the chunk list against the manifest: for feeds, Swift receivers and files, with memory bounded by
/// one group of chunks, whatever the transfer's size.
struct TransferChunks: Sendable {
    let reader: TopicReader
    /// Chunks read together: one read call fetches one group from every partition it touches.
    var groupSize = 64

    func forEach(_ manifest: TransferManifest, _ body: ([UInt8]) async throws -> Void) async throws {
        try await forEach(manifest, chunks: manifest.chunks[...], body)
    }

    /// The chunks `chunks` (a run of the manifest's, in its order), after checking the whole chunk list.
    func forEach(
        _ manifest: TransferManifest, chunks: ArraySlice<TransferManifest.Chunk>,
        _ body: ([UInt8]) async throws -> Void
    ) async throws {
        let digests = manifest.chunks.map { HexText.decode($0.sha256) }
        guard digests.allSatisfy({ $0 != nil }),
            HexText.encode(ChunkDigest.chunkList(digests.map { $0! })) == manifest.chunkListSHA256,
            manifest.chunks.reduce(0, { $0 + $1.records }) == manifest.records
        else {
            throw TransferIntegrityError(
                transfer: manifest.transfer, problem: "its manifest's chunk list does not match its chunk-list hash")
        }
        var start = chunks.startIndex
        while start < chunks.endIndex {
            let group = chunks[start..<min(chunks.endIndex, start + groupSize)]
            start += group.count
            var ranges: [Int32: Range<Int64>] = [:]
            for chunk in group {
                let range = ranges[chunk.partition] ?? chunk.offset..<(chunk.offset + 1)
                ranges[chunk.partition] = min(range.lowerBound, chunk.offset)..<max(range.upperBound, chunk.offset + 1)
            }
            var stored: [Int32: [Int64: [UInt8]]] = [:]
            for message in try await reader.read(topic: manifest.topic, ranges: ranges).messages {
                stored[message.partition, default: [:]][message.offset] = message.value
            }
            for chunk in group {
                guard let bytes = stored[chunk.partition]?[chunk.offset] else {
                    throw TransferIntegrityError(
                        transfer: manifest.transfer, problem: "chunk \(chunk.partition)/\(chunk.offset) is missing")
                }
                guard HexText.encode(ChunkDigest.digest(bytes)) == chunk.sha256 else {
                    throw TransferIntegrityError(
                        transfer: manifest.transfer,
                        problem: "chunk \(chunk.partition)/\(chunk.offset) does not match its hash")
                }
                try await body(bytes)
            }
        }
    }
}
