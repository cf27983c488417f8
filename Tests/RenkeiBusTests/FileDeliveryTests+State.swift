import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiKafka
import Testing

@testable import RenkeiBus

/// A full receiver's state keeps rows encoded for its columns; a contract change must not serve stale columns, and
/// state written before that format still reads.
extension FileDeliveryTests {
    private func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-state-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The file's rows, split into fields (generated values hold no line breaks).
    private func csvLines(_ path: String) throws -> [[String]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.map { line in
            Array(line.utf8).withUnsafeBytes { StateRowConverter.fields(of: $0).map { $0 ?? "" } }
        }
    }

    @Test func aChangeOfTheReceiversItemsServesTheNewColumnsFromTheState() async throws {
        let outbox = try folder()
        let before = try contractsCopy(
            editing: "systems.yaml", replacing: "storage: file:outbox/008", with: "storage: file://\(outbox)/008")
        let after = before + "-changed"
        try FileManager.default.copyItem(atPath: before, toPath: after)
        let linkagePath = after + "/linkages/resident-register-daily.yaml"
        let text = try String(contentsOfFile: linkagePath, encoding: .utf8)
        #expect(text.contains("住民となった年月日, 個人番号]"))
        try text.replacingOccurrences(of: "住民となった年月日, 個人番号]", with: "住民となった年月日, 住所_町字コード]")
            .write(toFile: linkagePath, atomically: true, encoding: .utf8)

        try await BusHarness.with(contracts: before, configure: { $0.dataDirectory = try? folder() }) { harness in
            let (jsonl, records) = harness.residents(50)
            _ = try await harness.bus.provide(linkage: linkage, provider: "001", records: jsonl)
            let first = try #require(try await harness.bus.deliverFile(linkage: linkage, receiver: "008"))
            #expect(first.items.contains("個人番号"))

            // The same cluster and storage, the changed contract: a second bus instance.
            let contracts = try ContractLoader.load(directory: after)
            var configuration = harness.bus.configuration
            configuration.instance = "changed-\(UUID().uuidString.prefix(8))"
            configuration.dataDirectory = try folder()
            let bus = try await Bus.start(contracts: contracts, configuration: configuration, logger: harness.logger)
            do {
                let second = try #require(try await bus.deliverFile(linkage: linkage, receiver: "008"))
                #expect(second.sequence == 2)
                #expect(second.records == 50)
                #expect(!second.items.contains("個人番号"))
                let town = try #require(second.items.firstIndex(of: "住所_町字コード"))
                let lines = try csvLines(outbox + "/008/" + second.file)
                #expect(lines.first == second.items)
                // Every row has the new columns; the state never held 住所_町字コード, so it is empty.
                for row in lines.dropFirst() {
                    #expect(row.count == second.items.count)
                    #expect(row[town] == "")
                }
                #expect(Set(lines.dropFirst().map { $0[0] }) == Set(records.map { $0[0]! }))
                let mynumber = try #require(harness.layout.items.firstIndex { $0.name == "個人番号" })
                let numbers = Set(records.compactMap { $0[mynumber] })
                #expect(lines.dropFirst().allSatisfy { row in row.allSatisfy { !numbers.contains($0) } })

                // A record provided under the new contract carries the new column.
                _ = try await bus.provide(
                    linkage: linkage, provider: "001", records: Array(jsonLine(harness.layout, records[0]).utf8))
                let third = try #require(try await bus.deliverFile(linkage: linkage, receiver: "008"))
                #expect(third.records == 50)
                let updated = try csvLines(outbox + "/008/" + third.file).first { $0.first == records[0][0] }
                let townItem = try #require(harness.layout.items.firstIndex { $0.name == "住所_町字コード" })
                #expect(updated?[town] == records[0][townItem])
            } catch {
                await bus.shutdown()
                throw error
            }
            await bus.shutdown()
        }
    }

    @Test func stateRecordsWrittenAsJSONStillRead() async throws {
        let data = try folder()
        try await BusHarness.with(configure: { $0.dataDirectory = data }) { harness in
            let (jsonl, records) = harness.residents(5)
            _ = try await harness.bus.provide(linkage: linkage, provider: "001", records: jsonl)
            _ = try #require(try await harness.bus.deliverFile(linkage: linkage, receiver: "008"))
            // A record as the state held it before rows were kept encoded: the receiver's JSON, under a new key.
            var extra = harness.residents(1, seed: 77).records[0]
            extra[0] = "1999999999"
            let destination = try #require(harness.bus.route(linkage)?.destination("008"))
            var batch = RecordBatch(schema: RecordSchema(layout: harness.layout))
            batch.append(values: extra)
            let json = ByteWriter()
            JSONRecordEncoder(projection: destination.projection, lineTerminated: false).encode(
                batch, record: 0, into: json)
            let report = try await harness.bus.chunkProducer.send([
                KafkaOutgoingMessage(
                    topic: BusTopics.fileState(linkage: linkage, receiver: "008"), key: Array(extra[0]!.utf8),
                    value: json.bytes)
            ])
            try report.throwIfAnyFailed()
            let manifest = try #require(try await harness.bus.deliverFile(linkage: linkage, receiver: "008"))
            #expect(manifest.records == 6)
            let lines = try csvLines(data + "/outbox/008/" + manifest.file)
            #expect(Set(lines.dropFirst().map { $0[0] }) == Set((records + [extra]).map { $0[0]! }))
        }
    }

    @Test(
        arguments: [
            ("a,b,c\r\n", ["a", "b", "c"]),
            ("\"x,y\",,\"say \"\"hi\"\"\"\r\n", ["x,y", nil, "say \"hi\""]),
            ("\"two\r\nlines\",z\r\n", ["two\r\nlines", "z"]),
        ] as [(String, [String?])])
    func stateRowsSplitIntoFieldsAsRFC4180Says(row: String, fields: [String?]) {
        #expect(Array(row.utf8).withUnsafeBytes { StateRowConverter.fields(of: $0) } == fields)
    }
}
