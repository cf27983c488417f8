import AsyncHTTPClient
import Foundation
import RenkeiContracts
import RenkeiTestSupport
import Testing

@testable import RenkeiGateway

/// Access tokens already checked are answered from ``VerifiedTokenCache``: never past their `exp`, never for a
/// token that failed a check, with the certificate binding still checked per connection, and in bounded memory.
@Suite struct TokenCacheTests {
    static func service(_ contracts: ContractSet? = nil) async throws -> TokenService {
        let contracts = try contracts ?? GatewayHarness.contracts(webhook: nil, queryEndpoint: nil)
        var configuration = GatewayConfiguration()
        configuration.tokenSigningKey = GatewayHarness.signingKey
        return await TokenService.make(
            contracts: contracts, secrets: ClientSecrets.demo(for: contracts), configuration: configuration)
    }

    static let provider = Principal(clientID: "sys-001", role: .system("001"))

    @Test func aCachedTokenStillExpiresAtItsExp() async throws {
        let tokens = try await Self.service()
        let token = try await tokens.issue(for: Self.provider, scope: nil).token
        let first = try #require(await tokens.validate(token))
        #expect(tokens.verified?.count == 1)
        let expiry = Date(timeIntervalSince1970: Double(first.expiresAt))
        // From the cache until the last instant before exp, and refused from exp on, as jwt-kit refuses it.
        #expect(await tokens.validate(token, now: expiry.addingTimeInterval(-0.001))?.principal == Self.provider)
        #expect(await tokens.validate(token, now: expiry) == nil)
        #expect(await tokens.validate(token, now: expiry.addingTimeInterval(3600)) == nil)
    }

    @Test func aForgedTokenNeverEntersTheCache() async throws {
        let tokens = try await Self.service()
        let now = Int(Date().timeIntervalSince1970)
        let claims: [String: Any] = [
            "iss": "", "sub": "sys-001", "client_id": "sys-001", "aud": TokenService.audience,
            "scope": "001:resident-change:provide", "renkei_system": "001", "iat": now, "exp": now + 60, "jti": "x",
        ]
        let genuine = TestJWT.sign(
            claims: claims, key: GatewayHarness.signingKey, header: ["alg": "HS256", "typ": "at+jwt"])
        let parts = genuine.split(separator: ".").map(String.init)
        var widened = claims
        widened["scope"] = "001:resident-change:provide 030:gateway:manage"
        let forged = [
            TestJWT.sign(claims: claims, key: Array("another-key-that-is-32-bytes-long!".utf8)),
            TestJWT.part(["alg": "none"]) + "." + parts[1] + ".",
            parts[0] + "." + TestJWT.part(widened) + "." + parts[2],
            TestJWT.sign(claims: claims, key: GatewayHarness.signingKey, header: ["alg": "HS256", "typ": "JWT"]),
        ]
        for token in forged + forged {
            #expect(await tokens.validate(token) == nil, "\(token)")
        }
        #expect(tokens.verified?.count == 0)
        // The same claims with the gateway's key and header are checked once and then held.
        #expect(await tokens.validate(genuine)?.scopes == ["001:resident-change:provide"])
        #expect(tokens.verified?.count == 1)
    }

    @Test func theCacheStaysBoundedDroppingExpiredTokensFirst() throws {
        let cache = VerifiedTokenCache(capacity: 8)
        let now = Date()
        let grant = AccessGrant(principal: Self.provider, scopes: [], issuedAt: 0, expiresAt: 0)
        for index in 0..<1000 {
            cache.insert("token-\(index)", grant: grant, expiry: now.addingTimeInterval(300), at: now)
            #expect(cache.count <= 8)
        }
        #expect(cache.grant(for: "token-999", at: now) != nil)

        // Four that expire in a second and four that live on: once the first four have expired, they make room.
        let mixed = VerifiedTokenCache(capacity: 8)
        for index in 0..<8 {
            let expiry = now.addingTimeInterval(index < 4 ? 1 : 300)
            mixed.insert("token-\(index)", grant: grant, expiry: expiry, at: now)
        }
        let later = now.addingTimeInterval(2)
        mixed.insert("token-new", grant: grant, expiry: later.addingTimeInterval(300), at: later)
        #expect(mixed.count == 5)
        for index in 4..<8 { #expect(mixed.grant(for: "token-\(index)", at: later) != nil) }
        #expect(mixed.grant(for: "token-new", at: later) != nil)
    }

    @Test func aCachedTokenKeepsItsCertificateBinding() async throws {
        let contracts = try ClientCertificateTests.pinnedContracts()
        let pinned = try #require(contracts.system("001")?.credentials?.clientCertificateSHA256)
        let tokens = try await Self.service(contracts)
        let token = try await tokens.issue(for: Self.provider, scope: nil).token
        #expect(await tokens.validate(token)?.certificateSHA256 == pinned)
        #expect(tokens.verified?.count == 1)
        #expect(await tokens.validate(token)?.certificateSHA256 == pinned)
    }
}

/// The binding over real connections: a token cached after its use with the certificate is still refused over a
/// connection without it.
@Suite(.serialized) struct CachedBoundTokenTests {
    @Test func aCachedTokenBoundToACertificateIsRefusedOverAnotherConnection() async throws {
        try await ClientCertificateTests.withPinnedGateway { harness, port in
            let withCertificate = ClientCertificateTests.client(
                certificate: ClientCertificateTests.certificate, key: ClientCertificateTests.key)
            let without = ClientCertificateTests.client(certificate: nil, key: nil)
            do {
                try await Self.check(harness, port: port, withCertificate, without)
            } catch {
                for client in [withCertificate, without] { try await client.shutdown() }
                throw error
            }
            for client in [withCertificate, without] { try await client.shutdown() }
        }
    }

    static func check(
        _ harness: GatewayHarness, port: Int, _ withCertificate: HTTPClient, _ without: HTTPClient
    ) async throws {
        let records = Residents.json(harness.bus.contracts, count: 3)
        let issued = try await ClientCertificateTests.token(withCertificate, port: port)
        let token = try #require(issued.body["access_token"] as? String)
        // Twice with the certificate: the second use is answered from the cache.
        for record in records.prefix(2) {
            #expect(
                try await ClientCertificateTests.provide(withCertificate, port: port, token: token, record: record)
                    == 201)
        }
        #expect(try await ClientCertificateTests.provide(without, port: port, token: token, record: records[2]) == 401)
        #expect(
            try await ClientCertificateTests.provide(withCertificate, port: port, token: token, record: records[2])
                == 201)
    }
}
