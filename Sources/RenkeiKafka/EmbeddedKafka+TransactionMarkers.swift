#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing a transaction marker into an embedded cluster's partition, as a real broker does at the end of every
/// transaction.
///
/// librdkafka 2.0.2's mock broker writes no control records: its partitions are dense, and code that waits for "the
/// record at the high watermark − 1" works there and hangs on a real broker, where that offset is usually a
/// commit marker that no consumer ever receives. The mock stores any v2 record batch sent in a plain
/// ProduceRequest byte for byte (only the base offset rewritten), and librdkafka's consumer treats a batch with the
/// control attribute holding one COMMIT or ABORT record exactly like a broker's marker: it hands nothing out, moves
/// its position past it, and reports the partition's end after it. This lets tests put a real marker where a real
/// broker would.
extension EmbeddedKafka {
    /// Appends one transaction marker (a control batch with a COMMIT, or an ABORT, record) to `partition` of
    /// `topic`, and returns its offset. The topic must exist.
    public func appendTransactionMarker(
        topic: String, partition: Int32, commit: Bool = true
    ) throws(KafkaError) -> Int64 {
        let batch = TransactionMarkerBatch.encode(commit: commit, timestamp: Int64(time(nil)) * 1000)
        var lastError = KafkaError(code: .transport, message: "no broker of the embedded cluster answered")
        // The partition's leader takes the write; the others answer NOT_LEADER.
        for address in bootstrapServers.split(separator: ",") {
            let parts = address.split(separator: ":")
            guard parts.count == 2, let port = UInt16(parts[1]) else { continue }
            do {
                return try RawProduce.send(
                    batch, topic: topic, partition: partition, host: String(parts[0]), port: port)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }
}

/// The 78-byte v2 record batch of a transaction marker (Kafka protocol, RecordBatch with attributes
/// transactional | control and one control record: key = version 0 + type, value = version 0 + coordinator epoch).
enum TransactionMarkerBatch {
    static func encode(commit: Bool, timestamp: Int64) -> [UInt8] {
        var record: [UInt8] = []
        record.append(0)  // record attributes
        record.append(0)  // timestamp delta (varint 0)
        record.append(0)  // offset delta (varint 0)
        record.append(zigzag(4))  // key length
        record += bigEndian(Int16(0))  // control record version
        record += bigEndian(Int16(commit ? 1 : 0))  // 0 ABORT, 1 COMMIT
        record.append(zigzag(6))  // value length
        record += bigEndian(Int16(0))  // marker version
        record += bigEndian(Int32(0))  // coordinator epoch
        record.append(0)  // header count
        var body: [UInt8] = []  // from the attributes on: what the CRC covers
        body += bigEndian(Int16(0x30))  // transactional | control
        body += bigEndian(Int32(0))  // last offset delta
        body += bigEndian(timestamp)  // first timestamp
        body += bigEndian(timestamp)  // max timestamp
        body += bigEndian(Int64(-1))  // producer id: none, so the mock checks no sequence
        body += bigEndian(Int16(-1))  // producer epoch
        body += bigEndian(Int32(-1))  // base sequence
        body += bigEndian(Int32(1))  // record count
        body.append(zigzag(Int8(record.count)))
        body += record
        var batch: [UInt8] = []
        batch += bigEndian(Int64(0))  // base offset: set by the broker
        batch += bigEndian(Int32(4 + 1 + 4 + body.count))  // batch length: from the leader epoch on
        batch += bigEndian(Int32(-1))  // partition leader epoch
        batch.append(2)  // magic
        batch += bigEndian(CRC32C.checksum(body))
        batch += body
        return batch
    }

    private static func zigzag(_ value: Int8) -> UInt8 { UInt8(bitPattern: (value << 1) ^ (value >> 7)) }
}

/// One ProduceRequest (v3) over a plain TCP connection, for writes that librdkafka's producer cannot make.
enum RawProduce {
    static func send(
        _ records: [UInt8], topic: String, partition: Int32, host: String, port: UInt16
    ) throws(KafkaError) -> Int64 {
        var body: [UInt8] = []
        body += bigEndian(Int16(0))  // API key: Produce
        body += bigEndian(Int16(3))  // version 3, the first that carries v2 record batches
        body += bigEndian(Int32(1))  // correlation id
        body += string("renkei-marker")
        body += bigEndian(Int16(-1))  // transactional id: null
        body += bigEndian(Int16(1))  // acks: the leader
        body += bigEndian(Int32(5000))  // timeout
        body += bigEndian(Int32(1))  // one topic
        body += string(topic)
        body += bigEndian(Int32(1))  // one partition
        body += bigEndian(partition)
        body += bigEndian(Int32(records.count))
        body += records
        let response = try exchange(bigEndian(Int32(body.count)) + body, host: host, port: port)
        // correlation id, topic count, topic name, partition count, partition, error code, base offset
        var reader = ResponseReader(bytes: response)
        guard reader.int32() == 1, reader.int32() == 1 else {
            throw KafkaError(code: .transport, message: "unexpected Produce response")
        }
        reader.skipString()
        _ = reader.int32()
        _ = reader.int32()
        let code = reader.int16()
        let offset = reader.int64()
        guard let code, let offset else { throw KafkaError(code: .transport, message: "short Produce response") }
        guard code == 0 else {
            throw KafkaError(code: KafkaError.Code(rawValue: Int32(code)), context: "append marker to \(topic)")
        }
        return offset
    }

    private static func string(_ text: String) -> [UInt8] { bigEndian(Int16(text.utf8.count)) + Array(text.utf8) }

    private static func exchange(_ request: [UInt8], host: String, port: UInt16) throws(KafkaError) -> [UInt8] {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw KafkaError(code: .transport, message: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            throw KafkaError(code: .transport, message: "not an IPv4 address: \(host)")
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            throw KafkaError(code: .transport, message: "connect \(host):\(port): errno \(errno)")
        }
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { throw KafkaError(code: .transport, message: "write: errno \(errno)") }
            sent += count
        }
        func readExactly(_ count: Int) throws(KafkaError) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: count)
            var got = 0
            while got < count {
                let n = bytes[got...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { throw KafkaError(code: .transport, message: "read: connection closed") }
                got += n
            }
            return bytes
        }
        let size = try readExactly(4).reduce(0) { $0 << 8 | Int($1) }
        return try readExactly(size)
    }

    private struct ResponseReader {
        let bytes: [UInt8]
        var index = 0

        mutating func take(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            defer { index += count }
            var value: UInt64 = 0
            for byte in bytes[index..<index + count] { value = value << 8 | UInt64(byte) }
            let shift = UInt64(64 - 8 * count)
            return Int64(bitPattern: value << shift) >> Int64(shift)
        }
        mutating func int16() -> Int16? { take(2).map { Int16($0) } }
        mutating func int32() -> Int32? { take(4).map { Int32($0) } }
        mutating func int64() -> Int64? { take(8) }
        mutating func skipString() {
            if let length = int16(), length > 0 { index += Int(length) }
        }
    }
}

private func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}

/// CRC-32C (Castagnoli), the checksum of Kafka record batches.
enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
