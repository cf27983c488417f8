import Foundation
import Testing

@testable import RenkeiBus

@Suite struct WebhookSignerTests {
    /// The example of the Standard Webhooks specification: its secret, id, timestamp, payload and signature.
    @Test func signsTheSpecificationsExampleAsItSays() throws {
        let signer = try WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = signer.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func headersCarryTheIdTheSecondsAndAVersionedSignature() throws {
        let signer = try WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let headers = signer.headers(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", time: Date(timeIntervalSince1970: 1_614_265_330.9),
            body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(headers.map(\.0) == ["webhook-id", "webhook-timestamp", "webhook-signature"])
        #expect(headers[1].1 == "1614265330")
        #expect(headers[2].1 == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test(arguments: [
        ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "must start with `whsec_`"),
        ("whsec_not base64!", "base64"),
        ("whsec_c2hvcnQ=", "24 to 64 bytes, this one holds 5"),
    ])
    func refusesSecretsThatCannotBeUsed(_ secret: String, _ reason: String) {
        #expect {
            _ = try WebhookSigner(secret: secret)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test func newSecretsAreUsableAndDiffer() throws {
        let first = WebhookSigner.newSecret()
        _ = try WebhookSigner(secret: first)
        #expect(first.hasPrefix("whsec_") && first != WebhookSigner.newSecret())
    }
}
