import FuzzSupport
import RenkeiCodec
import RenkeiContracts

extension CodecInvariants {
    /// Decodes `bytes` through the ``TranscodingRecordDecoder`` in the encoding `choice` picks, cut as
    /// ``decodeChunked(_:cut:make:)`` cuts. Where the encoding cannot change the text (UTF-8 without a mismatch, or
    /// ASCII input) the result must be what the plain decoder made of it (`plain`, decoded with default options).
    public static func checkTranscoding(
        _ bytes: [UInt8], format: RecordFormat, choice: UInt8, cut: UInt8, plain: Decoded?
    ) {
        let encodings: [TextEncoding] = [.utf8, .cp932, .shiftJIS]
        let encoding = encodings[Int(choice) % encodings.count]
        let decoded = decodeChunked(bytes, cut: cut, resyncAfterTooLarge: format == .csv) {
            TranscodingRecordDecoder(format: format, schema: FuzzLayout.schema, encoding: encoding)
        }
        guard let plain else { return }
        let mismatch = decoded.streamErrors.contains { $0.reason == .wrongEncoding }
        if (encoding == .utf8 && !mismatch) || bytes.allSatisfy({ $0 < 0x80 }) {
            require(decoded == plain, "\(encoding) transcoding changed the records:\n\(decoded)\nplain:\n\(plain)")
        }
    }
}
