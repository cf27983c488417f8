import Crypto
import Foundation
import RenkeiTestSupport
import Testing

@testable import RenkeiGateway

@Suite(.serialized) struct AuthTests {
    @Test func clientSecretBasicGetsAScopedShortLivedTokenWithoutRefresh() async throws {
        try await GatewayHarness.with { harness in
            let reply = try await harness.tokenRequest("sys-018")
            #expect(reply.status == 200)
            #expect(reply.json["token_type"] as? String == "Bearer")
            #expect(reply.json["expires_in"] as? Int == 300)
            #expect(reply.json["refresh_token"] == nil)
            #expect(reply.headers.first(name: "Cache-Control") == "no-store")
            let scopes = Set((reply.json["scope"] as? String ?? "").split(separator: " ").map(String.init))
            #expect(scopes == ["001:resident-change:read"])

            let ops = try await harness.token("ops")
            let token = try #require(reply.json["access_token"] as? String)
            let active = try await harness.call(
                .POST, "/oauth/introspect", token: nil, contentType: "application/x-www-form-urlencoded",
                body: Array("token=\(token)".utf8),
                headers: [("Authorization", Self.basic("sys-001", "renkei-demo-client-secret-for-001"))])
            #expect(active.status == 200)
            #expect(active.json["active"] as? Bool == true)
            #expect(active.json["client_id"] as? String == "sys-018")
            #expect(active.json["scope"] as? String == "001:resident-change:read")
            _ = ops
        }
    }

    @Test func clientSecretJWTAssertionIsCheckedForAudienceExpiryAndReplay() async throws {
        try await GatewayHarness.with { harness in
            let audience = harness.base + "/oauth/token"
            let jti = UUID().uuidString
            let good = Self.assertion(
                client: "sys-001", secret: "renkei-demo-client-secret-for-001", audience: audience, jti: jti)
            let first = try await Self.tokenByAssertion(harness, good)
            #expect(first.status == 200, "\(first.text)")
            let scopes = Set((first.json["scope"] as? String ?? "").split(separator: " ").map(String.init))
            #expect(scopes.contains("001:resident-change:provide"))
            #expect(scopes.contains("001:resident-register-daily:provide"))

            let replayed = try await Self.tokenByAssertion(harness, good)
            #expect(replayed.status == 401)
            #expect(replayed.json["error"] as? String == "invalid_client")

            let wrongAudience = Self.assertion(
                client: "sys-001", secret: "renkei-demo-client-secret-for-001",
                audience: "https://elsewhere/oauth/token")
            #expect(try await Self.tokenByAssertion(harness, wrongAudience).status == 401)
            let expired = Self.assertion(
                client: "sys-001", secret: "renkei-demo-client-secret-for-001", audience: audience, expiresIn: -600)
            #expect(try await Self.tokenByAssertion(harness, expired).status == 401)
            let wrongSecret = Self.assertion(client: "sys-001", secret: "not-the-secret", audience: audience)
            #expect(try await Self.tokenByAssertion(harness, wrongSecret).status == 401)
        }
    }

