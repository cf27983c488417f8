import Crypto
import Foundation

/// The canonical form of history entries and their SHA-256 chaining.
enum HistoryHashing {
    static let genesis = String(repeating: "0", count: 64)

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "not RFC 3339"))
            }
            return date
        }
        return decoder
    }()

    /// The bytes stored on the history topic.
    static func encode(_ entry: HistoryEntry) -> [UInt8] {
        // Encoding a value of plain fields cannot fail.
        Array(try! encoder.encode(entry))
    }

    static func decode(_ bytes: [UInt8]) -> HistoryEntry? {
        try? decoder.decode(HistoryEntry.self, from: Data(bytes))
    }

    /// SHA-256 of the entry with an empty `hash` field: covers the chain position, the previous hash and every
    /// field, so changing, removing or reordering entries breaks the chain.
    static func hash(of entry: HistoryEntry) -> String {
        var body = entry
        body.hash = ""
        // Times are hashed as they are stored (millisecond precision), so a decoded entry hashes the same.
        body.time = Timestamp.parse(Timestamp.format(entry.time)) ?? entry.time
        let digest = SHA256.hash(data: encode(body))
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
