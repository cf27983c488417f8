public import Foundation

/// Object storage as the file linkage method uses it: a flat namespace of objects named by `/`-separated paths
/// relative to a ``StorageLocation``. Both kinds (a folder, an S3-compatible bucket prefix) give the same promise:
/// an object appears under its final name whole, or not at all.
public protocol ObjectStorage: Sendable {
    /// Where the objects live.
    var location: StorageLocation { get }

    /// Starts a new object `name`, written in pieces with bounded memory. Nothing is visible under `name` until
    /// ``ObjectWriter/finish()`` returns; ``ObjectWriter/abort()`` leaves nothing behind.
    func makeWriter(_ name: String, contentType: String) async throws -> any ObjectWriter

    /// Writes a small object (a manifest, a result file) whole, replacing any object of that name.
    func put(_ name: String, _ bytes: [UInt8], contentType: String) async throws

    /// The whole object; for small objects. Throws ``StorageError`` `.notFound` when there is none.
    func get(_ name: String) async throws -> [UInt8]

    /// The object in pieces of about `chunkBytes`, with bounded memory, for objects of any size.
    func read(_ name: String, chunkBytes: Int) -> AsyncThrowingStream<[UInt8], any Error>

    /// The objects whose names start with `prefix` (at any depth), sorted by name. Objects being written are not
    /// listed.
    func list(prefix: String) async throws -> [StoredObject]

    /// Whether an object `name` exists.
    func exists(_ name: String) async throws -> Bool

    /// Renames an object (S3: copy, then delete the source). Replaces an object of the new name.
    func move(_ name: String, to newName: String) async throws

    /// Deletes an object; deleting one that does not exist is not an error.
    func delete(_ name: String) async throws
}

/// An object being written. Not shared between tasks: one writer, one task.
public protocol ObjectWriter: AnyObject, Sendable {
    /// Appends bytes to the object.
    func write(_ bytes: [UInt8]) async throws

    /// Makes the object visible under its name, whole; returns what was written.
    func finish() async throws -> WrittenObject

    /// Discards what was written (S3: aborts the multipart upload), so nothing is left behind.
    func abort() async
}

/// An object that ``ObjectWriter/finish()`` made visible.
public struct WrittenObject: Sendable, Hashable {
    public var name: String
    public var bytes: Int64
    /// SHA-256 of the object's bytes, lowercase hex.
    public var sha256: String

    public init(name: String, bytes: Int64, sha256: String) {
        self.name = name
        self.bytes = bytes
        self.sha256 = sha256
    }
}

/// One object in a listing.
public struct StoredObject: Sendable, Hashable {
    /// The name relative to the location.
    public var name: String
    public var bytes: Int64
    public var modified: Date?

    public init(name: String, bytes: Int64, modified: Date?) {
        self.name = name
        self.bytes = bytes
        self.modified = modified
    }
}
