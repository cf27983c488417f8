import Foundation

/// How values of the shared topics are written: JSON with sorted keys and times as milliseconds since 1970.
enum SharedJSON {
    static func encode<Value: Encodable>(_ value: Value) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = .sortedKeys
        return (try? Array(encoder.encode(value))) ?? []
    }

    /// The value, or `nil` for bytes this version cannot read.
    static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) -> Value? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try? decoder.decode(type, from: Data(bytes))
    }
}
