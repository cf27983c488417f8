public import RenkeiContracts

/// Decodes CP932 or Shift_JIS to UTF-8 as a stream: chunks of any size in (a double-byte code may be cut between
/// two chunks), UTF-8 out, exactly by the generated tables.
///
/// An undecodable byte sequence is not replaced by a character: it becomes the byte 0xFF, which is never valid
/// UTF-8, so the record decoder behind reports it at its record, line and item like any broken text (and
/// ``TranscodingRecordDecoder`` renames that error `undecodable`). A lead byte followed by a byte that cannot end a
/// code (`,` `"` CR LF among them) is undecodable alone, and the next byte is read afresh, so CSV structure
/// survives.
public struct LegacyTextDecoder {
    public let encoding: TextEncoding
    private let tables: CP932Tables
    /// A lead byte that ended the previous chunk, 0 when none.
    private var pendingLead: UInt8 = 0
    /// The UTF-8 of the last chunk, reused.
    private var output: [UInt8] = []
    /// How many undecodable sequences were met so far.
    public private(set) var undecodableCount = 0

    /// The byte that stands for an undecodable sequence in the output.
    public static let undecodableMarker: UInt8 = 0xFF

    /// A decoder for `encoding`, which must be a legacy encoding (not UTF-8).
    public init(encoding: TextEncoding) {
        guard let tables = encoding.tables else { preconditionFailure("LegacyTextDecoder of \(encoding)") }
        self.encoding = encoding
        self.tables = tables
    }

    /// Decodes `chunk` and lends its UTF-8 to `body` (valid only during the call).
    public mutating func decode<R>(
        _ chunk: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        // A double-byte code takes at most 3 bytes of UTF-8, a single byte at most 3 too (half-width katakana).
        let needed = chunk.count * 3 + 8
        // Taken out while written, so the decoder's state and its buffer are not modified at once (and not copied).
        var buffer = output
        output = []
        if buffer.count < needed { buffer = [UInt8](repeating: 0, count: needed) }
        let written = buffer.withUnsafeMutableBufferPointer { out in decode(chunk, into: out.baseAddress!) }
        output = buffer
        return try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<written])) }
    }

    /// Ends the stream: a lead byte left over at the very end is undecodable. Lends what it gives (possibly
    /// nothing) to `body`.
    public mutating func finish<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if pendingLead != 0 {
            pendingLead = 0
            undecodableCount += 1
            return try [Self.undecodableMarker].withUnsafeBytes { try body($0) }
        }
        return try body(UnsafeRawBufferPointer(start: nil, count: 0))
    }

    private mutating func decode(_ chunk: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) -> Int {
        guard let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self), chunk.count > 0 else { return 0 }
        // The loop keeps its state in locals: a closure capturing `self` would check exclusive access per byte.
        var pending = pendingLead
        var undecodable = 0
        let written = tables.decoding.withUnsafeBufferPointer { table in
            Self.decode(base, chunk.count, table: table, out: out, pending: &pending, undecodable: &undecodable)
        }
        pendingLead = pending
        undecodableCount += undecodable
        return written
    }

    private static func decode(
        _ base: UnsafePointer<UInt8>, _ n: Int, table: UnsafeBufferPointer<UInt16>, out: UnsafeMutablePointer<UInt8>,
        pending: inout UInt8, undecodable: inout Int
    ) -> Int {
        var i = 0
        var o = 0
        if pending != 0 {
            o = decodePair(lead: pending, trail: base[0], table: table, out: out, at: o, undecodable: &undecodable)
            if CP932Tables.isTrail(base[0]) { i = 1 }
            pending = 0
        }
        while i < n {
            let byte = base[i]
            if byte < 0x80 {
                out[o] = byte
                o &+= 1
                i &+= 1
            } else if byte >= 0xA1 && byte <= 0xDF {
                // Half-width katakana U+FF61–U+FF9F: EF BD xx or EF BE xx.
                let scalar = 0xFF61 &+ UInt32(byte) &- 0xA1
                out[o] = 0xEF
                out[o &+ 1] = UInt8(truncatingIfNeeded: 0x80 | (scalar >> 6) & 0x3F)
                out[o &+ 2] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
                o &+= 3
                i &+= 1
            } else if CP932Tables.isLead(byte) {
                guard i &+ 1 < n else {
                    pending = byte
                    return o
                }
                let trail = base[i &+ 1]
                o = decodePair(lead: byte, trail: trail, table: table, out: out, at: o, undecodable: &undecodable)
                i &+= CP932Tables.isTrail(trail) ? 2 : 1
            } else {
                out[o] = undecodableMarker
                undecodable &+= 1
                o &+= 1
                i &+= 1
            }
        }
        return o
    }

    /// Writes the UTF-8 of one double-byte code, or the marker when it decodes to nothing (or `trail` cannot end a
    /// code); returns the new output position.
    @inline(__always)
    private static func decodePair(
        lead: UInt8, trail: UInt8, table: UnsafeBufferPointer<UInt16>, out: UnsafeMutablePointer<UInt8>, at o: Int,
        undecodable: inout Int
    ) -> Int {
        guard let index = CP932Tables.index(lead: lead, trail: trail), table[index] != 0 else {
            out[o] = undecodableMarker
            undecodable &+= 1
            return o &+ 1
        }
        let scalar = UInt32(table[index])
        if scalar < 0x80 {
            out[o] = UInt8(truncatingIfNeeded: scalar)
            return o &+ 1
        } else if scalar < 0x800 {
            out[o] = UInt8(truncatingIfNeeded: 0xC0 | scalar >> 6)
            out[o &+ 1] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
            return o &+ 2
        }
        out[o] = UInt8(truncatingIfNeeded: 0xE0 | scalar >> 12)
        out[o &+ 1] = UInt8(truncatingIfNeeded: 0x80 | (scalar >> 6) & 0x3F)
        out[o &+ 2] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
        return o &+ 3
    }
}
