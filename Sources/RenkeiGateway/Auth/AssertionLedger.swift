import Foundation
import RenkeiBus
import Synchronization

/// Where the ids (`jti`) of client assertions are claimed, so that each assertion gets a token once: across every
/// gateway instance of the cluster (``shared(_:)``, through ``SharedState``), or in this process only (``local()``,
/// for a token service without a bus: tests, fuzzing).
struct AssertionLedger: Sendable {
    /// `true` when the assertion `id` of `client`, valid until `expires`, had not been used before; throws when that
    /// cannot be known now (the broker is down).
    let claim: @Sendable (_ client: String, _ id: String, _ expires: Date) async throws -> Bool

    /// Claims through the cluster's shared state: an assertion used at one instance is refused at every other.
    static func shared(_ state: SharedState) -> AssertionLedger {
        AssertionLedger { client, id, expires in
            try await state.claimAssertion(client: client, id: id, expires: expires)
        }
    }

    /// Claims in this process's memory, each kept until its assertion expires.
    static func local() -> AssertionLedger {
        let seen = Mutex<[String: Date]>([:])
        return AssertionLedger { client, id, expires in
            let now = Date()
            return seen.withLock { seen in
                seen = seen.filter { $0.value > now }
                let key = "\(client) \(id)"
                guard seen[key] == nil else { return false }
                seen[key] = expires
                return true
            }
        }
    }
}
