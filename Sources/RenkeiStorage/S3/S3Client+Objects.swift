import Foundation

/// Single-object calls and listing.
extension S3Client {
    /// An object's size, entity tag and modification time, from HeadObject.
    struct ObjectInfo: Sendable {
        var bytes: Int64
        var etag: String?
        var modified: Date?
    }

    /// A part of an object, from GetObject.
    struct ObjectBytes: Sendable {
        var bytes: [UInt8]
        var etag: String?
    }

    /// One page of ListObjectsV2.
    struct ListPage: Sendable {
        var objects: [(key: String, bytes: Int64, modified: Date?)]
        /// The token for the next page; nil on the last page.
        var continuationToken: String?
    }

    func createBucket() async throws(StorageError) {
        _ = try await send(Call(method: .put, key: nil))
    }

    func putObject(_ key: String, body: [UInt8], contentType: String) async throws(StorageError) {
        _ = try await send(
            Call(method: .put, key: key, headers: [(name: "content-type", value: contentType)], body: body))
    }

    /// The object, or the bytes `range` (inclusive offsets) of it; `ifMatch` makes S3 refuse (412) when the object
    /// changed since the entity tag was read.
    func getObject(
        _ key: String, range: ClosedRange<Int64>? = nil, ifMatch: String? = nil, maxBytes: Int = 64 * 1024 * 1024
    ) async throws(StorageError) -> ObjectBytes {
        var headers: [(name: String, value: String)] = []
        if let range { headers.append((name: "range", value: "bytes=\(range.lowerBound)-\(range.upperBound)")) }
        if let ifMatch { headers.append((name: "if-match", value: ifMatch)) }
        let response = try await send(Call(method: .get, key: key, headers: headers, maxResponseBytes: maxBytes))
        return ObjectBytes(bytes: response.body, etag: response.header("etag"))
    }

    func headObject(_ key: String) async throws(StorageError) -> ObjectInfo {
        let response = try await send(Call(method: .head, key: key))
        return ObjectInfo(
            bytes: response.header("content-length").flatMap { Int64($0) } ?? 0, etag: response.header("etag"),
            modified: response.header("last-modified").flatMap(Self.httpDate))
    }

    func listObjects(
        prefix: String, continuationToken: String?, maxKeys: Int? = nil
    ) async throws(StorageError)
        -> ListPage
    {
        var query: [(name: String, value: String)] = [(name: "list-type", value: "2")]
        if !prefix.isEmpty { query.append((name: "prefix", value: prefix)) }
        if let continuationToken { query.append((name: "continuation-token", value: continuationToken)) }
        if let maxKeys { query.append((name: "max-keys", value: "\(maxKeys)")) }
        let response = try await send(Call(method: .get, key: nil, query: query, maxResponseBytes: 16 * 1024 * 1024))
        guard let tree = XMLTree.parse(response.body), tree.name == "ListBucketResult" else {
            throw StorageError(.refused, reason: "the listing is not a ListBucketResult", httpStatus: response.status)
        }
        let objects = tree.children("Contents").compactMap { entry -> (key: String, bytes: Int64, modified: Date?)? in
            guard let key = entry["Key"] else { return nil }
            return (key, entry["Size"].flatMap { Int64($0) } ?? 0, entry["LastModified"].flatMap(Self.isoDate))
        }
        let truncated = tree["IsTruncated"] == "true"
        let token = tree["NextContinuationToken"].flatMap { $0.isEmpty ? nil : $0 }
        return ListPage(objects: objects, continuationToken: truncated ? token : nil)
    }

    /// Copies `source` to `key` within the bucket (up to 5 GB, the CopyObject limit).
    func copyObject(from source: String, to key: String) async throws(StorageError) {
        let copySource = "/" + URIEncoding.encode(bucket) + "/" + URIEncoding.encode(source, keepingSlashes: true)
        let response = try await send(
            Call(method: .put, key: key, headers: [(name: "x-amz-copy-source", value: copySource)]))
        if let failure = Self.embeddedFailure(response, method: .put) {
            throw failure.about(location: locationText, object: key)
        }
    }

    /// Deletes `key`; S3 answers 204 whether or not it existed.
    func deleteObject(_ key: String) async throws(StorageError) {
        _ = try await send(Call(method: .delete, key: key))
    }

    static func isoDate(_ text: String) -> Date? {
        (try? Date(text, strategy: .iso8601))
            ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
    }

    /// An RFC 7231 date such as `Wed, 12 Oct 2009 17:50:00 GMT`.
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
