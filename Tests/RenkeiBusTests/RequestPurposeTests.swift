import RenkeiBus
import Testing

/// A request's purpose: Japanese free text up to 256 bytes of UTF-8, no control characters, percent-encoded in HTTP.
@Suite struct RequestPurposeTests {
    @Test func acceptsJapaneseUpTo256BytesOfUTF8() throws {
        // 85 three-byte characters and one ASCII letter: 256 bytes.
        let longest = String(repeating: "転", count: 85) + "a"
        #expect(try RequestPurpose(longest).text == longest)
        #expect(try RequestPurpose("転入届 受付番号2026-0412").text == "転入届 受付番号2026-0412")
        #expect {
            try RequestPurpose(longest + "b")
        } throws: { error in
            let refused = error as? RequestPurposeError
            return refused?.code == .tooLong
                && refused?.description == "The purpose has 257 bytes of UTF-8; at most 256 are allowed."
        }
    }

    /// By code point, so that the test's name prints.
    @Test(arguments: [0x09, 0x0A, 0x0D, 0x00, 0x7F, 0x85, 0x9F] as [UInt32])
    func refusesControlCharacters(control: UInt32) {
        #expect {
            try RequestPurpose("転入" + String(Character(Unicode.Scalar(control)!)) + "届")
        } throws: { error in
            let refused = error as? RequestPurposeError
            return refused?.code == .controlCharacter && refused?.reason.contains("at character 3") == true
        }
    }

    @Test func refusesAnEmptyPurpose() {
        #expect(throws: RequestPurposeError.self) { try RequestPurpose("") }
        #expect(throws: RequestPurposeError.self) { try RequestPurpose(httpHeader: "") }
    }

    @Test func readsPercentEncodedUTF8FromAnHTTPHeader() throws {
        let purpose = try RequestPurpose(httpHeader: "%E8%BB%A2%E5%85%A5%E5%B1%8A case 2026-0412 100%25")
        #expect(purpose.text == "転入届 case 2026-0412 100%")
        #expect(purpose.httpHeaderValue == "%E8%BB%A2%E5%85%A5%E5%B1%8A%20case%202026-0412%20100%25")
        #expect(try RequestPurpose(httpHeader: purpose.httpHeaderValue) == purpose)
    }

    @Test(arguments: [
        ("%E8%BB", RequestPurposeError.Code.malformedEscape),  // a character cut short: not UTF-8
        ("%ZZ", .malformedEscape), ("100%", .malformedEscape), ("%FF%FE", .malformedEscape),
        ("転入", .notPercentEncoded), ("a\tb", .notPercentEncoded), ("%0A", .controlCharacter),
        (String(repeating: "%E8%BB%A2", count: 86), .tooLong),
    ])
    func refusesHeaderValuesItCannotRead(value: String, code: RequestPurposeError.Code) {
        #expect {
            try RequestPurpose(httpHeader: value)
        } throws: { error in
            (error as? RequestPurposeError)?.code == code
        }
    }

    @Test func neverDescribesItsText() throws {
        let purpose = try RequestPurpose("山田太郎さんの転入")
        #expect("\(purpose)" == "RequestPurpose(27 bytes)")
        #expect {
            try RequestPurpose("山田太郎\n")
        } throws: { error in
            !"\(error)".contains("山田")
        }
    }
}
