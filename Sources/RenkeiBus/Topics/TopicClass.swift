/// The classes of topics, each with its own retention (``TopicSettings``).
public enum TopicClass: String, Sendable, Hashable, CaseIterable {
    /// `renkei.history`: the hash-chained record of every linkage event; kept at least 7 years.
    case history
    /// `renkei.history.keys`: the record keys of bulk transfers and large provides, referenced by history
    /// entries; kept as long as the history.
    case historyKeys = "history-keys"
    /// `renkei.dlq.*`: dead letters of ingest and delivery; kept at least 7 years.
    case deadLetters = "dead-letters"
    /// `renkei.out.<linkage>.<receiver>`: what each receiver gets, bulk manifests included.
    case receiver
    /// `renkei.bulk.<linkage>.<receiver>`: bulk chunks, reached through the manifests.
    case bulk
    /// `renkei.query.<linkage>`: query requests.
    case query
    /// `renkei.reply.<instance>`: query replies, one topic per bus instance.
    case reply
}
