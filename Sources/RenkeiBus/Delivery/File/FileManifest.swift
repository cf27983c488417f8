public import Foundation

/// What a file receiver finds beside each data file, written after the data file is complete: a reader takes a
/// data file only once its manifest exists. It names the contract the file follows, the window it covers, and the
/// file's size and SHA-256, so the receiver can check what it read.
public struct FileManifest: Sendable, Hashable, Codable {
    /// The data file's name, relative to the storage location.
    public var file: String
    public var linkage: String
    public var provider: String
    public var receiver: String
    /// The layout the rows follow, `id@version`.
    public var layout: String
    /// The contract version: a digest of the linkage as loaded, so a receiver sees when its contract changed.
    public var contractVersion: String
    /// `full` (every key's current record) or `differential` (what changed in the window).
    public var mode: String
    /// The item names of the header row, in layout order: exactly the receiver's items.
    public var items: [String]
    /// The window: records committed after `from` (absent for the first file) up to `to`.
    public var windowFrom: Date?
    public var windowTo: Date
    /// Data rows (the header row not counted).
    public var records: Int
    public var bytes: Int64
    /// SHA-256 of the data file, lowercase hex.
    public var sha256: String
    /// The receiver's sequence number of this file, from 1.
    public var sequence: Int
    /// How far the receiver's outbound topic is covered: the next offset per partition. The next window starts here.
    public var through: [String: Int64]
    public var createdAt: Date

    public func encoded() -> [UInt8] { Array(try! DocumentJSON.pretty.encode(self)) }

    public static func decode(_ bytes: [UInt8]) -> FileManifest? {
        try? DocumentJSON.decoder.decode(FileManifest.self, from: Data(bytes))
    }

    /// The outbound positions as the bus reads them.
    var positions: [Int32: Int64] {
        Dictionary(uniqueKeysWithValues: through.compactMap { key, value in Int32(key).map { ($0, value) } })
    }
}
