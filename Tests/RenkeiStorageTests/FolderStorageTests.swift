import Crypto
import Foundation
import Testing

@testable import RenkeiStorage

@Suite struct FolderStorageTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-storage-\(UUID())").path

    private func storage() throws -> FolderStorage { try FolderStorage(root: root) }

    /// Every file under the root, hidden ones included, as paths relative to it.
    private func filesOnDisk() -> [String] {
        (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }.sorted()
    }

    @Test func writerShowsTheObjectOnlyWhenFinished() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = try storage()
        let writer = try await storage.makeWriter("out/2026/records.csv", contentType: "text/csv")
        let lines = (0..<20_000).map { "row-\($0),値\($0)\n" }
        for line in lines { try await writer.write(Array(line.utf8)) }

        #expect(try await storage.list(prefix: "").isEmpty)
        #expect(try await !storage.exists("out/2026/records.csv"))
        await #expect(throws: StorageError.self) { _ = try await storage.get("out/2026/records.csv") }
        #expect(filesOnDisk().count == 1)
        #expect(filesOnDisk().first?.hasPrefix("out/2026/.records.csv.partial-") == true)

        let written = try await writer.finish()
        let expected = Array(lines.joined().utf8)
        #expect(
            written
                == WrittenObject(
                    name: "out/2026/records.csv", bytes: Int64(expected.count),
                    sha256: Hex.encode(SHA256.hash(data: expected))))
        #expect(try await storage.get("out/2026/records.csv") == expected)
        #expect(try await storage.list(prefix: "").map(\.name) == ["out/2026/records.csv"])
        #expect(filesOnDisk() == ["out/2026/records.csv"])
    }

    @Test func abortLeavesNothingBehind() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = try storage()
        let writer = try await storage.makeWriter("a/b.csv", contentType: "text/csv")
        try await writer.write(Array(repeating: 65, count: 1_000_000))
        await writer.abort()
        #expect(filesOnDisk().isEmpty)
        #expect(try await storage.list(prefix: "").isEmpty)
        await #expect(throws: StorageError.self) { try await writer.write([1]) }
    }

    @Test func listSkipsPartialFilesAndFoldersAndSortsByName() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = try storage()
        for name in ["b/2.csv", "a.csv", "b/1.csv", "b/sub/3.csv", "c.manifest"] {
            try await storage.put(name, Array(name.utf8), contentType: "text/plain")
        }
        let pending = try await storage.makeWriter("b/pending.csv", contentType: "text/csv")
        try await pending.write([1, 2, 3])
        try FileManager.default.createDirectory(atPath: root + "/empty-folder", withIntermediateDirectories: true)

        #expect(
            try await storage.list(prefix: "").map(\.name) == [
                "a.csv", "b/1.csv", "b/2.csv", "b/sub/3.csv", "c.manifest",
            ])
        #expect(try await storage.list(prefix: "b/").map(\.name) == ["b/1.csv", "b/2.csv", "b/sub/3.csv"])
        #expect(try await storage.list(prefix: "b/s").map(\.name) == ["b/sub/3.csv"])
        #expect(try await storage.list(prefix: "nothing/here").isEmpty)
        let listed = try await storage.list(prefix: "a")
        #expect(listed.first?.bytes == 5)
        #expect(listed.first?.modified != nil)
        await pending.abort()
    }

    @Test func moveCreatesTargetFoldersAndReplaces() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = try storage()
        try await storage.put("incoming/x.csv", [1, 2, 3], contentType: "text/csv")
        try await storage.put("done/deep/x.csv", [9], contentType: "text/csv")
        try await storage.move("incoming/x.csv", to: "done/deep/x.csv")
        #expect(try await storage.get("done/deep/x.csv") == [1, 2, 3])
        #expect(try await !storage.exists("incoming/x.csv"))
        try await storage.move("done/deep/x.csv", to: "archive/2026/11/x.csv")
        #expect(try await storage.list(prefix: "").map(\.name) == ["archive/2026/11/x.csv"])
        await #expect(throws: StorageError.self) { try await storage.move("missing.csv", to: "other.csv") }
    }

    @Test func deleteRemovesAndToleratesMissing() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = try storage()
        try await storage.put("x.csv", [1], contentType: "text/csv")
        try await storage.delete("x.csv")
        try await storage.delete("x.csv")
        #expect(try await !storage.exists("x.csv"))
    }

    @Test func readStreamsInChunksOfTheAskedSize() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = try storage()
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await storage.put("big.bin", bytes, contentType: "application/octet-stream")
        var chunks: [[UInt8]] = []
        for try await chunk in storage.read("big.bin", chunkBytes: 16_384) { chunks.append(chunk) }
        #expect(chunks.map(\.count) == [16_384, 16_384, 16_384, 16_384, 16_384, 16_384, 1_696])
        #expect(Array(chunks.joined()) == bytes)
        await #expect(throws: StorageError.self) {
            for try await _ in storage.read("missing.bin", chunkBytes: 10) {}
        }
    }

    @Test(arguments: ["", "/etc/passwd", "a/../../b", "..", "a//b", "a/", "./a", "a/.b.csv.partial-12ab"])
    func rejectsNamesOutsideTheFolder(_ name: String) async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = try storage()
        let error = await #expect(throws: StorageError.self) {
            try await storage.put(name, [1], contentType: "text/plain")
        }
        #expect(error?.code == .invalidLocation)
        #expect(error?.description.contains(root) == true)
        #expect(filesOnDisk().isEmpty)
    }

    @Test func getOfAMissingObjectIsNotFound() async throws {
        let storage = try storage()
        let error = await #expect(throws: StorageError.self) { _ = try await storage.get("none.csv") }
        #expect(error?.code == .notFound)
        #expect(error?.description.contains("none.csv") == true)
    }
}
