import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

@Suite("Before/after store: the samples of an SOP around a split, read from the case results")
struct BeforeAfterStoreTests {
    /// 1 December 2026, 10:00 WIB.
    static let now = ISO8601DateFormatter().date(from: "2026-12-01T03:00:00Z")!
    /// 1 July 2026, 00:00 WIB.
    static let split = CivilDate(year: 2026, month: 7, day: 1).startOfDay()

    /// One immunisation visit opened `daysFromSplit` days from the split at 09:00 WIB: every step
    /// 5 minutes, straight after the previous one, except a wait of `wait` minutes before the
    /// vaccination; `skipScreening` leaves the screening out (a deviation); `open` stops after
    /// weighing (the case stays open).
    static func visit(_ ref: String, sopID: Int64, daysFromSplit: Int, wait: Double, skipScreening: Bool = false, open: Bool = false,
                      unit: String = "DINKES-PKM-KTB") -> [EventInput] {
        var ids = ["daftar", "cek-kia", "timbang", "skrining", "siap-vaksin", "suntik", "catat", "observasi"]
        if skipScreening { ids.removeAll { $0 == "skrining" } }
        if open { ids = Array(ids.prefix(3)) }
        var t = split.addingTimeInterval(Double(daysFromSplit) * 86_400 + 9 * 3600)
        var out: [EventInput] = []
        for (k, id) in ids.enumerated() {
            if id == "suntik" { t += wait * 60 }
            let start = t
            t += 300
            out.append(EventInput(clientID: "\(ref)#\(k)", sopID: sopID, caseReference: ref,
                                  activity: DemoAgency.imunisasi.step(id: id)!.activity, at: t, utcOffset: 7 * 3600, startedAt: start,
                                  resource: "Bidan Uji", unitCode: unit))
        }
        return out
    }

    /// 12 closed visits before the split (waits 30, 32 … 52 minutes; the first two skip the
    /// screening), 11 after (waits 10 … 20 minutes), one open visit after, one visit outside
    /// the window.
    static func seed(_ store: PantauStore) async throws -> Int64 {
        try await DemoAgency.seed(into: store)
        let sop = try #require(try await store.sops(SOPQuery(text: DemoAgency.imunisasi.identity.number)).items.first?.id)
        var events: [EventInput] = []
        for i in 0..<12 {
            events += visit("B-\(i)", sopID: sop, daysFromSplit: -(i * 2 + 1), wait: 30 + 2 * Double(i), skipScreening: i < 2)
        }
        for i in 0..<11 { events += visit("A-\(i)", sopID: sop, daysFromSplit: i * 2, wait: 10 + Double(i)) }
        events += visit("A-open", sopID: sop, daysFromSplit: 5, wait: 12, open: true)
        events += visit("OLD", sopID: sop, daysFromSplit: -80, wait: 90)
        let out = try await store.ingestEvents(events, scope: IngestScope(allowedUnits: nil, source: .api, receivedBy: "test"), by: .cli)
        #expect(out.allSatisfy { if case .stored = $0 { return true } else { return false } })
        return sop
    }

    @Test("Lead times, total waits, step waits and compliance on each side; IKM of whole survey periods", arguments: TestEngine.all)
    func samples(_ engine: TestEngine) async throws {
        try await withTestStore(engine, clock: TestClock(Self.now)) { store in
            let sop = try await Self.seed(store)
            let s = try await store.beforeAfterSamples(BeforeAfterQuery(sopID: sop, split: Self.split, windowDays: 60))
            #expect(s.beforeFrom == Self.split.addingTimeInterval(-60 * 86_400) && s.afterTo == Self.split.addingTimeInterval(60 * 86_400))
            // The open visit and the one 80 days before are left out.
            #expect(s.before.leadSeconds.count == 12 && s.after.leadSeconds.count == 11)
            // Lead time: 8 steps (7 without screening) of 5 minutes plus the wait.
            #expect(BeforeAfterStatistics.median(s.before.leadSeconds) == 4860.0)
            #expect(s.before.leadSeconds.min() == 3900.0)
            #expect(BeforeAfterStatistics.median(s.after.leadSeconds) == 3300.0)
            // Total wait per case = the wait before the vaccination (every other step starts straight away).
            let waitsBefore: [Double] = (0..<12).map { i -> Double in (30 + 2 * Double(i)) * 60 }
            let waitsAfter: [Double] = (0..<11).map { i -> Double in (10 + Double(i)) * 60 }
            #expect(s.before.waitingSeconds.sorted() == waitsBefore)
            #expect(s.after.waitingSeconds.sorted() == waitsAfter)
            #expect(BeforeAfterStatistics.median(s.before.stepWaitingSeconds["suntik"] ?? []) == 2460.0)
            #expect(BeforeAfterStatistics.median(s.after.stepWaitingSeconds["suntik"] ?? []) == 900.0)
            #expect(s.before.stepSeconds["suntik"]?.count == 12 && s.before.stepSeconds["skrining"]?.count == 10)
            #expect(Set(s.after.stepSeconds["timbang"] ?? []) == [300])
            #expect(s.before.checkedCases == 12 && s.before.compliantCases == 10)
            #expect(s.after.checkedCases == 11 && s.after.compliantCases == 11)
            // IKM: Q2 wholly before 1 July, Q3 wholly after; the demo survey is tied to the SOP.
            let survey = try #require(try await store.surveys().first { $0.name == DemoAgency.surveyName })
            let q2 = try await store.skmResult(surveyID: survey.id, definition: survey.definition, period: SurveyPeriod("2026-Q2")!)
            let q3 = try await store.skmResult(surveyID: survey.id, definition: survey.definition, period: SurveyPeriod("2026-Q3")!)
            #expect(s.before.ikm.map(\.period) == ["2026-Q2"] && s.after.ikm.map(\.period) == ["2026-Q3"])
            #expect(s.before.ikm.first?.ikm == q2.ikm && s.after.ikm.first?.respondents == q3.respondentCount)

            // The comparison: the wait went down, significantly (exact U test: every wait before is longer).
            let c = try await store.beforeAfter(BeforeAfterQuery(sopID: sop, split: Self.split, windowDays: 60),
                                                stepOrder: DemoAgency.imunisasi.steps.map(\.id))
            #expect(c.waitingTime.test?.exact == true && c.waitingTime.test?.u == 132)
            #expect((c.waitingTime.test?.p ?? 1) < 0.001)
            #expect(c.waitingTime.difference == -1560.0)
            #expect(c.steps.first?.stepID == "daftar")
            let wait = try #require(c.findings().first { $0.metric == .waitingTime })
            #expect(wait.direction == .down && wait.before == 41 * 60 && wait.after == 15 * 60)
            #expect(c.compliance.shareBefore == 10.0 / 12 && c.compliance.shareAfter == 1)
        }
    }

