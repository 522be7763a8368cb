import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

/// `/surveys/{id}`: a period's results (respondents, NRR per unsur, IKM and grade, priorities,
/// sample check, profile, trend, follow-up plan), with the population and publication forms.
enum SurveyResultsPage {
    struct Model {
        struct UnsurRow {
            let number: String; let code: String; let name: String; let question: String; let weight: String; let answered: Int; let unanswered: Int
            let counts: [Int]; let nrr: String; let weighted: String; let converted: String; let grade: String; let gradeKey: String
        }
        struct Priority { let rank: Int; let name: String; let nrr: String; let converted: String; let grade: String; let gradeKey: String }
        struct Group { let label: String; let respondents: Int; let share: String; let ikm: String; let grade: String; let gradeKey: String }
        struct Profile { let label: String; let groups: [Group] }
        struct TrendRow { let period: String; let href: String; let respondents: Int; let ikm: String; let grade: String; let gradeKey: String; let change: String; let current: Bool }
        struct FollowUpRow { let unsur: String; let problem: String; let action: String; let owner: String; let due: String; let status: String; let statusKey: String }
        struct Sample { let population: Int; let required: Int; let collected: Int; let adequate: Bool; let shortfall: Int }

        let id: Int64
        let name: String
        let title: String
        let unit: String
        let sopTitle: String?
        let sopHref: String?
        let code: String
        let publicURL: String
        /// Shown while `PANTAU_PUBLIC_URL` is not set: the link and the QR code do not reach citizens.
        let publicURLWarning: String?
        let active: Bool
        let periods: [Option]
        let period: String
        let periodLabel: String
        let hasData: Bool
        let respondents: Int
        let index: String
        let ikm: String
        let grade: String
        let gradeLabel: String
        let gradeKey: String
        let renormalized: Bool
        let missingUnsur: String
        let notExact: Bool
        let rows: [UnsurRow]
        let chartSVG: String
        let priorities: [Priority]
        let sample: Sample?
        /// The caveat and "publish anyway" checkbox when the sample is below the Krejcie–Morgan minimum.
        let smallSample: String?
        let population: String
        let profile: [Profile]
        let trend: [TrendRow]
        let followUps: [FollowUpRow]
        let published: Bool
        let publishedAt: String
        let publishedIKM: String
        let publishedDiffers: Bool
        let publicationLinks: String
        let links: [String]
        let canManage: Bool
        let canRaw: Bool
        let hrefs: [String: String]
        let errors: [FieldError]
        let invalid: [String: Bool]
    }

    /// What the handler loads for a period.
    struct Loaded {
        var survey: SurveyRecord
        var tree: OrgTree
        var period: SurveyPeriod
        var result: SKMResult
        var record: SurveyPeriodRecord?
        var periodChoices: [SurveyPeriod]
        var counts: [SurveyPeriod: Int]
        var trend: SKMTrend
        var plan: [SurveyFollowUpRecord]
        var sopTitle: String?
    }

    /// Form fields and the catalog keys of their labels.
    static let labels = ["population": "survey_population_label", "links": "survey_publication_links",
                         "confirm_small_sample": "survey_publish_anyway", "period": "survey_period"]

