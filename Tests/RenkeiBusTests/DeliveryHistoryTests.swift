import Foundation
import RenkeiContracts
import Testing

@testable import RenkeiBus

@Suite struct DeliveryHistoryTests {
    let linkage: Linkage
    let receiver: Receiver

    init() throws {
        let contracts = try ContractLoader.load(directory: BusHarness.contractsDirectory)
        linkage = try #require(contracts.linkage("resident-change"))
        receiver = try #require(linkage.receivers.first { $0.system == "017" })
    }

    @Test func aDeliveryNamesTheReceiverItsPurposeAndItsItems() {
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        let entry = HistoryEntry.delivered(
            linkage: linkage, receiver: receiver, keys: ["123456789012345"], events: ["e-1"],
            transfer: "t-1", time: time)
        #expect(entry.kind == .delivery && entry.outcome == "ok" && entry.reason == nil)
        #expect(entry.linkage == "resident-change" && entry.provider == linkage.provider)
        #expect(entry.contract == linkage.layout.description)
        #expect(entry.receiver == "017" && entry.purpose == receiver.purpose)
        #expect(entry.items == receiver.items)
        #expect(entry.keys == ["123456789012345"] && entry.recordCount == 1)
        #expect(entry.events == ["e-1"] && entry.transfer == "t-1" && entry.time == time)
    }

    @Test func aFailedDeliveryIsADeadLetterEntryAtTheLastFailure() {
        let first = Date(timeIntervalSince1970: 1_800_000_000)
        let last = first.addingTimeInterval(3)
        let failure = DeliveryFailure(
            keys: ["123456789012345"], events: ["e-1"], reason: "webhook-gave-up", message: "HTTP 503 (after 3)",
            attempts: 3, firstFailure: first, lastFailure: last)
        let entry = HistoryEntry.deliveryFailed(
            failure, linkage: linkage, receiver: receiver, deadLetter: "renkei.dlq.resident-change.017/0/4")
        #expect(entry.kind == .deadLetter && entry.outcome == "failed" && entry.reason == "webhook-gave-up")
        #expect(entry.time == last)
        #expect(entry.receiver == "017" && entry.purpose == receiver.purpose)
        #expect(entry.keys == ["123456789012345"] && entry.events == ["e-1"] && entry.recordCount == 1)
        #expect(entry.deadLetter == "renkei.dlq.resident-change.017/0/4")
        #expect(entry.items == nil, "nothing reached the receiver")
    }

    @Test func aFailedFileDeliveryCountsItsRecordsWithoutListingThem() {
        let failure = DeliveryFailure(
            transfer: "t-9", recordCount: 250_000, reason: "storage-unreachable", message: "the bucket refused",
            attempts: 5, firstFailure: Date())
        let entry = HistoryEntry.deliveryFailed(
            failure, linkage: linkage, receiver: receiver, deadLetter: nil)
        #expect(entry.recordCount == 250_000 && entry.keys.isEmpty && entry.transfer == "t-9")
    }

    @Test func anExpiredRangeIsADeadLetterEntryCountingTheLostRecords() {
        let entry = HistoryEntry.deliveryExpired(
            linkage: linkage, receiver: receiver, lost: 7, reason: "expired-before-delivery: x",
            deadLetter: "renkei.dlq.resident-change.017")
        #expect(entry.kind == .deadLetter && entry.outcome == "expired" && entry.recordCount == 7)
        #expect(entry.receiver == "017" && entry.purpose == receiver.purpose && entry.keys.isEmpty)
    }
}
