import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore

/// The S3 REST calls one bucket needs, signed with SigV4 and sent over AsyncHTTPClient. Retriable failures
/// (unreachable, timeouts, 5xx, 429 and `SlowDown`) are retried with exponential back-off; every other failure
/// becomes a ``StorageError`` carrying the HTTP status and the S3 error code and message from the XML body.
struct S3Client: Sendable {
    enum Method: String, Sendable {
        case get = "GET"
        case put = "PUT"
        case post = "POST"
        case delete = "DELETE"
        case head = "HEAD"
    }

    /// One call: the bucket itself when `key` is nil.
    struct Call: Sendable {
        var method: Method
        var key: String?
        var query: [(name: String, value: String)] = []
        var headers: [(name: String, value: String)] = []
        var body: [UInt8] = []
        /// The most response body bytes to accept.
        var maxResponseBytes = 1024 * 1024
    }

    struct Response: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    /// Where a call goes: the URL to send, the `Host` header and the path as signed.
    struct Target: Sendable, Hashable {
        var url: String
        var host: String
        var encodedPath: String
    }

    let bucket: String
    let settings: S3Settings
    let httpClient: HTTPClient
    let logger: Logger
    /// The storage location for error messages.
    let locationText: String

    init(
        bucket: String, settings: S3Settings, locationText: String, httpClient: HTTPClient = StorageHTTPClient.shared,
        logger: Logger
    ) {
        self.bucket = bucket
        self.settings = settings
        self.locationText = locationText
        self.httpClient = httpClient
        self.logger = logger
    }

    /// Sends `call`, retrying retriable failures; throws unless the answer is 2xx.
    func send(_ call: Call) async throws(StorageError) -> Response {
        var attempt = 0
        while true {
            do {
                return try await sendOnce(call)
            } catch {
                let error = error.about(location: locationText, object: call.key)
                guard error.isRetriable, attempt < settings.retries, !Task.isCancelled else { throw error }
                let delay = settings.retryBaseDelay * (1 << min(attempt, 16)) * Double.random(in: 0.5...1.0)
                logger.debug(
                    "retrying an S3 call",
                    metadata: [
                        StorageLoggingKeys.location: "\(locationText)", StorageLoggingKeys.attempt: "\(attempt + 1)",
                        StorageLoggingKeys.error: "\(error)",
                    ])
                attempt += 1
                do { try await Task.sleep(for: delay) } catch { throw error.asStorageError(locationText, call.key) }
            }
        }
    }

