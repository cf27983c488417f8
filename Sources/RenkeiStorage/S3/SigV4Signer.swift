import Crypto
import Foundation

/// AWS Signature Version 4 for requests sent with an `Authorization` header.
///
/// The canonical request is method, canonical URI, canonical query, canonical headers, signed header list and
/// payload hash, one per line; the string to sign is `AWS4-HMAC-SHA256`, the time, the scope
/// `date/region/service/aws4_request` and the canonical request's SHA-256; the key is derived by chained
/// HMAC-SHA256 from `AWS4` + secret over date, region, service and `aws4_request`.
struct SigV4Signer: Sendable {
    /// The payload hash of a request whose body is not signed.
    static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of no bytes, the payload hash of a request without a body.
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// A request as the signer sees it.
    struct Request: Sendable {
        var method: String
        /// The path as sent: already URI-encoded (S3: each segment encoded once).
        var encodedPath: String
        /// Query parameters, not yet encoded.
        var query: [(name: String, value: String)]
        /// Headers to sign and send; must include `host`.
        var headers: [(name: String, value: String)]
        /// Hex SHA-256 of the body, or ``SigV4Signer/unsignedPayload``.
        var payloadHash: String
    }

    /// What signing produced; the intermediate texts are kept so tests can say which step is wrong.
    struct Signature: Sendable {
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
        var authorization: String
        /// The request's headers with `x-amz-date`, `x-amz-security-token` (when there is a session token) and
        /// `authorization` added: the headers to send.
        var headers: [(name: String, value: String)]
    }

    var credentials: S3Credentials
    var region: String
    var service: String

    /// Signs `request` at `date`, adding the `x-amz-date` header (and `x-amz-security-token` with a session
    /// token) unless the request already has them.
    func sign(_ request: Request, at date: Date) -> Signature {
        let (day, time) = Self.timestamps(date)
        var headers = request.headers
        if !headers.contains(where: { $0.name.lowercased() == "x-amz-date" }) {
            headers.append((name: "x-amz-date", value: time))
        }
        if let token = credentials.sessionToken,
            !headers.contains(where: { $0.name.lowercased() == "x-amz-security-token" })
        {
            headers.append((name: "x-amz-security-token", value: token))
        }
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers)
        let canonicalRequest = [
            request.method.uppercased(),
            request.encodedPath.isEmpty ? "/" : request.encodedPath,
            Self.canonicalQuery(request.query),
            canonicalHeaders,
            signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", time, scope, Hex.encode(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        let signature = Hex.encode(
            HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(day)))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        headers.append((name: "authorization", value: authorization))
        return Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            authorization: authorization, headers: headers)
    }

    /// The key for one day, region and service.
    func signingKey(_ day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }

    /// `yyyyMMdd` and `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func timestamps(_ date: Date) -> (day: String, time: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }
        let day = "\(parts.year ?? 1970)\(two(parts.month))\(two(parts.day))"
        return (day, "\(day)T\(two(parts.hour))\(two(parts.minute))\(two(parts.second))Z")
    }

    /// Parameters encoded, then sorted by name and value in byte order, joined with `&`.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        encodedQuery(query).map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// Parameters encoded and sorted as the canonical query has them; the URL sends them in this order too.
    static func encodedQuery(_ query: [(name: String, value: String)]) -> [(name: String, value: String)] {
        query.map { (name: URIEncoding.encode($0.name), value: URIEncoding.encode($0.value)) }
            .sorted { left, right in
                left.name == right.name
                    ? left.value.utf8.lexicographicallyPrecedes(right.value.utf8)
                    : left.name.utf8.lexicographicallyPrecedes(right.name.utf8)
            }
    }

    /// Lowercase names sorted, values trimmed with inner runs of spaces collapsed, repeated names joined with `,`;
    /// returns the canonical header block (each line ending in a newline) and the signed header list.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (block: String, signed: String) {
        var merged: [String: [String]] = [:]
        for header in headers {
            merged[header.name.lowercased(), default: []].append(collapseSpaces(header.value))
        }
        let names = merged.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let block = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    private static func collapseSpaces(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
    }
}
