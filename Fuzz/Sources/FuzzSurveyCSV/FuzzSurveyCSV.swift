import Foundation
import FuzzSupport
import PantauCore

let definition = SurveyDefinition.standard(service: SurveyService(unitID: "DPMPTSP", name: "Perizinan"))

/// Survey paper-answer CSV (the import page and the CLI): parse against the standard
/// definition, the options chosen by the input's size (reject on any bad row, skip bad rows,
/// ignore unknown columns); then what the app does next: every imported response passes
/// `SurveyResponse.validate` (the validator of every entry point), normalising is idempotent,
/// and the SKM index is computed from the responses.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let options = SurveyCSVImporter.Options(skipInvalidRows: size % 2 == 1, allowUnknownColumns: size % 4 >= 2)
    let result: SurveyCSVImport
    do { result = try SurveyCSVImporter(definition: definition, options: options).parse(bytes(data, size)) } catch {
        _ = error.description
        if case let .csvRejected(issues) = error {
            for issue in issues {
                _ = issue.message
                _ = issue.acceptedValues(.indonesian)
            }
        }
        return 0
    }
    check(result.responses.count == result.sourceRows.count, "responses and source rows differ in number")
    check(zip(result.sourceRows, result.sourceRows.dropFirst()).allSatisfy { $0 < $1 }, "source rows not ascending")
    for r in result.responses {
        let problems = r.validate(against: definition)
        check(problems.isEmpty, "imported response fails validation: \(problems)")
        let n = r.normalized(against: definition)
        check(n.normalized(against: definition) == n, "normalising is not idempotent")
    }
    for s in result.skipped { check(!s.issues.isEmpty, "row \(s.row) skipped without an issue") }
    if !result.responses.isEmpty { _ = try? SKMCalculator().compute(definition, responses: result.responses) }
    return 0
}

/// Entry point: SwiftPM links `main` as `FuzzSurveyCSV_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzSurveyCSV_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
