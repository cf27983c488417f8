/// A loaded, fully validated set of contracts. Only `ContractLoader` makes one, and only when no error was found.
public struct ContractSet: Sendable {
    public private(set) var systems: [System]
    public private(set) var codeTables: [CodeTable]
    public private(set) var layouts: [Layout]
    public private(set) var linkages: [Linkage]
    /// Operator credentials (`operators:` in systems.yaml), for dead-letter and history operations.
    public private(set) var operators: [Operator]

    private var systemByID: [String: Int]
    private var layoutByReference: [LayoutReference: Int]
    private var linkageByID: [String: Int]

    public init(
        systems: [System], codeTables: [CodeTable], layouts: [Layout], linkages: [Linkage], operators: [Operator] = []
    ) {
        self.systems = systems
        self.operators = operators
        self.codeTables = codeTables
        self.layouts = layouts
        self.linkages = linkages
        self.systemByID = Dictionary(systems.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.layoutByReference = Dictionary(
            layouts.enumerated().map { ($1.reference, $0) }, uniquingKeysWith: { first, _ in first })
        self.linkageByID = Dictionary(
            linkages.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func system(_ id: String) -> System? { systemByID[id].map { systems[$0] } }
    public func layout(_ reference: LayoutReference) -> Layout? { layoutByReference[reference].map { layouts[$0] } }
    public func linkage(_ id: String) -> Linkage? { linkageByID[id].map { linkages[$0] } }
    /// The operator whose client id is `clientID`.
    public func `operator`(clientID: String) -> Operator? { operators.first { $0.clientID == clientID } }

    /// The newest version of the layout `id` (versions compared numerically part by part), or `layout(_:)` when `id`
    /// is written `id@version`.
    public func layout(named id: String) -> Layout? {
        if let reference = LayoutReference(parsing: id) { return layout(reference) }
        return layouts.filter { $0.id == id }.max { LayoutVersion.isOrderedBefore($0.version, $1.version) }
    }
}

enum LayoutVersion {
    /// Compares versions such as `1.2` and `1.10` part by part, numerically where both parts are numbers.
    static func isOrderedBefore(_ a: String, _ b: String) -> Bool {
        let left = a.split(separator: ".")
        let right = b.split(separator: ".")
        for (l, r) in zip(left, right) where l != r {
            if let ln = Int(l), let rn = Int(r) { return ln < rn }
            return l < r
        }
        return left.count < right.count
    }
}
