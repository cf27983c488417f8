public import Foundation
import RenkeiCodec
public import RenkeiContracts
import RenkeiKafka

extension Bus {
    /// Provides a bulk transfer — for example a whole resident register — streamed in chunks of CSV or JSON Lines
    /// of any size, with memory bounded by the chunk size.
    ///
    /// Each receiver's projected records go to its bulk topic in chunk messages, written idempotently but outside
    /// any transaction, so single provides are not held while a transfer streams. Once every chunk is
    /// acknowledged, a manifest (record count, SHA-256, chunk positions) per receiver goes to its outbound topic,
    /// with the history entries and any quarantined rows, in one short transaction. Receivers reach the records
    /// only through the manifest, so they see all of a transfer or none of it, on any broker; an interrupted
    /// transfer leaves only unreferenced chunks behind. Under `reject` any invalid record aborts the transfer;
    /// under `quarantine-invalid` invalid records (at most ``BusConfiguration/maxQuarantinedPerTransfer``) go to
    /// the ingest dead-letter topic and the rest proceed.
    ///
    /// `encoding` is the body's character encoding; CP932 and Shift_JIS are decoded to UTF-8 as the chunks stream.
    /// A body evidently in another encoding is refused as `unreadable-input` with one error naming the encoding it
    /// looks like.
    ///
    /// `requestPurpose`, when given, goes into the chunks', manifests' and quarantined rows' envelopes and into every
    /// history entry of the transfer.
    public func provideBulk<Chunks: AsyncSequence>(
        linkage linkageID: String, provider: String, format: SubmissionFormat, encoding: TextEncoding = .utf8,
        chunks: Chunks,
        transferID: String = UUID().uuidString.lowercased(), correlationID: String? = nil,
        requestPurpose: RequestPurpose? = nil, progress: (@Sendable (BulkProgress) -> Void)? = nil
    ) async throws(ProvideError) -> ProvideReceipt where Chunks.Element == [UInt8] {
        let route = try await authorize(linkage: linkageID, provider: provider, requestPurpose: requestPurpose)
        let run = BulkRun(
            bus: self, route: route, format: format, encoding: encoding, transferID: transferID,
            correlationID: correlationID, requestPurpose: requestPurpose, progress: progress)
        do {
            let streamed = try await run.stream(chunks)
            return try await commit(history: { _ in run.historyEntries(streamed) }) { transaction in
                try await transaction.send(streamed.closingMessages)
                return streamed.receipt
            }
        } catch let error as ProvideError {
            throw await refuse(route, provider: provider, requestPurpose: requestPurpose, error)
        } catch let error as KafkaError {
            throw await refuse(
                route, provider: provider, requestPurpose: requestPurpose,
                ProvideError(
                    .broker, "The broker did not take the transfer: \(error). Nothing was delivered.", kafkaError: error
                ))
        } catch {
            throw await refuse(
                route, provider: provider, requestPurpose: requestPurpose,
                ProvideError(.interrupted, "The transfer stopped before its end (\(error)). Nothing was delivered."))
        }
    }
}
