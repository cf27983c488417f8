import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Objects as files under a folder: an object's name is its path relative to the folder. Writers write a hidden
/// `.<name>.partial-<random>` file beside the final one and rename it into place, so readers and listings see an
/// object whole or not at all. Directories are created as needed (mode 0700).
///
/// File calls block briefly on the calling thread; they are local disk operations of bounded size (reads and
/// writes go in chunks), so they stay on the caller's executor rather than hopping to a thread of their own.
public struct FolderStorage: ObjectStorage {
    /// The folder's absolute path, without a trailing `/`.
    public let root: String

    public var location: StorageLocation { .folder(path: root) }

    /// Storage under `root`, an absolute path; the folder is created when the first object is written.
    public init(root: String) throws(StorageError) {
        let location = try StorageLocation(parsing: "file://" + root)
        guard case .folder(let path) = location else {
            throw StorageError(.invalidLocation, reason: "not a folder path", location: root)
        }
        self.root = path
    }

    /// Storage under a path that ``StorageLocation`` already checked.
    init(validatedRoot: String) {
        self.root = validatedRoot
    }

    public func makeWriter(_ name: String, contentType: String) async throws -> any ObjectWriter {
        try FolderObjectWriter(name: name, path: try path(of: name), location: location)
    }

    public func put(_ name: String, _ bytes: [UInt8], contentType: String) async throws {
        let writer = try FolderObjectWriter(name: name, path: try path(of: name), location: location)
        do {
            try await writer.write(bytes)
            _ = try await writer.finish()
        } catch {
            await writer.abort()
            throw error
        }
    }

    public func get(_ name: String) async throws -> [UInt8] {
        let handle = try openForReading(name)
        defer { try? handle.close() }
        do {
            return [UInt8](try handle.readToEnd() ?? Data())
        } catch {
            throw failure("could not read the file: \(error)", object: name)
        }
    }

    public func read(_ name: String, chunkBytes: Int) -> AsyncThrowingStream<[UInt8], any Error> {
        let chunk = max(1, chunkBytes)
        let reader: FileChunkReader
        do {
            reader = FileChunkReader(handle: try openForReading(name), name: name, location: location)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        // Pull-based: a chunk is read only when the consumer asks for it, so memory stays at one chunk.
        return AsyncThrowingStream(unfolding: { try reader.next(chunk) })
    }

    public func list(prefix: String) async throws -> [StoredObject] {
        try ObjectName.validatePrefix(prefix, location: location)
        // Walk only the deepest folder the prefix names, then filter on the whole prefix.
        let folder = prefix.lastIndex(of: "/").map { String(prefix[..<$0]) } ?? ""
        let start = folder.isEmpty ? root : root + "/" + folder
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: start, isDirectory: &isDirectory), isDirectory.boolValue else {
            return []
        }
        guard let enumerator = FileManager.default.enumerator(atPath: start) else {
            throw failure("could not list the folder \(start)", object: nil)
        }
        var objects: [StoredObject] = []
        while let relative = enumerator.nextObject() as? String {
            let name = folder.isEmpty ? relative : folder + "/" + relative
            guard name.hasPrefix(prefix), !Self.isPartial(name) else { continue }
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: root + "/" + name),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            objects.append(StoredObject(name: name, bytes: size, modified: attributes[.modificationDate] as? Date))
        }
        // Byte order, as S3 lists, so both kinds of storage sort alike.
        return objects.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    public func exists(_ name: String) async throws -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: try path(of: name), isDirectory: &isDirectory)
            && !isDirectory.boolValue
    }

    public func move(_ name: String, to newName: String) async throws {
        let source = try path(of: name)
        let target = try path(of: newName)
        guard try await exists(name) else {
            throw StorageError(.notFound, reason: "no such object", location: location.description, object: name)
        }
        try Self.createParent(of: target, location: location, object: newName)
        guard rename(source, target) == 0 else {
            throw failure("could not rename to '\(newName)': \(String(cString: strerror(errno)))", object: name)
        }
    }

    public func delete(_ name: String) async throws {
        let path = try path(of: name)
        guard unlink(path) == 0 || errno == ENOENT else {
            throw failure("could not delete the file: \(String(cString: strerror(errno)))", object: name)
        }
    }

    // MARK: - Paths

    private func path(of name: String) throws(StorageError) -> String {
        let components = try ObjectName.components(of: name, location: location)
        if let last = components.last, Self.isPartial(String(last)) {
            throw StorageError(
                .invalidLocation, reason: "names of the form '.<name>.partial-<random>' are reserved for writers",
                location: location.description, object: name)
        }
        return root + "/" + name
    }

    private func openForReading(_ name: String) throws(StorageError) -> FileHandle {
        let path = try path(of: name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let handle = FileHandle(forReadingAtPath: path)
        else {
            throw StorageError(.notFound, reason: "no such object", location: location.description, object: name)
        }
        return handle
    }

    private func failure(_ reason: String, object: String?) -> StorageError {
        StorageError(.io, reason: reason, location: location.description, object: object)
    }

    /// Whether a name's last component is a writer's partial file.
    static func isPartial(_ name: String) -> Bool {
        let last = name.split(separator: "/").last ?? Substring(name)
        return last.hasPrefix(".") && last.contains(".partial-")
    }

    static func createParent(of path: String, location: StorageLocation, object: String) throws(StorageError) {
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        guard !directory.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StorageError(
                .io, reason: "could not create the folder \(directory): \(error)", location: location.description,
                object: object)
        }
    }
}

/// Reads a file in chunks for ``FolderStorage/read(_:chunkBytes:)``.
private final class FileChunkReader: @unchecked Sendable {
    // @unchecked: the stream's unfolding closure is the only caller, and an async stream's iterator asks for one
    // element at a time, so the handle is never used from two threads at once.
    private let handle: FileHandle
    private let name: String
    private let location: StorageLocation

    init(handle: FileHandle, name: String, location: StorageLocation) {
        self.handle = handle
        self.name = name
        self.location = location
    }

    deinit { try? handle.close() }

    func next(_ chunkBytes: Int) throws(StorageError) -> [UInt8]? {
        let data: Data?
        do {
            data = try handle.read(upToCount: chunkBytes)
        } catch {
            throw StorageError(
                .io, reason: "could not read the file: \(error)", location: location.description, object: name)
        }
        guard let data, !data.isEmpty else { return nil }
        return [UInt8](data)
    }
}
