import Crypto
import Foundation
import RenkeiContracts
import RenkeiStorage
import RenkeiTestSupport
import Testing

@testable import RenkeiBus

/// File linkage (ファイル連携) through S3: receiver 008's files and provider 001's inbox in a bucket of a moto server
/// that checks signatures, written and read by the bus's own S3 client and read back independently. A bucket per
/// test. Without moto the suite is skipped and says why; in CI (`CI` set) a missing moto fails it instead.
@Suite(
    .serialized, .motoServer,
    .enabled(
        if: MotoServer.command != nil || MotoServer.inCI,
        "moto is not installed (pip install 'moto[server]'): the S3 file linkage tests need a moto server")
)
struct S3FileLinkageTests {
    let linkage = "resident-register-daily"

    private var server: MotoServer {
        get throws { try #require(MotoServer.current, "the suite's moto server is not running") }
    }

    /// A copy of the sample contracts with receiver 008's storage and provider 001's inbox in `bucket`, and short
    /// back-offs so a failing storage gives up quickly.
    private func contracts(bucket: String) throws -> String {
        let directory = try contractsCopy(
            editing: "systems.yaml", replacing: "storage: file:outbox/008", with: "storage: s3://\(bucket)")
        for (file, old, new) in [
            ("systems.yaml", "inbox: file:inbox/001", "inbox: s3://\(bucket)"),
            (
                "linkages/resident-register-daily.yaml", "backoff: { initial: 1s, max: 30s }",
                "backoff: { initial: 10ms, max: 20ms }"
            ),
        ] {
            let path = directory + "/" + file
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try #require(text.contains(old), "\(file) does not contain \(old)")
            try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
        }
        return directory
    }

    /// The bus reaches the suite's moto server with its IAM user's key, bucket in the path.
    private func onMoto(_ server: MotoServer, partSize: Int? = nil) -> (inout BusConfiguration) -> Void {
        { configuration in
            configuration.s3 = server.settings
            configuration.s3.addressing = .path
            if let partSize { configuration.s3.partSize = partSize }
        }
    }

    private func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    private func rows(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    @Test func bulkTransferLandsInTheBucketAsCSVAndAManifestThatMatchIt() async throws {
        let server = try server
        let bucket = try await server.makeStorage()
        try await BusHarness.with(contracts: try contracts(bucket: bucket.bucket), configure: onMoto(server)) {
            harness in
            let (csv, records) = harness.residentsCSV(2500)
            _ = try await harness.bus.provideBulk(
                linkage: linkage, provider: "001", format: .csv, chunks: ChunkedBytes(bytes: csv, chunkSize: 64 * 1024))
            let manifest = try #require(try await harness.bus.deliverFile(linkage: linkage, receiver: "008"))
            let manifestName = manifest.file.replacingOccurrences(of: ".csv", with: ".manifest.json")
            #expect(try await bucket.list(prefix: "").map(\.name) == [manifest.file, manifestName])
            #expect(manifest.file.hasPrefix("\(linkage)/"))
            #expect(
                manifest.file.hasSuffix(
                    "_001_008_" + FileName.stamp(manifest.windowTo, timeZone: .tokyo) + "_000001.csv"))

            // boto3, not our client, reads the object: its size and hash are the manifest's.
            let read = try server.boto3Digest(bucket: bucket.bucket, key: manifest.file)
            #expect(read.bytes == Int(manifest.bytes))
            #expect(read.sha256 == manifest.sha256)

            let bytes = try await bucket.get(manifest.file)
            #expect(sha256(bytes) == manifest.sha256)
            #expect(manifest.records == 2500)
            let lines = rows(bytes)
            let receiver = try #require(harness.contracts.linkage(linkage)?.receiver("008"))
            #expect(lines.first == receiver.items.map { harness.layout.item($0)!.name }.joined(separator: ","))
            #expect(lines.count == 2501)
            #expect(Set(lines.dropFirst().map { String($0.prefix { $0 != "," }) }) == Set(records.map { $0[0]! }))
            #expect(FileManifest.decode(try await bucket.get(manifestName)) == manifest)

            let entries = try await harness.history(HistoryFilter(linkage: linkage, system: "008", kind: .delivery))
            #expect(entries.contains { $0.file == "s3://\(bucket.bucket)/\(manifest.file)" && $0.recordCount == 2500 })

            // The next file finds where the receiver stands by listing the bucket: sequence 2, after the first.
            let second = try #require(try await harness.bus.deliverFile(linkage: linkage, receiver: "008"))
            #expect(second.sequence == 2)
            #expect(second.windowFrom == manifest.windowTo)
        }
    }

    @Test func aFileLargerThanOnePartArrivesWhole() async throws {
        let server = try server
        let bucket = try await server.makeStorage()
        let partSize = S3Settings.minimumPartSize
        try await BusHarness.with(
            contracts: try contracts(bucket: bucket.bucket), configure: onMoto(server, partSize: partSize)
        ) { harness in
            let (csv, _) = harness.residentsCSV(30_000)
            _ = try await harness.bus.provideBulk(
                linkage: linkage, provider: "001", format: .csv,
                chunks: ChunkedBytes(bytes: csv, chunkSize: 1024 * 1024))
            let manifest = try #require(try await harness.bus.deliverFile(linkage: linkage, receiver: "008"))
            #expect(manifest.records == 30_000)
            // More than one part, so the writer had to use a multipart upload.
            try #require(manifest.bytes > Int64(partSize))

            let read = try server.boto3Digest(bucket: bucket.bucket, key: manifest.file)
            #expect(read.bytes == Int(manifest.bytes))
            #expect(read.sha256 == manifest.sha256)
            var hasher = SHA256()
            var lineEnds = 0
            for try await chunk in bucket.read(manifest.file, chunkBytes: 4 * 1024 * 1024) {
                hasher.update(data: chunk)
                lineEnds += chunk.lazy.filter { $0 == UInt8(ascii: "\n") }.count
            }
            #expect(hasher.finalize().map { String(format: "%02x", $0) }.joined() == manifest.sha256)
            #expect(lineEnds == 30_001)
        }
    }

    @Test func inboxFilesAreIngestedAndMovedToDoneOrFailed() async throws {
        let server = try server
        let bucket = try await server.makeStorage()
        try await BusHarness.with(contracts: try contracts(bucket: bucket.bucket), configure: onMoto(server)) {
            harness in
            let (csv, _) = harness.residentsCSV(300)
            try await bucket.put("resident-change/changes-0001.csv", csv, contentType: "text/csv")
            // Row 2: 性別 (a code item) gets a value outside its code table; resident-change rejects the whole file.
            var lines = String(decoding: harness.residentsCSV(5).csv, as: UTF8.self).components(separatedBy: "\r\n")
            let column = try #require(lines[0].components(separatedBy: ",").firstIndex(of: "性別"))
            var fields = lines[2].components(separatedBy: ",")
            fields[column] = "SECRET-9"
            lines[2] = fields.joined(separator: ",")
            let bad = Array(lines.joined(separator: "\r\n").utf8)
            try await bucket.put("resident-change/bad.csv", bad, contentType: "text/csv")

            let results = try await harness.bus.ingestInbox(of: "001")
            #expect(results.map(\.file) == ["resident-change/bad.csv", "resident-change/changes-0001.csv"])
            let refused = try #require(results.first)
            #expect(refused.outcome == "refused")
            #expect(refused.errors.first?.line == 3)
            #expect(refused.errors.first?.item == "性別")
            let ingested = try #require(results.last)
            #expect(ingested.outcome == "ingested")
            #expect(ingested.accepted == 300)
            #expect(ingested.sha256 == sha256(csv))

            #expect(
                try await bucket.list(prefix: "").map(\.name) == [
                    "resident-change/done/changes-0001.csv", "resident-change/done/changes-0001.csv.result.json",
                    "resident-change/failed/bad.csv", "resident-change/failed/bad.csv.result.json",
                ])
            #expect(try await bucket.get("resident-change/done/changes-0001.csv") == csv)
            #expect(try await bucket.get("resident-change/failed/bad.csv") == bad)
            let done = try #require(
                InboxResult.decode(try await bucket.get("resident-change/done/changes-0001.csv.result.json")))
            #expect(done.transfer == ingested.transfer)
            #expect(done.outcome == "ingested")
            let failed = try await bucket.get("resident-change/failed/bad.csv.result.json")
            #expect(InboxResult.decode(failed)?.outcome == "refused")
            #expect(!String(decoding: failed, as: UTF8.self).contains("SECRET-9"))
            #expect(try await harness.feed("resident-change", "018").count == 300)

            // Nothing waits any more: a second round finds no file.
            #expect(try await harness.bus.ingestInbox(of: "001").isEmpty)
        }
    }

    @Test func storageDownLeavesADeadLetterAndNoObject() async throws {
        let server = try server
        let bucket = try await server.makeStorage()
        let deadPort = try MotoServer.freePort()
        let configure: (inout BusConfiguration) -> Void = { configuration in
            onMoto(server)(&configuration)
            configuration.s3.endpoint = "http://127.0.0.1:\(deadPort)"
            configuration.s3.retries = 1
            configuration.s3.retryBaseDelay = .milliseconds(10)
            configuration.s3.requestTimeout = .seconds(2)
        }
        try await BusHarness.with(contracts: try contracts(bucket: bucket.bucket), configure: configure) { harness in
            _ = try await harness.bus.provide(linkage: linkage, provider: "001", records: harness.residents(5).jsonl)
            let error = await #expect(throws: FileDeliveryError.self) {
                try await harness.bus.deliverFile(linkage: linkage, receiver: "008")
            }
            #expect(error?.linkage == linkage)
            #expect(error?.cause.contains("s3://\(bucket.bucket)") == true)
            let letters = try await DeadLetterReader(bus: harness.bus).list(
                DeadLetterFilter(linkage: linkage, receiver: "008"))
            let letter = try #require(letters.first)
            #expect(letters.count == 1)
            #expect(letter.reasons == [Bus.fileNotWritten])
            #expect(letter.attempts == 3)
            let entries = try await harness.history(HistoryFilter(linkage: linkage, system: "008", kind: .deadLetter))
            #expect(
                entries.contains {
                    $0.reason == Bus.fileNotWritten && $0.file?.hasPrefix("s3://\(bucket.bucket)/") == true
                })
            #expect(try await bucket.list(prefix: "").isEmpty)
        }
    }
}

extension TimeZone {
    fileprivate static let tokyo = TimeZone(identifier: "Asia/Tokyo")!
}
