import Foundation
import FuzzSupport
import PantauCore

/// BPMN 2.0 XML (models and SOP flows): read, then what the app does next, the conversion to a
/// Petri net for conformance checking, and that net's checks (FuzzSupport.exercisePetriNet).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let model: BPMN
    do { model = try BPMN.read(data: bytes(data, size)) } catch let e as ProcessModelError {
        _ = e.description
        return 0
    } catch {
        check(false, "BPMN.read threw a non-ProcessModelError: \(error)")
        return 0
    }
    check(Set(model.nodes.map(\.id)).count == model.nodes.count, "BPMN node ids not unique")
    let ids = Set(model.nodes.map(\.id))
    check(model.flows.allSatisfy { ids.contains($0.source) && ids.contains($0.target) }, "BPMN flow to an unknown node")
    let net: PetriNet
    do { net = try model.petriNet() } catch let e as ProcessModelError {
        _ = e.description
        return 0
    } catch {
        check(false, "BPMN.petriNet threw a non-ProcessModelError: \(error)")
        return 0
    }
    exercisePetriNet(net)
    return 0
}

/// Entry point: SwiftPM links `main` as `FuzzBPMN_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzBPMN_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
