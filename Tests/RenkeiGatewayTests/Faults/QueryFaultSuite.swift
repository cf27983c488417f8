import Foundation
import Logging
import RenkeiBus
import RenkeiKafka
import RenkeiTestSupport
import Synchronization
import Testing

/// A query provider that answers late, twice, or with another request's hash: each asker gets the answer to its
/// own question or a timeout, never an answer meant for another question.
@Suite(.serialized) struct QueryFaultSuite {
    static let late = "000000000000101"
    static let answered = "000000000000102"
    static let forged = "000000000000103"
    static let afterCopy = "000000000000104"
    static let warmUp = "000000000000100"

    @Test(.timeLimit(.minutes(1)))
    func lateRepeatedAndForeignRepliesNeverAnswerAnotherQuestion() async throws {
        let contracts = try GatewayHarness.contracts(webhook: nil, queryEndpoint: nil)
        let harnessBox = Mutex<GatewayHarness?>(nil)
        let serverBox = Mutex<TestServer?>(nil)
        let lateAnswers = Atomic<Int>(0)
        // The reply to `answered` and a producer, made ready before `forged` is asked: the forgery must reach the
        // reply topic well within the asker's timeout, also on a busy machine.
        let forgery = Mutex<(reply: KafkaOutgoingMessage, producer: KafkaProducer)?>(nil)
        let provider = try await TestServer.start(path: "/query") { _, body in
            let question = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
            let key = question?["key"] as? String ?? ""
            if key == Self.late {
                // Answers after the asker gave up (its timeout is 2 s).
                try? await Task.sleep(for: .seconds(3))
                lateAnswers.add(1, ordering: .relaxed)
            }
            if key == Self.forged, let (reply, producer) = forgery.withLock({ $0 }),
                let id = serverBox.withLock({ $0 })?.requests.last?.headers["ce-id"]
            {
                // Before the true answer, the reply to `answered` (its hash, its records) comes again with this
                // question's correlation id, and reaches the asker's reply topic first (it has one partition).
                try? await producer.send([ReplyTopic.forged(reply, as: id)]).throwIfAnyFailed()
            }
            return (200, Residents.array(Residents.json(contracts, count: 1, sameKey: key)))
        }
        serverBox.withLock { $0 = provider }
        try await GatewayHarness.with(queryEndpoint: provider.url, configure: { $0.queryTimeout = .seconds(2) }) {
            harness in
            harnessBox.withLock { $0 = harness }
            let asker = try await harness.token("sys-c001")
            func call(_ key: String) async throws -> GatewayHarness.Reply {
                try await harness.call(
                    .POST, "/linkages/resident-query/query", token: asker, contentType: "application/json",
                    body: Array(#"{"key": "\#(key)"}"#.utf8))
            }
            // The provider's responder joins its group first: until then questions time out.
            #expect(try await eventually { try await call(Self.warmUp).status == 200 })
            var ledger = DeliveryLedger()
            func ask(_ key: String) async throws -> Int {
                let reply = try await call(key)
                let id = reply.json["correlationID"] as? String
                ledger.submitted(key: key, eventID: id, reply.status == 200 ? .acknowledged : .unacknowledged)
                for record in reply.json["records"] as? [[String: Any]] ?? [] {
                    ledger.delivered(to: "C001", key: record["atena_number"] as? String ?? "", eventID: id)
                }
                return reply.status
            }
            // Late: the asker times out; the answer arrives afterwards and must not answer the next question.
            #expect(try await ask(Self.late) == 504)
            #expect(try await eventually { lateAnswers.load(ordering: .relaxed) == 1 })
            #expect(
                try await eventually { try await ReplyTopic.replies(harness, answering: Self.late).count == 1 },
                "the late reply reached the reply topic")
            #expect(try await ask(Self.answered) == 200)
            // Twice: the answer to `answered` arrives again (as when two responders took the question).
            try await ReplyTopic.resend(harness, answering: Self.answered, as: nil)
            #expect(try await ask(Self.afterCopy) == 200)
            // Another request's hash: `forged` gets a reply with its correlation id first, then the true one.
            var kafka = harness.bus.configuration.kafka
            kafka.producer.transactionalID = nil
            let producer = try await KafkaProducer.make(configuration: kafka, logger: Logger(label: "renkei.test"))
            let original = try #require(try await ReplyTopic.replies(harness, answering: Self.answered).first)
            forgery.withLock { $0 = (original, producer) }
            #expect(try await ask(Self.forged) == 200)
            await producer.shutdown()
            #expect(try await ReplyTopic.replies(harness, answering: Self.answered).count == 3, "answer, copy, forgery")
            print(ledger.report("query-late-twice-foreign-hash", receivers: ["C001"]))
            let tally = ledger.tally("C001")
            #expect(tally.holds, "\(tally)")
            #expect(tally.acknowledged == 3 && tally.unacknowledged == 1)
            #expect(tally.delivered == 3 && tally.duplicated == 0)
        }
        harnessBox.withLock { $0 = nil }
        await provider.stop()
    }
}

/// The asking instance's reply topic, read and written around the bus as a misbehaving responder would.
enum ReplyTopic {
    /// The replies on the topic now whose records include the one with key `key`.
    static func replies(_ harness: GatewayHarness, answering key: String) async throws -> [KafkaOutgoingMessage] {
        var kafka = harness.bus.configuration.kafka
        kafka.consumer.groupID = nil
        kafka.producer.transactionalID = nil
        let logger = Logger(label: "renkei.test")
        let topic = BusTopics.replies(instance: harness.bus.configuration.instance)
        let end = try await KafkaAdmin.make(configuration: kafka, logger: logger).watermarks(topic: topic, partition: 0)
        let consumer = try KafkaConsumer.make(configuration: kafka, logger: logger)
        try consumer.assign([KafkaPartitionOffset(topic: topic, partition: 0, offset: .offset(end.low))])
        var messages: [KafkaOutgoingMessage] = []
        var next = end.low
        while next < end.high {
            guard let batch = try await consumer.nextBatch(within: .seconds(5)) else { break }
            for message in batch {
                next = message.offset + 1
                if String(decoding: message.value, as: UTF8.self).contains(key) {
                    messages.append(
                        KafkaOutgoingMessage(
                            topic: topic, partition: 0, key: message.key, value: message.value,
                            headers: message.headers))
                }
            }
        }
        await consumer.shutdown()
        return messages
    }

    /// `reply` with `correlationID` in place of its own (its request hash, which binds it to its own question, is
    /// kept).
    static func forged(_ reply: KafkaOutgoingMessage, as correlationID: String) -> KafkaOutgoingMessage {
        var message = reply
        message.headers = message.headers.map {
            $0.name == EnvelopeHeader.correlationID ? KafkaHeader(name: $0.name, utf8: correlationID) : $0
        }
        return message
    }

    /// Sends the first reply answering `key` again, with `correlationID` in place of its own when given.
    static func resend(_ harness: GatewayHarness, answering key: String, as correlationID: String?) async throws {
        var message = try #require(try await replies(harness, answering: key).first)
        if let correlationID { message = forged(message, as: correlationID) }
        var kafka = harness.bus.configuration.kafka
        kafka.producer.transactionalID = nil
        let producer = try await KafkaProducer.make(configuration: kafka, logger: Logger(label: "renkei.test"))
        try await producer.send([message]).throwIfAnyFailed()
        await producer.shutdown()
    }
}
