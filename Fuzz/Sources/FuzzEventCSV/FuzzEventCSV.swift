import Foundation
import FuzzSupport
import PantauCore

/// Event-log CSV with automatic column detection and delimiter sniffing (as the CLI and the web
/// upload without a mapping), then variants, performance report and the XES round trip.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    if input.starts(with: [0x1F, 0x8B]) { return -1 }
    var options = CSVReader.Options()
    if size % 2 == 1 { options.lifecycle = .keepAll }
    let log: EventLog
    do { log = try CSVReader(options: options).read(data: input) } catch let e as EventLogError {
        _ = e.description
        return 0
    } catch {
        check(false, "CSVReader threw a non-EventLogError: \(error)")
        return 0
    }
    exerciseEventLog(log, roundTrip: size % 2 == 0)
    return 0
}

/// Entry point: SwiftPM links `main` as `FuzzEventCSV_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzEventCSV_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
