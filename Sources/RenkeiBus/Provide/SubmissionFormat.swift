/// How submitted records are written.
public enum SubmissionFormat: String, Sendable, CaseIterable {
    /// One JSON object, an array of objects, or objects one after another (an HTTP body).
    case json
    /// JSON Lines: one object per line.
    case jsonLines = "jsonl"
    /// CSV with a header row of item names or field keys (RFC 4180, UTF-8).
    case csv
}
