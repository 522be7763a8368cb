import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// `/surveys/{id}/import`: paper questionnaires typed into a spreadsheet, imported as CSV (all
/// rows or none, or skipping bad rows with a report). A successful import redirects to this page
/// with `?import={record}` so that a refresh never imports the file twice.
enum SurveyImportPage {
    struct Model {
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
        let invalid: [String: Bool]
        let issues: [Issue]
        let rejected: Bool
        let imported: Int?
        let skippedRows: [Skipped]
        let blankRows: Int
        let past: [Past]
        let action: String
        let listHref = SiteURL.surveys.path
        let surveyHref: String
    }

    /// What was typed into the form.
    struct Input {
        var text = ""
        var source = ""
        var defaultDate = CivilDate(Date()).description
        var skip = false
    }

    static let labels = ["csv": "survey_import_text", "default_date": "survey_import_default_date", "source": "survey_import_source"]

    /// A CSV problem in the UI's language: the row, the column as written in the header (the
    /// template's names), the value and the reason from the catalog (`csv_problem_*`).
    static func issue(_ i: SurveyCSVIssue, _ t: Strings) -> Model.Issue {
        .init(row: i.row, line: i.line, column: i.column.isEmpty ? t["survey_import_whole_file"] : i.column, value: i.value,
              message: t["csv_problem_\(i.problem.rawValue)"])
    }

    /// Pure: the page. `report` is the import just made (after the redirect), `past` the latest imports.
    static func model(survey: SurveyRecord, input: Input, errors: [FieldError], issues: [SurveyCSVIssue], skipped: [SurveyCSVSkippedRow] = [],
                      report: SurveyImportRecord?, past: [SurveyImportRecord], language: Language, t: Strings) -> Model {
        let labelled = errors.labelled(labels, t)
        let shownSkipped = report?.skippedRows ?? skipped
        return Model(
            id: survey.id, name: survey.name, text: input.text, source: input.source, defaultDate: input.defaultDate, skip: input.skip,
            header: SurveyCSVColumn.templateHeader(survey.definition).joined(separator: ";"), errors: labelled,
            invalid: Dictionary(labelled.map { ($0.field, true) }, uniquingKeysWith: { a, _ in a }),
            issues: issues.map { issue($0, t) }, rejected: !issues.isEmpty || !errors.isEmpty, imported: report?.imported,
            skippedRows: shownSkipped.map { .init(row: $0.row, line: $0.line, issues: $0.issues.map { issue($0, t) }) },
            blankRows: report?.blankRows ?? 0,
            past: past.map { Model.Past(at: formatTime($0.createdAt, language), source: $0.source, imported: $0.imported, skipped: $0.skipped, by: $0.createdBy) },
            action: SiteURL.surveyImport(survey.id).path, surveyHref: SiteURL.survey(survey.id).path)
    }

    static func render(_ s: AppServices, _ ctx: UserContext, _ survey: SurveyRecord, input: Input, errors: [FieldError] = [],
                       issues: [SurveyCSVIssue] = [], skipped: [SurveyCSVSkippedRow] = [], reportID: Int64? = nil,
                       status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let past = try await s.store.surveyImports(surveyID: survey.id, limit: 10)
        let m = model(survey: survey, input: input, errors: errors, issues: issues, skipped: skipped,
                      report: reportID.flatMap { id in past.first { $0.id == id } }, past: past, language: ctx.language, t: t)
        return .html(s.views.render("survey_import", title: t["survey_import"] + " · " + survey.name, page: m, context: ctx, active: .surveys),
                     status: status)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .surveyImport(.key), .surveyManage, "Paper questionnaire import form (CSV)") { req, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            return try await render(s, ctx, survey, input: Input(), reportID: req.uri.queryParameters.get("import").flatMap { Int64($0) })
        }

        r.page(.post, .surveyImport(.key), .surveyManage, "Import paper questionnaires (CSV): all rows or none, or skip bad rows") { req, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            let t = s.views.strings(ctx.language)
            // An uploaded .xlsx or CSV file (multipart part `file`) arrives as the `csv` text (SurveyImportUpload).
            let f: FormData
            do { f = try await SurveyImportUpload.form(req, ctx) } catch let e as XLSXReadError {
                return try await render(s, ctx, survey, input: Input(), errors: [FieldError(field: "csv", message: t.format("survey_import_xlsx_failed", e.description))],
                                        status: .badRequest)
            }
            let input = Input(text: f["csv"] ?? "", source: f.text("source"), defaultDate: f.text("default_date"), skip: f["skip_invalid"] != nil)
            func fail(_ errors: [FieldError], _ issues: [SurveyCSVIssue] = [], skipped: [SurveyCSVSkippedRow] = []) async throws -> Response {
                try await render(s, ctx, survey, input: input, errors: errors, issues: issues, skipped: skipped, status: .badRequest)
            }
            var errors: [FieldError] = []
            let date = CivilDate(input.defaultDate)
            if date == nil { errors.append(FieldError(field: "default_date", message: t["err_date"])) }
            if input.text.trimmed.isEmpty { errors.append(FieldError(field: "csv", message: t["err_required"])) }
            if input.source.count > 200 { errors.append(FieldError(field: "source", message: t["survey_err_too_long"])) }
            guard errors.isEmpty, let date else { return try await fail(errors) }
            let parsed: SurveyCSVImport
            do throws(SurveyError) {
                parsed = try SurveyCSVImporter(definition: survey.definition, options: .init(skipInvalidRows: input.skip)).parse(input.text)
            } catch {
                if case let .csvRejected(issues) = error {
                    return try await fail([FieldError(field: "csv", message: t.format("survey_import_rejected", issues.count))], issues)
                }
                return try await fail([FieldError(field: "csv", message: t["survey_import_failed"])])
            }
            if parsed.responses.isEmpty {
                return try await fail([FieldError(field: "csv", message: t["survey_import_nothing"])], skipped: parsed.skipped)
            }
            do {
                let rec = try await s.store.importResponses(surveyID: survey.id, parsed.responses, defaultDate: date,
                                                            source: input.source.isEmpty ? t["survey_import_pasted"] : input.source,
                                                            skipped: parsed.skipped, blankRows: parsed.blankRows, by: ctx.actor)
                PantauMetrics.surveySubmitted(rec.imported, source: .import)
                return .seeOther(SiteURL.surveyImport(survey.id).path(query: ["import": String(rec.id)]),
                                 flash: t.format("survey_import_done_flash", rec.imported, rec.skipped), secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await fail(fieldErrors(e, t))
            }
        }
    }
}
