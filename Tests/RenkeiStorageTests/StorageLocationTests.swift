import Foundation
import Testing

@testable import RenkeiStorage

@Suite struct StorageLocationTests {
    @Test(arguments: [
        ("file:///var/renkei/out", StorageLocation.folder(path: "/var/renkei/out"), "file:///var/renkei/out"),
        ("file:///var/renkei/out/", .folder(path: "/var/renkei/out"), "file:///var/renkei/out"),
        ("file://localhost/srv/x", .folder(path: "/srv/x"), "file:///srv/x"),
        ("file:///tmp/with%20space", .folder(path: "/tmp/with space"), "file:///tmp/with%20space"),
        (
            "s3://renkei-files/linkage/juki", .s3(bucket: "renkei-files", prefix: "linkage/juki"),
            "s3://renkei-files/linkage/juki"
        ),
        ("s3://renkei-files/", .s3(bucket: "renkei-files", prefix: ""), "s3://renkei-files"),
        ("S3://my.bucket.01/a/", .s3(bucket: "my.bucket.01", prefix: "a"), "s3://my.bucket.01/a"),
    ])
    func parsesAndPrintsBack(_ text: String, expected: StorageLocation, printed: String) throws {
        let location = try StorageLocation(parsing: text)
        #expect(location == expected)
        #expect(location.description == printed)
        #expect(try StorageLocation(parsing: location.description) == location)
    }

    @Test(arguments: [
        ("file://relative/path", "absolute"),
        ("file:relative", "expected file:///absolute/path"),
        ("/abs/path", "file:///abs/path"),
        ("file:///a/../b", "'..'"),
        ("s3://", "bucket name is missing"),
        ("s3:///prefix", "bucket name is missing"),
        ("s3://Upper/x", "lowercase"),
        ("s3://ab/x", "3 to 63"),
        ("s3://-bucket/x", "begin and end"),
        ("s3://a..b/x", "adjacent periods"),
        ("s3://192.168.1.1/x", "IP address"),
        ("s3://bucket/a//b", "empty"),
        ("http://example.com/x", "unknown scheme 'http'"),
    ])
    func rejectsWithAReason(_ text: String, reason: String) {
        let error = #expect(throws: StorageError.self) { try StorageLocation(parsing: text) }
        #expect(error?.code == .invalidLocation)
        #expect(error?.description.contains(reason) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains(text) == true)
    }

    @Test func opensTheKindTheLocationNames() throws {
        let folder = Storage.open(try StorageLocation(parsing: "file:///tmp/renkei-x"), settings: S3Settings())
        #expect(folder is FolderStorage)
        #expect(folder.location.description == "file:///tmp/renkei-x")
        let bucket = Storage.open(try StorageLocation(parsing: "s3://renkei-files/in"), settings: S3Settings())
        #expect(bucket is S3Storage)
        #expect(bucket.location == .s3(bucket: "renkei-files", prefix: "in"))
    }
}

@Suite struct S3SettingsTests {
    @Test func readsTheStandardEnvironment() {
        let settings = S3Settings.fromEnvironment([
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secret-from-env", "AWS_SESSION_TOKEN": "tok",
            "AWS_DEFAULT_REGION": "ap-northeast-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:9000",
        ])
        #expect(settings.region == "ap-northeast-1")
        #expect(settings.endpointURL == "http://127.0.0.1:9000")
        #expect(settings.effectiveAddressing == .path)
        #expect(settings.credentials?.accessKeyID == "AKIDENV")
        #expect(settings.credentials?.sessionToken == "tok")
        #expect(settings.effectivePartSize == 8 * 1024 * 1024)
    }

    @Test func defaultsToAWSWithVirtualHostedAddressing() {
        let settings = S3Settings.fromEnvironment(["AWS_REGION": "eu-west-1"])
        #expect(settings.endpointURL == "https://s3.eu-west-1.amazonaws.com")
        #expect(settings.effectiveAddressing == .virtualHosted)
        #expect(settings.credentials == nil)
        #expect(S3Settings.fromEnvironment([:]).region == "us-east-1")
    }

    @Test func raisesATooSmallPartSizeToTheMinimum() {
        var settings = S3Settings()
        settings.partSize = 1024
        #expect(settings.effectivePartSize == 5 * 1024 * 1024)
    }

