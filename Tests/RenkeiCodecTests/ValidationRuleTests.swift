import RenkeiCodec
import RenkeiContracts
import Testing

/// Every validation rule, each with a value that breaks only that rule. The types layout's CSV header is
/// `id,text,wide,kana,narrow,ascii,count,amount,day,strict_day,at,color,flag`.
@Suite struct ValidationRuleTests {
    static let header = "id,text,wide,kana,narrow,ascii,count,amount,day,strict_day,at,color,flag\n"

    /// One JSON line with `id` set and `field` set to `json` (a JSON value), decoded against the types layout.
    func reasons(_ field: String, _ json: String) -> [String] {
        let prefix = field == "id" ? "" : "\"id\":\"1\","
        return Fixtures.reasons(Fixtures.decodeJSONLines("{\(prefix)\"\(field)\":\(json)}\n"))
    }

    @Test func acceptsAValidRecordOfEveryType() {
        let line = """
            {"id":"00001","text":"山田","wide":"東京都","kana":"ヤマダ　タロウ","narrow":"ﾔﾏﾀﾞ a","ascii":"OP-1",\
            "count":-12,"amount":123.45,"day":"2024-02-29","strict_day":"2000-02-29",\
            "at":"2024-04-01T09:30:00.125+09:00","color":"02","flag":true}

            """
        let batch = Fixtures.decodeJSONLines(line)
        #expect(batch.count == 1)
        #expect(Fixtures.reasons(batch) == [])
    }

    @Test func rejectsMissingRequiredItem() {
        #expect(Fixtures.reasons(Fixtures.decodeJSONLines("{\"text\":\"a\"}\n")) == ["id: required"])
        #expect(Fixtures.reasons(Fixtures.decodeJSONLines("{\"id\":\"\"}\n")) == ["id: required"])
        #expect(Fixtures.reasons(Fixtures.decodeJSONLines("{\"id\":null}\n")) == ["id: required"])
        let (batch, _) = Fixtures.decodeCSV(Self.header + ",a,,,,,,,,,,,\n")
        #expect(Fixtures.reasons(batch) == ["id: required"])
    }

    @Test func acceptsAbsentOptionalItems() {
        #expect(reasons("text", "null") == [])
        #expect(reasons("text", "\"\"") == [])
    }

    @Test(arguments: [
        ("\"ab\"", [String]()), ("\"abcd\"", []), ("\"abcde\"", ["text: too-long"]),
        ("\"山田太郎\"", []), ("\"山田太郎様\"", ["text: too-long"]),
    ])
    func countsLengthInCharacters(json: String, expected: [String]) {
        #expect(reasons("text", json) == expected)
    }

    @Test func countsABaseCharacterWithItsVariationSelectorAsOne() {
        // 葛 + U+E0100 four times: 8 scalars, 4 characters — fits a maximum of 4.
        let ivs = String(repeating: "葛\u{E0100}", count: 4)
        #expect(reasons("text", "\"\(ivs)\"") == [])
        #expect(reasons("text", "\"\(ivs)葛\"") == ["text: too-long"])
        // A standardized variation selector (U+FE00) is not counted either.
        #expect(reasons("text", "\"辻\u{FE00}辻\u{FE00}辻辻\"") == [])
    }

    @Test func countsCharactersOutsideTheBMPAsOne() {
        #expect(reasons("text", "\"\u{20BB7}田太郎\"") == [])
    }

    @Test(arguments: ["\"12a\"", "\"１２\"", "\"-1\"", "\"1.0\""])
    func rejectsNonDigits(json: String) {
        #expect(reasons("id", json) == ["id: not-digits"])
    }

    @Test func rejectsDigitsLongerThanMaximum() {
        #expect(reasons("id", "\"123456\"") == ["id: too-long"])
    }

    @Test(arguments: [
        ("1", true), ("-45", true), ("0", true), ("007", false), ("1.5", false), ("+1", false),
        ("1e3", false), ("", true),
    ])
    func checksIntegers(value: String, valid: Bool) {
        let (batch, _) = Fixtures.decodeCSV(Self.header + "1,,,,,,\(value),,,,,,\n")
        #expect(Fixtures.reasons(batch) == (valid ? [] : ["count: not-integer"]))
    }

    @Test func rejectsIntegerWithTooManyDigits() {
        #expect(reasons("count", "1234") == ["count: too-long"])
    }

    @Test(arguments: [
        ("123.45", true), ("-0.5", true), ("999", true), ("1234", false), ("1.234", false),
        ("1.", false), (".5", false), ("1,5", false),
    ])
    func checksDecimalsAgainstPrecisionAndScale(value: String, valid: Bool) {
        #expect(reasons("amount", "\"\(value)\"") == (valid ? [] : ["amount: not-decimal"]))
    }

    @Test(arguments: [
        ("2024-02-29", true), ("2023-02-29", false), ("1900-02-29", false), ("2000-02-29", true),
        ("2024-04-31", false), ("2024-13-01", false), ("2024-00-10", false), ("2024-1-01", false),
        ("2024/01/01", false), ("0000-01-01", false), ("２０２４-01-01", false),
    ])
    func acceptsOnlyRealCalendarDates(value: String, valid: Bool) {
        #expect(reasons("strict_day", "\"\(value)\"") == (valid ? [] : ["strict_day: bad-date"]))
    }

    @Test func acceptsTheUnknownDateMarkerOnlyWhereTheItemAllowsIt() {
        #expect(reasons("day", "\"0000-00-00\"") == [])
        #expect(reasons("strict_day", "\"0000-00-00\"") == ["strict_day: bad-date"])
    }

