/// The Kafka header names of the envelope: CloudEvents 1.0 attributes in Kafka binary mode (`ce_` + attribute
/// name), our extension attributes (lowercase letters and digits only, as CloudEvents requires), and the
/// dead-letter context. docs/envelope.md documents each for systems written in other languages.
public enum EnvelopeHeader {
    // CloudEvents required attributes.
    public static let specVersion = "ce_specversion"
    public static let id = "ce_id"
    public static let source = "ce_source"
    public static let type = "ce_type"
    // CloudEvents optional attributes.
    public static let time = "ce_time"
    public static let subject = "ce_subject"
    public static let dataSchema = "ce_dataschema"
    /// `datacontenttype` travels as the plain `content-type` header in Kafka binary mode.
    public static let contentType = "content-type"

    // Renkei extension attributes.
    public static let linkage = "ce_renkeilinkage"
    public static let receiver = "ce_renkeireceiver"
    /// The receiver's purpose of use, from the contract.
    public static let purpose = "ce_renkeipurpose"
    /// The caller's purpose for the request (``RequestPurpose``), when it gave one.
    public static let requestPurpose = "ce_renkeirequestpurpose"
    public static let correlationID = "ce_renkeicorrelation"
    public static let transfer = "ce_renkeitransfer"
    /// The version of the linkage the message was written under: 16 hex digits of a digest of the linkage as
    /// loaded, changing whenever the contract does (the layout and version are in `ce_dataschema`).
    public static let contractVersion = "ce_renkeicontract"
    /// W3C trace context, the CloudEvents distributed-tracing extension.
    public static let traceParent = "ce_traceparent"

    // Dead-letter context, added when a message is dead-lettered.
    public static let deadLetterStage = "renkei_dlq_stage"
    public static let deadLetterReason = "renkei_dlq_reason"
    public static let deadLetterMessage = "renkei_dlq_message"
    public static let deadLetterAttempts = "renkei_dlq_attempts"
    public static let deadLetterTopic = "renkei_dlq_topic"
    public static let deadLetterPartition = "renkei_dlq_partition"
    public static let deadLetterOffset = "renkei_dlq_offset"
    public static let deadLetterFirstFailure = "renkei_dlq_first_failure"
    public static let deadLetterLastFailure = "renkei_dlq_last_failure"
    /// The 1-based row of the bulk input a quarantined record came from.
    public static let deadLetterRow = "renkei_dlq_row"

    /// The HTTP header carrying Kafka header `name` in CloudEvents HTTP binary mode (push deliveries): `ce_x`
    /// becomes `ce-x`, `content-type` becomes `Content-Type`; `nil` for headers that are not sent over HTTP.
    public static func httpName(_ name: String) -> String? {
        if name.hasPrefix("ce_") { return "ce-" + name.dropFirst(3) }
        return name == contentType ? "Content-Type" : nil
    }
}

/// Values of `ce_type`: `jp.renkei.<step>`.
public enum EventType: String, Sendable, CaseIterable {
    /// One provided record.
    case record = "jp.renkei.record"
    /// The manifest of a bulk transfer.
    case transferManifest = "jp.renkei.transfer.manifest"
    /// A chunk of a bulk transfer's records (JSON Lines).
    case transferChunk = "jp.renkei.transfer.chunk"
    /// A query request.
    case queryRequest = "jp.renkei.query.request"
    /// A query reply.
    case queryReply = "jp.renkei.query.reply"
}
