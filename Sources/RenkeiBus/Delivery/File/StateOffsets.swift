/// Pass 1 of reading a receiver's state: the offset of each key's last record, per partition. Keys of up to 15
/// bytes (every 宛名番号) are held inline, without an allocation each.
struct StateOffsets {
    /// A key of up to 15 bytes, its length in the last byte.
    private struct ShortKey: Hashable {
        var low: UInt64 = 0
        var high: UInt64 = 0

        init?(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count < 16 else { return nil }
            withUnsafeMutableBytes(of: &self) { raw in
                if let base = bytes.baseAddress { raw.baseAddress!.copyMemory(from: base, byteCount: bytes.count) }
                raw[15] = UInt8(bytes.count)
            }
        }
    }

    private var short: [Int32: [ShortKey: Int64]] = [:]
    private var long: [Int32: [[UInt8]: Int64]] = [:]
    private(set) var keyCount = 0

    /// Room for about `count` keys in `partition`.
    mutating func reserve(_ count: Int, in partition: Int32) {
        short[partition, default: [:]].reserveCapacity(count)
    }

    /// Notes that `key`'s record at `offset` is its latest so far (offsets arrive in order per partition).
    mutating func note(_ key: UnsafeRawBufferPointer, partition: Int32, offset: Int64) {
        if let key = ShortKey(key) {
            if short[partition, default: [:]].updateValue(offset, forKey: key) == nil { keyCount += 1 }
        } else if long[partition, default: [:]].updateValue(offset, forKey: Array(key)) == nil {
            keyCount += 1
        }
    }

    /// Whether the record of `key` at `offset` is the key's latest.
    func isLatest(_ key: UnsafeRawBufferPointer, partition: Int32, offset: Int64) -> Bool {
        if let key = ShortKey(key) { return short[partition]?[key] == offset }
        return long[partition]?[Array(key)] == offset
    }
}
