import Foundation
import Testing
@testable import PantauCore

@Suite("Krejcie–Morgan sample size")
struct SurveySampleSizeTests {
    @Test func exactRows() {
        let rows: [(Int, Int)] = [(10, 10), (15, 14), (100, 80), (1000, 278), (4000, 351), (75000, 382), (1_000_000, 384)]
        for (n, s) in rows { #expect(KrejcieMorgan.requiredSampleSize(population: n) == s, "N=\(n)") }
    }

    @Test func betweenRowsRoundsPopulationUp() {
        #expect(KrejcieMorgan.requiredSampleSize(population: 101) == 86)     // → row 110
        #expect(KrejcieMorgan.requiredSampleSize(population: 301) == 175)    // → row 320
        #expect(KrejcieMorgan.requiredSampleSize(population: 1001) == 285)   // → row 1100
        #expect(KrejcieMorgan.requiredSampleSize(population: 75001) == 384)  // → row 1,000,000
    }

    @Test func tinyAndHugePopulations() {
        #expect(KrejcieMorgan.requiredSampleSize(population: 1) == 1)
        #expect(KrejcieMorgan.requiredSampleSize(population: 5) == 5)        // whole population
        #expect(KrejcieMorgan.requiredSampleSize(population: 12) == 12)      // row 15 says 14 > N
        #expect(KrejcieMorgan.requiredSampleSize(population: 0) == nil)
        #expect(KrejcieMorgan.requiredSampleSize(population: -3) == nil)
        #expect(KrejcieMorgan.requiredSampleSize(population: 2_000_000) == 384)
        #expect(KrejcieMorgan.requiredSampleSize(population: Int.max) == 384)
    }

    @Test func tableIsAscendingAndComplete() {
        #expect(KrejcieMorgan.table.count == 90)  // the rows printed in REFERENCE §2e
        for i in KrejcieMorgan.table.indices.dropFirst() {
            #expect(KrejcieMorgan.table[i].population > KrejcieMorgan.table[i - 1].population)
            #expect(KrejcieMorgan.table[i].sample >= KrejcieMorgan.table[i - 1].sample)
        }
    }

    @Test func adequacy() {
        let a = KrejcieMorgan.adequacy(population: 1200, collected: 250)
        #expect(a?.required == 291)
        #expect(a?.isAdequate == false)
        #expect(a?.shortfall == 41)
        #expect(KrejcieMorgan.adequacy(population: 1200, collected: 291)?.isAdequate == true)
    }
}

@Suite("Survey periods")
struct SurveyPeriodTests {
    @Test func parseAndFormat() throws {
        let cases: [(String, SurveyPeriod.Kind, Int, Int)] = [
            ("2026-Q3", .quarter, 2026, 3), ("2026-S1", .semester, 2026, 1),
            ("2026-07", .month, 2026, 7), ("2026", .year, 2026, 1),
        ]
        for (text, kind, year, index) in cases {
            let p = try #require(SurveyPeriod(text))
            #expect(p.kind == kind && p.year == year && p.index == index)
            #expect(p.description == text)
        }
        #expect(SurveyPeriod("2026-q2")?.description == "2026-Q2")
        #expect(SurveyPeriod(" 2026-T4 ")?.description == "2026-Q4")
        #expect(SurveyPeriod("2026-H2")?.description == "2026-S2")
        for bad in ["", "26", "2026-Q5", "2026-Q0", "2026-13", "2026-00", "2026-S3", "2026Q3", "2026-7", "2026-Q3-1", "abcd", "2026-X1"] {
            #expect(SurveyPeriod(bad) == nil, "'\(bad)'")
        }
        #expect(throws: SurveyError.invalidPeriod("2026-Q5")) { try SurveyPeriod.parse("2026-Q5") }
    }

