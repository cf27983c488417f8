import RenkeiCodec
import RenkeiContracts

/// Splits a transfer chunk (JSON Lines of a receiver's projection) into its records with their keys, for the
/// state of a full-file receiver.
struct KeyedLines: Sendable {
    let schema: RecordSchema
    let keyItem: Int

    init(projection: Projection, keyItem: String) {
        let layout = Layout(
            id: projection.layout.id, version: projection.layout.version, title: projection.layout.title,
            items: projection.items)
        self.schema = RecordSchema(layout: layout)
        self.keyItem = layout.index(of: keyItem) ?? 0
    }

    /// Each record of the chunk with its key; a chunk whose lines do not read back one record each, with a key,
    /// fails rather than losing a record from the state.
    func split(_ chunk: [UInt8], transfer: String) throws -> [(key: String, json: [UInt8])] {
        let lines = chunk.split(separator: 0x0A).filter { !$0.isEmpty }
        var decoder = JSONRecordDecoder(schema: schema)
        let batch = decoder.decodeAll(chunk)
        var keyed: [(key: String, json: [UInt8])] = []
        keyed.reserveCapacity(lines.count)
        for record in 0..<min(batch.count, lines.count) {
            guard let key = batch.value(record: record, item: keyItem) else { break }
            keyed.append((key, Array(lines[record])))
        }
        guard keyed.count == lines.count, batch.count == lines.count else {
            throw TransferIntegrityError(
                transfer: transfer, problem: "a chunk's records do not read back one per line with their keys")
        }
        return keyed
    }
}
