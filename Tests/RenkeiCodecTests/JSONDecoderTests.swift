import RenkeiCodec
import RenkeiContracts
import Testing

@Suite struct JSONDecoderTests {
    @Test func decodesKeysInAnyOrderWithWhitespaceAndEscapes() {
        let line = " { \"text\" : \"a\\\"b\\\\c\\u00e9\\ud842\\udfb7\" , \"id\":\"12\", \"count\": 5 }\r\n"
        let batch = Fixtures.decodeJSONLines(line)
        #expect(batch.count == 1)
        #expect(batch.value(record: 0, item: 1) == "a\"b\\cé\u{20BB7}")
        #expect(batch.value(record: 0, item: 0) == "12")
        #expect(batch.value(record: 0, item: 6) == "5")
        #expect(Fixtures.reasons(batch) == ["text: too-long"])
    }

    @Test func reportsAMalformedLineAndResumesAtTheNext() {
        let text = "{\"id\":\"1\"}\n{\"id\":\"2\",}\n{\"id\":\"3\"\n{\"id\":\"4\"} x\n\n{\"id\":\"5\"}\n"
        let batch = Fixtures.decodeJSONLines(text)
        #expect(batch.count == 5)
        #expect(batch.errors.map(\.reason) == [.malformedJSON, .malformedJSON, .malformedJSON])
        #expect(batch.errors.map(\.line) == [2, 3, 4])
        #expect(batch.errors.map(\.record) == [2, 3, 4])
        #expect(batch.value(record: 4, item: 0) == "5")
        #expect(batch.line(4) == 6)
    }

    @Test(arguments: [
        "{\"id\":\"1\\x\"}", "{\"id\":\"1\\ud800\"}", "{\"id\":tru}", "{\"id\":\"1\"", "[\"id\"]", "\"s\"",
    ])
    func rejectsBrokenJSON(line: String) {
        #expect(Fixtures.reasons(Fixtures.decodeJSONLines(line + "\n")) == ["malformed-json"])
    }

    @Test func rejectsRawControlCharacterInsideAString() {
        #expect(Fixtures.reasons(Fixtures.decodeJSONLines("{\"id\":\"1\",\"text\":\"a\tb\"}\n")) == ["malformed-json"])
    }

    @Test func decodesADocumentThatIsAnArrayOrAnObject() {
        let array = "[\n {\"id\":\"1\"},\n {\"id\":\"2\",\"text\":\"b\"}\n]"
        let batch = Array(array.utf8).withUnsafeBytes { JSONRecordDecoder.decodeDocument($0, schema: Fixtures.types) }
        #expect(batch.count == 2)
        #expect(batch.value(record: 1, item: 1) == "b")
        #expect(batch.errors == [])
        let object = Array("{\"id\":\"9\"}".utf8).withUnsafeBytes {
            JSONRecordDecoder.decodeDocument($0, schema: Fixtures.types)
        }
        #expect(object.count == 1)
        let broken = Array("[{\"id\":\"1\"} {\"id\":\"2\"}]".utf8).withUnsafeBytes {
            JSONRecordDecoder.decodeDocument($0, schema: Fixtures.types)
        }
        #expect(broken.errors.map(\.reason) == [.malformedJSON])
        let empty = Array(" [ ] ".utf8).withUnsafeBytes { JSONRecordDecoder.decodeDocument($0, schema: Fixtures.types) }
        #expect(empty.count == 0)
    }
}
