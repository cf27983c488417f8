import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiKafka
import Synchronization

/// The state of one bulk transfer while it streams: chunks go to the bulk topics through the bus's
/// non-transactional chunk producer, outside the history gate and any transaction; what makes the transfer
/// visible (manifests, dead letters) is handed back for one short closing transaction.
final class BulkRun: Sendable {
    /// A transfer whose chunks are all acknowledged: the receipt, and the messages its closing transaction writes.
    struct Streamed: Sendable {
        var receipt: ProvideReceipt
        /// Quarantined rows' dead letters, then one manifest per receiver.
        var closingMessages: [KafkaOutgoingMessage]
        /// The keys of the records delivered, for the history.
        var keyList: HistoryKeyList?
        /// The keys of the quarantined rows (at most ``BusConfiguration/maxQuarantinedPerTransfer``).
        var quarantinedKeys: [String]
    }

    private let bus: Bus
    private let route: LinkageRoute
    private let format: SubmissionFormat
    private let encoding: TextEncoding
    private let transferID: String
    private let correlationID: String?
    private let requestPurpose: String?
    private let progress: (@Sendable (BulkProgress) -> Void)?
    private let time = Date()
    /// Chunk messages in flight before the input is read further: bounds memory for any transfer size.
    private let maxInFlightChunks = 32

    init(
        bus: Bus, route: LinkageRoute, format: SubmissionFormat, encoding: TextEncoding, transferID: String,
        correlationID: String?, requestPurpose: RequestPurpose?, progress: (@Sendable (BulkProgress) -> Void)?
    ) {
        self.bus = bus
        self.route = route
        self.format = format
        self.encoding = encoding
        self.transferID = transferID
        self.correlationID = correlationID
        self.requestPurpose = requestPurpose?.text
        self.progress = progress
    }

