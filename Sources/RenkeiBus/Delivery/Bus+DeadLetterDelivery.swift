import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiKafka

/// The one dead-letter path of deliveries: push, Swift receivers and file deliveries all end here when they give up.
extension Bus {
    /// Dead-letters a delivery that was not one record (a file of a transfer or a window): writes a dead letter whose
    /// body is `description` (a small JSON object saying what failed, never record values) to the receiver's
    /// dead-letter topic, with the error-context headers, and its `dead-letter` history entry, in one transaction.
    public func deadLetterDelivery(
        _ failure: DeliveryFailure, linkage: String, receiver: String, description: [UInt8]
    ) async throws {
        guard let route = route(linkage), let destination = route.destination(receiver) else {
            throw ReplayError(description: "The system `\(receiver)` is not a receiver of linkage `\(linkage)`.")
        }
        let envelope = Envelope(
            source: route.source, type: .record, time: failure.lastFailure,
            subject: failure.keys.count == 1 ? failure.keys[0] : nil, dataSchema: route.dataSchema,
            linkage: linkage, receiver: receiver, purpose: destination.receiver.purpose, transfer: failure.transfer,
            contractVersion: route.contractVersion)
        let message = KafkaOutgoingMessage(
            topic: destination.deadLetterTopic, key: envelope.subject.map { Array($0.utf8) }, value: description,
            headers: envelope.headers
                + DeadLetterMessage.context(
                    stage: .delivery, reasons: [failure.reason], message: failure.message, attempts: failure.attempts,
                    original: nil, row: nil, first: failure.firstFailure, last: failure.lastFailure))
        try await deadLetterDelivery(
            failure, message: message, route: route, destination: destination, envelope: envelope)
    }

    /// Dead-letters one record a receiver did not take: the record (`original`, its envelope kept) goes to the
    /// receiver's dead-letter topic with the error-context headers and its original position, and its
    /// `dead-letter` history entry is written, in one transaction.
    func deadLetterDelivery(
        _ failure: DeliveryFailure, original: TopicReader.Message, linkage: String, receiver: String
    ) async throws {
        guard let route = route(linkage), let destination = route.destination(receiver) else {
            throw ReplayError(description: "The system `\(receiver)` is not a receiver of linkage `\(linkage)`.")
        }
        let message = DeadLetterMessage.delivery(
            topic: destination.deadLetterTopic, original: original, reason: failure.reason, message: failure.message,
            attempts: failure.attempts, first: failure.firstFailure, last: failure.lastFailure)
        try await deadLetterDelivery(
            failure, message: message, route: route, destination: destination,
            envelope: Envelope(headers: original.headers))
    }

    private func deadLetterDelivery(
        _ failure: DeliveryFailure, message: KafkaOutgoingMessage, route: LinkageRoute,
        destination: LinkageRoute.Destination, envelope: Envelope?
    ) async throws {
        let topic = destination.deadLetterTopic
        _ = try await commit(
            history: { (report: KafkaDeliveryReport) in
                var reference = topic
                if case .delivered(let partition, let offset)? = report.first {
                    reference = "\(topic)/\(partition)/\(offset)"
                }
                return [
                    HistoryEntry.deliveryFailed(
                        failure, linkage: route.linkage, receiver: destination.receiver, deadLetter: reference,
                        envelope: envelope)
                ]
            },
            { transaction in try await transaction.sendAndWait([message]) })
    }
}
