public import Foundation
public import RenkeiContracts

extension DailySchedule {
    /// The schedule's time zone (contracts only load with a known one).
    public var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "Asia/Tokyo")! }

    /// The last time the window closed at or before `date`.
    public func latest(atOrBefore date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let today = calendar.date(bySettingHour: hour, minute: minute, second: 0, of: date) ?? date
        if today <= date { return today }
        return calendar.date(byAdding: .day, value: -1, to: today) ?? today
    }

    /// The next time the window closes after `date`.
    public func next(after date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let latest = latest(atOrBefore: date)
        return calendar.date(byAdding: .day, value: 1, to: latest) ?? latest.addingTimeInterval(86_400)
    }
}
