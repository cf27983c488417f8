import Foundation
import FuzzSupport
import RenkeiContracts

@testable import RenkeiGateway

/// The token service of the sample contracts with their demo secrets, made once per process.
private let setup: (service: TokenService, secrets: [String: String]) = {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { root.deleteLastPathComponent() }
    let contracts: ContractSet
    do {
        contracts = try ContractLoader.load(directory: root.appendingPathComponent("contracts").path)
    } catch {
        fatalError("the sample contracts do not load: \(error)")
    }
    let secrets = ClientSecrets.demo(for: contracts)
    var settings = GatewayConfiguration()
    settings.tokenSigningKey = Array("fuzz-signing-key-fuzz-signing-key".utf8)
    let configuration = settings
    let service = blocking {
        await TokenService.make(contracts: contracts, secrets: secrets, configuration: configuration)
    }
    service.tokenEndpoint = Claims.endpoint
    return (service, secrets.secrets)
}()

/// What a task hands back to the fuzzer's thread.
private final class Box<T>: @unchecked Sendable {  // written once by the task, read after the semaphore: no overlap
    var value: T?
}

/// Runs `body` to its end from the fuzzer's synchronous callback (the token service is async).
private func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let box = Box<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

/// `authenticate` from the fuzzer's callback: the principal, or `nil` when it throws.
private func authenticate(_ form: [String: String], authorization: String? = nil) -> Principal? {
    let service = setup.service
    return blocking { try? await service.authenticate(form: form, authorization: authorization) }
}

private func validate(_ token: String) -> AccessGrant? {
    let service = setup.service
    return blocking { await service.validate(token) }
}

/// Makes every accepted assertion's `jti` new, so a replay is only ever the fuzzer's own.
nonisolated(unsafe) private var assertionCount = 0

private let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

@_cdecl("FuzzToken_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in data.map { fuzz($0, size) } ?? 0 }
}

/// Byte 0 picks what the rest is: 0 a client assertion and Basic credentials as sent, 1 the claims of an assertion
/// signed with a client's secret, 2 an assertion built part by part (``Claims``) whose acceptance is known, 3 an
/// access token as sent and a change to one byte of a real one.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let service = setup.service
    switch input.takeByte() % 4 {
    case 0:
        let text = String(decoding: input.takeRest(), as: UTF8.self)
        let form = ["client_assertion_type": assertionType, "client_assertion": text]
        require(authenticate(form) == nil, "a forged assertion was accepted")
        require(authenticate([:], authorization: "Basic " + text) == nil, "forged Basic credentials were accepted")
    case 1:
        let payload = input.takeRest()
        let assertion = Assertion.make(
            header: Assertion.json(["alg": "HS256", "typ": "JWT"]), payload: payload, secret: setup.secrets["sys-001"]!)
        let form = ["client_assertion_type": assertionType, "client_assertion": assertion]
        if let principal = authenticate(form) {
            require(principal.clientID == "sys-001", "an assertion signed by sys-001 authenticated \(principal)")
            let claims = (try? JSONSerialization.jsonObject(with: Data(payload))) as? [String: Any]
            require(
                claims?["iss"] as? String == "sys-001" && claims?["sub"] as? String == "sys-001"
                    && !(claims?["jti"] as? String ?? "").isEmpty,
                "accepted claims \(String(decoding: payload, as: UTF8.self))")
            require(authenticate(form) == nil, "a replayed assertion was accepted")
        }
    case 2:
        assertionCount += 1
        let claims = Claims(&input, secrets: setup.secrets, jti: "fuzz-\(getpid())-\(assertionCount)")
        let secret = claims.signer.flatMap { setup.secrets[$0] } ?? "not-a-client-secret"
        let assertion = Assertion.make(
            header: Assertion.json(claims.header), payload: Assertion.json(claims.claims), secret: secret)
        var form = ["client_assertion_type": assertionType, "client_assertion": assertion]
        form["client_id"] = claims.clientIDField
        let principal = authenticate(form)
        require(
            (principal != nil) == claims.acceptable,
            "\(claims.acceptable ? "refused" : "accepted") \(claims.description)")
        if let principal {
            require(principal.clientID == claims.claims["iss"] as? String, "authenticated \(principal)")
            require(authenticate(form) == nil, "a replayed assertion was accepted")
        }
    default:
        let position = Int(input.takeByte())
        let replacement = input.takeByte()
        let text = String(decoding: input.takeRest(), as: UTF8.self)
        require(validate(text) == nil, "a forged access token was accepted")
        let principal = Principal(clientID: "sys-001", role: .system("001"))
        guard let issued = blocking({ try? await service.issue(for: principal, scope: nil) }) else {
            require(false, "no token issued for \(principal)")
            return 0
        }
        let grant = validate(issued.token)
        require(grant?.principal == principal, "an issued token does not validate to its principal")
        var bytes = Array(issued.token.utf8)
        let index = position % bytes.count
        guard bytes[index] != replacement else { return 0 }
        bytes[index] = replacement
        if let changed = validate(String(decoding: bytes, as: UTF8.self)) {
            // Only the unused low bits of the signature's last base64url character may change without effect.
            require(
                changed.principal == principal && changed.scopes == grant?.scopes && index == bytes.count - 1,
                "a token changed at byte \(index) still validates, as \(changed.principal)")
        }
    }
    return 0
}
