/// How far a file has been decoded, for progress lines.
public struct DecodingProgress: Sendable {
    public var bytesRead: Int
    /// The file's size, when known.
    public var totalBytes: Int?
    public var records: Int
}

extension RecordFormat {
    /// Decodes the file at `path` (`-` for standard input) chunk by chunk, lending each batch to `body` and calling
    /// `progress` after each chunk. Returns the stream errors (e.g. unknown CSV columns). Memory stays bounded by
    /// the chunk size plus one record.
    public func decodeFile(
        path: String, schema: RecordSchema, chunkSize: Int = 1 << 20,
        progress: (DecodingProgress) -> Void = { _ in }, _ body: (RecordBatch) throws -> Void
    ) throws -> [RecordError] {
        var reader = try FileChunkReader(path: path, chunkSize: chunkSize)
        var decoder = makeDecoder(schema: schema)
        let size = reader.size
        var total = 0
        try reader.forEachChunk { chunk in
            total += chunk.count
            try decoder.decode(chunk, body)
            progress(DecodingProgress(bytesRead: total, totalBytes: size, records: decoder.recordCount))
        }
        try decoder.finish(body)
        return decoder.streamErrors
    }
}
