public import Foundation

/// One metadata-only entry of the history: who provided, received, was refused, dead-lettered or replayed what,
/// when, under which contract, with what outcome. Never a record's values; record keys (宛名番号) only.
public struct HistoryEntry: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A provider's submission was accepted and written for its receivers.
        case provide
        /// A receiver got records (one entry per receiver of a provide, or a delivery by push/file).
        case delivery
        /// A submission was refused: undeclared provider, unknown linkage, or invalid rows under `reject`.
        case refusal
        /// A record went to a dead-letter topic.
        case deadLetter = "dead-letter"
        /// A dead letter was replayed.
        case replay
        /// A query (照会) was asked, answered or timed out.
        case query
        /// An operator read a dead letter's record (``HistoryEntry/operatorID``, ``HistoryEntry/deadLetter``;
        /// outcome `masked` or `unmasked`).
        case deadLetterRead = "dead-letter-read"
        /// An operator looked up a resident's history in the console (``HistoryEntry/operatorID``, the key; outcome
        /// `viewed`, `printed` or `exported`): a disclosure lists who looked, too.
        case historyRead = "history-read"
    }

    // The chain: entries of one writer are numbered and each carries the hash of the one before.
    /// The writer (bus instance) whose chain this entry belongs to.
    public var chain: String
    /// 1, 2, 3, … within the chain.
    public var sequence: Int
    /// The hash of the previous entry of the chain; 64 zeros for the first.
    public var previousHash: String
    /// SHA-256 of this entry's canonical form (every field but this one), lowercase hex.
    public var hash: String

    public var time: Date
    public var kind: Kind
    public var linkage: String
    /// The layout the records were checked against, `id@version`.
    public var contract: String?
    public var provider: String?
    public var receiver: String?
    /// The receiver's purpose of use, from the contract.
    public var purpose: String?
    /// The caller's purpose for the request that caused this entry (``RequestPurpose``), when it gave one. Absent
    /// from entries written before it existed, which hash as they always did.
    public var requestPurpose: String?
    /// The version of the linkage the entry was written under (``EnvelopeHeader/contractVersion``): for a delivery,
    /// the version its record was provided under. Absent from entries written before it existed.
    public var contractVersion: String?
    /// Record keys concerned, when few enough to list (``HistoryKeyList/threshold``); more are in ``keyList``.
    public var keys: [String]
    public var recordCount: Int
    /// Where the keys of a bulk transfer or a large provide are, when there are too many to list in ``keys``:
    /// chunks on `renkei.history.keys`, pinned by their hashes (which this entry's hash covers).
    public var keyList: HistoryKeyList?
    /// The items (項目) the receiver got, in the order of its projection: what the receiver learned, true after
    /// the contract changes. Set on entries that move records to a receiver (provide, delivery, replay, query).
    public var items: [String]?
    public var transfer: String?
    /// Event ids concerned, when few enough to list.
    public var events: [String]
    /// `ok`, `refused`, `rejected`, `quarantined`, `failed`, `replayed`, `timeout`.
    public var outcome: String
    /// A stable reason code for anything but `ok`.
    public var reason: String?
    /// For dead letters and replays: `topic/partition/offset` of the dead letter.
    public var deadLetter: String?
    /// For a file delivery: the data file written (or not written), `<storage location>/<name>`.
    public var file: String?
    /// For what an operator did (a dead letter read or replayed): the operator's client id.
    public var operatorID: String?

    enum CodingKeys: String, CodingKey {
        case chain, sequence, previousHash, hash, time, kind, linkage, contract, provider, receiver, purpose, keys
        case recordCount, keyList, items, transfer, events, outcome, reason, deadLetter, file
        case operatorID = "operator"
        case requestPurpose, contractVersion
    }

    public init(
        time: Date = Date(), kind: Kind, linkage: String, contract: String? = nil, provider: String? = nil,
        receiver: String? = nil, purpose: String? = nil, keys: [String] = [], recordCount: Int? = nil,
        keyList: HistoryKeyList? = nil, items: [String]? = nil, transfer: String? = nil, events: [String] = [],
        outcome: String, reason: String? = nil, deadLetter: String? = nil, file: String? = nil,
        operatorID: String? = nil, requestPurpose: String? = nil, contractVersion: String? = nil
    ) {
        self.chain = ""
        self.sequence = 0
        self.previousHash = ""
        self.hash = ""
        self.time = time
        self.kind = kind
        self.linkage = linkage
        self.contract = contract
        self.provider = provider
        self.receiver = receiver
        self.purpose = purpose
        self.keys = keys
        self.recordCount = recordCount ?? keys.count
        self.keyList = keyList
        self.items = items
        self.transfer = transfer
        self.events = events
        self.outcome = outcome
        self.reason = reason
        self.deadLetter = deadLetter
        self.file = file
        self.operatorID = operatorID
        self.requestPurpose = requestPurpose
        self.contractVersion = contractVersion
    }

    /// The entry as stored on the history topic (canonical JSON).
    public func serialized() -> [UInt8] { HistoryHashing.encode(self) }

    /// Reads an entry as stored on the history topic; `nil` when the bytes are not one.
    public init?(serialized bytes: [UInt8]) {
        guard let entry = HistoryHashing.decode(bytes) else { return nil }
        self = entry
    }
}
