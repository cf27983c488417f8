/// The stable code of a diagnostic. Codes never change meaning; tools and runbooks may match on them.
/// docs/contracts.md lists every code with an example.
public struct DiagnosticCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    // Reading files
    /// A file or folder the contract set needs is not there.
    public static let missingFile = Self(rawValue: "missing-file")
    /// A file could not be read, or is not UTF-8.
    public static let unreadableFile = Self(rawValue: "unreadable-file")
    /// A file is not valid YAML.
    public static let malformedYAML = Self(rawValue: "malformed-yaml")

    // Shape of one definition
    /// A field every definition of this kind needs is absent.
    public static let missingField = Self(rawValue: "missing-field")
    /// A field name the contract format does not know (often a typo).
    public static let unknownField = Self(rawValue: "unknown-field")
    /// A list where a mapping belongs, a mapping where a text belongs, and so on.
    public static let wrongShape = Self(rawValue: "wrong-shape")
    /// A value outside what the field allows (an unknown delivery method, a negative length, …).
    public static let invalidValue = Self(rawValue: "invalid-value")
    /// Two definitions share an id (or two items a name or key, or two codes a value).
    public static let duplicateID = Self(rawValue: "duplicate-id")

    // References
    public static let unknownSystem = Self(rawValue: "unknown-system")
    public static let unknownLayout = Self(rawValue: "unknown-layout")
    public static let unknownLayoutVersion = Self(rawValue: "unknown-layout-version")
    public static let unknownItem = Self(rawValue: "unknown-item")
    public static let unknownCodeTable = Self(rawValue: "unknown-code-table")

    // Meaning
    /// An item of type `code` has no code table, or an item of another type names one.
    public static let codeTableMismatch = Self(rawValue: "code-table-mismatch")
    /// A character rule on an item whose type already fixes its characters.
    public static let characterRuleContradictsType = Self(rawValue: "char-rule-contradicts-type")
    /// A length that the type cannot have: missing where needed, given where the type fixes it, or too short
    /// for the item's codes.
    public static let lengthMismatch = Self(rawValue: "length-mismatch")
    /// The key item of a linkage is not a required item.
    public static let keyNotRequired = Self(rawValue: "key-not-required")
    /// The key item of a linkage is 個人番号: the key travels with every record to every receiver.
    public static let mynumberKey = Self(rawValue: "mynumber-key")
    /// A receiver does not receive the key item, yet the key travels with every record.
    public static let keyNotProjected = Self(rawValue: "key-not-projected")
    /// A receiver is the linkage's own provider.
    public static let receiverIsProvider = Self(rawValue: "receiver-is-provider")
    /// An item of sensitivity `mynumber` would reach a system outside the `mynumber` zone.
    public static let mynumberOutsideZone = Self(rawValue: "mynumber-outside-zone")
    /// A delivery method needs an endpoint the receiving system does not declare.
    public static let missingEndpoint = Self(rawValue: "missing-endpoint")
    /// Mode and trigger that cannot go together (a query on each event).
    public static let triggerContradictsMode = Self(rawValue: "trigger-contradicts-mode")
    /// A linkage with no receivers.
    public static let noReceivers = Self(rawValue: "no-receivers")
}
