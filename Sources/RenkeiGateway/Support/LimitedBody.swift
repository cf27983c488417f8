import Hummingbird
import Synchronization

/// A streamed request body as byte chunks, cut off past `limit` bytes: the iterator throws once more have come,
/// and ``exceeded`` tells the route afterwards that the limit, not the client, ended the stream. For the bulk
/// transfer route, which streams bodies far larger than memory and so cannot collect them first.
struct LimitedBody: AsyncSequence, Sendable {
    typealias Element = [UInt8]

    let body: RequestBody
    let limit: Int
    /// The answer once the limit is passed.
    let tooLarge: Problem
    private let shared = Shared()

    /// Throws `tooLarge` at once when `Content-Length` announces more than `limit`, before anything is read.
    init(_ request: Request, limit: Int, advice: String) throws {
        body = request.body
        self.limit = limit
        tooLarge = Problem.bodyTooLarge(limit: limit, advice: advice)
        if let declared = request.declaredBodyLength, declared > limit { throw tooLarge }
    }

    /// Whether the body was cut off because it passed the limit.
    var exceeded: Bool { shared.exceeded.load(ordering: .acquiring) }

    /// Bytes read so far (`renkei_bytes_provided_total` of a transfer).
    var bytesRead: Int { shared.bytes.load(ordering: .acquiring) }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let body: LimitedBody
        var received = 0

        mutating func next() async throws -> [UInt8]? {
            guard let buffer = try await base.next() else { return nil }
            received += buffer.readableBytes
            body.shared.bytes.store(received, ordering: .releasing)
            guard received <= body.limit else {
                body.shared.exceeded.store(true, ordering: .releasing)
                throw body.tooLarge
            }
            return Array(buffer.readableBytesView)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: body.makeAsyncIterator(), body: self)
    }

    /// Shared by the sequence and its iterator, which is a copy.
    private final class Shared: Sendable {
        let exceeded = Atomic(false)
        let bytes = Atomic(0)
    }
}
