/// One change that moves no entitlement by itself: a linkage's trigger, a layout's item length, a code, a webhook
/// address. Values are the contracts' own text; secrets and their hashes never appear.
public struct ContractChange: Sendable, Hashable {
    public enum Category: String, Sendable, Hashable, CaseIterable {
        case linkage
        case layout
        case codeTable = "code-table"
        case system
        case `operator`
    }

    public var category: Category
    /// What changed: a linkage id, `layout@version`, a code table id, a system id or an operator's client id.
    public var subject: String
    /// Which part of it, e.g. `trigger`, `item 氏名 max-length`, `code 9`, `endpoints.webhook`; `nil` when the
    /// subject as a whole was added or removed.
    public var field: String?
    /// The value before, `nil` when added.
    public var old: String?
    /// The value after, `nil` when removed.
    public var new: String?

    public init(category: Category, subject: String, field: String? = nil, old: String?, new: String?) {
        self.category = category
        self.subject = subject
        self.field = field
        self.old = old
        self.new = new
    }
}
