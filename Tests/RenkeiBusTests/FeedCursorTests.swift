import Foundation
import RenkeiBus
import Testing

@Suite struct FeedCursorTests {
    /// The token a client would send for `json`.
    static func token(_ json: String) -> String {
        Data(json.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test func aTokenReadsBackToItsCursor() throws {
        let json = #"{"offsets":[0,5,3,17],"transfer":{"partition":1,"offset":39,"delivered":500}}"#
        let cursor = try #require(FeedCursor(token: Self.token(json)))
        #expect(cursor.offsets == [0: 5, 3: 17])
        #expect(cursor.transfer.map { [Int($0.partition), Int($0.offset), $0.delivered] } == [1, 39, 500])
        #expect(cursor.token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(FeedCursor(token: cursor.token) == cursor)
    }

    /// Numbers no cursor the feed hands out holds; an offset of Int64.min overflowed the count of offsets lost to
    /// retention and stopped `renkei serve` (the feed-cursor fuzzer's invariant).
    @Test(arguments: [
        #"{"offsets":[0,-9223372036854775808]}"#,
        #"{"offsets":[0,-1]}"#,
        #"{"offsets":[-1,4]}"#,
        #"{"offsets":[],"transfer":{"partition":0,"offset":3,"delivered":-9223372036854775808}}"#,
        #"{"offsets":[],"transfer":{"partition":0,"offset":-3,"delivered":0}}"#,
        #"{"offsets":[],"transfer":{"partition":-2,"offset":3,"delivered":0}}"#,
    ])
    func aTokenWithANegativeNumberIsNotACursor(_ json: String) {
        #expect(FeedCursor(token: Self.token(json)) == nil)
    }
}
