public import Foundation
import Logging
import RenkeiKafka

/// What the gateway instances of one cluster share, kept in Kafka (no other server): client-assertion ids already
/// used, bulk transfer status, and maintenance mode. Every instance reads the shared topics from their beginning
/// before it serves (``Bus/start(contracts:configuration:logger:)`` waits for that) and follows them after.
///
/// Writes go to partition 0 of their topic and return once this instance has read past them, so a request sees
/// what the request before it wrote at the same instance; other instances see it as soon as they have read it —
/// typically within milliseconds.
public final class SharedState: Sendable {
    private let follower: SharedFollower
    private let producer: KafkaProducer
    private let instance: String
    private let logger: Logger
    /// How long a write may take, from the producer's send until this instance has read it back.
    let writeTimeout: Duration

    let claims: SharedTable<Claim>
    let transfers: SharedTable<TransferStatus>
    let maintenanceTable: SharedTable<MaintenanceMode>

    private init(
        follower: SharedFollower, producer: KafkaProducer, instance: String, tables: Tables, writeTimeout: Duration,
        logger: Logger
    ) {
        self.follower = follower
        self.producer = producer
        self.instance = instance
        self.claims = tables.claims
        self.transfers = tables.transfers
        self.maintenanceTable = tables.maintenance
        self.writeTimeout = writeTimeout
        self.logger = logger
    }

    private struct Tables {
        // A claim counts until it expires (an assertion's own expiry: then it could not be used again anyway).
        let claims = SharedTable<Claim>(
            topic: BusTopics.sharedClaims, rule: .firstWins, decode: Claim.decode, expired: { $0.expires < Date() })
        // As long as the topic keeps them (compaction and retention leave a status there about a week).
        let transfers = SharedTable<TransferStatus>(
            topic: BusTopics.sharedTransfers, rule: .lastWins, decode: TransferStatus.decode,
            expired: { $0.updatedAt.addingTimeInterval(TransferStatus.keptSeconds) < Date() })
        let maintenance = SharedTable<MaintenanceMode>(
            topic: BusTopics.sharedSettings, rule: .lastWins, decode: MaintenanceMode.decode)

        var all: [any SharedTopicTable] { [claims, transfers, maintenance] }
    }

    /// Starts following the shared topics and waits until this instance has read them to their end.
    ///
    /// Writes go through a producer of their own: small, unbatched (`linger` 0) and uncompressed, so a claim never
    /// waits behind bulk chunks, and with a delivery timeout of `writeTimeout`, so a write that timed out is not
    /// delivered later by librdkafka. The follower fetches with a short wait on the embedded cluster, which holds an
    /// empty fetch for its whole wait.
    static func start(
        configuration: KafkaConfiguration, admin: KafkaAdmin, instance: String, embedded: Bool,
        catchUpTimeout: Duration = .seconds(60), writeTimeout: Duration = .seconds(10), logger: Logger
    ) async throws -> SharedState {
        let tables = Tables()
        var reading = configuration
        if embedded { reading.consumer.fetchWait = .milliseconds(10) }
        let follower = try SharedFollower.start(configuration: reading, tables: tables.all, logger: logger)
        let producer: KafkaProducer
        do {
            try await follower.catchUp(admin: admin, timeout: catchUpTimeout)
            var writing = configuration
            writing.producer.transactionalID = nil
            writing.producer.linger = .zero
            writing.producer.compression = .none
            writing.producer.maxInFlightKilobytes = 1024
            writing.producer.deliveryTimeout = writeTimeout
            producer = try await KafkaProducer.make(configuration: writing, logger: logger)
        } catch {
            await follower.shutdown()
            throw error
        }
        return SharedState(
            follower: follower, producer: producer, instance: instance, tables: tables, writeTimeout: writeTimeout,
            logger: logger)
    }

    func shutdown() async {
        await producer.shutdown()
        await follower.shutdown()
    }

    /// Writes `value` under `key` to partition 0 of `topic` and waits until this instance has read it back; returns
    /// its offset.
    private func write(_ topic: String, key: String, value: [UInt8]) async throws -> Int64 {
        let message = KafkaOutgoingMessage(topic: topic, partition: 0, key: Array(key.utf8), value: value)
        let sent: KafkaDeliveryReport
        do {
            sent = try await withTimeout(writeTimeout, topic: topic) { try await self.producer.send([message]) }
        } catch let error as SharedStateError {
            throw error
        } catch {
            throw SharedStateError(topic: topic, reason: "not written: \(error)")
        }
        guard case .delivered(_, let offset) = sent[0] else {
            if case .failed(let error) = sent[0] {
                throw SharedStateError(topic: topic, reason: "not written: \(error)")
            }
            throw SharedStateError(topic: topic, reason: "not written")
        }
        guard await follower.waitUntilRead(topic, through: offset, timeout: writeTimeout) else {
            throw SharedStateError(topic: topic, reason: "written at offset \(offset) but not read back in time")
        }
        return offset
    }

