import Foundation
public import RenkeiContracts

/// How much of a dead letter's record an operator may see.
public enum DeadLetterAccess: String, Sendable {
    /// Items of sensitivity `personal` and `mynumber` are replaced by ``DeadLetterMasking/mask``; the rest shows.
    case masked
    /// Every item shows: only for operators of the `mynumber` zone holding the scope that allows it.
    case unmasked
}

/// Masks a dead letter's record item by item, from the sensitivities its linkage's layout declares.
///
/// A dead letter's value is a JSON object by item key (an ingest row as submitted, or a record as projected for a
/// receiver). Every version of the layout counts: an item is masked if any version marks it personal or 個人番号,
/// so a letter written under an older version is masked as strictly as under today's. An item the layout does not
/// know, or a letter whose linkage is gone, is masked whole; a value that is no JSON object is withheld.
public enum DeadLetterMasking {
    /// What a masked value reads as.
    public static let mask = "***"

    /// The record of `letter` as `access` allows, as JSON text.
    public static func value(of letter: DeadLetter, access: DeadLetterAccess, contracts: ContractSet) -> String {
        guard access == .masked else { return String(decoding: letter.value, as: UTF8.self) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(letter.value)) as? [String: Any] else {
            return JSONValue.object([("withheld", .string("\(letter.value.count) bytes that are no JSON object"))])
                .serialized()
        }
        let sensitivity = sensitivities(of: letter.linkage, in: contracts)
        let order =
            letter.linkage.flatMap { contracts.linkage($0) }.flatMap { contracts.layout($0.layout) }?.items
            .map(\.key) ?? []
        let keys = order.filter { object[$0] != nil } + object.keys.filter { !order.contains($0) }.sorted()
        let members = keys.map { key -> (String, JSONValue) in
            let shows = sensitivity[key] == Sensitivity.none
            return (key, shows ? json(object[key] as Any) : .string(mask))
        }
        return JSONValue.object(members).serialized()
    }

    /// The strictest sensitivity of each item key over every version of the linkage's layout.
    static func sensitivities(of linkage: String?, in contracts: ContractSet) -> [String: Sensitivity] {
        guard let linkage = linkage.flatMap({ contracts.linkage($0) }) else { return [:] }
        var result: [String: Sensitivity] = [:]
        for layout in contracts.layouts where layout.id == linkage.layout.id {
            for item in layout.items {
                let current = result[item.key] ?? Sensitivity.none
                result[item.key] = rank(item.sensitivity) > rank(current) ? item.sensitivity : current
            }
        }
        return result
    }

    private static func rank(_ sensitivity: Sensitivity) -> Int {
        switch sensitivity {
        case .none: 0
        case .personal: 1
        case .mynumber: 2
        }
    }

    private static func json(_ value: Any) -> JSONValue {
        switch value {
        case let text as String: .string(text)
        case let number as NSNumber: .string(number.stringValue)
        case is NSNull: .null
        default: .string(mask)
        }
    }
}
