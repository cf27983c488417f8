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
final class FileDelivery: DeliveryWorker {
    let bus: Bus
    let route: LinkageRoute
    let destination: LinkageRoute.Destination
    let storage: any ObjectStorage
    let mode: FileMode
    /// Daily linkages: when windows close; other triggers use its time zone for file names.
    let schedule: DailySchedule
    private let state: FileState?
    private let latest = Mutex<Latest>(.unknown)
    /// One window at a time: the scheduled loop and on-demand requests share this delivery.
    private let gate = SerialGate()
    /// How old a data file without manifest must be before it counts as left by a crash.
    static let orphanGrace: TimeInterval = 600
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
    var id: DeliveryWorkerID { DeliveryWorkerID(linkage: linkage, system: receiver, method: .file) }

    /// Records on the receiver's topic after the newest file (markers included: an upper bound).
    func lag() async -> Int? {
        guard case .known(let manifest) = latest.withLock({ $0 }),
            let ends = try? await TopicReader(bus: bus).watermarks(destination.topic)
        else { return nil }
        let from = manifest?.positions ?? [:]
        return Int(ends.reduce(0) { $0 + max(0, $1.value.high - max(from[$1.key] ?? $1.value.low, $1.value.low)) })
    }

    private var metadata: Logger.Metadata { ["renkei.linkage": "\(linkage)", "renkei.receiver": "\(receiver)"] }

    // MARK: Windows

    /// What one window covers: found once by reading where the receiver stands, then kept across attempts.
    private struct Window {
        var name: FileName
        var from: [Int32: Int64]
        var ends: [Int32: KafkaWatermarks]
        var through: [String: Int64]
        var windowFrom: Date?
    }

    /// Writes the window that ends now, if the receiver has records it has not had in a file (always, with
    /// `force`: a daily file is written even when nothing changed). Returns the manifest written, `nil` when there
    /// was nothing to write; throws ``FileDeliveryError`` when the storage kept failing (after the dead letter).
    @discardableResult
    func deliver(windowEnd: Date = Date(), force: Bool) async throws -> FileManifest? {
        try await gate.run { try await deliverWindow(windowEnd: windowEnd, force: force) }
    }

    /// The daily window that closed at `due`, unless a file already covers it (checked under the same gate as the
    /// write, so an on-demand file in between is seen).
    func deliverIfDue(_ due: Date) async throws -> FileManifest? {
        try await gate.run {
            let covered = try await latestManifest()?.windowTo ?? .distantPast
            return covered < due ? try await deliverWindow(windowEnd: due, force: true) : nil
        }
    }

    private func deliverWindow(windowEnd: Date, force: Bool) async throws -> FileManifest? {
        // Whole seconds: the manifest's times are ISO 8601 without fractions, and the next window starts there.
        let windowEnd = Date(timeIntervalSince1970: windowEnd.timeIntervalSince1970.rounded(.down))
        let policy = RetryPolicy(route.linkage.failurePolicy)
        var firstFailure: Date?
        // Finding where the receiver stands lists the storage, so it is inside the attempts too: storage that is
        // down from the start is retried and dead-lettered like storage that fails while the file is written.
        var window: Window?
        var attempt = 1
        while true {
            do {
                let current: Window
                if let window {
                    current = window
                } else if let planned = try await plan(windowEnd: windowEnd, force: force) {
                    // One writer per file in the cluster: the claim is won once, by the first instance to ask.
                    guard
                        try await bus.shared.claimFileWindow(
                            linkage: linkage, receiver: receiver, sequence: planned.name.sequence)
                    else {
                        throw FileWindowTaken(linkage: linkage, receiver: receiver, file: planned.name.data)
                    }
                    current = planned
                    window = planned
                } else {
                    return nil
                }
                return try await write(
                    current.name, from: current.from, ends: current.ends, through: current.through,
                    windowFrom: current.windowFrom, windowEnd: windowEnd)
            } catch let error as CancellationError {
                throw error
            } catch let error as FileWindowTaken {
                // Another instance writes this file: nothing failed here.
                throw error
            } catch {
                // A shutdown mid-write surfaces from the storage as its own error: it is no storage failure.
                if Task.isCancelled { throw CancellationError() }
                firstFailure = firstFailure ?? Date()
                // Before the storage was read the sequence is unknown: the letter names the linkage's folder.
                let file = window?.name.data ?? FileName.folder(linkage: linkage)
                logger.warning(
                    "file not written",
                    metadata: metadata.merging(
                        ["renkei.attempt": "\(attempt)", "renkei.file": "\(file)", "renkei.error": "\(error)"]
                    ) { a, _ in a })
                // Damaged source data (a chunk missing or not matching its hash) does not heal by waiting.
                guard policy.retries(afterAttempt: attempt), !(error is TransferIntegrityError) else {
                    try await deadLetter(
                        file, error: error, attempts: attempt, first: firstFailure ?? Date(),
                        windowFrom: window?.windowFrom, windowEnd: windowEnd)
                    throw FileDeliveryError(linkage: linkage, receiver: receiver, file: file, cause: "\(error)")
                }
                try await Task.sleep(for: policy.delay(afterAttempt: attempt))
                attempt += 1
            }
        }
    }