    @Test func unknownClientExpiredTokenAndWrongScopeAreRefused() async throws {
        try await GatewayHarness.with { harness in
            #expect(try await harness.tokenRequest("sys-999", secret: "x").status == 401)
            #expect(try await harness.tokenRequest("sys-018", secret: "wrong").status == 401)
            let asked = try await harness.tokenRequest("sys-c001", scope: "001:resident-change:provide")
            #expect(asked.status == 400)
            #expect(asked.json["error"] as? String == "invalid_scope")

            let body = Array("[]".utf8)
            let none = try await harness.call(
                .POST, "/linkages/resident-change/records", contentType: "application/json", body: body)
            #expect(none.status == 401)
            #expect(none.headers.first(name: "Content-Type") == "application/problem+json")

            let custom = try await harness.token("sys-c001")
            let wrongScope = try await harness.call(
                .POST, "/linkages/resident-change/records", token: custom, contentType: "application/json", body: body)
            #expect(wrongScope.status == 403)
            #expect(wrongScope.json["code"] as? String == "insufficient-scope")

            let expiredToken = TestJWT.sign(
                claims: [
                    "sub": "sys-018", "client_id": "sys-018", "aud": TokenService.audience,
                    "scope": "001:resident-change:read", "renkei_system": "018",
                    "iat": Int(Date().timeIntervalSince1970) - 900, "exp": Int(Date().timeIntervalSince1970) - 600,
                ], key: GatewayHarness.signingKey)
            let expired = try await harness.call(.GET, "/linkages/resident-change/feed", token: expiredToken)
            #expect(expired.status == 401)
            let inactive = try await harness.call(
                .POST, "/oauth/introspect", contentType: "application/x-www-form-urlencoded",
                body: Array("token=\(expiredToken)".utf8),
                headers: [("Authorization", Self.basic("sys-018", "renkei-demo-client-secret-for-018"))])
            #expect(inactive.json["active"] as? Bool == false)
            #expect(inactive.json.count == 1)

            let ops = try await harness.token("ops")
            #expect(try await harness.call(.GET, "/linkages/resident-change/feed", token: ops).status == 403)
            let system = try await harness.token("sys-018")
            #expect(try await harness.call(.GET, "/operations/dead-letters", token: system).status == 403)
        }
    }

