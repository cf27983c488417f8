/// How `CSVRecordDecoder` reads its input.
public struct CSVDecodingOptions: Sendable {
    /// Whether the first row names the columns (by item name such as `宛名番号` or field key such as
    /// `atena_number`, in any order). Without a header the columns are the layout's items in order.
    public var hasHeader: Bool = true
    /// The largest record accepted, in bytes without its line break; a larger one is reported as `record-too-large`
    /// and skipped. Bounds memory when a quote is never closed. At most 128 MiB (larger values are clamped).
    ///
    /// Whether a record is too large never depends on how the input was cut into chunks; where decoding resumes
    /// after it can: at the record's end when the decoder holds the whole record, else at the next line feed after
    /// the bytes it holds (inside the record when a quoted field holds line breaks; after the next line when lines
    /// end with a CR alone).
    public var maxRecordBytes: Int = 1 << 20

    public init(hasHeader: Bool = true, maxRecordBytes: Int = 1 << 20) {
        self.hasHeader = hasHeader
        self.maxRecordBytes = min(maxRecordBytes, 1 << 27)
    }
}
