/// The bytes of one fuzzer input, read from the front: a few control bytes choose options and split points, the rest
/// is the payload under test. Reading past the end gives zeros, so every input is usable.
public struct FuzzInput {
    public private(set) var bytes: ArraySlice<UInt8>

    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = ArraySlice(UnsafeBufferPointer(start: data, count: size))
    }

    /// The next control byte, 0 when the input is used up.
    public mutating func takeByte() -> UInt8 {
        guard let first = bytes.first else { return 0 }
        bytes = bytes.dropFirst()
        return first
    }

    /// What is left, as the payload.
    public mutating func takeRest() -> [UInt8] {
        defer { bytes = [] }
        return Array(bytes)
    }
}