    /// The window ending at `windowEnd`: from where the newest manifest left off to the topic's end, under the next
    /// sequence number; nil when there is nothing new and no `force`. Retention losses found on the way are
    /// recorded here, once per window.
    private func plan(windowEnd: Date, force: Bool) async throws -> Window? {
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
        // A topic that lost partitions, or whose ends lie below where the receiver's files got to, is not the topic
        // the files were written from (recreated, or another cluster): going on would skip or repeat records.
        for (partition, offset) in from where ends[partition].map({ offset > $0.high }) ?? true {
            throw FileDeliveryError(
                linkage: linkage, receiver: receiver, file: "-",
                cause: "the receiver's files reach offset \(offset) of \(destination.topic) partition \(partition), "
                    + "which the topic does not have now (recreated, or another cluster?); check the topic and move "
                    + "the receiver's manifests aside to start its files again")
        }
        let hasNew = ends.contains { partition, marks in max(from[partition] ?? marks.low, marks.low) < marks.high }
        guard hasNew || force else { return nil }
        var through: [String: Int64] = [:]
        for (partition, offset) in from { through[String(partition)] = offset }
        for (partition, marks) in ends { through[String(partition)] = max(from[partition] ?? marks.low, marks.high) }
        let name = FileName(
            linkage: linkage, provider: route.linkage.provider, receiver: receiver, windowEnd: windowEnd,
            timeZone: schedule.zone, sequence: (previous?.sequence ?? 0) + 1)
        return Window(name: name, from: from, ends: ends, through: through, windowFrom: previous?.windowTo)
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
        // From here the file is delivered, whatever happens to its history entry: the next window starts after it.
        latest.withLock { $0 = .known(manifest) }
        let keys = rows.keys
        var keyList: HistoryKeyList?
        if keys.count > HistoryKeyList.threshold {
            do {
                keyList = try await bus.writeKeyList(keys)
            } catch {
                logger.error(
                    "the key list of a delivered file was not written; its history entry names no keys",
                    metadata: metadata.merging(["renkei.file": "\(name.data)", "renkei.error": "\(error)"]) { a, _ in a
                    })
            }
        }
        await bus.record([
            HistoryEntry.delivered(
                linkage: route.linkage, receiver: destination.receiver,
                keys: keys.count > HistoryKeyList.threshold ? [] : keys, events: [], recordCount: rows.records,
                keyList: keyList, file: "\(storage.location)/\(name.data)")
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
        _ file: String, error: any Error, attempts: Int, first: Date, windowFrom: Date?, windowEnd: Date
    ) async throws {
        let file = "\(storage.location)/\(file)"
        var body: [(String, JSONValue)] = [("file", .string(file)), ("windowTo", .string(Timestamp.format(windowEnd)))]
        if let windowFrom { body.append(("windowFrom", .string(Timestamp.format(windowFrom)))) }
        let failure = DeliveryFailure(
            recordCount: 0, reason: Bus.fileNotWritten, message: "\(error)", attempts: attempts, firstFailure: first,
            file: file)
        try await bus.deadLetterDelivery(
            failure, linkage: linkage, receiver: receiver, description: Array(JSONValue.object(body).serialized().utf8))
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
            guard
                let (sequence, isManifest) = FileName.sequence(
                    of: object.name, linkage: linkage, provider: route.linkage.provider, receiver: receiver)
            else { continue }
            if isManifest {
                if sequence > newest?.0 ?? 0 { newest = (sequence, object.name) }
            } else if let modified = object.modified, Date().timeIntervalSince(modified) > Self.orphanGrace {
                // Only data files left for a while: a younger one may be another writer's, its manifest on the way.
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

/// Another instance of the cluster is writing the receiver's next file (``SharedState/claimFileWindow``): this one
/// writes nothing; the other's file covers the records.
public struct FileWindowTaken: Error, Sendable, CustomStringConvertible {
    public var linkage: String
    public var receiver: String
    public var file: String
    public var description: String {
        "Another instance is writing \(file) for receiver \(receiver) of linkage \(linkage); ask again once it is done."
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
                // A window the storage refused is tried again after a pause, not a day later.
                guard try await attempt({ try await self.deliverIfDue(due) }) else {
                    try await Task.sleep(for: bus.configuration.fileRetryInterval)
                    continue
                }
                try await Self.sleep(until: schedule.next(after: now))
            }
        case .event:
            while !Task.isCancelled {
                let written = try await attempt { try await self.deliver(force: false) }
                try await Task.sleep(
                    for: written ? bus.configuration.fileEventInterval : bus.configuration.fileRetryInterval)
            }
        case .onDemand:
            while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
        }
    }

    /// One window; `false` when it failed (already retried, dead-lettered and logged), so the loop pauses.
    private func attempt(_ body: () async throws -> FileManifest?) async throws -> Bool {
        do {
            _ = try await body()
            return true
        } catch let error as CancellationError {
            throw error
        } catch is FileWindowTaken {
            // Written by another instance (an on-demand request there): its manifest covers the window.
            logger.info("file window written by another instance", metadata: metadata)
            return false
        } catch {
            logger.error("file window failed", metadata: metadata.merging(["renkei.error": "\(error)"]) { a, _ in a })
            return false
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
    /// The file delivery of `receiver` of `linkage`, one per bus, shared by the scheduled worker and on-demand
    /// requests so their windows never interleave; `nil` when it is not a file receiver with a storage location.
    /// Throws when the location cannot be used.
    func fileDelivery(linkage: String, receiver: String) throws -> FileDelivery? {
        guard let route = route(linkage), let destination = route.destination(receiver),
            destination.receiver.delivery == .file, let url = contracts.system(receiver)?.endpoints.storage
        else { return nil }
        let key = "\(linkage)/\(receiver)"
        if let existing = fileDeliveryRegistry.withLock({ $0[key] }) { return existing }
        let created = FileDelivery(bus: self, route: route, destination: destination, storage: try storage(url))
        return fileDeliveryRegistry.withLock { registry in
            if let existing = registry[key] { return existing }
            registry[key] = created
            return created
        }
    }

    /// Writes the file of `receiver` of `linkage` for the window ending now (on-demand delivery, or an operator's
    /// catch-up): what it has not yet had in a file (differential), or the current state of every key (full).
    @discardableResult
    public func deliverFile(linkage: String, receiver: String) async throws -> FileManifest? {
        guard let delivery = try fileDelivery(linkage: linkage, receiver: receiver) else {
            throw FileDeliveryError(
                linkage: linkage, receiver: receiver, file: "-",
                cause: "the system is not a file receiver of the linkage, or has no storage location")
        }
        return try await delivery.deliver(force: true)
    }
}

extension Bus {
    /// The newest manifests of `receiver`'s files of `linkage` (newest first), read from its storage.
    public func fileManifests(linkage: String, receiver: String, limit: Int) async throws -> [FileManifest] {
        guard let delivery = try fileDelivery(linkage: linkage, receiver: receiver) else { return [] }
        return try await delivery.manifests(limit: limit)
    }
}

extension FileDelivery {
    /// The newest `limit` manifests in the receiver's storage, newest first.
    func manifests(limit: Int) async throws -> [FileManifest] {
        let names = try await storage.list(prefix: FileName.folder(linkage: linkage)).compactMap {
            object -> (Int, String)? in
            guard
                let (sequence, isManifest) = FileName.sequence(
                    of: object.name, linkage: linkage, provider: route.linkage.provider, receiver: receiver),
                isManifest
            else { return nil }
            return (sequence, object.name)
        }
        var manifests: [FileManifest] = []
        for (_, name) in names.sorted(by: { $0.0 > $1.0 }).prefix(limit) {
            if let manifest = FileManifest.decode(try await storage.get(name)) { manifests.append(manifest) }
        }
        return manifests
    }
}
