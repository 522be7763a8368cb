import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

private func izinSOP() throws -> SOPDocument {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    dir = dir.deletingLastPathComponent().deletingLastPathComponent()
    let text = try String(contentsOf: dir.appendingPathComponent("docs/examples/sop-penerbitan-izin-usaha.yaml"), encoding: .utf8)
    return try SOPFile.decode(text, format: .yaml)
}

@Suite("Indicators store: definitions, periods, computed and manual realisations")
struct IndicatorStoreTests {
    static func seed(_ store: PantauStore) async throws -> (unit: Int64, sop: Int64) {
        let unit = try await store.createUnit(UnitInput(parentID: nil, code: "DPMPTSP", name: "Dinas Penanaman Modal dan PTSP", level: .instansi), by: .cli)
        let sop = try await store.createSOP(unitID: unit.id, document: try izinSOP(), by: .cli)
        return (unit.id, sop.id)
    }

    static func rejected(_ body: () async throws -> Void) async -> [InputProblem] {
        do { try await body() } catch let StoreError.rejected(p) { return p } catch { Issue.record("unexpected \(error)") }
        return []
    }

    @Test("Bad definitions: no SOP for a case metric, a wrong unit of measure, no unit of measure, a code taken", arguments: TestEngine.all)
    func badDefinitions(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let (unit, sop) = try await Self.seed(store)
            var p = await Self.rejected {
                _ = try await store.createIndicator(IndicatorInput(unitID: unit, code: "K1", name: "Kepatuhan", metric: .complianceShare,
                                                                   unitOfMeasure: "menit", direction: .higherIsBetter, periodKind: .quarter), by: .cli)
            }
            #expect(Set(p.map(\.field)) == ["sop", "unit_of_measure"])
            p = await Self.rejected {
                _ = try await store.createIndicator(IndicatorInput(unitID: unit, code: "D1", name: "Dampak", metric: .manual,
                                                                   unitOfMeasure: " ", direction: .higherIsBetter, periodKind: .year), by: .cli)
            }
            #expect(p == [InputProblem("unit_of_measure", "required")])
            _ = try await store.createIndicator(IndicatorInput(unitID: unit, sopID: sop, code: "K1", name: "Kepatuhan", metric: .complianceShare,
                                                               unitOfMeasure: "%", direction: .higherIsBetter, periodKind: .quarter), by: .cli)
            p = await Self.rejected {
                _ = try await store.createIndicator(IndicatorInput(unitID: unit, sopID: sop, code: "K1", name: "Lagi", metric: .complianceShare,
                                                                   unitOfMeasure: "%", direction: .higherIsBetter, periodKind: .quarter), by: .cli)
            }
            #expect(p.map(\.code) == ["indicator_code_taken"])
            #expect(try await store.indicators(unitIDs: [unit]).count == 1)
        }
    }

    @Test("Periods: the kind must match, a manual value needs its note, a percentage at most 100; a refused evidence file stores nothing",
          arguments: TestEngine.all)
    func badPeriods(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let (unit, sop) = try await Self.seed(store)
            let ind = try await store.createIndicator(IndicatorInput(unitID: unit, sopID: sop, code: "K1", name: "Kepatuhan", metric: .complianceShare,
                                                                     unitOfMeasure: "%", direction: .higherIsBetter, periodKind: .quarter), by: .cli)
            var p = await Self.rejected {
                _ = try await store.setIndicatorPeriod(indicatorID: ind.id, IndicatorPeriodInput(period: SurveyPeriod("2026")!, target: 80), by: .cli)
            }
            #expect(p == [InputProblem("period", "indicator_period_kind", ["2026", "2026-Q1"])])
            p = await Self.rejected {
                _ = try await store.setIndicatorPeriod(indicatorID: ind.id, IndicatorPeriodInput(period: SurveyPeriod("2026-Q1")!, target: 120, manualValue: 50),
                                                       by: .cli)
            }
            #expect(Set(p.map(\.field)) == ["target", "manual_note"])
            p = await Self.rejected {
                _ = try await store.setIndicatorPeriod(indicatorID: ind.id, IndicatorPeriodInput(period: SurveyPeriod("2026-Q1")!, target: 80),
                                                       evidence: [("skrip.sh", Array("#!/bin/sh\nrm -rf /\n".utf8))], by: .cli)
            }
            #expect(p.map(\.field) == ["evidence"])
            #expect(try await store.indicatorPeriods(indicatorID: ind.id).isEmpty)
        }
    }

    @Test("Compliance, within-standard share and median lead time of a quarter agree with the stored cases; a manual value replaces them",
          arguments: TestEngine.all)
    func computedAndManual(_ engine: TestEngine) async throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data/eventlogs/sop_izin_1k.csv")
        guard FileManager.default.fileExists(atPath: url.path) else { Issue.record("shared/data/eventlogs missing"); return }
        let log = try CSVReader().read(contentsOf: url)
        try await withTestStore(engine) { store in
            let (unit, sop) = try await Self.seed(store)
            _ = try await store.ingestEvents(Array(eventInputs(log, sopID: sop).prefix(3_000)), scope: IngestScope(allowedUnits: nil, source: .import, receivedBy: "test"), by: .cli)
            let all = try await store.serviceCases(sopID: sop, filter: MonitoringFilter(), perPage: 10_000).items
            let first = try #require(all.compactMap(\.openedAt).min())
            let quarter = SurveyPeriod(containing: CivilDate(first), kind: .quarter)
            let span = quarter.interval()
            let inQuarter = all.filter { $0.status == "closed" && $0.openedAt.map(span.contains) == true }
            #expect(inQuarter.count > 10)
            let judged = inQuarter.filter { $0.compliant != nil }
            let expectedShare = Double(judged.filter { $0.compliant == true }.count) / Double(judged.count) * 100
            let leads = inQuarter.compactMap(\.leadSeconds).sorted()
            let mid = Double(leads.count - 1) / 2
            let expectedMedian = (leads[Int(mid.rounded(.down))] + leads[Int(mid.rounded(.up))]) / 2 / 60
            let withStd = inQuarter.filter { $0.standardSeconds != nil && $0.leadSeconds != nil }
            let expectedWithin = Double(withStd.filter { $0.leadSeconds! <= $0.standardSeconds! }.count) / Double(withStd.count) * 100

            func make(_ code: String, _ metric: IndicatorMetric, _ uom: String, _ dir: IndicatorDirection) async throws -> IndicatorRecord {
                try await store.createIndicator(IndicatorInput(unitID: unit, sopID: sop, code: code, name: code, metric: metric, unitOfMeasure: uom,
                                                               direction: dir, periodKind: .quarter), by: .cli)
            }
            let compliance = try await make("K", .complianceShare, "%", .higherIsBetter)
            let median = try await make("T", .medianLeadMinutes, "menit", .lowerIsBetter)
            let within = try await make("W", .withinStandardShare, "%", .higherIsBetter)
            try await store.setIndicatorPeriod(indicatorID: compliance.id, IndicatorPeriodInput(period: quarter, target: 80), by: .cli)
            try await store.setIndicatorPeriod(indicatorID: median.id, IndicatorPeriodInput(period: quarter, target: expectedMedian / 2), by: .cli)

            let c = try #require(try await store.realisations(compliance, periods: [quarter]).first)
            #expect(c.source == .computed)
            #expect(c.basis == judged.count)
            #expect(abs(c.value! - expectedShare) < 1e-9)
            #expect(abs(c.achievement! - expectedShare / 80 * 100) < 1e-9)
            let m = try #require(try await store.realisations(median, periods: [quarter]).first)
            #expect(abs(m.value! - expectedMedian) < 1e-6)
            #expect(m.achievement == 0)  // twice the target: (2t − r)/t = 0
            #expect(m.status == .red)
            let w = try #require(try await store.realisations(within, periods: [quarter]).first)
            #expect(abs(w.value! - expectedWithin) < 1e-9)
            #expect(w.target == nil && w.achievement == nil)
            // The quarter before the first case has none.
            let empty = try #require(try await store.realisations(compliance, periods: [quarter.previous]).first)
            #expect(empty.value == nil && empty.source == RealisationSource.none)

            // A manual value with its note and a PDF replaces the computed one and keeps both.
            let pdf = Array("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".utf8)
            let row = try await store.setIndicatorPeriod(indicatorID: compliance.id,
                                                         IndicatorPeriodInput(period: quarter, target: 80, manualValue: 90, manualNote: "Hasil audit sampel 50 berkas"),
                                                         evidence: [("berita-acara.pdf", pdf)], by: .cli)
            let c2 = try #require(try await store.realisations(compliance, periods: [quarter]).first)
            #expect(c2.source == .manual && c2.value == 90 && abs(c2.computed! - expectedShare) < 1e-9)
            #expect(c2.achievement == 112.5 && c2.status == .green)
            let files = try await store.evidenceFiles(owner: .indicatorValue, ownerID: row.id)
            #expect(files.map(\.name) == ["berita-acara.pdf"])
            #expect(try await store.indicatorPeriods(indicatorID: compliance.id).count == 1)
        }
    }
}
