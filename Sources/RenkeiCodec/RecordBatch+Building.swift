/// Building a batch: decoders commit records here after delimiting their fields, and the validation of every
/// value happens on commit, while the record's bytes are still in cache.
extension RecordBatch {
    /// Empties the batch, keeping its storage for the next chunk.
    mutating func removeAll() {
        scratch.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
        infos.removeAll(keepingCapacity: true)
        errors.removeAll(keepingCapacity: true)
    }

    /// Appends a record made of `values` in layout order (`nil` or empty for absent), validating it as a decoder
    /// would. `number` defaults to the next record number in this batch; `line` to the same.
    public mutating func append(values: [String?], number: Int? = nil, line: Int? = nil) {
        precondition(values.count == schema.itemCount, "one value per layout item")
        let number = number ?? (count + 1)
        var slots = [FieldSlot](repeating: .empty, count: schema.itemCount)
        for (item, value) in values.enumerated() {
            guard let value, !value.isEmpty else { continue }
            let start = scratch.count
            scratch.append(contentsOf: value.utf8)
            slots[item] = FieldSlot(start: start, count: scratch.count - start, inScratch: true)
        }
        var pending: [RecordError] = []
        slots.withUnsafeMutableBufferPointer { slots in
            commitRecord(slots: slots.baseAddress!, input: nil, number: number, line: line ?? number, pending: &pending)
        }
    }

    /// Validates the record whose values `slots` point to and appends it with its errors. `pending` holds the
    /// errors the decoder found while delimiting (malformed syntax, unknown items); it is emptied.
    @inline(__always)
    mutating func commitRecord(
        slots: UnsafeMutablePointer<FieldSlot>, input: UnsafePointer<UInt8>?, number: Int, line: Int,
        pending: inout [RecordError]
    ) {
        let errorStart = errors.count
        if !pending.isEmpty {
            errors.append(contentsOf: pending)
            pending.removeAll(keepingCapacity: true)
        }
        let itemCount = schema.itemCount
        let schema = self.schema
        scratch.withUnsafeBufferPointer { scratchBuffer in
            schema.rules.withUnsafeBufferPointer { rules in
                schema.codeWords.withUnsafeBufferPointer { words in
                    let scratchBase = scratchBuffer.baseAddress
                    let wordBase = words.baseAddress ?? UnsafePointer(bitPattern: 8)!
                    var item = 0
                    while item < itemCount {
                        let slot = slots[item]
                        let n = slot.count
                        if slot.skipsValidation {
                        } else if n == 0 {
                            if rules[item].required {
                                errors.append(RecordError(record: number, line: line, item: item, reason: .required))
                            }
                        } else {
                            let p = (slot.inScratch ? scratchBase! : input!) + Int(slot.start)
                            if let reason = FieldValidator.validate(
                                p, n, item: item, rule: rules.baseAddress! + item, schema: schema, codeWords: wordBase)
                            {
                                errors.append(RecordError(record: number, line: line, item: item, reason: reason))
                            }
                        }
                        item &+= 1
                    }
                }
            }
        }
        fields.append(contentsOf: UnsafeBufferPointer(start: slots, count: itemCount))
        infos.append(
            RecordInfo(
                number: number, line: line, errorStart: Int32(errorStart), errorCount: Int32(errors.count - errorStart))
        )
    }
}
