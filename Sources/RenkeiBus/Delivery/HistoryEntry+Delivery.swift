public import Foundation
public import RenkeiContracts

/// The history entries of deliveries — every delivery method (push, Swift receiver, file) writes through these.
extension HistoryEntry {
    /// `receiver` got records of `linkage` (kind `delivery`, outcome `ok`), naming the items it got; a file
    /// delivery names the file, and its keys go in a key list when there are many (``HistoryKeyList``).
    ///
    /// `requestPurpose` and `contractVersion` come from the delivered record's envelope (the request that provided
    /// it, the contract it was provided under); a delivery of many requests' records (a file) has no purpose, and
    /// without a version the linkage's own as loaded is written.
    public static func delivered(
        linkage: Linkage, receiver: Receiver, keys: [String], events: [String], transfer: String? = nil,
        recordCount: Int? = nil, keyList: HistoryKeyList? = nil, file: String? = nil, time: Date = Date(),
        requestPurpose: String? = nil, contractVersion: String? = nil
    ) -> HistoryEntry {
        HistoryEntry(
            time: time, kind: .delivery, linkage: linkage.id, contract: linkage.layout.description,
            provider: linkage.provider, receiver: receiver.system, purpose: receiver.purpose, keys: keys,
            recordCount: recordCount ?? keys.count, keyList: keyList, items: receiver.items, transfer: transfer,
            events: events, outcome: "ok", file: file, requestPurpose: requestPurpose,
            contractVersion: contractVersion ?? LinkageRoute.contractVersion(of: linkage))
    }

    /// A delivery to `receiver` failed and went to the dead letters (kind `dead-letter`, outcome `failed`);
    /// `deadLetter` is where (`topic/partition/offset`, or the topic when the offset is not known). `envelope` is the
    /// failed record's, when the failure was one record: its request purpose and contract version are kept.
    public static func deliveryFailed(
        _ failure: DeliveryFailure, linkage: Linkage, receiver: Receiver, deadLetter: String?,
        envelope: Envelope? = nil
    ) -> HistoryEntry {
        HistoryEntry(
            time: failure.lastFailure, kind: .deadLetter, linkage: linkage.id, contract: linkage.layout.description,
            provider: linkage.provider, receiver: receiver.system, purpose: receiver.purpose, keys: failure.keys,
            recordCount: failure.recordCount, transfer: failure.transfer, events: failure.events, outcome: "failed",
            reason: failure.reason, deadLetter: deadLetter, file: failure.file,
            requestPurpose: envelope?.requestPurpose,
            contractVersion: envelope?.contractVersion ?? LinkageRoute.contractVersion(of: linkage))
    }

    /// Retention removed `lost` records of `receiver`'s topic before they were delivered (kind `dead-letter`,
    /// outcome `expired`); `reason` names the range.
    public static func deliveryExpired(
        linkage: Linkage, receiver: Receiver, lost: Int, reason: String, deadLetter: String, time: Date = Date()
    ) -> HistoryEntry {
        HistoryEntry(
            time: time, kind: .deadLetter, linkage: linkage.id, contract: linkage.layout.description,
            provider: linkage.provider, receiver: receiver.system, purpose: receiver.purpose, recordCount: lost,
            outcome: "expired", reason: reason, deadLetter: deadLetter,
            contractVersion: LinkageRoute.contractVersion(of: linkage))
    }
}
