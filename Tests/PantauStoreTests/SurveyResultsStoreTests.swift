import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

/// Deterministic pseudo-random numbers (SplitMix64) so a failure can be replayed.
private struct Mix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random valid responses of 2026 (dates over the whole year), with unanswered unsur and profile
/// questions, free-text service types differing only in case, and every age.
private func randomResponses(_ n: Int, seed: UInt64, definition: SurveyDefinition) -> [SurveyResponse] {
    var g = Mix(state: seed)
    let services: [String?] = definition.profile.serviceTypes.isEmpty
        ? [nil, "Imunisasi", "imunisasi", "KIA", "Gigi", "gigi"] : [nil] + definition.profile.serviceTypes.map(\.code)
    return (0..<n).map { i in
        var answers: [UnsurCode: Int] = [:]
        let skip = Double.random(in: 0..<0.5, using: &g)
        for c in definition.unsurCodes where Double.random(in: 0..<1, using: &g) >= skip {
            answers[c] = min(4, Int.random(in: 1...4, using: &g) + (i % 4 == 0 ? 1 : 0))
        }
        if answers.isEmpty { answers[definition.unsurCodes[0]] = 3 }
        let month = Int.random(in: 1...12, using: &g)
        return SurveyResponse(
            date: CivilDate(year: 2026, month: month, day: Int.random(in: 1...28, using: &g)),
            profile: RespondentProfile(
                gender: [nil, .male, .female].randomElement(using: &g)!,
                education: ([nil] + definition.profile.educationLevels.map(\.code)).randomElement(using: &g)!,
                occupation: ([nil] + definition.profile.occupations.map(\.code)).randomElement(using: &g)!,
                serviceType: services.randomElement(using: &g)!,
                age: Bool.random(using: &g) ? nil : Int.random(in: 1...130, using: &g)),
            answers: answers)
    }
}

/// The result of a period from the full response table: today's row-by-row path.
private func fromRows(_ store: PantauStore, _ survey: SurveyRecord, _ period: SurveyPeriod, population: Int? = nil) async throws -> SKMResult {
    let table = try await store.responseTable(surveyID: survey.id, definition: survey.definition, period: period)
    return try SKMCalculator(options: .init(population: population, period: period)).compute(survey.definition, table: table)
}

/// Field by field, so a failure names the field.
private func expectSame(_ a: SKMResult, _ b: SKMResult, _ label: String) {
    #expect(a.respondentCount == b.respondentCount, "\(label): respondentCount")
    #expect(a.unsur == b.unsur, "\(label): unsur")
    #expect(a.index == b.index && a.ikmUnrounded == b.ikmUnrounded && a.ikm == b.ikm && a.ikmHundredths == b.ikmHundredths, "\(label): IKM")
    #expect(a.grade == b.grade, "\(label): grade")
    #expect(a.priorities == b.priorities, "\(label): priorities")
    #expect(a.profile == b.profile, "\(label): profile")
    #expect(a.sample == b.sample, "\(label): sample")
    #expect(a.unsurWithoutAnswers == b.unsurWithoutAnswers && a.weightsRenormalized == b.weightsRenormalized, "\(label): missing unsur")
    #expect(a == b, "\(label): whole result")
}

@Suite("Store: SKM results from the per-month answer counts")
struct SurveyResultsStoreTests {
    @Test(arguments: TestEngine.all)
    func aggregatedResultsEqualTheRowByRowResults(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let unit = try await store.createUnit(UnitInput(parentID: nil, code: "PKM", name: "Puskesmas", level: .unitKerja), by: admin)
            var def = SurveyDefinition.standard(service: SurveyService(unitID: "\(unit.id)"))
            def.profile.serviceTypes = []  // free text
            let survey = try await store.createSurvey(SurveyInput(unitID: unit.id, name: "Imunisasi", periodKind: .quarter, definition: def), by: admin)
            let responses = randomResponses(900, seed: engine == .sqlite ? 11 : 12, definition: def)
            // Three imports (one buffer each) and single submissions: both write paths.
            try await store.importResponses(surveyID: survey.id, Array(responses[0..<400]), defaultDate: CivilDate("2026-01-01")!, source: "a", by: admin)
            try await store.importResponses(surveyID: survey.id, Array(responses[400..<850]), defaultDate: CivilDate("2026-01-01")!, source: "b", by: admin)
            for r in responses[850...] {
                try await store.submitResponse(surveyID: survey.id, r, channel: .kiosk, by: admin)
            }
            def = survey.definition  // with its service (unit, name) filled in by the store
            let periods = ["2026", "2026-S1", "2026-S2", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026-02", "2026-11", "2025-Q4"]
                .map { SurveyPeriod($0)! }
            for p in periods {
                let rows = try await fromRows(store, survey, p, population: 300)
                let agg = try await store.skmResult(surveyID: survey.id, definition: def, period: p, population: 300)
                expectSame(agg, rows, "\(engine) \(p)")
            }
            #expect(try await store.skmResult(surveyID: survey.id, definition: def, period: SurveyPeriod("2026")!).respondentCount == 900)

            // Counts per period come from the same sums.
            var byQuarter: [SurveyPeriod: Int] = [:]
            for r in responses { byQuarter[SurveyPeriod(containing: r.date!, kind: .quarter), default: 0] += 1 }
            #expect(try await store.responseCounts(surveyID: survey.id, kind: .quarter) == byQuarter)

            // What the inserts kept equals what SQL recomputes from the rows (migration 9's fill).
            let kept = try await store.answerCounts(surveyID: survey.id, period: SurveyPeriod("2026")!)
            try await store.rebuildAnswerCounts(surveyID: survey.id)
            #expect(try await store.answerCounts(surveyID: survey.id, period: SurveyPeriod("2026")!) == kept)
            try await store.rebuildAnswerCounts()
            #expect(try await store.answerCounts(surveyID: survey.id, period: SurveyPeriod("2026")!) == kept)

            // A changed definition (an unsur dropped, custom weights): answers to the dropped unsur are left out alike.
            var changed = def
            changed.items.removeAll { $0.unsur.code == .biaya }
            for i in changed.items.indices { changed.items[i].weight = .equalShare(of: changed.items.count) }
            try await store.updateSurvey(id: survey.id, SurveyInput(unitID: unit.id, name: "Imunisasi", periodKind: .quarter, definition: changed), by: admin)
            let updated = try await store.survey(id: survey.id)
            for p in [SurveyPeriod("2026-Q2")!, SurveyPeriod("2026")!] {
                expectSame(try await store.skmResult(surveyID: survey.id, definition: updated.definition, period: p),
                           try await fromRows(store, updated, p), "\(engine) changed \(p)")
            }
        }
    }

