import Foundation
@testable import PantauCore

/// Loads PM4Py's reference numbers (`<stem>.variants.json`, `<stem>.expected.json`) from the
/// shared event-log folder for the conformance parity tests.
enum ParityData {
    struct VariantsFile {
        var log: TraceVariants
        /// model file → per-variant token replay rows [fitness, m, c, r, p, is_fit]
        var tbr: [String: [[Any]]]
        /// model file → per-variant alignment rows [cost, fitness, bwc, sync, log, model, tau] (nil if not computed)
        var align: [String: [[Any]]]
    }

    struct ModelExpectation {
        var file: String
        var kind: String
        var tokenReplay: [String: Any]
        var alignments: [String: Any]
        var net: [String: Any]
    }

    static func variants(_ stem: String) throws -> VariantsFile {
        let data = try Data(contentsOf: SharedData.url("\(stem).variants.json"))
        let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        let acts = obj["activities"] as? [String] ?? []
        let vs = (obj["variants"] as? [[String: Any]] ?? []).map { v in
            TraceVariants.Variant(activities: (v["seq"] as? [Int] ?? []).map { Int32($0) },
                                  count: v["count"] as? Int ?? 0)
        }
        var tbr: [String: [[Any]]] = [:]
        var align: [String: [[Any]]] = [:]
        for (file, m) in obj["models"] as? [String: [String: Any]] ?? [:] {
            if let t = m["tbr"] as? [[Any]] { tbr[file] = t }
            if let a = m["align"] as? [[Any]] { align[file] = a }
        }
        return VariantsFile(log: TraceVariants(activities: acts, variants: vs), tbr: tbr, align: align)
    }

    static func expected(_ stem: String) throws -> [ModelExpectation] {
        let data = try Data(contentsOf: SharedData.url("\(stem).expected.json"))
        let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return (obj["models"] as? [[String: Any]] ?? []).map { m in
            ModelExpectation(file: m["file"] as? String ?? "", kind: m["kind"] as? String ?? "",
                             tokenReplay: m["token_replay"] as? [String: Any] ?? [:],
                             alignments: m["alignments"] as? [String: Any] ?? [:],
                             net: m["net"] as? [String: Any] ?? [:])
        }
    }

    /// Reads a model file (.pnml or .bpmn) from the shared folder.
    static func net(_ file: String) throws -> PetriNet {
        let url = SharedData.url(file)
        if file.hasSuffix(".bpmn") { return try BPMN.read(contentsOf: url).petriNet() }
        return try PNML.read(contentsOf: url)
    }

    static func int(_ v: Any) -> Int { (v as? Int) ?? Int((v as? Double) ?? -1) }
    static func double(_ v: Any?) -> Double { (v as? Double) ?? Double((v as? Int) ?? -1) }

    static func close(_ a: Double, _ b: Double, _ tol: Double = 1e-9) -> Bool {
        abs(a - b) <= tol * max(1, abs(b))
    }

    /// A deterministic subset of variant indices: every `stride`-th plus the shortest ones.
    static func subset(_ log: TraceVariants, stride: Int, maxLength: Int) -> [Int] {
        log.variants.indices.filter { $0 % stride == 0 && log.variants[$0].activities.count <= maxLength }
    }
}
