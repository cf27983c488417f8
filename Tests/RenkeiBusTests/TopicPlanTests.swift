import RenkeiBus
import RenkeiContracts
import Testing

/// The topic plan of the sample contracts, its rules, and the comparison with a cluster's description.
struct TopicPlanTests {
    private let contracts: ContractSet

    init() throws {
        contracts = try ContractLoader.load(directory: BusHarness.contractsDirectory)
    }

    @Test func everyTopicOfTheSampleContractsHasItsClassAndConfigs() throws {
        let plan = try TopicPlan(contracts: contracts, instances: ["a", "b"], settings: .cluster)
        var expected: [String: TopicClass] = [
            "renkei.history": .history, "renkei.history.keys": .historyKeys, "renkei.query.resident-query": .query,
            "renkei.reply.a": .reply,
            "renkei.reply.b": .reply, "renkei.dlq.resident-change": .deadLetters,
            "renkei.dlq.resident-register-daily": .deadLetters,
            // Receiver 008 gets full files: the current record per key, compacted.
            "renkei.state.resident-register-daily.008": .fileState,
            // State every gateway instance shares, and the leases of once-per-cluster work.
            "renkei.shared.claims": .sharedClaims, "renkei.shared.transfers": .sharedTransfers,
            "renkei.shared.settings": .sharedSettings, "renkei.leases": .leases,
        ]
        for (linkage, receivers) in [
            ("resident-change", ["018", "017", "002", "C001"]), ("resident-register-daily", ["008", "018", "C001"]),
        ] {
            for receiver in receivers {
                expected["renkei.out.\(linkage).\(receiver)"] = .receiver
                expected["renkei.bulk.\(linkage).\(receiver)"] = .bulk
                expected["renkei.dlq.\(linkage).\(receiver)"] = .deadLetters
            }
        }
        #expect(Dictionary(uniqueKeysWithValues: plan.topics.map { ($0.name, $0.topicClass) }) == expected)
        for topic in plan.topics {
            #expect(topic.replicationFactor == 3)
            #expect(topic.configs["min.insync.replicas"] == "2")
            let policy =
                switch topic.topicClass {
                case .fileState, .sharedSettings: "compact"
                case .sharedTransfers: "compact,delete"
                default: "delete"
                }
            #expect(topic.configs["cleanup.policy"] == policy)
        }
        #expect(plan.topic("renkei.shared.claims")?.partitions == 1)
        // Short segments, so retention and compaction keep what every starting instance reads small.
        #expect(plan.topic("renkei.shared.claims")?.configs["segment.ms"] == "3600000")
        #expect(plan.topic("renkei.shared.transfers")?.configs["segment.ms"] == "86400000")
        #expect(plan.topic("renkei.history")?.configs["segment.ms"] == nil)
        #expect(plan.topic("renkei.shared.transfers")?.configs["retention.ms"] == "604800000")
        #expect(plan.topic("renkei.leases")?.partitions == TopicPlan.leasePartitions)
        #expect(plan.topic("renkei.state.resident-register-daily.008")?.configs["retention.ms"] == "-1")
        #expect(plan.topic("renkei.history")?.configs["retention.ms"] == "-1")
        #expect(plan.topic("renkei.history")?.partitions == 1)
        #expect(plan.topic("renkei.history.keys")?.configs["retention.ms"] == "-1")
        #expect(plan.topic("renkei.history.keys")?.partitions == 16)
        #expect(plan.topic("renkei.dlq.resident-change.C001")?.configs["retention.ms"] == "-1")
        #expect(plan.topic("renkei.out.resident-change.C001")?.configs["retention.ms"] == "2592000000")
        #expect(plan.topic("renkei.out.resident-change.C001")?.partitions == 4)
        #expect(plan.topic("renkei.bulk.resident-change.C001")?.configs["retention.ms"] == "2592000000")
        #expect(plan.topic("renkei.bulk.resident-change.C001")?.partitions == 16)
        #expect(plan.topic("renkei.query.resident-query")?.configs["retention.ms"] == "86400000")
        #expect(plan.topic("renkei.reply.a")?.configs["retention.ms"] == "86400000")
    }

