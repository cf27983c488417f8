import Foundation

/// Turns off Nagle's algorithm (`TCP_NODELAY`) on this process's sockets bound to given local TCP ports.
///
/// librdkafka's mock brokers listen without `TCP_NODELAY`. A broker answering two requests back to back then holds
/// the second small response until the client acknowledges the first, and the client delays that acknowledgement
/// by Linux's 40 ms: every transaction on the embedded cluster took ~50 ms instead of ~10 ms. Set on a listening
/// socket, the option is inherited by the connections it accepts. (Kafka's own brokers set it on every connection.)
enum LoopbackNoDelay {
    /// Sets `TCP_NODELAY` on every open socket whose local port is in `ports`; returns how many it changed.
    @discardableResult
    static func apply(toLocalPorts ports: Set<UInt16>) -> Int {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return 0 }
        var changed = 0
        for entry in entries {
            guard let descriptor = Int32(entry), localPort(of: descriptor).map(ports.contains) == true else {
                continue
            }
            var on: Int32 = 1
            if setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 {
                changed += 1
            }
        }
        return changed
    }

    /// The local port of an IPv4 or IPv6 socket, or `nil` for anything else.
    private static func localPort(of descriptor: Int32) -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard status == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: &storage) { UInt16(bigEndian: $0.load(as: sockaddr_in.self).sin_port) }
        case AF_INET6:
            return withUnsafeBytes(of: &storage) { UInt16(bigEndian: $0.load(as: sockaddr_in6.self).sin6_port) }
        default:
            return nil
        }
    }
}