    @Test(arguments: [
        ("2024-04-01T09:30:00", true), ("2024-04-01T09:30:00Z", true), ("2024-04-01T09:30:00+09:00", true),
        ("2024-04-01T09:30:00.5-03:30", true), ("2024-04-01 09:30:00", false), ("2024-04-01T24:00:00", false),
        ("2024-02-30T09:30:00", false), ("2024-04-01T09:30", false), ("2024-04-01T09:30:00+9:00", false),
        ("2024-04-01T09:30:00.Z", false),
    ])
    func checksDatetimes(value: String, valid: Bool) {
        #expect(reasons("at", "\"\(value)\"") == (valid ? [] : ["at: bad-datetime"]))
    }

    @Test(arguments: [("01", true), ("02", true), ("03", false), ("1", false), ("001", false), ("赤", false)])
    func checksCodeTableMembership(value: String, valid: Bool) {
        #expect(reasons("color", "\"\(value)\"") == (valid ? [] : ["color: unknown-code"]))
    }

    @Test func checksCodesOfTheSampleContracts() {
        let layout = Fixtures.residentLayout
        var values = Fixtures.generatedResidents(count: 1)[0]
        let sex = layout.index(of: "sex")!
        values[sex] = "9"
        let batch = Fixtures.batch([values])
        #expect(Fixtures.reasons(batch) == ["sex: unknown-code"])
    }

    @Test(arguments: [("true", true), ("false", true), ("\"true\"", true), ("1", false), ("\"yes\"", false)])
    func checksBooleans(json: String, valid: Bool) {
        let expected = valid ? [] : (json == "1" ? ["flag: wrong-type"] : ["flag: not-boolean"])
        #expect(reasons("flag", json) == expected)
    }

    @Test(arguments: [
        ("wide", "東京都", true), ("wide", "東京 都", false), ("wide", "ﾄｳｷｮｳ", false), ("wide", "東京都A", false),
        ("wide", "葛\u{E0100}飾", true),
        ("kana", "ヤマダ　タロウ", true), ("kana", "ヴァーノン", true), ("kana", "やまだ", false),
        ("kana", "山田", false), ("kana", "ﾔﾏﾀﾞ", false), ("kana", "ヤマダ タロウ", false),
        ("narrow", "ﾔﾏﾀﾞ a1", true), ("narrow", "ヤマダ", false), ("narrow", "ａ", false),
        ("ascii", "OP-001 x", true), ("ascii", "é", false), ("ascii", "ｱ", false), ("ascii", "A\u{FE00}", false),
    ])
    func enforcesCharacterRules(field: String, value: String, valid: Bool) {
        #expect(reasons(field, "\"\(value)\"") == (valid ? [] : ["\(field): char-rule"]))
    }

    @Test(arguments: ["a\\nb", "a\\tb", "a\\u0000b", "a\\u007fb", "a\\u0085b", "a\\rb"])
    func rejectsControlCharacters(escaped: String) {
        #expect(reasons("text", "\"\(escaped)\"") == ["text: control-char"])
    }

    @Test func rejectsControlCharactersInEveryItemType() {
        #expect(reasons("id", "\"12\\n\"") == ["id: control-char"])
        #expect(reasons("color", "\"0\\t\"") == ["color: control-char"])
    }

    @Test func rejectsMalformedUTF8() {
        var bytes = Array("{\"id\":\"1\",\"text\":\"a".utf8)
        bytes += [0xE3, 0x81]  // a truncated three-byte sequence
        bytes += Array("\"}\n".utf8)
        var decoder = JSONRecordDecoder(schema: Fixtures.types)
        let batch = decoder.decodeAll(bytes)
        #expect(Fixtures.reasons(batch) == ["text: bad-utf8"])
        var overlong = JSONRecordDecoder(schema: Fixtures.types)
        let second = overlong.decodeAll(Array("{\"id\":\"1\",\"text\":\"".utf8) + [0xC0, 0xAF] + Array("\"}\n".utf8))
        #expect(Fixtures.reasons(second) == ["text: bad-utf8"])
    }

    @Test func rejectsJSONValuesOfTheWrongType() {
        #expect(reasons("id", "12") == ["id: wrong-type"])
        #expect(reasons("text", "{\"a\":1}") == ["text: wrong-type"])
        #expect(reasons("text", "[1,2]") == ["text: wrong-type"])
        #expect(reasons("text", "true") == ["text: wrong-type"])
    }

    @Test func rejectsUnknownAndDuplicateItems() {
        #expect(reasons("nickname", "\"x\"") == ["unknown-item"])
        let batch = Fixtures.decodeJSONLines("{\"id\":\"1\",\"text\":\"a\",\"text\":\"b\"}\n")
        #expect(Fixtures.reasons(batch) == ["text: duplicate-item"])
        #expect(batch.value(record: 0, item: 1) == "a")
    }

    @Test func reportsOneErrorPerBrokenItemAndKeepsGoing() {
        let (batch, _) = Fixtures.decodeCSV(Self.header + "x,abcdef,,,,,,,2024-02-30,,,09,\n")
        #expect(
            Fixtures.reasons(batch) == ["id: not-digits", "text: too-long", "day: bad-date", "color: unknown-code"])
        #expect(batch.errors.allSatisfy { $0.record == 1 && $0.line == 2 })
    }

    @Test func errorMessagesNeverContainTheValue() {
        let secret = "秘密の値"
        let batch = Fixtures.decodeJSONLines("{\"id\":\"\(secret)\",\"wide\":\"\(secret)ｱ\"}\n")
        #expect(batch.errors.count == 2)
        for error in batch.errors {
            #expect(!error.description.contains(secret))
            #expect(!error.description(in: Fixtures.typesLayout).contains(secret))
        }
    }
}
