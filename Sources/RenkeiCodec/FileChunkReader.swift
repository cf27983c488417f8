#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A file that could not be opened or read.
public struct FileReadError: Error, Sendable, CustomStringConvertible {
    public var path: String
    /// The operating system's explanation (`strerror`).
    public var reason: String

    public var description: String { "cannot read \(path): \(reason)" }
}

/// Reads a file (or standard input, `-`) in fixed-size chunks into one reused buffer: memory stays at one chunk
/// whatever the file's size.
public struct FileChunkReader: ~Copyable {
    public let path: String
    /// The file's size in bytes, when known (not for pipes).
    public let size: Int?
    private let descriptor: Int32
    private var buffer: [UInt8]
    /// Bytes read so far.
    public private(set) var bytesRead = 0

    /// Opens `path` (`-` for standard input).
    public init(path: String, chunkSize: Int = 1 << 20) throws(FileReadError) {
        self.path = path
        if path == "-" {
            descriptor = 0
        } else {
            descriptor = open(path, O_RDONLY)
            if descriptor < 0 { throw FileReadError(path: path, reason: String(cString: strerror(errno))) }
        }
        var info = stat()
        if fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG {
            size = Int(info.st_size)
        } else if fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            if descriptor != 0 { close(descriptor) }
            throw FileReadError(path: path, reason: "is a directory")
        } else {
            size = nil
        }
        buffer = [UInt8](repeating: 0, count: max(chunkSize, 4096))
    }

    deinit { if descriptor != 0 { close(descriptor) } }

    /// Calls `body` with each chunk in order until the end of the file.
    public mutating func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let descriptor = self.descriptor
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { return }
            bytesRead += count
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }
}
