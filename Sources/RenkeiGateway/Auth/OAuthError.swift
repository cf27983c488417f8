import Foundation
import HTTPTypes
import Hummingbird

/// An error of the token or introspection endpoint, in RFC 6749 §5.2's form: `{"error", "error_description"}`.
struct OAuthError: HTTPResponseError {
    var code: String
    var description: String
    var status: HTTPResponse.Status

    static func invalidClient(_ text: String) -> OAuthError {
        OAuthError(code: "invalid_client", description: text, status: .unauthorized)
    }
    static func invalidRequest(_ text: String) -> OAuthError {
        OAuthError(code: "invalid_request", description: text, status: .badRequest)
    }
    static func invalidScope(_ text: String) -> OAuthError {
        OAuthError(code: "invalid_scope", description: text, status: .badRequest)
    }
    static func serverError(_ text: String) -> OAuthError {
        OAuthError(code: "server_error", description: text, status: .internalServerError)
    }
    /// The server cannot answer now (the broker holding the shared state is down); the client may retry.
    static func temporarilyUnavailable(_ text: String) -> OAuthError {
        OAuthError(code: "temporarily_unavailable", description: text, status: .serviceUnavailable)
    }
    static func unsupportedGrantType(_ text: String) -> OAuthError {
        OAuthError(code: "unsupported_grant_type", description: text, status: .badRequest)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Basic realm=\"renkei\"" }
        if status == .serviceUnavailable { headers[.retryAfter] = "5" }
        let body = try JSONSerialization.data(
            withJSONObject: ["error": code, "error_description": description], options: [.sortedKeys])
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// `application/x-www-form-urlencoded` bodies of the OAuth endpoints, where a field may appear once.
enum FormBody {
    /// The fields by name (a repeated field: its last value); `nil` when the body is not valid percent-encoded UTF-8.
    static func parse(_ bytes: [UInt8]) -> [String: String]? {
        guard let form = FormFields(encoded: bytes) else { return nil }
        var fields: [String: String] = [:]
        for field in form.fields { fields[field.name] = field.value }
        return fields
    }

    static func decodeComponent(_ text: String) -> String {
        FormFields.decode(Array(text.utf8)) ?? text
    }
}
