import AsyncHTTPClient
public import Logging

/// Objects under a key prefix of an S3-compatible bucket: object `name` is the key `prefix/name`. Writers upload
/// one part at a time with bounded memory and make the object visible only when they finish (PutObject or
/// CompleteMultipartUpload), so readers see an object whole or not at all. `move` is CopyObject then DeleteObject.
public struct S3Storage: ObjectStorage {
    /// The bucket.
    public let bucket: String
    /// The key prefix, without leading or trailing `/`; empty for the whole bucket.
    public let prefix: String
    public var location: StorageLocation { .s3(bucket: bucket, prefix: prefix) }
    let client: S3Client

    /// Storage in `bucket` under `prefix`, reached with `settings`.
    public init(
        bucket: String, prefix: String = "", settings: S3Settings, logger: Logger = Logger(label: "renkei.storage")
    ) {
        self.init(
            bucket: bucket, prefix: prefix, settings: settings, httpClient: StorageHTTPClient.shared, logger: logger)
    }

    init(bucket: String, prefix: String, settings: S3Settings, httpClient: HTTPClient, logger: Logger) {
        var prefix = prefix
        while prefix.hasPrefix("/") { prefix.removeFirst() }
        while prefix.hasSuffix("/") { prefix.removeLast() }
        self.bucket = bucket
        self.prefix = prefix
        self.client = S3Client(
            bucket: bucket, settings: settings,
            locationText: StorageLocation.s3(bucket: bucket, prefix: prefix).description, httpClient: httpClient,
            logger: logger)
    }

    public func makeWriter(_ name: String, contentType: String) async throws -> any ObjectWriter {
        S3ObjectWriter(
            client: client, name: name, key: try key(name), contentType: contentType,
            partSize: client.settings.effectivePartSize)
    }

    public func put(_ name: String, _ bytes: [UInt8], contentType: String) async throws {
        let key = try key(name)
        guard bytes.count > client.settings.effectivePartSize else {
            return try await client.putObject(key, body: bytes, contentType: contentType)
        }
        let writer = try await makeWriter(name, contentType: contentType)
        do {
            try await writer.write(bytes)
            _ = try await writer.finish()
        } catch {
            await writer.abort()
            throw error
        }
    }

    public func get(_ name: String) async throws -> [UInt8] {
        try await client.getObject(try key(name), maxBytes: Int.max).bytes
    }

    public func read(_ name: String, chunkBytes: Int) -> AsyncThrowingStream<[UInt8], any Error> {
        let key: String
        do {
            key = try self.key(name)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        let reader = S3ObjectReader(client: client, key: key, chunkBytes: max(1, chunkBytes))
        // Pull-based: a ranged GET is sent only when the consumer has used up the bytes of the previous one.
        return AsyncThrowingStream(unfolding: { try await reader.next() })
    }

    public func list(prefix: String) async throws -> [StoredObject] {
        try ObjectName.validatePrefix(prefix, location: location)
        let keyPrefix = self.prefix.isEmpty ? "" : self.prefix + "/"
        // A folder prefix (`linkage/`) is asked for without its trailing '/' and the keys are filtered here: some
        // S3-compatible servers (moto) check the signature against the query after decoding `%2F`, so they refuse
        // `prefix=linkage%2F`, which AWS requires. The cost is the keys of sibling names that start alike.
        let wanted = keyPrefix + prefix
        var asked = wanted
        if asked.hasSuffix("/") { asked.removeLast() }
        var objects: [StoredObject] = []
        var token: String?
        repeat {
            let page = try await client.listObjects(prefix: asked, continuationToken: token, maxKeys: listPageSize)
            for object in page.objects where object.key.hasPrefix(wanted) {
                let name = String(object.key.dropFirst(keyPrefix.count))
                // Keys that are not valid names (folder markers ending in '/', '..') are not objects of ours.
                guard (try? ObjectName.components(of: name, location: location)) != nil else { continue }
                objects.append(StoredObject(name: name, bytes: object.bytes, modified: object.modified))
            }
            token = page.continuationToken
        } while token != nil
        return objects.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    public func exists(_ name: String) async throws -> Bool {
        let key = try key(name)
        do {
            _ = try await client.headObject(key)
            return true
        } catch  where error.code == .notFound {
            return false
        }
    }

    public func move(_ name: String, to newName: String) async throws {
        let source = try key(name)
        let target = try key(newName)
        guard source != target else { return }
        try await client.copyObject(from: source, to: target)
        try await client.deleteObject(source)
    }

    public func delete(_ name: String) async throws {
        try await client.deleteObject(try key(name))
    }

    /// Creates the bucket (tests and setup tools; the bus expects its buckets to exist).
    package func createBucket() async throws {
        try await client.createBucket()
    }

    /// The most keys one ListObjectsV2 page asks for; tests lower it to see pagination.
    var listPageSize: Int? { client.settings.listPageSize }

    private func key(_ name: String) throws(StorageError) -> String {
        _ = try ObjectName.components(of: name, location: location)
        return prefix.isEmpty ? name : prefix + "/" + name
    }
}
