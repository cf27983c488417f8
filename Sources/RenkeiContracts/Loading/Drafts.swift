/// Stage 2's input: definitions as written, each field with its position, before cross-references are checked.
struct SystemDraft {
    var id: Located<String>
    var name: String
    var kind: SystemKind
    var zone: Zone
    var credentials: Credentials?
    var clientIDLocation: SourceLocation?
    var endpoints: Endpoints
    var location: SourceLocation
}

struct OperatorDraft {
    var clientID: Located<String>
    var name: String
    var secretSHA256: String
    var zone: Zone
}

struct CodeTableDraft {
    var id: Located<String>
    var table: CodeTable
}

struct ItemDraft {
    var name: Located<String>
    var key: Located<String>
    var type: Located<ItemType>
    var maxLength: Located<Int>?
    var required: Bool
    var codeTable: Located<String>?
    var characterRule: Located<CharacterRule>?
    var sensitivity: Sensitivity
    var allowsUnknownDate: Located<Bool>?
    var location: SourceLocation
}

struct LayoutDraft {
    var id: Located<String>
    var version: Located<String>
    var title: String
    var items: [ItemDraft]
    var location: SourceLocation
}

struct ReceiverDraft {
    var system: Located<String>
    /// `nil` means `items: all`.
    var items: [Located<String>]?
    var delivery: Located<Delivery>
    var purpose: String
    var fileMode: Located<FileMode>?
    var location: SourceLocation
}

struct LinkageDraft {
    var id: Located<String>
    var title: String
    var mode: Located<LinkageMode>
    var trigger: Located<Trigger>
    var provider: Located<String>
    var layout: Located<String>
    var keyItem: Located<String>
    var receivers: [ReceiverDraft]
    var failurePolicy: FailurePolicy
    var schedule: Located<DailySchedule>?
    var location: SourceLocation
}

/// Every definition found in the sources, as written.
struct ContractDrafts {
    var systems: [SystemDraft] = []
    var operators: [OperatorDraft] = []
    var codeTables: [CodeTableDraft] = []
    var layouts: [LayoutDraft] = []
    var linkages: [LinkageDraft] = []
}
