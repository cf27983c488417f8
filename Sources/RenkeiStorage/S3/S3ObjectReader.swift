/// Reads an S3 object in chunks for ``S3Storage/read(_:chunkBytes:)``: HeadObject for the size and entity tag,
/// then ranged GETs of a window of at least 1 MiB, each sent `If-Match` the first entity tag so a reader never
/// stitches two versions of an object together.
actor S3ObjectReader {
    private static let minimumWindow = 1024 * 1024

    private let client: S3Client
    private let key: String
    private let chunkBytes: Int
    private var size: Int64?
    private var etag: String?
    private var offset: Int64 = 0
    private var window: [UInt8] = []
    private var windowStart = 0

    init(client: S3Client, key: String, chunkBytes: Int) {
        self.client = client
        self.key = key
        self.chunkBytes = chunkBytes
    }

    /// The next chunk, or nil at the end.
    func next() async throws(StorageError) -> [UInt8]? {
        if size == nil {
            let info = try await client.headObject(key)
            size = info.bytes
            etag = info.etag
        }
        if windowStart == window.count {
            guard let size, offset < size else { return nil }
            let length = Int64(max(chunkBytes, Self.minimumWindow))
            let last = min(offset + length, size) - 1
            window = try await client.getObject(key, range: offset...last, ifMatch: etag, maxBytes: Int(length)).bytes
            windowStart = 0
            guard !window.isEmpty else { return nil }
            offset += Int64(window.count)
        }
        let end = min(windowStart + chunkBytes, window.count)
        defer { windowStart = end }
        return Array(window[windowStart..<end])
    }
}
