/// How `CSVRecordDecoder` reads its input.
public struct CSVDecodingOptions: Sendable {
    /// Whether the first row names the columns (by item name such as `宛名番号` or field key such as
    /// `atena_number`, in any order). Without a header the columns are the layout's items in order.
    public var hasHeader: Bool = true
    /// The largest record accepted, in bytes; a larger one is reported as `record-too-large` and skipped up to the
    /// next line break. Bounds memory when a quote is never closed. At most 128 MiB (larger values are clamped).
    public var maxRecordBytes: Int = 1 << 20

    public init(hasHeader: Bool = true, maxRecordBytes: Int = 1 << 20) {
        self.hasHeader = hasHeader
        self.maxRecordBytes = min(maxRecordBytes, 1 << 27)
    }
}
