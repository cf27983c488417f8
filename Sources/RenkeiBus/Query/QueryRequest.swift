import Crypto
public import Foundation
import RenkeiContracts
import RenkeiKafka

/// A query (照会): a receiver of a query linkage asks its provider for records, by key or by simple item
/// conditions. It travels on `BusTopics.queries(linkage:)` with the asking instance's reply topic, a correlation
/// id, a deadline and a hash that binds the reply to exactly this question.
public struct QueryRequest: Sendable, Hashable {
    public var correlationID: String
    public var linkage: String
    /// The asking system (a receiver of the linkage).
    public var asker: String
    /// The record key asked for (the linkage's key item), if any.
    public var key: String?
    /// Item key → value conditions that every answered record must meet.
    public var conditions: [String: String]
    public var deadline: Date
    /// Where the answer goes: the asking instance's reply topic.
    public var replyTo: String
    /// The asker's purpose for this question (``RequestPurpose``), if it gave one: the provider may judge by it.
    public var requestPurpose: String?
    /// The version of the linkage the question was asked under (``EnvelopeHeader/contractVersion``).
    public var contractVersion: String?

    public init(
        correlationID: String = UUID().uuidString.lowercased(), linkage: String, asker: String, key: String?,
        conditions: [String: String] = [:], deadline: Date, replyTo: String, requestPurpose: String? = nil,
        contractVersion: String? = nil
    ) {
        self.correlationID = correlationID
        self.linkage = linkage
        self.asker = asker
        self.key = key
        self.conditions = conditions
        self.deadline = deadline
        self.replyTo = replyTo
        self.requestPurpose = requestPurpose
        self.contractVersion = contractVersion
    }

    /// SHA-256 (lowercase hex) of the question: correlation id, linkage, asker, key and conditions. A reply carries
    /// it back, so a reply can never be taken for the answer to another question.
    public var hash: String {
        var text = "\(correlationID)\n\(linkage)\n\(asker)\n\(key ?? "")"
        for (item, value) in conditions.sorted(by: { $0.key < $1.key }) { text += "\n\(item)=\(value)" }
        return HexText.encode(SHA256.hash(data: Array(text.utf8)))
    }

    /// The question as a JSON object: `{"key": …, "conditions": {…}}`.
    public var body: [UInt8] {
        var members: [(String, JSONValue)] = []
        if let key { members.append(("key", .string(key))) }
        if !conditions.isEmpty {
            members.append(
                ("conditions", .object(conditions.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        return Array(JSONValue.object(members).serialized().utf8)
    }

    func message(source: String) -> KafkaOutgoingMessage {
        let envelope = Envelope(
            id: correlationID, source: source, type: .queryRequest, subject: key, linkage: linkage, receiver: asker,
            correlationID: correlationID, requestPurpose: requestPurpose, contractVersion: contractVersion)
        let headers =
            envelope.headers + [
                KafkaHeader(name: QueryHeader.replyTo, utf8: replyTo),
                KafkaHeader(name: QueryHeader.deadline, utf8: Timestamp.format(deadline)),
                KafkaHeader(name: QueryHeader.requestHash, utf8: hash),
            ]
        return KafkaOutgoingMessage(
            topic: BusTopics.queries(linkage: linkage), key: key.map { Array($0.utf8) }, value: body, headers: headers)
    }

    init?(message: TopicReader.Message) {
        guard let envelope = Envelope(headers: message.headers), envelope.type == .queryRequest,
            let correlationID = envelope.correlationID, let asker = envelope.receiver,
            let replyTo = message.header(QueryHeader.replyTo),
            let deadline = message.header(QueryHeader.deadline).flatMap(Timestamp.parse)
        else { return nil }
        var conditions: [String: String] = [:]
        if let object = try? JSONSerialization.jsonObject(with: Data(message.value)) as? [String: Any],
            let given = object["conditions"] as? [String: Any]
        {
            for (item, value) in given { conditions[item] = value as? String ?? "\(value)" }
        }
        self.init(
            correlationID: correlationID, linkage: envelope.linkage, asker: asker, key: envelope.subject,
            conditions: conditions, deadline: deadline, replyTo: replyTo, requestPurpose: envelope.requestPurpose,
            contractVersion: envelope.contractVersion)
        guard message.header(QueryHeader.requestHash) == hash else { return nil }
    }
}

/// Headers of query requests and replies besides the CloudEvents envelope.
enum QueryHeader {
    static let replyTo = "renkei_query_reply_to"
    static let deadline = "renkei_query_deadline"
    static let requestHash = "renkei_query_request_hash"
    static let status = "renkei_query_status"
}
