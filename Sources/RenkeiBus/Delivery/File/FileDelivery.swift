import Foundation
import Logging
import RenkeiCodec
import RenkeiContracts
import RenkeiKafka
import RenkeiStorage
import Synchronization

/// Delivers one receiver's records of one linkage as files (delivery `file`): CSV of exactly the receiver's items
/// plus a manifest, written into the receiver's storage location.
///
/// What a file covers is kept in the storage itself: each manifest records how far the receiver's outbound topic
/// is covered (`through`), and the next file starts there. A window is written as data file (visible whole, or
/// not at all), then manifest; a crash in between leaves a data file without manifest, which the next attempt of
/// the same sequence number replaces, so a receiver that reads files only once their manifest exists sees no
/// partial and no duplicate file. When the storage fails, the window is retried with the linkage's back-off;
/// after the last attempt a dead letter and a history entry say so, and the records stay on the topic for the
/// next window.
final class FileDelivery: Sendable {
    let bus: Bus
    let route: LinkageRoute
    let destination: LinkageRoute.Destination
    let storage: any ObjectStorage
    let mode: FileMode
    /// Daily linkages: when windows close; other triggers use its time zone for file names.
    let schedule: DailySchedule
    private let state: FileState?
    private let latest = Mutex<Latest>(.unknown)
    private let logger: Logger

    private enum Latest {
        case unknown
        case known(FileManifest?)
    }

    init(bus: Bus, route: LinkageRoute, destination: LinkageRoute.Destination, storage: any ObjectStorage) {
        self.bus = bus
        self.route = route
        self.destination = destination
        self.storage = storage
        self.mode = destination.receiver.fileMode ?? .differential
        self.schedule = route.linkage.schedule ?? DailySchedule()
        self.state =
            mode == .full
            ? FileState(
                bus: bus, topic: BusTopics.fileState(linkage: route.linkage.id, receiver: destination.receiver.system),
                rows: StateRows(columns: destination.projection.items.map(\.name)))
            : nil
        self.logger = bus.logger
    }

    var linkage: String { route.linkage.id }
    var receiver: String { destination.receiver.system }

    private var metadata: Logger.Metadata { ["renkei.linkage": "\(linkage)", "renkei.receiver": "\(receiver)"] }

    // MARK: Windows

    /// Writes the window that ends now, if the receiver has records it has not had in a file (always, with
    /// `force`: a daily file is written even when nothing changed). Returns the manifest written, `nil` when there
    /// was nothing to write; throws ``FileDeliveryError`` when the storage kept failing (after the dead letter).
    @discardableResult
    func deliver(windowEnd: Date = Date(), force: Bool) async throws -> FileManifest? {
        // Whole seconds: the manifest's times are ISO 8601 without fractions, and the next window starts there.
        let windowEnd = Date(timeIntervalSince1970: windowEnd.timeIntervalSince1970.rounded(.down))
        let previous = try await latestManifest()
        let reader = TopicReader(bus: bus)
        let ends = try await reader.watermarks(destination.topic)
        var from = previous?.positions ?? [:]
        let gaps = RetentionGap.find(from: from, ends: ends)
        if !gaps.isEmpty {
            // Reported, never skipped in silence: the receiver needs a full file to be whole again.
            _ = try await bus.recordRetentionLosses(
                gaps.map {
                    KafkaRetentionLoss(
                        partition: KafkaTopicPartition(topic: destination.topic, partition: $0.partition),
                        from: $0.from)
                }, linkage: linkage, receiver: receiver)
            for gap in gaps { from[gap.partition] = gap.retainedFrom }
        }
        let hasNew = ends.contains { partition, marks in max(from[partition] ?? marks.low, marks.low) < marks.high }
        guard hasNew || force else { return nil }
        var through: [String: Int64] = [:]
        for (partition, marks) in ends { through[String(partition)] = max(from[partition] ?? marks.low, marks.high) }
        let name = FileName(
            linkage: linkage, provider: route.linkage.provider, receiver: receiver, windowEnd: windowEnd,
            timeZone: schedule.zone, sequence: (previous?.sequence ?? 0) + 1)

        let policy = route.linkage.failurePolicy
        let attempts = max(1, policy.pushAttempts)
        var firstFailure: Date?
        var backoff = policy.initialBackoffMilliseconds
        for attempt in 1...attempts {
            do {
                let manifest = try await write(
                    name, from: from, ends: ends, through: through, windowFrom: previous?.windowTo,
                    windowEnd: windowEnd)
                latest.withLock { $0 = .known(manifest) }
                return manifest
            } catch let error as CancellationError {
                throw error
            } catch {
                firstFailure = firstFailure ?? Date()
                logger.warning(
                    "file not written",
                    metadata: metadata.merging(
                        ["renkei.attempt": "\(attempt)", "renkei.file": "\(name.data)", "renkei.error": "\(error)"]
                    ) { a, _ in a })
                guard attempt < attempts else {
                    try await deadLetter(
                        name, error: error, attempts: attempt, first: firstFailure ?? Date(),
                        windowFrom: previous?.windowTo, windowEnd: windowEnd)
                    throw FileDeliveryError(linkage: linkage, receiver: receiver, file: name.data, cause: "\(error)")
                }
                try await Task.sleep(for: .milliseconds(backoff))
                backoff = min(backoff * 2, policy.maxBackoffMilliseconds)
            }
        }
        return nil
    }

