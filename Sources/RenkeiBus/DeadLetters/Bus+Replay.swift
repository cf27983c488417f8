public import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiKafka

/// What a replay did, or would do in a dry run.
public struct ReplayOutcome: Sendable {
    public enum Result: Sendable, Equatable {
        /// The record passed validation against today's contracts and went (or would go) to these receivers.
        case delivered(receivers: [String])
        /// The record still fails validation; nothing was sent.
        case stillInvalid(reasons: [String])
        /// The letter was replayed before, at this time; nothing was sent.
        case alreadyReplayed(at: Date)
    }

    public var letter: DeadLetter
    public var result: Result
    /// `false` for a dry run: nothing was written.
    public var performed: Bool
}

/// A replay that cannot even be planned.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension Bus {
    /// Replays a dead letter: validates its record again against the current contracts, projects it to the
    /// receivers the linkage has today, and sends it with its original event id (and request purpose) so receivers
    /// can de-duplicate, under today's contract version.
    ///
    /// A dry run (the default) only says what would happen. A letter already replayed is not replayed again
    /// unless `force` is set. Every performed replay is written to the history in the same transaction.
    public func replay(
        _ reference: DeadLetterReference, dryRun: Bool = true, force: Bool = false, operatorID: String? = nil
    ) async throws
        -> ReplayOutcome
    {
        guard let letter = try await DeadLetterReader(bus: self).show(reference) else {
            throw ReplayError(description: "There is no dead letter at \(reference).")
        }
        return try await replay(letter, dryRun: dryRun, force: force, operatorID: operatorID)
    }

    /// ``replay(_:dryRun:force:operatorID:)`` of a letter already read (from a list), without reading it again.
    public func replay(
        _ letter: DeadLetter, dryRun: Bool = true, force: Bool = false, operatorID: String? = nil
    ) async throws -> ReplayOutcome {
        let earlier = force ? nil : try await previousReplay(of: letter.reference)?.time
        let plan = try replayPlan(letter, replayedAt: earlier, operatorID: operatorID)
        guard !dryRun, let (messages, entries) = plan.send else { return plan.outcome }
        _ = try await commit(history: { _ in entries }) { transaction in
            try await transaction.send(messages)
        }
        var outcome = plan.outcome
        outcome.performed = true
        return outcome
    }

    /// Dry runs of many letters already read: one catch-up of the history index and one question about earlier
    /// replays for all of them, then each letter checked against today's contracts; nothing is read again per
    /// letter. Each result is the outcome, or why the letter cannot be replayed.
    public func dryRun(_ letters: [DeadLetter]) async throws -> [Result<ReplayOutcome, ReplayError>] {
        guard await history.catchUp(within: configuration.kafka.operationTimeout) else {
            throw ReplayError(
                description: "The history index is still being built (\(history.behind ?? 0) offsets to go), so "
                    + "whether these letters were replayed before cannot be checked yet; try again in a while.")
        }
        let replayed = try await history.replays(of: letters.map(\.reference.description))
        return letters.map { letter in
            Result { () throws(ReplayError) -> ReplayOutcome in
                try replayPlan(letter, replayedAt: replayed[letter.reference.description], operatorID: nil).outcome
            }
        }
    }

    /// What replaying `letter` would do, from the letter and today's contracts alone; with what to send when it
    /// would be delivered. `replayedAt`: when it was replayed before (`nil`: never, or forced).
    private func replayPlan(
        _ letter: DeadLetter, replayedAt earlier: Date?, operatorID: String?
    ) throws(ReplayError) -> (outcome: ReplayOutcome, send: ([KafkaOutgoingMessage], [HistoryEntry])?) {
        let reference = letter.reference
        guard let envelope = letter.envelope, let route = route(envelope.linkage) else {
            throw ReplayError(
                description: "The dead letter at \(reference) belongs to linkage `\(letter.linkage ?? "?")`, which the "
                    + "current contracts do not provide.")
        }
        if letter.reasons.contains(Self.expiredBeforeDelivery) {
            throw ReplayError(
                description: "The dead letter at \(reference) stands for records that retention removed before they "
                    + "were delivered (\(letter.message)); nothing is left to replay. Resynchronise the receiver, for "
                    + "example with a full transfer.")
        }
        if letter.reasons.contains(Self.fileNotWritten) {
            throw ReplayError(
                description: "The dead letter at \(reference) stands for a file that could not be written "
                    + "(\(letter.message)); its records stayed on the receiver's topic and go into the receiver's "
                    + "next file, so nothing is replayed. To write that file now: renkei files deliver "
                    + "\(envelope.linkage) \(envelope.receiver ?? "RECEIVER").")
        }
        if let earlier {
            return (ReplayOutcome(letter: letter, result: .alreadyReplayed(at: earlier), performed: false), nil)
        }
        let destinations: [LinkageRoute.Destination]
        if letter.stage == DeadLetterMessage.Stage.delivery.rawValue {
            guard let receiver = envelope.receiver, let destination = route.destination(receiver) else {
                throw ReplayError(
                    description: "The receiver `\(envelope.receiver ?? "?")` no longer receives linkage "
                        + "`\(route.linkage.id)`; the letter cannot be replayed to it.")
            }
            destinations = [destination]
        } else {
            destinations = route.destinations
        }
        let batch = letter.value.withUnsafeBytes { JSONRecordDecoder.decodeDocument($0, schema: route.schema) }
        // A delivery-stage letter holds only its receiver's items: items outside that projection are not checked.
        let checked = Set(destinations.flatMap(\.projection.itemIndices))
        let errors = batch.errors.filter { error in error.item.map(checked.contains) ?? true }
        guard batch.count == 1, errors.isEmpty else {
            let reasons = Array(Set(errors.map(\.reason.rawValue))).sorted()
            let result = ReplayOutcome.Result.stillInvalid(reasons: reasons.isEmpty ? ["malformed-json"] : reasons)
            return (ReplayOutcome(letter: letter, result: result, performed: false), nil)
        }
        let receivers = destinations.map(\.receiver.system)
        let key = batch.value(record: 0, item: route.keyItem) ?? envelope.subject
        var messages: [KafkaOutgoingMessage] = []
        for destination in destinations {
            var copy = envelope
            copy.type = .record
            copy.subject = key
            copy.receiver = destination.receiver.system
            copy.purpose = destination.receiver.purpose
            // The request's purpose stays the original's; the contract is today's, which the record was checked against.
            copy.contractVersion = route.contractVersion
            messages.append(
                KafkaOutgoingMessage(
                    topic: destination.topic, key: key.map { Array($0.utf8) },
                    value: destination.encoder.encode(batch, record: 0), headers: copy.headers))
        }
        let entries = destinations.map { destination in
            HistoryEntry(
                kind: .replay, linkage: route.linkage.id, contract: route.contract, provider: route.linkage.provider,
                receiver: destination.receiver.system, purpose: destination.receiver.purpose,
                keys: key.map { [$0] } ?? [], items: destination.receiver.items,
                events: [envelope.id], outcome: "replayed", deadLetter: reference.description, operatorID: operatorID,
                requestPurpose: envelope.requestPurpose, contractVersion: route.contractVersion)
        }
        return (
            ReplayOutcome(letter: letter, result: .delivered(receivers: receivers), performed: false),
            (messages, entries)
        )
    }

    private func previousReplay(of reference: DeadLetterReference) async throws -> HistoryEntry? {
        // Up to date with every replay committed so far, so a second replay of the same letter is caught.
        guard await history.catchUp(within: configuration.kafka.operationTimeout) else {
            throw ReplayError(
                description: "The history index is still being built (\(history.behind ?? 0) offsets to go), so "
                    + "whether \(reference) was replayed before cannot be checked yet; try again in a while.")
        }
        return try await history.index.lastReplay(of: reference.description)
    }
}