    @Test(arguments: TestEngine.all)
    func demoSurveyResultsAreTheSameFromCounts(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            _ = try await DemoAgency.seed(into: store)
            let survey = try #require(try await store.surveys().first)
            let counts = try await store.responseCounts(surveyID: survey.id, kind: .quarter)
            #expect(counts.values.reduce(0, +) == 595)
            for p in counts.keys.sorted() + [SurveyPeriod("2026")!] {
                let population = try await store.periodRecord(surveyID: survey.id, period: p)?.population
                expectSame(try await store.skmResult(surveyID: survey.id, definition: survey.definition, period: p, population: population),
                           try await fromRows(store, survey, p, population: population), "demo \(engine) \(p)")
            }
            // The published Q3 snapshot was computed row by row at seeding time.
            let q3 = SurveyPeriod("2026-Q3")!
            let published = try #require(try await store.periodRecord(surveyID: survey.id, period: q3)?.publishedResult)
            #expect(try await store.skmResult(surveyID: survey.id, definition: survey.definition, period: q3, population: 410) == published)
        }
    }

    @Test(arguments: TestEngine.all)
    func surveyListHasSOPLatestResultAndCurrentCount(_ engine: TestEngine) async throws {
        let clock = TestClock()
        try await withTestStore(engine, clock: clock) { store async throws in
            _ = try await DemoAgency.seed(into: store)
            let demo = try #require(try await store.surveys().first)
            let sop = try await store.sop(id: try #require(demo.sopID))
            // A second survey without an SOP and without responses, and one in the current quarter.
            let second = try await store.createSurvey(SurveyInput(unitID: demo.unitID, name: "Zz kosong", periodKind: .month,
                                                                  definition: .standard(service: SurveyService(unitID: "\(demo.unitID)"))), by: admin)
            let today = CivilDate("2026-08-20")!
            try await store.submitResponse(surveyID: second.id, SurveyResponse(date: today, answers: [.waktu: 4]), channel: .web, by: admin)

            let list = try await store.surveyOverviews(today: today)
            #expect(list.map(\.survey.id) == (try await store.surveys()).map(\.id))
            let d = try #require(list.first { $0.survey.id == demo.id })
            #expect(d.sopNumber == sop.number && d.sopTitle == sop.title)
            let counts = try await store.responseCounts(surveyID: demo.id, kind: .quarter)
            #expect(d.latestPeriod == counts.keys.max() && d.currentPeriod == SurveyPeriod("2026-Q3")!)
            #expect(d.currentCount == counts[SurveyPeriod("2026-Q3")!] ?? 0)
            let full = try await fromRows(store, demo, try #require(d.latestPeriod))
            #expect(d.latestResult?.respondentCount == full.respondentCount && d.latestResult?.ikmHundredths == full.ikmHundredths)
            #expect(d.latestResult?.grade == full.grade && d.latestResult?.unsur == full.unsur)
            let s = try #require(list.first { $0.survey.id == second.id })
            #expect(s.sopNumber == nil && s.latestPeriod == SurveyPeriod("2026-08")! && s.currentCount == 1 && s.latestResult?.ikm == 100)

            #expect(try await store.surveyOverviews(unitIDs: []).isEmpty)
            #expect(try await store.surveyOverviews(unitIDs: [demo.unitID + 999]).isEmpty)
        }
    }
}
