import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks that the gateway's address can be bound before anything heavy (the embedded broker, the bus) starts,
/// so "port in use" is the first and plain thing `renkei serve` says.
enum PortProbe {
    /// Why `host:port` cannot be bound, or `nil` when it can. Binds and closes a socket with SO_REUSEADDR, as the
    /// HTTP server will, so a port only in TIME_WAIT is not reported.
    static func problem(host: String, port: Int) -> String? {
        guard port != 0 else { return nil }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            return "cannot bind \(host):\(port): the host name does not resolve to a local address"
        }
        defer { freeaddrinfo(list) }
        let address = first.pointee
        let descriptor = socket(address.ai_family, address.ai_socktype, address.ai_protocol)
        guard descriptor >= 0 else { return "cannot bind \(host):\(port): \(String(cString: strerror(errno)))" }
        defer { close(descriptor) }
        var yes: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, address.ai_addr, address.ai_addrlen) == 0 else {
            let code = errno
            if code == EADDRINUSE { return "port \(port) on \(host) is in use" }
            return "cannot bind port \(port) on \(host): \(String(cString: strerror(code)))"
        }
        return nil
    }
}
