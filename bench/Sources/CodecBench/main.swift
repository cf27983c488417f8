import CMallocCounter
import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiSynthetic

// Codec benchmarks: one summary line per figure; Foundation measured in the same run on the same records.
// Usage: CodecBench [--records N] [--foundation-records N] [--runs N] [--contracts DIR] [--only FIGURE]

var arguments = ArraySlice(CommandLine.arguments.dropFirst())
var recordCount = 200_000
var foundationCount = 20_000
var runs = 5
var only: String?
var contractsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("contracts").path
while let argument = arguments.popFirst() {
    switch argument {
    case "--records": recordCount = Int(arguments.popFirst() ?? "") ?? recordCount
    case "--foundation-records": foundationCount = Int(arguments.popFirst() ?? "") ?? foundationCount
    case "--runs": runs = Int(arguments.popFirst() ?? "") ?? runs
    case "--contracts": contractsDirectory = arguments.popFirst() ?? contractsDirectory
    case "--only": only = arguments.popFirst()
    default:
        print("usage: CodecBench [--records N] [--foundation-records N] [--runs N] [--contracts DIR] [--only FIGURE]")
        exit(2)
    }
}

let contracts = try ContractLoader.load(directory: contractsDirectory)
let layout = contracts.layout(named: "resident-record")!
let schema = RecordSchema(layout: layout)
let projection = contracts.projection(linkage: "resident-change", receiver: "017")!

// The records: generated once, held as a batch (values in memory), as JSON Lines and as CSV.
var generator = ResidentGenerator(layout: layout, seed: 1)
let rows = (0..<recordCount).map { _ in generator.next() }
var batch = RecordBatch(schema: schema)
for row in rows { batch.append(values: row) }
precondition(batch.errors.isEmpty, "generated records must be valid")
let jsonWriter = ByteWriter(capacity: recordCount * 700)
let jsonEncoder = JSONRecordEncoder(layout: layout, lineTerminated: true)
for record in 0..<batch.count { jsonEncoder.encode(batch, record: record, into: jsonWriter) }
let jsonLines = jsonWriter.bytes
let csvWriter = ByteWriter(capacity: recordCount * 600)
let csvEncoder = CSVRecordEncoder(layout: layout)
csvEncoder.encodeHeader(into: csvWriter)
for record in 0..<batch.count { csvEncoder.encode(batch, record: record, into: csvWriter) }
let csv = csvWriter.bytes

let dtos = rows.prefix(foundationCount).map(ResidentDTO.init)
let jsonLineData: [Data] = {
    var lines: [Data] = []
    var start = 0
    for (index, byte) in jsonLines.enumerated() where byte == 0x0A {
        lines.append(Data(jsonLines[start..<index]))
        start = index + 1
        if lines.count == foundationCount { break }
    }
    return lines
}()
let jsonBytesPerRecord = Double(jsonLines.count) / Double(recordCount)
let foundationJSONBytes = jsonLineData.reduce(0) { $0 + $1.count }

print(
    "records: \(recordCount) resident records (seed 1), \(format(jsonBytesPerRecord)) B/record as JSON, "
        + "\(format(Double(csv.count) / Double(recordCount))) B/record as CSV; Foundation on the first \(foundationCount); "
        + "best of \(runs) runs; one thread")

let chunkSize = 1 << 20
let messageWriter = ByteWriter(capacity: 4096)

/// Whether to run the figure `name` (all unless `--only` names one; a Foundation baseline runs with its figure).
@MainActor func selected(_ name: String) -> Bool { only == nil || only == name }

/// Feeds `bytes` to `decoder` in 1 MiB chunks.
func decodeInChunks(_ bytes: [UInt8], _ decoder: inout some RecordDecoder, _ body: (RecordBatch) -> Void) {
    bytes.withUnsafeBytes { all in
        var offset = 0
        while offset < all.count {
            let end = min(offset + chunkSize, all.count)
            decoder.decode(UnsafeRawBufferPointer(rebasing: all[offset..<end]), body)
            offset = end
        }
    }
    decoder.finish(body)
}

