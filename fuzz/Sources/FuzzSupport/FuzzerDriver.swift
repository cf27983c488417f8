import CFuzzerDriver

/// Runs libFuzzer with the command line `argc`/`argv`, calling `test` with every input. Each fuzzer's
/// `<Module>_main` (the main SwiftPM links an executable with) calls this.
public func runFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, test)
}