    private func sendOnce(_ call: Call) async throws(StorageError) -> Response {
        guard let credentials = settings.credentials else {
            throw StorageError(
                .missingCredentials,
                reason: "no S3 credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use a secrets file)")
        }
        let target = try target(key: call.key, query: call.query)
        var headers = call.headers
        headers.append((name: "host", value: target.host))
        let payloadHash = call.body.isEmpty ? SigV4Signer.emptyPayloadHash : Hex.encode(SHA256.hash(data: call.body))
        headers.append((name: "x-amz-content-sha256", value: payloadHash))
        let signer = SigV4Signer(credentials: credentials, region: settings.region, service: "s3")
        let signed = signer.sign(
            .init(
                method: call.method.rawValue, encodedPath: target.encodedPath, query: call.query, headers: headers,
                payloadHash: payloadHash),
            at: Date())

        var request = HTTPClientRequest(url: target.url)
        switch call.method {
        case .get: request.method = .GET
        case .put: request.method = .PUT
        case .post: request.method = .POST
        case .delete: request.method = .DELETE
        case .head: request.method = .HEAD
        }
        for header in signed.headers { request.headers.add(name: header.name, value: header.value) }
        if call.method == .put || call.method == .post || !call.body.isEmpty {
            // An explicit (possibly empty) body, so PUT and POST always carry Content-Length, which S3 requires.
            request.body = .bytes(ByteBuffer(bytes: call.body))
        }

        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            let timeout = TimeAmount.nanoseconds(
                settings.requestTimeout.components.seconds * 1_000_000_000
                    + settings.requestTimeout.components.attoseconds / 1_000_000_000)
            response = try await httpClient.execute(request, timeout: timeout, logger: logger)
            body = try await response.body.collect(upTo: call.maxResponseBytes)
        } catch {
            throw error.asStorageError(locationText, call.key)
        }
        let result = Response(
            status: Int(response.status.code), headers: response.headers.map { (name: $0.name, value: $0.value) },
            body: Array(buffer: body))
        guard (200..<300).contains(result.status) else { throw Self.failure(result, method: call.method) }
        return result
    }

    /// The URL, `Host` header and signed path of a call to `key` (the bucket when nil).
    func target(key: String?, query: [(name: String, value: String)]) throws(StorageError) -> Target {
        guard let endpoint = URLComponents(string: settings.endpointURL), let scheme = endpoint.scheme?.lowercased(),
            scheme == "http" || scheme == "https", var host = endpoint.host, !host.isEmpty
        else {
            throw StorageError(
                .invalidLocation, reason: "the S3 endpoint '\(settings.endpointURL)' is not an http(s) URL",
                location: locationText)
        }
        if host.contains(":") { host = "[\(host)]" }
        var basePath = endpoint.percentEncodedPath
        while basePath.hasSuffix("/") { basePath.removeLast() }
        let encodedKey = key.map { URIEncoding.encode($0, keepingSlashes: true) }
        // A bucket name with dots cannot be a host name under a wildcard TLS certificate: path-style then.
        let virtual =
            settings.effectiveAddressing == .virtualHosted && !(scheme == "https" && bucket.contains("."))
        let path: String
        if virtual {
            host = "\(bucket).\(host)"
            path = basePath + "/" + (encodedKey ?? "")
        } else {
            path = basePath + "/" + bucket + (encodedKey.map { "/" + $0 } ?? "")
        }
        let defaultPort = scheme == "https" ? 443 : 80
        if let port = endpoint.port, port != defaultPort { host += ":\(port)" }
        var url = "\(scheme)://\(host)\(path)"
        if !query.isEmpty {
            // A parameter without a value (`?uploads`) goes as a bare name; it signs as `uploads=`.
            url +=
                "?"
                + SigV4Signer.encodedQuery(query).map { $0.value.isEmpty ? $0.name : "\($0.name)=\($0.value)" }
                .joined(separator: "&")
        }
        return Target(url: url, host: host, encodedPath: path)
    }

    /// The error for a non-2xx answer, from the S3 XML error body when there is one.
    static func failure(_ response: Response, method: Method) -> StorageError {
        let error = XMLTree.parse(response.body)
        let code = error?["Code"]
        let message = error?["Message"]
        if response.status == 404, code == nil || code == "NoSuchKey" || code == "NoSuchUpload" {
            return StorageError(.notFound, reason: message ?? "no such object", httpStatus: 404, serviceCode: code)
        }
        return StorageError(
            .refused, reason: message ?? "the storage answered HTTP \(response.status) to \(method.rawValue)",
            httpStatus: response.status, serviceCode: code)
    }

    /// The error inside a 200 answer: CopyObject and CompleteMultipartUpload can fail after S3 has sent 200.
    static func embeddedFailure(_ response: Response, method: Method) -> StorageError? {
        guard let tree = XMLTree.parse(response.body), tree.name == "Error" else { return nil }
        return StorageError(
            .refused, reason: tree["Message"] ?? "the storage reported an error", httpStatus: response.status,
            serviceCode: tree["Code"])
    }
}

extension Error {
    /// A transport failure (or anything not yet a ``StorageError``) as a ``StorageError``.
    fileprivate func asStorageError(_ location: String, _ object: String?) -> StorageError {
        if let error = self as? StorageError { return error.about(location: location, object: object) }
        if self is CancellationError {
            return StorageError(.io, reason: "cancelled", location: location, object: object)
        }
        if self is NIOTooManyBytesError {
            return StorageError(.io, reason: "the answer was longer than expected", location: location, object: object)
        }
        // Connection refused or reset, TLS and timeouts: the storage did not answer, so trying later may work.
        return StorageError(.unreachable, reason: "\(self)", location: location, object: object)
    }
}
