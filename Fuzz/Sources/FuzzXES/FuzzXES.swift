import Foundation
import FuzzSupport
import PantauCore

/// XES (plain XML; a gzip input is FuzzXESGzip's): read, then variants, performance report and
/// the XES round trip (FuzzSupport.exerciseEventLog). Lifecycle option alternates on the size's
/// parity so that both the complete-only (start pairing) and keep-all paths run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    if input.starts(with: [0x1F, 0x8B]) { return -1 }  // not added to the corpus: FuzzXESGzip's
    var options = XESReader.Options()
    if size % 2 == 1 { options.lifecycle = .keepAll }
    let log: EventLog
    do { log = try XESReader(options: options).read(data: input) } catch let e as EventLogError {
        _ = e.description
        return 0
    } catch {
        check(false, "XESReader threw a non-EventLogError: \(error)")
        return 0
    }
    exerciseEventLog(log, roundTrip: size % 2 == 0)
    return 0
}

/// Entry point: SwiftPM links `main` as `FuzzXES_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzXES_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
