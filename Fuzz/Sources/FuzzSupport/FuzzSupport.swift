import Foundation

/// Stops the fuzzer with a message when an invariant does not hold (libFuzzer records the input
/// as a crash).
public func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                  file: StaticString = #fileID, line: UInt = #line) {
    if !condition() {
        FileHandle.standardError.write(Data("invariant violated (\(file):\(line)): \(message())\n".utf8))
        fatalError("invariant violated: \(message())", file: file, line: line)
    }
}

/// The fuzzer's bytes as `Data` (copied: the parsers keep no pointer into libFuzzer's buffer).
public func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> Data {
    Data(bytes: data, count: size)
}

/// libFuzzer's driver, for an entry point of our own: SwiftPM links each executable with its
/// `main` renamed to `<Target>_main`, so every target defines that symbol and hands over here
/// (libFuzzer's own `main` is then not linked).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// Runs libFuzzer with the process's arguments and `callback` as the target.
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                      _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, callback)
}