// 1. JSON encode: one object per record into a reused buffer, as for one Kafka message value per record.
if selected("json-encode") {
    let singleEncoder = JSONRecordEncoder(layout: layout)
    let foundationEncoder = JSONEncoder()
    let (encodeOurs, encodeFoundation) = measurePair(items: (recordCount, dtos.count), runs: runs) {
        var bytes = 0
        for record in 0..<recordCount {
            messageWriter.clear()
            singleEncoder.encode(batch, record: record, into: messageWriter)
            bytes &+= messageWriter.count
        }
        return bytes
    } _: {
        var bytes = 0
        for dto in dtos { bytes &+= (try! foundationEncoder.encode(dto)).count }
        return bytes
    }
    report("json-encode", encodeOurs, baseline: ("Foundation JSONEncoder", encodeFoundation))
}

// 2. JSON Lines decode + validate (Foundation decodes without validating anything).
if selected("json-decode+validate") {
    let foundationDecoder = JSONDecoder()
    let (decodeOurs, decodeFoundation) = measurePair(items: (recordCount, jsonLineData.count), runs: runs) {
        var decoder = JSONRecordDecoder(schema: schema)
        var valid = 0
        decodeInChunks(jsonLines, &decoder) { batch in valid &+= batch.count - batch.invalidCount }
        precondition(valid == recordCount)
        return jsonLines.count
    } _: {
        var count = 0
        for line in jsonLineData {
            count &+= (try! foundationDecoder.decode(ResidentDTO.self, from: line)).name?.utf8.count ?? 0
        }
        blackHole &+= count
        return foundationJSONBytes
    }
    report("json-decode+validate", decodeOurs, baseline: ("Foundation JSONDecoder", decodeFoundation))
}

// 3. CSV decode + validate.
if selected("csv-decode+validate") {
    let csvDecode = measure(items: recordCount, runs: runs) {
        var decoder = CSVRecordDecoder(schema: schema)
        var valid = 0
        decodeInChunks(csv, &decoder) { batch in valid &+= batch.count - batch.invalidCount }
        precondition(valid == recordCount)
        return csv.count
    }
    report("csv-decode+validate", csvDecode)
}

// 3b. The same CSV through the decoder that files, uploads and inboxes use: it sniffs the encoding first, then
// passes UTF-8 through.
if selected("csv-file-utf8") {
    let fileDecode = measure(items: recordCount, runs: runs) {
        var decoder = TranscodingRecordDecoder(format: .csv, schema: schema, encoding: .utf8)
        var valid = 0
        decodeInChunks(csv, &decoder) { batch in valid &+= batch.count - batch.invalidCount }
        precondition(valid == recordCount && decoder.mismatch == nil)
        return csv.count
    }
    report("csv-file-utf8", fileDecode)
}

// 3c. A CP932 export (the records CP932 can hold; the generator also writes variation selectors) transcoded to
// UTF-8 while it is decoded and validated. MB/s counts the CP932 bytes.
if selected("csv-file-cp932") {
    let encoder = LegacyTextEncoder(encoding: .cp932)
    let legacy = ByteWriter(capacity: csv.count)
    var held = -1  // the header is no record
    for line in csv.split(separator: 0x0A, omittingEmptySubsequences: false) where !line.isEmpty {
        let start = legacy.count
        if (Array(line) + [0x0A]).withUnsafeBytes({ encoder.encode($0, into: legacy) }) {
            held += 1
        } else {
            legacy.truncate(to: start)
        }
    }
    let cp932 = legacy.bytes
    let cp932Decode = measure(items: held, runs: runs) {
        var decoder = TranscodingRecordDecoder(format: .csv, schema: schema, encoding: .cp932)
        var valid = 0
        decodeInChunks(cp932, &decoder) { batch in valid &+= batch.count - batch.invalidCount }
        precondition(valid == held && decoder.mismatch == nil)
        return cp932.count
    }
    print(
        "cp932: \(held) of \(recordCount) records CP932 can hold, "
            + "\(format(Double(cp932.count) / Double(max(held, 1)))) B/record")
    report("csv-file-cp932", cp932Decode)
}

