import Foundation
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

/// `/surveys/{id}/report`: the printable SKM report of a period; `/surveys/{id}/export`: its
/// results as XLSX or CSV.
enum SurveyReportPage {
    struct Model {
        let id: Int64
        let html: String
        let backHref: String
        let period: String
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .surveyReport(.key), .surveyRead, "Printable SKM report of a period") { req, ctx in
            let (survey, tree) = try await SurveyAccess.load(s, ctx)
            let t = s.views.strings(ctx.language)
            let counts = try await s.store.responseCounts(surveyID: survey.id, kind: survey.periodKind)
            let period = try SurveyAnalysis.period(req.uri.queryParameters.get("period"), survey, counts: counts)
            let (result, _) = try await SurveyAnalysis.current(s, survey, period)
            let lang = ctx.language.survey
            let trend = try await SurveyAnalysis.trend(s, survey, period, counts: counts)
            let plan = try await s.store.surveyFollowUps(surveyID: survey.id, period: period).map { f in
                SKMFollowUp(unsur: f.unsur, problem: f.problem, action: f.action, responsible: f.owner,
                            schedule: f.dueDate.map { SKMFormat.date($0, ctx.language) } ?? "", status: t["followup_status_\(f.status.rawValue)"])
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
            let m = Model(id: survey.id, html: html, backHref: SiteURL.survey(survey.id).path(query: ["period": period.description]),
                          period: period.description)
            return .html(s.views.render("survey_report", title: t["survey_report"] + " · " + survey.name, page: m, context: ctx, active: .surveys))
        }

        r.page(.get, .surveyExport(.key), .surveyRead, "Export a period's results as XLSX or CSV") { req, ctx in
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
                throw AppError.invalid([FieldError(field: "format", message: "xlsx | csv")])
            }
        }
    }
}
