import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one object of a ``FolderStorage``: bytes go to a hidden partial file beside the final path, which
/// `finish()` flushes to disk and renames into place, so the object appears whole or not at all.
actor FolderObjectWriter: ObjectWriter {
    private enum State {
        case open(FileHandle)
        case closed
    }

    /// Small writes are gathered to this size before they reach the file, so a caller writing one line at a time
    /// does not pay a system call per line.
    private static let bufferBytes = 256 * 1024

    private let name: String
    private let finalPath: String
    private let partialPath: String
    private let location: StorageLocation
    private var state: State
    private var buffer: [UInt8] = []
    private var hasher = SHA256()
    private var byteCount: Int64 = 0

    init(name: String, path: String, location: StorageLocation) throws(StorageError) {
        self.name = name
        self.finalPath = path
        self.location = location
        let slash = path.lastIndex(of: "/") ?? path.startIndex
        let directory = String(path[..<slash])
        let lastComponent = path[path.index(after: slash)...]
        self.partialPath =
            "\(directory)/.\(lastComponent).partial-\(Hex.encode(withUnsafeBytes(of: UInt64.random(in: .min ... .max)) { Array($0) }))"
        try FolderStorage.createParent(of: path, location: location, object: name)
        let descriptor = open(partialPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StorageError(
                .io, reason: "could not create \(partialPath): \(String(cString: strerror(errno)))",
                location: location.description, object: name)
        }
        self.state = .open(FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
        buffer.reserveCapacity(Self.bufferBytes)
    }

    deinit {
        // A writer dropped without finish() or abort() must not leave its partial file behind.
        if case .open(let handle) = state {
            try? handle.close()
            unlink(partialPath)
        }
    }

    func write(_ bytes: [UInt8]) async throws {
        guard case .open(let handle) = state else { throw closedError() }
        hasher.update(data: bytes)
        byteCount += Int64(bytes.count)
        if buffer.isEmpty, bytes.count >= Self.bufferBytes {
            // A large piece goes to the file as it is, without a copy into the buffer.
            try write(bytes, to: handle)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferBytes { try flush(handle) }
    }

    func finish() async throws -> WrittenObject {
        guard case .open(let handle) = state else { throw closedError() }
        do {
            try flush(handle)
            do {
                try handle.synchronize()
                try handle.close()
            } catch {
                throw failure("could not flush \(partialPath) to disk: \(error)")
            }
            state = .closed
            guard rename(partialPath, finalPath) == 0 else {
                throw failure("could not rename the partial file into place: \(String(cString: strerror(errno)))")
            }
            syncDirectory()
        } catch {
            await abort()
            throw error
        }
        return WrittenObject(name: name, bytes: byteCount, sha256: Hex.encode(hasher.finalize()))
    }

    func abort() async {
        if case .open(let handle) = state { try? handle.close() }
        state = .closed
        buffer = []
        unlink(partialPath)
    }

    private func flush(_ handle: FileHandle) throws(StorageError) {
        guard !buffer.isEmpty else { return }
        try write(buffer, to: handle)
        buffer.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: [UInt8], to handle: FileHandle) throws(StorageError) {
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw failure("could not write \(partialPath): \(error)")
        }
    }

    /// Makes the rename itself durable: without syncing the folder, a crash could forget the new name.
    private func syncDirectory() {
        let directory = String(finalPath[..<(finalPath.lastIndex(of: "/") ?? finalPath.startIndex)])
        let descriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    private func closedError() -> StorageError {
        StorageError(
            .io, reason: "the writer is already finished or aborted", location: location.description, object: name)
    }

    private func failure(_ reason: String) -> StorageError {
        StorageError(.io, reason: reason, location: location.description, object: name)
    }
}
