/// The per-record field slots a decoder fills while delimiting one record, at a stable address so the hot path
/// writes them through a pointer (no array uniqueness or exclusivity checks). Nothing in it outlives one record, so
/// copies of a decoder may share it.
final class SlotBuffer {
    let pointer: UnsafeMutablePointer<FieldSlot>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: .empty, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    @inline(__always)
    func reset() {
        var i = 0
        while i < count {
            pointer[i] = .empty
            i &+= 1
        }
    }

    /// Marks every slot as already reported, for a record that failed as a whole (malformed, too large).
    func markAllReported() {
        for i in 0..<count { pointer[i] = FieldSlot(start: 0, bits: FieldSlot.reportedFlag) }
    }
}
