/// Bytes held in memory, handed out in chunks as a request body or a file would arrive: the input
/// `Bus.provideBulk` takes, for callers (the demo, benchmarks, tools) whose records are already in memory.
public struct ByteChunks: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    public let bytes: [UInt8]
    public let chunkSize: Int

    public init(_ bytes: [UInt8], chunkSize: Int = 1 << 20) {
        self.bytes = bytes
        self.chunkSize = Swift.max(1, chunkSize)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let chunkSize: Int
        var position = 0

        public mutating func next() async -> [UInt8]? {
            guard position < bytes.count else { return nil }
            let end = Swift.min(position + chunkSize, bytes.count)
            defer { position = end }
            return Array(bytes[position..<end])
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes, chunkSize: chunkSize) }
}
