import RenkeiContracts
import RenkeiKafka

/// The current state of every key a full-file receiver has been given: its compacted topic
/// `renkei.state.<linkage>.<receiver>`, one message per key holding the receiver's latest record as the row of its
/// file (``StateRows``). A full file is built from it alone, so the provider never has to send everything again;
/// compaction keeps it one record per key on a real cluster, and reading keeps only each key's last record
/// wherever compaction has not run yet.
struct FileState: Sendable {
    let bus: Bus
    let topic: String
    let rows: StateRows
    /// The most messages read into memory at once: partitions are read in groups of about this many messages.
    var groupMessages = 1 << 16
    /// Records sent (and waited for) together: small enough that the full receivers of a linkage, writing at once,
    /// stay within the producer's in-flight bound (100,000 messages) instead of waiting for room.
    static let sendBatch = 16_384

    /// Writes the latest record of each key (values from ``StateRecords``), with the record naming the columns
    /// they were encoded for (always in partition 0, which is read first); waits until the cluster has them all.
    func write(_ records: [(key: [UInt8], value: [UInt8])]) async throws {
        guard !records.isEmpty else { return }
        let columns = rows.columnsRecord
        var messages = [KafkaOutgoingMessage(topic: topic, partition: 0, key: columns.key, value: columns.value)]
        var start = 0
        while start < records.count {
            let slice = records[start..<min(records.count, start + Self.sendBatch)]
            messages.reserveCapacity(messages.count + slice.count)
            for record in slice {
                messages.append(KafkaOutgoingMessage(topic: topic, key: record.key, value: record.value))
            }
            let report = try await bus.chunkProducer.send(messages)
            try report.throwIfAnyFailed()
            messages.removeAll(keepingCapacity: true)
            start += slice.count
        }
    }

    /// Appends every key's latest record to `file`, reading the topic once: partitions in groups of about
    /// ``groupMessages`` messages, each group held in memory (keys and values in one buffer) until it is read to its
    /// end, then each key's last record taken. A partition larger than a group is read twice instead — first for
    /// each key's last offset (keys and offsets only), then for those records — so memory stays bounded whatever
    /// the topic holds. Partition 0, which holds the columns records, comes first.
    func readCurrent(into file: inout FileRows) async throws {
        let reader = TopicReader(bus: bus)
        let ends = try await reader.watermarks(topic)
        var emitter = StateEmitter(topic: topic, current: rows.digest, layout: file.layout)
        var group: [Int32: KafkaWatermarks] = [:]
        var groupCount = 0
        func readGroup() async throws {
            guard !group.isEmpty else { return }
            var held = HeldMessages()
            try await reader.scan(topic: topic, ends: group) { held.append($0) }
            try await held.emit(with: &emitter, into: &file)
            group = [:]
            groupCount = 0
        }
        for partition in ends.keys.sorted() {
            let marks = ends[partition]!
            let count = Int(marks.high - marks.low)
            guard count > 0 else { continue }
            if count > groupMessages {
                try await readGroup()
                try await readTwice(reader, partition: partition, marks: marks, emitter: &emitter, into: &file)
                continue
            }
            if groupCount + count > groupMessages { try await readGroup() }
            group[partition] = marks
            groupCount += count
        }
        try await readGroup()
    }

    /// One partition too large for a group: its keys' last offsets first, then those records.
    private func readTwice(
        _ reader: TopicReader, partition: Int32, marks: KafkaWatermarks, emitter: inout StateEmitter,
        into file: inout FileRows
    ) async throws {
        let ends = [partition: marks]
        var offsets = StateOffsets()
        offsets.reserve(Int(marks.high - marks.low), in: partition)
        try await reader.scan(topic: topic, ends: ends) { message in
            message.withUnsafeKey { key in
                guard !key.isEmpty else { return }
                if StateRows.columnsDigest(ofKey: key) != nil {
                    message.withUnsafeValue { emitter.noteColumns(key: key, value: $0) }
                } else {
                    offsets.note(key, partition: partition, offset: message.offset)
                }
            }
        }
        try await reader.scan(topic: topic, ends: ends) { message in
            try message.withUnsafeKey { key in
                guard !key.isEmpty, key.first != StateRows.columnsMarker,
                    offsets.isLatest(key, partition: partition, offset: message.offset)
                else { return }
                try message.withUnsafeValue {
                    try emitter.emit(key: key, value: $0, at: (partition, message.offset), into: &file)
                }
            }
        } afterBatch: {
            try await file.flushIfFull()
        }
    }
}

