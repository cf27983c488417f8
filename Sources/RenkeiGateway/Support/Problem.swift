import HTTPTypes
import Hummingbird
import RenkeiCodec
import RenkeiContracts

/// An error as RFC 9457 problem details (`application/problem+json`). Validation problems list each error's
/// record, line, item and reason code — never a value.
struct Problem: HTTPResponseError {
    var status: HTTPResponse.Status
    /// Stable code; the problem type is `urn:renkei:problem:<code>`.
    var code: String
    var title: String
    var detail: String
    var errors: [JSONValue] = []
    var extensions: [(String, JSONValue)] = []
    var headers: HTTPFields = [:]

    init(
        _ status: HTTPResponse.Status, _ code: String, _ title: String, detail: String,
        extensions: [(String, JSONValue)] = [], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.extensions = extensions
        self.headers = headers
    }

    var body: JSONValue {
        var members: [(String, JSONValue)] = [
            ("type", .string("urn:renkei:problem:\(code)")), ("title", .string(title)),
            ("status", .integer(status.code)), ("detail", .string(detail)), ("code", .string(code)),
        ]
        if !errors.isEmpty { members.append(("errors", .array(errors))) }
        members += extensions
        return .object(members)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(
            status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body.serialized())))
    }

    /// The record errors as problem entries: row (record number), line, item key and name, reason code.
    static func entries(_ errors: [RecordError], layout: Layout?) -> [JSONValue] {
        errors.map { error in
            var entry: [(String, JSONValue)] = [
                ("row", .integer(error.record)), ("line", .integer(error.line)),
                ("reason", .string(error.reason.rawValue)),
            ]
            if let item = error.item, let layout, item < layout.items.count {
                entry += [("item", .string(layout.items[item].key)), ("itemName", .string(layout.items[item].name))]
            }
            if let column = error.column { entry.append(("column", .integer(column))) }
            return .object(entry)
        }
    }

    static func unauthorized(_ detail: String) -> Problem {
        Problem(
            .unauthorized, "unauthorized", "Authentication required", detail: detail,
            headers: [.wwwAuthenticate: "Bearer realm=\"renkei\", error=\"invalid_token\""])
    }

    static func forbidden(scope: String) -> Problem {
        Problem(
            .forbidden, "insufficient-scope", "Insufficient scope",
            detail: "The access token does not grant `\(scope)`.",
            headers: [.wwwAuthenticate: "Bearer realm=\"renkei\", error=\"insufficient_scope\", scope=\"\(scope)\""])
    }

    static func maintenance() -> Problem {
        Problem(
            .serviceUnavailable, "maintenance", "In maintenance",
            detail: "The gateway is in maintenance mode; try again later.", headers: [.retryAfter: "60"])
    }

    /// 413 for a body larger than the route takes (``BodyLimit``, ``GatewayConfiguration/maxBodyBytes``,
    /// ``GatewayConfiguration/maxTransferBytes``); `limit` says how large it may be.
    static func bodyTooLarge(limit: Int, advice: String = "many records go as a bulk transfer") -> Problem {
        Problem(
            .contentTooLarge, "body-too-large", "Body too large",
            detail: "The body is larger than the \(limit) bytes this route takes; \(advice).",
            extensions: [("limit", .integer(limit))])
    }

    static func badRequest(_ code: String, _ detail: String) -> Problem {
        Problem(.badRequest, code, "Bad request", detail: detail)
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(.notFound, "not-found", "Not found", detail: detail)
    }
}