// 4. The bus's bulk path: CSV in, validate, project to a receiver (resident-change → 017), one JSON message each.
if selected("csv-validate-project-json") {
    let projectedEncoder = JSONRecordEncoder(projection: projection)
    let bulkPath = measure(items: recordCount, runs: runs) {
        var decoder = CSVRecordDecoder(schema: schema)
        var bytes = 0
        decodeInChunks(csv, &decoder) { batch in
            for record in 0..<batch.count where batch.isValid(record) {
                messageWriter.clear()
                projectedEncoder.encode(batch, record: record, into: messageWriter)
                bytes &+= messageWriter.count
            }
        }
        blackHole &+= bytes
        return csv.count
    }
    report("csv-validate-project-json", bulkPath)
}

// 5. CSV encode (file delivery), flushed every MiB.
if selected("csv-encode") {
    let fileWriter = ByteWriter(capacity: 2 << 20)
    let csvEncode = measure(items: recordCount, runs: runs) {
        var bytes = 0
        for record in 0..<recordCount {
            csvEncoder.encode(batch, record: record, into: fileWriter)
            if fileWriter.count >= 1 << 20 {
                bytes &+= fileWriter.count
                fileWriter.clear()
            }
        }
        bytes &+= fileWriter.count
        fileWriter.clear()
        return bytes
    }
    report("csv-encode", csvEncode)
}

// 6. Memory bandwidth on this machine: memcpy of the JSON Lines bytes.
if selected("memcpy") {
    var copyTarget = [UInt8](repeating: 0, count: jsonLines.count)
    let copy = measure(items: recordCount, runs: runs) {
        copyTarget.withUnsafeMutableBytes { target in
            jsonLines.withUnsafeBytes { source in target.copyMemory(from: source) }
        }
        return jsonLines.count
    }
    report("memcpy", copy)
}

// 7. Steady state: a warm decoder (buffers grown by a first pass) decoding the same stream again, and the encoders
// writing into warm buffers. Counts every heap allocation of the second pass.
if selected("steady-state") {
    var jsonDecoder = JSONRecordDecoder(schema: schema)
    let encoder = JSONRecordEncoder(projection: projection)
    for _ in 0..<2 {
        decodeInChunks(jsonLines, &jsonDecoder) { batch in
            for record in 0..<batch.count { encoder.encode(batch, record: record, into: messageWriter) }
            messageWriter.clear()
        }
    }
    let jsonBefore = renkei_allocation_count()
    var decoded = 0
    decodeInChunks(jsonLines, &jsonDecoder) { batch in
        for record in 0..<batch.count where batch.isValid(record) {
            messageWriter.clear()
            encoder.encode(batch, record: record, into: messageWriter)
        }
        decoded &+= batch.count
    }
    let jsonAllocations = renkei_allocation_count() - jsonBefore
    let headerless = Array(csv[(csv.firstIndex(of: 0x0A)! + 1)...])
    var csvDecoder = CSVRecordDecoder(schema: schema, options: CSVDecodingOptions(hasHeader: false))
    decodeInChunks(headerless, &csvDecoder) { _ in }
    let csvBefore = renkei_allocation_count()
    decodeInChunks(headerless, &csvDecoder) { batch in decoded &+= batch.count - batch.invalidCount }
    let csvAllocations = renkei_allocation_count() - csvBefore
    blackHole &+= decoded
    print(
        "steady-state allocations       renkei: \(jsonAllocations) while decoding+projecting+encoding \(recordCount) "
            + "JSON lines, \(csvAllocations) while decoding \(recordCount) CSV rows (warm decoders, 1 MiB chunks)")
}
