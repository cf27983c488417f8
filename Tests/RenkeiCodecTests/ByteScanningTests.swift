import Testing

@testable import RenkeiCodec

/// The word-at-a-time scans agree with the obvious byte loop at every position and length.
@Suite struct ByteScanningTests {
    func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>) -> R) -> R {
        // Padding after the bytes, so 8-byte loads past `n` stay inside the allocation as they do in the decoders.
        let padded = bytes + [UInt8](repeating: 0x41, count: 16)
        return padded.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    @Test func findsJSONStringSpecialsAtEveryPosition() {
        for length in 0..<20 {
            for position in 0...length {
                for special: UInt8 in [0x22, 0x5C, 0x00, 0x1F, 0x0A] {
                    var bytes = [UInt8](repeating: 0xE3, count: length)
                    if position < length { bytes[position] = special }
                    let found = withBytes(bytes) { ByteScanning.findJSONStringSpecial($0, from: 0, end: length) }
                    #expect(found == position, "length \(length) position \(position) byte \(special)")
                }
            }
        }
        // Bytes just above the specials are not specials.
        let near: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xFF, 0x20, 0x21]
        #expect(withBytes(near) { ByteScanning.findJSONStringSpecial($0, from: 0, end: near.count) } == near.count)
    }

    @Test func findsCSVSpecialsAtEveryPosition() {
        for length in 0..<20 {
            for position in 0...length {
                for special: UInt8 in [0x2C, 0x22, 0x0A, 0x0D] {
                    var bytes = [UInt8](repeating: 0x20, count: length)  // spaces: below 0x2D but not special
                    if position < length { bytes[position] = special }
                    let found = withBytes(bytes) { ByteScanning.findCSVSpecial($0, from: 0, end: length) }
                    #expect(found == position)
                }
            }
        }
    }

    @Test func checksDigitsWordByWord() {
        for length in 0..<20 {
            for position in 0..<max(length, 1) {
                for intruder: UInt8 in [0x2F, 0x3A, 0x40, 0x20, 0xB0, 0x00] {
                    var bytes = [UInt8](repeating: 0x37, count: length)
                    if position < length { bytes[position] = intruder }
                    let expected = position >= length
                    #expect(withBytes(bytes) { ByteScanning.isDigits($0, length) } == expected)
                }
            }
        }
        let all = Array("0123456789012345".utf8)
        #expect(withBytes(all) { ByteScanning.isDigits($0, all.count) })
    }

    @Test func comparesShortKeys() {
        let key = Array("municipality_name".utf8) + [UInt8](repeating: 0, count: 16)
        for count in 1...17 {
            var input = Array(key.prefix(count)) + Array("\":1}".utf8)
            #expect(withBytes(input) { ByteScanning.shortEqual($0, available: input.count, key, count) })
            input[count - 1] ^= 0x01
            #expect(!withBytes(input) { ByteScanning.shortEqual($0, available: input.count, key, count) })
        }
    }
}

extension ByteScanningTests {
    @Test func marksTheFirstNonDigitOfAWord() {
        for position in 0..<8 {
            for intruder: UInt8 in [0x22, 0x2F, 0x3A, 0x3F, 0x40, 0xFA, 0xFF, 0x00, 0x39 &+ 0x80] {
                var bytes = [UInt8](repeating: 0x35, count: 8)
                bytes[position] = intruder
                let word = bytes.withUnsafeBufferPointer { ByteScanning.load($0.baseAddress!) }
                let marks = ByteScanning.nonDigitBytes(word)
                #expect(marks.trailingZeroBitCount >> 3 == position, "intruder \(intruder) at \(position)")
            }
        }
        let digits = Array("01234567".utf8).withUnsafeBufferPointer { ByteScanning.load($0.baseAddress!) }
        #expect(ByteScanning.nonDigitBytes(digits) == 0)
    }
}
