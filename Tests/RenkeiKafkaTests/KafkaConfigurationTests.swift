import RenkeiKafka
import Testing

@Suite struct KafkaConfigurationTests {
    @Test func rejectsUnknownRawKeyNamingIt() async throws {
        var configuration = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9092"])
        configuration.additionalConfig["no.such.property"] = "1"
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaConsumer.make(configuration: configuration, logger: testLogger)
        }
        #expect(error?.configurationKey == "no.such.property")
        #expect(error?.message.contains("no.such.property") == true)
        #expect(error?.isRetriable == false)
    }

    @Test func rejectsBadRawValueNamingTheKey() async throws {
        var configuration = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9092"])
        configuration.additionalConfig["linger.ms"] = "soon"
        let invalid = configuration
        let error = await #expect(throws: KafkaError.self) {
            _ = try await KafkaProducer.make(configuration: invalid, logger: testLogger)
        }
        #expect(error?.configurationKey == "linger.ms")
    }

    enum InvalidField: String, CaseIterable, Sendable {
        case bootstrap = "bootstrap.servers"
        case linger = "linger.ms"
        case inFlight = "queue.buffering.max.messages"
        case transactionalID = "transactional.id"
        case logLevel = "log_level"

        func apply(to configuration: inout KafkaConfiguration) {
            switch self {
            case .bootstrap: configuration.bootstrapServers = [" "]
            case .linger: configuration.producer.linger = .milliseconds(-5)
            case .inFlight: configuration.producer.maxInFlightMessages = 0
            case .transactionalID: configuration.producer.transactionalID = ""
            case .logLevel: configuration.logLevel = 9
            }
        }
    }

    @Test(arguments: InvalidField.allCases)
    func rejectsInvalidFieldNamingItsKey(field: InvalidField) async throws {
        var configuration = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9092"])
        field.apply(to: &configuration)
        let invalid = configuration
        let error = await #expect(throws: KafkaError.self) {
            _ = try await KafkaProducer.make(configuration: invalid, logger: testLogger)
        }
        #expect(error?.configurationKey == field.rawValue)
    }

    @Test func subscribeWithoutGroupNamesGroupID() async throws {
        let consumer = try KafkaConsumer.make(
            configuration: KafkaConfiguration(bootstrapServers: ["127.0.0.1:9092"]), logger: testLogger)
        let error = #expect(throws: KafkaError.self) { try consumer.subscribe(topics: ["t"]) }
        #expect(error?.configurationKey == "group.id")
        await consumer.shutdown()
    }

    @Test func defaultsAreSafeForTheBus() {
        let configuration = KafkaConfiguration(bootstrapServers: ["b:9092"])
        #expect(configuration.consumer.isolationLevel == .readCommitted)
        #expect(configuration.consumer.offsetReset == .earliest)
        #expect(configuration.producer.transactionalID == nil)
        #expect(configuration.consumer.maxBatchSize >= 1000)
    }

    @Test func errorCodesCarryLibrdkafkaNames() {
        #expect(KafkaError.Code.messageTimedOut.name == "_MSG_TIMED_OUT")
        #expect(KafkaError.Code.notLeaderForPartition.rawValue == 6)
        #expect(KafkaError.Code(rawValue: 90) == .producerFenced)
    }
}
