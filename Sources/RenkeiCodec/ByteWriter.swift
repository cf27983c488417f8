/// A growable byte buffer that encoders write into. Reuse one across records: once it has grown to the largest
/// record, encoding allocates nothing.
///
/// `write*` appends and moves the writer index (`count`); `clear()` resets it and keeps the memory.
public final class ByteWriter {
    private(set) var base: UnsafeMutablePointer<UInt8>
    /// The number of bytes written.
    public private(set) var count: Int = 0
    /// The number of bytes the buffer holds before it must grow.
    public private(set) var capacity: Int

    /// An empty buffer with room for `capacity` bytes.
    public init(capacity: Int = 4096) {
        self.capacity = max(capacity, 16)
        self.base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Forgets the bytes written, keeping the memory.
    public func clear() { count = 0 }

    /// Forgets the bytes written after the first `count`, e.g. a record that could not be finished.
    public func truncate(to count: Int) { self.count = min(count, self.count) }

    /// Makes room for at least `additional` more bytes.
    @inline(__always)
    public func reserve(_ additional: Int) {
        if count + additional > capacity { grow(to: count + additional) }
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Appends one byte.
    @inline(__always)
    public func writeByte(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Appends bytes.
    public func writeBytes(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// Appends bytes.
    public func writeBytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { writeBytes($0) }
    }

    /// Appends the UTF-8 of `string`.
    public func writeString(_ string: String) {
        var string = string
        string.withUTF8 { writeBytes(UnsafeRawBufferPointer($0)) }
    }

    /// The first unwritten byte; the caller has reserved room and calls `advance(by:)` after writing.
    @inline(__always)
    var tail: UnsafeMutablePointer<UInt8> { base + count }

    @inline(__always)
    func advance(by n: Int) { count += n }

    /// Calls `body` with the bytes written so far, valid only during the call (e.g. to hand them to a producer).
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// A copy of the bytes written so far.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
