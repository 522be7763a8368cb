import Foundation
import FuzzSupport
import PantauCore

/// XES.gz: the input is the compressed file (gzip header, deflate stream, trailer, further
/// members), so the mutations hit ByteSource's gunzip path and its 1 MiB output limit; a log that
/// reads is exercised as in FuzzXES.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    var options = XESReader.Options()
    options.maxDecompressedBytes = 1 << 20
    let log: EventLog
    do { log = try XESReader(options: options).read(data: input) } catch let e as EventLogError {
        _ = e.description
        return 0
    } catch {
        check(false, "XESReader threw a non-EventLogError: \(error)")
        return 0
    }
    exerciseEventLog(log, roundTrip: true)
    // The same bytes through the CSV reader's gzip path (a .csv.gz upload).
    var csv = CSVReader.Options()
    csv.maxDecompressedBytes = 1 << 20
    if let other = try? CSVReader(options: csv).read(data: input) { exerciseEventLog(other, roundTrip: true) }
    return 0
}

/// Entry point: SwiftPM links `main` as `FuzzXESGzip_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzXESGzip_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
