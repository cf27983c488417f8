public import Foundation

/// Whether the gateway instances of the cluster are in maintenance mode (readiness 503, data routes refused), who
/// switched it and when; kept under the key `maintenance` of ``BusTopics/sharedSettings``.
public struct MaintenanceMode: Sendable, Hashable, Codable {
    public var enabled: Bool
    /// The operator (client id) or instance (`instance:<name>` for `serve --maintenance`) that set it.
    public var setBy: String
    public var setAt: Date

    public init(enabled: Bool, setBy: String, setAt: Date = Date()) {
        self.enabled = enabled
        self.setBy = setBy
        self.setAt = setAt
    }

    /// Off, as a cluster starts.
    public static let off = MaintenanceMode(enabled: false, setBy: "", setAt: Date(timeIntervalSince1970: 0))

    static let key = "maintenance"

    func encoded() -> [UInt8] { SharedJSON.encode(self) }

    static func decode(_ bytes: [UInt8]) -> MaintenanceMode? { SharedJSON.decode(MaintenanceMode.self, from: bytes) }
}
