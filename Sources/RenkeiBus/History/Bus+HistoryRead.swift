import Foundation

extension Bus {
    /// How an operator looked at a resident's history.
    public enum HistoryReadKind: String, Sendable {
        case viewed, printed, exported
    }

    /// Writes to the history that operator `operatorID` looked up the history of the resident with record key `key`
    /// (kind `history-read`): who, which resident, how — before the answer is shown, so that a lookup the history
    /// cannot record is not answered.
    public func recordHistoryRead(key: String, operatorID: String, how: HistoryReadKind) async throws {
        let entry = HistoryEntry(
            kind: .historyRead, linkage: "", keys: [key], outcome: how.rawValue, operatorID: operatorID)
        _ = try await commit(history: { _ in [entry] }) { _ in }
    }
}
