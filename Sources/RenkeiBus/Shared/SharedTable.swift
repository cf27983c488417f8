import Synchronization

/// One shared topic as this instance has read it: the value of each key, settled the same way at every instance
/// because every instance applies the same records in the same order (one partition).
protocol SharedTopicTable: Sendable {
    var topic: String { get }
    /// Applies the record at `offset`; a `nil` value (an empty record) removes the key.
    func apply(key: String, value: [UInt8]?, offset: Int64)
    /// Forgets values that no longer matter (expired claims).
    func sweep()
}

/// A key → value table kept from one shared topic (``SharedFollower`` feeds it).
///
/// - ``Rule/lastWins``: the newest record of a key is its value (a compacted topic read the way compaction would
///   leave it).
/// - ``Rule/firstWins``: the first record of a key is its value and later ones are ignored, until `expired` says the
///   value no longer counts — a claim: whoever wrote first holds it, and every instance agrees who that was.
final class SharedTable<Value: Sendable>: SharedTopicTable {
    enum Rule: Sendable {
        case lastWins
        case firstWins
    }

    struct Entry: Sendable {
        var value: Value
        /// Where the record that set it is in the topic.
        var offset: Int64
    }

    let topic: String
    let rule: Rule
    private let decode: @Sendable ([UInt8]) -> Value?
    private let expired: @Sendable (Value) -> Bool
    private let entries = Mutex<[String: Entry]>([:])

    init(
        topic: String, rule: Rule, decode: @escaping @Sendable ([UInt8]) -> Value?,
        expired: @escaping @Sendable (Value) -> Bool = { _ in false }
    ) {
        self.topic = topic
        self.rule = rule
        self.decode = decode
        self.expired = expired
    }

    func apply(key: String, value: [UInt8]?, offset: Int64) {
        // A record this version cannot read is left out rather than stopping every instance that follows the topic.
        let decoded = value.flatMap(decode)
        entries.withLock { entries in
            guard let decoded else {
                if value == nil { entries[key] = nil }
                return
            }
            if rule == .firstWins, let current = entries[key], !expired(current.value) { return }
            entries[key] = Entry(value: decoded, offset: offset)
        }
    }

    func sweep() {
        let expired = self.expired
        entries.withLock { entries in entries = entries.filter { !expired($0.value.value) } }
    }

    /// The value of `key`, if it has one.
    func value(_ key: String) -> Value? { entries.withLock { $0[key]?.value } }

    /// The value of `key` with its offset.
    func entry(_ key: String) -> Entry? { entries.withLock { $0[key] } }

    /// Every value for which `isIncluded` holds.
    func values(where isIncluded: (Value) -> Bool) -> [Value] {
        entries.withLock { $0.values.map(\.value).filter(isIncluded) }
    }

    /// How many keys have a value.
    var count: Int { entries.withLock { $0.count } }
}
