public import Foundation
public import RenkeiKafka

/// The CloudEvents envelope of a message on the bus, carried in Kafka headers (binary mode); the data is the
/// message value and the record key is the Kafka key.
public struct Envelope: Sendable, Hashable {
    public static let specVersion = "1.0"

    /// Unique per event; a replay keeps it so receivers can de-duplicate.
    public var id: String
    /// The providing system, as `urn:renkei:system:<id>`.
    public var source: String
    public var type: EventType
    public var time: Date
    /// The record key (`ce_subject`), e.g. a 宛名番号.
    public var subject: String?
    /// `urn:renkei:layout:<id>@<version>`.
    public var dataSchema: String?
    public var contentType: String
    public var linkage: String
    public var receiver: String?
    /// The receiver's purpose of use, from the contract.
    public var purpose: String?
    public var correlationID: String?
    public var transfer: String?
    public var traceParent: String?
    /// The caller's purpose for the request that wrote this message (``RequestPurpose``), if it gave one.
    public var requestPurpose: String?
    /// The version of the linkage the message was written under (``EnvelopeHeader/contractVersion``).
    public var contractVersion: String?

    public init(
        id: String = UUID().uuidString.lowercased(), source: String, type: EventType, time: Date = Date(),
        subject: String? = nil, dataSchema: String? = nil, contentType: String = "application/json",
        linkage: String, receiver: String? = nil, purpose: String? = nil, correlationID: String? = nil,
        transfer: String? = nil, traceParent: String? = nil, requestPurpose: String? = nil,
        contractVersion: String? = nil
    ) {
        self.id = id
        self.source = source
        self.type = type
        self.time = time
        self.subject = subject
        self.dataSchema = dataSchema
        self.contentType = contentType
        self.linkage = linkage
        self.receiver = receiver
        self.purpose = purpose
        self.correlationID = correlationID
        self.transfer = transfer
        self.traceParent = traceParent
        self.requestPurpose = requestPurpose
        self.contractVersion = contractVersion
    }

    public static func source(system: String) -> String { "urn:renkei:system:\(system)" }
    public static func dataSchema(layout: String) -> String { "urn:renkei:layout:\(layout)" }

    /// The system id in `source`.
    public var sourceSystem: String {
        source.hasPrefix("urn:renkei:system:") ? String(source.dropFirst("urn:renkei:system:".count)) : source
    }

    /// The envelope as Kafka headers.
    public var headers: [KafkaHeader] {
        var headers = [
            KafkaHeader(name: EnvelopeHeader.specVersion, utf8: Self.specVersion),
            KafkaHeader(name: EnvelopeHeader.id, utf8: id),
            KafkaHeader(name: EnvelopeHeader.source, utf8: source),
            KafkaHeader(name: EnvelopeHeader.type, utf8: type.rawValue),
            KafkaHeader(name: EnvelopeHeader.time, utf8: Timestamp.format(time)),
            KafkaHeader(name: EnvelopeHeader.contentType, utf8: contentType),
            KafkaHeader(name: EnvelopeHeader.linkage, utf8: linkage),
        ]
        let optional: [(String, String?)] = [
            (EnvelopeHeader.subject, subject), (EnvelopeHeader.dataSchema, dataSchema),
            (EnvelopeHeader.receiver, receiver), (EnvelopeHeader.purpose, purpose),
            (EnvelopeHeader.correlationID, correlationID), (EnvelopeHeader.transfer, transfer),
            (EnvelopeHeader.traceParent, traceParent), (EnvelopeHeader.requestPurpose, requestPurpose),
            (EnvelopeHeader.contractVersion, contractVersion),
        ]
        for (name, value) in optional { if let value { headers.append(KafkaHeader(name: name, utf8: value)) } }
        return headers
    }

    /// Reads an envelope from message headers; `nil` when a required attribute is missing or unknown.
    public init?(headers: [KafkaHeader]) {
        func text(_ name: String) -> String? {
            headers.last { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
        }
        guard text(EnvelopeHeader.specVersion) == Self.specVersion, let id = text(EnvelopeHeader.id),
            let source = text(EnvelopeHeader.source), let type = text(EnvelopeHeader.type).flatMap(EventType.init),
            let linkage = text(EnvelopeHeader.linkage)
        else { return nil }
        self.init(
            id: id, source: source, type: type,
            time: text(EnvelopeHeader.time).flatMap(Timestamp.parse) ?? Date(timeIntervalSince1970: 0),
            subject: text(EnvelopeHeader.subject), dataSchema: text(EnvelopeHeader.dataSchema),
            contentType: text(EnvelopeHeader.contentType) ?? "application/json", linkage: linkage,
            receiver: text(EnvelopeHeader.receiver), purpose: text(EnvelopeHeader.purpose),
            correlationID: text(EnvelopeHeader.correlationID), transfer: text(EnvelopeHeader.transfer),
            traceParent: text(EnvelopeHeader.traceParent), requestPurpose: text(EnvelopeHeader.requestPurpose),
            contractVersion: text(EnvelopeHeader.contractVersion))
    }
}

/// RFC 3339 timestamps in UTC with milliseconds, the form every header and history entry uses. Written from
/// whole milliseconds, so a time read back and written again gives the same text.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let (whole, fraction) = seconds.remainder < 0 ? (seconds.quotient - 1, seconds.remainder + 1000) : seconds
        var time = time_t(whole)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(fraction), 3))Z"
    }

    public static func parse(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }
}
