/// One change to what a system or an operator may receive, provide or read.
public struct EntitlementChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A system becomes a receiver of a linkage (a new linkage, or a new receiver entry).
        case receiverAdded = "receiver-added"
        /// A system is no longer a receiver of a linkage.
        case receiverRemoved = "receiver-removed"
        /// A receiver gets items it did not get before.
        case itemsGained = "items-gained"
        /// A receiver no longer gets some items.
        case itemsLost = "items-lost"
        /// A system becomes the provider of a linkage: it may now send records to the linkage's receivers.
        case providerAdded = "provider-added"
        /// A system is no longer the provider of a linkage.
        case providerRemoved = "provider-removed"
        /// An operator credential is added: it may read dead letters and the history.
        case operatorAdded = "operator-added"
        /// An operator credential is removed.
        case operatorRemoved = "operator-removed"
        /// A system moves into the `mynumber` zone: linkages may now give it 個人番号. Or an operator does: it may
        /// now be granted the scope that shows dead letters' 個人番号 and personal items unmasked.
        case zoneWidened = "zone-widened"
        /// A system or an operator leaves the `mynumber` zone.
        case zoneNarrowed = "zone-narrowed"

        /// Whether the change lets someone get, send or read more than before.
        public var grows: Bool {
            switch self {
            case .receiverAdded, .itemsGained, .providerAdded, .operatorAdded, .zoneWidened: true
            case .receiverRemoved, .itemsLost, .providerRemoved, .operatorRemoved, .zoneNarrowed: false
            }
        }
    }

    /// One item that changes hands, named as the contracts name it.
    public struct ChangedItem: Sendable, Hashable {
        public var name: String
        public var key: String
        public var sensitivity: Sensitivity

        public init(_ item: Item) {
            name = item.name
            key = item.key
            sensitivity = item.sensitivity
        }
    }

    public var kind: Kind
    /// The linkage, for receiver and provider changes.
    public var linkage: String?
    /// The system id, or the operator's client id.
    public var subject: String
    /// The system's or operator's name, from the new set when it is there.
    public var subjectName: String
    /// Whether the subject is an operator (operator added or removed, an operator's zone) rather than a system.
    public var subjectIsOperator = false
    /// The receiver's delivery method in the set where it receives (the new one for gains).
    public var delivery: Delivery?
    /// For receiver and item changes: the items that change hands (all the receiver's items for an added or
    /// removed receiver), in layout order.
    public var items: [ChangedItem]

    public init(
        kind: Kind, linkage: String? = nil, subject: String, subjectName: String, delivery: Delivery? = nil,
        items: [ChangedItem] = []
    ) {
        self.kind = kind
        self.linkage = linkage
        self.subject = subject
        self.subjectName = subjectName
        self.delivery = delivery
        self.items = items
    }

    public var grows: Bool { kind.grows }

    /// The most sensitive item among `items`; a zone change counts as 個人番号.
    public var sensitivity: Sensitivity {
        if kind == .zoneWidened || kind == .zoneNarrowed { return .mynumber }
        return items.map(\.sensitivity).max(by: { $0.rank < $1.rank }) ?? .none
    }

    /// Growing before shrinking; within each, 個人番号 first, then personal data, then the rest; then by linkage,
    /// subject and kind, so the order never depends on the files' order.
    static func reviewOrder(_ a: EntitlementChange, _ b: EntitlementChange) -> Bool {
        if a.grows != b.grows { return a.grows }
        if a.sensitivity != b.sensitivity { return a.sensitivity.rank > b.sensitivity.rank }
        if a.linkage != b.linkage { return (a.linkage ?? "") < (b.linkage ?? "") }
        if a.subject != b.subject { return a.subject < b.subject }
        return a.kind.rawValue < b.kind.rawValue
    }
}

extension Sensitivity {
    /// `none` < `personal` < `mynumber`.
    var rank: Int {
        switch self {
        case .none: 0
        case .personal: 1
        case .mynumber: 2
        }
    }
}
