import RenkeiBus

/// The delivery service's counters: `renkei_records_delivered_total`, `renkei_push_attempts_total` and
/// `renkei_records_expired_total`.
extension GatewayMetrics: DeliveryObserver {
    func expired(linkage: String, receiver: String, count: Int) {
        add("renkei_records_expired_total", [("linkage", linkage), ("receiver", receiver)], count)
    }
}
