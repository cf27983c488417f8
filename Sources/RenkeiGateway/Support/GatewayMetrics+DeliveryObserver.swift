import RenkeiBus

/// The delivery service's measures: `renkei_records_delivered_total`, `renkei_bytes_delivered_total`,
/// `renkei_push_attempts_total`, `renkei_webhook_call_duration_seconds`, `renkei_push_latency_seconds` and
/// `renkei_records_expired_total`.
extension GatewayMetrics: DeliveryObserver {
    func pushAttempt(linkage: String, receiver: String, outcome: String, duration: Duration) {
        let labels = [("linkage", linkage), ("receiver", receiver), ("outcome", outcome)]
        add("renkei_push_attempts_total", labels)
        record("renkei_webhook_call_duration_seconds", labels, duration)
    }

    func pushed(linkage: String, receiver: String, bytes: Int, sinceProvided: Duration?) {
        deliveredBytes(linkage: linkage, receiver: receiver, method: "push", bytes: bytes)
        if let sinceProvided {
            record("renkei_push_latency_seconds", [("linkage", linkage), ("receiver", receiver)], sinceProvided)
        }
    }

    func expired(linkage: String, receiver: String, count: Int) {
        add("renkei_records_expired_total", [("linkage", linkage), ("receiver", receiver)], count)
    }
}
