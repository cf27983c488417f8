/// A code table (コード表) such as 性別 or 続柄: the values a `code` item may take.
public struct CodeTable: Sendable, Hashable {
    public var id: String
    public var title: String
    public var codes: [Code]
    private var values: Set<String>

    public init(id: String, title: String, codes: [Code]) {
        self.id = id
        self.title = title
        self.codes = codes
        self.values = Set(codes.map(\.value))
    }

    /// Whether `value` is one of the table's codes.
    public func contains(_ value: String) -> Bool { values.contains(value) }

    /// The label of `value`, if it is a code of the table.
    public func label(of value: String) -> String? { codes.first { $0.value == value }?.label }

    /// The longest code, in characters.
    public var maxCodeLength: Int { codes.map(\.value.count).max() ?? 0 }
}

/// One code of a code table.
public struct Code: Sendable, Hashable {
    public var value: String
    public var label: String

    public init(value: String, label: String) {
        self.value = value
        self.label = label
    }
}
