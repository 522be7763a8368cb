import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
@testable import PantauWeb
import Testing

/// The survey pages' models, built by their pure builders from data loaded once from the demo
/// fixture (no HTTP, no templates).
@Suite("Survey page models")
struct SurveyPageModelTests {
    /// `count` responses with every unsur answered `score`.
    func responses(_ def: SurveyDefinition, count: Int, score: Int) -> [SurveyResponse] {
        (0..<count).map { _ in SurveyResponse(profile: RespondentProfile(), answers: Dictionary(uniqueKeysWithValues: def.unsurCodes.map { ($0, score) })) }
    }

    func loaded(_ survey: SurveyRecord, _ tree: OrgTree, _ result: SKMResult, period: SurveyPeriod) -> SurveyResultsPage.Loaded {
        SurveyResultsPage.Loaded(survey: survey, tree: tree, period: period, result: result, record: nil, periodChoices: [period],
                                 counts: [period: result.respondentCount], trend: SKMTrend([(period, result)]), plan: [], sopTitle: nil)
    }

    @Test func resultsModelLinksEverythingThroughSiteURLsAndWarnsAboutAMissingPublicURL() async throws {
        try await withTestApp { fx, _ in
            let views = try await Views()
            let t = views.strings(.id)
            let survey = try await fx.store.survey(id: fx.surveys["imunisasi"]!)
            let tree = try await fx.store.orgTree()
            let period = SurveyPeriod("2026-Q3")!
            let result = try SKMCalculator(options: .init(period: period)).compute(survey.definition, responses: responses(survey.definition, count: 4, score: 3))
            let m = SurveyResultsPage.model(loaded(survey, tree, result, period: period), publicBaseURL: "http://127.0.0.1:8080",
                                            publicURLConfigured: false, canManage: true, canRaw: false, language: .id, t: t)
            #expect(m.ikm == "75,00" && m.grade == "C" && m.respondents == 4)
            #expect(m.rows.count == 9 && m.rows[0].number == "U1" && m.rows[0].nrr == "3,00")
            #expect(m.hrefs["report"] == "/surveys/\(survey.id)/report?period=2026-Q3")
            #expect(m.hrefs["exportCSV"] == "/surveys/\(survey.id)/export?period=2026-Q3&format=csv")
            #expect(m.hrefs["publish"] == "/surveys/\(survey.id)/publish" && m.hrefs["list"] == "/surveys")
            #expect(m.trend.first?.href == "/surveys/\(survey.id)?period=2026-Q3")
            #expect(m.publicURL == "http://127.0.0.1:8080/s/\(survey.code)")
            let warning = try #require(m.publicURLWarning)
            #expect(warning.contains("PANTAU_PUBLIC_URL") && warning.contains("http://127.0.0.1:8080/s/\(survey.code)") && warning.contains("warga"))
            #expect(m.sample == nil && m.smallSample == nil, "no population, no sample check")

            let configured = SurveyResultsPage.model(loaded(survey, tree, result, period: period), publicBaseURL: "https://skm.example.go.id",
                                                     publicURLConfigured: true, canManage: true, canRaw: false, language: .en, t: views.strings(.en))
            #expect(configured.publicURLWarning == nil && configured.ikm == "75.00")
        }
    }

