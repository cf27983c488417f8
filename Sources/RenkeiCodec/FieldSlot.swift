/// Where one decoded value lives: a byte range of the batch's input, or of its scratch bytes when the value had to
/// be unescaped (a CSV `""` or a JSON `\n`). Encoders copy from it; nothing is parsed twice.
struct FieldSlot: Sendable, Hashable {
    var start: UInt32
    var bits: UInt32

    static let scratchFlag: UInt32 = 1 << 31
    /// The decoder already reported this value (e.g. a JSON number for a `digits` item): validation skips it.
    static let reportedFlag: UInt32 = 1 << 30
    /// The item appeared in the record (possibly empty or `null`); catches duplicate JSON keys.
    static let seenFlag: UInt32 = 1 << 29
    /// The decoder's fast path already validated this value while delimiting it: validation skips it.
    static let validatedFlag: UInt32 = 1 << 28
    /// Flags that make validation skip a slot.
    static let skipFlags: UInt32 = reportedFlag | validatedFlag
    static let countMask: UInt32 = (1 << 28) - 1

    static let empty = FieldSlot(start: 0, bits: 0)

    @inline(__always)
    init(start: UInt32, bits: UInt32) {
        self.start = start
        self.bits = bits
    }

    @inline(__always)
    init(start: Int, count: Int, inScratch: Bool) {
        self.start = UInt32(truncatingIfNeeded: start)
        self.bits = UInt32(truncatingIfNeeded: count) | (inScratch ? FieldSlot.scratchFlag : 0) | FieldSlot.seenFlag
    }

    @inline(__always) var count: Int { Int(bits & FieldSlot.countMask) }
    @inline(__always) var inScratch: Bool { bits & FieldSlot.scratchFlag != 0 }
    @inline(__always) var isReported: Bool { bits & FieldSlot.reportedFlag != 0 }
    @inline(__always) var isSeen: Bool { bits & FieldSlot.seenFlag != 0 }
    /// Validation has nothing to do: the value was reported already or validated while decoding.
    @inline(__always) var skipsValidation: Bool { bits & FieldSlot.skipFlags != 0 }
}

/// Per-record bookkeeping of a batch.
struct RecordInfo: Sendable, Hashable {
    var number: Int
    var line: Int
    var errorStart: Int32
    var errorCount: Int32
}
