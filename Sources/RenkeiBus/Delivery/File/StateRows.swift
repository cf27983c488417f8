import Crypto
import RenkeiCodec
import RenkeiContracts

/// How a full-file receiver's state holds its records: each key's latest record as the CSV row of the receiver's
/// file, so that a full file is its rows put one after another, with no decoding.
///
/// A row is only valid for the columns it was encoded for. Each value therefore starts with a marker byte and a
/// digest of the columns (the receiver's item names in order), and the state holds one record per digest naming
/// those columns. When a contract change alters the receiver's items, rows of an older digest are re-encoded for
/// the current columns as they are read (an item they lack is empty, an item no longer delivered is left out), so
/// a file never serves stale columns. Values written before this format (the receiver's JSON) are still read.
struct StateRows: Sendable {
    /// The first byte of a row value; JSON values start with `{`.
    static let rowMarker: UInt8 = 0x01
    /// The first byte of the key of a columns record: no record key starts with it.
    static let columnsMarker: UInt8 = 0x00
    static let digestBytes = 16

    /// The receiver's item names, in file order.
    let columns: [String]
    /// 16 lowercase hex digits of SHA-256 over the item names, one per line.
    let digest: [UInt8]

    init(columns: [String]) {
        self.columns = columns
        self.digest = Self.digest(of: columns)
    }

    static func digest(of columns: [String]) -> [UInt8] {
        let hash = SHA256.hash(data: Array(columns.joined(separator: "\n").utf8))
        return Array(HexText.encode(Array(hash)).utf8.prefix(digestBytes))
    }

    /// What every row value starts with.
    var prefix: [UInt8] { [Self.rowMarker] + digest }

    /// The columns record: its key and value (the item names, one per line).
    var columnsRecord: (key: [UInt8], value: [UInt8]) {
        ([Self.columnsMarker] + Array("columns/".utf8) + digest, Array(columns.joined(separator: "\n").utf8))
    }

    /// The digest of a columns record's key, or `nil` when `key` is a record's key.
    static func columnsDigest(ofKey key: UnsafeRawBufferPointer) -> [UInt8]? {
        guard key.first == columnsMarker, key.count == 1 + 8 + digestBytes else { return nil }
        return Array(key[(1 + 8)...])
    }
}

/// Re-encodes rows written for other columns (before a contract change) into the current columns, by item name.
struct StateRowConverter {
    private let sources: [Int?]
    private let schema: RecordSchema

    /// Rows of `old` columns into the receiver's layout `layout` (its items in file order).
    init(old: [String], layout: Layout) {
        let position = Dictionary(old.enumerated().map { ($0.element, $0.offset) }) { first, _ in first }
        self.sources = layout.items.map { position[$0.name] }
        self.schema = RecordSchema(layout: layout)
    }

    /// The row (CSV, one record, RFC 4180) as a record of the current columns.
    func convert(_ row: UnsafeRawBufferPointer) -> RecordBatch {
        let fields = Self.fields(of: row)
        var batch = RecordBatch(schema: schema)
        batch.append(values: sources.map { source in source.flatMap { $0 < fields.count ? fields[$0] : nil } })
        return batch
    }

    /// The fields of one CSV row; empty fields are `nil`.
    static func fields(of row: UnsafeRawBufferPointer) -> [String?] {
        var fields: [String?] = []
        var field: [UInt8] = []
        var quoted = false
        var index = 0
        func close() {
            fields.append(field.isEmpty ? nil : String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        while index < row.count {
            let byte = row[index]
            if quoted {
                if byte == 0x22 {
                    if index + 1 < row.count, row[index + 1] == 0x22 {
                        field.append(0x22)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == 0x22 {
                quoted = true
            } else if byte == 0x2C {
                close()
            } else if byte == 0x0D || byte == 0x0A {
                break
            } else {
                field.append(byte)
            }
            index += 1
        }
        close()
        return fields
    }
}