    /// Reads every chunk and writes the receivers' chunks, waiting for their acknowledgements; returns the receipt
    /// and the manifests (and dead letters) that the closing transaction must write. Nothing written here is
    /// reachable by a receiver until that transaction commits.
    func stream<Chunks: AsyncSequence>(_ chunks: Chunks) async throws -> Streamed where Chunks.Element == [UInt8] {
        let configuration = bus.configuration
        let producer = bus.chunkProducer
        var writers = route.destinations.map {
            TransferWriter(
                destination: $0, chunkBytes: configuration.bulkChunkBytes, partitions: configuration.bulkPartitions)
        }
        // The record keys go to the history's key list beside the receivers' chunks, in a lane of their own after
        // the receivers' lanes, so a resident is findable in the transfer without one history entry per record.
        var keyWriter = KeyListWriter(
            chunkBytes: configuration.bulkChunkBytes, partitions: configuration.bulkPartitions)
        let keyLane = writers.count
        var quarantinedKeys: [String] = []
        var decoder = TranscodingRecordDecoder(
            format: format == .csv ? .csv : .jsonl, schema: route.schema, encoding: encoding)
        var counts = BulkProgress(records: 0, invalid: 0, bytes: 0, committed: false)
        var errors: [RecordError] = []
        var outgoing: [[KafkaOutgoingMessage]] = Array(repeating: [], count: writers.count + 1)
        // Held until the closing transaction, not written as they are found: an operator reads and replays the
        // dead-letter topic directly (no manifest stands in front of it), so a dead letter written before the
        // transfer commits would let a row of a failed transfer be replayed, i.e. delivered. The bound keeps
        // this memory and the closing transaction small.
        var deadLetters: [KafkaOutgoingMessage] = []
        var overQuarantine = false
        // Each send task hashes its chunks, so hashing runs beside decoding instead of after it.
        var inFlight: [Task<(Int, KafkaDeliveryReport, [[UInt8]]), any Error>] = []
        var reports: [[KafkaDeliveryReport]] = Array(repeating: [], count: writers.count + 1)
        var digests: [[[UInt8]]] = Array(repeating: [], count: writers.count + 1)
        let chunkHeaders = route.destinations.map { chunkEnvelope(for: $0).headers }
        let policy = route.linkage.failurePolicy.invalidRows
        let maxErrors = configuration.maxReportedErrors
        let maxQuarantined = configuration.maxQuarantinedPerTransfer

        func take(_ batch: RecordBatch) {
            counts.records += batch.count
            for record in 0..<batch.count {
                guard batch.isValid(record) else {
                    counts.invalid += 1
                    if errors.count < maxErrors { errors += batch.errors(of: record).prefix(maxErrors - errors.count) }
                    if policy == .quarantineInvalid {
                        if deadLetters.count < maxQuarantined {
                            deadLetters.append(quarantineMessage(batch, record: record))
                            if let key = batch.value(record: record, item: route.keyItem), !key.isEmpty {
                                quarantinedKeys.append(key)
                            }
                        } else {
                            overQuarantine = true
                        }
                    }
                    continue
                }
                guard counts.invalid == 0 || policy == .quarantineInvalid else { continue }
                if let message = batch.withValue(record: record, item: route.keyItem, { keyWriter.append(bytes: $0) }) {
                    outgoing[keyLane].append(message)
                }
                for index in writers.indices {
                    if let message = writers[index].append(batch, record: record, headers: chunkHeaders[index]) {
                        outgoing[index].append(message)
                    }
                }
            }
        }

        func checkQuarantine() throws {
            guard overQuarantine else { return }
            throw ProvideError(
                .invalidRecords,
                "More than \(maxQuarantined) records failed validation; linkage \(route.linkage.id) quarantines at "
                    + "most \(maxQuarantined) per transfer, so none was delivered.",
                recordErrors: errors, invalidCount: counts.invalid)
        }

        func flush(final: Bool) async throws {
            for index in outgoing.indices where !outgoing[index].isEmpty {
                let messages = outgoing[index]
                outgoing[index].removeAll()
                inFlight.append(
                    Task {
                        let hashes = messages.map { ChunkDigest.digest($0.value) }
                        return (index, try await producer.send(messages), hashes)
                    })
            }
            while inFlight.count > (final ? 0 : maxInFlightChunks) {
                let (index, report, hashes) = try await inFlight.removeFirst().value
                try report.throwIfAnyFailed()
                reports[index].append(report)
                digests[index] += hashes
            }
        }

        do {
            for try await chunk in chunks {
                counts.bytes += chunk.count
                chunk.withUnsafeBytes { decoder.decode($0, take) }
                try refuseMismatch(decoder)
                if let streamError = decoder.streamErrors.first {
                    throw ProvideError(
                        .unreadableInput, "The input cannot be read as records: \(streamError.reason.summary).",
                        recordErrors: Array(decoder.streamErrors.prefix(maxErrors)))
                }
                try checkQuarantine()
                try await flush(final: false)
                progress?(counts)
            }
            decoder.finish(take)
            try refuseMismatch(decoder)
            try checkQuarantine()
            for index in writers.indices {
                if let message = writers[index].finish(headers: chunkHeaders[index]) {
                    outgoing[index].append(message)
                }
            }
            if let message = keyWriter.finish() { outgoing[keyLane].append(message) }
            try await flush(final: true)
        } catch {
            // Let the chunks still being sent finish before the refusal is reported, so no send outlives the
            // transfer. They stay on the bulk topic as orphans: no manifest will ever point at them.
            for task in inFlight { _ = try? await task.value }
            throw error
        }
        progress?(counts)

        if counts.records == 0 { throw ProvideError(.noRecords, "The transfer holds no records.") }
        if counts.invalid > 0, policy == .reject {
            throw ProvideError(
                .invalidRecords,
                "\(counts.invalid) of \(counts.records) records failed validation; linkage \(route.linkage.id) rejects "
                    + "a transfer with any invalid record, so none was delivered.",
                recordErrors: errors, invalidCount: counts.invalid)
        }

        let keyList =
            keyWriter.count > 0
            ? keyWriter.keyList(positions: reports[keyLane].flatMap(\.positions), digests: digests[keyLane]) : nil
        let manifests = zip(writers, zip(reports, digests)).map { writer, sent in
            manifest(writer, reports: sent.0, digests: sent.1)
        }
        let accepted = counts.records - counts.invalid
        let byReceiver = Dictionary(uniqueKeysWithValues: manifests.map { ($0.receiver, $0) })
        let summary = TransferSummary(id: transferID, records: accepted, manifests: byReceiver)
        let receipt = ProvideReceipt(
            eventIDs: [], accepted: accepted, quarantined: deadLetters.count,
            deliveredTo: byReceiver.mapValues(\.records), transfer: summary)
        let manifestMessages = zip(writers, manifests).map { writer, manifest in
            manifestMessage(manifest, destination: writer.destination)
        }
        return Streamed(
            receipt: receipt, closingMessages: deadLetters + manifestMessages, keyList: keyList,
            quarantinedKeys: quarantinedKeys)
    }

