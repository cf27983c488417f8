import CodecFuzzing
import FuzzSupport
import RenkeiCodec

/// One JSON Lines input: byte 0 picks the options (bit 1: a 64-byte record limit) and the transcoding encoding
/// (bits 2-3), byte 1 where the input is cut; the rest is the file. The same bytes are also read as one JSON
/// document (`decodeDocument`, the single-record and array bodies of the gateway).
@_cdecl("FuzzJSON_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in data.map { fuzz($0, size) } ?? 0 }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let flags = input.takeByte()
    let cut = input.takeByte()
    let bytes = input.takeRest()
    let limit = flags & 2 == 0 ? 1 << 20 : 64
    let decoded = CodecInvariants.decodeChunked(bytes, cut: cut) {
        JSONRecordDecoder(schema: FuzzLayout.schema, maxRecordBytes: limit)
    }
    CodecInvariants.checkRoundTrips(decoded)
    CodecInvariants.checkTranscoding(
        bytes, format: .jsonl, choice: flags >> 2, cut: cut, plain: limit == 1 << 20 ? decoded : nil)

    let document = bytes.withUnsafeBytes { JSONRecordDecoder.decodeDocument($0, schema: FuzzLayout.schema) }
    let fromDocument = Decoded(document)
    CodecInvariants.checkPositions(fromDocument, in: bytes, layout: FuzzLayout.layout)
    CodecInvariants.checkRoundTrips(fromDocument)
    return 0
}
