public import RenkeiContracts

/// Every topic the bus uses, with its settings by class, in one place: the bus creates topics from it at start,
/// and `renkei topics plan|apply|check` print it, create what is missing and compare the cluster with it.
public struct TopicPlan: Sendable {
    /// The settings the plan was built from.
    public let settings: TopicSettings
    /// Every topic, sorted by name.
    public let topics: [PlannedTopic]

    /// The plan of `contracts` for the bus instances `instances` (each has its own reply topic). Fails when the
    /// settings break a rule (``TopicSettings/validate()``).
    public init(contracts: ContractSet, instances: [String], settings: TopicSettings) throws(TopicPlanError) {
        try self.init(
            routes: LinkageRoute.routes(for: contracts).values,
            queryLinkages: QueryResponder.routes(contracts).keys, instances: instances, settings: settings)
    }

    init(
        routes: some Sequence<LinkageRoute>, queryLinkages: some Sequence<String>, instances: [String],
        settings: TopicSettings
    ) throws(TopicPlanError) {
        try settings.validate()
        var topics: [String: PlannedTopic] = [:]
        func add(_ name: String, _ topicClass: TopicClass) {
            let (partitions, retention): (Int, TopicRetention) =
                switch topicClass {
                case .history: (1, settings.historyRetention)
                case .historyKeys: (settings.bulkPartitions, settings.historyRetention)
                case .deadLetters: (1, settings.deadLetterRetention)
                case .receiver: (settings.partitions, settings.receiverRetention)
                case .bulk: (settings.bulkPartitions, settings.effectiveBulkRetention)
                case .fileState: (settings.bulkPartitions, .forever)
                case .query: (settings.partitions, settings.queryRetention)
                case .reply: (1, settings.replyRetention)
                case .sharedClaims: (1, .days(1))
                case .sharedTransfers: (1, .days(7))
                case .sharedSettings: (1, .forever)
                case .leases: (TopicPlan.leasePartitions, .days(1))
                }
            topics[name] = PlannedTopic(
                name: name, topicClass: topicClass, partitions: partitions,
                replicationFactor: settings.replicationFactor, retention: retention,
                minInsyncReplicas: settings.minInsyncReplicas)
        }
        add(BusTopics.history, .history)
        add(BusTopics.historyKeys, .historyKeys)
        for route in routes {
            add(route.ingestDeadLetterTopic, .deadLetters)
            for destination in route.destinations {
                add(destination.topic, .receiver)
                add(destination.bulkTopic, .bulk)
                add(destination.deadLetterTopic, .deadLetters)
                if destination.receiver.fileMode == .full {
                    add(
                        BusTopics.fileState(linkage: route.linkage.id, receiver: destination.receiver.system),
                        .fileState)
                }
            }
        }
        for linkage in queryLinkages { add(BusTopics.queries(linkage: linkage), .query) }
        for instance in instances { add(BusTopics.replies(instance: instance), .reply) }
        add(BusTopics.sharedClaims, .sharedClaims)
        add(BusTopics.sharedTransfers, .sharedTransfers)
        add(BusTopics.sharedSettings, .sharedSettings)
        add(BusTopics.leases, .leases)
        self.settings = settings
        self.topics = topics.values.sorted { $0.name < $1.name }
    }

    /// Partitions of ``BusTopics/leases``: how finely once-per-cluster work is spread over instances.
    public static let leasePartitions = 12

    /// The planned topic called `name`.
    public func topic(_ name: String) -> PlannedTopic? { topics.first { $0.name == name } }
}
