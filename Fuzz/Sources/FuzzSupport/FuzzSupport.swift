/// Runs libFuzzer with `test` as the target (`LLVMFuzzerRunDriver`, libFuzzer's entry for
/// programs that have their own `main`: SwiftPM names each executable's entry point
/// `<module>_main` and points `main` at it, so libFuzzer's own `main` cannot be used).
///
/// `test` gets each input; it must return normally for every input, and trap (a crash, an
/// address-sanitizer report, a `fatalError`) only on a bug.
public func runFuzzer(
    argc: CInt, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ test: @escaping (UnsafeRawBufferPointer) -> Void
) -> CInt {
    currentTest = test
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in
        currentTest?(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
        return 0
    }
}

/// The test the C callback calls (a C function pointer cannot capture it).
nonisolated(unsafe) private var currentTest: ((UnsafeRawBufferPointer) -> Void)?

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
