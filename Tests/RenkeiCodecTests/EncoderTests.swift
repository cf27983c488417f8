import Foundation
import RenkeiCodec
import RenkeiContracts
import Testing

@Suite struct EncoderTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func jsonEscapesQuotesBackslashesAndControlCharacters() {
        let batch = Fixtures.batch(
            [["1", "a\"b\\c\n\u{1}\t", nil, nil, nil, nil, "-5", "1.50", nil, nil, nil, nil, "false"]],
            schema: Fixtures.types)
        let json = text(JSONRecordEncoder(layout: Fixtures.typesLayout).encode(batch, record: 0))
        #expect(json == #"{"id":"1","text":"a\"b\\c\n\u0001\t","count":-5,"amount":1.50,"flag":false}"#)
    }

    @Test func jsonWritesAnInvalidNumberAsAString() {
        let batch = Fixtures.batch(
            [["1", nil, nil, nil, nil, nil, "12a", nil, nil, nil, nil, nil, "yes"]], schema: Fixtures.types)
        let json = text(JSONRecordEncoder(layout: Fixtures.typesLayout).encode(batch, record: 0))
        #expect(json == #"{"id":"1","count":"12a","flag":"yes"}"#)
    }

    @Test func projectionWritesOnlyEntitledItemsInLayoutOrder() throws {
        let rows = Fixtures.generatedResidents(count: 3)
        let batch = Fixtures.batch(rows)
        let projection = Projection(layout: Fixtures.residentLayout, keys: ["name", "atena_number", "my_number_x"])
        let json = text(JSONRecordEncoder(projection: projection, lineTerminated: true).encode(batch, record: 1))
        let name = try #require(rows[1][7])
        let atena = try #require(rows[1][0])
        #expect(json == "{\"atena_number\":\"\(atena)\",\"name\":\"\(name)\"}\n")
        let writer = ByteWriter()
        let csv = CSVRecordEncoder(projection: projection, headerStyle: .keys, lineEnding: .lf)
        csv.encodeHeader(into: writer)
        csv.encode(batch, record: 1, into: writer)
        #expect(text(writer.bytes) == "atena_number,name\n\(atena),\(name)\n")
    }

    @Test func projectionOfTheSampleLinkageLeavesOutMyNumber() throws {
        let contracts = Fixtures.contracts
        let linkage = try #require(contracts.linkages.first { $0.receivers.count > 0 })
        let receiver = try #require(linkage.receivers.first)
        let projection = try #require(contracts.projection(linkage: linkage.id, receiver: receiver.system))
        let batch = Fixtures.batch(Fixtures.generatedResidents(count: 20))
        let encoder = JSONRecordEncoder(projection: projection)
        let allowed = Set(projection.items.map(\.key))
        for record in 0..<batch.count {
            let json = text(encoder.encode(batch, record: record))
            for item in Fixtures.residentLayout.items where !allowed.contains(item.key) {
                #expect(!json.contains("\"\(item.key)\":"))
            }
        }
    }

    @Test func csvQuotesOnlyWhenNeeded() {
        let batch = Fixtures.batch(
            [
                ["1", "a,b", nil, nil, nil, "x\"y", nil, nil, nil, nil, nil, nil, nil],
                ["2", "plain", nil, nil, nil, "l\nm", nil, nil, nil, nil, nil, nil, nil],
            ], schema: Fixtures.types)
        let encoder = CSVRecordEncoder(layout: Fixtures.typesLayout)
        let writer = ByteWriter()
        encoder.encodeHeader(into: writer)
        encoder.encode(batch, record: 0, into: writer)
        encoder.encode(batch, record: 1, into: writer)
        #expect(
            text(writer.bytes)
                == "番号,文字,全角,カナ,半角,英数,整数,小数,日付,厳密日付,日時,色,真偽\r\n"
                + "1,\"a,b\",,,,\"x\"\"y\",,,,,,,\r\n2,plain,,,,\"l\nm\",,,,,,,\r\n")
    }

    @Test func jsonStringsOfEveryLengthWithASpecialAnywhereReadBackEqual() throws {
        let layout = Layout(
            id: "one", version: "1", title: "一",
            items: [Item(name: "文", key: "t", type: .string), Item(name: "後", key: "u", type: .string)])
        let schema = RecordSchema(layout: layout)
        let encoder = JSONRecordEncoder(layout: layout)
        for length in 0..<40 {
            for special in ["", "\"", "\\", "\n", "\u{1}", "あ"] {
                for position in stride(from: 0, through: length, by: 7) {
                    var value = String(repeating: "x", count: length)
                    value.insert(contentsOf: special, at: value.index(value.startIndex, offsetBy: position))
                    var batch = RecordBatch(schema: schema)
                    batch.append(values: [value, "end"])
                    let bytes = encoder.encode(batch, record: 0)
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: String])
                    #expect(object == (value.isEmpty ? ["u": "end"] : ["t": value, "u": "end"]))
                }
            }
        }
    }

    @Test func writerGrowsAndClears() {
        let writer = ByteWriter(capacity: 16)
        for _ in 0..<100 { writer.writeString("あいう") }
        #expect(writer.count == 900)
        #expect(writer.capacity >= 900)
        writer.clear()
        #expect(writer.count == 0)
        #expect(writer.bytes == [])
    }
}
