import Foundation
import RenkeiTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to the gateway for requests no HTTP client would send (oversized heads, malformed
/// lines, pipelined requests) and for seeing when the server closes the connection.
final class RawHTTPConnection {
    private let socket: Int32

    init(port: Int) throws {
        socket = try LoopbackSocket.connect(port: port)
    }

    deinit { close(socket) }

    /// Sends all of `bytes`; false when the server closed the connection first.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Everything the server sends until it closes the connection, or until `seconds` pass without a byte;
    /// `closed` says which.
    func receiveUntilClosed(within seconds: Int32 = 10) -> (bytes: [UInt8], closed: Bool) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, seconds * 1000) > 0 else { return (received, false) }
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return (received, true) }
            received += buffer[..<count]
        }
    }

    /// The responses in `bytes`: status, lowercased header names, body (by `Content-Length`).
    static func responses(_ bytes: [UInt8]) -> [(status: Int, headers: [String: String], body: String)] {
        var responses: [(Int, [String: String], String)] = []
        var rest = bytes[...]
        let separator = Array("\r\n\r\n".utf8)
        while let end = rest.firstRange(of: separator) {
            let head = String(decoding: rest[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            var headers: [String: String] = [:]
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                    .trimmingCharacters(in: .whitespaces)
            }
            let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
            let length = min(
                Int(headers["content-length"] ?? "0") ?? 0, rest.count - (end.upperBound - rest.startIndex))
            let body = rest[end.upperBound..<(end.upperBound + length)]
            responses.append((status, headers, String(decoding: body, as: UTF8.self)))
            rest = rest[(end.upperBound + length)...]
        }
        return responses
    }
}
