import Foundation
import PantauCore

/// Performance-statistics cases (reading is timed by the harness itself).
enum EventLogBenchmarks {
    static var cases: [BenchmarkCase] {
        [
            BenchmarkCase("performance (all statistics)", appliesTo: { $0.log.hasTimestamps }) { input in
                let r = LogPerformance().analyze(input.log)
                return "\(r.dfg.edges.count) edges, \(r.variantCount) variants"
            },
            BenchmarkCase("performance DFG", appliesTo: { $0.log.hasTimestamps }) { input in
                let r = PerformanceDFG().discover(in: input.log)
                return "\(r.edges.count) edges"
            },
            BenchmarkCase("variants") { input in
                "\(input.log.variants().count) variants"
            },
            BenchmarkCase("performance: SOP steps", appliesTo: { $0.stem.hasPrefix("sop_izin") }) { input in
                let r = SOPPerformance().analyze(input.log, against: stepPerActivity(input.log))
                let worst = r.bottlenecks.first.map { "\($0.activity) \(Int($0.value / 3600)) h" } ?? "-"
                return "\(r.steps.count) steps, worst \(worst), \(r.resources.count) resources"
            },
        ]
    }

    /// An SOP with one step per activity of the log, each with a 2-hour time standard (the real
    /// sop_izin SOP is not needed to time the statistics).
    static func stepPerActivity(_ log: EventLog) -> SOPDocument {
        let steps = log.activities.enumerated().map { i, name in
            SOPStep(id: "s\(i)", activity: name, actor: "a", standard: QualityStandard(time: .hours(2)))
        }
        return SOPDocument(identity: SOPIdentity(unitName: "DPMPTSP", number: "bench", title: "bench"),
                           actors: [SOPActor(id: "a", name: "A")], steps: steps)
    }
}
