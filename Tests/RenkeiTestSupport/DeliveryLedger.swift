/// What a fault scenario sent and what each receiver got, by record key and event id, so that the invariants can
/// be checked and the figures printed: acknowledged records are never lost, unacknowledged ones are never
/// delivered, and a record delivered twice carries the same event id both times.
///
/// Every record of a scenario has its own key. A submission is *acknowledged* (the bus answered 201),
/// *unacknowledged* (it answered an error, or the body never arrived whole: nothing of it may arrive) or
/// *unanswered* (the whole request was sent, then the connection died or the client gave up: it may arrive or not).
package struct DeliveryLedger: Sendable {
    /// What the provider was told about one record.
    package enum Answer: Sendable, Hashable {
        case acknowledged
        case unacknowledged
        case unanswered
    }

    private var answers: [String: Answer] = [:]
    private var eventIDs: [String: String] = [:]
    private var deliveries: [String: [(key: String, eventID: String?)]] = [:]

    package init() {}

    /// Notes what the provider was told about the record with `key` (its event id when the bus returned one).
    package mutating func submitted(key: String, eventID: String? = nil, _ answer: Answer) {
        answers[key] = answer
        if let eventID { eventIDs[key] = eventID }
    }

    /// Notes `count` records of `keys` with one answer (a batch or a transfer).
    package mutating func submitted(keys: [String], eventIDs: [String] = [], _ answer: Answer) {
        for (index, key) in keys.enumerated() {
            submitted(key: key, eventID: index < eventIDs.count ? eventIDs[index] : nil, answer)
        }
    }

    /// Notes that `receiver` got the record with `key` (once more, if it already had it).
    package mutating func delivered(to receiver: String, key: String, eventID: String?) {
        deliveries[receiver, default: []].append((key, eventID))
    }

    /// Takes in what `other` noted (a ledger kept by a concurrent provider).
    package mutating func merge(_ other: DeliveryLedger) {
        answers.merge(other.answers) { $1 }
        eventIDs.merge(other.eventIDs) { $1 }
        deliveries.merge(other.deliveries) { $0 + $1 }
    }

    /// The keys of records submitted with `answer`.
    package func keys(_ answer: Answer) -> Set<String> {
        Set(answers.filter { $0.value == answer }.map(\.key))
    }

    /// The receivers that got anything, and any named in `expected`, sorted.
    package func receivers(expected: [String] = []) -> [String] {
        Array(Set(deliveries.keys).union(expected)).sorted()
    }

    /// The figures for one receiver.
    package func tally(_ receiver: String) -> Tally {
        let got = deliveries[receiver] ?? []
        var copies: [String: Int] = [:]
        var idsOfKey: [String: Set<String>] = [:]
        for delivery in got {
            copies[delivery.key, default: 0] += 1
            if let id = delivery.eventID { idsOfKey[delivery.key, default: []].insert(id) }
        }
        let acknowledged = answers.filter { $0.value == .acknowledged }.map(\.key)
        return Tally(
            receiver: receiver,
            acknowledged: acknowledged.count,
            unanswered: answers.values.filter { $0 == .unanswered }.count,
            unacknowledged: answers.values.filter { $0 == .unacknowledged }.count,
            delivered: copies.count,
            duplicated: copies.values.reduce(0) { $0 + $1 - 1 },
            lost: acknowledged.filter { copies[$0] == nil }.sorted(),
            unacknowledgedDelivered: copies.keys.filter { answers[$0] == .unacknowledged }.sorted(),
            unknownDelivered: copies.keys.filter { answers[$0] == nil }.sorted(),
            duplicatesWithOtherEventID: idsOfKey.filter { key, ids in
                ids.count > 1 || (eventIDs[key].map { !ids.isSubset(of: [$0]) } ?? false)
            }.keys.sorted())
    }

    /// One line per receiver for the scenario, as docs/reliability.md quotes them.
    package func report(_ scenario: String, receivers expected: [String] = []) -> String {
        receivers(expected: expected).map { "fault \(scenario) \(tally($0).line)" }.joined(separator: "\n")
    }
}

/// One receiver's figures in a scenario.
package struct Tally: Sendable, Equatable {
    package var receiver: String
    /// Records the bus acknowledged (201).
    package var acknowledged: Int
    /// Records whose submission got no answer (connection lost, client gave up).
    package var unanswered: Int
    /// Records whose submission the bus answered with an error, or that never reached it whole.
    package var unacknowledged: Int
    /// Distinct records the receiver got.
    package var delivered: Int
    /// Copies beyond the first.
    package var duplicated: Int
    /// Keys of acknowledged records the receiver never got.
    package var lost: [String]
    /// Keys of unacknowledged records the receiver got anyway.
    package var unacknowledgedDelivered: [String]
    /// Keys the receiver got that were never submitted.
    package var unknownDelivered: [String]
    /// Keys delivered under more than one event id, or under another id than the provider was given.
    package var duplicatesWithOtherEventID: [String]

    /// Whether the invariants hold: nothing acknowledged lost, nothing unacknowledged or foreign delivered, every copy
    /// with its record's event id.
    package var holds: Bool {
        lost.isEmpty && unacknowledgedDelivered.isEmpty && unknownDelivered.isEmpty
            && duplicatesWithOtherEventID.isEmpty
    }

    /// `receiver 018: acknowledged 40, unanswered 0, unacknowledged 0, delivered 40, duplicated 0, lost 0, …`
    package var line: String {
        "receiver \(receiver): acknowledged \(acknowledged), unanswered \(unanswered), unacknowledged \(unacknowledged), "
            + "delivered \(delivered), duplicated \(duplicated), lost \(lost.count), "
            + "unacknowledged-delivered \(unacknowledgedDelivered.count), foreign \(unknownDelivered.count), "
            + "other-event-id \(duplicatesWithOtherEventID.count)"
    }
}
