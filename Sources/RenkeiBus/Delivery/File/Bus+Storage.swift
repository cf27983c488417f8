import Foundation
import Logging
public import RenkeiStorage

extension Bus {
    /// The storage a contract names: `file:///folder`, `file:folder` (a folder under the data directory), or
    /// `s3://bucket/prefix` (reached with ``BusConfiguration/s3``).
    public func storage(_ url: String) throws -> any ObjectStorage {
        try Self.storage(url, configuration: configuration, logger: logger)
    }

    static func storage(_ url: String, configuration: BusConfiguration, logger: Logger) throws -> any ObjectStorage {
        var text = url
        if url.hasPrefix("file:"), !url.hasPrefix("file:/") {
            guard let data = configuration.dataDirectory else {
                throw StorageLocationError(
                    location: url,
                    reason: "a relative `file:` location lies under the data directory, and this bus "
                        + "runs without one (give it --data-dir)")
            }
            // `./state`, `../shared/state`: the data directory as given on the command line, made absolute and plain.
            let folder = URL(fileURLWithPath: data).appendingPathComponent(String(url.dropFirst(5)))
            text = "file://" + folder.standardizedFileURL.path
        }
        return Storage.open(try StorageLocation(parsing: text), settings: configuration.s3, logger: logger)
    }
}

/// A contract's storage location that this bus cannot use.
public struct StorageLocationError: Error, Sendable, CustomStringConvertible {
    public var location: String
    public var reason: String
    public var description: String { "The storage location `\(location)` cannot be used: \(reason)." }
}
