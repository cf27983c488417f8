import RenkeiBus

/// The provide routes' measures: `renkei_records_provided_total`, `renkei_bytes_provided_total` and
/// `renkei_provide_duration_seconds`.
extension GatewayMetrics {
    /// What a provide request submitted: records and batches, or a streamed bulk transfer.
    enum ProvideKind: String {
        case records
        case transfer
    }

    /// An accepted provide: its records and the bytes of its request body.
    func provided(linkage: String, receipt: ProvideReceipt, bytes: Int) {
        add("renkei_records_provided_total", [("linkage", linkage)], receipt.accepted)
        add("renkei_bytes_provided_total", [("linkage", linkage)], bytes)
    }

    /// One provide request's time, labelled with what its caller saw: `ok` (2xx), `refused` (401, 403, 404, 409:
    /// not this caller's or not a provide linkage), `invalid` (any other 4xx: unreadable, invalid, too large, cut
    /// off), `error` (5xx, the broker unavailable).
    func provideDuration(linkage: String, kind: ProvideKind, failure: (any Error)?, duration: Duration) {
        record(
            "renkei_provide_duration_seconds",
            [("linkage", linkage), ("kind", kind.rawValue), ("outcome", Self.provideOutcome(failure))], duration)
    }

    static func provideOutcome(_ failure: (any Error)?) -> String {
        guard let failure else { return "ok" }
        guard let problem = failure as? Problem else { return "error" }
        switch problem.status.code {
        case 401, 403, 404, 409: return "refused"
        case 400..<500: return "invalid"
        default: return "error"
        }
    }
}
