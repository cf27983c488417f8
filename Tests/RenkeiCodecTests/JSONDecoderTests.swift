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

@Suite struct JSONFastPathTests {
    /// Compact lines take the fast path; the same lines with spaces, escapes or reordered keys take the general
    /// parser. Both must agree on values and errors.
    @Test func fastAndGeneralPathsAgree() {
        let rows = Fixtures.generatedResidents(count: 400, seed: 3)
        var batch = Fixtures.batch(rows)
        // Some invalid values too, so errors are compared as well.
        var broken = rows[0]
        broken[0] = "12a"
        broken[12] = "7"
        batch.append(values: broken)
        let compact = String(decoding: Fixtures.jsonLines(batch), as: UTF8.self)
        let spaced = compact.replacingOccurrences(of: "\":\"", with: "\" : \"")
            .replacingOccurrences(of: ",\"", with: ", \"")
        let fast = Fixtures.decodeJSONLines(compact, schema: Fixtures.resident)
        let general = Fixtures.decodeJSONLines(spaced, schema: Fixtures.resident)
        #expect(Fixtures.values(fast) == rows + [broken])
        #expect(Fixtures.values(general) == Fixtures.values(fast))
        #expect(general.errors == fast.errors)
        #expect(fast.errors.map(\.reason) == [.notDigits, .unknownCode])
    }

    @Test func fastPathFallsBackOnDuplicateOrUnknownKeysAndTrailingText() {
        let schema = Fixtures.types
        let cases: [(String, [String])] = [
            ("{\"id\":\"1\",\"text\":\"a\",\"text\":\"b\"}", ["text: duplicate-item"]),
            ("{\"id\":\"1\",\"zzz\":\"a\"}", ["unknown-item"]),
            ("{\"id\":\"1\"}x", ["malformed-json"]),
            ("{\"id\":\"1\",\"count\":12,\"flag\":false}\r", []),
            ("{\"id\":\"1\",\"count\":\"12\",\"flag\":\"false\"}", []),
            ("{\"id\":\"1\",\"text\":12}", ["text: wrong-type"]),
        ]
        for (line, expected) in cases {
            #expect(Fixtures.reasons(Fixtures.decodeJSONLines(line + "\n", schema: schema)) == expected, "\(line)")
        }
    }
}

@Suite struct JSONLimitTests {
    @Test func skipsALineLargerThanTheLimitAndResumes() {
        var decoder = JSONRecordDecoder(schema: Fixtures.types, maxRecordBytes: 64)
        let text =
            "{\"id\":\"1\"}\n{\"id\":\"2\",\"text\":\"" + String(repeating: "x", count: 300) + "\"}\n{\"id\":\"3\"}\n"
        var reasons: [ErrorReason] = []
        var ids: [String?] = []
        let bytes = Array(text.utf8)
        for start in stride(from: 0, to: bytes.count, by: 20) {
            bytes[start..<min(start + 20, bytes.count)].withUnsafeBytes { chunk in
                decoder.decode(chunk) { batch in
                    reasons += batch.errors.map(\.reason)
                    ids += (0..<batch.count).map { batch.value(record: $0, item: 0) }
                }
            }
        }
        decoder.finish { batch in ids += (0..<batch.count).map { batch.value(record: $0, item: 0) } }
        #expect(reasons == [.recordTooLarge])
        #expect(ids == ["1", nil, "3"])
    }
}
