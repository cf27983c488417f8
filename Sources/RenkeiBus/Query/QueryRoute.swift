import RenkeiCodec
import RenkeiContracts

/// What the bus needs to answer queries of one linkage: the layout's schema and each asker's projection.
struct QueryRoute: Sendable {
    let linkage: Linkage
    let schema: RecordSchema
    let keyItem: Int
    let encoders: [String: JSONRecordEncoder]
    let visibleItems: [String: Set<String>]
    /// ``LinkageRoute/contractVersion(of:)`` of the linkage, written in every request, reply and query entry.
    let contractVersion: String

    init?(linkage: Linkage, contracts: ContractSet) {
        guard linkage.mode == .query, let layout = contracts.layout(linkage.layout),
            let keyItem = layout.index(of: linkage.keyItem)
        else { return nil }
        self.linkage = linkage
        self.schema = RecordSchema(layout: layout)
        self.keyItem = keyItem
        self.contractVersion = LinkageRoute.contractVersion(of: linkage)
        var encoders: [String: JSONRecordEncoder] = [:]
        var visible: [String: Set<String>] = [:]
        for receiver in linkage.receivers {
            encoders[receiver.system] = JSONRecordEncoder(projection: Projection(layout: layout, keys: receiver.items))
            visible[receiver.system] = Set(receiver.items)
        }
        self.encoders = encoders
        self.visibleItems = visible
    }

    /// The records of `answer` (JSON in the provider's layout) that match `request`, each projected to the
    /// asker's items; `nil` when the answer does not conform to the layout.
    func project(_ answer: [UInt8], for request: QueryRequest) -> [[UInt8]]? {
        guard let encoder = encoders[request.asker] else { return nil }
        let trimmed = answer.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if trimmed.first == 0x5B, trimmed.dropFirst().first(where: { $0 > 0x20 }) == 0x5D { return [] }
        let batch = answer.withUnsafeBytes { JSONRecordDecoder.decodeDocument($0, schema: schema) }
        guard batch.invalidCount == 0 else { return nil }
        let layout = schema.layout
        var records: [[UInt8]] = []
        for record in 0..<batch.count {
            if let key = request.key, batch.value(record: record, item: keyItem) != key { continue }
            let matches = request.conditions.allSatisfy { item, value in
                layout.index(of: item).map { batch.value(record: record, item: $0) == value } ?? false
            }
            if matches { records.append(encoder.encode(batch, record: record)) }
        }
        return records
    }
}