    @Test("Windows of equal length, the reader's units, the unit filter and bad input", arguments: TestEngine.all)
    func scopeAndInput(_ engine: TestEngine) async throws {
        try await withTestStore(engine, clock: TestClock(Self.now)) { store in
            let sop = try await Self.seed(store)
            // Units the reader may not see: nothing.
            let other = try #require(try await store.units().first { $0.code == "DPMPTSP" }?.id)
            let hidden = try await store.beforeAfterSamples(BeforeAfterQuery(sopID: sop, split: Self.split, windowDays: 60, visibleUnits: [other]))
            #expect(hidden.before.leadSeconds.isEmpty && hidden.after.leadSeconds.isEmpty)
            let pkm = try #require(try await store.units().first { $0.code == "DINKES-PKM-KTB" }?.id)
            let own = try await store.beforeAfterSamples(BeforeAfterQuery(sopID: sop, split: Self.split, windowDays: 60, unitID: pkm))
            #expect(own.before.leadSeconds.count == 12)
            // A split 10 days ago: both windows are 10 days long.
            let recent = Self.now.addingTimeInterval(-10 * 86_400)
            let r = try await store.beforeAfterSamples(BeforeAfterQuery(sopID: sop, split: recent, windowDays: 90))
            #expect(r.afterTo == Self.now && r.beforeFrom == recent.addingTimeInterval(-10 * 86_400))
            #expect(r.before.leadSeconds.isEmpty && r.after.leadSeconds.isEmpty)
            // A wide window takes the visit 80 days before too.
            let wide = try await store.beforeAfterSamples(BeforeAfterQuery(sopID: sop, split: Self.split, windowDays: 120))
            #expect(wide.before.leadSeconds.count == 13)
            // The range of the data.
            let range = try #require(try await store.caseRange(sopID: sop, filter: MonitoringFilter()))
            #expect(range.lowerBound < Self.split.addingTimeInterval(-79 * 86_400) && range.upperBound > Self.split)

            await #expect(throws: StoreError.rejected([InputProblem("window", "window_range", ["1", "730"])])) {
                _ = try await store.beforeAfterSamples(BeforeAfterQuery(sopID: sop, split: Self.split, windowDays: 0))
            }
            await #expect(throws: StoreError.rejected([InputProblem("date", "split_in_future", [])])) {
                _ = try await store.beforeAfterSamples(BeforeAfterQuery(sopID: sop, split: Self.now.addingTimeInterval(86_400)))
            }
            await #expect(throws: StoreError.self) {
                _ = try await store.beforeAfterSamples(BeforeAfterQuery(sopID: 999_999, split: Self.split))
            }
        }
    }

    @Test("Median lead time of recently closed cases per SOP (the transparency page)", arguments: TestEngine.all)
    func recentLeadTimes(_ engine: TestEngine) async throws {
        try await withTestStore(engine, clock: TestClock(Self.now)) { store in
            let sop = try await Self.seed(store)
            // Since 1 July: the 11 closed visits after the split (the open one does not count).
            let r = try await store.recentLeadTimes(sopIDs: [sop, 999], since: Self.split)
            #expect(r.count == 1 && r[sop]?.closedCases == 11 && r[sop]?.medianLeadSeconds == 3300.0)
            #expect(try await store.recentLeadTimes(sopIDs: [], since: Self.split).isEmpty)
        }
    }
}
