import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

/// A unit with a standard SKM survey (nine unsur, 1/9 each, quarterly).
private func surveyFixture(_ store: PantauStore, active: Bool = true) async throws -> (unit: Int64, survey: SurveyRecord) {
    let unit = try await store.createUnit(UnitInput(parentID: nil, code: "PKM", name: "Puskesmas", level: .unitKerja), by: admin)
    let def = SurveyDefinition.standard(service: SurveyService(unitID: "\(unit.id)"))
    let survey = try await store.createSurvey(SurveyInput(unitID: unit.id, name: "Pelayanan Imunisasi", periodKind: .quarter,
                                                          definition: def, active: active), by: admin)
    return (unit.id, survey)
}

private func all(_ score: Int, except: [UnsurCode: Int?] = [:]) -> [UnsurCode: Int] {
    var a: [UnsurCode: Int] = [:]
    for c in SurveyUnsur.questionnaireOrder { a[c] = score }
    for (c, v) in except { a[c] = v }
    return a
}

private func day(_ s: String) -> CivilDate { CivilDate(s)! }

@Suite("Store: SKM surveys")
struct SurveyStoreTests {
    @Test(arguments: TestEngine.all)
    func answersAreStoredPerUnsurAndEveryWriteIsAudited(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let (_, survey) = try await surveyFixture(store)
            #expect(survey.code.count == 7 && survey.code.allSatisfy { $0.isLowercase || $0.isNumber })
            #expect(try await store.survey(code: survey.code.uppercased())?.id == survey.id)
            #expect(survey.definition.service.unitID == "\(survey.unitID)" && survey.definition.service.name == "Pelayanan Imunisasi")

            let hostile = "<script>alert('x')</script> =HYPERLINK(\"http://evil\") & \"kutip\""
            let r = SurveyResponse(date: day("2026-07-14"), profile: RespondentProfile(gender: .female, education: "SMA", age: 31),
                                   answers: all(4, except: [.pengaduan: nil, .waktu: 2]), saran: hostile, caseReference: "IMN-2026-00042")
            let stored = try await store.submitResponse(surveyID: survey.id, r, channel: .web, by: AuditActor(userID: nil, label: "public"))
            #expect(stored.date == day("2026-07-14") && stored.channel == .web)

            // The form order changes (pengaduan moved first, a unit's own unsur added): stored answers keep their unsur.
            var def = survey.definition
            let pengaduan = def.items.removeLast()
            def.items.insert(pengaduan, at: 0)
            let own = SurveyUnsur(code: "kebersihan", name: SurveyText(id: "Kebersihan", en: "Cleanliness"),
                                  question: SurveyText(id: "Bagaimana kebersihan ruang tunggu?", en: "How clean is the waiting room?"),
                                  answerLabels: ["Kotor", "Kurang bersih", "Bersih", "Sangat bersih"].map { SurveyText(id: $0, en: "") })
            def.items.append(SurveyItem(unsur: own, weight: .equalShare(of: 10)))
            for i in def.items.indices { def.items[i].weight = .equalShare(of: 10) }
            try await store.updateSurvey(id: survey.id, SurveyInput(unitID: survey.unitID, name: survey.name, periodKind: .quarter, definition: def), by: admin)

            let page = try await store.responses(surveyID: survey.id, period: SurveyPeriod("2026-Q3")!)
            #expect(page.total == 1)
            let back = try #require(page.items.first)
            #expect(back.response.answers[.waktu] == 2 && back.response.answers[.pengaduan] == nil && back.response.answers[.sarana] == 4)
            #expect(back.response.answers.count == 8)
            #expect(back.response.saran == hostile)
            #expect(back.response.caseReference == "IMN-2026-00042" && back.response.profile.age == 31 && back.response.profile.gender == .female)

            // The table follows the new definition: pengaduan and kebersihan unanswered, waktu still 2.
            let table = try await store.responseTable(surveyID: survey.id, definition: def, period: SurveyPeriod("2026-Q3")!)
            #expect(table.rowCount == 1 && table.unsurCodes.first == .pengaduan)
            #expect(table.score(row: 0, .waktu) == 2 && table.score(row: 0, .pengaduan) == nil && table.score(row: 0, "kebersihan") == nil)

            let actions = try await store.auditEntries().items.map { "\($0.action) \($0.entity)" }
            #expect(actions.contains("create survey") && actions.contains("update survey") && actions.contains("submit survey_response"))
            let submitted = try #require(try await store.auditEntries(entity: "survey_response").items.first)
            // The trail references the response by id; the citizen's answers stay in survey_responses.
            #expect(submitted.actor == "public" && submitted.newValue?.contains("\"response_id\":\(stored.id)") == true)
            #expect(submitted.newValue?.contains("IMN-2026-00042") == false && submitted.newValue?.contains("kutip") == false)
            #expect(try await store.verifyAudit().ok)
        }
    }

    @Test(arguments: TestEngine.all)
    func badResponsesAreRefusedAndNothingIsStored(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let (unit, survey) = try await surveyFixture(store)
            let actor = AuditActor(userID: nil, label: "public")
            await #expect(throws: StoreError.invalid(field: "answers.waktu", message: "nilai 5 harus 1–4 (score must be 1–4)")) {
                try await store.submitResponse(surveyID: survey.id, SurveyResponse(answers: all(3, except: [.waktu: 5])), channel: .web, by: actor)
            }
            await #expect(throws: StoreError.invalid(field: "answers.parkir", message: "unsur tidak ada di survei ini (unknown unsur)")) {
                try await store.submitResponse(surveyID: survey.id, SurveyResponse(answers: ["parkir": 3]), channel: .web, by: actor)
            }
            await #expect(throws: StoreError.invalid(field: "answers", message: "Jawab minimal satu unsur (answer at least one unsur)")) {
                try await store.submitResponse(surveyID: survey.id, SurveyResponse(answers: [:]), channel: .web, by: actor)
            }
            await #expect(throws: StoreError.invalid(field: "profile.education", message: "pendidikan 'S9' tidak dikenal (unknown education)")) {
                try await store.submitResponse(surveyID: survey.id, SurveyResponse(profile: RespondentProfile(education: "S9"), answers: all(3)), channel: .web, by: actor)
            }
            await #expect(throws: StoreError.invalid(field: "saran", message: "Maks. 2000 karakter")) {
                try await store.submitResponse(surveyID: survey.id, SurveyResponse(answers: all(3), saran: String(repeating: "x", count: 2001)), channel: .web, by: actor)
            }
            // A closed survey takes nothing.
            let closed = try await store.createSurvey(SurveyInput(unitID: unit, name: "Loket lama", periodKind: .year,
                                                                  definition: survey.definition, active: false), by: admin)
            await #expect(throws: StoreError.conflict(field: "survey", message: "Survei ini sudah ditutup")) {
                try await store.submitResponse(surveyID: closed.id, SurveyResponse(answers: all(3)), channel: .web, by: actor)
            }
            let year = SurveyPeriod(containing: CivilDate(Date()), kind: .year)
            #expect(try await store.responses(surveyID: survey.id, period: year).total == 0)
            #expect(try await store.auditEntries(entity: "survey_response").total == 0)

            // A definition whose weights do not sum to 1 is refused, naming the field.
            var bad = survey.definition
            bad.items[0].weight = SurveyWeight(parsing: "0.2")!
            await #expect(throws: StoreError.self) {
                try await store.updateSurvey(id: survey.id, SurveyInput(unitID: unit, name: "X", periodKind: .quarter, definition: bad), by: admin)
            }
            do {
                try await store.createSurvey(SurveyInput(unitID: unit, name: "X", periodKind: .quarter, definition: bad), by: admin)
                Issue.record("an invalid weighting was accepted")
            } catch let StoreError.invalid(field, _) {
                #expect(field == "items.weight")
            }
            #expect(try await store.survey(id: survey.id).name == "Pelayanan Imunisasi")
        }
    }

    @Test(arguments: TestEngine.all)
    func paperImportIsAllOrNothing(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let (_, survey) = try await surveyFixture(store)
            let good = SurveyResponse(id: "F-001", answers: all(4))
            let bad = SurveyResponse(id: "F-002", answers: all(4, except: [.biaya: 0]))
            await #expect(throws: StoreError.invalid(field: "rows[2].answers.biaya", message: "nilai 0 harus 1–4 (score must be 1–4)")) {
                try await store.importResponses(surveyID: survey.id, [good, bad, good], defaultDate: day("2026-02-10"), source: "kertas.csv", by: admin)
            }
            let q1 = SurveyPeriod("2026-Q1")!
            #expect(try await store.responses(surveyID: survey.id, period: q1).total == 0)
            #expect(try await store.surveyImports(surveyID: survey.id).isEmpty)

            let csv = "id;biaya\nF-001;4\nF-009;0\n"
            let skipped = try SurveyCSVImporter(definition: survey.definition, options: .init(skipInvalidRows: true)).parse(csv).skipped
            #expect(skipped.count == 1 && skipped[0].row == 3)
            let dated = SurveyResponse(id: "F-003", date: day("2026-05-02"), answers: all(2))
            let rec = try await store.importResponses(surveyID: survey.id, [good, dated], defaultDate: day("2026-02-10"), source: "kertas.csv",
                                                      skipped: skipped, blankRows: 1, by: admin)
            #expect(rec.imported == 2 && rec.skipped == 1)
            let q1Rows = try await store.responses(surveyID: survey.id, period: q1).items
            #expect(q1Rows.map(\.response.id) == ["F-001"] && q1Rows[0].channel == .paper && q1Rows[0].importID == rec.id)
            #expect(q1Rows[0].date == day("2026-02-10"))
            #expect(try await store.responses(surveyID: survey.id, period: SurveyPeriod("2026-Q2")!).items.map(\.response.id) == ["F-003"])
            let imports = try await store.surveyImports(surveyID: survey.id)
            #expect(imports.count == 1 && imports[0].skippedRows == skipped && imports[0].blankRows == 1 && imports[0].source == "kertas.csv")
            #expect(try await store.auditEntries(entity: "survey_import").items.first?.newValue?.contains("\"skipped_rows\":[3]") == true)
        }
    }

    @Test(arguments: TestEngine.all)
    func theTableOfAPeriodGivesTheSameResultAsTheResponses(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let (_, survey) = try await surveyFixture(store)
            let q3: [SurveyResponse] = [
                SurveyResponse(date: day("2026-07-01"), profile: RespondentProfile(gender: .male, education: "SD"), answers: all(4)),
                SurveyResponse(date: day("2026-08-15"), profile: RespondentProfile(gender: .female, occupation: "PNS", age: 44), answers: all(3)),
                SurveyResponse(date: day("2026-09-30"), answers: [.persyaratan: 1]),
            ]
            let q2 = [SurveyResponse(date: day("2026-06-30"), answers: all(1))]
            try await store.importResponses(surveyID: survey.id, q3 + q2, defaultDate: day("2026-07-01"), source: "", by: admin)
            let period = SurveyPeriod("2026-Q3")!
            let table = try await store.responseTable(surveyID: survey.id, definition: survey.definition, period: period)
            #expect(table.rowCount == 3)
            let calc = SKMCalculator(options: .init(period: period))
            let fromTable = try calc.compute(survey.definition, table: table)
            let fromResponses = try calc.compute(survey.definition, responses: q3)
            #expect(fromTable == fromResponses)
            // persyaratan: (4 + 3 + 1) / 3; the others 3.5 over two respondents.
            #expect(fromTable.unsur(.persyaratan)?.answered == 3 && fromTable.unsur(.waktu)?.answered == 2)
            #expect(fromTable.ikm == 85.19 && fromTable.grade == .b)
            let counts = try await store.responseCounts(surveyID: survey.id, kind: .quarter)
            #expect(counts == [period: 3, SurveyPeriod("2026-Q2")!: 1])
            #expect(try await store.responseCounts(surveyID: survey.id, kind: .year) == [SurveyPeriod("2026")!: 4])
        }
    }

    @Test(arguments: TestEngine.all)
    func populationAndPublicationSnapshots(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let (_, survey) = try await surveyFixture(store)
            let q1 = SurveyPeriod("2026-Q1")!
            await #expect(throws: StoreError.rejected([InputProblem("population", "population_range", ["1", "100.000.000"])])) {
                try await store.setPopulation(surveyID: survey.id, period: q1, population: 0, by: admin)
            }
            let rec = try await store.setPopulation(surveyID: survey.id, period: q1, population: 120, by: admin)
            #expect(rec.population == 120 && !rec.isPublished)
            let empty = try SKMCalculator(options: .init(population: 120, period: q1))
                .compute(survey.definition, table: try await store.responseTable(surveyID: survey.id, definition: survey.definition, period: q1))
            await #expect(throws: StoreError.self) {
                try await store.publish(surveyID: survey.id, period: q1, result: empty, links: [], by: admin)
            }
            try await store.importResponses(surveyID: survey.id, [SurveyResponse(answers: all(4)), SurveyResponse(answers: all(3))],
                                            defaultDate: day("2026-03-01"), source: "", by: admin)
            let table = try await store.responseTable(surveyID: survey.id, definition: survey.definition, period: q1)
            let result = try SKMCalculator(options: .init(population: 120, period: q1)).compute(survey.definition, table: table)
            #expect(result.sample?.required == 92 && result.sample?.isAdequate == false)
            await #expect(throws: StoreError.invalid(field: "links", message: "Tautan tidak valid (harus diawali http:// atau https://): javascript:alert(1)")) {
                try await store.publish(surveyID: survey.id, period: q1, result: result, links: ["javascript:alert(1)"], by: admin)
            }
            let published = try await store.publish(surveyID: survey.id, period: q1, result: result, links: ["https://pkm.example/skm"], by: admin)
            #expect(published.isPublished && published.population == 120 && published.publishedResult?.ikm == 87.5)
            // Later answers do not change what was published.
            try await store.importResponses(surveyID: survey.id, [SurveyResponse(answers: all(1))], defaultDate: day("2026-03-02"), source: "", by: admin)
            let list = try await store.publishedResults()
            #expect(list.count == 1 && list[0].survey.id == survey.id && list[0].record.publishedResult?.ikm == 87.5)
            #expect(list[0].record.publicationLinks == ["https://pkm.example/skm"])
            try await store.unpublish(surveyID: survey.id, period: q1, by: admin)
            #expect(try await store.publishedResults().isEmpty)
            #expect(try await store.periodRecord(surveyID: survey.id, period: q1)?.population == 120)
            await #expect(throws: StoreError.rejected([InputProblem("period", "not_published")])) {
                try await store.unpublish(surveyID: survey.id, period: q1, by: admin)
            }
            let audit = try await store.auditEntries(entity: "survey_period").items.map(\.action)
            #expect(audit == ["unpublish", "publish", "set_population"])
        }
    }

    @Test(arguments: TestEngine.all)
    func followUpPlan(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let (_, survey) = try await surveyFixture(store)
            await #expect(throws: StoreError.invalid(field: "problem", message: "Wajib diisi")) {
                try await store.createSurveyFollowUp(surveyID: survey.id, SurveyFollowUpInput(problem: "  ", action: "a", owner: "o"), by: admin)
            }
            await #expect(throws: StoreError.invalid(field: "unsur", message: "Unsur 'parkir' tidak ada di survei ini")) {
                try await store.createSurveyFollowUp(surveyID: survey.id, SurveyFollowUpInput(unsur: "parkir", problem: "p", action: "a", owner: "o"), by: admin)
            }
            let a = try await store.createSurveyFollowUp(surveyID: survey.id, SurveyFollowUpInput(period: SurveyPeriod("2026-Q1"), unsur: .waktu,
                                                   problem: "Antrean lama", action: "Tambah petugas", owner: "Kepala TU"), by: admin)
            let b = try await store.createSurveyFollowUp(surveyID: survey.id, SurveyFollowUpInput(period: SurveyPeriod("2026-Q2"), problem: "Ruang panas",
                                                   action: "Kipas angin", owner: "Pengelola barang", dueDate: day("2026-09-30")), by: admin)
            let c = try await store.createSurveyFollowUp(surveyID: survey.id, SurveyFollowUpInput(problem: "Umum", action: "Sosialisasi", owner: "Humas"), by: admin)
            #expect(try await store.surveyFollowUps(surveyID: survey.id).map(\.id) == [b.id, a.id, c.id])
            #expect(try await store.surveyFollowUps(surveyID: survey.id, period: SurveyPeriod("2026-Q1")).map(\.id) == [a.id])
            var input = SurveyFollowUpInput(period: a.period, unsur: .waktu, problem: a.problem, action: a.action, owner: a.owner, status: .done,
                                      links: ["https://pkm.example/berita/antrean"])
            let done = try await store.updateSurveyFollowUp(id: a.id, input, by: admin)
            #expect(done.status == .done && done.links == ["https://pkm.example/berita/antrean"])
            input.links = ["ftp://x"]
            await #expect(throws: StoreError.self) { try await store.updateSurveyFollowUp(id: a.id, input, by: admin) }
            #expect(try await store.surveyFollowUp(id: a.id).status == .done)
            #expect(try await store.auditEntries(entity: "survey_followup").total == 4)
        }
    }

    @Test(arguments: TestEngine.all)
    func rateLimitIsSharedPerKeyAndSlidesWithTheWindow(_ engine: TestEngine) async throws {
        let clock = TestClock()
        try await withTestStore(engine, clock: clock) { store async throws in
            for _ in 0..<3 { #expect(try await store.rateLimitHit(key: "a", limit: 3, window: 60).allowed) }
            clock.advance(10)
            let refused = try await store.rateLimitHit(key: "a", limit: 3, window: 60)
            #expect(!refused.allowed && refused.retryAfter == 50)
            #expect(try await store.rateLimitHit(key: "b", limit: 3, window: 60).allowed)
            // Another instance on the same database sees the same hits.
            let other = PantauStore(database: store.database, now: clock.closure)
            #expect(try await other.rateLimitHit(key: "a", limit: 3, window: 60).allowed == false)
            clock.advance(51)
            #expect(try await store.rateLimitHit(key: "a", limit: 3, window: 60).allowed)
        }
    }

    @Test(arguments: TestEngine.all)
    func appSecretIsCreatedOnceAndShared(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let a = try await store.appSecret(named: "survey_form")
            #expect(a.count == 64 && a.allSatisfy(\.isHexDigit))
            #expect(try await PantauStore(database: store.database).appSecret(named: "survey_form") == a)
            #expect(try await store.appSecret(named: "other") != a)
            let entries = try await store.auditEntries(entity: "app_secret").items
            #expect(entries.count == 2 && entries.allSatisfy { $0.newValue == nil })
        }
    }

    @Test(arguments: TestEngine.all)
    func demoSurveyIsSeededOnceWithResults(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            _ = try await DemoAgency.seed(into: store)
            _ = try await DemoAgency.seed(into: store)
            let surveys = try await store.surveys()
            #expect(surveys.count == 1)
            let survey = try #require(surveys.first)
            #expect(survey.sopID != nil && survey.periodKind == .quarter)
            let counts = try await store.responseCounts(surveyID: survey.id, kind: .quarter)
            #expect(counts.values.reduce(0, +) == 595)
            let published = try await store.publishedResults()
            #expect(published.map(\.record.period.description) == ["2026-Q3", "2026-Q2", "2026-Q1"])
            // The follow-up plan after Q2 shows: waktu improves from Q1 to Q3.
            let q1 = try #require(published.last?.record.publishedResult), q3 = try #require(published.first?.record.publishedResult)
            #expect((q3.unsur(.waktu)?.nrr ?? 0) > (q1.unsur(.waktu)?.nrr ?? 5))
            #expect(q3.sample?.isAdequate == true && q1.sample?.isAdequate == false)
            #expect(try await store.surveyFollowUps(surveyID: survey.id).count == 3)
            #expect(try await store.verifyAudit().ok)
        }
    }
}