    @Test func secretsThatDoNotMatchTheContractsAreRefusedNamingTheClient() throws {
        let contracts = try GatewayHarness.contracts(webhook: nil, queryEndpoint: nil)
        #expect(throws: ClientSecretsError.self) {
            try ClientSecrets(["sys-018": "renkei-demo-client-secret-for-001"]).verify(against: contracts)
        }
        do {
            try ClientSecrets(["sys-018": "renkei-demo-client-secret-for-001"]).verify(against: contracts)
        } catch {
            #expect(error.description.contains("sys-018"))
        }
        try ClientSecrets.demo(for: contracts).verify(against: contracts)
        let parsed = try ClientSecrets(
            contentsOf: "sys-001: renkei-demo-client-secret-for-001\nops: renkei-demo-client-secret-for-ops\n",
            origin: "test")
        try parsed.verify(against: contracts)
    }

    @Test func assertionsAndTokensOtherThanHS256WithTheRightKeyAreRefused() async throws {
        try await GatewayHarness.with { harness in
            let audience = harness.base + "/oauth/token"
            let secret = Array(GatewayHarness.demoSecret("sys-001").utf8)
            let now = Int(Date().timeIntervalSince1970)
            let claims: [String: Any] = [
                "iss": "sys-001", "sub": "sys-001", "aud": audience, "exp": now + 60, "iat": now,
            ]
            // The right key, but a header claiming another algorithm; and an unsigned token.
            var claimed = claims
            claimed["jti"] = UUID().uuidString
            let hs512 = TestJWT.sign(claims: claimed, key: secret, header: ["alg": "HS512", "typ": "JWT"])
            let refused = try await Self.tokenByAssertion(harness, hs512)
            #expect(refused.status == 401)
            #expect((refused.json["error_description"] as? String)?.contains("HS256") == true)
            claimed["jti"] = UUID().uuidString
            let unsigned = TestJWT.part(["alg": "none"]) + "." + TestJWT.part(claimed) + "."
            #expect(try await Self.tokenByAssertion(harness, unsigned).status == 401)
            #expect(try await Self.tokenByAssertion(harness, "not.a.jwt").status == 401)
            #expect(try await Self.tokenByAssertion(harness, "").status == 401)

            // An access token signed with a key other than the gateway's, and one without a signature.
            let access: [String: Any] = [
                "iss": harness.base, "sub": "sys-001", "client_id": "sys-001", "aud": TokenService.audience,
                "scope": "001:resident-change:provide", "renkei_system": "001", "iat": now, "exp": now + 60,
                "jti": "x",
            ]
            let forged = TestJWT.sign(claims: access, key: Array("another-key-that-is-32-bytes-long!".utf8))
            let body = Array("[]".utf8)
            for token in [forged, TestJWT.part(["alg": "none"]) + "." + TestJWT.part(access) + "."] {
                let reply = try await harness.call(
                    .POST, "/linkages/resident-change/records", token: token, contentType: "application/json",
                    body: body)
                #expect(reply.status == 401)
            }
            // The gateway's own key under another algorithm or type is refused too (RFC 9068: at+jwt, HS256 only).
            for header in [["alg": "HS512", "typ": "at+jwt"], ["alg": "HS256", "typ": "JWT"]] {
                let other = TestJWT.sign(claims: access, key: GatewayHarness.signingKey, header: header)
                let reply = try await harness.call(
                    .POST, "/linkages/resident-change/records", token: other, contentType: "application/json",
                    body: body)
                #expect(reply.status == 401, "\(header)")
            }
            // The same claims signed with the gateway's own key are accepted: the refusals above are the key's.
            let genuine = TestJWT.sign(
                claims: access, key: GatewayHarness.signingKey, header: ["alg": "HS256", "typ": "at+jwt"])
            let accepted = try await harness.call(
                .POST, "/linkages/resident-change/records", token: genuine, contentType: "application/json",
                body: body)
            #expect(accepted.status != 401, "\(accepted.text)")
        }
    }

    @Test func secretsAndTokenKeysShorterThanAnHS256KeyAreRefused() throws {
        let contracts = try GatewayHarness.contracts(webhook: nil, queryEndpoint: nil)
        do {
            try ClientSecrets(["sys-018": "demo-secret-018"]).verify(against: contracts)
            Issue.record("a 15-byte client secret was accepted")
        } catch {
            #expect(error.description.contains("`sys-018` is 15 bytes; use at least 32"))
        }
        var configuration = GatewayConfiguration()
        configuration.tokenSigningKey = Array("too-short".utf8)
        #expect(throws: ClientSecretsError.self) { try configuration.checkTokenSigningKey() }
        configuration.tokenSigningKey = GatewayHarness.signingKey
        try configuration.checkTokenSigningKey()
    }

    @Test func aSystemTheBusCallsNeedsASigningSecretMatchingItsPinnedHash() throws {
        let contracts = try GatewayHarness.contracts(webhook: "http://127.0.0.1:1/events", queryEndpoint: nil)
        let clients = ClientSecrets.demo(for: contracts).secrets
        do {
            try ClientSecrets(clients).verify(against: contracts)
            Issue.record("a webhook without a signing secret was accepted")
        } catch {
            #expect(error.description.contains("System `017` has a webhook or query endpoint but no signing secret"))
        }
        let wrong = "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()
        do {
            try ClientSecrets(clients, signing: ["017": wrong]).verify(against: contracts)
            Issue.record("a signing secret that does not match signing-secret-sha256 was accepted")
        } catch {
            #expect(error.description.contains("does not match its signing-secret-sha256"))
        }
        do {
            try ClientSecrets(clients, signing: ["017": "whsec_c2hvcnQ="]).verify(against: contracts)
            Issue.record("a five-byte signing secret was accepted")
        } catch {
            #expect(error.description.contains("24 to 64 bytes"))
        }
        let file =
            "sys-017: renkei-demo-client-secret-for-017\nsigning:\n  \"017\": \(ClientSecrets.demoSigningSecret(system: "017"))\n"
        let parsed = try ClientSecrets(contentsOf: file, origin: "test")
        #expect(parsed.signing["017"] == ClientSecrets.demoSigningSecret(system: "017"))
        try parsed.verify(against: contracts)
    }

    static func basic(_ client: String, _ secret: String) -> String {
        "Basic " + Data("\(client):\(secret)".utf8).base64EncodedString()
    }

    static func assertion(
        client: String, secret: String, audience: String, jti: String = UUID().uuidString, expiresIn: Int = 60
    ) -> String {
        let now = Int(Date().timeIntervalSince1970)
        return TestJWT.sign(
            claims: ["iss": client, "sub": client, "aud": audience, "jti": jti, "exp": now + expiresIn, "iat": now],
            key: Array(secret.utf8))
    }

    static func tokenByAssertion(_ harness: GatewayHarness, _ assertion: String) async throws -> GatewayHarness.Reply {
        let form =
            "grant_type=client_credentials&client_assertion_type="
            + "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=\(assertion)"
        return try await harness.call(
            .POST, "/oauth/token", contentType: "application/x-www-form-urlencoded", body: Array(form.utf8))
    }
}
