import Foundation
import FuzzSupport
import PantauCore

/// SOP files in JSON: SOPFile.decode (syntax, types, anchors refused, validation), then
/// FuzzSupport.exerciseSOP (compiled net, BPMN export, YAML and JSON round trips).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzSOP(bytes(data, size), format: .json)
    return 0
}

/// Entry point: SwiftPM links `main` as `FuzzSOPJSON_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzSOPJSON_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
