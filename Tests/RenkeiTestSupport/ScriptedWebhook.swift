import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A webhook receiver on a free loopback port that answers each request as a script says — a status, the same
/// status after a delay, or a connection reset before any answer — and records what it received and took.
///
/// Plain sockets rather than an HTTP framework, because a reset (RST, as a crashing proxy or receiver sends) cannot
/// be scripted through one. One thread per connection; requests carry `Content-Length` (the bus's client sends it).
package final class ScriptedWebhook: Sendable {
    /// What the receiver does with one request.
    package enum Answer: Sendable, Hashable {
        /// Answers at once with this status.
        case status(Int)
        /// Answers with `status` after `delay` (the record is taken when the status is 2xx, even when the caller
        /// stopped waiting: a slow receiver that still acts on what it got).
        case late(Duration, status: Int)
        /// Resets the connection without answering: the record is not taken.
        case reset
    }

    /// One request as received, and what the script made of it.
    package struct Received: Sendable {
        /// Header names in lowercase.
        package var headers: [String: String]
        package var body: [UInt8]
        package var answer: Answer
        /// Whether the receiver acted on the record: it answered (or would have answered) 2xx.
        package var taken: Bool {
            switch answer {
            case .status(let status), .late(_, let status): (200..<300).contains(status)
            case .reset: false
            }
        }
    }

    /// `http://127.0.0.1:<port><path>`.
    package let url: String
    private let listener: Int32
    private let script: @Sendable (Int, [String: String]) -> Answer
    private let received = Mutex<[Received]>([])
    private let connections = Mutex<Set<Int32>>([])
    private let stopped = Atomic<Bool>(false)

    private init(url: String, listener: Int32, script: @escaping @Sendable (Int, [String: String]) -> Answer) {
        self.url = url
        self.listener = listener
        self.script = script
    }

    /// Starts listening; `script` gets the 0-based number of each request, in the order they arrive, and its
    /// headers (names in lowercase).
    package static func start(
        path: String = "/events",
        script: @escaping @Sendable (Int, [String: String]) -> Answer = { _, _ in .status(204) }
    ) throws -> ScriptedWebhook {
        let (listener, port) = try LoopbackSocket.listen(backlog: 64)
        let webhook = ScriptedWebhook(url: "http://127.0.0.1:\(port)\(path)", listener: listener, script: script)
        Thread.detachNewThread { webhook.acceptLoop() }
        return webhook
    }

    /// Every request so far, in arrival order.
    package var requests: [Received] { received.withLock { $0 } }

    /// The requests whose records the receiver took.
    package var taken: [Received] { requests.filter(\.taken) }

    /// Stops accepting and closes every open connection.
    package func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        // Under the lock that also guards closing, so a descriptor number reused by another socket is never hit.
        connections.withLock { open in
            for descriptor in open { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    deinit { stop() }

    private func acceptLoop() {
        while !stopped.load(ordering: .acquiring) {
            let descriptor = accept(listener, nil, nil)
            guard descriptor >= 0 else {
                if errno == EINTR { continue }
                return
            }
            connections.withLock { _ = $0.insert(descriptor) }
            Thread.detachNewThread { [self] in
                serve(descriptor)
                connections.withLock { open in
                    open.remove(descriptor)
                    close(descriptor)
                }
            }
        }
    }

    /// Answers requests on one kept-alive connection until the client closes it or the script resets it (the
    /// caller closes the descriptor).
    private func serve(_ descriptor: Int32) {
        var buffer: [UInt8] = []
        while let (headers, body) = Self.readRequest(descriptor, &buffer) {
            let answer = received.withLock { list in
                let answer = script(list.count, headers)
                list.append(Received(headers: headers, body: body, answer: answer))
                return answer
            }
            switch answer {
            case .status(let status):
                Self.respond(descriptor, status)
            case .late(let delay, let status):
                Thread.sleep(
                    forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
                Self.respond(descriptor, status)
            case .reset:
                // Linger zero: close sends RST instead of FIN, as a receiver that crashed mid-request.
                var option = linger(l_onoff: 1, l_linger: 0)
                setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
                return
            }
        }
    }

    private static func respond(_ descriptor: Int32, _ status: Int) {
        let text = "HTTP/1.1 \(status) Scripted\r\nContent-Length: 0\r\n\r\n"
        _ = Array(text.utf8).withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// The next request's headers and body; `nil` when the connection ends first.
    private static func readRequest(_ descriptor: Int32, _ buffer: inout [UInt8]) -> ([String: String], [UInt8])? {
        let separator: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        var headerEnd: Int?
        while true {
            if headerEnd == nil, let found = firstIndex(of: separator, in: buffer) { headerEnd = found }
            if let end = headerEnd {
                let headers = parseHeaders(buffer[..<end])
                let length = Int(headers["content-length"] ?? "0") ?? 0
                if buffer.count >= end + 4 + length {
                    let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                    buffer.removeFirst(end + 4 + length)
                    return (headers, body)
                }
            }
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            buffer += chunk[..<count]
        }
    }

    private static func parseHeaders(_ bytes: ArraySlice<UInt8>) -> [String: String] {
        var headers: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return headers
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start }
        }
        return nil
    }
}
