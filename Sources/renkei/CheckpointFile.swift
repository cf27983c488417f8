import ArgumentParser
import Foundation
import RenkeiBus

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A history checkpoint on disk, as `history verify --from-checkpoint` reads it and `--write-checkpoint` writes it.
enum CheckpointFile {
    /// The checkpoint in `path`; exits with 2 and a message naming the file when it is missing or not one.
    static func read(_ path: String) throws -> HistoryCheckpoint {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw usageFailure("cannot read the checkpoint \(path): \(Self.reason(error))")
        }
        do {
            return try HistoryCheckpoint(decoding: data)
        } catch {
            throw usageFailure("\(path) is not a history checkpoint: \(error.reason)")
        }
    }

    /// Fails (exit 2) before a long verification when the checkpoint could not be written at its end.
    static func checkWritable(_ path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw usageFailure("cannot write the checkpoint \(path): \(directory) is not a writable folder")
        }
    }

    /// Writes `checkpoint` to `path` so that the file holds the old checkpoint or the new one, never a part: a
    /// temporary file in the same folder, flushed to disk, then renamed over `path`.
    static func write(_ checkpoint: HistoryCheckpoint, to path: String) throws {
        let temporary = path + ".tmp-\(UUID().uuidString.prefix(8))"
        do {
            guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
                throw CocoaError(.fileWriteNoPermission)
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.write(contentsOf: checkpoint.encoded())
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw usageFailure("cannot write the checkpoint \(path): \(Self.reason(error))")
        }
    }

    private static func reason(_ error: any Error) -> String {
        switch (error as? CocoaError)?.code {
        case .fileReadNoSuchFile?, .fileNoSuchFile?: "no such file"
        case .fileReadNoPermission?, .fileWriteNoPermission?: "permission denied"
        default: "\(error.localizedDescription)"
        }
    }
}
