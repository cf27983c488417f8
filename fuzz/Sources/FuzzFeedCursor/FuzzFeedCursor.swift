import Foundation
import FuzzSupport

@testable import RenkeiBus

@_cdecl("FuzzFeedCursor_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in data.map { fuzz($0, size) } ?? 0 }
}

/// Byte 0 picks what the rest is: a cursor token as a client sends it (0), the JSON inside a token (1, encoded here
/// so mutations reach the JSON), or the numbers of a cursor (2). A cursor read from a token must be one the feed
/// could have handed out, and every cursor's token must read back to the same cursor.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mode = input.takeByte() % 3
    let bytes = input.takeRest()
    if mode == 2 {
        checkRoundTrip(cursor(from: bytes))
        return 0
    }
    let token =
        mode == 0
        ? String(decoding: bytes, as: UTF8.self)
        : Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    if let cursor = FeedCursor(token: token) {
        checkHandedOut(cursor)
        checkRoundTrip(cursor)
    }
    return 0
}

/// Partitions, offsets and positions in a transfer are never negative in a cursor the feed hands out; one that
/// reads as negative would be turned into a Kafka offset or a record count by the reader.
private func checkHandedOut(_ cursor: FeedCursor) {
    for (partition, offset) in cursor.offsets {
        require(partition >= 0 && offset >= 0, "cursor \(cursor.offsets) accepted with partition or offset < 0")
    }
    if let transfer = cursor.transfer {
        require(
            transfer.partition >= 0 && transfer.offset >= 0 && transfer.delivered >= 0,
            "cursor accepted with transfer \(transfer)")
    }
}

private func checkRoundTrip(_ cursor: FeedCursor) {
    let token = cursor.token
    require(
        token.utf8.allSatisfy { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || isAlphanumeric($0) },
        "token \(token) is not URL-safe")
    require(FeedCursor(token: token) == cursor, "token \(token) does not read back to \(cursor.offsets)")
}

private func isAlphanumeric(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
        || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
}

/// A valid cursor built from the bytes: 12 bytes per partition (partition, offset), and a transfer position when a
/// tail of 20 bytes is left.
private func cursor(from bytes: [UInt8]) -> FeedCursor {
    func integer<T: FixedWidthInteger>(_ slice: ArraySlice<UInt8>, as: T.Type) -> T {
        slice.reduce(T.zero) { $0 << 8 | T($1) } & T.max
    }
    var cursor = FeedCursor()
    var rest = bytes[...]
    while rest.count >= 12 && rest.count != 20 {
        cursor.offsets[integer(rest.prefix(4), as: Int32.self)] = integer(rest.dropFirst(4).prefix(8), as: Int64.self)
        rest = rest.dropFirst(12)
    }
    if rest.count == 20 {
        cursor.transfer = FeedCursor.TransferPosition(
            partition: integer(rest.prefix(4), as: Int32.self),
            offset: integer(rest.dropFirst(4).prefix(8), as: Int64.self),
            delivered: integer(rest.dropFirst(12), as: Int.self))
    }
    return cursor
}
