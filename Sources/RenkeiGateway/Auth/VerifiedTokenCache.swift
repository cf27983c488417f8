import Foundation
import Synchronization

/// Access tokens whose signature and claims ``TokenService`` has already checked, with what they grant, each until
/// its `exp`: a client sends the same token with every request for its whole lifetime, and checking it again
/// (parse, HMAC, claims) costs more than the rest of a small request's authentication.
///
/// Nothing here can be staler than the token itself: a token's claims never change, tokens are never revoked
/// (the gateway issues no refresh tokens and keeps no revocation list), and an entry is not used from its `exp`
/// on, the same instant jwt-kit stops accepting the token. Only tokens that passed every check enter, so a forged
/// token costs its full check every time. What depends on the connection (the RFC 8705 certificate binding) is
/// not cached: the grant carries the binding, and ``BearerAuthenticator`` compares it on every request.
///
/// Bounded: at ``capacity`` entries, expired ones go first; when every entry is still valid, arbitrary ones go
/// until a quarter of the room is free, so a burst of new tokens costs one sweep per quarter of the capacity.
final class VerifiedTokenCache: Sendable {
    private struct Entry {
        var grant: AccessGrant
        var expiry: Date
    }

    /// The most tokens held at once.
    let capacity: Int
    private let entries: Mutex<[String: Entry]>

    init(capacity: Int = 4096) {
        precondition(capacity > 0, "a token cache needs room for one token")
        self.capacity = capacity
        self.entries = Mutex([:])
    }

    /// How many tokens are held now (expired ones included until they are swept).
    var count: Int { entries.withLock { $0.count } }

    /// The grant of `token` if it was checked before and `now` is before its expiry; an expired entry is dropped.
    func grant(for token: String, at now: Date) -> AccessGrant? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard now < entry.expiry else {
                entries[token] = nil
                return nil
            }
            return entry.grant
        }
    }

    /// Keeps `grant` for `token` until `expiry`. Call only after the token passed every check.
    func insert(_ token: String, grant: AccessGrant, expiry: Date, at now: Date) {
        guard now < expiry else { return }
        entries.withLock { entries in
            if entries[token] == nil, entries.count >= capacity {
                entries = entries.filter { now < $0.value.expiry }
                if entries.count >= capacity {
                    let keep = capacity - max(1, capacity / 4)
                    entries = Dictionary(uniqueKeysWithValues: entries.prefix(keep).map { ($0.key, $0.value) })
                }
            }
            entries[token] = Entry(grant: grant, expiry: expiry)
        }
    }
}
