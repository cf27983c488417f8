import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiKafka

/// The messages and history entries of one provide, computed before the transaction opens.
struct ProvidePlan: Sendable {
    static let maxListedEvents = 100

    let messages: [KafkaOutgoingMessage]
    let receipt: ProvideReceipt
    private let route: LinkageRoute
    /// The keys of the records written, in order (empty strings for records without one).
    let validKeys: [String]
    private let quarantinedKeys: [String]
    private let quarantineReasons: [String]
    private let eventIDs: [String]
    private let requestPurpose: String?
    private let time: Date

    init(
        route: LinkageRoute, batch: RecordBatch, correlationID: String?, traceParent: String?,
        requestPurpose: RequestPurpose?, time: Date
    ) {
        var messages: [KafkaOutgoingMessage] = []
        var eventIDs: [String] = []
        var validKeys: [String] = []
        var quarantinedKeys: [String] = []
        var reasons: Set<String> = []
        messages.reserveCapacity(batch.count * route.destinations.count)
        for record in 0..<batch.count {
            let eventID = UUID().uuidString.lowercased()
            let key = batch.value(record: record, item: route.keyItem) ?? ""
            var envelope = Envelope(
                id: eventID, source: route.source, type: .record, time: time, subject: key.isEmpty ? nil : key,
                dataSchema: route.dataSchema, linkage: route.linkage.id, correlationID: correlationID,
                traceParent: traceParent, requestPurpose: requestPurpose?.text, contractVersion: route.contractVersion)
            guard batch.isValid(record) else {
                quarantinedKeys.append(key)
                let errors = batch.errors(of: record)
                reasons.formUnion(errors.map(\.reason.rawValue))
                messages.append(
                    DeadLetterMessage.ingest(
                        route: route, envelope: envelope, batch: batch, record: record, errors: Array(errors),
                        time: time))
                continue
            }
            eventIDs.append(eventID)
            validKeys.append(key)
            let keyBytes = Array(key.utf8)
            for destination in route.destinations {
                envelope.receiver = destination.receiver.system
                envelope.purpose = destination.receiver.purpose
                messages.append(
                    KafkaOutgoingMessage(
                        topic: destination.topic, key: keyBytes,
                        value: destination.encoder.encode(batch, record: record),
                        headers: envelope.headers))
            }
        }
        self.messages = messages
        self.route = route
        self.validKeys = validKeys
        self.quarantinedKeys = quarantinedKeys
        self.quarantineReasons = reasons.sorted()
        self.eventIDs = eventIDs
        self.requestPurpose = requestPurpose?.text
        self.time = time
        self.receipt = ProvideReceipt(
            eventIDs: eventIDs, accepted: validKeys.count, quarantined: quarantinedKeys.count,
            deliveredTo: Dictionary(
                uniqueKeysWithValues: route.destinations.map { ($0.receiver.system, validKeys.count) }),
            transfer: nil)
    }

    /// Whether the entries need a key list (``Bus/writeKeyList(_:)``) to name every record's key.
    var needsKeyList: Bool { validKeys.count > HistoryKeyList.threshold }

    /// The entries of this provide; `keyList` holds the keys when ``needsKeyList``.
    func historyEntries(keyList: HistoryKeyList? = nil) -> [HistoryEntry] {
        let keys = needsKeyList ? [] : validKeys.filter { !$0.isEmpty }
        let events = eventIDs.count <= Self.maxListedEvents ? eventIDs : []
        var entries: [HistoryEntry] = []
        if !validKeys.isEmpty {
            entries = route.destinations.map { destination in
                HistoryEntry(
                    time: time, kind: .provide, linkage: route.linkage.id, contract: route.contract,
                    provider: route.linkage.provider, receiver: destination.receiver.system,
                    purpose: destination.receiver.purpose, keys: keys, recordCount: validKeys.count,
                    keyList: keyList, items: destination.receiver.items, events: events, outcome: "ok",
                    requestPurpose: requestPurpose, contractVersion: route.contractVersion)
            }
        }
        if !quarantinedKeys.isEmpty {
            entries.append(
                HistoryEntry(
                    time: time, kind: .deadLetter, linkage: route.linkage.id, contract: route.contract,
                    provider: route.linkage.provider,
                    keys: quarantinedKeys.count <= HistoryKeyList.threshold
                        ? quarantinedKeys.filter { !$0.isEmpty } : [],
                    recordCount: quarantinedKeys.count, outcome: "quarantined",
                    reason: quarantineReasons.joined(separator: ","), deadLetter: route.ingestDeadLetterTopic,
                    requestPurpose: requestPurpose, contractVersion: route.contractVersion))
        }
        return entries
    }
}
