public import RenkeiContracts

/// How far a file has been decoded, for progress lines.
public struct DecodingProgress: Sendable {
    public var bytesRead: Int
    /// The file's size, when known.
    public var totalBytes: Int?
    public var records: Int
}

extension RecordFormat {
    /// Decodes the file at `path` (`-` for standard input) in `encoding` chunk by chunk, lending each batch to
    /// `body` and calling `progress` after each chunk. Returns the stream errors (e.g. unknown CSV columns). Memory
    /// stays bounded by the chunk size plus one record. Throws `FileReadError`, or `EncodingMismatch` when the file
    /// is evidently in another encoding than `encoding`.
    public func decodeFile(
        path: String, schema: RecordSchema, encoding: TextEncoding = .utf8, chunkSize: Int = 1 << 20,
        progress: (DecodingProgress) -> Void = { _ in }, _ body: (RecordBatch) throws -> Void
    ) throws -> [RecordError] {
        var reader = try FileChunkReader(path: path, chunkSize: chunkSize)
        var decoder = TranscodingRecordDecoder(format: self, schema: schema, encoding: encoding)
        let size = reader.size
        var total = 0
        try reader.forEachChunk { chunk in
            total += chunk.count
            try decoder.decode(chunk, body)
            if var mismatch = decoder.mismatch {
                mismatch.file = path
                throw mismatch
            }
            progress(DecodingProgress(bytesRead: total, totalBytes: size, records: decoder.recordCount))
        }
        try decoder.finish(body)
        if var mismatch = decoder.mismatch {
            mismatch.file = path
            throw mismatch
        }
        return decoder.streamErrors
    }
}
