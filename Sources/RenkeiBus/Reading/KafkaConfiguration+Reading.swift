import RenkeiKafka

extension KafkaConfiguration {
    /// The settings of a consumer that reads by assignment (no group) and ends partitions by position: it notes
    /// partition ends and positions past markers (``KafkaConsumer/reachedOffset(of:)``), and its poll thread waits
    /// at most `batchWait` for a first message before noting them again. Each holds at most 16 MiB fetched ahead
    /// (librdkafka's default is 64 MiB), which keeps a reader pool's memory bounded while a page is being used.
    func positionReading(batchWait: Duration) -> KafkaConfiguration {
        var reader = self
        reader.consumer.groupID = nil
        reader.consumer.reportsPartitionEnd = true
        reader.consumer.batchWait = batchWait
        reader.consumer.prefetchKilobytes = min(reader.consumer.prefetchKilobytes, 16_384)
        return reader
    }
}
