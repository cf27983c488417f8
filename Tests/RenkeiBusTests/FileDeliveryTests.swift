import Crypto
import Foundation
import RenkeiContracts
import RenkeiKafka
import Testing

@testable import RenkeiBus

/// File delivery (ファイル連携) to a folder: CSV of exactly the receiver's items plus a manifest written after it.
@Suite(.serialized) struct FileDeliveryTests {
    let linkage = "resident-register-daily"

    /// A fresh data directory; the sample contracts put receiver 008's files under `outbox/008` in it.
    private func dataDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-files-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func files(_ root: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root)
        return ((enumerator?.allObjects as? [String]) ?? []).filter { $0.hasSuffix(".csv") || $0.hasSuffix(".json") }
            .sorted()
    }

    private func rows(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    @Test func aFileAnotherInstanceClaimedIsNotWrittenHereAndItsOwnClaimHoldsAcrossARestart() async throws {
        let data = try dataDirectory()
        try await BusHarness.with(configure: { $0.dataDirectory = data }) { harness in
            let (csv, _) = harness.residentsCSV(20)
            _ = try await harness.bus.provideBulk(
                linkage: linkage, provider: "001", format: .csv, chunks: ChunkedBytes(bytes: csv, chunkSize: 64 * 1024))
            // Another instance won file #1 of 008 (an on-demand request there, or a lease holder that was paused).
            let elsewhere = try await harness.bus.shared.claim(
                "file \(linkage)/008 #1", owner: "instance:other", expires: Date().addingTimeInterval(60))
            #expect(elsewhere)
            await #expect(throws: FileWindowTaken.self) {
                try await harness.bus.deliverFile(linkage: linkage, receiver: "008")
            }
            #expect(files(data + "/outbox/008").isEmpty, "nothing written, no dead letter")
            let letters = try await DeadLetterReader(bus: harness.bus).list(
                DeadLetterFilter(linkage: linkage, receiver: "008"))
            #expect(letters.isEmpty)
            // This instance's own claim is its own again (a restart in the middle of writing the file).
            #expect(try await harness.bus.shared.claimFileWindow(linkage: linkage, receiver: "008", sequence: 2))
            #expect(try await harness.bus.shared.claimFileWindow(linkage: linkage, receiver: "008", sequence: 2))
        }
    }

    @Test func transferLandsAsCSVWithAManifestWhoseHashMatches() async throws {
        let data = try dataDirectory()
        try await BusHarness.with(configure: { $0.dataDirectory = data }) { harness in
            let (csv, records) = harness.residentsCSV(2500)
            _ = try await harness.bus.provideBulk(
                linkage: linkage, provider: "001", format: .csv, chunks: ChunkedBytes(bytes: csv, chunkSize: 64 * 1024))
            let manifest = try #require(try await harness.bus.deliverFile(linkage: linkage, receiver: "008"))
            let outbox = data + "/outbox/008"
            #expect(
                files(outbox) == [
                    manifest.file, manifest.file.replacingOccurrences(of: ".csv", with: ".manifest.json"),
                ])
            #expect(manifest.file.hasPrefix("\(linkage)/"))
            #expect(
                manifest.file.hasSuffix(
                    "_001_008_" + FileName.stamp(manifest.windowTo, timeZone: TimeZone(identifier: "Asia/Tokyo")!)
                        + "_000001.csv"))
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: outbox + "/" + manifest.file)))
            #expect(manifest.sha256 == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
            #expect(manifest.bytes == Int64(bytes.count))
            #expect(manifest.records == 2500)
            #expect(manifest.mode == "full")
            let lines = rows(bytes)
            let receiver = try #require(harness.contracts.linkage(linkage)?.receiver("008"))
            let names = receiver.items.map { harness.layout.item($0)!.name }
            #expect(lines.first == names.joined(separator: ","))
            #expect(manifest.items == names)
            #expect(lines.count == 2501)
            // Every resident is there once, by key (the first item of the receiver's layout order is 宛名番号).
            #expect(Set(lines.dropFirst().map { String($0.prefix { $0 != "," }) }) == Set(records.map { $0[0]! }))
            // The manifest names what the file was written under, and the history says who got which file.
            let read = try #require(
                FileManifest.decode(
                    try [UInt8](
                        Data(
                            contentsOf: URL(
                                fileURLWithPath: outbox + "/"
                                    + manifest.file.replacingOccurrences(of: ".csv", with: ".manifest.json"))))))
            #expect(read == manifest)
            let entries = try await harness.history(HistoryFilter(linkage: linkage, system: "008", kind: .delivery))
            let entry = try #require(entries.first { $0.file != nil })
            #expect(entry.file == "file://\(outbox)/\(manifest.file)")
            #expect(entry.recordCount == 2500)
            #expect(entry.items == receiver.items)
            // "Who received what about resident R": the report names the file that carried R.
            let resident = try #require(records.first?[0])
            #expect(await harness.bus.history.catchUp(within: .seconds(10)))
            let report = try await ResidentReport.make(
                key: resident, indexer: harness.bus.history, contracts: harness.contracts)
            #expect(report.lines.contains { $0.kind == .delivery && $0.file == entry.file })
        }
    }

    @Test func fullFilesHoldEveryKeyAndDifferentialFilesOnlyTheChanges() async throws {
        let differential = try contractsCopy(
            editing: "linkages/resident-register-daily.yaml", replacing: "    mode: full",
            with: "    mode: differential")
        for (contracts, mode) in [(BusHarness.contractsDirectory, FileMode.full), (differential, .differential)] {
            let data = try dataDirectory()
            try await BusHarness.with(contracts: contracts, configure: { $0.dataDirectory = data }) { harness in
                let (jsonl, records) = harness.residents(200)
                _ = try await harness.bus.provide(linkage: linkage, provider: "001", records: jsonl)
                let first = try #require(try await harness.bus.deliverFile(linkage: linkage, receiver: "008"))
                #expect(first.records == 200)
                // Three residents change (a new 氏名_フリガナ would do; the generator's next seed gives new values
                // for the same keys when the keys are reused).
                let changed = harness.residents(3, seed: 99).records
                var lines: [String] = []
                for (index, record) in changed.enumerated() {
                    var values = record
                    values[0] = records[index][0]
                    lines.append(jsonLine(harness.layout, values))
                }
                _ = try await harness.bus.provide(
                    linkage: linkage, provider: "001", records: Array(lines.joined(separator: "\n").utf8))
                let second = try #require(try await harness.bus.deliverFile(linkage: linkage, receiver: "008"))
                #expect(second.sequence == 2)
                #expect(second.windowFrom == first.windowTo)
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: data + "/outbox/008/" + second.file)))
                let body = rows(bytes).dropFirst()
                switch mode {
                case .full:
                    #expect(second.records == 200)
                    #expect(body.count == 200)
                    // Each changed key appears once, with its new values.
                    for index in 0..<3 {
                        let key = records[index][0]!
                        let keyed = body.filter { $0.hasPrefix(key + ",") }
                        #expect(keyed.count == 1)
                    }
                case .differential:
                    #expect(second.records == 3)
                    #expect(Set(body.map { String($0.prefix { $0 != "," }) }) == Set(records.prefix(3).map { $0[0]! }))
                }
            }
        }
    }

    @Test func storageThatKeepsFailingLeavesADeadLetterAndNoFile() async throws {
        // A folder under a regular file can never be created: every attempt fails.
        let blocker = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-blocker-\(UUID())").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let contracts = try contractsCopy(
            editing: "systems.yaml", replacing: "storage: file:outbox/008", with: "storage: file://\(blocker)/008")
        let policy = contracts + "/linkages/resident-register-daily.yaml"
        let text = try String(contentsOfFile: policy, encoding: .utf8)
        try text.replacingOccurrences(
            of: "backoff: { initial: 1s, max: 30s }", with: "backoff: { initial: 10ms, max: 20ms }"
        )
        .write(toFile: policy, atomically: true, encoding: .utf8)
        try await BusHarness.with(contracts: contracts) { harness in
            _ = try await harness.bus.provide(linkage: linkage, provider: "001", records: harness.residents(5).jsonl)
            await #expect(throws: FileDeliveryError.self) {
                try await harness.bus.deliverFile(linkage: linkage, receiver: "008")
            }
            let letters = try await DeadLetterReader(bus: harness.bus).list(
                DeadLetterFilter(linkage: linkage, receiver: "008"))
            let letter = try #require(letters.first)
            #expect(letter.reasons == [Bus.fileNotWritten])
            #expect(letter.attempts == 3)
            let entries = try await harness.history(HistoryFilter(linkage: linkage, system: "008", kind: .deadLetter))
            #expect(entries.contains { $0.reason == Bus.fileNotWritten && $0.file?.hasSuffix("_000001.csv") == true })
            #expect(!FileManager.default.fileExists(atPath: blocker + "/008"))
            // Nothing to replay: the records are still on the receiver's topic for its next file.
            await #expect(throws: ReplayError.self) { try await harness.bus.replay(letter.reference, dryRun: true) }
        }
    }

    @Test func aRestartAfterADataFileWithoutManifestWritesNoDuplicate() async throws {
        let data = try dataDirectory()
        try await BusHarness.with(configure: { $0.dataDirectory = data }) { harness in
            let before = harness.residents(10)
            _ = try await harness.bus.provide(linkage: linkage, provider: "001", records: before.jsonl)
            let first = try #require(try await harness.bus.deliverFile(linkage: linkage, receiver: "008"))
            // A crash between the data file and the manifest of the next window: a data file of sequence 2 exists,
            // with no manifest.
            let orphan = first.file.replacingOccurrences(of: "_000001.csv", with: "_000002.csv")
            let orphanPath = data + "/outbox/008/" + orphan
            try Data("partial".utf8).write(to: URL(fileURLWithPath: orphanPath))
            // Left by a crash a while ago (a younger one could be another writer's, its manifest on the way).
            try FileManager.default.setAttributes(
                [.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: orphanPath)
            let after = harness.residents(4, seed: 3)
            _ = try await harness.bus.provide(linkage: linkage, provider: "001", records: after.jsonl)
            // The restarted bus (another instance on the same cluster and data directory) finds where 008 stands
            // from its storage alone.
            var configuration = harness.bus.configuration
            configuration.instance = "restarted"
            let restarted = try await Bus.start(
                contracts: harness.contracts, configuration: configuration, logger: harness.logger)
            let second: FileManifest
            do {
                second = try #require(try await restarted.deliverFile(linkage: linkage, receiver: "008"))
                await restarted.shutdown()
            } catch {
                await restarted.shutdown()
                throw error
            }
            #expect(second.sequence == 2)
            // A full file: every key once.
            #expect(second.records == Set((before.records + after.records).map { $0[0]! }).count)
            let names = files(data + "/outbox/008")
            #expect(names.filter { $0.hasSuffix(".csv") }.count == 2)
            #expect(names.filter { $0.hasSuffix(".manifest.json") }.count == 2)
            #expect(!names.contains(orphan) || second.file == orphan)
        }
    }

    @Test func aMissedDailyWindowIsWrittenOnceAtStart() async throws {
        let data = try dataDirectory()
        try await BusHarness.with(configure: { $0.dataDirectory = data }) { harness in
            _ = try await harness.bus.provide(linkage: linkage, provider: "001", records: harness.residents(7).jsonl)
            let delivery = try #require(try harness.bus.fileDelivery(linkage: linkage, receiver: "008"))
            let task = Task { try await delivery.run() }
            // The loop writes the window that closed at the last 02:00 (Asia/Tokyo), then sleeps until the next.
            var written: [String] = []
            for _ in 0..<100 {
                written = files(data + "/outbox/008").filter { $0.hasSuffix(".manifest.json") }
                if !written.isEmpty { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .milliseconds(500))
            task.cancel()
            _ = try? await task.value
            written = files(data + "/outbox/008").filter { $0.hasSuffix(".manifest.json") }
            #expect(written.count == 1)
            let manifest = try #require(try await delivery.latestManifest())
            let schedule = try #require(harness.contracts.linkage(linkage)?.schedule)
            #expect(manifest.windowTo == schedule.latest(atOrBefore: Date()))
            #expect(manifest.records == 7)
            // A second start finds the window written and writes nothing.
            let again = try #require(try harness.bus.fileDelivery(linkage: linkage, receiver: "008"))
            let second = Task { try await again.run() }
            try await Task.sleep(for: .milliseconds(800))
            second.cancel()
            _ = try? await second.value
            #expect(files(data + "/outbox/008").filter { $0.hasSuffix(".manifest.json") }.count == 1)
        }
    }

    @Test func dailyWindowsCloseAtTheScheduledTimeInTokyo() throws {
        let schedule = DailySchedule(hour: 2, minute: 0, timeZone: "Asia/Tokyo")
        // 2026-11-29 16:59:59 UTC is 01:59:59 in Tokyo on the 30th: the window closed at 02:00 on the 29th.
        let before = Date(timeIntervalSince1970: 1_795_971_599)
        #expect(FileName.stamp(schedule.latest(atOrBefore: before), timeZone: schedule.zone) == "20261129020000")
        #expect(FileName.stamp(schedule.next(after: before), timeZone: schedule.zone) == "20261130020000")
        let after = before.addingTimeInterval(1)
        #expect(FileName.stamp(schedule.latest(atOrBefore: after), timeZone: schedule.zone) == "20261130020000")
        #expect(FileName.stamp(schedule.next(after: after), timeZone: schedule.zone) == "20261201020000")
    }
}

/// One record as a JSON line, by field key.
func jsonLine(_ layout: Layout, _ values: [String?]) -> String {
    let members = zip(layout.items, values).compactMap { item, value -> String? in
        value.map { "\"\(item.key)\":\"\($0)\"" }
    }
    return "{" + members.joined(separator: ",") + "}"
}