    @Test func dateRanges() throws {
        let q1 = try #require(SurveyPeriod("2026-Q1"))
        #expect(q1.firstDay == CivilDate(year: 2026, month: 1, day: 1))
        #expect(q1.lastDay == CivilDate(year: 2026, month: 3, day: 31))
        #expect(SurveyPeriod("2024-02")?.lastDay == CivilDate(year: 2024, month: 2, day: 29))
        #expect(SurveyPeriod("2026-S2")?.dateRange == CivilDate(year: 2026, month: 7, day: 1)...CivilDate(year: 2026, month: 12, day: 31))
        #expect(SurveyPeriod("2026")?.lastDay == CivilDate(year: 2026, month: 12, day: 31))
        #expect(q1.contains(CivilDate(year: 2026, month: 3, day: 31)))
        #expect(!q1.contains(CivilDate(year: 2026, month: 4, day: 1)))
        #expect(SurveyPeriod(containing: CivilDate(year: 2026, month: 8, day: 17), kind: .quarter).description == "2026-Q3")
        #expect(SurveyPeriod(containing: CivilDate(year: 2026, month: 6, day: 30), kind: .semester).description == "2026-S1")
        let interval = q1.interval(in: .wib)
        #expect(interval.upperBound.timeIntervalSince(interval.lowerBound) == 90 * 86400)
        // Midnight WIB on 1 Jan 2026 is 17:00 UTC on 31 Dec 2025.
        #expect(interval.lowerBound == Date(timeIntervalSince1970: 1_767_200_400))
    }

    @Test func previousPeriodsForTrends() throws {
        #expect(SurveyPeriod("2026-Q1")?.previous.description == "2025-Q4")
        #expect(SurveyPeriod("2026-01")?.previous.description == "2025-12")
        #expect(SurveyPeriod("2026-S1")?.previous.description == "2025-S2")
        #expect(SurveyPeriod("2026")?.previous.description == "2025")
        #expect(SurveyPeriod("2025-12")?.next.description == "2026-01")
        let q = try #require(SurveyPeriod("2026-Q2"))
        #expect(q.preceding(5).map(\.description) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"])
        #expect(q.trendWindow(3).map(\.description) == ["2025-Q4", "2026-Q1", "2026-Q2"])
        #expect(q.preceding(0).isEmpty)
        #expect(SurveyPeriod("1000")?.preceding(3).isEmpty == true)
    }

    @Test func labelsAndOrdering() throws {
        #expect(SurveyPeriod("2026-Q3")?.label(.indonesian) == "Triwulan III 2026")
        #expect(SurveyPeriod("2026-Q3")?.label(.english) == "Q3 2026")
        #expect(SurveyPeriod("2026-S1")?.label(.indonesian) == "Semester I 2026")
        #expect(SurveyPeriod("2026-07")?.label(.indonesian) == "Juli 2026")
        #expect(SurveyPeriod("2026")?.label(.indonesian) == "Tahun 2026")
        let sorted = ["2026-Q2", "2025", "2026-01", "2026-S1", "2026"].compactMap(SurveyPeriod.init).sorted().map(\.description)
        #expect(sorted == ["2025", "2026-01", "2026-S1", "2026", "2026-Q2"])
        let json = try JSONEncoder().encode([SurveyPeriod("2026-Q3")])
        #expect(String(decoding: json, as: UTF8.self) == "[\"2026-Q3\"]")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([SurveyPeriod].self, from: Data("[\"2026-Q9\"]".utf8)) }
    }
}

@Suite("SKM trend")
struct SurveyTrendTests {
    @Test func trendOverPeriods() throws {
        func result(_ score: Int, waktu: Int) throws -> SKMResult {
            var cols = Dictionary(uniqueKeysWithValues: SurveyUnsur.regulationOrder.map { ($0, [(score: score, count: 4)]) })
            cols[.waktu] = [(waktu, 4)]
            return try SKMCalculator().compute(.standard(service: testService), responses: surveyResponses(4, cols))
        }
        // Q1: 8×3 + waktu 2 → 25×26/9 = 72.22; Q2: all 3 → 75.00; Q3: 8×3 + waktu 4 → 25×28/9 = 77.78
        let q1 = try result(3, waktu: 2), q2 = try result(3, waktu: 3), q3 = try result(3, waktu: 4)
        #expect([q1.ikm, q2.ikm, q3.ikm] == [72.22, 75.0, 77.78])
        let p = try #require(SurveyPeriod("2026-Q3"))
        let trend = SKMTrend([(p, q3), (p.offset(by: -2), q1), (p.previous, q2)])
        #expect(trend.points.map(\.period.description) == ["2026-Q1", "2026-Q2", "2026-Q3"])
        #expect(trend.points.map(\.change) == [nil, 2.78, 2.78])
        #expect(trend.points.map(\.direction) == [nil, .up, .up])
        #expect(trend.points.map(\.grade) == [.c, .c, .b])
        let waktu = try #require(trend.unsurChanges.first { $0.code == .waktu })
        #expect(waktu.change == 25.0)
        #expect(waktu.direction == .up)
        #expect(trend.unsurChanges.first { $0.code == .biaya }?.direction == .same)
        #expect(SKMTrend([(p, q3)]).unsurChanges.isEmpty)
    }
}
