public import RenkeiContracts

/// A layout compiled for the codec: per item a plain-data rule the hot path reads without touching `String`s.
///
/// Build one per layout when contracts load and share it; it is immutable.
public final class RecordSchema: Sendable {
    /// The layout this schema was compiled from.
    public let layout: Layout
    /// How many items a record of the layout has.
    public let itemCount: Int
    let rules: [FieldRule]
    /// Code values of all code tables, packed (see `FieldRule.packCode`), each table a contiguous range.
    let codeWords: [UInt64]
    /// Code tables whose codes do not all fit into a word, by item position.
    let longCodes: [Int: Set<[UInt8]>]
    /// The field keys of all items, concatenated; `FieldRule.keyStart/keyCount` point into it.
    let keyBytes: [UInt8]
    let keyTable: KeyTable
    /// No field key contains a byte that JSON escapes, so keys can be matched as raw bytes.
    let keysArePlain: Bool

    /// Compiles `layout`.
    public init(layout: Layout) {
        self.layout = layout
        self.itemCount = layout.items.count
        var rules: [FieldRule] = []
        var words: [UInt64] = []
        var long: [Int: Set<[UInt8]>] = [:]
        var keys: [UInt8] = []
        for (index, item) in layout.items.enumerated() {
            var rule = FieldRule(item: item)
            rule.keyStart = Int32(keys.count)
            keys.append(contentsOf: Array(item.key.utf8))
            rule.keyCount = Int32(keys.count) - rule.keyStart
            if let table = item.codeTable {
                let packed = table.codes.map { FieldRule.packCode(Array($0.value.utf8)) }
                if packed.contains(nil) {
                    long[index] = Set(table.codes.map { Array($0.value.utf8) })
                    rule.hasLongCodes = true
                } else {
                    rule.codeStart = Int32(words.count)
                    words.append(contentsOf: packed.map { $0! })
                    rule.codeCount = Int32(packed.count)
                }
            } else if item.type == .code {
                rule.codeCount = 0
            }
            rules.append(rule)
        }
        self.rules = rules
        self.codeWords = words
        self.longCodes = long
        // Padding, so key comparisons may always read 16 bytes from any key's start.
        self.keyBytes = keys + [UInt8](repeating: 0, count: 16)
        self.keyTable = KeyTable(keys: layout.items.map { Array($0.key.utf8) })
        self.keysArePlain = !keys.contains(0) && keys.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }
    }

    /// The position of the item whose field key is exactly these bytes.
    func itemIndex(forKey key: UnsafeRawBufferPointer) -> Int? { keyTable.lookup(key) }
}
