import FuzzSupport
import RenkeiBus

/// The input read two ways: as a header value received (decoded, then checked to encode back to a header that
/// decodes the same), and as an attribute value sent (encoded, then checked to be a legal header value that decodes
/// back to exactly the input).
@_cdecl("FuzzCloudEvents_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in data.map { fuzz($0, size) } ?? 0 }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let text = String(decoding: input.takeRest(), as: UTF8.self)

    if let value = CloudEventsHTTPValue.decode(text) {
        let header = CloudEventsHTTPValue.encode(value)
        require(CloudEventsHTTPValue.decode(header) == value, "decoded \(Array(value.utf8)) does not round-trip")
    }

    let header = CloudEventsHTTPValue.encode(text)
    require(
        header.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") },
        "encoded header \(Array(header.utf8)) holds a byte outside visible ASCII or a quote")
    require(
        CloudEventsHTTPValue.decode(header) == text,
        "\(Array(text.utf8)) encoded as \(header) decodes to \(CloudEventsHTTPValue.decode(header).map { Array($0.utf8) } ?? [])"
    )
    return 0
}
