import Crypto
import Foundation
import Testing

@testable import RenkeiStorage

/// The signer against AWS's published examples: cases from the Signature Version 4 test suite (service `service`,
/// 2015-08-30T12:36:00Z, key `AKIDEXAMPLE`) and the worked examples of the S3 "header-based auth" page
/// (2013-05-24, `examplebucket`). A mismatch prints the canonical request, which says which line is wrong.
@Suite struct SigV4SignerTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var path: String
        var query: [(name: String, value: String)] = []
        var headers: [(name: String, value: String)]
        var body: String = ""
        var canonicalRequest: String?
        var signedHeaders: String
        var signature: String
        var testDescription: String { name }
    }

    static let suiteSigner = SigV4Signer(
        credentials: S3Credentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "service")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let suiteHost = (name: "Host", value: "example.amazonaws.com")
    static let suiteDateHeader = (name: "X-Amz-Date", value: "20150830T123600Z")

    static let suiteVectors: [Vector] = [
        Vector(
            name: "get-vanilla", method: "GET", path: "/", headers: [suiteHost, suiteDateHeader],
            canonicalRequest: """
                GET
                /

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            signedHeaders: "host;x-amz-date",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(
            name: "get-vanilla-query-order-key-case", method: "GET", path: "/",
            query: [(name: "Param2", value: "value2"), (name: "Param1", value: "value1")],
            headers: [suiteHost, suiteDateHeader],
            canonicalRequest: """
                GET
                /
                Param1=value1&Param2=value2
                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            signedHeaders: "host;x-amz-date",
            signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Vector(
            name: "get-header-value-trim", method: "GET", path: "/",
            headers: [
                suiteHost, (name: "My-Header1", value: " value1"), (name: "My-Header2", value: "\"a   b   c\""),
                suiteDateHeader,
            ],
            canonicalRequest: """
                GET
                /

                host:example.amazonaws.com
                my-header1:value1
                my-header2:"a b c"
                x-amz-date:20150830T123600Z

                host;my-header1;my-header2;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            signedHeaders: "host;my-header1;my-header2;x-amz-date",
            signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        Vector(
            name: "post-x-www-form-urlencoded", method: "POST", path: "/",
            headers: [
                (name: "Content-Type", value: "application/x-www-form-urlencoded"), suiteHost, suiteDateHeader,
            ],
            body: "Param1=value1",
            canonicalRequest: """
                POST
                /

                content-type:application/x-www-form-urlencoded
                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                content-type;host;x-amz-date
                9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e
                """,
            signedHeaders: "content-type;host;x-amz-date",
            signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        Vector(
            name: "get-unreserved", method: "GET",
            path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            headers: [suiteHost, suiteDateHeader], signedHeaders: "host;x-amz-date",
            signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
    ]

    @Test(arguments: suiteVectors)
    func signsTheTestSuiteRequestAsPublished(_ vector: Vector) {
        let signed = Self.sign(vector, with: Self.suiteSigner, at: Self.suiteDate)
        if let canonical = vector.canonicalRequest { #expect(signed.canonicalRequest == canonical) }
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=\(vector.signedHeaders), Signature=\(vector.signature)")
    }

    static let s3Signer = SigV4Signer(
        credentials: S3Credentials(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "s3")
    static let s3Date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
    static let s3Host = (name: "Host", value: "examplebucket.s3.amazonaws.com")
    static let emptyHash = (name: "x-amz-content-sha256", value: SigV4Signer.emptyPayloadHash)

    static let s3Vectors: [Vector] = [
        Vector(
            name: "GET object with Range", method: "GET", path: "/test.txt",
            headers: [s3Host, (name: "Range", value: "bytes=0-9"), emptyHash],
            canonicalRequest: """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            signedHeaders: "host;range;x-amz-content-sha256;x-amz-date",
            signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
        Vector(
            name: "PUT object with x-amz-content-sha256", method: "PUT",
            path: "/" + URIEncoding.encode("test$file.text", keepingSlashes: true),
            headers: [
                s3Host, (name: "Date", value: "Fri, 24 May 2013 00:00:00 GMT"),
                (name: "x-amz-storage-class", value: "REDUCED_REDUNDANCY"),
                (
                    name: "x-amz-content-sha256",
                    value: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
                ),
            ],
            body: "Welcome to Amazon S3.",
            canonicalRequest: """
                PUT
                /test%24file.text

                date:Fri, 24 May 2013 00:00:00 GMT
                host:examplebucket.s3.amazonaws.com
                x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
                x-amz-date:20130524T000000Z
                x-amz-storage-class:REDUCED_REDUNDANCY

                date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class
                44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
                """,
            signedHeaders: "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
            signature: "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
        Vector(
            name: "GET bucket list with max-keys and prefix", method: "GET", path: "/",
            query: [(name: "max-keys", value: "2"), (name: "prefix", value: "J")], headers: [s3Host, emptyHash],
            signedHeaders: "host;x-amz-content-sha256;x-amz-date",
            signature: "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
    ]

    @Test(arguments: s3Vectors)
    func signsTheS3DocumentationExampleAsPublished(_ vector: Vector) {
        let signed = Self.sign(vector, with: Self.s3Signer, at: Self.s3Date)
        if let canonical = vector.canonicalRequest { #expect(signed.canonicalRequest == canonical) }
        #expect(signed.signature == vector.signature)
        #expect(signed.authorization.contains("Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"))
        #expect(signed.authorization.contains("SignedHeaders=\(vector.signedHeaders),"))
    }

    @Test func signsAndSendsTheSessionTokenAsSecurityTokenHeader() {
        var signer = Self.suiteSigner
        signer.credentials.sessionToken = "session-token-value"
        let signed = signer.sign(
            .init(
                method: "GET", encodedPath: "/", query: [], headers: [Self.suiteHost],
                payloadHash: SigV4Signer.emptyPayloadHash),
            at: Self.suiteDate)
        #expect(signed.headers.contains { $0.name == "x-amz-security-token" && $0.value == "session-token-value" })
        #expect(signed.authorization.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"))
        #expect(signed.headers.contains { $0.name == "x-amz-date" && $0.value == "20150830T123600Z" })
    }

    @Test(arguments: [
        ("a b", false, "a%20b"), ("a+b", false, "a%2Bb"), ("a/b", true, "a/b"), ("a/b", false, "a%2Fb"),
        ("100%", true, "100%25"), ("ключ", true, "%D0%BA%D0%BB%D1%8E%D1%87"), ("A-z_0.9~", false, "A-z_0.9~"),
    ])
    func encodesLikeS3(_ text: String, keepingSlashes: Bool, expected: String) {
        #expect(URIEncoding.encode(text, keepingSlashes: keepingSlashes) == expected)
    }

    private static func sign(_ vector: Vector, with signer: SigV4Signer, at date: Date) -> SigV4Signer.Signature {
        let payloadHash =
            vector.headers.first { $0.name.lowercased() == "x-amz-content-sha256" }?.value
            ?? Hex.encode(SHA256.hash(data: Array(vector.body.utf8)))
        return signer.sign(
            .init(
                method: vector.method, encodedPath: vector.path, query: vector.query, headers: vector.headers,
                payloadHash: payloadHash),
            at: date)
    }
}
