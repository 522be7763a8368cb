import Foundation
import FuzzSupport
import PantauCore

/// PNML (conformance models): read, then the net's invariants, a few firings and the PNML round
/// trip (FuzzSupport.exercisePetriNet).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let net: PetriNet
    do { net = try PNML.read(data: bytes(data, size)) } catch let e as ProcessModelError {
        _ = e.description
        return 0
    } catch {
        check(false, "PNML.read threw a non-ProcessModelError: \(error)")
        return 0
    }
    exercisePetriNet(net)
    return 0
}

/// Entry point: SwiftPM links `main` as `FuzzPNML_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzPNML_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