    /// One attempt: the data file, then its manifest, then the history entry.
    private func write(
        _ name: FileName, from: [Int32: Int64], ends: [Int32: KafkaWatermarks], through: [String: Int64],
        windowFrom: Date?, windowEnd: Date
    ) async throws -> FileManifest {
        let writer = try await storage.makeWriter(name.data, contentType: "text/csv; charset=utf-8")
        let written: WrittenObject
        var rows = FileRows(writer: writer, projection: destination.projection, keyItem: route.linkage.keyItem)
        do {
            let reader = TopicReader(bus: bus)
            let chunks = TransferChunks(reader: reader)
            var pending: [(key: [UInt8], value: [UInt8])] = []
            var keyed = state.map { StateRecords(layout: rows.layout, keyItem: route.linkage.keyItem, rows: $0.rows) }
            var position = from
            while true {
                // A page at a time, each read giving its consumer back before the page's transfers are read with
                // another: a delivery holding one while it waits for a second could, with the other receivers'
                // deliveries and the history's key-list reads, take the whole reader pool and wait for ever.
                let page = try await reader.read(topic: destination.topic, from: position, limit: 1000, ends: ends)
                if page.messages.isEmpty { break }
                for (partition, next) in page.next { position[partition] = next }
                for message in page.messages {
                    guard let envelope = Envelope(headers: message.headers) else { continue }
                    switch envelope.type {
                    case .record:
                        if keyed != nil {
                            // Every record the bus writes carries its key as the subject; one without cannot be
                            // placed in the state, and is not dropped in silence.
                            guard let key = envelope.subject else {
                                throw TransferIntegrityError(
                                    transfer: envelope.id,
                                    problem: "a record at \(message.partition)/\(message.offset) has no key")
                            }
                            pending.append(try keyed!.record(message.value, key: key, event: envelope.id))
                        } else {
                            try await rows.append(jsonLines: message.value)
                        }
                    case .transferManifest:
                        let manifest = try FeedReader.manifest(of: message, envelope: envelope)
                        try await chunks.forEach(manifest) { chunk in
                            if let state {
                                pending += try keyed!.split(chunk, transfer: manifest.transfer)
                                // A transfer can be any size: its records go to the state as they come.
                                if pending.count >= 50_000 {
                                    try await state.write(pending)
                                    pending.removeAll(keepingCapacity: true)
                                }
                            } else {
                                try await rows.append(jsonLines: chunk)
                            }
                        }
                    default:
                        continue
                    }
                    if let state, pending.count >= 50_000 {
                        try await state.write(pending)
                        pending.removeAll(keepingCapacity: true)
                    }
                }
            }
            if let state {
                try await state.write(pending)
                pending = []
                try await state.readCurrent(into: &rows)
            }
            try await rows.flush()
            written = try await writer.finish()
        } catch {
            await writer.abort()
            throw error
        }
        let manifest = FileManifest(
            file: name.data, linkage: linkage, provider: route.linkage.provider, receiver: receiver,
            layout: route.contract, contractVersion: route.contractVersion, mode: mode.rawValue,
            items: destination.projection.items.map(\.name), windowFrom: windowFrom, windowTo: windowEnd,
            records: rows.records, bytes: written.bytes, sha256: written.sha256, sequence: name.sequence,
            through: through, createdAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        try await storage.put(name.manifest, manifest.encoded(), contentType: "application/json")
        let keys = rows.keys
        let keyList = keys.count > HistoryKeyList.threshold ? try await bus.writeKeyList(keys) : nil
        await bus.record([
            HistoryEntry(
                kind: .delivery, linkage: linkage, contract: route.contract, provider: route.linkage.provider,
                receiver: receiver, purpose: destination.receiver.purpose, keys: keyList == nil ? keys : [],
                recordCount: rows.records, keyList: keyList, items: destination.receiver.items,
                outcome: "ok", file: "\(storage.location)/\(name.data)")
        ])
        logger.info(
            "file delivered",
            metadata: metadata.merging(
                [
                    "renkei.file": "\(name.data)", "renkei.records": "\(rows.records)",
                    "renkei.bytes": "\(written.bytes)",
                ]
            ) { a, _ in a })
        return manifest
    }

    /// The window could not be written: a dead letter on the receiver's dead-letter topic describing the file
    /// (never its rows) and a history entry, in one transaction. The records stay on the outbound topic; the next
    /// window carries them.
    private func deadLetter(
        _ name: FileName, error: any Error, attempts: Int, first: Date, windowFrom: Date?, windowEnd: Date
    ) async throws {
        let topic = destination.deadLetterTopic
        let envelope = Envelope(
            source: route.source, type: .record, time: windowEnd, dataSchema: route.dataSchema, linkage: linkage,
            receiver: receiver, purpose: destination.receiver.purpose)
        var body: [(String, JSONValue)] = [
            ("file", .string("\(storage.location)/\(name.data)")), ("windowTo", .string(Timestamp.format(windowEnd))),
        ]
        if let windowFrom { body.append(("windowFrom", .string(Timestamp.format(windowFrom)))) }
        let message = "\(error)"
        let context = DeadLetterMessage.context(
            stage: .delivery, reasons: [Bus.fileNotWritten], message: message, attempts: attempts, original: nil,
            row: nil, first: first, last: Date())
        let outgoing = KafkaOutgoingMessage(
            topic: topic, key: nil, value: Array(JSONValue.object(body).serialized().utf8),
            headers: envelope.headers + context)
        let entry = HistoryEntry(
            kind: .deadLetter, linkage: linkage, contract: route.contract, provider: route.linkage.provider,
            receiver: receiver, purpose: destination.receiver.purpose, recordCount: 0, events: [envelope.id],
            outcome: "failed", reason: Bus.fileNotWritten, deadLetter: topic, file: "\(storage.location)/\(name.data)")
        _ = try await bus.commit(history: { _ in [entry] }) { transaction in
            try await transaction.sendAndWait([outgoing])
        }
    }

    // MARK: Where the receiver stands

    /// The receiver's newest manifest, found once by listing its storage, then kept. Data files of a later
    /// sequence without a manifest (a crash between the two) are removed.
    func latestManifest() async throws -> FileManifest? {
        if case .known(let manifest) = latest.withLock({ $0 }) { return manifest }
        let objects = try await storage.list(prefix: FileName.folder(linkage: linkage))
        var newest: (Int, String)?
        var data: [(Int, String)] = []
        for object in objects {
            guard let (sequence, isManifest) = FileName.sequence(of: object.name, receiver: receiver) else { continue }
            if isManifest {
                if sequence > newest?.0 ?? 0 { newest = (sequence, object.name) }
            } else {
                data.append((sequence, object.name))
            }
        }
        var manifest: FileManifest?
        if let newest {
            let bytes = try await storage.get(newest.1)
            guard let decoded = FileManifest.decode(bytes) else {
                throw FileDeliveryError(
                    linkage: linkage, receiver: receiver, file: newest.1,
                    cause: "the manifest cannot be read; move it aside to start the receiver's files again")
            }
            manifest = decoded
        }
        for (sequence, name) in data where sequence > manifest?.sequence ?? 0 {
            try await storage.delete(name)
            logger.notice(
                "removed a file whose manifest was never written",
                metadata: metadata.merging(["renkei.file": "\(name)"]) { a, _ in a })
        }
        latest.withLock { $0 = .known(manifest) }
        return manifest
    }
}

/// A file window that could not be written after every attempt.
public struct FileDeliveryError: Error, Sendable, CustomStringConvertible {
    public var linkage: String
    public var receiver: String
    public var file: String
    public var cause: String
    public var description: String {
        "The file \(file) for receiver \(receiver) of linkage \(linkage) was not written: \(cause)"
    }
}

extension Bus {
    /// The dead-letter reason of a file window that was not written.
    public static let fileNotWritten = "file-not-written"
}

extension FileDelivery {
    /// Writes files as the linkage's trigger says until cancelled: `daily` — at each scheduled time, and once at
    /// start for a window missed while the bus was down; `event` — whenever records arrived, looking every
    /// ``BusConfiguration/fileEventInterval``; `on-demand` — only when asked (``deliver(windowEnd:force:)``).
    func run() async throws {
        switch route.linkage.trigger {
        case .daily:
            while !Task.isCancelled {
                let now = Date()
                let due = schedule.latest(atOrBefore: now)
                let covered = (try? await latestManifest())??.windowTo ?? .distantPast
                if covered < due { try await attempt { try await self.deliver(windowEnd: due, force: true) } }
                try await Self.sleep(until: schedule.next(after: now))
            }
        case .event:
            while !Task.isCancelled {
                try await attempt { try await self.deliver(force: false) }
                try await Task.sleep(for: bus.configuration.fileEventInterval)
            }
        case .onDemand:
            while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
        }
    }