/// Turns state values into file rows: rows of the current columns as they are, rows of older columns converted,
/// JSON values (written before rows were kept encoded) decoded.
struct StateEmitter {
    let topic: String
    let current: [UInt8]
    let layout: Layout
    private var columns: [[UInt8]: [String]] = [:]
    private var converters: [[UInt8]: StateRowConverter] = [:]

    init(topic: String, current: [UInt8], layout: Layout) {
        self.topic = topic
        self.current = current
        self.layout = layout
    }

    /// A columns record: the item names its digest stands for.
    mutating func noteColumns(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        guard let digest = StateRows.columnsDigest(ofKey: key) else { return }
        columns[digest] = String(decoding: value, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        ).map(String.init)
    }

    /// Appends the record `value` of `key` to `file`; an empty value (a deletion) is skipped.
    mutating func emit(
        key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, at position: (Int32, Int64),
        into file: inout FileRows
    ) throws {
        guard let first = value.first else { return }
        let prefixBytes = 1 + StateRows.digestBytes
        if first == StateRows.rowMarker, value.count > prefixBytes {
            let digest = UnsafeRawBufferPointer(rebasing: value[1..<prefixBytes])
            let row = UnsafeRawBufferPointer(rebasing: value[prefixBytes...])
            if digest.elementsEqual(current) {
                file.append(row: row, key: key)
                return
            }
            let known = Array(digest)
            if converters[known] == nil, let old = columns[known] {
                converters[known] = StateRowConverter(old: old, layout: layout)
            }
            guard let converter = converters[known] else {
                throw TransferIntegrityError(
                    transfer: topic,
                    problem: "the state record at \(position.0)/\(position.1) was written for columns the state "
                        + "does not name")
            }
            file.append(converter.convert(row))
        } else if first == UInt8(ascii: "{") {
            file.append(jsonObject: value)
        } else {
            throw TransferIntegrityError(
                transfer: topic, problem: "the state record at \(position.0)/\(position.1) cannot be read")
        }
    }
}

/// The messages of a group of partitions, copied into one buffer until the group is read to its end.
struct HeldMessages {
    private struct Entry {
        var partition: Int32
        var offset: Int64
        var start: Int
        var keyCount: Int
        var valueCount: Int
    }

    private var bytes: [UInt8] = []
    private var entries: [Entry] = []

    mutating func append(_ message: KafkaMessage) {
        let start = bytes.count
        let keyCount = message.withUnsafeKey { key in
            bytes.append(contentsOf: key)
            return key.count
        }
        let valueCount = message.withUnsafeValue { value in
            bytes.append(contentsOf: value)
            return value.count
        }
        entries.append(
            Entry(
                partition: message.partition, offset: message.offset, start: start, keyCount: keyCount,
                valueCount: valueCount))
    }

    /// Each key's last record, in partition-then-offset order, into `file`.
    func emit(with emitter: inout StateEmitter, into file: inout FileRows) async throws {
        var offsets = StateOffsets()
        let order = entries.indices.sorted {
            (entries[$0].partition, entries[$0].offset) < (entries[$1].partition, entries[$1].offset)
        }
        bytes.withUnsafeBytes { raw in
            for entry in entries {
                let key = UnsafeRawBufferPointer(rebasing: raw[entry.start..<(entry.start + entry.keyCount)])
                guard !key.isEmpty else { continue }
                if StateRows.columnsDigest(ofKey: key) != nil {
                    let valueStart = entry.start + entry.keyCount
                    emitter.noteColumns(
                        key: key,
                        value: UnsafeRawBufferPointer(rebasing: raw[valueStart..<(valueStart + entry.valueCount)]))
                } else {
                    offsets.note(key, partition: entry.partition, offset: entry.offset)
                }
            }
        }
        var next = 0
        while next < order.count {
            let end = min(order.count, next + 4096)
            try bytes.withUnsafeBytes { raw in
                for index in order[next..<end] {
                    let entry = entries[index]
                    let key = UnsafeRawBufferPointer(rebasing: raw[entry.start..<(entry.start + entry.keyCount)])
                    guard !key.isEmpty, key.first != StateRows.columnsMarker,
                        offsets.isLatest(key, partition: entry.partition, offset: entry.offset)
                    else { continue }
                    let valueStart = entry.start + entry.keyCount
                    try emitter.emit(
                        key: key,
                        value: UnsafeRawBufferPointer(rebasing: raw[valueStart..<(valueStart + entry.valueCount)]),
                        at: (entry.partition, entry.offset), into: &file)
                }
            }
            try await file.flushIfFull()
            next = end
        }
    }
}
