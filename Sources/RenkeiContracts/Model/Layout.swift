/// A data requirement (データ要件): a versioned record type with its items in order.
public struct Layout: Sendable, Hashable {
    public var id: String
    public var version: String
    public var title: String
    public var items: [Item]
    private var indexByKey: [String: Int]
    private var indexByName: [String: Int]

    public init(id: String, version: String, title: String, items: [Item]) {
        self.id = id
        self.version = version
        self.title = title
        self.items = items
        var byKey: [String: Int] = [:]
        var byName: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            byKey[item.key] = byKey[item.key] ?? index
            byName[item.name] = byName[item.name] ?? index
        }
        self.indexByKey = byKey
        self.indexByName = byName
    }

    /// `id@version`, the way linkages name a layout.
    public var reference: LayoutReference { LayoutReference(id: id, version: version) }

    /// The position of the item with this field key or item name.
    public func index(of keyOrName: String) -> Int? { indexByKey[keyOrName] ?? indexByName[keyOrName] }

    /// The item with this field key or item name.
    public func item(_ keyOrName: String) -> Item? { index(of: keyOrName).map { items[$0] } }
}

/// A layout named by id and version, written `id@version`.
public struct LayoutReference: Sendable, Hashable, CustomStringConvertible {
    public var id: String
    public var version: String

    public init(id: String, version: String) {
        self.id = id
        self.version = version
    }

    /// Parses `id@version`; `nil` when either part is missing.
    public init?(parsing text: String) {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(id: String(parts[0]), version: String(parts[1]))
    }

    public var description: String { "\(id)@\(version)" }
}
