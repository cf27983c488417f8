import CRdKafka

/// What kind of librdkafka client a configuration is mapped for.
enum KafkaClientRole: Sendable {
    case producer
    case consumer
    case admin
}

extension KafkaConfiguration {
    /// The one mapping from this struct to librdkafka properties, in the order they are applied.
    ///
    /// Values librdkafka cannot check by itself (durations, counts, empty lists) are validated here so the error
    /// names the key.
    func librdkafkaProperties(for role: KafkaClientRole) throws(KafkaError) -> [(key: String, value: String)] {
        var properties: [(key: String, value: String)] = []
        func set(_ key: String, _ value: String) { properties.append((key, value)) }
        func milliseconds(_ key: String, _ duration: Duration, minimum: Int64 = 0) throws(KafkaError) {
            let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
            guard ms >= minimum else {
                throw .configuration(key: key, reason: "\(duration) is below the minimum of \(minimum) ms")
            }
            set(key, String(ms))
        }
        func positive(_ key: String, _ value: Int) throws(KafkaError) {
            guard value > 0 else { throw .configuration(key: key, reason: "\(value) must be greater than 0") }
            set(key, String(value))
        }

        let servers = bootstrapServers.map { $0.trimmingSpaces }.filter { !$0.isEmpty }
        guard !servers.isEmpty else {
            throw .configuration(key: "bootstrap.servers", reason: "no broker address given")
        }
        set("bootstrap.servers", servers.joined(separator: ","))
        set("client.id", clientID)
        set("security.protocol", securityProtocol.rawValue)
        if let ca = tls.caLocation { set("ssl.ca.location", ca) }
        if let cert = tls.certificateLocation { set("ssl.certificate.location", cert) }
        if let key = tls.keyLocation { set("ssl.key.location", key) }
        if let password = tls.keyPassword { set("ssl.key.password", password) }
        if securityProtocol == .ssl || securityProtocol == .saslSSL {
            set("ssl.endpoint.identification.algorithm", tls.verifyHostname ? "https" : "none")
        }
        if let sasl {
            set("sasl.mechanisms", sasl.mechanism.rawValue)
            set("sasl.username", sasl.username)
            set("sasl.password", sasl.password)
        }
        try milliseconds("socket.timeout.ms", socketTimeout, minimum: 10)
        // Small requests (transaction markers, commits, a provide's few records) go out at once, as Kafka's own
        // clients send them; Nagle's algorithm would hold one behind an unacknowledged other for up to 40 ms.
        set("socket.nagle.disable", "true")
        guard (0...7).contains(logLevel) else {
            throw .configuration(key: "log_level", reason: "\(logLevel) is not between 0 and 7")
        }
        // Consumers need librdkafka's warnings: the only report of offsets skipped because they were no longer
        // retained is one (see KafkaRetentionLoss). Lines above `logLevel` are dropped before the Logger.
        set("log_level", String(role == .consumer ? max(logLevel, 4) : logLevel))

        switch role {
        case .producer:
            set("enable.idempotence", "true")
            set("acks", "all")
            try milliseconds("linger.ms", producer.linger)
            try positive("batch.num.messages", producer.maxBatchMessages)
            try positive("queue.buffering.max.messages", producer.maxInFlightMessages)
            try positive("queue.buffering.max.kbytes", producer.maxInFlightKilobytes)
            try milliseconds("message.timeout.ms", producer.deliveryTimeout, minimum: 1)
            set("compression.codec", producer.compression.rawValue)
            if let transactionalID = producer.transactionalID {
                guard !transactionalID.isEmpty else {
                    throw .configuration(key: "transactional.id", reason: "must not be empty")
                }
                set("transactional.id", transactionalID)
                try milliseconds("transaction.timeout.ms", producer.transactionTimeout, minimum: 1000)
            }
        case .consumer:
            // Without a group, explicit assignment still needs a group id inside librdkafka; it is never joined.
            let group = consumer.groupID ?? "renkei.cursor.\(UInt64.random(in: 0...UInt64.max))"
            guard !group.isEmpty else { throw .configuration(key: "group.id", reason: "must not be empty") }
            set("group.id", group)
            set("enable.auto.commit", "false")
            set("enable.auto.offset.store", "false")
            set("enable.partition.eof", consumer.reportsPartitionEnd ? "true" : "false")
            try milliseconds("fetch.wait.max.ms", consumer.fetchWait, minimum: 1)
            set("isolation.level", consumer.isolationLevel.rawValue)
            set("auto.offset.reset", consumer.offsetReset.rawValue)
            try milliseconds("session.timeout.ms", consumer.sessionTimeout, minimum: 1)
            try milliseconds("heartbeat.interval.ms", consumer.heartbeatInterval, minimum: 1)
            try milliseconds("max.poll.interval.ms", consumer.maxPollInterval, minimum: 1)
            try positive("queued.max.messages.kbytes", consumer.prefetchKilobytes)
            guard consumer.maxBatchSize > 0 else {
                throw .configuration(key: "consumer.maxBatchSize", reason: "must be greater than 0")
            }
            guard consumer.bufferedBatches > 0 else {
                throw .configuration(key: "consumer.bufferedBatches", reason: "must be greater than 0")
            }
        case .admin:
            break
        }
        for (key, value) in additionalConfig.sorted(by: { $0.key < $1.key }) {
            set(key, value)
        }
        return properties
    }

    /// Builds an `rd_kafka_conf_t` from ``librdkafkaProperties(for:)``; the caller owns the result.
    func makeLibrdkafkaConf(for role: KafkaClientRole) throws(KafkaError) -> OpaquePointer {
        let properties = try librdkafkaProperties(for: role)
        let conf = rd_kafka_conf_new()!
        var errorText = [CChar](repeating: 0, count: 512)
        for (key, value) in properties {
            let result = rd_kafka_conf_set(conf, key, value, &errorText, errorText.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let reason = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                throw .configuration(key: key, reason: reason)
            }
        }
        return conf
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
