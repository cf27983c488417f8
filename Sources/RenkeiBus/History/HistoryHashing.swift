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

    /// The canonical form hashed: as stored, but times as whole milliseconds since 1970, which survive the
    /// round trip through their RFC 3339 text exactly (a `Date` read back from text may differ in its last bits).
    private static let canonicalEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Int64((date.timeIntervalSince1970 * 1000).rounded()))
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
        HistoryEntryWriter.write(entry, time: .text) ?? Array(try! encoder.encode(entry))
    }

    /// The stored form by `JSONEncoder` alone, which ``HistoryEntryWriter`` must match byte for byte.
    static func encodeByFoundation(_ entry: HistoryEntry, canonical: Bool = false) -> [UInt8] {
        Array(try! (canonical ? canonicalEncoder : encoder).encode(entry))
    }

    /// The entry in `bytes`: through the fast parser for entries as the bus writes them, else `JSONDecoder`.
    static func decode(_ bytes: [UInt8]) -> HistoryEntry? {
        HistoryEntryParser.parse(bytes) ?? (try? decoder.decode(HistoryEntry.self, from: Data(bytes)))
    }

    /// SHA-256 of the entry with an empty `hash` field: covers the chain position, the previous hash and every
    /// field, so changing, removing or reordering entries breaks the chain.
    static func hash(of entry: HistoryEntry) -> String {
        var body = entry
        body.hash = ""
        let canonical = HistoryEntryWriter.write(body, time: .milliseconds) ?? Array(try! canonicalEncoder.encode(body))
        let digest = SHA256.hash(data: canonical)
        return HexText.encode(digest)
    }
}
