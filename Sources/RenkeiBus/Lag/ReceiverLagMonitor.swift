public import Foundation
import RenkeiContracts
import RenkeiKafka
import Synchronization

/// Measures every receiver's lag, each delivery method its own way, through the bus's long-lived admin client
/// (no client per measurement):
///
/// - **push** and **kafka**: the receiver's consumer group (``ConsumerGroups/push(linkage:receiver:)``,
///   ``ConsumerGroups/receiver(linkage:receiver:)``) — its committed offsets against the topic's end, so every
///   instance reports the same, whichever runs the worker. A group that never committed counts from the oldest
///   retained offset, where it starts (`auto.offset.reset=earliest`).
/// - **pull**: the last cursor the receiver was handed **at this instance** (``fetched(linkage:receiver:next:at:)``)
///   against the topic's end; nothing until the receiver's first fetch here. Several instances behind a load balancer
///   each know only the pages they served: the lowest value across instances is the receiver's lag.
/// - **file**: the file worker's own measure (records after its newest manifest), reported only by the instance
///   that runs the worker.
///
/// Topic ends and committed offsets are asked at most once per `maxAge`, so frequent scrapes stay cheap.
public final class ReceiverLagMonitor: Sendable {
    private let bus: Bus
    private let maxAge: Duration

    /// What the cluster said at `taken`.
    private struct Snapshot: Sendable {
        var taken: ContinuousClock.Instant
        var ends: [String: [Int32: KafkaWatermarks]]
        /// Committed offsets by group id.
        var committed: [String: [Int32: Int64]]
    }

    private struct LastFetch: Sendable {
        var next: [Int32: Int64]
        var at: Date
    }

    private let snapshot = Mutex<Snapshot?>(nil)
    /// By linkage, then receiver.
    private let fetches = Mutex<[String: [String: LastFetch]]>([:])

    public init(bus: Bus, maxAge: Duration = .seconds(2)) {
        self.bus = bus
        self.maxAge = maxAge
    }

    /// Notes that `receiver` was handed a page of `linkage`'s feed ending at `next`.
    public func fetched(linkage: String, receiver: String, next: FeedCursor, at time: Date = Date()) {
        fetches.withLock { $0[linkage, default: [:]][receiver] = LastFetch(next: next.offsets, at: time) }
    }

    /// The last fetch of every pull receiver that fetched at this instance, by linkage and receiver.
    public var lastFetches: [PullFetch] {
        let known = fetches.withLock { $0 }
        var result: [PullFetch] = []
        for (linkage, receivers) in known {
            for (receiver, fetch) in receivers {
                // Milliseconds, as every time the bus writes.
                let seconds = (fetch.at.timeIntervalSince1970 * 1000).rounded() / 1000
                result.append(PullFetch(linkage: linkage, receiver: receiver, secondsSince1970: seconds))
            }
        }
        return result.sorted { ($0.linkage, $0.receiver) < ($1.linkage, $1.receiver) }
    }

    /// The lag of every receiver this instance can measure, by linkage and receiver; `files` are the file workers'
    /// own measures (``DeliveryService/lag()``; entries of other workers are ignored). A receiver whose topic or
    /// group the cluster cannot describe now is left out.
    public func lag(files: [DeliveryLag] = []) async -> [ReceiverLag] {
        let cluster = await current()
        let pulled = fetches.withLock { $0 }
        var lags: [ReceiverLag] = []
        for route in bus.routes.values {
            for destination in route.destinations {
                let (linkage, receiver) = (route.linkage.id, destination.receiver.system)
                let method = destination.receiver.delivery
                guard let ends = cluster.ends[destination.topic] else { continue }
                let positions: [Int32: Int64]
                switch method {
                case .push, .kafka:
                    guard let committed = cluster.committed[Self.group(method, linkage: linkage, receiver: receiver)]
                    else { continue }
                    positions = committed
                case .pull:
                    guard let fetch = pulled[linkage]?[receiver] else { continue }
                    positions = fetch.next
                case .file:
                    continue
                }
                lags.append(
                    ReceiverLag(
                        linkage: linkage, receiver: receiver, method: method,
                        records: ReceiverLag.records(after: positions, ends: ends)))
            }
        }
        for file in files where file.worker.method == .file {
            lags.append(
                ReceiverLag(
                    linkage: file.worker.linkage, receiver: file.worker.system, method: .file, records: file.records))
        }
        return lags.sorted { ($0.linkage, $0.receiver) < ($1.linkage, $1.receiver) }
    }

    /// The group whose committed offsets are a push or kafka receiver's position.
    private static func group(_ method: Delivery, linkage: String, receiver: String) -> String {
        method == .push
            ? ConsumerGroups.push(linkage: linkage, receiver: receiver)
            : ConsumerGroups.receiver(linkage: linkage, receiver: receiver)
    }

    /// The snapshot, asked of the cluster again when older than `maxAge`.
    private func current() async -> Snapshot {
        if let kept = snapshot.withLock({ $0 }), ContinuousClock.now - kept.taken < maxAge { return kept }
        var fresh = Snapshot(taken: .now, ends: [:], committed: [:])
        for route in bus.routes.values {
            for destination in route.destinations where destination.receiver.delivery != .file {
                guard let marks = try? await bus.admin.watermarks(topic: destination.topic) else { continue }
                fresh.ends[destination.topic] = marks
                let method = destination.receiver.delivery
                guard method == .push || method == .kafka else { continue }
                let group = Self.group(method, linkage: route.linkage.id, receiver: destination.receiver.system)
                if let offsets = try? await bus.admin.committedOffsets(
                    group: group, topic: destination.topic, partitions: Array(marks.keys))
                {
                    fresh.committed[group] = offsets
                }
            }
        }
        snapshot.withLock { $0 = fresh }
        return fresh
    }
}
