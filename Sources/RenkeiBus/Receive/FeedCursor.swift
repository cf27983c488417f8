import Foundation

/// A position in a receiver's feed, opaque to clients: the next offset of each partition of the receiver's
/// outbound topic, and, inside a bulk transfer that one page did not finish, how many of its records were read.
/// Stateless on the bus: any instance can continue any cursor.
public struct FeedCursor: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Next offset to read, by partition; partitions not listed are read from their beginning.
    public var offsets: [Int32: Int64]
    /// A bulk transfer being read: its manifest's partition and offset, and the records already handed out.
    public var transfer: TransferPosition?

    public struct TransferPosition: Sendable, Hashable, Codable {
        public var partition: Int32
        public var offset: Int64
        public var delivered: Int
    }

    public init(offsets: [Int32: Int64] = [:], transfer: TransferPosition? = nil) {
        self.offsets = offsets
        self.transfer = transfer
    }

    /// The beginning of the feed.
    public static let start = FeedCursor()

    /// The cursor as a URL-safe token.
    public var token: String {
        Base64URL.encode(try! JSONEncoder().encode(self))
    }

    /// Reads a token made by `token`; `nil` when it is not one. A client writes the token it sends, so numbers no
    /// cursor holds are refused here: a negative offset would reach the reader as a Kafka offset (and overflowed the
    /// count of offsets lost to retention, stopping the process).
    public init?(token: String) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
            let cursor = try? JSONDecoder().decode(FeedCursor.self, from: data),
            cursor.offsets.allSatisfy({ $0.key >= 0 && $0.value >= 0 }),
            cursor.transfer.map({ $0.partition >= 0 && $0.offset >= 0 && $0.delivered >= 0 }) ?? true
        else { return nil }
        self = cursor
    }

    public var description: String { token }
}
