import Foundation
import RenkeiBus

/// A page of history answers as `/operations/history` returns it: each entry as the topic holds it (so its hash
/// can be checked), with its offset, plus where to continue and how far the index is behind the topic.
struct HistoryPageDocument: Encodable {
    struct Item: Encodable {
        let item: HistoryPage.Item

        enum Extra: String, CodingKey {
            case offset, foundInKeyList, keyListProblem
        }

        func encode(to encoder: any Encoder) throws {
            try item.entry.encode(to: encoder)
            var extra = encoder.container(keyedBy: Extra.self)
            try extra.encode(item.offset, forKey: .offset)
            try extra.encode(item.foundInKeyList, forKey: .foundInKeyList)
            try extra.encodeIfPresent(item.keyListProblem, forKey: .keyListProblem)
        }
    }

    let entries: [Item]
    let next: String?
    let indexedThrough: Int64
    let behind: Int64?

    init(_ page: HistoryPage) {
        entries = page.items.map(Item.init)
        next = page.next?.text
        indexedThrough = page.indexedThrough
        behind = page.behind
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    enum CodingKeys: String, CodingKey {
        case entries, next, indexedThrough, behind
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entries, forKey: .entries)
        try container.encode(next, forKey: .next)
        try container.encode(indexedThrough, forKey: .indexedThrough)
        try container.encode(behind, forKey: .behind)
    }
}
