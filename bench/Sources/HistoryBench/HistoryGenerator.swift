import Foundation
import RenkeiBus
import RenkeiContracts
import RenkeiSynthetic

/// The shape of a synthetic history.
struct HistoryShape: Sendable {
    var entries = 10_000_000
    /// Bulk transfers spread evenly over the history, each one provide entry per receiver of
    /// `resident-register-daily` referencing one key list.
    var transfers = 6
    var transferKeys = 1_000_000
    /// Residents that single provides, deliveries, queries and dead letters are about.
    var residents = 500_000
    /// Bus instances, each with its own chain.
    var chains = 4
    var years = 7.0
    var seed: UInt64 = 1

    /// 宛名番号 of resident `index`, as `RenkeiSynthetic.ResidentGenerator` makes them (10 digits).
    static func key(_ index: Int) -> String { String(1_000_000_000 + index * 7) }

    /// The first resident index of transfer `transfer`'s key list: each list is a window of `transferKeys`
    /// consecutive 宛名番号 that slides by a fifth of the residents per transfer (people move in, numbers are never
    /// reused), so resident i is in 1…5 lists depending on i, and the lists also hold former residents.
    func transferStart(_ transfer: Int) -> Int { transfer * max(1, residents / 5) }

    /// The chain names (bus instances).
    var chainNames: [String] { (0..<chains).map { "renkei-\($0 + 1)" } }
}

/// Generates a history deterministically (SplitMix64, seeded), in topic order, with valid chain fields: a page of
/// serialized entries at a time, with the keys of the key lists first referenced in the page.
struct HistoryGenerator {
    struct Page {
        var messages: [(offset: Int64, value: [UInt8])] = []
        /// The chain (bus instance) of each message: its Kafka message key on the history topic.
        var chains: [String] = []
        var keyLists: [HistoryKeyList: [String]] = [:]
        /// Keys in `keyLists`.
        var listKeys: Int { keyLists.values.reduce(0) { $0 + $1.count } }
    }

    /// Entries by kind, for the report.
    private(set) var kinds: [HistoryEntry.Kind: Int] = [:]
    private(set) var produced: Int64 = 0
    let shape: HistoryShape

    private var random: SplitMix64
    private var heads: [String: (sequence: Int, hash: String)] = [:]
    private var pending: [HistoryEntry] = []
    private var pendingLists: [HistoryKeyList: [String]] = [:]
    private var transfersDone = 0
    private let change: Linkage
    private let daily: Linkage
    private let query: Linkage
    private let start: Int64 = 1_554_076_800_000  // 2019-04-01T00:00:00Z
    private let span: Double

    init(shape: HistoryShape, contracts: ContractSet) {
        self.shape = shape
        random = SplitMix64(seed: shape.seed)
        change = contracts.linkage("resident-change")!
        daily = contracts.linkage("resident-register-daily")!
        query = contracts.linkage("resident-query")!
        span = shape.years * 365.25 * 86_400_000
    }

    /// The next `size` entries (fewer at the end), or `nil` when the history is complete.
    mutating func nextPage(size: Int) -> Page? {
        guard produced < shape.entries else { return nil }
        var page = Page()
        page.messages.reserveCapacity(size)
        while page.messages.count < size, produced < shape.entries {
            if pending.isEmpty { makeEvent() }
            let entry = pending.removeFirst()
            if let list = entry.keyList, let keys = pendingLists.removeValue(forKey: list) {
                page.keyLists[list] = keys
            }
            page.messages.append((produced, seal(entry)))
            page.chains.append(entry.chain)
            kinds[entry.kind, default: 0] += 1
            produced += 1
        }
        return page
    }

    /// Numbers and hashes `draft` into its chain (as `HistoryChain.seal` does) and serializes it.
    private mutating func seal(_ draft: HistoryEntry) -> [UInt8] {
        var entry = draft
        let head = heads[entry.chain] ?? (0, String(repeating: "0", count: 64))
        entry.sequence = head.sequence + 1
        entry.previousHash = head.hash
        entry.hash = HistoryVerification.hash(of: entry)
        heads[entry.chain] = (entry.sequence, entry.hash)
        return entry.serialized()
    }

    /// The entries of one transaction of one instance, appended to `pending`.
    private mutating func makeEvent() {
        let chain = shape.chainNames[random.int(below: shape.chains)]
        let time = Date(
            timeIntervalSince1970: Double(
                start + Int64(Double(produced) * span / Double(shape.entries))
                    + Int64(random.int(below: 1000))) / 1000)
        var entries: [HistoryEntry]
        let dueTransfer = Int64(
            (Double(transfersDone) + 0.5) * Double(shape.entries) / Double(max(shape.transfers, 1)))
        if transfersDone < shape.transfers, produced >= dueTransfer {
            entries = transfer(time: time)
            transfersDone += 1
        } else {
            let key = HistoryShape.key(random.int(below: shape.residents))
            let roll = random.int(below: 1000)
            switch roll {
            case 0..<700: entries = provide(key: key, time: time)
            case 700..<900: entries = [delivery(key: key, time: time)]
            case 900..<960: entries = [ask(key: key, time: time)]
            case 960..<980: entries = [refusal(time: time)]
            case 980..<995: entries = [deadLetter(key: key, time: time)]
            default: entries = [replay(key: key, time: time)]
            }
        }
        for index in entries.indices { entries[index].chain = chain }
        pending += entries
    }

