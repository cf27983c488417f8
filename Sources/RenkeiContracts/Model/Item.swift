/// One item (データ項目) of a layout, in the order the layout lists it.
public struct Item: Sendable, Hashable {
    /// The item name as in the national basic data list, e.g. `宛名番号`.
    public var name: String
    /// The ASCII field key used in JSON and accepted in CSV headers, e.g. `atena_no`.
    public var key: String
    public var type: ItemType
    /// Maximum length (桁数) in characters as the standard counts them; `nil` when the type fixes it.
    public var maxLength: Int?
    public var required: Bool
    /// The code table the value must belong to (type `code` only).
    public var codeTable: CodeTable?
    public var characterRule: CharacterRule
    public var sensitivity: Sensitivity
    /// Whether a date item accepts the "unknown" marker (不詳) instead of a calendar date.
    public var allowsUnknownDate: Bool

    public init(
        name: String, key: String, type: ItemType, maxLength: Int? = nil, required: Bool = false,
        codeTable: CodeTable? = nil, characterRule: CharacterRule = .any, sensitivity: Sensitivity = .none,
        allowsUnknownDate: Bool = false
    ) {
        self.name = name
        self.key = key
        self.type = type
        self.maxLength = maxLength
        self.required = required
        self.codeTable = codeTable
        self.characterRule = characterRule
        self.sensitivity = sensitivity
        self.allowsUnknownDate = allowsUnknownDate
    }
}

/// The value type of an item.
public enum ItemType: Sendable, Hashable, CustomStringConvertible {
    /// Free text, checked against the item's character rule.
    case string
    /// A string of ASCII digits `0-9`; leading zeros are significant (宛名番号, 郵便番号).
    case digits
    /// An optionally signed whole number.
    case integer
    /// A decimal number with at most `precision` digits, `scale` of them after the point.
    case decimal(precision: Int, scale: Int)
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// A date and time, RFC 3339 (`YYYY-MM-DDThh:mm:ss` with an optional fraction and offset).
    case datetime
    /// A value from the item's code table.
    case code
    /// `true` or `false`.
    case boolean

    public var description: String {
        switch self {
        case .string: "string"
        case .digits: "digits"
        case .integer: "integer"
        case .decimal(let p, let s): "decimal(\(p),\(s))"
        case .date: "date"
        case .datetime: "datetime"
        case .code: "code"
        case .boolean: "boolean"
        }
    }

    /// Whether values of this type are text whose characters a character rule constrains.
    public var isText: Bool { self == .string }
}

/// Which characters a string item may hold (文字要件).
public enum CharacterRule: String, Sendable, Hashable, CaseIterable {
    /// Any character of the character requirements; control characters are never allowed.
    case any
    /// Full-width (全角) characters only.
    case fullwidth
    /// Full-width katakana (全角カタカナ), the long-vowel mark and the full-width space.
    case fullwidthKatakana = "fullwidth-katakana"
    /// Half-width (半角) characters: ASCII printable and half-width katakana.
    case halfwidth
    /// Printable ASCII only.
    case ascii
}

/// How sensitive an item is; decides who may receive it.
public enum Sensitivity: String, Sendable, Hashable, CaseIterable {
    case none
    /// Personal data: never logged.
    case personal
    /// 個人番号: only systems in the `mynumber` zone may receive it.
    case mynumber
}
