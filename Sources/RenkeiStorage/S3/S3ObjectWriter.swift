import Crypto

/// Writes one object of an ``S3Storage``. Bytes gather in a buffer of one part; an object that fits in one part is
/// sent with a single PutObject at `finish()`, a bigger one as a multipart upload whose parts go out while the next
/// part fills, so memory stays at one part being filled plus one in flight. Any failure, `abort()`, or dropping
/// the writer aborts the upload, so no parts are left behind.
actor S3ObjectWriter: ObjectWriter {
    private enum State {
        case open
        case closed
    }

    private let client: S3Client
    private let name: String
    private let key: String
    private let contentType: String
    private let partSize: Int
    private var state = State.open
    private var buffer: [UInt8] = []
    private var hasher = SHA256()
    private var byteCount: Int64 = 0
    private var uploadID: String?
    private var parts: [S3Client.UploadedPart] = []
    private var inFlight: Task<S3Client.UploadedPart, any Error>?

    init(client: S3Client, name: String, key: String, contentType: String, partSize: Int) {
        self.client = client
        self.name = name
        self.key = key
        self.contentType = contentType
        self.partSize = partSize
    }

    deinit {
        // Dropped without finish() or abort(): abort the upload so its parts do not linger (and cost) forever.
        // deinit cannot wait, so the call runs on its own.
        if state == .open, let uploadID {
            inFlight?.cancel()
            let (client, key) = (client, key)
            Task { try? await client.abortMultipartUpload(key, uploadID: uploadID) }
        }
    }

    func write(_ bytes: [UInt8]) async throws {
        guard state == .open else { throw closedError() }
        hasher.update(data: bytes)
        byteCount += Int64(bytes.count)
        var rest = bytes[...]
        while !rest.isEmpty {
            // A full buffer goes out only once more bytes arrive: an object of exactly one part stays one PutObject.
            if buffer.count == partSize { try await failing { try await sendPart() } }
            let taken = rest.prefix(partSize - buffer.count)
            if buffer.isEmpty { buffer.reserveCapacity(partSize) }
            buffer.append(contentsOf: taken)
            rest = rest.dropFirst(taken.count)
        }
    }

    func finish() async throws -> WrittenObject {
        guard state == .open else { throw closedError() }
        try await failing {
            if let uploadID {
                if !buffer.isEmpty { try await sendPart() }
                try await awaitInFlight()
                try await client.completeMultipartUpload(key, uploadID: uploadID, parts: parts)
            } else {
                try await client.putObject(key, body: buffer, contentType: contentType)
            }
        }
        state = .closed
        buffer = []
        return WrittenObject(name: name, bytes: byteCount, sha256: Hex.encode(hasher.finalize()))
    }

    func abort() async {
        guard state == .open else { return }
        state = .closed
        buffer = []
        inFlight?.cancel()
        _ = try? await inFlight?.value
        inFlight = nil
        // Detached: an abort that follows a cancellation (a shutdown mid-write) must still reach the storage, or the
        // upload's parts stay behind.
        if let uploadID {
            let (client, key) = (client, key)
            await Task.detached { try? await client.abortMultipartUpload(key, uploadID: uploadID) }.value
        }
    }

    /// Uploads the buffer as the next part once the part before it has arrived.
    private func sendPart() async throws {
        let body = buffer
        buffer = []
        let uploadID: String
        if let existing = self.uploadID {
            uploadID = existing
        } else {
            uploadID = try await client.createMultipartUpload(key, contentType: contentType)
            self.uploadID = uploadID
        }
        try await awaitInFlight()
        let number = parts.count + 1
        guard number <= S3Client.maximumParts else {
            throw StorageError(
                .refused, reason: "the object needs more than \(S3Client.maximumParts) parts: raise the part size",
                location: client.locationText, object: name)
        }
        let (client, key) = (client, key)
        inFlight = Task { try await client.uploadPart(key, uploadID: uploadID, number: number, body: body) }
    }

    private func awaitInFlight() async throws {
        guard let task = inFlight else { return }
        inFlight = nil
        parts.append(try await task.value)
    }

    /// Runs `body`; when it fails, aborts the upload before passing the error on.
    private func failing(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await abort()
            throw error
        }
    }

    private func closedError() -> StorageError {
        StorageError(
            .io, reason: "the writer is already finished or aborted", location: client.locationText, object: name)
    }
}
