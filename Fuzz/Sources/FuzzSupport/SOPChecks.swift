import Foundation
import PantauCore
import PantauReports

/// What the app does with an SOP file it accepted: its validation is clean (the decoder
/// validated it), it compiles to the Petri net conformance uses (whose checks then run), its BPMN
/// export reads back as a model with one task per recorded step at most, and it survives both
/// file formats' round trips unchanged (decode(encode(doc)) == doc, for YAML and for JSON).
public func exerciseSOP(_ doc: SOPDocument) {
    check(doc.validate().isEmpty, "decoded SOP has validation issues")
    check(doc.changes(to: doc).isEmpty, "an SOP differs from itself")
    _ = doc.reachableFromStart()
    _ = doc.canReachEnd()
    if let compiled = try? SOPNet(compiling: doc) { exercisePetriNet(compiled.net) }

    let bpmn = SOPBPMNExporter().export(doc)
    do {
        let model = try BPMN.read(data: Data(bpmn.utf8))
        _ = try? model.petriNet()
    } catch {
        check(false, "the SOP's BPMN export does not read back: \(error)")
    }

    for format in [SOPFileFormat.yaml, .json] {
        let text: String
        do { text = try SOPFile.encode(doc, format: format) } catch {
            check(false, "SOP encode (\(format)) failed: \(error)")
            continue
        }
        do {
            let back = try SOPFile.decode(text, format: format)
            check(back == doc, "SOP \(format) round trip changes the document:\n\(text)")
        } catch {
            check(false, "SOP \(format) written by SOPFile.encode does not decode: \(error)\n\(text)")
        }
    }
}

/// Decodes `data` as an SOP file of `format` as the upload and the CLI do (UTF-8 text), then
/// exercises it.
public func fuzzSOP(_ data: Data, format: SOPFileFormat) {
    guard let text = String(data: data, encoding: .utf8) else { return }
    let doc: SOPDocument
    do { doc = try SOPFile.decode(text, format: format) } catch {
        _ = error.description
        for issue in error.issues { _ = issue.description }
        return
    }
    exerciseSOP(doc)
}
