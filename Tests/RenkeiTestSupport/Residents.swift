import Foundation
import RenkeiCodec
package import RenkeiContracts
import RenkeiSynthetic

/// Generated resident records in the wire formats the gateway takes (shared by the gateway, CLI and fault tests).
package enum Residents {
    /// The sample contracts' resident record layout.
    package static func layout(_ contracts: ContractSet) -> Layout { contracts.layout(named: "resident-record")! }

    /// `count` records as JSON objects (one per element), optionally all with the same 宛名番号. The generator
    /// numbers 宛名番号 by position whatever the seed, so records for distinct keys `skip` those generated before.
    package static func json(
        _ contracts: ContractSet, count: Int, seed: UInt64 = 3, skip: Int = 0, sameKey: String? = nil
    ) -> [[UInt8]] {
        let layout = layout(contracts)
        var generator = ResidentGenerator(layout: layout, seed: seed)
        for _ in 0..<skip { _ = generator.next() }
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

    /// `records` as one JSON array.
    package static func array(_ records: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = [0x5B]
        for (index, record) in records.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            bytes += record
        }
        return bytes + [0x5D]
    }

    /// `count` generated records as CSV with a header row, after skipping `skip` (see ``json(_:count:seed:skip:sameKey:)``).
    package static func csv(_ contracts: ContractSet, count: Int, seed: UInt64 = 5, skip: Int = 0) -> [UInt8] {
        let layout = layout(contracts)
        var generator = ResidentGenerator(layout: layout, seed: seed)
        for _ in 0..<skip { _ = generator.next() }
        var batch = RecordBatch(schema: RecordSchema(layout: layout))
        for _ in 0..<count { batch.append(values: generator.next()) }
        let encoder = CSVRecordEncoder(layout: layout)
        let writer = ByteWriter()
        encoder.encodeHeader(into: writer)
        for record in 0..<count { encoder.encode(batch, record: record, into: writer) }
        return writer.bytes
    }

    /// The 宛名番号 (record key) of a JSON record.
    package static func key(_ record: [UInt8]) -> String {
        let object = (try? JSONSerialization.jsonObject(with: Data(record))) as? [String: Any]
        return object?["atena_number"] as? String ?? ""
    }

    /// The 宛名番号 of each row of a CSV body, in row order.
    package static func keys(csv: [UInt8], contracts: ContractSet) -> [String] {
        let layout = layout(contracts)
        var decoder = CSVRecordDecoder(schema: RecordSchema(layout: layout))
        let batch = decoder.decodeAll(csv)
        let item = layout.index(of: "atena_number")!
        return (0..<batch.count).compactMap { batch.value(record: $0, item: item) }
    }
}
