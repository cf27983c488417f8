import Foundation
import Synchronization

/// The console's sessions at this instance, in memory: a restart or another instance asks the operator to sign in
/// again (behind a load balancer, route `/console/` to one instance or keep sessions sticky). Sessions are looked up
/// by the SHA-256 of the cookie, end after ``idleTimeout`` without a request or ``lifetime`` after sign-in, and at
/// most ``capacity`` live at once (the least recently used goes first).
final class ConsoleSessions: Sendable {
    static let idleTimeout: TimeInterval = 30 * 60
    static let lifetime: TimeInterval = 8 * 60 * 60
    static let capacity = 1_000

    private let sessions = Mutex<[String: ConsoleSession]>([:])

    /// A new session for a token just issued.
    func open(
        token: String, expires: Date, clientID: String, name: String, scopes: String, now: Date = Date()
    ) -> ConsoleSession {
        let session = ConsoleSession(
            id: ConsoleSession.randomToken(), csrf: ConsoleSession.randomToken(), token: token, tokenExpires: expires,
            clientID: clientID, name: name, scopes: scopes, started: now, lastSeen: now)
        sessions.withLock { sessions in
            sessions = sessions.filter { Self.isLive($0.value, at: now) }
            if sessions.count >= Self.capacity, let oldest = sessions.min(by: { $0.value.lastSeen < $1.value.lastSeen })
            {
                sessions[oldest.key] = nil
            }
            sessions[Self.key(session.id)] = session
        }
        return session
    }

    /// The live session of a cookie, marked as seen now; `nil` when there is none or it ended.
    func session(_ id: String, now: Date = Date()) -> ConsoleSession? {
        let key = Self.key(id)
        return sessions.withLock { sessions in
            guard var session = sessions[key] else { return nil }
            guard Self.isLive(session, at: now) else {
                sessions[key] = nil
                return nil
            }
            session.lastSeen = now
            sessions[key] = session
            return session
        }
    }

    /// Puts a new token into the session of `id`.
    func renew(_ id: String, token: String, expires: Date) {
        let key = Self.key(id)
        sessions.withLock { sessions in
            sessions[key]?.token = token
            sessions[key]?.tokenExpires = expires
        }
    }

    func close(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: Self.key(id)) }
    }

    var count: Int { sessions.withLock { $0.count } }

    private static func isLive(_ session: ConsoleSession, at now: Date) -> Bool {
        now.timeIntervalSince(session.started) < lifetime && now.timeIntervalSince(session.lastSeen) < idleTimeout
    }

    private static func key(_ id: String) -> String {
        SecretHash.sha256Hex(Array(id.utf8))
    }
}