    /// Pure: the page from loaded data. `form` (after a failed POST) keeps what was typed.
    static func model(_ d: Loaded, publicBaseURL: String, publicURLConfigured: Bool, canManage: Bool, canRaw: Bool,
                      form: FormData? = nil, errors: [FieldError] = [], language lang: Language, t: Strings) -> Model {
        let survey = d.survey, result = d.result, def = survey.definition, period = d.period
        let rows = result.unsur.enumerated().map { i, u in
            Model.UnsurRow(
                number: "U\(i + 1)", code: u.code.rawValue, name: u.name.text(lang.survey),
                question: def.item(u.code)?.unsur.question.text(lang.survey) ?? "", weight: SKMFormat.weight(u.weight, lang),
                answered: u.answered, unanswered: u.unanswered, counts: u.answerCounts, nrr: SKMFormat.number(u.nrr, 2, lang),
                weighted: SKMFormat.number(u.weightedNRR, 3, lang), converted: SKMFormat.number(u.convertedNRR, 2, lang),
                grade: u.grade?.rawValue ?? "–", gradeKey: SurveyDisplay.gradeKey(u.grade))
        }
        let priorities = result.priorities.prefix(3).map { p in
            Model.Priority(rank: p.rank, name: SurveyDisplay.unsurName(p.code, def, lang), nrr: SKMFormat.number(p.nrr, 2, lang),
                           converted: SKMFormat.number(p.convertedNRR, 2, lang), grade: p.grade.rawValue, gradeKey: SurveyDisplay.gradeKey(p.grade))
        }
        let profile = result.profile.map { b in
            Model.Profile(label: b.label.text(lang.survey), groups: b.groups.map { g in
                .init(label: g.label.text(lang.survey), respondents: g.respondents, share: SKMFormat.percent(g.share, lang),
                      ikm: SKMFormat.number(g.ikm, 2, lang), grade: g.grade?.rawValue ?? "–", gradeKey: SurveyDisplay.gradeKey(g.grade))
            })
        }
        let trend = d.trend.points.map { p in
            Model.TrendRow(
                period: p.period.label(lang.survey), href: SiteURL.survey(survey.id).path(query: ["period": p.period.description]),
                respondents: p.respondentCount, ikm: SKMFormat.number(p.ikm, 2, lang), grade: p.grade?.rawValue ?? "–",
                gradeKey: SurveyDisplay.gradeKey(p.grade),
                change: p.change.map { ($0 > 0 ? "+" : "") + SKMFormat.number($0, 2, lang) } ?? "–", current: p.period == period)
        }
        let plan = d.plan.map { f in
            Model.FollowUpRow(unsur: SurveyDisplay.unsurName(f.unsur, def, lang), problem: f.problem, action: f.action, owner: f.owner,
                              due: SKMFormat.date(f.dueDate, lang), status: t["followup_status_\(f.status.rawValue)"], statusKey: f.status.rawValue)
        }
        let options = d.periodChoices.map { p in
            Option(value: p.description, label: p.label(lang.survey) + (d.counts[p].map { " (\($0))" } ?? ""), selected: p == period)
        }
        let sample = result.sample.map {
            Model.Sample(population: $0.population, required: $0.required, collected: $0.collected, adequate: $0.isAdequate, shortfall: $0.shortfall)
        }
        let short = SurveyDisplay.sampleShort(result).map { t.format("survey_small_sample", $0.collected, $0.required, $0.population) }
        let record = d.record
        let published = record?.publishedResult
        let p = period.description
        let publicURL = publicBaseURL + SiteURL.publicSurvey(code: survey.code).path
        let hrefs: [String: String] = [
            "list": SiteURL.surveys.path, "self": SiteURL.survey(survey.id).path,
            "report": SiteURL.surveyReport(survey.id).path(query: ["period": p]),
            "exportXLSX": SiteURL.surveyExport(survey.id).path(query: ["period": p, "format": "xlsx"]),
            "exportCSV": SiteURL.surveyExport(survey.id).path(query: ["period": p, "format": "csv"]),
            "responses": SiteURL.surveyResponses(survey.id).path(query: ["period": p]),
            "import": SiteURL.surveyImport(survey.id).path, "followups": SiteURL.surveyFollowUps(survey.id).path,
            "edit": SiteURL.surveyEdit(survey.id).path, "poster": SiteURL.surveyPoster(survey.id).path,
            "qr": SiteURL.publicSurveyQRCode(code: survey.code).path, "population": SiteURL.surveyPopulation(survey.id).path,
            "publish": SiteURL.surveyPublish(survey.id).path, "transparency": SiteURL.transparency.path,
        ]
        let labelled = errors.labelled(labels, t)
        return Model(
            id: survey.id, name: survey.name, title: def.title?.text(lang.survey) ?? "", unit: d.tree.unit(survey.unitID)?.name ?? "",
            sopTitle: d.sopTitle, sopHref: survey.sopID.map { SiteURL.sop($0).path }, code: survey.code, publicURL: publicURL,
            publicURLWarning: publicURLWarning(configured: publicURLConfigured, url: publicURL, t),
            active: survey.active, periods: options, period: p, periodLabel: period.label(lang.survey),
            hasData: result.respondentCount > 0, respondents: result.respondentCount, index: SKMFormat.number(result.index, 4, lang),
            ikm: SKMFormat.number(result.ikm, 2, lang), grade: result.grade?.rawValue ?? "–",
            gradeLabel: result.grade?.label.text(lang.survey) ?? "", gradeKey: SurveyDisplay.gradeKey(result.grade),
            renormalized: result.weightsRenormalized,
            missingUnsur: result.unsurWithoutAnswers.map { SurveyDisplay.unsurName($0, def, lang) }.joined(separator: ", "), notExact: !result.isExact,
            rows: rows, chartSVG: result.respondentCount > 0 ? SKMReport(language: lang.survey).nrrChartSVG(result) : "",
            priorities: Array(priorities), sample: sample, smallSample: short,
            population: form.map { $0.text("population") } ?? record?.population.map(String.init) ?? "", profile: profile,
            trend: trend, followUps: plan, published: record?.isPublished ?? false, publishedAt: formatTime(record?.publishedAt, lang),
            publishedIKM: published.map { "\(SKMFormat.number($0.ikm, 2, lang)) (\($0.grade?.rawValue ?? "–"))" } ?? "",
            publishedDiffers: published.map { $0.ikmHundredths != result.ikmHundredths || $0.respondentCount != result.respondentCount } ?? false,
            publicationLinks: form.map { $0["links"] ?? "" } ?? record?.publicationLinks.joined(separator: "\n") ?? "",
            links: record?.publicationLinks ?? [], canManage: canManage, canRaw: canRaw, hrefs: hrefs, errors: labelled,
            invalid: Dictionary(labelled.map { ($0.field, true) }, uniquingKeysWith: { a, _ in a }))
    }

