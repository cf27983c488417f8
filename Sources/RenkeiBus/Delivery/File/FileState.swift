import RenkeiKafka

/// The current state of every key a full-file receiver has been given: its compacted topic
/// `renkei.state.<linkage>.<receiver>`, one message per key holding the receiver's latest record. A full file is
/// built from it alone, so the provider never has to send everything again; compaction keeps it one record per
/// key on a real cluster, and reading keeps only each key's last record wherever compaction has not run yet.
struct FileState: Sendable {
    let bus: Bus
    let topic: String

    /// Writes the latest record of each key; waits until the cluster has them all.
    func write(_ records: [(key: String, json: [UInt8])]) async throws {
        guard !records.isEmpty else { return }
        var start = 0
        while start < records.count {
            let slice = records[start..<min(records.count, start + 50_000)]
            let report = try await bus.chunkProducer.send(
                slice.map { KafkaOutgoingMessage(topic: topic, key: Array($0.key.utf8), value: $0.json) })
            try report.throwIfAnyFailed()
            start += slice.count
        }
    }

    /// Every key's latest record, a page at a time. Memory holds one offset per key, not the records: the topic
    /// is read twice, first to find each key's last offset, then to hand out those records. Each pass reads every
    /// partition at once, so the reader is assigned twice, not twice per partition.
    func readCurrent(pageSize: Int = 10_000, _ body: ([[UInt8]]) async throws -> Void) async throws {
        let reader = TopicReader(bus: bus)
        let ends = try await reader.watermarks(topic)
        var last: [Int32: [[UInt8]: Int64]] = [:]
        try await reader.readPages(topic: topic, ends: ends, pageSize: pageSize) { page in
            for message in page.messages {
                if let key = message.key { last[message.partition, default: [:]][key] = message.offset }
            }
        }
        try await reader.readPages(topic: topic, ends: ends, pageSize: pageSize) { page in
            let current = page.messages.compactMap { message -> [UInt8]? in
                guard let key = message.key, last[message.partition]?[key] == message.offset, !message.value.isEmpty
                else { return nil }
                return message.value
            }
            if !current.isEmpty { try await body(current) }
        }
    }
}
