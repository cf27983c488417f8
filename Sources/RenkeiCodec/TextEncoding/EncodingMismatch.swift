public import RenkeiContracts

/// A file evidently not in its declared encoding: one clear error instead of an error for every item.
public struct EncodingMismatch: Error, Sendable, Hashable, CustomStringConvertible {
    /// The encoding the file was declared in (UTF-8 when nothing was declared).
    public var declared: TextEncoding
    /// The encoding it looks like, when Renkei reads it (UTF-16 is named but not read).
    public var likely: TextEncoding?
    /// What it looks like, for people: `CP932 (Shift_JIS)`, `UTF-8`, `UTF-16`.
    public var likelyName: String
    /// The file, when known.
    public var file: String?

    /// `file.csv is not UTF-8: it looks like CP932 (Shift_JIS)`.
    public var description: String {
        "\(file ?? "the input") is not \(declared.displayName): it looks like \(likelyName)"
    }
}

/// Looks at the start of a file for the evident mismatches: a UTF-16 byte order mark; invalid UTF-8 that reads
/// cleanly as CP932 where UTF-8 was declared; UTF-8 with Japanese (three-byte) characters and no invalid byte, or its
/// byte order mark, where CP932 or Shift_JIS was declared. Two-byte UTF-8 is no evidence: CP932 half-width katakana
/// pairs (ﾅｶ, `C5 B6`) form it too. Anything less evident is left to the per-item checks.
public enum EncodingSniffer {
    /// The mismatch `chunk` shows, or `nil`; byte order marks count only `atFileStart`.
    public static func mismatch(
        declared: TextEncoding, start chunk: UnsafeRawBufferPointer, atFileStart: Bool = true
    ) -> EncodingMismatch? {
        let bytes = chunk.bindMemory(to: UInt8.self)
        if atFileStart && bytes.count >= 2
            && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF))
        {
            return EncodingMismatch(declared: declared, likely: nil, likelyName: "UTF-16")
        }
        let counts = utf8Counts(bytes)
        switch declared {
        case .utf8:
            // A UTF-8 file with a few broken bytes has far more good multibyte characters than bad ones.
            guard counts.invalid > 0, counts.invalid >= counts.multibyte, readsAsCP932(bytes) else { return nil }
            return EncodingMismatch(declared: declared, likely: .cp932, likelyName: "CP932 (Shift_JIS)")
        case .cp932, .shiftJIS:
            let bom = atFileStart && bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
            guard bom || (counts.invalid == 0 && counts.threeOrMore > 0) else { return nil }
            return EncodingMismatch(declared: declared, likely: .utf8, likelyName: "UTF-8")
        }
    }

    /// How many well-formed multibyte UTF-8 characters (and of them, three or four bytes long) and how many bytes that
    /// start none the bytes hold. A character cut by the end counts as neither.
    static func utf8Counts(_ bytes: UnsafeBufferPointer<UInt8>) -> (multibyte: Int, threeOrMore: Int, invalid: Int) {
        var multibyte = 0
        var threeOrMore = 0
        var invalid = 0
        var i = 0
        let n = bytes.count
        scan: while i < n {
            let byte = bytes[i]
            if byte < 0x80 {
                i += 1
                continue
            }
            let length: Int
            switch byte {
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default:
                invalid += 1
                i += 1
                continue scan
            }
            for k in 1..<length {
                guard i + k < n else { break scan }
                guard bytes[i + k] & 0xC0 == 0x80 else {
                    invalid += 1
                    i += 1
                    continue scan
                }
            }
            multibyte += 1
            if length >= 3 { threeOrMore += 1 }
            i += length
        }
        return (multibyte, threeOrMore, invalid)
    }

    /// Whether the bytes decode as CP932 but for a few undecodable sequences (at most one per 25 non-ASCII bytes, so
    /// a broken byte in an export does not hide what it is written in; a lead byte at the very end is allowed).
    static func readsAsCP932(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var decoder = LegacyTextDecoder(encoding: .cp932)
        decoder.decode(UnsafeRawBufferPointer(bytes)) { _ in }
        let nonASCII = bytes.reduce(0) { $0 + ($1 >= 0x80 ? 1 : 0) }
        return nonASCII > 0 && decoder.undecodableCount * 25 <= nonASCII
    }
}
