import Foundation
import PantauCore

// SKM (citizen satisfaction survey) aggregation on 1,000,000 synthetic responses.
//
// These cases do not use the event log; they run once per benchmark run, beside
// `running-example.xes` (always among the shared logs):
//
//   pantau-bench --only running-example
//
// Goal (issue 4): IKM with the full profile breakdown over 1,000,000 responses in under 1 s
// (release build).

extension BenchmarkHooks {
    static var extraCases: [BenchmarkCase] { SKMBenchmarks.cases }
}

enum SKMBenchmarks {
    static let rows = 1_000_000
    static let definition = SurveyDefinition.standard(service: SurveyService(unitID: "bench"))

    /// The table, built on first use (the first timed run of the IKM case includes it; the
    /// reported time is the best of several runs).
    static let table: SurveyResponseTable = makeTable(rows)

    static var cases: [BenchmarkCase] {
        let applies: @Sendable (BenchmarkInput) -> Bool = { $0.fileName == "running-example.xes" }
        return [
            BenchmarkCase("SKM: build 1M-row response table", appliesTo: applies) { _ in
                let t = makeTable(rows)
                return "\(t.rowCount) rows"
            },
            BenchmarkCase("SKM: IKM + profile breakdown, 1M", appliesTo: applies) { _ in
                let r = try SKMCalculator(options: .init(population: 2_000_000)).compute(definition, table: table)
                let groups = r.profile.reduce(0) { $0 + $1.groups.count }
                return "IKM \(r.ikm.map { String($0) } ?? "-") \(r.grade?.rawValue ?? "-"), \(groups) profile groups"
            },
        ]
    }

    /// Deterministic synthetic answers: scores 1–4 skewed towards 3–4, about 2 % unanswered,
    /// random gender, education, occupation, five service types and ages 17–80.
    static func makeTable(_ n: Int) -> SurveyResponseTable {
        var table = SurveyResponseTable(unsurCodes: definition.unsurCodes, reservingCapacity: n)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let educations = RespondentProfileSchema.standardEducation.map(\.code)
        let occupations = RespondentProfileSchema.standardOccupations.map(\.code)
        let services = ["KTP-el", "Kartu Keluarga", "Akta Kelahiran", "Akta Kematian", "Pindah Datang"]
        let scoreOf: [UInt8] = [0, 1, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4]
        var scores = [UInt8](repeating: 0, count: table.unsurCodes.count)
        for _ in 0..<n {
            for j in scores.indices {
                let r = next()
                scores[j] = r % 50 == 0 ? 0 : scoreOf[Int(r >> 8) % 15 + 1]
            }
            let p = next()
            try? table.appendRow(
                scores: scores,
                gender: p % 2 == 0 ? .male : .female,
                education: educations[Int(p >> 4) % educations.count],
                occupation: occupations[Int(p >> 12) % occupations.count],
                serviceType: services[Int(p >> 20) % services.count],
                age: 17 + Int(p >> 28) % 64)
        }
        return table
    }
}
