public import Foundation

/// Where a bulk transfer stands, as every gateway instance answers `GET /transfers/{id}`: written to
/// ``BusTopics/sharedTransfers`` by the instance that takes the upload, when it starts, while it streams (at most
/// about once a second) and when it ends.
public struct TransferStatus: Sendable, Hashable, Codable {
    /// What became of the transfer.
    public enum State: String, Sendable, Hashable, Codable {
        /// Records are still arriving.
        case streaming
        /// Committed: receivers reach it through its manifests.
        case committed
        /// Refused or cut off; receivers never see any of it.
        case failed
    }

    /// One receiver's manifest, summarized.
    public struct Manifest: Sendable, Hashable, Codable {
        public var records: Int
        public var chunkListSHA256: String
        public var chunks: Int
        public var layout: String
        public var contentType: String

        public init(_ manifest: TransferManifest) {
            records = manifest.records
            chunkListSHA256 = manifest.chunkListSHA256
            chunks = manifest.chunks.count
            layout = manifest.layout
            contentType = manifest.contentType
        }
    }

    public var id: String
    public var linkage: String
    /// The client that sent it.
    public var provider: String
    public var state: State
    /// The gateway instance that took the upload.
    public var instance: String
    public var records = 0
    public var invalid = 0
    public var bytes = 0
    public var accepted = 0
    public var quarantined = 0
    public var startedAt: Date
    /// When the instance last wrote this status.
    public var updatedAt: Date
    public var finishedAt: Date?
    /// Why it failed: a problem code such as `invalid-records`, or `interrupted` when its instance stopped.
    public var problem: String?
    /// Each receiver's manifest, once committed.
    public var manifests: [String: Manifest] = [:]

    public init(id: String, linkage: String, provider: String, instance: String, startedAt: Date = Date()) {
        self.id = id
        self.linkage = linkage
        self.provider = provider
        self.state = .streaming
        self.instance = instance
        self.startedAt = startedAt
        self.updatedAt = startedAt
    }

    /// How often the instance taking a transfer writes its status while it streams, even when no bytes arrive.
    public static let heartbeat: Duration = .seconds(10)
    /// How long a `streaming` status may go unwritten before its instance is taken for dead.
    public static let staleAfter: TimeInterval = 60
    /// How long a status is kept (the topic's retention).
    public static let keptSeconds: TimeInterval = 7 * 86_400

    func encoded() -> [UInt8] { SharedJSON.encode(self) }

    static func decode(_ bytes: [UInt8]) -> TransferStatus? { SharedJSON.decode(TransferStatus.self, from: bytes) }
}
