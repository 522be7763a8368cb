import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

// MARK: - View models

struct SurveyListModel {
    struct Row {
        let id: Int64; let name: String; let unit: String; let sop: String; let kind: String; let code: String; let publicURL: String
        let period: String; let respondents: Int; let ikm: String; let grade: String; let gradeKey: String; let active: Bool
    }
    let rows: [Row]
    let canCreate: Bool
}

struct SurveyFormModel {
    let action: String
    let isNew: Bool
    let units: [Option]
    let sops: [Option]
    let kinds: [Option]
    let educations: [Option]
    let form: SurveyForm
    let errors: [FieldError]
    let weightErrors: [String]
    let publicURL: String?
    let cancelHref: String
}

struct SurveyResultsModel {
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
}

struct SurveyResponsesModel {
    struct Row {
        let id: Int64; let date: String; let time: String; let channel: String; let gender: String; let age: String; let education: String
        let occupation: String; let serviceType: String; let scores: [String]; let saran: String; let caseReference: String; let formNumber: String
    }
    let id: Int64
    let name: String
    let period: String
    let periodLabel: String
    let periods: [Option]
    let codes: [String]
    let rows: [Row]
    let total: Int
    let page: Int
    let pageCount: Int
    let prevHref: String?
    let nextHref: String?
    let exportXLSX: String
    let exportCSV: String
}

struct SurveyImportModel {
    struct Issue { let row: Int; let line: Int; let column: String; let value: String; let message: String }
    struct Skipped { let row: Int; let line: Int; let issues: [Issue] }
    struct Past { let at: String; let source: String; let imported: Int; let skipped: Int; let by: String }
    let id: Int64
    let name: String
    let text: String
    let source: String
    let defaultDate: String
    let skip: Bool
    let header: String
    let errors: [FieldError]
    let issues: [Issue]
    let rejected: Bool
    let imported: Int?
    let skippedRows: [Skipped]
    let blankRows: Int
    let past: [Past]
}

struct SurveyFollowUpsModel {
    struct Row {
        let id: Int64; let period: String; let unsur: String; let problem: String; let action: String; let owner: String; let due: String
        let status: String; let statusKey: String; let links: [String]; let editHref: String
    }
    let id: Int64
    let name: String
    let rows: [Row]
    /// "1 / 3 (33,3%)": actions done of those not cancelled (PEKPPP scores this share).
    let progress: String
    let canManage: Bool
    let form: FollowUpFormModel
}

struct FollowUpFormModel {
    let action: String
    let isNew: Bool
    let periods: [Option]
    let unsur: [Option]
    let statuses: [Option]
    let problem: String
    let actionText: String
    let owner: String
    let due: String
    let links: String
    let errors: [FieldError]
    let surveyName: String
    let backHref: String
}

struct SurveyReportModel {
    let id: Int64
    let html: String
    let backHref: String
    let period: String
}

struct SurveyPosterModel {
    let unit: String
    let agency: String
    let service: String
    let url: String
    let qrSVG: String
    let backHref: String
    /// Poster texts in both languages: `title_id`, `title_en`, `sub_…`, `step1_…`–`step3_…`, `foot_…`.
    let text: [String: String]
}

// MARK: - Pages

