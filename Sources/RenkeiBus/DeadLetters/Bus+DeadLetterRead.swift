import Foundation
import RenkeiContracts

extension Bus {
    /// Writes to the history that operator `operatorID` read the record of `letter`, masked or not: who, which
    /// dead letter, which linkage and record key, the contract version the letter was written under — never the
    /// values.
    public func recordDeadLetterRead(
        _ letter: DeadLetter, operatorID: String, access: DeadLetterAccess
    )
        async throws
    {
        let entry = HistoryEntry(
            kind: .deadLetterRead, linkage: letter.linkage ?? "", receiver: letter.receiver,
            keys: letter.envelope?.subject.map { [$0] } ?? [], events: letter.envelope.map { [$0.id] } ?? [],
            outcome: access.rawValue, deadLetter: letter.reference.description, operatorID: operatorID,
            contractVersion: letter.envelope?.contractVersion)
        _ = try await commit(history: { _ in [entry] }) { _ in }
    }
}
