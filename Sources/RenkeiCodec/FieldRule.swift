import RenkeiContracts

/// One item's validation rule as plain data, so the hot path copies no references.
struct FieldRule: Sendable {
    enum Kind: UInt8, Sendable {
        case string, digits, integer, decimal, date, datetime, code, boolean
    }

    enum Characters: UInt8, Sendable {
        case any, fullwidth, fullwidthKatakana, halfwidth, ascii
    }

    var kind: Kind
    var characters: Characters
    var required: Bool
    var allowsUnknownDate: Bool
    var hasLongCodes = false
    /// Maximum characters (digits for numbers); `Int.max` when the layout sets none.
    var maxLength: Int
    var precision: Int
    var scale: Int
    var codeStart: Int32 = 0
    var codeCount: Int32 = 0
    var keyStart: Int32 = 0
    var keyCount: Int32 = 0

    init(item: Item) {
        switch item.type {
        case .string: kind = .string
        case .digits: kind = .digits
        case .integer: kind = .integer
        case .decimal: kind = .decimal
        case .date: kind = .date
        case .datetime: kind = .datetime
        case .code: kind = .code
        case .boolean: kind = .boolean
        }
        switch item.characterRule {
        case .any: characters = .any
        case .fullwidth: characters = .fullwidth
        case .fullwidthKatakana: characters = .fullwidthKatakana
        case .halfwidth: characters = .halfwidth
        case .ascii: characters = .ascii
        }
        required = item.required
        allowsUnknownDate = item.allowsUnknownDate
        maxLength = item.maxLength ?? Int.max
        if case .decimal(let p, let s) = item.type {
            precision = p
            scale = s
        } else {
            precision = 0
            scale = 0
        }
    }

    /// Packs a code of at most 8 bytes into a word (little-endian, zero-padded); `nil` when longer or empty.
    /// Codes contain no NUL byte (control characters are never valid), so the padding is unambiguous.
    static func packCode(_ bytes: [UInt8]) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 8, !bytes.contains(0) else { return nil }
        return bytes.withUnsafeBytes { packCode($0.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count) }
    }

    @inline(__always)
    static func packCode(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var word: UInt64 = 0
        var i = 0
        while i < n {
            word |= UInt64(p[i]) &<< UInt64(i &* 8)
            i &+= 1
        }
        return word
    }
}

/// Open-addressing hash table from field-key bytes to item position, for JSON objects whose keys come out of order.
struct KeyTable: Sendable {
    private let slots: [Int32]
    private let keys: [[UInt8]]
    private let mask: Int

    init(keys: [[UInt8]]) {
        var size = 16
        while size < keys.count * 4 { size <<= 1 }
        var slots = [Int32](repeating: -1, count: size)
        for (index, key) in keys.enumerated() {
            var h = key.withUnsafeBytes { KeyTable.hash($0) } & (size - 1)
            while slots[h] >= 0 {
                if keys[Int(slots[h])] == key { break }
                h = (h + 1) & (size - 1)
            }
            if slots[h] < 0 { slots[h] = Int32(index) }
        }
        self.slots = slots
        self.keys = keys
        self.mask = size - 1
    }

    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    func lookup(_ key: UnsafeRawBufferPointer) -> Int? {
        var h = KeyTable.hash(key) & mask
        while true {
            let slot = Int(slots[h])
            if slot < 0 { return nil }
            let candidate = keys[slot]
            if candidate.count == key.count
                && candidate.withUnsafeBytes({ $0.elementsEqual(key) })
            {
                return slot
            }
            h = (h + 1) & mask
        }
    }
}
