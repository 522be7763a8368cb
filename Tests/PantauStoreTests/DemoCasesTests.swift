import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

@Suite("Demo cases: a year of service for the three demo SOPs")
struct DemoCasesTests {
    /// 1 December 2026, 10:00 WIB.
    static let now = ISO8601DateFormatter().date(from: "2026-12-01T03:00:00Z")!

    static func sopID(_ store: PantauStore, _ doc: SOPDocument) async throws -> Int64 {
        try #require(try await store.sops(SOPQuery(text: doc.identity.number)).items.first?.id)
    }

    /// Mean wait before a step over the cases opened in [from, to).
    static func meanWaitMinutes(_ store: PantauStore, sopID: Int64, step: String, from: Date, to: Date) async throws -> Double? {
        let m = try await store.monitoring(sopID: sopID, filter: MonitoringFilter(from: from, to: to))
        guard let s = m.steps.first(where: { $0.key == step }), s.waited > 0 else { return nil }
        return s.waitingSeconds / Double(s.waited) / 60
    }

    @Test("Seeding loads cases with deviations and the immunisation revision; seeding again adds nothing", arguments: TestEngine.all)
    func seedsAYearOfCases(_ engine: TestEngine) async throws {
        try await withTestStore(engine, clock: TestClock(Self.now)) { store in
            try await DemoAgency.seed(into: store)
            let r = try await DemoCases.seed(into: store)
            #expect(r.revised)
            #expect(r.cases > 3_000 && r.events > 20_000 && r.events <= 60_000, "\(r)")

            let imn = try await Self.sopID(store, DemoAgency.imunisasi)
            let izin = try await Self.sopID(store, DemoAgency.izinUsaha)
            let ktp = try await Self.sopID(store, DemoAgency.ktpEl)
            var totals: [Int64: MonitoringFigures] = [:]
            for id in [imn, izin, ktp] {
                let m = try await store.monitoring(sopID: id, filter: MonitoringFilter())
                totals[id] = m
                #expect(m.cases > 900, "SOP \(id): \(m.cases) cases")
                #expect(m.compliantCases < m.cases && m.compliantCases > m.cases / 2, "SOP \(id): \(m.compliantCases) of \(m.cases) compliant")
                let closedCompliant = try await store.serviceCases(sopID: id, filter: MonitoringFilter(), perPage: 10_000).items
                    .filter { $0.status == "closed" && $0.compliant == true }.count
                #expect(closedCompliant < m.closedCases, "SOP \(id): some closed cases deviate from the SOP")
                #expect(m.closedWithinStandard > 0 && m.closedWithinStandard < m.closedWithStandard, "SOP \(id): \(m.closedWithinStandard) of \(m.closedWithStandard) within the total standard")
                #expect(m.cases > m.closedCases, "SOP \(id): some cases are still open")
                #expect(m.units.count == 2, "SOP \(id): cases in two units")
            }
            // Overdue open cases (abandoned applications).
            #expect(!(totals[izin]?.overdueOpenCases.isEmpty ?? true))
            // The loop back for incomplete documents.
            #expect((totals[izin]?.steps.first { $0.key == "perbaikan" }?.occurrences ?? 0) > 100)

            // The revision: version 2 in force from 120 days ago; the wait before vaccination drops.
            let versions = try await store.versions(sopID: imn)
            #expect(versions.count == 2)
            let v2 = try #require(versions.first { $0.version == 2 })
            #expect(v2.status == .effective && v2.changeNote == DemoCases.revisionNote)
            let revision = try #require(v2.effectiveFrom).startOfDay()
            #expect(abs(revision.timeIntervalSince(Self.now) + 120 * 86_400) < 2 * 86_400)
            let yearAgo = Self.now.addingTimeInterval(-366 * 86_400)
            let before = try #require(try await Self.meanWaitMinutes(store, sopID: imn, step: "suntik", from: yearAgo, to: revision))
            let after = try #require(try await Self.meanWaitMinutes(store, sopID: imn, step: "suntik", from: revision, to: Self.now))
            #expect((36...44).contains(before), "wait before the revision: \(before) min")
            #expect((12...18).contains(after), "wait after the revision: \(after) min")
            let recent = try await store.serviceCases(sopID: imn, filter: MonitoringFilter(from: revision.addingTimeInterval(7 * 86_400)), perPage: 20)
            #expect(!recent.items.isEmpty && recent.items.allSatisfy { $0.version == 2 })
            // Screening is skipped far more often before the revision than after.
            func skipShare(_ from: Date, _ to: Date) async throws -> Double {
                let m = try await store.monitoring(sopID: imn, filter: MonitoringFilter(from: from, to: to))
                return Double(m.steps.first { $0.key == "skrining" }?.casesSkipping ?? 0) / Double(max(1, m.cases))
            }
            let skipBefore = try await skipShare(yearAgo, revision)
            let skipAfter = try await skipShare(revision, Self.now)
            #expect(skipBefore > 0.08 && skipAfter < 0.06, "skipped screening \(skipBefore) → \(skipAfter)")

            // Office hours: every event Monday–Friday between 08:00 and 16:00 WIB.
            let page = try await store.serviceCases(sopID: ktp, filter: MonitoringFilter(), perPage: 30)
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = .wib
            for c in page.items {
                for e in try await store.serviceCase(id: c.id).events {
                    for t in [e.startedAt, e.at].compactMap({ $0 }) {
                        let wd = cal.component(.weekday, from: t), h = cal.component(.hour, from: t)
                        #expect((2...6).contains(wd) && (8..<16).contains(h) || (h == 16 && cal.component(.minute, from: t) == 0),
                                "\(c.reference) \(e.activity) at \(t)")
                    }
                }
            }

            // Seeding again stores nothing and makes no second revision.
            _ = try await DemoAgency.seed(into: store)
            let again = try await DemoCases.seed(into: store)
            #expect(again == DemoCases.Result())
            for id in [imn, izin, ktp] {
                let m = try await store.monitoring(sopID: id, filter: MonitoringFilter())
                #expect(m.cases == totals[id]?.cases)
            }
            #expect(try await store.versions(sopID: imn).count == 2)
        }
    }
}
