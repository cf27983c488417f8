import Foundation

/// Writes a history entry as the same bytes `JSONEncoder` (sorted keys, slashes not escaped) makes of it, without
/// `Codable`: the bus writes four entries per single provide, each encoded twice (its canonical form for the
/// hash, then the stored form), and `JSONEncoder` was a third of the gateway's CPU under load (bench/RESULTS.md,
/// "Gateway under wrk"). ``HistoryEntryParser`` is the matching fast reader.
///
/// Entries this writer does not handle byte for byte — with a key list, or a string holding a control
/// character — give `nil`, and ``HistoryHashing`` uses `JSONEncoder` for them. ``fields`` names every stored
/// property it writes; `HistoryEntryWriterTests` fails when `HistoryEntry` gains one it does not know, and
/// compares its bytes with `JSONEncoder`'s.
enum HistoryEntryWriter {
    /// How the entry's `time` is written.
    enum TimeForm {
        /// RFC 3339 text with milliseconds (``Timestamp/format(_:)``): the stored form.
        case text
        /// Whole milliseconds since 1970: the canonical form that is hashed.
        case milliseconds
    }

    /// The stored properties of ``HistoryEntry`` this writer writes, by their Swift names.
    static let fields: Set<String> = [
        "chain", "sequence", "previousHash", "hash", "time", "kind", "linkage", "contract", "provider", "receiver",
        "purpose", "keys", "recordCount", "keyList", "items", "transfer", "events", "outcome", "reason",
        "deadLetter", "file", "operatorID", "requestPurpose", "contractVersion",
    ]

    /// The entry's JSON with its keys in `JSONEncoder`'s sorted order; `nil` when only `JSONEncoder` may write it.
    static func write(_ entry: HistoryEntry, time form: TimeForm) -> [UInt8]? {
        guard entry.keyList == nil else { return nil }
        var out = Output()
        out.bytes.reserveCapacity(512 + 16 * (entry.keys.count + entry.events.count + (entry.items?.count ?? 0)))
        out.raw("{")
        // Keys in UTF-8 byte order, as JSONEncoder sorts them; optionals left out when nil, as Codable does.
        out.key("chain", first: true)
        out.string(entry.chain)
        out.optional("contract", entry.contract)
        out.optional("contractVersion", entry.contractVersion)
        out.optional("deadLetter", entry.deadLetter)
        out.key("events")
        out.strings(entry.events)
        out.optional("file", entry.file)
        out.key("hash")
        out.string(entry.hash)
        if let items = entry.items {
            out.key("items")
            out.strings(items)
        }
        out.key("keys")
        out.strings(entry.keys)
        out.key("kind")
        out.string(entry.kind.rawValue)
        out.key("linkage")
        out.string(entry.linkage)
        out.optional("operator", entry.operatorID)
        out.key("outcome")
        out.string(entry.outcome)
        out.key("previousHash")
        out.string(entry.previousHash)
        out.optional("provider", entry.provider)
        out.optional("purpose", entry.purpose)
        out.optional("reason", entry.reason)
        out.optional("receiver", entry.receiver)
        out.key("recordCount")
        out.integer(Int64(entry.recordCount))
        out.optional("requestPurpose", entry.requestPurpose)
        out.key("sequence")
        out.integer(Int64(entry.sequence))
        out.key("time")
        switch form {
        case .text: out.string(Timestamp.format(entry.time))
        case .milliseconds: out.integer(Int64((entry.time.timeIntervalSince1970 * 1000).rounded()))
        }
        out.optional("transfer", entry.transfer)
        out.raw("}")
        return out.failed ? nil : out.bytes
    }

    private struct Output {
        var bytes: [UInt8] = []
        /// Set when a string needs an escape this writer does not make; the caller falls back to JSONEncoder.
        var failed = false

        mutating func raw(_ text: StaticString) {
            text.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }

        mutating func key(_ name: StaticString, first: Bool = false) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            raw(name)
            bytes.append(UInt8(ascii: "\""))
            bytes.append(UInt8(ascii: ":"))
        }

        mutating func optional(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            key(name)
            string(value)
        }

        mutating func string(_ value: String) {
            bytes.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    bytes.append(UInt8(ascii: "\\"))
                    bytes.append(byte)
                case 0..<0x20:
                    failed = true
                default:
                    bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }

        mutating func strings(_ values: [String]) {
            bytes.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                string(value)
            }
            bytes.append(UInt8(ascii: "]"))
        }

        mutating func integer(_ value: Int64) {
            bytes.append(contentsOf: String(value).utf8)
        }
    }
}
