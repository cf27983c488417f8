import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiKafka

extension Bus {
    /// Provides one record or a batch: checks that `provider` is the linkage's provider, validates every record,
    /// projects each receiver's copy to exactly its items, and writes all copies, quarantined rows and history
    /// entries in one transaction. Returns after the broker committed. `requestPurpose`, when given, goes into every
    /// receiver's envelope and every history entry of the provide (refusals included).
    public func provide(
        linkage linkageID: String, provider: String, records: [UInt8], format: SubmissionFormat = .json,
        correlationID: String? = nil, traceParent: String? = nil, requestPurpose: RequestPurpose? = nil
    ) async throws(ProvideError) -> ProvideReceipt {
        let route = try await authorize(linkage: linkageID, provider: provider, requestPurpose: requestPurpose)
        let batch = decode(records, format: format, schema: route.schema)
        if let streamError = batch.streamErrors.first {
            throw await refuse(
                route, provider: provider, requestPurpose: requestPurpose,
                ProvideError(
                    .unreadableInput, "The input cannot be read as records: \(streamError.reason.summary).",
                    recordErrors: Array(batch.streamErrors.prefix(configuration.maxReportedErrors))))
        }
        let records = batch.records
        guard records.count > 0 else {
            throw await refuse(
                route, provider: provider, requestPurpose: requestPurpose,
                ProvideError(.noRecords, "The submission holds no records."))
        }
        let invalid = records.invalidCount
        if invalid > 0, route.linkage.failurePolicy.invalidRows == .reject {
            throw await refuse(
                route, provider: provider, requestPurpose: requestPurpose,
                ProvideError(
                    .invalidRecords,
                    "\(invalid) of \(records.count) records failed validation; linkage \(route.linkage.id) rejects "
                        + "a submission with any invalid record, so none was delivered.",
                    recordErrors: Array(records.errors.prefix(configuration.maxReportedErrors)), invalidCount: invalid))
        }

        let plan = ProvidePlan(
            route: route, batch: records, correlationID: correlationID, traceParent: traceParent,
            requestPurpose: requestPurpose, time: Date())
        do {
            let keyList = plan.needsKeyList ? try await writeKeyList(plan.validKeys) : nil
            try await provideGroups.commit(plan.messages, history: plan.historyEntries(keyList: keyList), on: self)
            return plan.receipt
        } catch let error as KafkaError {
            throw ProvideError(
                .broker, "The broker did not take the records: \(error). Nothing was delivered.", kafkaError: error)
        } catch {
            throw ProvideError(.broker, "The records could not be written: \(error). Nothing was delivered.")
        }
    }

    /// The route of a provide linkage whose provider is `provider`; anything else is refused and recorded.
    func authorize(
        linkage linkageID: String, provider: String, requestPurpose: RequestPurpose?
    ) async throws(ProvideError) -> LinkageRoute {
        func refusal(_ reason: ProvideError.Code, contractVersion: String?) -> HistoryEntry {
            var entry = refusalEntry(linkage: linkageID, provider: provider, reason: reason)
            entry.requestPurpose = requestPurpose?.text
            entry.contractVersion = contractVersion
            return entry
        }
        guard let linkage = contracts.linkage(linkageID) else {
            await record([refusal(.unknownLinkage, contractVersion: nil)])
            throw ProvideError(.unknownLinkage, "There is no linkage `\(linkageID)`.")
        }
        guard linkage.mode == .provide, let route = route(linkageID) else {
            await record([refusal(.notAProvideLinkage, contractVersion: LinkageRoute.contractVersion(of: linkage))])
            throw ProvideError(
                .notAProvideLinkage, "The linkage `\(linkageID)` is a query (照会); records are not provided to it.")
        }
        guard linkage.provider == provider else {
            await record([refusal(.notTheProvider, contractVersion: route.contractVersion)])
            throw ProvideError(
                .notTheProvider,
                "The system `\(provider)` is not the provider of linkage `\(linkageID)`; only `\(linkage.provider)` may provide it."
            )
        }
        return route
    }

    func refuse(
        _ route: LinkageRoute, provider: String, requestPurpose: RequestPurpose?, _ error: ProvideError
    ) async -> ProvideError {
        var entry = refusalEntry(linkage: route.linkage.id, provider: provider, reason: error.code)
        entry.contract = route.contract
        entry.recordCount = error.invalidCount
        entry.requestPurpose = requestPurpose?.text
        entry.contractVersion = route.contractVersion
        await record([entry])
        return error
    }

    private func refusalEntry(linkage: String, provider: String, reason: ProvideError.Code) -> HistoryEntry {
        HistoryEntry(kind: .refusal, linkage: linkage, provider: provider, outcome: "refused", reason: reason.rawValue)
    }

    private func decode(
        _ bytes: [UInt8], format: SubmissionFormat, schema: RecordSchema
    ) -> (
        records: RecordBatch, streamErrors: [RecordError]
    ) {
        switch format {
        case .json:
            // One document: after a syntax error nothing tells where records would have been, so the document is
            // unreadable as a whole, whatever the linkage's policy for invalid records (a JSON Lines body instead
            // resumes at the next line, and its bad line is one invalid record).
            let batch = bytes.withUnsafeBytes { JSONRecordDecoder.decodeDocument($0, schema: schema) }
            return (batch, batch.errors.filter { $0.reason == .malformedJSON })
        case .jsonLines:
            var decoder = JSONRecordDecoder(schema: schema)
            let batch = decoder.decodeAll(bytes)
            return (batch, decoder.streamErrors)
        case .csv:
            var decoder = CSVRecordDecoder(schema: schema)
            let batch = decoder.decodeAll(bytes)
            return (batch, decoder.streamErrors)
        }
    }
}