    @Test func aSampleBelowTheMinimumIsNamedAndAFailedFormKeepsWhatWasTyped() async throws {
        try await withTestApp { fx, _ in
            let views = try await Views()
            let survey = try await fx.store.survey(id: fx.surveys["imunisasi"]!)
            let tree = try await fx.store.orgTree()
            let period = SurveyPeriod("2026-Q3")!
            // Population 1000 needs 278 respondents (Krejcie–Morgan); 5 were collected.
            let short = try SKMCalculator(options: .init(population: 1000, period: period)).compute(survey.definition, responses: responses(survey.definition, count: 5, score: 4))
            let form = FormData(pairs: [("links", "ftp://x"), ("population", "1000")])
            let m = SurveyResultsPage.model(loaded(survey, tree, short, period: period), publicBaseURL: "https://skm.example.go.id",
                                            publicURLConfigured: true, canManage: true, canRaw: true, form: form,
                                            errors: [FieldError(field: "links", message: "x")], language: .id, t: views.strings(.id))
            #expect(m.sample?.required == 278 && m.sample?.adequate == false)
            #expect(m.smallSample == "Sampel periode ini di bawah minimum Krejcie–Morgan: 5 dari 278 responden yang diperlukan untuk populasi 1000.")
            #expect(m.publicationLinks == "ftp://x" && m.population == "1000")
            #expect(m.invalid["links"] == true && m.errors.first?.label == views.strings(.id)["survey_publication_links"])
        }
    }

