public import RenkeiContracts

/// The gateway's OAuth scopes of a linkage, in the national spec's form `${provider 業務ID}:${resource}:${operation}`
/// (the resource is the linkage id), in one place: the gateway grants and requires them, and the AsyncAPI documents
/// name them on each operation.
public enum AccessScope {
    /// The provider's: `<provider>:<linkage>:provide`.
    public static func provide(_ linkage: Linkage) -> String { "\(linkage.provider):\(linkage.id):provide" }
    /// A pull or push receiver's (its feed): `<provider>:<linkage>:read`.
    public static func read(_ linkage: Linkage) -> String { "\(linkage.provider):\(linkage.id):read" }
    /// An asker's of a query linkage: `<provider>:<linkage>:query`.
    public static func query(_ linkage: Linkage) -> String { "\(linkage.provider):\(linkage.id):query" }
    /// A file receiver's (its files' manifests, a file on demand): `<provider>:<linkage>:files`.
    public static func files(_ linkage: Linkage) -> String { "\(linkage.provider):\(linkage.id):files" }

    /// The scope `receiver` of `linkage` is granted; `nil` for delivery `kafka`, which does not go through the
    /// gateway.
    public static func receiving(_ linkage: Linkage, _ receiver: Receiver) -> String? {
        if linkage.mode == .query { return query(linkage) }
        switch receiver.delivery {
        case .pull, .push: return read(linkage)
        case .file: return files(linkage)
        case .kafka: return nil
        }
    }
}
