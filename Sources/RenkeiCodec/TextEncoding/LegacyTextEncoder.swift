public import RenkeiContracts

/// Encodes UTF-8 to CP932 or Shift_JIS, exactly: a character the target cannot hold is reported, never replaced
/// by a look-alike (〜 U+301C is not ～ U+FF5E) or a question mark.
public struct LegacyTextEncoder: Sendable {
    public let encoding: TextEncoding
    private let tables: CP932Tables

    /// An encoder to `encoding`, which must be a legacy encoding (not UTF-8).
    public init(encoding: TextEncoding) {
        guard let tables = encoding.tables else { preconditionFailure("LegacyTextEncoder to \(encoding)") }
        self.encoding = encoding
        self.tables = tables
    }

    /// Appends the encoding of the UTF-8 `text` to `writer`. Returns `false`, having written part of it, when a
    /// character is outside the target's repertoire or the text is not valid UTF-8.
    public func encode(_ text: UnsafeRawBufferPointer, into writer: ByteWriter) -> Bool {
        guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return true }
        let n = text.count
        writer.reserve(n)  // never longer than the UTF-8: 1 byte for ASCII, at most 2 for 2 or 3 bytes
        let out = writer.tail
        var o = 0
        var i = 0
        let ok = tables.encoding.withUnsafeBufferPointer { table -> Bool in
            while i < n {
                let byte = base[i]
                if byte < 0x80 {
                    out[o] = byte
                    o &+= 1
                    i &+= 1
                    continue
                }
                let scalar: Int
                if byte & 0xE0 == 0xC0, i &+ 1 < n {
                    scalar = Int(byte & 0x1F) << 6 | Int(base[i &+ 1] & 0x3F)
                    i &+= 2
                } else if byte & 0xF0 == 0xE0, i &+ 2 < n {
                    scalar = Int(byte & 0x0F) << 12 | Int(base[i &+ 1] & 0x3F) << 6 | Int(base[i &+ 2] & 0x3F)
                    i &+= 3
                } else {
                    return false  // beyond the BMP (no CP932 character is), or broken UTF-8
                }
                let code = table[scalar]
                if code == 0 { return false }
                if code < 0x100 {
                    out[o] = UInt8(code)
                    o &+= 1
                } else {
                    out[o] = UInt8(code >> 8)
                    out[o &+ 1] = UInt8(code & 0xFF)
                    o &+= 2
                }
            }
            return true
        }
        writer.advance(by: o)
        return ok
    }

    /// Whether every character of the UTF-8 `text` can be encoded.
    public func canEncode(_ text: UnsafeRawBufferPointer) -> Bool {
        let scratch = ByteWriter(capacity: text.count)
        return encode(text, into: scratch)
    }
}
