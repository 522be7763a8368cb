import Foundation
import Hummingbird
import PantauCore
import PantauStore

/// `/surveys/{id}/responses`: a period's raw responses, 50 a page (the unit's staff and auditors),
/// and their export as XLSX or CSV.
enum SurveyResponsesPage {
    struct Model {
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
        let action: String
        let listHref = SiteURL.surveys.path
        let surveyHref: String
    }

    /// Pure: one page of responses.
    static func model(survey: SurveyRecord, period: SurveyPeriod, page: Page<StoredSurveyResponse>, choices: [SurveyPeriod],
                      language lang: Language, t: Strings) -> Model {
        let def = survey.definition
        let rows = page.items.map { r in
            let p = r.response.profile
            return Model.Row(
                id: r.id, date: SKMFormat.date(r.date, lang), time: r.response.time?.description ?? "", channel: t["channel_\(r.channel.rawValue)"],
                gender: p.gender.map { $0.label.text(lang.survey) } ?? "", age: p.age.map(String.init) ?? "",
                education: SurveyDisplay.choiceLabel(p.education, def.profile.educationLevels, lang), occupation: SurveyDisplay.occupationText(p, def, lang),
                serviceType: SurveyDisplay.choiceLabel(p.serviceType, def.profile.serviceTypes, lang),
                scores: def.unsurCodes.map { c in r.response.answers[c].map(String.init) ?? "–" },
                saran: r.response.saran ?? "", caseReference: r.response.caseReference ?? "", formNumber: r.response.id ?? "")
        }
        let options = choices.map { Option(value: $0.description, label: $0.label(lang.survey), selected: $0 == period) }
        let p = period.description
        func href(_ n: Int) -> String { SiteURL.surveyResponses(survey.id).path(query: ["period": p, "page": String(n)]) }
        return Model(
            id: survey.id, name: survey.name, period: p, periodLabel: period.label(lang.survey), periods: options,
            codes: def.items.enumerated().map { i, _ in "U\(i + 1)" }, rows: rows, total: page.total, page: page.page, pageCount: page.pageCount,
            prevHref: page.hasPrevious ? href(page.page - 1) : nil, nextHref: page.hasNext ? href(page.page + 1) : nil,
            exportXLSX: SiteURL.surveyResponsesExport(survey.id).path(query: ["period": p, "format": "xlsx"]),
            exportCSV: SiteURL.surveyResponsesExport(survey.id).path(query: ["period": p, "format": "csv"]),
            action: SiteURL.surveyResponses(survey.id).path, surveyHref: SiteURL.survey(survey.id).path(query: ["period": p]))
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .surveyResponses(.key), .surveyRaw, "Raw responses of a period (the unit's staff and auditors)") { req, ctx in
            let (survey, tree) = try await SurveyAccess.load(s, ctx)
            try SurveyAccess.requireRaw(ctx, survey, tree)
            let t = s.views.strings(ctx.language)
            let qp = req.uri.queryParameters
            let counts = try await s.store.responseCounts(surveyID: survey.id, kind: survey.periodKind)
            let period = try SurveyAnalysis.period(qp.get("period"), survey, counts: counts)
            let pageNo = max(1, Int(qp.get("page") ?? "1") ?? 1)
            let page = try await s.store.responses(surveyID: survey.id, period: period, page: pageNo, perPage: 50)
            let records = try await s.store.periodRecords(surveyID: survey.id)
            let m = model(survey: survey, period: period, page: page,
                          choices: SurveyAnalysis.choices(survey, counts: counts, records: records, selected: period), language: ctx.language, t: t)
            return .html(s.views.render("survey_responses", title: t["survey_raw"] + " · " + survey.name, page: m, context: ctx, active: .surveys))
        }

        r.page(.get, .surveyResponsesExport(.key), .surveyRaw, "Export a period's raw responses as XLSX or CSV") { req, ctx in
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
                throw AppError.invalid([FieldError(field: "format", message: "xlsx | csv")])
            }
        }
    }
}