    @Test func listRowsLinkToTheSurveyAndItsPublicForm() async throws {
        try await withTestApp { fx, _ in
            let views = try await Views()
            let tree = try await fx.store.orgTree()
            let overviews = try await fx.store.surveyOverviews(unitIDs: nil)
            let m = SurveyListPage.model(overviews: overviews, tree: tree, publicBaseURL: "https://skm.example.go.id", canCreate: false,
                                         language: .en, t: views.strings(.en))
            let id = fx.surveys["imunisasi"]!, code = fx.surveyCodes["imunisasi"]!
            let row = try #require(m.rows.first { $0.href == "/surveys/\(id)" })
            #expect(row.publicURL == "https://skm.example.go.id/s/\(code)" && row.publicPath == "/s/\(code)")
            #expect(row.kind == views.strings(.en)["period_kind_quarter"] && row.respondents > 0 && row.grade != "–")
            #expect(m.newHref == nil)
            #expect(SurveyListPage.model(overviews: overviews, tree: tree, publicBaseURL: "", canCreate: true, language: .id,
                                         t: views.strings(.id)).newHref == "/surveys/new")
        }
    }

    @Test func publicFormQuestionsAndErrorsInTheChosenLanguage() async throws {
        try await withTestApp { fx, _ in
            let views = try await Views()
            let survey = try await fx.store.survey(id: fx.surveys["imunisasi"]!)
            let tree = try await fx.store.orgTree()
            let t = views.strings(.en)
            // A score that is not a number and an age out of range: both come back, worded, at their fields.
            let typed = FormData(pairs: [("u_waktu", "empat"), ("u_biaya", "4"), ("age", "300"), ("saran", "Cepat")])
            let (response, errors) = PublicSurveyPages.parse(typed, survey.definition, t)
            #expect(response == nil)
            #expect(Set(errors.map(\.field)) == ["q-waktu", "age"])
            #expect(errors.allSatisfy { !$0.message.contains("⟦") })
            let m = PublicSurveyPages.model(survey: survey, tree: tree, token: "tok", form: typed, errors: errors, notice: nil, language: .en, t: t)
            #expect(m.action == "/s/\(survey.code)" && m.token == "tok")
            #expect(m.questions.count == 9 && m.questions.allSatisfy { $0.choices.count == 4 })
            let waktu = try #require(m.questions.first { $0.code == "waktu" })
            #expect(waktu.error == t["public_err_choice"] && waktu.question.hasPrefix("How"))
            let biaya = try #require(m.questions.first { $0.code == "biaya" })
            #expect(biaya.error == nil && biaya.choices.filter(\.checked).map(\.value) == ["4"], "what was typed is kept")
            #expect(m.ageError == t["public_err_age"] && m.saran == "Cepat" && m.hasErrors)
            #expect(m.errors.map(\.anchor).contains("q-waktu"), "the summary links to the question")
            // Nothing answered: one problem, at the first question.
            let (_, none) = PublicSurveyPages.parse(FormData(pairs: []), survey.definition, views.strings(.id))
            #expect(none.map(\.field) == ["q-\(survey.definition.items[0].unsur.code)"] && none[0].message == views.strings(.id)["public_err_no_answer"])
        }
    }

    @Test func importIssuesNameRowColumnAndReasonInOneLanguage() async throws {
        try await withTestApp { fx, _ in
            let views = try await Views()
            let survey = try await fx.store.survey(id: fx.surveys["imunisasi"]!)
            let issues = [SurveyCSVIssue(row: 3, line: 3, column: "jenis_kelamin", value: "X", problem: .unknownGender),
                          SurveyCSVIssue(row: 1, line: 1, column: "", value: "", problem: .noUnsurColumn)]
            for (lang, reason) in [(Language.id, "jenis kelamin harus L atau P"), (.en, "gender must be L or P")] {
                let t = views.strings(lang)
                let m = SurveyImportPage.model(survey: survey, input: .init(), errors: [FieldError(field: "csv", message: "x")], issues: issues,
                                               report: nil, past: [], language: lang, t: t)
                #expect(m.issues[0].row == 3 && m.issues[0].column == "jenis_kelamin" && m.issues[0].value == "X" && m.issues[0].message == reason)
                #expect(m.issues[1].column == t["survey_import_whole_file"])
                #expect(m.issues.allSatisfy { !$0.message.contains("(") && !$0.message.contains("⟦") }, "no second language in brackets")
                #expect(m.rejected && m.invalid["csv"] == true && m.action == "/surveys/\(survey.id)/import")
            }
            // Every problem code has words in both catalogs.
            let all: [SurveyCSVIssue.Problem] = [.notUTF8, .emptyFile, .unterminatedQuote, .noUnsurColumn, .unknownColumn, .duplicateColumn,
                                                 .tooFewFields, .tooManyFields, .scoreNotInRange, .unknownGender, .unknownEducation,
                                                 .unknownOccupation, .unknownServiceType, .invalidDate, .invalidTime, .invalidAge, .noAnswer, .tooLong]
            for lang in Language.allCases {
                for p in all { #expect(views.strings(lang).table["csv_problem_\(p.rawValue)"] != nil, "\(lang) \(p)") }
            }
        }
    }

    @Test func transparencyRowsCarryTheSmallSampleCaveat() async throws {
        try await withTestApp { fx, _ in
            let views = try await Views()
            let tree = try await fx.store.orgTree()
            let published = try await fx.store.publishedResults()
            let t = views.strings(.id)
            let m = TransparencyPage.model(published: published, tree: tree, language: .id, t: t)
            #expect(!m.rows.isEmpty && m.rows.count == published.count)
            // The demo's published periods have adequate samples: no caveat.
            for (row, p) in zip(m.rows, published) {
                #expect((row.caveat != nil) == (p.record.publishedResult?.sample.map { !$0.isAdequate } ?? false))
            }
        }
    }

    @Test func posterWarnsInTheUILanguageAndStaysBilingual() async throws {
        try await withTestApp { fx, _ in
            let views = try await Views()
            let survey = try await fx.store.survey(id: fx.surveys["imunisasi"]!)
            let tree = try await fx.store.orgTree()
            let m = SurveyPosterPage.model(survey: survey, tree: tree, url: "http://127.0.0.1:8080/s/x", qrSVG: "<svg/>", publicURLConfigured: false,
                                           language: .en, t: views.strings(.en), id: views.strings(.id), en: views.strings(.en))
            #expect(m.urlWarning?.hasPrefix("PANTAU_PUBLIC_URL is not set") == true && m.uiLang == "en")
            #expect(m.text["title_id"] == views.strings(.id)["poster_title"] && m.text["title_en"] == views.strings(.en)["poster_title"])
            #expect(m.backHref == "/surveys/\(survey.id)")
            let ok = SurveyPosterPage.model(survey: survey, tree: tree, url: "https://skm.example.go.id/s/x", qrSVG: "", publicURLConfigured: true,
                                            language: .id, t: views.strings(.id), id: views.strings(.id), en: views.strings(.en))
            #expect(ok.urlWarning == nil)
        }
    }
}