    private func withTimeout<T: Sendable>(
        _ timeout: Duration, topic: String, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw SharedStateError(topic: topic, reason: "the broker did not acknowledge within \(timeout)")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    // MARK: Claims

    /// A claim of a key until `expires`, by `owner`.
    struct Claim: Sendable, Hashable {
        var expires: Date
        var owner: String

        /// `<seconds since 1970> <owner>`.
        var encoded: [UInt8] { Array("\(expires.timeIntervalSince1970) \(owner)".utf8) }

        static func decode(_ bytes: [UInt8]) -> Claim? {
            let text = String(decoding: bytes, as: UTF8.self)
            let parts = text.split(separator: " ", maxSplits: 1)
            guard let seconds = parts.first.flatMap({ Double($0) }) else { return nil }
            return Claim(
                expires: Date(timeIntervalSince1970: seconds), owner: parts.count > 1 ? String(parts[1]) : "")
        }
    }

    /// Claims `key` for `owner` until `expires`, for the whole cluster: `true` when `owner` holds it — it was the
    /// first live claim of the key in the topic's order, which every instance applies alike — and `false` when
    /// another owner does. Throws ``SharedStateError`` when the claim could not be written and read back in time.
    func claim(_ key: String, owner: String, expires: Date) async throws -> Bool {
        if let held = claims.value(key), held.expires > Date() { return held.owner == owner }
        _ = try await write(BusTopics.sharedClaims, key: key, value: Claim(expires: expires, owner: owner).encoded)
        return claims.value(key)?.owner == owner
    }

    /// Claims the client assertion `id` of `client` for the whole cluster: `true` when this is its first use at any
    /// instance, `false` when it was used before (here or elsewhere). Throws ``SharedStateError`` when the claim
    /// could not be written and read back in time; the assertion must then be refused.
    public func claimAssertion(client: String, id: String, expires: Date) async throws -> Bool {
        // Every use is its own owner: a second use of the assertion loses even at the instance that won the first.
        try await claim("assertion \(client) \(id)", owner: UUID().uuidString, expires: expires)
    }

    /// Claims the writing of file `sequence` of `receiver` of `linkage` for this instance for 15 minutes: `true`
    /// when this instance may write it (also when it claimed it before, as after a restart), `false` when another
    /// instance is writing it. Two instances never write the same file of a receiver: not an on-demand request at one
    /// while the other writes the scheduled window, nor a paused instance whose lease has moved on.
    func claimFileWindow(linkage: String, receiver: String, sequence: Int) async throws -> Bool {
        try await claim(
            "file \(linkage)/\(receiver) #\(sequence)", owner: "instance:\(instance)",
            expires: Date().addingTimeInterval(Self.fileWindowClaimSeconds))
    }

    /// How long a file window's claim holds: longer than a window takes to write, short enough that a window whose
    /// writer died is written by another instance soon after.
    static let fileWindowClaimSeconds: TimeInterval = 900

    // MARK: Transfers

    /// The status of transfer `id` as last written by any instance.
    public func transfer(_ id: String) -> TransferStatus? { transfers.value(id) }

    /// Writes `status` for every instance to see.
    public func record(_ status: TransferStatus) async throws {
        var status = status
        status.updatedAt = Date()
        _ = try await write(BusTopics.sharedTransfers, key: status.id, value: status.encoded())
    }

    /// The transfers `instance` was streaming, as last written.
    func streaming(of instance: String) -> [TransferStatus] {
        transfers.values { $0.instance == instance && $0.state == .streaming }
    }

    // MARK: Maintenance

    /// Maintenance mode as last set by any instance (off when never set).
    public var maintenance: MaintenanceMode { maintenanceTable.value(MaintenanceMode.key) ?? .off }

    /// Switches maintenance mode for every instance of the cluster.
    public func setMaintenance(_ enabled: Bool, by: String) async throws {
        let mode = MaintenanceMode(enabled: enabled, setBy: by)
        _ = try await write(BusTopics.sharedSettings, key: MaintenanceMode.key, value: mode.encoded())
    }
}
