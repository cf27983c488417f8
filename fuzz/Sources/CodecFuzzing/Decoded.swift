import FuzzSupport
import RenkeiCodec

/// Everything a decoder handed out for one input, copied out of the lent batches so decodes of the same input cut
/// into different chunks can be compared.
public struct Decoded: Equatable, CustomStringConvertible {
    public struct Record: Equatable {
        public var number: Int
        public var line: Int
        /// The bytes of every item, empty when absent.
        public var values: [[UInt8]]
        public var errors: [RecordError]
    }

    public var records: [Record] = []
    public var streamErrors: [RecordError] = []

    /// Feeds `bytes` to `decoder` in chunks ending at `chunkEnds` (ascending offsets into `bytes`), then finishes.
    public static func decode(_ bytes: [UInt8], with decoder: inout some RecordDecoder, chunkEnds: [Int]) -> Decoded {
        var decoded = Decoded()
        func keep(_ batch: RecordBatch) { decoded.append(batch) }
        bytes.withUnsafeBytes { raw in
            var start = 0
            for end in chunkEnds + [raw.count] where end >= start {
                decoder.decode(UnsafeRawBufferPointer(rebasing: raw[start..<end]), keep)
                start = end
            }
        }
        decoder.finish(keep)
        decoded.streamErrors = decoder.streamErrors
        return decoded
    }

    public init() {}

    /// The records of one batch, e.g. a whole JSON document.
    public init(_ batch: RecordBatch) { append(batch) }

    /// Copies the records of `batch` (its values are lent).
    public mutating func append(_ batch: RecordBatch) {
        for record in 0..<batch.count {
            records.append(
                Record(
                    number: batch.recordNumber(record), line: batch.line(record),
                    values: (0..<batch.schema.itemCount).map { item in
                        batch.withValue(record: record, item: item) { Array($0) }
                    },
                    errors: Array(batch.errors(of: record))))
        }
    }

    /// The valid records' values, for the round trips.
    public var validValues: [[[UInt8]]] { records.filter(\.errors.isEmpty).map(\.values) }

    /// Short enough to print when an invariant breaks; values are the fuzzer's own bytes, never personal data.
    public var description: String {
        let shown = records.prefix(8).map { record in
            "#\(record.number) line \(record.line) values \(record.values.map { String(decoding: $0, as: UTF8.self) }) "
                + "errors \(record.errors)"
        }
        return "\(records.count) records \(shown) stream errors \(streamErrors)"
    }
}