    private mutating func id() -> String {
        let a = random.next()
        let b = random.next()
        func hex(_ value: UInt64, _ digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
        return "\(hex(a >> 32, 8))-\(hex((a >> 16) & 0xffff, 4))-4\(hex(a & 0xfff, 3))-\(hex(8 + (b >> 62), 1))"
            + "\(hex((b >> 48) & 0xfff, 3))-\(hex(b & 0xffff_ffff_ffff, 12))"
    }

    private mutating func sha256() -> String {
        (0..<4).map { _ in
            let text = String(random.next(), radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
    }

    /// A single-record provide of resident-change: one entry per receiver (4).
    private mutating func provide(key: String, time: Date) -> [HistoryEntry] {
        let event = id()
        return change.receivers.map { receiver in
            HistoryEntry(
                time: time, kind: .provide, linkage: change.id, contract: change.layout.description,
                provider: change.provider, receiver: receiver.system, purpose: receiver.purpose, keys: [key],
                recordCount: 1, items: receiver.items, events: [event], outcome: "ok")
        }
    }

    /// A receiver took a record (push delivery or a pull handler).
    private mutating func delivery(key: String, time: Date) -> HistoryEntry {
        let receiver = change.receivers[random.int(below: change.receivers.count)]
        return HistoryEntry(
            time: time, kind: .delivery, linkage: change.id, contract: change.layout.description,
            provider: change.provider, receiver: receiver.system, purpose: receiver.purpose, keys: [key],
            recordCount: 1, items: receiver.items, events: [id()], outcome: "ok")
    }

    /// A query (照会) of resident-query: answered, timed out or failed.
    private mutating func ask(key: String, time: Date) -> HistoryEntry {
        let receiver = query.receivers[random.int(below: query.receivers.count)]
        let roll = random.int(below: 100)
        let (outcome, reason): (String, String?) =
            roll < 95 ? ("ok", nil) : roll < 99 ? ("timeout", "timeout") : ("failed", "invalid-answer")
        return HistoryEntry(
            time: time, kind: .query, linkage: query.id, contract: query.layout.description, provider: query.provider,
            receiver: receiver.system, keys: [key], recordCount: outcome == "ok" ? 1 : 0, items: receiver.items,
            events: [id()], outcome: outcome, reason: reason)
    }

    private mutating func refusal(time: Date) -> HistoryEntry {
        let undeclared = random.percent(30)
        return HistoryEntry(
            time: time, kind: .refusal, linkage: undeclared ? change.id : daily.id,
            provider: undeclared ? "099" : daily.provider, outcome: "refused",
            reason: undeclared ? "undeclared-provider" : "invalid-rows")
    }

    private mutating func deadLetter(key: String, time: Date) -> HistoryEntry {
        let receiver = change.receivers[random.int(below: change.receivers.count)]
        return HistoryEntry(
            time: time, kind: .deadLetter, linkage: change.id, contract: change.layout.description,
            provider: change.provider, receiver: receiver.system, purpose: receiver.purpose, keys: [key],
            recordCount: 1, events: [id()], outcome: "failed", reason: "handler-failed",
            deadLetter: "renkei.dlq.\(change.id).\(receiver.system)/0/\(random.int(below: 100_000))")
    }

    private mutating func replay(key: String, time: Date) -> HistoryEntry {
        let receiver = change.receivers[random.int(below: change.receivers.count)]
        return HistoryEntry(
            time: time, kind: .replay, linkage: change.id, contract: change.layout.description,
            provider: change.provider, receiver: receiver.system, purpose: receiver.purpose, keys: [key],
            items: receiver.items, events: [id()], outcome: "replayed",
            deadLetter: "renkei.dlq.\(change.id).\(receiver.system)/0/\(random.int(below: 100_000))")
    }

    /// A bulk transfer of resident-register-daily: one provide entry per receiver (3), all referencing one key list
    /// of `transferKeys` keys (chunks of ~47,000 keys, as 512 KiB chunk messages of 11-byte lines hold).
    private mutating func transfer(time: Date) -> [HistoryEntry] {
        let first = shape.transferStart(transfersDone)
        let keys = (first..<(first + shape.transferKeys)).map(HistoryShape.key)
        let perChunk = 47_662
        var chunks: [String] = []
        var remaining = keys.count
        var offset = transfersDone * 3
        while remaining > 0 {
            let count = min(perChunk, remaining)
            chunks.append(
                #"{"keys":\#(count),"offset":\#(offset),"partition":\#(chunks.count % 8),"sha256":"\#(sha256())"}"#)
            remaining -= count
            offset += 1
        }
        let reference =
            #"{"chunks":[\#(chunks.joined(separator: ","))],"count":\#(keys.count),"#
            + #""sha256":"\#(sha256())","topic":"renkei.history.keys"}"#
        let list = try! JSONDecoder().decode(HistoryKeyList.self, from: Data(reference.utf8))
        pendingLists[list] = keys
        let transferID = "tr-\(id())"
        return daily.receivers.map { receiver in
            HistoryEntry(
                time: time, kind: .provide, linkage: daily.id, contract: daily.layout.description,
                provider: daily.provider, receiver: receiver.system, purpose: receiver.purpose,
                recordCount: keys.count, keyList: list, items: receiver.items, transfer: transferID, outcome: "ok")
        }
    }
}

extension SplitMix64 {
    /// A number in `0..<bound` (the bias of `%` does not matter for these small bounds).
    mutating func int(below bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// `true` with probability `percent` / 100.
    mutating func percent(_ percent: Int) -> Bool { int(below: 100) < percent }
}
