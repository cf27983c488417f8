import HTTPTypes
import NIOCore
import NIOHTTP1

/// Sits right behind the HTTP/1 parser and does two things Hummingbird leaves undone:
///
/// - A request the parser refuses gets a problem body instead of an empty 400: 431 `request-head-too-large` when its
///   head passes ``RequestHeadLimits`` (the parser's `headerOverflow`), 400 `malformed-request` otherwise.
/// - A response written before its request's body was read to the end (a 413, a 401 to an upload) says
///   `Connection: close` and closes the connection afterwards, so a client is never made to upload the rest of a body
///   nobody reads — Hummingbird would otherwise read it to its end to reach the next request.
///
/// Either way the connection is closed gently: output first, then, after ``linger`` or when the client closes,
/// the rest; a client still sending when its socket is closed outright may get a reset instead of the answer.
final class RequestLimitsHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// How long a connection being closed still takes (and drops) what the client sends.
    static let linger: TimeAmount = .seconds(2)

    private let limits: RequestHeadLimits
    /// A request head was read and its end was not yet.
    private var readingRequest = false
    /// Requests whose response has not been written to its end.
    private var unanswered = 0
    /// The response being written closes the connection when it ends.
    private var closeAfterResponse = false
    /// A parse error to answer once the responses before it are written.
    private var pendingParseError: HTTPParserError?
    /// This handler answered a parse error or decided to close: whatever else arrives is dropped.
    private var closing = false

    init(limits: RequestHeadLimits) {
        self.limits = limits
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch Self.unwrapInboundIn(data) {
        case .head:
            readingRequest = true
            unanswered += 1
        case .end:
            readingRequest = false
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch Self.unwrapOutboundIn(data) {
        case .head(var head) where readingRequest && head.status.code >= 200:
            head.headers.replaceOrAdd(name: "connection", value: "close")
            closeAfterResponse = true
            context.write(Self.wrapOutboundOut(.head(head)), promise: promise)
        case .end where closeAfterResponse:
            unanswered -= 1
            closing = true
            let written = promise ?? context.eventLoop.makePromise()
            context.write(data, promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in self.closeGently(context) }
        case .end:
            unanswered -= 1
            context.write(data, promise: promise)
            if unanswered == 0, let error = pendingParseError { answer(error, context: context) }
        case .head, .body:
            context.write(data, promise: promise)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if closing { return }
        // A parse error inside a request's body is the route's to see (its body read fails); one in a request head
        // is answered here, after the responses to the requests before it.
        guard let parseError = error as? HTTPParserError, !readingRequest else {
            context.fireErrorCaught(error)
            return
        }
        closing = true
        if unanswered == 0 {
            answer(parseError, context: context)
        } else {
            pendingParseError = parseError
        }
    }

    private func answer(_ error: HTTPParserError, context: ChannelHandlerContext) {
        pendingParseError = nil
        let problem = problem(for: error)
        let body = ByteBuffer(string: problem.body.serialized())
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: problem.status.code),
            headers: [
                "content-type": "application/problem+json", "content-length": "\(body.readableBytes)",
                "connection": "close",
            ])
        context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
        context.write(Self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in self.closeGently(context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if closing, case ChannelEvent.inputClosed = event {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func problem(for error: HTTPParserError) -> Problem {
        guard case .headerOverflow = error else {
            return Problem(
                .badRequest, "malformed-request", "Malformed request",
                detail: "The request is not valid HTTP/1.1 (\(error)).")
        }
        return Problem(
            .requestHeaderFieldsTooLarge, "request-head-too-large", "Request head too large",
            detail: "The URL, each header name and each header value may have up to \(limits.maxFieldBytes) bytes, all "
                + "of them together \(limits.maxTotalBytes), and a request up to \(limits.maxFields) header fields.",
            extensions: [
                ("maxFieldBytes", .integer(limits.maxFieldBytes)), ("maxTotalBytes", .integer(limits.maxTotalBytes)),
                ("maxFields", .integer(limits.maxFields)),
            ])
    }

    /// Closes the output, so the client sees the end of the answer, and the rest once the client closes its side
    /// or ``linger`` has passed.
    private func closeGently(_ context: ChannelHandlerContext) {
        let loop = context.eventLoop.assumeIsolated()
        context.close(mode: .output).assumeIsolated().whenFailure { _ in context.close(promise: nil) }
        loop.scheduleTask(in: Self.linger) { context.close(promise: nil) }
    }
}

@available(*, unavailable)
extension RequestLimitsHandler: Sendable {}
