import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiSynthetic

/// Generated resident records in the wire formats the gateway takes.
enum Residents {
    static func layout(_ contracts: ContractSet) -> Layout { contracts.layout(named: "resident-record")! }

    /// `count` records as JSON objects (one per element), optionally all with the same 宛名番号.
    static func json(_ contracts: ContractSet, count: Int, seed: UInt64 = 3, sameKey: String? = nil) -> [[UInt8]] {
        let layout = layout(contracts)
        var generator = ResidentGenerator(layout: layout, seed: seed)
        var batch = RecordBatch(schema: RecordSchema(layout: layout))
        let keyIndex = layout.index(of: "atena_number")!
        for _ in 0..<count {
            var values = generator.next()
            if let sameKey { values[keyIndex] = sameKey }
            batch.append(values: values)
        }
        let encoder = JSONRecordEncoder(layout: layout)
        return (0..<count).map { encoder.encode(batch, record: $0) }
    }

    static func array(_ records: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = [0x5B]
        for (index, record) in records.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            bytes += record
        }
        return bytes + [0x5D]
    }

    static func csv(_ contracts: ContractSet, count: Int, seed: UInt64 = 5) -> [UInt8] {
        let layout = layout(contracts)
        var generator = ResidentGenerator(layout: layout, seed: seed)
        var batch = RecordBatch(schema: RecordSchema(layout: layout))
        for _ in 0..<count { batch.append(values: generator.next()) }
        let encoder = CSVRecordEncoder(layout: layout)
        let writer = ByteWriter()
        encoder.encodeHeader(into: writer)
        for record in 0..<count { encoder.encode(batch, record: record, into: writer) }
        return writer.bytes
    }
}
