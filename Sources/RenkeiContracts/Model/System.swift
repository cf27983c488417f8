/// A registered participant of the bus: a standard-conforming system, a custom-measure system, or an external one.
public struct System: Sendable, Hashable {
    /// 業務ID (`001`) or 独自施策システム等ID.
    public var id: String
    public var name: String
    public var kind: SystemKind
    public var zone: Zone
    public var credentials: Credentials?
    public var endpoints: Endpoints

    public init(
        id: String, name: String, kind: SystemKind, zone: Zone, credentials: Credentials? = nil,
        endpoints: Endpoints = Endpoints()
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.zone = zone
        self.credentials = credentials
        self.endpoints = endpoints
    }
}

public enum SystemKind: String, Sendable, Hashable, CaseIterable {
    /// A standard-conforming system (標準準拠システム).
    case standard
    /// A custom-measure system (独自施策システム) the municipality built for its own policies.
    case custom
    /// A system outside the municipality's core business systems.
    case external
}

/// The network zone a system lives in.
public enum Zone: String, Sendable, Hashable, CaseIterable {
    /// マイナンバー利用事務系: may receive 個人番号.
    case mynumber
    /// Every other zone: never receives 個人番号.
    case general
}

/// How a system authenticates: its OAuth client id and the SHA-256 of its secret. The secret itself is never stored.
public struct Credentials: Sendable, Hashable {
    public var clientID: String
    /// Lowercase hex SHA-256 of the client secret.
    public var secretSHA256: String
    /// Lowercase hex SHA-256 of the secret the bus signs this system's webhook and query-endpoint calls with
    /// (Standard Webhooks, `whsec_…`); `nil` when the contracts do not pin it. The secret itself is never stored.
    public var signingSecretSHA256: String?
    /// Lowercase hex SHA-256 of the DER of the TLS client certificate the system must present (mTLS, RFC 8705):
    /// its tokens are issued only over a connection with that certificate and are bound to it. `nil`: no client
    /// certificate needed.
    public var clientCertificateSHA256: String?

    public init(
        clientID: String, secretSHA256: String, signingSecretSHA256: String? = nil,
        clientCertificateSHA256: String? = nil
    ) {
        self.clientID = clientID
        self.secretSHA256 = secretSHA256
        self.signingSecretSHA256 = signingSecretSHA256
        self.clientCertificateSHA256 = clientCertificateSHA256
    }
}

/// Where the bus reaches a system, for the delivery methods that need it.
public struct Endpoints: Sendable, Hashable {
    /// Push deliveries are POSTed here.
    public var webhook: String?
    /// Queries (照会) addressed to this system as provider are sent here.
    public var query: String?
    /// File deliveries are written under this location: `file:///folder`, `file:folder` (relative to the bus's
    /// data directory) or `s3://bucket/prefix`.
    public var storage: String?
    /// As a provider, the system drops CSV files here (`<inbox>/<linkage>/<name>.csv`) to be ingested as bulk
    /// transfers; the same forms as ``storage``.
    public var inbox: String?
    /// The encoding of the CSV files dropped into ``inbox`` (`inbox-encoding`, UTF-8 when not given), e.g. CP932
    /// for an older system's exports.
    public var inboxEncoding: TextEncoding

    public init(
        webhook: String? = nil, query: String? = nil, storage: String? = nil, inbox: String? = nil,
        inboxEncoding: TextEncoding = .utf8
    ) {
        self.webhook = webhook
        self.query = query
        self.storage = storage
        self.inbox = inbox
        self.inboxEncoding = inboxEncoding
    }
}
