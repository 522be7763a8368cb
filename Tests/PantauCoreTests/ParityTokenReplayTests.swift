import Foundation
import Testing
@testable import PantauCore

/// Token-replay parity with PM4Py 2.7.23.11.
///
/// Exact parity is required on nets without silent transitions (`sop_izin.pnml`, `a32.pnml`).
/// On nets with silent transitions PM4Py fires τ by its own shortest-path heuristic over places
/// while we search the shortest τ sequence over markings; on most shared models the results are
/// still identical (asserted), on the others (``knownDifferent``) m/c/r/p differ for some
/// variants and the test asserts the share of identical variants does not drop (see
/// docs/conformance.md, "Documented differences from PM4Py").
@Suite("Token replay parity with PM4Py")
struct ParityTokenReplayTests {
    /// Models whose replay differs from PM4Py's for some variants (silent transitions fired by a
    /// different strategy), with the number of identical variants measured.
    static let knownDifferent: [String: Int] = [
        "sop_izin_noisy_10k.im20.pnml": 438, "sop_izin_noisy_10k.im20.bpmn": 440,
        "a32f0n10.im20.pnml": 583, "a32f0n10.im20.bpmn": 403,
        "bpic2012.im20.pnml": 4162, "bpic2012.im20.bpmn": 4162,
        "bpic2012.im00.pnml": 1452, "bpic2012.im00.bpmn": 1452,
    ]

    static let stems = ["running-example", "roadtraffic100traces", "interval_event_log", "reviewing",
                        "sop_izin_1k", "sop_izin_10k", "sop_izin_noisy_10k", "a32f0n10", "bpic2012"]

    @Test("m, c, r, p per variant and log numbers equal PM4Py's on nets without silent transitions",
          .enabled(if: SharedData.available), arguments: stems)
    func parity(stem: String) throws {
        let data = try ParityData.variants(stem)
        for model in try ParityData.expected(stem) {
            let net = try ParityData.net(model.file)
            let report = try TokenReplay().replay(data.log, on: net)
            let rows = try #require(data.tbr[model.file])
            #expect(rows.count == report.variants.count)
            var equal = 0
            for v in report.variants {
                let row = rows[v.variant]
                let pm = (ParityData.int(row[1]), ParityData.int(row[2]), ParityData.int(row[3]), ParityData.int(row[4]))
                if (v.missing, v.consumed, v.remaining, v.produced) == pm { equal += 1 }
                // Always: counts are consistent.
                #expect(v.consumed > 0 && v.produced > 0 && v.fitness >= 0 && v.fitness <= 1)
            }
            if net.silentTransitionCount == 0 {
                #expect(equal == report.variants.count, "\(model.file): \(equal)/\(report.variants.count) variants equal")
                let tr = model.tokenReplay
                #expect(ParityData.close(report.logFitness, ParityData.double(tr["log_fitness"])), "\(model.file)")
                #expect(ParityData.close(report.averageTraceFitness, ParityData.double(tr["average_trace_fitness"])), "\(model.file)")
                #expect(ParityData.close(report.percentageOfFittingTraces, ParityData.double(tr["percentage_of_fitting_traces"])), "\(model.file)")
                let totals = tr["totals"] as? [String: Any] ?? [:]
                #expect(report.missing == ParityData.int(totals["missing_tokens"] ?? -1))
                #expect(report.consumed == ParityData.int(totals["consumed_tokens"] ?? -1))
                #expect(report.remaining == ParityData.int(totals["remaining_tokens"] ?? -1))
                #expect(report.produced == ParityData.int(totals["produced_tokens"] ?? -1))
            } else if let floor = Self.knownDifferent[model.file] {
                // Different τ strategy: at least as many identical variants as measured when
                // written (docs/conformance.md lists the numbers and why).
                #expect(equal >= floor, "\(model.file): \(equal)/\(report.variants.count) identical, was \(floor)")
                print("token replay \(model.file): \(equal)/\(report.variants.count) variants identical to PM4Py; log fitness ours \(report.logFitness) PM4Py \(ParityData.double(model.tokenReplay["log_fitness"]))")
            } else {
                // Nets with silent transitions where our τ search reproduces PM4Py exactly.
                #expect(equal == report.variants.count, "\(model.file): \(equal)/\(report.variants.count) variants equal")
                #expect(ParityData.close(report.logFitness, ParityData.double(model.tokenReplay["log_fitness"])), "\(model.file)")
                #expect(ParityData.close(report.averageTraceFitness, ParityData.double(model.tokenReplay["average_trace_fitness"])), "\(model.file)")
            }
        }
    }
}
