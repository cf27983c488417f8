/// Attribute values in CloudEvents HTTP headers (binary mode). HTTP header values are printable ASCII; the binding
/// has every UTF-8 byte outside `!`…`~`, and space, `"` and `%`, written as `%XX` — a purpose such as
/// 介護保険の資格管理 travels as `%E4%BB%8B…`. Kafka headers carry the UTF-8 as is.
public enum CloudEventsHTTPValue {
    /// `value` as an HTTP header value.
    public static func encode(_ value: String) -> String {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "%") {
                encoded.append(byte)
            } else {
                encoded.append(UInt8(ascii: "%"))
                encoded.append(hexDigits[Int(byte >> 4)])
                encoded.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// The attribute value of an HTTP header value; `nil` when an escape is malformed or the bytes are not UTF-8.
    public static func decode(_ header: String) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(header.utf8.count)
        var iterator = header.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
