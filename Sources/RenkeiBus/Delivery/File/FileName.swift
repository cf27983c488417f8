import Foundation

/// The names of a file receiver's objects, relative to its storage location:
/// `<linkage>/<yyyymmdd>/<linkage>_<provider>_<receiver>_<yyyymmddHHMMSS>_<seq>.csv`, and beside it the same name
/// ending `.manifest.json`. The time is the window's end in the linkage's time zone; `seq` (six digits) counts the
/// receiver's files of the linkage from 1, so names sort in delivery order within a day and a file can be found
/// again by its sequence after a restart.
struct FileName: Sendable, Hashable {
    var linkage: String
    var provider: String
    var receiver: String
    /// `yyyyMMddHHmmss` in the schedule's time zone.
    var stamp: String
    var sequence: Int

    static let dataSuffix = ".csv"
    static let manifestSuffix = ".manifest.json"

    init(linkage: String, provider: String, receiver: String, windowEnd: Date, timeZone: TimeZone, sequence: Int) {
        self.linkage = linkage
        self.provider = provider
        self.receiver = receiver
        self.stamp = Self.stamp(windowEnd, timeZone: timeZone)
        self.sequence = sequence
    }

    /// The folder of one linkage's files.
    static func folder(linkage: String) -> String { linkage + "/" }

    var base: String {
        let seq = String(sequence)
        let padded = String(repeating: "0", count: max(0, 6 - seq.count)) + seq
        return "\(linkage)/\(stamp.prefix(8))/\(linkage)_\(provider)_\(receiver)_\(stamp)_\(padded)"
    }

    var data: String { base + Self.dataSuffix }
    var manifest: String { base + Self.manifestSuffix }

    /// The sequence number of a data or manifest name of these files (`<linkage>_<provider>_<receiver>_` then a
    /// 14-digit time and the sequence), `nil` for any other name — also another receiver's whose id ends the same.
    static func sequence(
        of name: String, linkage: String, provider: String, receiver: String
    ) -> (sequence: Int, isManifest: Bool)? {
        let isManifest = name.hasSuffix(manifestSuffix)
        guard isManifest || name.hasSuffix(dataSuffix) else { return nil }
        let file = name.split(separator: "/").last.map(String.init) ?? name
        let stem = file.dropLast(isManifest ? manifestSuffix.count : dataSuffix.count)
        let prefix = "\(linkage)_\(provider)_\(receiver)_"
        guard stem.hasPrefix(prefix) else { return nil }
        let rest = stem.dropFirst(prefix.count).split(separator: "_", omittingEmptySubsequences: false)
        let digits = { (text: Substring) in !text.isEmpty && text.utf8.allSatisfy { (0x30...0x39).contains($0) } }
        guard rest.count == 2, rest[0].count == 14, digits(rest[0]), digits(rest[1]), let sequence = Int(rest[1])
        else { return nil }
        return (sequence, isManifest)
    }

    static func stamp(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return String(format: "%04d", parts.year ?? 0) + two(parts.month) + two(parts.day) + two(parts.hour)
            + two(parts.minute) + two(parts.second)
    }
}
