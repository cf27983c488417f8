import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiSynthetic

/// Layouts and helpers shared by the codec tests.
enum Fixtures {
    /// The repository root, found from this file's path.
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The sample contracts in `contracts/`, loaded by the real loader.
    static let contracts: ContractSet = {
        do {
            return try ContractLoader.load(directory: repositoryRoot + "/contracts")
        } catch {
            fatalError("sample contracts do not load: \(error)")
        }
    }()

    static let residentLayout: Layout = contracts.layout(named: "resident-record")!
    static let resident = RecordSchema(layout: residentLayout)

    static let colors = CodeTable(
        id: "colors", title: "色", codes: [Code(value: "01", label: "赤"), Code(value: "02", label: "青")])

    /// A small layout with one item of every type and character rule.
    static let typesLayout = Layout(
        id: "types", version: "1", title: "型",
        items: [
            Item(name: "番号", key: "id", type: .digits, maxLength: 5, required: true),
            Item(name: "文字", key: "text", type: .string, maxLength: 4),
            Item(name: "全角", key: "wide", type: .string, maxLength: 10, characterRule: .fullwidth),
            Item(name: "カナ", key: "kana", type: .string, maxLength: 10, characterRule: .fullwidthKatakana),
            Item(name: "半角", key: "narrow", type: .string, maxLength: 10, characterRule: .halfwidth),
            Item(name: "英数", key: "ascii", type: .string, maxLength: 10, characterRule: .ascii),
            Item(name: "整数", key: "count", type: .integer, maxLength: 3),
            Item(name: "小数", key: "amount", type: .decimal(precision: 5, scale: 2)),
            Item(name: "日付", key: "day", type: .date, allowsUnknownDate: true),
            Item(name: "厳密日付", key: "strict_day", type: .date),
            Item(name: "日時", key: "at", type: .datetime),
            Item(name: "色", key: "color", type: .code, maxLength: 2, codeTable: colors),
            Item(name: "真偽", key: "flag", type: .boolean),
        ])
    static let types = RecordSchema(layout: typesLayout)

    /// `count` generated resident records.
    static func generatedResidents(count: Int, seed: UInt64 = 42) -> [[String?]] {
        var generator = ResidentGenerator(layout: residentLayout, seed: seed)
        return (0..<count).map { _ in generator.next() }
    }

    /// A batch built from values.
    static func batch(_ rows: [[String?]], schema: RecordSchema = resident) -> RecordBatch {
        var batch = RecordBatch(schema: schema)
        for row in rows { batch.append(values: row) }
        return batch
    }

    static func csv(_ batch: RecordBatch, headerStyle: CSVRecordEncoder.HeaderStyle = .names) -> [UInt8] {
        let encoder = CSVRecordEncoder(layout: batch.schema.layout, headerStyle: headerStyle)
        let writer = ByteWriter()
        encoder.encodeHeader(into: writer)
        for record in 0..<batch.count { encoder.encode(batch, record: record, into: writer) }
        return writer.bytes
    }

    static func jsonLines(_ batch: RecordBatch) -> [UInt8] {
        let encoder = JSONRecordEncoder(layout: batch.schema.layout, lineTerminated: true)
        let writer = ByteWriter()
        for record in 0..<batch.count { encoder.encode(batch, record: record, into: writer) }
        return writer.bytes
    }

    static func decodeCSV(
        _ text: String, schema: RecordSchema = types, options: CSVDecodingOptions = .init()
    )
        -> (RecordBatch, [RecordError])
    {
        var decoder = CSVRecordDecoder(schema: schema, options: options)
        let batch = decoder.decodeAll(Array(text.utf8))
        return (batch, decoder.streamErrors)
    }

    static func decodeJSONLines(_ text: String, schema: RecordSchema = types) -> RecordBatch {
        var decoder = JSONRecordDecoder(schema: schema)
        return decoder.decodeAll(Array(text.utf8))
    }

    /// The reasons of all errors, as `item key: reason` (or just the reason when no item).
    static func reasons(_ batch: RecordBatch) -> [String] {
        batch.errors.map { error in
            error.item.map { "\(batch.schema.layout.items[$0].key): \(error.reason.rawValue)" } ?? error.reason.rawValue
        }
    }

    static func values(_ batch: RecordBatch) -> [[String?]] {
        (0..<batch.count).map { batch.values(record: $0) }
    }
}
