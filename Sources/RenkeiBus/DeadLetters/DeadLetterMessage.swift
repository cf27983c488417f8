import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiKafka

/// Builds dead-letter messages: the original envelope plus the error-context headers.
enum DeadLetterMessage {
    /// The stage where a record failed.
    enum Stage: String, Sendable {
        /// At ingest: the record failed validation and was quarantined before any receiver saw it.
        case ingest
        /// At delivery: the receiver's webhook gave up or the receiver's handler rejected it.
        case delivery
    }

    /// A quarantined ingest row: its values as submitted (a JSON object by field key), so that a replay can
    /// validate them again against the contracts of that day.
    static func ingest(
        route: LinkageRoute, envelope: Envelope, batch: RecordBatch, record: Int, errors: [RecordError], time: Date
    ) -> KafkaOutgoingMessage {
        let items = route.schema.layout.items
        let members: [(String, JSONValue)] = batch.values(record: record).enumerated().compactMap { index, value in
            value.map { (items[index].key, .string($0)) }
        }
        let reasons = Array(Set(errors.map(\.reason.rawValue))).sorted()
        let summary = errors.prefix(10).map { error -> String in
            let item = error.item.map { items[$0].name } ?? "record"
            return "\(item): \(error.reason.rawValue)"
        }.joined(separator: "; ")
        let context = context(
            stage: .ingest, reasons: reasons, message: summary, attempts: 1, original: nil,
            row: batch.recordNumber(record), first: time, last: time)
        return KafkaOutgoingMessage(
            topic: route.ingestDeadLetterTopic, key: envelope.subject.map { Array($0.utf8) },
            value: Array(JSONValue.object(members).serialized().utf8), headers: envelope.headers + context)
    }

    /// A record the receiver could not take, with its original position.
    static func delivery(
        topic: String, original: TopicReader.Message, reason: String, message: String, attempts: Int, first: Date,
        last: Date
    ) -> KafkaOutgoingMessage {
        let retained = original.headers.filter { !$0.name.hasPrefix("renkei_dlq_") }
        let context = context(
            stage: .delivery, reasons: [reason], message: message, attempts: attempts,
            original: (original.topic, original.partition, original.offset), row: nil, first: first, last: last)
        return KafkaOutgoingMessage(topic: topic, key: original.key, value: original.value, headers: retained + context)
    }

    static func context(
        stage: Stage, reasons: [String], message: String, attempts: Int, original: (String, Int32, Int64)?, row: Int?,
        first: Date, last: Date
    ) -> [KafkaHeader] {
        var headers = [
            KafkaHeader(name: EnvelopeHeader.deadLetterStage, utf8: stage.rawValue),
            KafkaHeader(name: EnvelopeHeader.deadLetterReason, utf8: reasons.joined(separator: ",")),
            KafkaHeader(name: EnvelopeHeader.deadLetterMessage, utf8: message),
            KafkaHeader(name: EnvelopeHeader.deadLetterAttempts, utf8: String(attempts)),
            KafkaHeader(name: EnvelopeHeader.deadLetterFirstFailure, utf8: Timestamp.format(first)),
            KafkaHeader(name: EnvelopeHeader.deadLetterLastFailure, utf8: Timestamp.format(last)),
        ]
        if let (topic, partition, offset) = original {
            headers += [
                KafkaHeader(name: EnvelopeHeader.deadLetterTopic, utf8: topic),
                KafkaHeader(name: EnvelopeHeader.deadLetterPartition, utf8: String(partition)),
                KafkaHeader(name: EnvelopeHeader.deadLetterOffset, utf8: String(offset)),
            ]
        }
        if let row { headers.append(KafkaHeader(name: EnvelopeHeader.deadLetterRow, utf8: String(row))) }
        return headers
    }
}
