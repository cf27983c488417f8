/// The items of a layout one receiver is entitled to, as positions into the layout's items.
///
/// Computed once per receiver when contracts load; the codec projects records with it without re-parsing.
public struct Projection: Sendable, Hashable {
    public let layout: Layout
    /// Positions of the projected items in `layout.items`, ascending.
    public let itemIndices: [Int]

    /// The projection of `layout` to the items with these field keys (unknown keys are ignored; the loader has
    /// already reported them).
    public init(layout: Layout, keys: [String]) {
        self.layout = layout
        self.itemIndices = keys.compactMap { layout.index(of: $0) }.sorted()
    }

    /// The identity projection: every item.
    public init(all layout: Layout) {
        self.layout = layout
        self.itemIndices = Array(layout.items.indices)
    }

    /// The projected items, in layout order.
    public var items: [Item] { itemIndices.map { layout.items[$0] } }
}

extension ContractSet {
    /// What `receiver` of `linkage` gets; `nil` when either is unknown.
    public func projection(linkage: String, receiver: String) -> Projection? {
        guard let linkage = self.linkage(linkage), let entry = linkage.receiver(receiver),
            let layout = self.layout(linkage.layout)
        else { return nil }
        return Projection(layout: layout, keys: entry.items)
    }
}
