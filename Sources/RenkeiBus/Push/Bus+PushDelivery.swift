public import Foundation
import RenkeiContracts
public import RenkeiKafka

/// A record on a receiver's outbound topic, as a push dispatcher holds it while delivering.
public struct OutboundRecord: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// The record's envelope; `nil` for a message that is none of the bus's.
    public var envelope: Envelope?

    public init(_ message: KafkaMessage) {
        self.topic = message.topic
        self.partition = message.partition
        self.offset = message.offset
        self.key = message.key
        self.value = message.value
        self.headers = message.headers
        self.envelope = Envelope(headers: headers)
    }
}

extension Bus {
    /// Writes one `delivery` history entry per pushed record of `linkage` to `receiver`.
    public func recordPushDeliveries(linkage: String, receiver: String, _ records: [OutboundRecord]) async {
        guard !records.isEmpty else { return }
        let contract = contracts.linkage(linkage)?.layout.description
        let provider = contracts.linkage(linkage)?.provider
        let destination = contracts.linkage(linkage)?.receivers.first { $0.system == receiver }
        await record(
            records.map { record in
                HistoryEntry(
                    kind: .delivery, linkage: linkage, contract: contract, provider: provider, receiver: receiver,
                    purpose: destination?.purpose, keys: record.envelope?.subject.map { [$0] } ?? [],
                    recordCount: 1, items: destination?.items, transfer: record.envelope?.transfer,
                    events: record.envelope.map { [$0.id] } ?? [], outcome: "ok")
            })
    }

    /// Moves a record the receiver's webhook did not take to the receiver's dead-letter topic, with the error
    /// context headers, and writes a `dead-letter` history entry, in one transaction.
    public func deadLetterPushDelivery(
        _ record: OutboundRecord, linkage: String, receiver: String, reason: String, message: String, attempts: Int,
        firstFailure: Date, lastFailure: Date
    ) async throws {
        let topic = BusTopics.deadLetters(linkage: linkage, receiver: receiver)
        let original = TopicReader.Message(
            topic: record.topic, partition: record.partition, offset: record.offset, key: record.key,
            value: record.value, headers: record.headers)
        let outgoing = DeadLetterMessage.delivery(
            topic: topic, original: original, reason: reason, message: message, attempts: attempts,
            first: firstFailure, last: lastFailure)
        let linkageContract = contracts.linkage(linkage)
        _ = try await commit(
            history: { (report: KafkaDeliveryReport) in
                var reference: String?
                if case .delivered(let partition, let offset)? = report.first {
                    reference = "\(topic)/\(partition)/\(offset)"
                }
                return [
                    HistoryEntry(
                        time: lastFailure, kind: .deadLetter, linkage: linkage,
                        contract: linkageContract?.layout.description, provider: linkageContract?.provider,
                        receiver: receiver, keys: record.envelope?.subject.map { [$0] } ?? [], recordCount: 1,
                        transfer: record.envelope?.transfer, events: record.envelope.map { [$0.id] } ?? [],
                        outcome: "failed", reason: reason, deadLetter: reference)
                ]
            },
            { transaction in try await transaction.sendAndWait([outgoing]) })
    }
}
