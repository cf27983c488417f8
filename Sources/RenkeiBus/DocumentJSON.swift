import Foundation

/// How the bus writes the JSON documents it stores for others to read (transfer manifests, file manifests, inbox
/// results): sorted keys, `/` unescaped, ISO 8601 times; pretty-printed for documents people open in storage.
enum DocumentJSON {
    static let compact = encoder(pretty: false)
    static let pretty = encoder(pretty: true)

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    private static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