    @Test(arguments: [
        (
            "https://s3.ap-northeast-1.amazonaws.com", S3Settings.Addressing?.none, "renkei-files",
            "https://renkei-files.s3.ap-northeast-1.amazonaws.com/in/a%20b%2B1.csv",
            "renkei-files.s3.ap-northeast-1.amazonaws.com", "/in/a%20b%2B1.csv"
        ),
        (
            "http://127.0.0.1:5000", nil, "renkei-files", "http://127.0.0.1:5000/renkei-files/in/a%20b%2B1.csv",
            "127.0.0.1:5000", "/renkei-files/in/a%20b%2B1.csv"
        ),
        (
            "https://s3.example.jp:443/", .virtualHosted, "renkei-files",
            "https://renkei-files.s3.example.jp/in/a%20b%2B1.csv", "renkei-files.s3.example.jp", "/in/a%20b%2B1.csv"
        ),
        (
            "https://s3.amazonaws.com", .path, "renkei-files", "https://s3.amazonaws.com/renkei-files/in/a%20b%2B1.csv",
            "s3.amazonaws.com", "/renkei-files/in/a%20b%2B1.csv"
        ),
        (
            "https://s3.amazonaws.com", nil, "dotted.bucket", "https://s3.amazonaws.com/dotted.bucket/in/a%20b%2B1.csv",
            "s3.amazonaws.com", "/dotted.bucket/in/a%20b%2B1.csv"
        ),
    ])
    func buildsVirtualHostedAndPathStyleURLs(
        endpoint: String, addressing: S3Settings.Addressing?, bucket: String, url: String, host: String, path: String
    ) throws {
        let client = S3Client(
            bucket: bucket, settings: S3Settings(endpoint: endpoint, addressing: addressing), locationText: "test",
            logger: .init(label: "test"))
        let target = try client.target(key: "in/a b+1.csv", query: [])
        #expect(target == S3Client.Target(url: url, host: host, encodedPath: path))
    }

    @Test func sendsQueryParametersInCanonicalOrder() throws {
        let client = S3Client(
            bucket: "b-1", settings: S3Settings(endpoint: "http://localhost:9000"), locationText: "test",
            logger: .init(label: "test"))
        let target = try client.target(
            key: nil,
            query: [(name: "uploads", value: ""), (name: "prefix", value: "in/ x"), (name: "list-type", value: "2")])
        #expect(target.url == "http://localhost:9000/b-1?list-type=2&prefix=in%2F%20x&uploads")
    }
}

@Suite struct S3CredentialsTests {
    @Test func readsASecretsFileAndNeverPrintsTheSecret() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-secrets-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(
            """
            # Renkei S3 key
            access_key_id = AKIDFILE
            AWS_SECRET_ACCESS_KEY=very-secret/value=
            session_token=token-value

            """.utf8
        ).write(to: URL(fileURLWithPath: path))
        let credentials = try S3Credentials.load(secretsFile: path)
        #expect(credentials.accessKeyID == "AKIDFILE")
        #expect(credentials.secretAccessKey == "very-secret/value=")
        #expect(credentials.sessionToken == "token-value")
        for text in ["\(credentials)", String(reflecting: credentials)] {
            #expect(!text.contains("very-secret"))
            #expect(!text.contains("token-value"))
        }
    }

    @Test func namesTheLineOfABadSecretsFileWithoutItsValue() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-secrets-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("access_key_id=AKID\nsecret_access_key-hunter2\n".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StorageError.self) { try S3Credentials.load(secretsFile: path) }
        #expect(error?.code == .missingCredentials)
        #expect(error?.description.contains("line 2") == true)
        #expect(error?.description.contains("hunter2") == false)
    }

    @Test func requestsWithoutCredentialsFailClearly() async throws {
        let storage = S3Storage(bucket: "renkei-files", settings: S3Settings(endpoint: "http://127.0.0.1:9"))
        let error = await #expect(throws: StorageError.self) { _ = try await storage.get("x.csv") }
        #expect(error?.code == .missingCredentials)
        #expect(error?.description.contains("s3://renkei-files") == true)
    }
}
