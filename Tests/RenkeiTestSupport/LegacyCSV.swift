import RenkeiCodec
package import RenkeiContracts

/// The lines of a generated UTF-8 CSV that `encoding` can hold (the generator also writes names such as 葛󠄀, with a
/// variation selector, that no legacy encoding holds), at most `rows` data rows after the header; in `encoding`
/// and in UTF-8.
package func legacyCSV(
    _ utf8: [UInt8], rows: Int = .max, _ encoding: TextEncoding = .cp932
) -> (legacy: [UInt8], utf8: [UInt8]) {
    let encoder = LegacyTextEncoder(encoding: encoding)
    let legacy = ByteWriter()
    var kept: [UInt8] = []
    var count = -1
    for line in utf8.split(separator: 0x0A, omittingEmptySubsequences: false) where !line.isEmpty && count < rows {
        let bytes = Array(line) + [0x0A]
        let start = legacy.count
        if bytes.withUnsafeBytes({ encoder.encode($0, into: legacy) }) {
            kept += bytes
            count += 1
        } else {
            legacy.truncate(to: start)
        }
    }
    return (legacy.bytes, kept)
}
