import CodecFuzzing
import FuzzSupport
import RenkeiCodec

/// One CSV input: byte 0 picks the options (bit 0: no header, bit 1: a 64-byte record limit) and the transcoding
/// encoding (bits 2-3), byte 1 where the input is cut; the rest is the file.
@_cdecl("FuzzCSV_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in data.map { fuzz($0, size) } ?? 0 }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let flags = input.takeByte()
    let cut = input.takeByte()
    let bytes = input.takeRest()
    let options = CSVDecodingOptions(hasHeader: flags & 1 == 0, maxRecordBytes: flags & 2 == 0 ? 1 << 20 : 64)
    let decoded = CodecInvariants.decodeChunked(bytes, cut: cut, resyncAfterTooLarge: true) {
        CSVRecordDecoder(schema: FuzzLayout.schema, options: options)
    }
    CodecInvariants.checkRoundTrips(decoded)
    let defaults = flags & 3 == 0
    CodecInvariants.checkTranscoding(
        bytes, format: .csv, choice: flags >> 2, cut: cut, plain: defaults ? decoded : nil)
    return 0
}
