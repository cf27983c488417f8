import RenkeiKafka

/// What the cluster says now, for health checks and gauges, through the bus's own admin client.
extension Bus {
    /// Throws when the cluster cannot tell the history topic's watermarks now (unreachable, or the topic gone).
    public func checkCluster() async throws {
        _ = try await admin.watermarks(topic: BusTopics.history)
    }

    /// Messages on each dead-letter topic of the cluster (high − low watermark, summed over partitions), by topic;
    /// empty when the cluster cannot list its topics now.
    public func deadLetterCounts() async -> [(topic: String, count: Int)] {
        guard let topics = try? await admin.listTopics() else { return [] }
        var counts: [(topic: String, count: Int)] = []
        for topic in topics.map(\.name) where topic.hasPrefix(BusTopics.deadLetterPrefix) {
            let marks = (try? await admin.watermarks(topic: topic)) ?? [:]
            counts.append((topic, marks.values.reduce(0) { $0 + Int($1.high - $1.low) }))
        }
        return counts
    }
}
