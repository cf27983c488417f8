import RenkeiCodec
import RenkeiContracts

/// The layout the codec fuzzers decode against: small, so random headers and objects often name its items, with one
/// item of every type and character rule the validators know.
public enum FuzzLayout {
    static let colors = CodeTable(
        id: "colors", title: "色", codes: [Code(value: "01", label: "赤"), Code(value: "02", label: "青")])

    public static let layout = Layout(
        id: "fuzz", version: "1", title: "試験",
        items: [
            Item(name: "番号", key: "id", type: .digits, maxLength: 5, required: true),
            Item(name: "文字", key: "text", type: .string, maxLength: 4),
            Item(name: "全角", key: "wide", type: .string, maxLength: 10, characterRule: .fullwidth),
            Item(name: "カナ", key: "kana", type: .string, maxLength: 10, characterRule: .fullwidthKatakana),
            Item(name: "半角", key: "narrow", type: .string, maxLength: 10, characterRule: .halfwidth),
            Item(name: "英数", key: "a", type: .string, maxLength: 10, characterRule: .ascii),
            Item(name: "整数", key: "n", type: .integer, maxLength: 3),
            Item(name: "小数", key: "d", type: .decimal(precision: 5, scale: 2)),
            Item(name: "日付", key: "day", type: .date, allowsUnknownDate: true),
            Item(name: "日時", key: "at", type: .datetime),
            Item(name: "色", key: "c", type: .code, maxLength: 2, codeTable: colors),
            Item(name: "真偽", key: "b", type: .boolean),
        ])

    public static let schema = RecordSchema(layout: layout)
}
