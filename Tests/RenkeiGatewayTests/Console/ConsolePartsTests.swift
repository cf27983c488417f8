import Foundation
import Testing

@testable import RenkeiGateway

@Suite struct ConsolePartsTests {
    @Test func htmlEscapesInterpolatedTextButNotMarkup() {
        let value = #"<img src=x onerror="alert('1')"> & more"#
        let inner: HTML = "<b>\(value)</b>"
        let page: HTML = "<p title=\"\(value)\">\(inner)</p>"
        #expect(
            page.text == "<p title=\"&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; more\">"
                + "<b>&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; more</b></p>")
    }

    @Test(arguments: [
        ("a=1&b=x+y&a=2", [("a", "1"), ("b", "x y"), ("a", "2")]),
        ("name=%E5%AE%9B%E5%90%8D&empty=&flag", [("name", "宛名"), ("empty", ""), ("flag", "")]),
        ("secret=a%2Bb%3D%26c", [("secret", "a+b=&c")]),
    ])
    func formFieldsDecodeAsBrowsersEncode(_ encoded: String, _ expected: [(String, String)]) throws {
        let fields = try #require(FormFields(encoded: Array(encoded.utf8)))
        #expect(fields.fields.map(\.name) == expected.map(\.0))
        #expect(fields.fields.map(\.value) == expected.map(\.1))
    }

    @Test(arguments: ["a=%", "a=%4", "a=%zz", "a=%FF%FE"])
    func formFieldsRefuseBrokenEncodings(_ encoded: String) {
        #expect(FormFields(encoded: Array(encoded.utf8)) == nil)
    }

    @Test func formFieldsRoundTripThroughTheQueryBuilder() throws {
        let query = FormFields.query([("key", "宛名 1&2"), ("skip", nil), ("empty", "")])
        #expect(query == "key=%E5%AE%9B%E5%90%8D%201%262")
        #expect(try #require(FormFields(encoded: Array(query.utf8)))["key"] == "宛名 1&2")
    }

    @Test func sessionsEndWhenIdleOrTooOldAndFindOnlyTheirOwnCookie() {
        let sessions = ConsoleSessions()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let session = sessions.open(
            token: "t", expires: start.addingTimeInterval(300), clientID: "ops", name: "運用", scopes: "s", now: start)
        #expect(session.id != session.csrf)
        #expect(sessions.session(session.id, now: start.addingTimeInterval(60))?.clientID == "ops")
        #expect(sessions.session(session.id + "x", now: start.addingTimeInterval(60)) == nil)
        // Seen at +60 s: still live 29 minutes later, gone after 30 idle minutes.
        #expect(sessions.session(session.id, now: start.addingTimeInterval(60 + 29 * 60)) != nil)
        #expect(sessions.session(session.id, now: start.addingTimeInterval(60 + 29 * 60 + 30 * 60 + 1)) == nil)
        // However busy, a session ends 8 hours after sign-in.
        let busy = sessions.open(token: "t", expires: start, clientID: "ops", name: "運用", scopes: "s", now: start)
        var now = start
        while now < start.addingTimeInterval(ConsoleSessions.lifetime - 600) {
            now += 600
            #expect(sessions.session(busy.id, now: now) != nil)
        }
        #expect(sessions.session(busy.id, now: start.addingTimeInterval(ConsoleSessions.lifetime + 1)) == nil)
    }

    @Test func sessionsKeepAtMostTheirCapacityDroppingTheLeastRecentlyUsed() {
        let sessions = ConsoleSessions()
        let start = Date()
        let first = sessions.open(token: "t", expires: start, clientID: "ops", name: "", scopes: "", now: start)
        var last = first
        for index in 1...ConsoleSessions.capacity {
            last = sessions.open(
                token: "t", expires: start, clientID: "ops", name: "", scopes: "",
                now: start.addingTimeInterval(Double(index) / 1000))
        }
        #expect(sessions.count == ConsoleSessions.capacity)
        #expect(sessions.session(first.id, now: start.addingTimeInterval(2)) == nil)
        #expect(sessions.session(last.id, now: start.addingTimeInterval(2)) != nil)
    }
}
