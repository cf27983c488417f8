import Foundation
import Yams

enum LinkageParser {
    static func parse(_ node: Node, file: String, into diagnostics: inout Diagnostics) -> LinkageDraft? {
        guard var reader = FieldReader(node, file: file, subject: "linkage", into: &diagnostics) else { return nil }
        let id = reader.string("id", required: true, into: &diagnostics)
        let title = reader.string("title", required: true, into: &diagnostics)
        let mode = reader.choice("mode", as: LinkageMode.self, required: true, into: &diagnostics)
        let trigger = reader.choice("trigger", as: Trigger.self, required: true, into: &diagnostics)
        let provider = reader.string("provider", required: true, into: &diagnostics)
        let layout = reader.string("layout", required: true, into: &diagnostics)
        let keyItem = reader.string("key", required: true, into: &diagnostics)
        let receiverNodes = reader.list("receivers", required: true, into: &diagnostics)
        let failureNode = reader.node("failure")
        let scheduleNode = reader.node("schedule")
        reader.finish(into: &diagnostics)

        let receivers = (receiverNodes ?? []).compactMap { parseReceiver($0, file: file, into: &diagnostics) }
        let failurePolicy = failureNode.map { parseFailurePolicy($0, file: file, into: &diagnostics) } ?? .init()
        let schedule = scheduleNode.flatMap { parseSchedule($0, file: file, into: &diagnostics) }
        guard let id, let title, let mode, let trigger, let provider, let layout, let keyItem else { return nil }
        if receiverNodes?.isEmpty == true {
            diagnostics.error(
                .noReceivers, at: reader.location,
                "The linkage `\(id.value)` has no receivers; a linkage must say which systems get the data.")
        }
        return LinkageDraft(
            id: id, title: title.value, mode: mode, trigger: trigger, provider: provider, layout: layout,
            keyItem: keyItem, receivers: receivers, failurePolicy: failurePolicy, schedule: schedule,
            location: reader.location)
    }

    /// `schedule: { at: "02:00", time-zone: Asia/Tokyo }`: when a daily linkage's window closes.
    private static func parseSchedule(
        _ node: Node, file: String, into diagnostics: inout Diagnostics
    ) -> Located<DailySchedule>? {
        guard var reader = FieldReader(node, file: file, subject: "schedule", into: &diagnostics) else { return nil }
        let at = reader.string("at", required: true, into: &diagnostics)
        let zone = reader.string("time-zone", required: false, into: &diagnostics)
        reader.finish(into: &diagnostics)
        var schedule = DailySchedule()
        if let at {
            let parts = at.value.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = Int(parts[0]),
                let minute = Int(parts[1]),
                (0..<24).contains(hour), (0..<60).contains(minute)
            {
                schedule.hour = hour
                schedule.minute = minute
            } else {
                diagnostics.error(
                    .invalidValue, at: at.location, "The schedule's `at` is a time of day `HH:MM`, such as `02:00`.")
                return nil
            }
        }
        if let zone {
            guard TimeZone(identifier: zone.value) != nil else {
                diagnostics.error(
                    .invalidValue, at: zone.location,
                    "The time zone `\(zone.value)` is not known; write an IANA id such as `Asia/Tokyo`.")
                return nil
            }
            schedule.timeZone = zone.value
        }
        return Located(value: schedule, location: reader.location)
    }

    private static func parseReceiver(
        _ node: Node, file: String, into diagnostics: inout Diagnostics
    )
        -> ReceiverDraft?
    {
        guard var reader = FieldReader(node, file: file, subject: "receiver", into: &diagnostics) else { return nil }
        let system = reader.string("system", required: true, into: &diagnostics)
        let purpose = reader.string("purpose", required: true, into: &diagnostics)
        let delivery = reader.choice("delivery", as: Delivery.self, required: true, into: &diagnostics)
        let itemsNode = reader.node("items")
        let fileMode = reader.choice("mode", as: FileMode.self, required: false, into: &diagnostics)
        reader.finish(into: &diagnostics)

        var items: [Located<String>]?
        switch itemsNode {
        case .scalar(let scalar)? where scalar.string == "all":
            items = nil
        case .sequence(let sequence)?:
            items = []
            for element in sequence {
                if let text = element.scalar?.string, !text.isEmpty {
                    items?.append(Located(value: text, location: element.location(in: file)))
                } else {
                    diagnostics.error(
                        .wrongShape, at: element.location(in: file),
                        "Each entry of a receiver's `items` is one item name or key.")
                }
            }
            if sequence.isEmpty {
                diagnostics.error(
                    .invalidValue, at: reader.location,
                    "The receiver's `items` list is empty; list the items it receives, or write `items: all`.")
            }
        case nil:
            diagnostics.error(
                .missingField, at: reader.location,
                "The receiver has no `items`; list the items it receives, or write `items: all`.")
        case let other?:
            diagnostics.error(
                .wrongShape, at: other.location(in: file),
                "A receiver's `items` is a list of item names or keys, or `all`; not \(other.shapeName).")
        }
        guard let system, let purpose, let delivery else { return nil }
        return ReceiverDraft(
            system: system, items: items, delivery: delivery, purpose: purpose.value, fileMode: fileMode,
            location: reader.location)
    }

    private static func parseFailurePolicy(
        _ node: Node, file: String, into diagnostics: inout Diagnostics
    )
        -> FailurePolicy
    {
        var policy = FailurePolicy()
        guard var reader = FieldReader(node, file: file, subject: "failure policy", into: &diagnostics) else {
            return policy
        }
        if let rows = reader.choice("invalid-rows", as: InvalidRowPolicy.self, required: false, into: &diagnostics) {
            policy.invalidRows = rows.value
        }
        if let attempts = reader.integer("push-attempts", in: 1...100, into: &diagnostics) {
            policy.pushAttempts = attempts.value
        }
        if let backoffNode = reader.node("backoff"),
            var backoff = FieldReader(backoffNode, file: file, subject: "back-off", into: &diagnostics)
        {
            if let initial = duration(&backoff, "initial", into: &diagnostics) {
                policy.initialBackoffMilliseconds = initial.value
            }
            if let maximum = duration(&backoff, "max", into: &diagnostics) {
                policy.maxBackoffMilliseconds = maximum.value
                if maximum.value < policy.initialBackoffMilliseconds {
                    diagnostics.error(
                        .invalidValue, at: maximum.location, "The back-off `max` is shorter than its `initial`.")
                }
            }
            backoff.finish(into: &diagnostics)
        }
        reader.finish(into: &diagnostics)
        return policy
    }

    private static func duration(
        _ reader: inout FieldReader, _ key: String, into diagnostics: inout Diagnostics
    )
        -> Located<Int>?
    {
        guard let text = reader.string(key, required: false, into: &diagnostics) else { return nil }
        guard let milliseconds = parseMilliseconds(text.value) else {
            diagnostics.error(
                .invalidValue, at: text.location,
                "`\(key)` must be a duration such as `500ms`, `2s` or `1m` (at most one hour).")
            return nil
        }
        return Located(value: milliseconds, location: text.location)
    }

    /// `500ms`, `2s`, `1m` → milliseconds; between 1 ms and one hour.
    static func parseMilliseconds(_ text: String) -> Int? {
        let units: [(String, Int)] = [("ms", 1), ("s", 1000), ("m", 60_000)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let number = Int(text.dropLast(suffix.count)), number > 0 else { return nil }
            let value = number.multipliedReportingOverflow(by: factor)
            return !value.overflow && value.partialValue <= 3_600_000 ? value.partialValue : nil
        }
        return nil
    }
}