    @Test func bulkChunksNeverExpireBeforeTheirManifests() throws {
        var settings = TopicSettings.cluster
        settings.receiverRetention = .days(60)
        settings.bulkRetention = .days(7)
        let error = #expect(throws: TopicPlanError.self) {
            try TopicPlan(contracts: contracts, instances: [], settings: settings)
        }
        #expect(
            error?.description
                == "topic settings refused: bulk retention 7d is shorter than receiver retention 60d: a manifest on a "
                + "receiver topic would outlive the chunks it points to")
        settings.bulkRetention = nil
        let plan = try TopicPlan(contracts: contracts, instances: [], settings: settings)
        #expect(plan.topic("renkei.bulk.resident-change.018")?.retention == .days(60))
        settings.bulkRetention = .forever
        #expect(throws: Never.self) { try TopicPlan(contracts: self.contracts, instances: [], settings: settings) }
    }

    @Test func historyAndDeadLettersKeepAtLeastSevenYears() throws {
        #expect(TopicRetention.legalMinimum.milliseconds == 220_898_400_000)
        #expect(try #require(TopicRetention(parsing: "7y")) >= .legalMinimum)
        #expect(TopicRetention(parsing: "2556d")! < .legalMinimum)
        var settings = TopicSettings.cluster
        settings.historyRetention = .days(2556)
        let error = #expect(throws: TopicPlanError.self) {
            try TopicPlan(contracts: contracts, instances: [], settings: settings)
        }
        #expect(error?.description.contains("history retention 2556d is below the legal minimum of 7 years") == true)
        settings.historyRetention = .legalMinimum
        settings.deadLetterRetention = TopicRetention(milliseconds: 1000)
        #expect(throws: TopicPlanError.self) {
            try TopicPlan(contracts: self.contracts, instances: [], settings: settings)
        }
        settings = .cluster
        settings.minInsyncReplicas = 4
        #expect(throws: TopicPlanError.self) {
            try TopicPlan(contracts: self.contracts, instances: [], settings: settings)
        }
    }

    @Test func retentionsParseAndPrint() {
        #expect(TopicRetention(parsing: "forever") == .forever)
        #expect(TopicRetention(parsing: "-1") == .forever)
        #expect(TopicRetention(parsing: "30d") == .days(30))
        #expect(TopicRetention(parsing: "1500") == TopicRetention(milliseconds: 1500))
        #expect(TopicRetention(parsing: "12h")?.milliseconds == 43_200_000)
        #expect(TopicRetention(parsing: "0") == nil)
        #expect(TopicRetention(parsing: "3 weeks") == nil)
        #expect(TopicRetention.days(30).description == "30d")
        #expect(TopicRetention.legalMinimum.description == "7 years (the legal minimum)")
        #expect(TopicRetention(parsing: "7y")?.description == "7y")
        #expect(TopicRetention(milliseconds: 604_800_000).description == "7d")
        #expect(TopicRetention.forever > .legalMinimum)
    }

    @Test func aClusterThatMatchesHasNoFindings() throws {
        let plan = try TopicPlan(contracts: contracts, instances: ["a"], settings: .cluster)
        #expect(plan.check(Self.described(plan)).isEmpty)
        #expect(plan.check(Self.described(plan), scope: .start).isEmpty)
    }

    @Test func loweredHistoryRetentionAndLowReplicationAreNamedPrecisely() throws {
        let plan = try TopicPlan(contracts: contracts, instances: ["a"], settings: .cluster)
        var observed = Self.described(plan)
        let history = try #require(observed.firstIndex { $0.name == "renkei.history" })
        observed[history].configs["retention.ms"] = "604800000"
        let receiver = try #require(observed.firstIndex { $0.name == "renkei.out.resident-change.018" })
        observed[receiver].replicationFactor = 1
        observed[receiver].configs["retention.ms"] = "86400000"
        observed.removeAll { $0.name == "renkei.reply.a" }

        let start = plan.check(observed, scope: .start).map(\.description)
        #expect(
            start == [
                "renkei.history: retention.ms is 604800000 (7d); required: at least 220898400000 (7 years, the My "
                    + "Number Act's retention of access records), or -1 (forever)",
                "renkei.out.resident-change.018: replication.factor is 1; required: at least 3",
            ])

        let full = plan.check(observed).map(\.description)
        #expect(
            full == [
                "renkei.history: retention.ms is 604800000 (7d); required: -1 (forever)",
                "renkei.out.resident-change.018: replication.factor is 1; required: at least 3",
                "renkei.out.resident-change.018: retention.ms is 86400000 (1d); required: 2592000000 (30d)",
                "renkei.reply.a: missing; required: present (renkei topics apply creates it)",
            ])
    }

    @Test func aTopicWithBrokerDefaultsFailsTheStartCheck() throws {
        let plan = try TopicPlan(contracts: contracts, instances: [], settings: .embedded)
        // A topic created without configs on Apache Kafka: the broker's 7 days (log.retention.hours=168).
        let observed = [
            ObservedTopic(
                name: "renkei.dlq.resident-change", partitions: 1, replicationFactor: 1,
                configs: ["retention.ms": "604800000", "cleanup.policy": "delete", "min.insync.replicas": "1"])
        ]
        #expect(plan.check(observed, scope: .start).map(\.topic) == ["renkei.dlq.resident-change"])
    }

    /// The cluster description of a plan applied exactly.
    private static func described(_ plan: TopicPlan) -> [ObservedTopic] {
        plan.topics.map {
            ObservedTopic(
                name: $0.name, partitions: $0.partitions, replicationFactor: $0.replicationFactor, configs: $0.configs)
        }
    }
}