    /// One receiver's manifest: where each of its chunks landed, with their hashes.
    private func manifest(
        _ writer: TransferWriter, reports: [KafkaDeliveryReport], digests: [[UInt8]]
    ) -> TransferManifest {
        let positions = reports.flatMap(\.positions)
        let chunks = zip(positions, zip(writer.chunkRecords, digests)).map { position, chunk in
            TransferManifest.Chunk(
                partition: position.0, offset: position.1, records: chunk.0, sha256: HexText.encode(chunk.1))
        }
        let destination = writer.destination
        return TransferManifest(
            transfer: transferID, linkage: route.linkage.id, receiver: destination.receiver.system,
            layout: route.contract, topic: destination.bulkTopic, records: writer.records,
            chunkListSHA256: HexText.encode(ChunkDigest.chunkList(digests)),
            contentType: "application/jsonl", chunks: chunks, completedAt: Date())
    }

    private func manifestMessage(
        _ manifest: TransferManifest, destination: LinkageRoute.Destination
    ) -> KafkaOutgoingMessage {
        var envelope = chunkEnvelope(for: destination)
        envelope.type = .transferManifest
        envelope.contentType = "application/json"
        return KafkaOutgoingMessage(
            topic: destination.topic, key: Array(transferID.utf8), value: manifest.encoded(), headers: envelope.headers)
    }

    /// One provide entry per receiver, referencing the transfer's key list and naming the receiver's items, and a
    /// dead-letter entry listing the quarantined rows' keys.
    func historyEntries(_ streamed: Streamed) -> [HistoryEntry] {
        let receipt = streamed.receipt
        var entries = route.destinations.map { destination in
            HistoryEntry(
                time: time, kind: .provide, linkage: route.linkage.id, contract: route.contract,
                provider: route.linkage.provider, receiver: destination.receiver.system,
                purpose: destination.receiver.purpose, recordCount: receipt.accepted, keyList: streamed.keyList,
                items: destination.receiver.items, transfer: transferID, outcome: "ok",
                requestPurpose: requestPurpose, contractVersion: route.contractVersion)
        }
        if receipt.quarantined > 0 {
            entries.append(
                HistoryEntry(
                    time: time, kind: .deadLetter, linkage: route.linkage.id, contract: route.contract,
                    provider: route.linkage.provider, keys: streamed.quarantinedKeys, recordCount: receipt.quarantined,
                    transfer: transferID, outcome: "quarantined", deadLetter: route.ingestDeadLetterTopic,
                    requestPurpose: requestPurpose, contractVersion: route.contractVersion))
        }
        return entries
    }

    private func chunkEnvelope(for destination: LinkageRoute.Destination) -> Envelope {
        Envelope(
            id: "\(transferID)/\(destination.receiver.system)", source: route.source, type: .transferChunk, time: time,
            dataSchema: route.dataSchema, contentType: "application/jsonl", linkage: route.linkage.id,
            receiver: destination.receiver.system, purpose: destination.receiver.purpose,
            correlationID: correlationID, transfer: transferID, requestPurpose: requestPurpose,
            contractVersion: route.contractVersion)
    }

    private func quarantineMessage(_ batch: RecordBatch, record: Int) -> KafkaOutgoingMessage {
        let key = batch.value(record: record, item: route.keyItem)
        let envelope = Envelope(
            source: route.source, type: .record, time: time, subject: key, dataSchema: route.dataSchema,
            linkage: route.linkage.id, correlationID: correlationID, transfer: transferID,
            requestPurpose: requestPurpose, contractVersion: route.contractVersion)
        return DeadLetterMessage.ingest(
            route: route, envelope: envelope, batch: batch, record: record, errors: Array(batch.errors(of: record)),
            time: time)
    }

    /// Refuses an input evidently in another encoding than declared, with one error naming the likely one.
    private func refuseMismatch(_ decoder: TranscodingRecordDecoder) throws {
        guard let mismatch = decoder.mismatch else { return }
        throw ProvideError(
            .unreadableInput,
            "The input is not \(mismatch.declared.displayName): it looks like \(mismatch.likelyName)"
                + (mismatch.likely.map {
                    "; declare it (`charset=\($0.rawValue)` on HTTP, `inbox-encoding: \($0.rawValue)` for an inbox)."
                } ?? "; nothing from it is kept."),
            recordErrors: decoder.streamErrors)
    }
}
