import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 channel with the gateway's ``RequestLimitsHandler`` placed right behind the HTTP/1 parser,
/// where it sees the parser's errors and the responses in NIO's own types (Hummingbird's hook for extra handlers
/// places them after its conversion to swift-http-types, which the gateway does not depend on).
struct LimitedHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let limits: RequestHeadLimits

    /// A server of these channels, with the parser's limits set from `limits`.
    static func server(idleTimeout: Duration, limits: RequestHeadLimits) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            var decoder = HTTP1Channel.Configuration.DecoderConfiguration()
            decoder.maxHeaderFieldSize = limits.maxFieldBytes
            decoder.maxHeaderListSize = limits.maxTotalBytes
            decoder.maxHeaderFieldCount = limits.maxFields
            let configuration = HTTP1Channel.Configuration(
                idleTimeout: TimeAmount(idleTimeout), httpDecoderConfiguration: decoder)
            return LimitedHTTP1Channel(
                base: HTTP1Channel(responder: responder, configuration: configuration), limits: limits)
        }
    }

    var responder: HTTPChannelHandler.Responder { base.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { [limits] value in
            let pipeline = channel.pipeline.syncOperations
            let parser = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(RequestLimitsHandler(limits: limits), position: .after(parser))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
