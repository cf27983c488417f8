import Crypto
import Foundation
import RenkeiTestSupport
import Testing

@testable import RenkeiStorage

/// ``S3Storage`` against a real moto server on loopback that checks signatures. Without moto the suite is skipped
/// and says why; in CI (`CI` set) a missing moto fails it instead.
@Suite(
    .serialized, .motoServer,
    .enabled(
        if: MotoServer.command != nil || MotoServer.inCI,
        "moto is not installed (pip install 'moto[server]'): the S3 tests need a moto server")
)
struct S3StorageTests {
    private var server: MotoServer {
        get throws { try #require(MotoServer.current, "the suite's moto server is not running") }
    }

    /// Bytes that differ from part to part, so a part sent twice or out of order shows.
    private static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    @Test func putsGetsAndListsAcrossPages() async throws {
        let server = try server
        let storage = try await server.makeStorage { $0.listPageSize = 2 }
        let names = ["in/3.csv", "in/1.csv", "in/sub/2.csv", "in/4.csv", "manifest.json"]
        for name in names { try await storage.put(name, Array("body of \(name)".utf8), contentType: "text/csv") }

        #expect(try await storage.list(prefix: "").map(\.name) == names.sorted())
        let inbox = try await storage.list(prefix: "in")
        #expect(inbox.map(\.name) == ["in/1.csv", "in/3.csv", "in/4.csv", "in/sub/2.csv"])
        #expect(inbox.first?.bytes == Int64("body of in/1.csv".utf8.count))
        #expect(inbox.first?.modified != nil)
        #expect(try await storage.get("in/sub/2.csv") == Array("body of in/sub/2.csv".utf8))
        #expect(try await storage.exists("manifest.json"))
        #expect(try await !storage.exists("in/5.csv"))
    }

    @Test func listsAFolderPrefixWithoutItsSiblings() async throws {
        let server = try server
        let storage = try await server.makeStorage { $0.listPageSize = 2 }
        for name in ["in/1.csv", "in/done/1.csv", "in.csv", "inbox/2.csv", "in-other/3.csv", "area/in/4.csv"] {
            try await storage.put(name, [1], contentType: "text/csv")
        }
        #expect(try await storage.list(prefix: "in/").map(\.name) == ["in/1.csv", "in/done/1.csv"])
        // Storage under a key prefix lists only its own keys, not those of a sibling prefix that starts alike.
        try await storage.put("area-old/in/5.csv", [1], contentType: "text/csv")
        let area = S3Storage(bucket: storage.bucket, prefix: "area", settings: server.settings)
        #expect(try await area.list(prefix: "").map(\.name) == ["in/4.csv"])
    }

    @Test func movesAndDeletes() async throws {
        let server = try server
        let storage = try await server.makeStorage()
        try await storage.put("incoming/a.csv", [1, 2, 3], contentType: "text/csv")
        try await storage.move("incoming/a.csv", to: "done/a.csv")
        #expect(try await storage.list(prefix: "").map(\.name) == ["done/a.csv"])
        #expect(try await storage.get("done/a.csv") == [1, 2, 3])
        try await storage.delete("done/a.csv")
        try await storage.delete("done/a.csv")
        #expect(try await storage.list(prefix: "").isEmpty)
        let error = await #expect(throws: StorageError.self) { _ = try await storage.get("done/a.csv") }
        #expect(error?.code == .notFound)
        #expect(error?.description.contains("done/a.csv") == true)
    }

    @Test func writerShowsASmallObjectOnlyWhenFinished() async throws {
        let server = try server
        let storage = try await server.makeStorage()
        let writer = try await storage.makeWriter("out.csv", contentType: "text/csv")
        try await writer.write(Array("a,b\n".utf8))
        try await writer.write(Array("1,2\n".utf8))
        #expect(try await storage.list(prefix: "").isEmpty)
        let written = try await writer.finish()
        #expect(written.bytes == 8)
        #expect(written.sha256 == Hex.encode(SHA256.hash(data: Array("a,b\n1,2\n".utf8))))
        #expect(try await storage.get("out.csv") == Array("a,b\n1,2\n".utf8))
    }

    @Test func multipartUploadComesBackByteIdentical() async throws {
        let server = try server
        let storage = try await server.makeStorage { $0.partSize = 5 * 1024 * 1024 }
        let data = Self.bytes(12 * 1024 * 1024 + 12_345, seed: 7)
        let writer = try await storage.makeWriter("big.bin", contentType: "application/octet-stream")
        var offset = 0
        while offset < data.count {
            let end = min(offset + 1_000_003, data.count)
            try await writer.write(Array(data[offset..<end]))
            offset = end
        }
        #expect(try await storage.client.listMultipartUploads(prefix: "").count == 1)
        #expect(try await storage.list(prefix: "").isEmpty)
        let written = try await writer.finish()
        let expectedHash = Hex.encode(SHA256.hash(data: data))
        #expect(written == WrittenObject(name: "big.bin", bytes: Int64(data.count), sha256: expectedHash))

        #expect(try await storage.list(prefix: "").map(\.bytes) == [Int64(data.count)])
        #expect(try await storage.client.listMultipartUploads(prefix: "").isEmpty)
        var hasher = SHA256()
        var chunkSizes: [Int] = []
        for try await chunk in storage.read("big.bin", chunkBytes: 4 * 1024 * 1024) {
            hasher.update(data: chunk)
            chunkSizes.append(chunk.count)
        }
        #expect(Hex.encode(hasher.finalize()) == expectedHash)
        #expect(chunkSizes == [4_194_304, 4_194_304, 4_194_304, 12_345])

        // An independent client reads back what we wrote.
        let read = try server.boto3Digest(bucket: storage.bucket, key: "big.bin")
        #expect(read.bytes == data.count)
        #expect(read.sha256 == expectedHash)
    }

    @Test func abortLeavesNoObjectAndNoPendingUpload() async throws {
        let server = try server
        let storage = try await server.makeStorage { $0.partSize = 5 * 1024 * 1024 }
        let writer = try await storage.makeWriter("big.bin", contentType: "application/octet-stream")
        try await writer.write(Self.bytes(6 * 1024 * 1024, seed: 3))
        #expect(try await storage.client.listMultipartUploads(prefix: "").count == 1)
        await writer.abort()
        #expect(try await storage.client.listMultipartUploads(prefix: "").isEmpty)
        #expect(try await !storage.exists("big.bin"))
        #expect(try await storage.list(prefix: "").isEmpty)
    }

    @Test func aWrongSecretIsRefusedClearly() async throws {
        let server = try server
        let good = try await server.makeStorage()
        var wrongSecret = server.settings
        wrongSecret.credentials?.secretAccessKey = "not-the-secret-key-0123456789"
        let storage = S3Storage(bucket: good.bucket, prefix: "refused", settings: wrongSecret)
        let error = await #expect(throws: StorageError.self) {
            try await storage.put("x.csv", [1], contentType: "text/csv")
        }
        #expect(error?.code == .refused)
        #expect(error?.httpStatus == 403)
        #expect(error?.serviceCode == "SignatureDoesNotMatch")
        #expect(error?.isRetriable == false)
        #expect(error?.description.contains("s3://\(good.bucket)/refused") == true)
        #expect(error?.description.contains("x.csv") == true)
        #expect(error?.description.contains("not-the-secret-key") == false)

        var unknownKey = server.settings
        unknownKey.credentials = S3Credentials(accessKeyID: "AKIDUNKNOWN0000000", secretAccessKey: "whatever")
        let unknown = S3Storage(bucket: good.bucket, settings: unknownKey)
        let unknownError = await #expect(throws: StorageError.self) { _ = try await unknown.get("x.csv") }
        #expect(unknownError?.serviceCode == "InvalidAccessKeyId")
        #expect(unknownError?.httpStatus == 403)
    }
}

@Suite struct S3UnreachableTests {
    @Test func storageDownIsARetriableUnreachableErrorQuickly() async throws {
        let port = try MotoServer.freePort()
        var settings = S3Settings(
            endpoint: "http://127.0.0.1:\(port)", credentials: S3Credentials(accessKeyID: "AKID", secretAccessKey: "s"))
        settings.retries = 2
        settings.retryBaseDelay = .milliseconds(50)
        settings.requestTimeout = .seconds(2)
        let storage = S3Storage(bucket: "renkei-files", prefix: "in", settings: settings)
        let started = ContinuousClock.now
        let error = await #expect(throws: StorageError.self) { _ = try await storage.get("a.csv") }
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(error?.code == .unreachable)
        #expect(error?.isRetriable == true)
        #expect(error?.description.contains("s3://renkei-files/in") == true)
    }
}
