import Foundation
import RenkeiKafka

/// A record on a receiver's outbound topic, as a push worker holds it while delivering.
struct OutboundRecord: Sendable {
    var message: TopicReader.Message
    /// The record's envelope; `nil` for a message that is none of the bus's.
    var envelope: Envelope?
    /// When the record was provided: its envelope's time, else its Kafka timestamp (for push latency).
    var providedAt: Date?

    init(_ message: KafkaMessage) {
        self.message = TopicReader.Message(message)
        self.envelope = Envelope(headers: self.message.headers)
        // An envelope without a readable `ce_time` parses as 1970; the broker's timestamp is then the better clock.
        if let time = envelope?.time, time.timeIntervalSince1970 > 0 {
            providedAt = time
        } else {
            providedAt = message.timestamp.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        }
    }

    var partition: Int32 { message.partition }
    var offset: Int64 { message.offset }
    var keys: [String] { envelope?.subject.map { [$0] } ?? [] }
    var events: [String] { envelope.map { [$0.id] } ?? [] }

    /// Kafka binary-mode headers as HTTP binary-mode headers: `ce_x` becomes `ce-x` with its value percent-encoded
    /// (``CloudEventsHTTPValue``), `content-type` becomes `Content-Type` (`application/json` when the record has
    /// none).
    var cloudEventHeaders: [(String, String)] {
        var http: [(String, String)] = []
        func replaceOrAdd(_ name: String, _ value: String) {
            if let index = http.firstIndex(where: { $0.0.lowercased() == name.lowercased() }) {
                http[index] = (name, value)
            } else {
                http.append((name, value))
            }
        }
        for header in message.headers {
            guard let value = header.value.map({ String(decoding: $0, as: UTF8.self) }) else { continue }
            if let name = EnvelopeHeader.httpName(header.name) {
                replaceOrAdd(name, name.hasPrefix("ce-") ? CloudEventsHTTPValue.encode(value) : value)
            }
        }
        if !http.contains(where: { $0.0 == "Content-Type" }) { http.append(("Content-Type", "application/json")) }
        return http
    }
}
