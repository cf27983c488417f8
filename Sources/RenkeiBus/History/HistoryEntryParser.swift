import Foundation

/// Reads history entries as the bus writes them (``HistoryHashing``'s canonical JSON) several times faster than
/// `JSONDecoder`, for indexing millions of entries. It understands exactly the fields a ``HistoryEntry`` has; on
/// anything else (a field it does not know, a value of another type, an escape it does not expect) it gives up
/// and the caller falls back to `JSONDecoder`, so it never reads an entry differently.
enum HistoryEntryParser {
    /// The entry in `bytes`, or `nil` when the fast path does not apply (not when the bytes are not an entry).
    static func parse(_ bytes: [UInt8]) -> HistoryEntry? {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = Reader(buffer: buffer)
            return reader.entry()
        }
    }

    private struct Reader {
        let buffer: UnsafeBufferPointer<UInt8>
        var index = 0

        init(buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

        mutating func entry() -> HistoryEntry? {
            var chain: String?
            var sequence: Int?
            var previousHash: String?
            var hash: String?
            var time: Date?
            var kind: HistoryEntry.Kind?
            var linkage: String?
            var contract: String?
            var provider: String?
            var receiver: String?
            var purpose: String?
            var keys: [String]?
            var recordCount: Int?
            var keyList: HistoryKeyList?
            var items: [String]?
            var transfer: String?
            var events: [String]?
            var outcome: String?
            var reason: String?
            var deadLetter: String?
            var file: String?
            var operatorID: String?
            var requestPurpose: String?
            var contractVersion: String?

            var readable = true
            func valid<Value>(_ value: Value?) -> Value? {
                if value == nil { readable = false }
                return value
            }
            guard take(UInt8(ascii: "{")) else { return nil }
            if !take(UInt8(ascii: "}")) {
                repeat {
                    guard let name = string(), take(UInt8(ascii: ":")) else { return nil }
                    switch name {
                    case "chain": chain = valid(string())
                    case "sequence": sequence = valid(integer())
                    case "previousHash": previousHash = valid(string())
                    case "hash": hash = valid(string())
                    case "time": time = valid(string().flatMap(Self.date))
                    case "kind": kind = valid(string().flatMap(HistoryEntry.Kind.init(rawValue:)))
                    case "linkage": linkage = valid(string())
                    case "contract": contract = valid(string())
                    case "provider": provider = valid(string())
                    case "receiver": receiver = valid(string())
                    case "purpose": purpose = valid(string())
                    case "keys": keys = valid(strings())
                    case "recordCount": recordCount = valid(integer())
                    case "keyList":
                        // Rare (bulk transfers and large provides): the nested object goes to JSONDecoder.
                        guard let range = skipObject() else { return nil }
                        keyList = try? HistoryHashing.decoder.decode(
                            HistoryKeyList.self, from: Data(buffer[range]))
                        if keyList == nil { return nil }
                    case "items": items = valid(strings())
                    case "transfer": transfer = valid(string())
                    case "events": events = valid(strings())
                    case "outcome": outcome = valid(string())
                    case "reason": reason = valid(string())
                    case "deadLetter": deadLetter = valid(string())
                    case "file": file = valid(string())
                    case "operator": operatorID = valid(string())
                    case "requestPurpose": requestPurpose = valid(string())
                    case "contractVersion": contractVersion = valid(string())
                    default: return nil
                    }
                    // A field that was named must read as its type, or JSONDecoder decides.
                    guard readable else { return nil }
                } while take(UInt8(ascii: ","))
                guard take(UInt8(ascii: "}")) else { return nil }
            }
            guard index == buffer.count, let chain, let sequence, let previousHash, let hash, let time, let kind,
                let linkage, let keys, let recordCount, let events, let outcome
            else { return nil }
            var entry = HistoryEntry(
                time: time, kind: kind, linkage: linkage, contract: contract, provider: provider, receiver: receiver,
                purpose: purpose, keys: keys, recordCount: recordCount, keyList: keyList, items: items,
                transfer: transfer, events: events, outcome: outcome, reason: reason, deadLetter: deadLetter,
                file: file, operatorID: operatorID, requestPurpose: requestPurpose, contractVersion: contractVersion)
            entry.chain = chain
            entry.sequence = sequence
            entry.previousHash = previousHash
            entry.hash = hash
            return entry
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard index < buffer.count, buffer[index] == byte else { return false }
            index += 1
            return true
        }

        /// A string without escapes other than `\"`, `\\` and `\/`, else `nil`.
        private mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            var escaped = false
            while index < buffer.count {
                let byte = buffer[index]
                if byte == UInt8(ascii: "\"") {
                    let raw = UnsafeBufferPointer(rebasing: buffer[start..<index])
                    index += 1
                    // Invalid UTF-8 is JSONDecoder's to refuse, not ours to repair.
                    return escaped ? Self.unescape(raw) : String(validating: raw, as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    index += 1
                }
                if byte < 0x20 { return nil }
                index += 1
            }
            return nil
        }

        private static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(raw.count)
            var iterator = raw.makeIterator()
            while let byte = iterator.next() {
                guard byte == UInt8(ascii: "\\") else {
                    bytes.append(byte)
                    continue
                }
                switch iterator.next() {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): bytes.append(UInt8(ascii: "/"))
                default: return nil
                }
            }
            return String(validating: bytes, as: UTF8.self)
        }

        private mutating func integer() -> Int? {
            var value = 0
            var negative = false
            if take(UInt8(ascii: "-")) { negative = true }
            let start = index
            while index < buffer.count, buffer[index] >= UInt8(ascii: "0"), buffer[index] <= UInt8(ascii: "9") {
                let (product, overflow) = value.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                value = product + Int(buffer[index] - UInt8(ascii: "0"))
                index += 1
            }
            // JSON has no leading zeros (and JSONDecoder refuses them).
            guard index > start, index - start < 19, buffer[start] != UInt8(ascii: "0") || index - start == 1 else {
                return nil
            }
            return negative ? -value : value
        }

        private mutating func strings() -> [String]? {
            guard take(UInt8(ascii: "[")) else { return nil }
            var values: [String] = []
            if take(UInt8(ascii: "]")) { return values }
            repeat {
                guard let value = string() else { return nil }
                values.append(value)
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) ? values : nil
        }

        /// Skips a nested object, returning its byte range; strings inside may hold braces.
        private mutating func skipObject() -> Range<Int>? {
            let start = index
            var depth = 0
            var inString = false
            while index < buffer.count {
                let byte = buffer[index]
                index += 1
                if inString {
                    if byte == UInt8(ascii: "\\") {
                        index += 1
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return start..<index }
                default: break
                }
            }
            return nil
        }

        /// `YYYY-MM-DDTHH:MM:SS.sssZ` as ``Timestamp/format(_:)`` writes it; anything else through
        /// ``Timestamp/parse(_:)``.
        static func date(_ text: String) -> Date? {
            let utf8 = Array(text.utf8)
            guard utf8.count == 24, utf8[4] == 0x2D, utf8[7] == 0x2D, utf8[10] == 0x54, utf8[13] == 0x3A,
                utf8[16] == 0x3A, utf8[19] == 0x2E, utf8[23] == 0x5A
            else { return Timestamp.parse(text) }
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for index in range {
                    let digit = Int(utf8[index]) - 0x30
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
                let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
                let millisecond = number(20..<23), (1...12).contains(month), hour < 24, minute < 60, second < 60,
                (1...daysIn(month: month, year: year)).contains(day)
            else { return Timestamp.parse(text) }
            let days = Self.daysFromCivil(year: year, month: month, day: day)
            let milliseconds = ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millisecond
            return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }

        private static func daysIn(month: Int, year: Int) -> Int {
            switch month {
            case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }

        /// Days since 1970-01-01 of a proleptic Gregorian date.
        private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yearOfEra = y - era * 400
            let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            return era * 146_097 + dayOfEra - 719_468
        }
    }
}
