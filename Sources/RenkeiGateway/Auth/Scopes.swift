import RenkeiBus
import RenkeiContracts

/// The scopes each client may be granted, derived from the contracts (deny by default), in the national spec's
/// form `${provider 業務ID}:${resource}:${operation}` (the names are ``AccessScope``'s): the resource is the linkage id.
///
/// - a linkage's provider: `<provider>:<linkage>:provide`;
/// - a receiver with pull or push delivery: `<provider>:<linkage>:read` (its feed);
/// - a receiver with file delivery: `<provider>:<linkage>:files` (its files' manifests, a file on demand);
/// - a receiver of a query linkage: `<provider>:<linkage>:query`;
/// - operators: `030:dead-letters:read`, `030:dead-letters:replay`, `030:history:read`, `030:gateway:manage`
///   (030 is the 業務ID of 庁内データ連携 itself); operators of the `mynumber` zone also
///   `030:dead-letters:read-personal` (dead letters' personal items and 個人番号 unmasked).
struct Scopes: Sendable {
    static func provide(_ linkage: Linkage) -> String { AccessScope.provide(linkage) }
    static func read(_ linkage: Linkage) -> String { AccessScope.read(linkage) }
    static func query(_ linkage: Linkage) -> String { AccessScope.query(linkage) }
    static func files(_ linkage: Linkage) -> String { AccessScope.files(linkage) }
    static let deadLettersRead = "030:dead-letters:read"
    static let deadLettersReplay = "030:dead-letters:replay"
    static let historyRead = "030:history:read"
    static let gatewayManage = "030:gateway:manage"
    static let deadLettersReadPersonal = "030:dead-letters:read-personal"
    static let operatorScopes: Set<String> = [deadLettersRead, deadLettersReplay, historyRead, gatewayManage]

    private let bySystem: [String: Set<String>]
    /// The client ids of operators declared in the `mynumber` zone.
    private let myNumberOperators: Set<String>

    init(contracts: ContractSet) {
        var scopes: [String: Set<String>] = [:]
        for linkage in contracts.linkages {
            if linkage.mode == .provide { scopes[linkage.provider, default: []].insert(Self.provide(linkage)) }
            for receiver in linkage.receivers {
                if let scope = AccessScope.receiving(linkage, receiver) {
                    scopes[receiver.system, default: []].insert(scope)
                }
            }
        }
        self.bySystem = scopes
        self.myNumberOperators = Set(contracts.operators.filter { $0.zone == .mynumber }.map(\.clientID))
    }

    /// Every scope `principal` may be granted.
    func allowed(for principal: Principal) -> Set<String> {
        switch principal.role {
        case .system(let id): bySystem[id] ?? []
        case .operator:
            myNumberOperators.contains(principal.clientID)
                ? Self.operatorScopes.union([Self.deadLettersReadPersonal]) : Self.operatorScopes
        }
    }
}

/// Who a client is: a system (by 業務ID or 独自施策システム等ID) or an operator.
struct Principal: Sendable, Hashable {
    enum Role: Sendable, Hashable {
        case system(String)
        case `operator`
    }

    var clientID: String
    var role: Role

    var systemID: String? {
        if case .system(let id) = role { return id }
        return nil
    }
}
