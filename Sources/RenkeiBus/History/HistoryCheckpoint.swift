public import Foundation

/// Where a verification of the history ended, so the next one can start there: the topic's end at that time and
/// the head of every chain. A later verification reads only from the oldest head on, checks that each head is
/// still in the topic unchanged, and that every chain goes on from its head without gap.
///
/// The anchors are what makes truncation visible: without them, a topic whose newest entries were cut off (or
/// replaced by a freshly hashed chain) is still a well-formed chain. Keep checkpoints where the Kafka operators
/// cannot rewrite them.
public struct HistoryCheckpoint: Sendable, Hashable, Codable {
    /// The last entry of one chain when the checkpoint was taken.
    public struct Anchor: Sendable, Hashable, Codable {
        public var sequence: Int
        public var hash: String
        /// Where that entry is in the history topic.
        public var offset: Int64

        public init(sequence: Int, hash: String, offset: Int64) {
            self.sequence = sequence
            self.hash = hash
            self.offset = offset
        }
    }

    /// The topic's next offset when the checkpoint was taken: every entry below it was verified.
    public var offset: Int64
    /// The head of every chain, by chain (writer) name.
    public var chains: [String: Anchor]

    public init(offset: Int64, chains: [String: Anchor]) {
        self.offset = offset
        self.chains = chains
    }

    /// Where a verification from this checkpoint starts reading: the oldest head (it is read again to check that
    /// it is still there), or the checkpoint's offset when the history had no entry.
    public var readFrom: Int64 { chains.values.map(\.offset).min() ?? offset }

    /// The checkpoint as a file holds it: JSON with sorted keys, one member per line.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Encoding plain strings and integers cannot fail.
        return try! encoder.encode(self) + Data("\n".utf8)
    }

    /// Reads a checkpoint written by ``encoded()``; throws ``Malformed`` saying what is wrong when `data` is not one.
    public init(decoding data: Data) throws(Malformed) {
        let decoded: HistoryCheckpoint
        do {
            decoded = try JSONDecoder().decode(HistoryCheckpoint.self, from: data)
        } catch let error as DecodingError {
            throw Malformed(reason: Self.reason(error))
        } catch {
            throw Malformed(reason: "\(error)")
        }
        try decoded.validate()
        self = decoded
    }

    /// Bytes that are not a checkpoint (or one whose anchors cannot be right).
    public struct Malformed: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    private func validate() throws(Malformed) {
        guard offset >= 0 else { throw Malformed(reason: "its offset \(offset) is negative") }
        for (chain, anchor) in chains.sorted(by: { $0.key < $1.key }) {
            guard anchor.sequence >= 1, (0..<offset).contains(anchor.offset) else {
                throw Malformed(
                    reason:
                        "chain \(chain): entry \(anchor.sequence) at offset \(anchor.offset) cannot be a head below "
                        + "offset \(offset)")
            }
            guard anchor.hash.utf8.count == 64, anchor.hash.utf8.allSatisfy(Self.isLowercaseHex) else {
                throw Malformed(reason: "chain \(chain): the hash is not 64 lowercase hexadecimal digits")
            }
        }
    }

    private static func isLowercaseHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    private static func reason(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.isEmpty ? "the top level" : context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(context.codingPath.isEmpty ? "" : path(context) + ": ")`\(key.stringValue)` is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context)) has the wrong type"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "it is not JSON" : "\(path(context)) is not valid"
        @unknown default:
            return "\(error)"
        }
    }
}
