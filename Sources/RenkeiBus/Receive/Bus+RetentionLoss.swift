import Foundation
import RenkeiContracts
public import RenkeiKafka

extension Bus {
    /// The reason code of a dead letter that stands for records removed by retention before delivery.
    public static let expiredBeforeDelivery = "expired-before-delivery"

    /// A receiver's consumer skipped offsets that retention removed before they were delivered (a push worker
    /// or a Swift receiver that was down or behind for longer than the topic keeps records). Writes, in one
    /// transaction, a dead letter per lost range on the receiver's dead-letter topic and a `dead-letter` history
    /// entry naming it, so operators see the loss and can resynchronise the receiver. Returns the lost ranges: from
    /// the wanted offset to the low watermark when reported (retention may have moved on since the skip, so the
    /// range may include offsets the receiver got before).
    @discardableResult
    public func recordRetentionLosses(
        _ losses: [KafkaRetentionLoss], linkage linkageID: String, receiver: String
    ) async throws -> [RetentionGap] {
        guard !losses.isEmpty, let route = route(linkageID), let destination = route.destination(receiver) else {
            return []
        }
        var gaps: [RetentionGap] = []
        for loss in losses {
            guard
                let marks = try? await admin.watermarks(
                    topic: loss.partition.topic, partition: loss.partition.partition)
            else {
                // The cluster cannot say how far retention went: at least the wanted offset is gone.
                gaps.append(
                    RetentionGap(partition: loss.partition.partition, from: loss.from, retainedFrom: loss.from + 1))
                continue
            }
            // Out of range above the end (a truncated log) is no loss: the consumer reads again from the start.
            guard loss.from < marks.low else { continue }
            gaps.append(RetentionGap(partition: loss.partition.partition, from: loss.from, retainedFrom: marks.low))
        }
        guard !gaps.isEmpty else { return [] }
        let now = Date()
        let messages = gaps.map { gap in
            DeadLetterMessage.expired(
                topic: destination.deadLetterTopic, route: route, receiver: destination.receiver, gap: gap,
                outbound: destination.topic, time: now)
        }
        let entries = gaps.map { gap in
            HistoryEntry.deliveryExpired(
                linkage: route.linkage, receiver: destination.receiver, lost: Int(gap.lost),
                reason: "\(Self.expiredBeforeDelivery): \(destination.topic) \(gap.description)",
                deadLetter: destination.deadLetterTopic, time: now)
        }
        _ = try await commit(history: { _ in entries }) { transaction in try await transaction.send(messages) }
        logger.error(
            "records expired before delivery",
            metadata: [
                "renkei.linkage": "\(linkageID)", "renkei.receiver": "\(receiver)",
                "renkei.lost": "\(gaps.map(\.description).joined(separator: "; "))",
            ])
        return gaps
    }
}

extension DeadLetterMessage {
    /// A range of a receiver's topic that retention removed before delivery: no record to keep, only where it was.
    static func expired(
        topic: String, route: LinkageRoute, receiver: Receiver, gap: RetentionGap, outbound: String, time: Date
    ) -> KafkaOutgoingMessage {
        let envelope = Envelope(
            source: route.source, type: .record, time: time, dataSchema: route.dataSchema, linkage: route.linkage.id,
            receiver: receiver.system, purpose: receiver.purpose, contractVersion: route.contractVersion)
        let value = JSONValue.object([
            ("topic", .string(outbound)), ("partition", .integer(Int(gap.partition))),
            ("from", .integer(Int(gap.from))), ("retainedFrom", .integer(Int(gap.retainedFrom))),
            ("lost", .integer(Int(gap.lost))),
        ])
        return KafkaOutgoingMessage(
            topic: topic, key: nil, value: Array(value.serialized().utf8),
            headers: envelope.headers
                + context(
                    stage: .delivery, reasons: [Bus.expiredBeforeDelivery],
                    message: "offsets \(gap.from)…\(gap.retainedFrom - 1) of \(outbound) partition \(gap.partition) "
                        + "were removed by retention before they were delivered",
                    attempts: 0, original: (outbound, gap.partition, gap.from), row: nil, first: time, last: time))
    }
}