    /// One window; a failure was already retried, dead-lettered and logged, so the loop goes on.
    private func attempt(_ body: () async throws -> FileManifest?) async throws {
        do {
            _ = try await body()
        } catch let error as CancellationError {
            throw error
        } catch {
            logger.error("file window failed", metadata: metadata.merging(["renkei.error": "\(error)"]) { a, _ in a })
        }
    }

    /// Sleeps until `date` in steps of at most a minute, so a changed wall clock is noticed.
    private static func sleep(until date: Date) async throws {
        while true {
            let remaining = date.timeIntervalSinceNow
            guard remaining > 0 else { return }
            try await Task.sleep(for: .milliseconds(Int(min(remaining, 60) * 1000) + 1))
        }
    }
}

extension Bus {
    /// One file delivery per receiver with delivery `file`, each writing into its system's storage location.
    func fileDeliveries() throws -> [FileDelivery] {
        try routes.values.sorted { $0.linkage.id < $1.linkage.id }.flatMap { route in
            try route.destinations.filter { $0.receiver.delivery == .file }.compactMap { destination in
                guard let url = contracts.system(destination.receiver.system)?.endpoints.storage else { return nil }
                return FileDelivery(bus: self, route: route, destination: destination, storage: try storage(url))
            }
        }
    }

    /// Writes the file of `receiver` of `linkage` for the window ending now (on-demand delivery, or an operator's
    /// catch-up): what it has not yet had in a file (differential), or the current state of every key (full).
    @discardableResult
    public func deliverFile(linkage: String, receiver: String) async throws -> FileManifest? {
        guard let route = route(linkage), let destination = route.destination(receiver),
            destination.receiver.delivery == .file,
            let url = contracts.system(receiver)?.endpoints.storage
        else {
            throw FileDeliveryError(
                linkage: linkage, receiver: receiver, file: "-",
                cause: "the system is not a file receiver of the linkage")
        }
        let delivery = FileDelivery(bus: self, route: route, destination: destination, storage: try storage(url))
        return try await delivery.deliver(force: true)
    }
}
