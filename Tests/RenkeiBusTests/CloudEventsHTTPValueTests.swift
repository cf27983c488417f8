import Testing

@testable import RenkeiBus

@Suite struct CloudEventsHTTPValueTests {
    @Test(arguments: [
        ("jp.renkei.provided", "jp.renkei.provided"),
        ("介護", "%E4%BB%8B%E8%AD%B7"),
        ("a b\"c%d", "a%20b%22c%25d"),
        ("tab\there", "tab%09here"),
        ("", ""),
    ])
    func encodesWhatHTTPHeadersCannotCarry(_ value: String, _ header: String) {
        #expect(CloudEventsHTTPValue.encode(value) == header)
        #expect(CloudEventsHTTPValue.decode(header) == value)
    }

    @Test func decodesLowercaseEscapes() {
        #expect(CloudEventsHTTPValue.decode("%e4%bb%8b") == "介")
    }

    @Test(arguments: ["%", "%4", "%G0", "%FF", "%E4%BB"])
    func refusesMalformedEscapesAndBytesThatAreNotUTF8(_ header: String) {
        #expect(CloudEventsHTTPValue.decode(header) == nil)
    }
}
