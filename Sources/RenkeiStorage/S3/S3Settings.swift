public import Foundation

/// How to reach an S3-compatible service: endpoint, region, credentials, addressing, part size and retries.
public struct S3Settings: Sendable {
    /// How a bucket appears in a request URL.
    public enum Addressing: Sendable, Hashable {
        /// `https://endpoint/bucket/key`: works with any endpoint, including an IP address or loopback.
        case path
        /// `https://bucket.endpoint/key`: what AWS prefers.
        case virtualHosted
    }

    /// The smallest part S3 accepts in a multipart upload (except the last part).
    public static let minimumPartSize = 5 * 1024 * 1024
    /// The largest part S3 accepts.
    public static let maximumPartSize = 5 * 1024 * 1024 * 1024

    /// The service URL, such as `https://s3.example.jp` or `http://127.0.0.1:9000`; nil means AWS,
    /// `https://s3.<region>.amazonaws.com`.
    public var endpoint: String?
    /// The signing region.
    public var region: String = "us-east-1"
    /// The key used to sign requests; nil fails every request with ``StorageError/Code/missingCredentials``.
    public var credentials: S3Credentials?
    /// How a bucket appears in a URL; nil chooses virtual-hosted for AWS endpoints and path-style for any other.
    public var addressing: Addressing?
    /// The size of a multipart upload part, and the most a writer holds before it uploads; raised to
    /// ``minimumPartSize`` and lowered to ``maximumPartSize`` when outside them. An object up to this size is
    /// written with a single PutObject.
    public var partSize: Int = 8 * 1024 * 1024
    /// The limit for one HTTP request, from connecting to the last byte of the answer.
    public var requestTimeout: Duration = .seconds(30)
    /// How many times a request that failed with a retriable error is tried again.
    public var retries: Int = 3
    /// The wait before the first retry; each further retry waits twice as long, with jitter.
    public var retryBaseDelay: Duration = .milliseconds(100)
    /// The most keys one ListObjectsV2 page asks for; nil leaves it to the service (1,000 on AWS).
    public var listPageSize: Int?

    public init(
        endpoint: String? = nil, region: String = "us-east-1", credentials: S3Credentials? = nil,
        addressing: Addressing? = nil
    ) {
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        self.addressing = addressing
    }

    /// Settings from the standard environment: `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`, `AWS_REGION` or
    /// `AWS_DEFAULT_REGION` (default `us-east-1`), and the credentials of ``S3Credentials/fromEnvironment(_:)``.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> S3Settings {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        return S3Settings(
            endpoint: value("AWS_ENDPOINT_URL_S3") ?? value("AWS_ENDPOINT_URL"),
            region: value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1",
            credentials: S3Credentials.fromEnvironment(environment))
    }

    /// The endpoint actually used.
    var endpointURL: String {
        var url = endpoint ?? "https://s3.\(region).amazonaws.com"
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// The addressing actually used.
    var effectiveAddressing: Addressing {
        if let addressing { return addressing }
        return isAWSEndpoint ? .virtualHosted : .path
    }

    var effectivePartSize: Int { min(max(partSize, Self.minimumPartSize), Self.maximumPartSize) }

    private var isAWSEndpoint: Bool {
        guard let host = URLComponents(string: endpointURL)?.host?.lowercased() else { return false }
        return host.hasSuffix(".amazonaws.com") || host.hasSuffix(".amazonaws.com.cn")
    }
}
