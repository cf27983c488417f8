import Crypto
import RenkeiCodec
import RenkeiContracts

/// Everything the bus needs to route records of one linkage, computed once when contracts load.
struct LinkageRoute: Sendable {
    struct Destination: Sendable {
        let receiver: Receiver
        let projection: Projection
        let encoder: JSONRecordEncoder
        let lineEncoder: JSONRecordEncoder
        let topic: String
        let bulkTopic: String
        let deadLetterTopic: String
    }

    let linkage: Linkage
    let schema: RecordSchema
    let keyItem: Int
    let destinations: [Destination]
    let ingestDeadLetterTopic: String

    var contract: String { linkage.layout.description }
    var source: String { Envelope.source(system: linkage.provider) }
    var dataSchema: String { Envelope.dataSchema(layout: contract) }
    /// A digest of the linkage as loaded (its receivers, items, trigger and policy): changes when the contract does.
    let contractVersion: String

    init(linkage: Linkage, contracts: ContractSet, schemas: inout [LayoutReference: RecordSchema]) {
        // Contracts that loaded have every layout, item and receiver a linkage names.
        let layout = contracts.layout(linkage.layout)!
        let schema = schemas[linkage.layout] ?? RecordSchema(layout: layout)
        schemas[linkage.layout] = schema
        self.linkage = linkage
        self.schema = schema
        self.keyItem = layout.index(of: linkage.keyItem)!
        self.ingestDeadLetterTopic = BusTopics.ingestDeadLetters(linkage: linkage.id)
        self.contractVersion = Self.contractVersion(of: linkage)
        self.destinations = linkage.receivers.map { receiver in
            let projection = Projection(layout: layout, keys: receiver.items)
            return Destination(
                receiver: receiver, projection: projection, encoder: JSONRecordEncoder(projection: projection),
                lineEncoder: JSONRecordEncoder(projection: projection, lineTerminated: true),
                topic: BusTopics.outbound(linkage: linkage.id, receiver: receiver.system),
                bulkTopic: BusTopics.bulk(linkage: linkage.id, receiver: receiver.system),
                deadLetterTopic: BusTopics.deadLetters(linkage: linkage.id, receiver: receiver.system))
        }
    }

    /// A digest of `linkage` as loaded: 16 lowercase hex digits of SHA-256 over its full description.
    static func contractVersion(of linkage: Linkage) -> String { contractVersion(text: String(reflecting: linkage)) }

    /// 16 lowercase hex digits of SHA-256 over `text`.
    static func contractVersion(text: String) -> String {
        String(HexText.encode(Array(SHA256.hash(data: Array(text.utf8)))).prefix(16))
    }

    func destination(_ receiver: String) -> Destination? { destinations.first { $0.receiver.system == receiver } }

    /// The route of every provide linkage, by linkage id; layouts shared by linkages get one schema.
    static func routes(for contracts: ContractSet) -> [String: LinkageRoute] {
        var schemas: [LayoutReference: RecordSchema] = [:]
        var routes: [String: LinkageRoute] = [:]
        for linkage in contracts.linkages where linkage.mode == .provide {
            routes[linkage.id] = LinkageRoute(linkage: linkage, contracts: contracts, schemas: &schemas)
        }
        return routes
    }
}