    /// Loads everything the page shows for `period` (nil: the latest period with responses).
    static func load(_ s: AppServices, _ survey: SurveyRecord, _ tree: OrgTree, periodText: String?) async throws -> Loaded {
        let counts = try await s.store.responseCounts(surveyID: survey.id, kind: survey.periodKind)
        let period = try SurveyAnalysis.period(periodText, survey, counts: counts)
        let (result, record) = try await SurveyAnalysis.current(s, survey, period)
        let records = try await s.store.periodRecords(surveyID: survey.id)
        let trend = try await SurveyAnalysis.trend(s, survey, period, counts: counts)
        let plan = try await s.store.surveyFollowUps(surveyID: survey.id, period: period)
        var sopTitle: String?
        if let id = survey.sopID, let sop = try? await s.store.sop(id: id) { sopTitle = "\(sop.number) — \(sop.title)" }
        return Loaded(survey: survey, tree: tree, period: period, result: result, record: record,
                      periodChoices: SurveyAnalysis.choices(survey, counts: counts, records: records, selected: period),
                      counts: counts, trend: trend, plan: plan, sopTitle: sopTitle)
    }

    static func render(_ s: AppServices, _ ctx: UserContext, _ survey: SurveyRecord, _ tree: OrgTree, periodText: String?,
                       form: FormData? = nil, errors: [FieldError] = [], status: HTTPResponse.Status = .ok) async throws -> Response {
        let loaded = try await load(s, survey, tree, periodText: periodText)
        let m = model(loaded, publicBaseURL: s.config.publicBaseURL, publicURLConfigured: s.config.publicURLConfigured,
                      canManage: SurveyAccess.canManage(ctx.identity), canRaw: SurveyAccess.canSeeRaw(ctx.identity, survey, tree),
                      form: form, errors: errors, language: ctx.language, t: s.views.strings(ctx.language))
        return .html(s.views.render("survey_results", title: survey.name, page: m, context: ctx, active: .surveys), status: status)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .survey(.key), .surveyRead, "Survey results of a period: NRR, IKM and grade, priorities, sample, profile, trend") { req, ctx in
            let (survey, tree) = try await SurveyAccess.load(s, ctx)
            return try await render(s, ctx, survey, tree, periodText: req.uri.queryParameters.get("period"))
        }

        r.page(.post, .surveyPopulation(.key), .surveyManage, "Set the population of a period (sample-size check)") { req, ctx in
            let (survey, tree) = try await SurveyAccess.load(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try await submittedForm(req, ctx.base)
            guard let period = SurveyPeriod(f.text("period")) else { throw AppError.invalid([FieldError(field: "period", message: t["survey_err_period"])]) }
            let text = f.text("population").replacingOccurrences(of: ".", with: "").replacingOccurrences(of: " ", with: "")
            var population: Int?
            if !text.isEmpty {
                guard let n = Int(text), n >= 1 else {
                    return try await render(s, ctx, survey, tree, periodText: period.description, form: f,
                                            errors: [FieldError(field: "population", message: t["survey_err_population"])], status: .badRequest)
                }
                population = n
            }
            try await s.store.setPopulation(surveyID: survey.id, period: period, population: population, by: ctx.actor)
            return .seeOther(SiteURL.survey(survey.id).path(query: ["period": period.description]), flash: t["saved"], secure: s.config.secureCookies)
        }

        r.page(.post, .surveyPublish(.key), .surveyManage, "Publish or withdraw a period's result (public transparency page)") { req, ctx in
            let (survey, tree) = try await SurveyAccess.load(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try await submittedForm(req, ctx.base)
            guard let period = SurveyPeriod(f.text("period")) else { throw AppError.invalid([FieldError(field: "period", message: t["survey_err_period"])]) }
            let back = SiteURL.survey(survey.id).path(query: ["period": period.description])
            if f.text("action") == "unpublish" {
                try await s.store.unpublish(surveyID: survey.id, period: period, by: ctx.actor)
                return .seeOther(back, flash: t["survey_unpublished"], secure: s.config.secureCookies)
            }
            let links = SurveyLinks.parse(f["links"] ?? "")
            if let problem = SurveyLinks.inputProblem(links) {
                return try await render(s, ctx, survey, tree, periodText: period.description, form: f,
                                        errors: [problem.fieldError(t)], status: .badRequest)
            }
            let (result, _) = try await SurveyAnalysis.current(s, survey, period)
            // A sample below the Krejcie–Morgan minimum is published only when asked for explicitly.
            if SurveyDisplay.sampleShort(result) != nil, f["confirm_small_sample"] == nil {
                return try await render(s, ctx, survey, tree, periodText: period.description, form: f,
                                        errors: [FieldError(field: "confirm_small_sample", message: t["survey_publish_confirm"])], status: .conflict)
            }
            try await s.store.publish(surveyID: survey.id, period: period, result: result, links: links, by: ctx.actor)
            return .seeOther(back, flash: t["survey_published"], secure: s.config.secureCookies)
        }
    }
}