/// The SKM pages for staff: list, set-up, results, report, exports, raw responses, paper import,
/// follow-up plan (RTL), population and publication, and the counter poster.
enum SurveyPages {
    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, "/surveys", .surveyRead, "Survey (SKM) list with the latest IKM") { _, ctx in
            let t = s.views.strings(ctx.language)
            let tree = try await s.store.orgTree()
            var rows: [SurveyListModel.Row] = []
            for o in try await s.store.surveyOverviews(unitIDs: Scope.units(ctx.identity!, tree: tree)) {
                let sv = o.survey, latest = o.latestPeriod, result = o.latestResult, sop = o.sopNumber ?? ""
                rows.append(.init(id: sv.id, name: sv.name, unit: tree.unit(sv.unitID)?.name ?? "", sop: sop, kind: t["period_kind_\(sv.periodKind.rawValue)"],
                                  code: sv.code, publicURL: surveyPublicURL(s, sv.code), period: latest?.label(ctx.language.survey) ?? "–",
                                  respondents: result?.respondentCount ?? 0, ikm: SKMFormat.number(result?.ikm, 2, ctx.language),
                                  grade: result?.grade?.rawValue ?? "–", gradeKey: result?.grade.map { $0.rawValue.lowercased() } ?? "none",
                                  active: sv.active))
            }
            let model = SurveyListModel(rows: rows, canCreate: SurveyAccess.canManage(ctx.identity))
            return .html(s.views.render("survey_list", title: t["nav_surveys"], page: model, context: ctx, active: .surveys))
        }

        r.page(.get, "/surveys/new", .surveyManage, "New survey form (the nine standard unsur)") { req, ctx in
            let unit = req.uri.queryParameters.get("unit").flatMap { Int64($0) } ?? ctx.user?.unitID
            let sop = req.uri.queryParameters.get("sop").flatMap { Int64($0) }
            let def = SurveyDefinition.standard(service: SurveyService(unitID: unit.map { "\($0)" } ?? ""))
            let form = SurveyForm(unitID: unit, sopID: sop, name: "", periodKind: .quarter, definition: def, active: true)
            return try await formPage(s, ctx, form: form, survey: nil, errors: [])
        }

        r.page(.post, "/surveys", .surveyManage, "Create a survey") { req, ctx in
            let t = s.views.strings(ctx.language)
            var form = SurveyForm(form: try await submittedForm(req, ctx))
            switch form.input(t) {
            case let .failure(e):
                form.mark(e.list)
                form.padRows()
                return try await formPage(s, ctx, form: form, survey: nil, errors: e.list, status: .badRequest)
            case let .success(input):
                try await SOPPages.requireScope(s, ctx, unit: input.unitID)
                do {
                    let rec = try await s.store.createSurvey(input, by: ctx.identity!.auditActor)
                    return .seeOther("/surveys/\(rec.id)", flash: t["saved"], secure: s.config.secureCookies)
                } catch let e as StoreError {
                    form.padRows()
                    return try await formPage(s, ctx, form: form, survey: nil, errors: fieldErrors(e), status: .badRequest)
                }
            }
        }

        r.page(.get, "/surveys/:id", .surveyRead, "Survey results of a period: NRR, IKM and grade, priorities, sample, profile, trend") { req, ctx in
            let (survey, tree) = try await SurveyAccess.load(s, ctx)
            let model = try await resultsModel(s, ctx, survey, tree, periodText: req.uri.queryParameters.get("period"))
            return .html(s.views.render("survey_results", title: survey.name, page: model, context: ctx, active: .surveys))
        }

        r.page(.get, "/surveys/:id/edit", .surveyManage, "Survey set-up form") { _, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            let form = SurveyForm(unitID: survey.unitID, sopID: survey.sopID, name: survey.name, periodKind: survey.periodKind,
                                  definition: survey.definition, active: survey.active)
            return try await formPage(s, ctx, form: form, survey: survey, errors: [])
        }

        r.page(.post, "/surveys/:id", .surveyManage, "Save a survey's set-up (unsur, weights, profile)") { req, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            let t = s.views.strings(ctx.language)
            var form = SurveyForm(form: try await submittedForm(req, ctx))
            switch form.input(t) {
            case let .failure(e):
                form.mark(e.list)
                form.padRows()
                return try await formPage(s, ctx, form: form, survey: survey, errors: e.list, status: .badRequest)
            case let .success(input):
                try await SOPPages.requireScope(s, ctx, unit: input.unitID)
                do {
                    try await s.store.updateSurvey(id: survey.id, input, by: ctx.identity!.auditActor)
                    return .seeOther("/surveys/\(survey.id)", flash: t["saved"], secure: s.config.secureCookies)
                } catch let e as StoreError {
                    form.padRows()
                    return try await formPage(s, ctx, form: form, survey: survey, errors: fieldErrors(e), status: .badRequest)
                }
            }
        }

        r.page(.post, "/surveys/:id/population", .surveyManage, "Set the population of a period (sample-size check)") { req, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try await submittedForm(req, ctx)
            guard let period = SurveyPeriod(f.text("period")) else { throw AppError.invalid([FieldError(field: "period", message: t["survey_err_period"])]) }
            let text = f.text("population").replacingOccurrences(of: ".", with: "").replacingOccurrences(of: " ", with: "")
            var population: Int?
            if !text.isEmpty {
                guard let n = Int(text), n >= 1 else { throw AppError.invalid([FieldError(field: "population", message: t["survey_err_population"])]) }
                population = n
            }
            try await s.store.setPopulation(surveyID: survey.id, period: period, population: population, by: ctx.identity!.auditActor)
            return .seeOther("/surveys/\(survey.id)?period=\(period)", flash: t["saved"], secure: s.config.secureCookies)
        }

        r.page(.post, "/surveys/:id/publish", .surveyManage, "Publish or withdraw a period's result (public transparency page)") { req, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try await submittedForm(req, ctx)
            guard let period = SurveyPeriod(f.text("period")) else { throw AppError.invalid([FieldError(field: "period", message: t["survey_err_period"])]) }
            if f.text("action") == "unpublish" {
                try await s.store.unpublish(surveyID: survey.id, period: period, by: ctx.identity!.auditActor)
                return .seeOther("/surveys/\(survey.id)?period=\(period)", flash: t["survey_unpublished"], secure: s.config.secureCookies)
            }
            let links = SurveyLinks.parse(f["links"] ?? "")
            if let m = SurveyLinks.problem(links) { throw AppError.invalid([FieldError(field: "links", message: m)]) }
            let (result, _) = try await SurveyAnalysis.current(s, survey, period)
            try await s.store.publish(surveyID: survey.id, period: period, result: result, links: links, by: ctx.identity!.auditActor)
            return .seeOther("/surveys/\(survey.id)?period=\(period)", flash: t["survey_published"], secure: s.config.secureCookies)
        }

        r.page(.get, "/surveys/:id/report", .surveyRead, "Printable SKM report of a period") { req, ctx in
            let (survey, tree) = try await SurveyAccess.load(s, ctx)
            let counts = try await s.store.responseCounts(surveyID: survey.id, kind: survey.periodKind)
            let period = try SurveyAnalysis.period(req.uri.queryParameters.get("period"), survey, counts: counts)
            let (result, _) = try await SurveyAnalysis.current(s, survey, period)
            let lang = ctx.language.survey
            let trend = try await SurveyAnalysis.trend(s, survey, period, counts: counts)
            let plan = try await s.store.surveyFollowUps(surveyID: survey.id, period: period).map { f in
                SKMFollowUp(unsur: f.unsur, problem: f.problem, action: f.action, responsible: f.owner,
                            schedule: f.dueDate.map { SKMFormat.date($0, ctx.language) } ?? "",
                            status: s.views.strings(ctx.language)["followup_status_\(f.status.rawValue)"])
            }
            var suggestions: [String] = []
            if SurveyAccess.canSeeRaw(ctx.identity, survey, tree) {
                // The ten most recent distinct suggestions.
                var seen = Set<String>()
                suggestions = try await s.store.suggestions(surveyID: survey.id, period: period, limit: 60)
                    .filter { seen.insert($0.lowercased()).inserted }.prefix(10).map { $0 }
            }
            let context = SKMReport.Context(
                agencyName: tree.path(to: survey.unitID).first?.name ?? "", unitName: tree.unit(survey.unitID)?.name ?? "",
                followUps: plan, suggestions: suggestions, trend: trend.points.count >= 2 ? trend : nil)
            var def = survey.definition
            def.service.name = survey.name
            var res = result
            res.service.name = survey.name
            let html = SKMReport(language: lang).html(result: res, definition: def, context: context)
            let t = s.views.strings(ctx.language)
            let model = SurveyReportModel(id: survey.id, html: html, backHref: "/surveys/\(survey.id)?period=\(period)", period: period.description)
            return .html(s.views.render("survey_report", title: t["survey_report"] + " · " + survey.name, page: model, context: ctx, active: .surveys))
        }

        r.page(.get, "/surveys/:id/export", .surveyRead, "Export a period's results as XLSX or CSV") { req, ctx in
            let (survey, tree) = try await SurveyAccess.load(s, ctx)
            let counts = try await s.store.responseCounts(surveyID: survey.id, kind: survey.periodKind)
            let period = try SurveyAnalysis.period(req.uri.queryParameters.get("period"), survey, counts: counts)
            let (result, _) = try await SurveyAnalysis.current(s, survey, period)
            let base = "skm-\(survey.code)-\(period)-hasil"
            switch req.uri.queryParameters.get("format") ?? "xlsx" {
            case "xlsx":
                let trend = try await SurveyAnalysis.trend(s, survey, period, counts: counts)
                let plan = try await s.store.surveyFollowUps(surveyID: survey.id, period: period)
                let data = try SurveyExports.resultsXLSX(s, ctx.language, survey, tree, period, result, trend: trend, plan: plan)
                return .download(data, contentType: ExportType.xlsx, filename: base + ".xlsx")
            case "csv":
                return .download(SurveyExports.resultsCSV(ctx.language, survey, result), contentType: ExportType.csv, filename: base + ".csv")
            default:
                throw AppError.invalid([FieldError(field: "format", message: "xlsx atau csv")])
            }
        }

        r.page(.get, "/surveys/:id/responses", .surveyRaw, "Raw responses of a period (the unit's staff and auditors)") { req, ctx in
            let (survey, tree) = try await SurveyAccess.load(s, ctx)
            try SurveyAccess.requireRaw(ctx, survey, tree)
            let t = s.views.strings(ctx.language)
            let qp = req.uri.queryParameters
            let counts = try await s.store.responseCounts(surveyID: survey.id, kind: survey.periodKind)
            let period = try SurveyAnalysis.period(qp.get("period"), survey, counts: counts)
            let pageNo = max(1, Int(qp.get("page") ?? "1") ?? 1)
            let page = try await s.store.responses(surveyID: survey.id, period: period, page: pageNo, perPage: 50)
            let lang = ctx.language
            let def = survey.definition
            let rows = page.items.map { r in
                let p = r.response.profile
                return SurveyResponsesModel.Row(
                    id: r.id, date: SKMFormat.date(r.date, lang), time: r.response.time?.description ?? "", channel: t["channel_\(r.channel.rawValue)"],
                    gender: p.gender.map { $0.label.text(lang.survey) } ?? "", age: p.age.map(String.init) ?? "",
                    education: choiceLabel(p.education, def.profile.educationLevels, lang), occupation: occupationText(p, def, lang),
                    serviceType: choiceLabel(p.serviceType, def.profile.serviceTypes, lang),
                    scores: def.unsurCodes.map { c in r.response.answers[c].map(String.init) ?? "–" },
                    saran: r.response.saran ?? "", caseReference: r.response.caseReference ?? "", formNumber: r.response.id ?? "")
            }
            let records = try await s.store.periodRecords(surveyID: survey.id)
            let options = SurveyAnalysis.choices(survey, counts: counts, records: records, selected: period).map {
                Option(value: $0.description, label: $0.label(lang.survey), selected: $0 == period)
            }
            func href(_ n: Int) -> String { "/surveys/\(survey.id)/responses?period=\(period)&page=\(n)" }
            let model = SurveyResponsesModel(
                id: survey.id, name: survey.name, period: period.description, periodLabel: period.label(lang.survey), periods: options,
                codes: def.items.enumerated().map { i, _ in "U\(i + 1)" }, rows: rows, total: page.total, page: page.page, pageCount: page.pageCount,
                prevHref: page.hasPrevious ? href(pageNo - 1) : nil, nextHref: page.hasNext ? href(pageNo + 1) : nil,
                exportXLSX: "/surveys/\(survey.id)/responses/export?period=\(period)&format=xlsx",
                exportCSV: "/surveys/\(survey.id)/responses/export?period=\(period)&format=csv")
            return .html(s.views.render("survey_responses", title: t["survey_raw"] + " · " + survey.name, page: model, context: ctx, active: .surveys))
        }

        r.page(.get, "/surveys/:id/responses/export", .surveyRaw, "Export a period's raw responses as XLSX or CSV") { req, ctx in
            let (survey, tree) = try await SurveyAccess.load(s, ctx)
            try SurveyAccess.requireRaw(ctx, survey, tree)
            let counts = try await s.store.responseCounts(surveyID: survey.id, kind: survey.periodKind)
            let period = try SurveyAnalysis.period(req.uri.queryParameters.get("period"), survey, counts: counts)
            let all = try await s.store.responses(surveyID: survey.id, period: period, perPage: nil).items.sorted { $0.id < $1.id }
            let base = "skm-\(survey.code)-\(period)-respons"
            switch req.uri.queryParameters.get("format") ?? "xlsx" {
            case "xlsx":
                return .download(try SurveyExports.rawXLSX(survey, period, all), contentType: ExportType.xlsx, filename: base + ".xlsx")
            case "csv":
                return .download(SurveyExports.rawCSV(survey, all), contentType: ExportType.csv, filename: base + ".csv")
            default:
                throw AppError.invalid([FieldError(field: "format", message: "xlsx atau csv")])
            }
        }

        r.page(.get, "/surveys/:id/import", .surveyManage, "Paper questionnaire import form (CSV)") { _, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            return try await importPage(s, ctx, survey, text: "", source: "", defaultDate: CivilDate(Date()).description, skip: false,
                                        errors: [], issues: [], imported: nil, skipped: [], blankRows: 0)
        }

        r.page(.post, "/surveys/:id/import", .surveyManage, "Import paper questionnaires (CSV): all rows or none, or skip bad rows") { req, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try await submittedForm(req, ctx)
            let text = f["csv"] ?? ""
            let source = f.text("source")
            let dateText = f.text("default_date")
            let skip = f["skip_invalid"] != nil
            func fail(_ errors: [FieldError], _ issues: [SurveyCSVIssue] = [], skipped: [SurveyCSVSkippedRow] = []) async throws -> Response {
                try await importPage(s, ctx, survey, text: text, source: source, defaultDate: dateText, skip: skip, errors: errors, issues: issues,
                                     imported: nil, skipped: skipped, blankRows: 0, status: .badRequest)
            }
            var errors: [FieldError] = []
            let date = CivilDate(dateText)
            if date == nil { errors.append(FieldError(field: "default_date", message: t["err_date"])) }
            if text.trimmed.isEmpty { errors.append(FieldError(field: "csv", message: t["err_required"])) }
            if source.count > 200 { errors.append(FieldError(field: "source", message: t["survey_err_too_long"])) }
            guard errors.isEmpty, let date else { return try await fail(errors) }
            let parsed: SurveyCSVImport
            do throws(SurveyError) {
                parsed = try SurveyCSVImporter(definition: survey.definition, options: .init(skipInvalidRows: skip)).parse(text)
            } catch {
                if case let .csvRejected(issues) = error {
                    return try await fail([FieldError(field: "csv", message: t.format("survey_import_rejected", issues.count))], issues)
                }
                return try await fail([FieldError(field: "csv", message: error.description)])
            }
            if parsed.responses.isEmpty {
                return try await fail([FieldError(field: "csv", message: t["survey_import_nothing"])], skipped: parsed.skipped)
            }
            do {
                let rec = try await s.store.importResponses(surveyID: survey.id, parsed.responses, defaultDate: date,
                                                            source: source.isEmpty ? t["survey_import_pasted"] : source,
                                                            skipped: parsed.skipped, blankRows: parsed.blankRows, by: ctx.identity!.auditActor)
                return try await importPage(s, ctx, survey, text: "", source: "", defaultDate: dateText, skip: false, errors: [], issues: [],
                                            imported: rec.imported, skipped: parsed.skipped, blankRows: parsed.blankRows)
            } catch let e as StoreError {
                return try await fail(fieldErrors(e))
            }
        }

        r.page(.get, "/surveys/:id/followups", .surveyRead, "Follow-up plan (RTL) of a survey") { _, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            return try await followUpsPage(s, ctx, survey, input: nil, errors: [])
        }

        r.page(.post, "/surveys/:id/followups", .surveyManage, "Add a follow-up action (RTL)") { req, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try await submittedForm(req, ctx)
            let (input, errors) = followUpInput(f, survey, t)
            guard let input, errors.isEmpty else {
                return try await followUpsPage(s, ctx, survey, input: f, errors: errors, status: .badRequest)
            }
            do {
                try await s.store.createSurveyFollowUp(surveyID: survey.id, input, by: ctx.identity!.auditActor)
                return .seeOther("/surveys/\(survey.id)/followups", flash: t["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await followUpsPage(s, ctx, survey, input: f, errors: fieldErrors(e), status: .badRequest)
            }
        }

        r.page(.get, "/surveys/:id/followups/:item/edit", .surveyManage, "Edit a follow-up action (RTL)") { _, ctx in
            let (survey, item) = try await loadFollowUp(s, ctx)
            let f = FormData(pairs: [
                ("period", item.period?.description ?? ""), ("unsur", item.unsur?.rawValue ?? ""), ("problem", item.problem),
                ("action", item.action), ("owner", item.owner), ("due_date", item.dueDate?.description ?? ""),
                ("status", item.status.rawValue), ("links", item.links.joined(separator: "\n")),
            ])
            return try await followUpEditPage(s, ctx, survey, item, form: f, errors: [])
        }

        r.page(.post, "/surveys/:id/followups/:item", .surveyManage, "Save a follow-up action (RTL): status, owner, links") { req, ctx in
            let (survey, item) = try await loadFollowUp(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try await submittedForm(req, ctx)
            let (input, errors) = followUpInput(f, survey, t)
            guard let input, errors.isEmpty else { return try await followUpEditPage(s, ctx, survey, item, form: f, errors: errors, status: .badRequest) }
            do {
                try await s.store.updateSurveyFollowUp(id: item.id, input, by: ctx.identity!.auditActor)
                return .seeOther("/surveys/\(survey.id)/followups", flash: t["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await followUpEditPage(s, ctx, survey, item, form: f, errors: fieldErrors(e), status: .badRequest)
            }
        }

        r.page(.get, "/surveys/:id/poster", .surveyRead, "Printable A4 poster with the QR code for the service counter") { _, ctx in
            let (survey, tree) = try await SurveyAccess.load(s, ctx)
            let t = s.views.strings(ctx.language)
            let url = surveyPublicURL(s, survey.code)
            let qr = try QRCode(text: url, options: .init(errorCorrection: .quartile))
            // The poster is bilingual whatever the UI language: Bahasa Indonesia first, English below.
            var text: [String: String] = [:]
            for (suffix, lang) in [("id", Language.id), ("en", Language.en)] {
                let st = s.views.strings(lang)
                for key in ["title", "sub", "step1", "step2", "step3", "foot"] { text["\(key)_\(suffix)"] = st["poster_\(key)"] }
            }
            let model = SurveyPosterModel(
                unit: tree.unit(survey.unitID)?.name ?? "", agency: tree.path(to: survey.unitID).first?.name ?? "", service: survey.name, url: url,
                qrSVG: qr.svg(moduleSize: 10, quietZone: 4, title: t["poster_qr_title"] + " " + url), backHref: "/surveys/\(survey.id)", text: text)
            return .html(s.views.render("survey_poster", title: t["poster_title"], page: model, context: ctx))
        }
    }

    // MARK: Helpers

    static func choiceLabel(_ code: String?, _ choices: [ProfileChoice], _ lang: Language) -> String {
        guard let code else { return "" }
        return choices.first { $0.code.caseInsensitiveCompare(code) == .orderedSame }?.label.text(lang.survey) ?? code
    }

    static func occupationText(_ p: RespondentProfile, _ def: SurveyDefinition, _ lang: Language) -> String {
        let base = choiceLabel(p.occupation, def.profile.occupations, lang)
        guard let d = p.occupationDetail, !d.isEmpty else { return base }
        return base.isEmpty ? d : "\(base): \(d)"
    }

    static func unsurName(_ code: UnsurCode?, _ def: SurveyDefinition, _ lang: Language) -> String {
        guard let code else { return "–" }
        guard let i = def.items.firstIndex(where: { $0.unsur.code == code }) else { return code.rawValue }
        return "U\(i + 1) \(def.items[i].unsur.name.text(lang.survey))"
    }

    static func gradeKey(_ g: SKMGrade?) -> String { g.map { $0.rawValue.lowercased() } ?? "none" }

    static func resultsModel(_ s: AppServices, _ ctx: PantauRequestContext, _ survey: SurveyRecord, _ tree: OrgTree,
                             periodText: String?) async throws -> SurveyResultsModel {
        let t = s.views.strings(ctx.language)
        let lang = ctx.language
        let counts = try await s.store.responseCounts(surveyID: survey.id, kind: survey.periodKind)
        let period = try SurveyAnalysis.period(periodText, survey, counts: counts)
        let (result, record) = try await SurveyAnalysis.current(s, survey, period)
        let records = try await s.store.periodRecords(surveyID: survey.id)
        let def = survey.definition
        let rows = result.unsur.enumerated().map { i, u in
            SurveyResultsModel.UnsurRow(
                number: "U\(i + 1)", code: u.code.rawValue, name: u.name.text(lang.survey),
                question: def.item(u.code)?.unsur.question.text(lang.survey) ?? "", weight: SKMFormat.weight(u.weight, lang),
                answered: u.answered, unanswered: u.unanswered, counts: u.answerCounts, nrr: SKMFormat.number(u.nrr, 2, lang),
                weighted: SKMFormat.number(u.weightedNRR, 3, lang), converted: SKMFormat.number(u.convertedNRR, 2, lang),
                grade: u.grade?.rawValue ?? "–", gradeKey: gradeKey(u.grade))
        }
        let priorities = result.priorities.prefix(3).map { p in
            SurveyResultsModel.Priority(rank: p.rank, name: unsurName(p.code, def, lang), nrr: SKMFormat.number(p.nrr, 2, lang),
                                        converted: SKMFormat.number(p.convertedNRR, 2, lang), grade: p.grade.rawValue, gradeKey: gradeKey(p.grade))
        }
        let profile = result.profile.map { b in
            SurveyResultsModel.Profile(label: b.label.text(lang.survey), groups: b.groups.map { g in
                .init(label: g.label.text(lang.survey), respondents: g.respondents, share: SKMFormat.percent(g.share, lang),
                      ikm: SKMFormat.number(g.ikm, 2, lang), grade: g.grade?.rawValue ?? "–", gradeKey: gradeKey(g.grade))
            })
        }
        let trend = try await SurveyAnalysis.trend(s, survey, period, counts: counts)
        let trendRows = trend.points.map { p in
            SurveyResultsModel.TrendRow(
                period: p.period.label(lang.survey), href: "/surveys/\(survey.id)?period=\(p.period)", respondents: p.respondentCount,
                ikm: SKMFormat.number(p.ikm, 2, lang), grade: p.grade?.rawValue ?? "–", gradeKey: gradeKey(p.grade),
                change: p.change.map { ($0 > 0 ? "+" : "") + SKMFormat.number($0, 2, lang) } ?? "–", current: p.period == period)
        }
        let plan = try await s.store.surveyFollowUps(surveyID: survey.id, period: period).map { f in
            SurveyResultsModel.FollowUpRow(unsur: unsurName(f.unsur, def, lang), problem: f.problem, action: f.action, owner: f.owner,
                                           due: SKMFormat.date(f.dueDate, lang), status: t["followup_status_\(f.status.rawValue)"],
                                           statusKey: f.status.rawValue)
        }
        let options = SurveyAnalysis.choices(survey, counts: counts, records: records, selected: period).map {
            Option(value: $0.description, label: $0.label(lang.survey) + (counts[$0].map { " (\($0))" } ?? ""), selected: $0 == period)
        }
        let sample = result.sample.map {
            SurveyResultsModel.Sample(population: $0.population, required: $0.required, collected: $0.collected, adequate: $0.isAdequate, shortfall: $0.shortfall)
        }
        var sopTitle: String?
        if let id = survey.sopID, let sop = try? await s.store.sop(id: id) { sopTitle = "\(sop.number) — \(sop.title)" }
        let published = record?.publishedResult
        let q = "?period=\(period)"
        let hrefs: [String: String] = [
            "report": "/surveys/\(survey.id)/report\(q)", "exportXLSX": "/surveys/\(survey.id)/export\(q)&format=xlsx",
            "exportCSV": "/surveys/\(survey.id)/export\(q)&format=csv", "responses": "/surveys/\(survey.id)/responses\(q)",
            "import": "/surveys/\(survey.id)/import", "followups": "/surveys/\(survey.id)/followups", "edit": "/surveys/\(survey.id)/edit",
            "poster": "/surveys/\(survey.id)/poster", "qr": "/s/\(survey.code)/qr.svg", "population": "/surveys/\(survey.id)/population",
            "publish": "/surveys/\(survey.id)/publish", "transparency": "/transparansi",
        ]
        return SurveyResultsModel(
            id: survey.id, name: survey.name, title: def.title?.text(lang.survey) ?? "", unit: tree.unit(survey.unitID)?.name ?? "",
            sopTitle: sopTitle, sopHref: survey.sopID.map { "/sops/\($0)" }, code: survey.code, publicURL: surveyPublicURL(s, survey.code),
            active: survey.active, periods: options, period: period.description, periodLabel: period.label(lang.survey),
            hasData: result.respondentCount > 0, respondents: result.respondentCount, index: SKMFormat.number(result.index, 4, lang),
            ikm: SKMFormat.number(result.ikm, 2, lang), grade: result.grade?.rawValue ?? "–",
            gradeLabel: result.grade?.label.text(lang.survey) ?? "", gradeKey: gradeKey(result.grade),
            renormalized: result.weightsRenormalized,
            missingUnsur: result.unsurWithoutAnswers.map { unsurName($0, def, lang) }.joined(separator: ", "), notExact: !result.isExact,
            rows: rows, chartSVG: result.respondentCount > 0 ? SKMReport(language: lang.survey).nrrChartSVG(result) : "",
            priorities: Array(priorities), sample: sample, population: record?.population.map(String.init) ?? "", profile: profile,
            trend: trendRows, followUps: plan, published: record?.isPublished ?? false, publishedAt: formatTime(record?.publishedAt, lang),
            publishedIKM: published.map { "\(SKMFormat.number($0.ikm, 2, lang)) (\($0.grade?.rawValue ?? "–"))" } ?? "",
            publishedDiffers: published.map { $0.ikmHundredths != result.ikmHundredths || $0.respondentCount != result.respondentCount } ?? false,
            publicationLinks: record?.publicationLinks.joined(separator: "\n") ?? "", links: record?.publicationLinks ?? [],
            canManage: SurveyAccess.canManage(ctx.identity), canRaw: SurveyAccess.canSeeRaw(ctx.identity, survey, tree), hrefs: hrefs)
    }

    static func formPage(_ s: AppServices, _ ctx: PantauRequestContext, form: SurveyForm, survey: SurveyRecord?, errors: [FieldError],
                         status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let tree = try await s.store.orgTree()
        let scope = Scope.units(ctx.identity!, tree: tree)
        var sops = [Option(value: "", label: t["survey_no_sop"], selected: form.sopID == nil)]
        sops += try await s.store.sops(SOPQuery(unitIDs: scope, perPage: 200)).items.map { sop in
            Option(value: "\(sop.id)", label: "\(sop.number) — \(sop.title) (\(tree.unit(sop.unitID)?.name ?? ""))", selected: sop.id == form.sopID)
        }
        let kinds = SurveyPeriod.Kind.allCases.map { Option(value: $0.rawValue, label: t["period_kind_\($0.rawValue)"], selected: $0 == form.periodKind) }
        let educations = [Option(value: "standard", label: t["survey_education_standard"], selected: form.education != "diploma"),
                          Option(value: "diploma", label: t["survey_education_diploma"], selected: form.education == "diploma")]
        let model = SurveyFormModel(
            action: survey.map { "/surveys/\($0.id)" } ?? "/surveys", isNew: survey == nil,
            units: try await SOPPages.unitOptions(s, ctx, selected: form.unitID), sops: sops, kinds: kinds, educations: educations, form: form,
            errors: errors, weightErrors: errors.filter { $0.field == "weights" }.map(\.message),
            publicURL: survey.map { surveyPublicURL(s, $0.code) }, cancelHref: survey.map { "/surveys/\($0.id)" } ?? "/surveys")
        return .html(s.views.render("survey_form", title: t[survey == nil ? "survey_new" : "survey_edit"], page: model, context: ctx, active: .surveys),
                     status: status)
    }

    static func importPage(_ s: AppServices, _ ctx: PantauRequestContext, _ survey: SurveyRecord, text: String, source: String, defaultDate: String,
                           skip: Bool, errors: [FieldError], issues: [SurveyCSVIssue], imported: Int?, skipped: [SurveyCSVSkippedRow],
                           blankRows: Int, status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        func issue(_ i: SurveyCSVIssue) -> SurveyImportModel.Issue {
            .init(row: i.row, line: i.line, column: i.column, value: i.value, message: i.message)
        }
        let past = try await s.store.surveyImports(surveyID: survey.id, limit: 10).map {
            SurveyImportModel.Past(at: formatTime($0.createdAt, ctx.language), source: $0.source, imported: $0.imported, skipped: $0.skipped, by: $0.createdBy)
        }
        let header = SurveyCSVColumn.templateHeader(survey.definition).joined(separator: ";")
        let model = SurveyImportModel(
            id: survey.id, name: survey.name, text: text, source: source, defaultDate: defaultDate, skip: skip, header: header, errors: errors,
            issues: issues.map(issue), rejected: !issues.isEmpty || (!errors.isEmpty && status == .badRequest), imported: imported,
            skippedRows: skipped.map { .init(row: $0.row, line: $0.line, issues: $0.issues.map(issue)) }, blankRows: blankRows, past: past)
        return .html(s.views.render("survey_import", title: t["survey_import"] + " · " + survey.name, page: model, context: ctx, active: .surveys),
                     status: status)
    }

    static func loadFollowUp(_ s: AppServices, _ ctx: PantauRequestContext) async throws -> (SurveyRecord, SurveyFollowUpRecord) {
        let (survey, _) = try await SurveyAccess.load(s, ctx)
        let item = try await s.store.surveyFollowUp(id: try ctx.int64("item"))
        guard item.surveyID == survey.id else { throw AppError.notFound }
        return (survey, item)
    }

    /// The follow-up input of a form, or the field problems.
    static func followUpInput(_ f: FormData, _ survey: SurveyRecord, _ t: Strings) -> (SurveyFollowUpInput?, [FieldError]) {
        var errors: [FieldError] = []
        var period: SurveyPeriod?
        if !f.text("period").isEmpty {
            period = SurveyPeriod(f.text("period"))
            if period == nil { errors.append(FieldError(field: "period", message: t["survey_err_period"])) }
        }
        var due: CivilDate?
        if !f.text("due_date").isEmpty {
            due = CivilDate(f.text("due_date"))
            if due == nil { errors.append(FieldError(field: "due_date", message: t["err_date"])) }
        }
        guard let status = SurveyFollowUpStatus(rawValue: f.text("status").isEmpty ? "planned" : f.text("status")) else {
            return (nil, errors + [FieldError(field: "status", message: t["err_invalid"])])
        }
        let unsur = f.text("unsur").isEmpty ? nil : UnsurCode(f.text("unsur"))
        let input = SurveyFollowUpInput(period: period, unsur: unsur, problem: f.text("problem"), action: f.text("action"), owner: f.text("owner"),
                                  dueDate: due, status: status, links: SurveyLinks.parse(f["links"] ?? ""))
        for p in input.problems(definition: survey.definition) { errors.append(FieldError(field: p.field, message: p.message)) }
        return (input, errors)
    }

    static func followUpForm(_ s: AppServices, _ ctx: PantauRequestContext, _ survey: SurveyRecord, action: String, isNew: Bool,
                             form f: FormData?, errors: [FieldError]) async throws -> FollowUpFormModel {
        let t = s.views.strings(ctx.language)
        let lang = ctx.language
        let f = f ?? FormData("")
        let counts = try await s.store.responseCounts(surveyID: survey.id, kind: survey.periodKind)
        let records = try await s.store.periodRecords(surveyID: survey.id)
        let current = SurveyPeriod(containing: CivilDate(Date()), kind: survey.periodKind)
        let chosen = f.text("period")
        var periods = [Option(value: "", label: t["followup_no_period"], selected: chosen.isEmpty)]
        periods += SurveyAnalysis.choices(survey, counts: counts, records: records, selected: SurveyPeriod(chosen) ?? current).map {
            Option(value: $0.description, label: $0.label(lang.survey), selected: $0.description == chosen)
        }
        var unsur = [Option(value: "", label: t["followup_no_unsur"], selected: f.text("unsur").isEmpty)]
        unsur += survey.definition.items.enumerated().map { i, item in
            Option(value: item.unsur.code.rawValue, label: "U\(i + 1) \(item.unsur.name.text(lang.survey))", selected: item.unsur.code.rawValue == f.text("unsur"))
        }
        let st = f.text("status").isEmpty ? "planned" : f.text("status")
        let statuses = SurveyFollowUpStatus.allCases.map { Option(value: $0.rawValue, label: t["followup_status_\($0.rawValue)"], selected: $0.rawValue == st) }
        return FollowUpFormModel(action: action, isNew: isNew, periods: periods, unsur: unsur, statuses: statuses, problem: f.text("problem"),
                                 actionText: f.text("action"), owner: f.text("owner"), due: f.text("due_date"), links: f["links"] ?? "",
                                 errors: errors, surveyName: survey.name, backHref: "/surveys/\(survey.id)/followups")
    }

    static func followUpsPage(_ s: AppServices, _ ctx: PantauRequestContext, _ survey: SurveyRecord, input: FormData?, errors: [FieldError],
                              status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let lang = ctx.language
        let items = try await s.store.surveyFollowUps(surveyID: survey.id)
        let counted = items.filter { $0.status != .cancelled }
        let done = counted.filter { $0.status == .done }.count
        let progress = counted.isEmpty ? "–" : "\(done) / \(counted.count) (\(SKMFormat.percent(Double(done) / Double(counted.count), lang)))"
        let rows = items.map { f in
            SurveyFollowUpsModel.Row(id: f.id, period: f.period?.label(lang.survey) ?? "–", unsur: unsurName(f.unsur, survey.definition, lang),
                                     problem: f.problem, action: f.action, owner: f.owner, due: SKMFormat.date(f.dueDate, lang),
                                     status: t["followup_status_\(f.status.rawValue)"], statusKey: f.status.rawValue, links: f.links,
                                     editHref: "/surveys/\(survey.id)/followups/\(f.id)/edit")
        }
        let form = try await followUpForm(s, ctx, survey, action: "/surveys/\(survey.id)/followups", isNew: true, form: input, errors: errors)
        let model = SurveyFollowUpsModel(id: survey.id, name: survey.name, rows: rows, progress: progress,
                                         canManage: SurveyAccess.canManage(ctx.identity), form: form)
        return .html(s.views.render("survey_followups", title: t["followups"] + " · " + survey.name, page: model, context: ctx, active: .surveys),
                     status: status)
    }

    static func followUpEditPage(_ s: AppServices, _ ctx: PantauRequestContext, _ survey: SurveyRecord, _ item: SurveyFollowUpRecord, form: FormData,
                                 errors: [FieldError], status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let model = try await followUpForm(s, ctx, survey, action: "/surveys/\(survey.id)/followups/\(item.id)", isNew: false, form: form, errors: errors)
        return .html(s.views.render("survey_followup_form", title: t["followup_edit"], page: model, context: ctx, active: .surveys), status: status)
    }
}
