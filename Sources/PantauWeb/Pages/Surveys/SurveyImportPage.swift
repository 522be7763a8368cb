import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// `/surveys/{id}/import`: paper questionnaires typed into a spreadsheet, imported as CSV in two
/// steps. *Pratinjau* reads the file and stores nothing: rows, the survey periods they fall in
/// (with the answers each period already holds), ignored columns, errors and warnings. *Simpan*
/// stores exactly the previewed content (all rows or none, or skipping bad rows with a report, in
/// one audited transaction); it is refused when the content or the options changed since the
/// preview (a digest of them travels with the form). A successful import redirects to this page
/// with `?import={record}` so that a refresh never imports the file twice.
///
/// The date for rows without a `tanggal` has no default (it used to be today, which put a
/// quarter's paper forms in the wrong quarter unnoticed): it is required only when some row has
/// no date, and the preview shows where those rows land.
enum SurveyImportPage {
    struct Model {
        struct Issue { let row: Int; let line: Int; let column: String; let value: String; let message: String; let accepted: String? }
        struct Skipped { let row: Int; let line: Int; let issues: [Issue] }
        struct Past { let at: String; let source: String; let imported: Int; let skipped: Int; let by: String }
        let id: Int64
        let name: String
        let text: String
        let source: String
        let defaultDate: String
        let skip: Bool
        let ignoreUnknown: Bool
        let header: String
        let errors: [FieldError]
        let invalid: [String: Bool]
        let issues: [Issue]
        let rejected: Bool
        let imported: Int?
        let skippedRows: [Skipped]
        let blankRows: Int
        let past: [Past]
        let preview: Preview?
        let action: String
        let listHref = SiteURL.surveys.path
        let surveyHref: String
    }

    /// What the file would store, shown before anything is stored.
    struct Preview {
        struct PeriodRow { let period: String; let label: String; let rows: Int; let existing: Int; let fromDefault: Int }
        let rows: Int
        /// Nil when none (a mustache section shows any number, 0 too).
        let skipped: Int?
        let blankRows: Int?
        let withoutDate: Int?
        let periods: [PeriodRow]
        let ignoredColumns: [String]
        let warnings: [String]
        let digest: String
        let canConfirm: Bool
        let confirmLabel: String
    }

    /// What was typed into the form.
    struct Input {
        var text = ""
        var source = ""
        /// Empty until the user chooses one (no silent default).
        var defaultDate = ""
        var skip = false
        var ignoreUnknown = false
        /// `confirm` stores; anything else previews.
        var action = "preview"
        var digest = ""
    }

    static let labels = ["csv": "survey_import_text", "default_date": "survey_import_default_date", "source": "survey_import_source",
                         "ignore_unknown": "survey_import_ignore_label"]

    /// The digest of what a preview showed: the CSV text, the date for undated rows and the options.
    /// The text as the preview's text box sends it back: browsers submit a text box's line breaks
    /// as CR LF and drop a line break right after its start tag, so line breaks are unified and
    /// blank lines at either end left out (the reader skips blank lines anyway).
    static func digest(_ input: Input) -> String {
        let text = input.text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .trimmingCharacters(in: .newlines)
        let material = [text, input.defaultDate.trimmed, input.skip ? "1" : "0", input.ignoreUnknown ? "1" : "0"].joined(separator: "\u{0}")
        return SHA256.hash(data: Data(material.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A CSV problem in the UI's language: the row, the column as written in the header (the
    /// template's names), the value, the reason from the catalog (`csv_problem_*`) and, for a
    /// profile value, the values the survey accepts (or the choices an ambiguous value names).
    static func issue(_ i: SurveyCSVIssue, _ t: Strings) -> Model.Issue {
        let values = i.acceptedValues(t.language.survey)
        let ambiguous = [.ambiguousEducation, .ambiguousOccupation, .ambiguousServiceType].contains(i.problem)
        return .init(row: i.row, line: i.line, column: i.column.isEmpty ? t["survey_import_whole_file"] : i.column, value: i.value,
                     message: t["csv_problem_\(i.problem.rawValue)"],
                     accepted: values.isEmpty ? nil : t.format(ambiguous ? "survey_import_candidates" : "survey_import_accepted", values.joined(separator: ", ")))
    }

    /// Pure: the preview of a parsed file. `existing` is the answers already stored per period of
    /// the survey's kind; `today` the date in WIB.
    static func preview(survey: SurveyRecord, input: Input, parsed: SurveyCSVImport, defaultDate: CivilDate?, existing: [SurveyPeriod: Int],
                        today: CivilDate, t: Strings) -> Preview {
        let lang = t.language.survey
        var byPeriod: [SurveyPeriod: (rows: Int, fromDefault: Int)] = [:]
        var withoutDate = 0, future = 0
        for r in parsed.responses {
            guard let d = r.date ?? defaultDate else { withoutDate += 1; continue }
            let p = SurveyPeriod(containing: d, kind: survey.periodKind)
            byPeriod[p, default: (0, 0)].rows += 1
            if r.date == nil { byPeriod[p, default: (0, 0)].fromDefault += 1 }
            if d > today { future += 1 }
        }
        let periods = byPeriod.keys.sorted().map { p in
            Preview.PeriodRow(period: p.description, label: p.label(lang), rows: byPeriod[p]?.rows ?? 0, existing: existing[p] ?? 0,
                              fromDefault: byPeriod[p]?.fromDefault ?? 0)
        }
        var warnings: [String] = []
        for p in periods where p.existing > 0 { warnings.append(t.format("survey_import_warn_existing", p.label, p.existing)) }
        if future > 0 { warnings.append(t.format("survey_import_warn_future", future)) }
        let created = SurveyPeriod(containing: CivilDate(survey.createdAt), kind: survey.periodKind)
        let before = byPeriod.filter { $0.key < created }.values.reduce(0) { $0 + $1.rows }
        if before > 0 { warnings.append(t.format("survey_import_warn_before", before, created.label(lang))) }
        if !survey.active { warnings.append(t["survey_import_warn_closed"]) }
        let ok = withoutDate == 0 && !parsed.responses.isEmpty
        func some(_ n: Int) -> Int? { n > 0 ? n : nil }
        return Preview(rows: parsed.responses.count, skipped: some(parsed.skipped.count), blankRows: some(parsed.blankRows), withoutDate: some(withoutDate),
                       periods: periods, ignoredColumns: parsed.ignoredColumns, warnings: warnings, digest: digest(input), canConfirm: ok,
                       confirmLabel: t.format("survey_import_confirm", parsed.responses.count))
    }

    /// Pure: the page. `report` is the import just made (after the redirect), `past` the latest imports.
    static func model(survey: SurveyRecord, input: Input, errors: [FieldError], issues: [SurveyCSVIssue], skipped: [SurveyCSVSkippedRow] = [],
                      preview: Preview? = nil, report: SurveyImportRecord?, past: [SurveyImportRecord], language: Language, t: Strings) -> Model {
        let labelled = errors.labelled(labels, t)
        let shownSkipped = report?.skippedRows ?? skipped
        return Model(
            id: survey.id, name: survey.name, text: input.text, source: input.source, defaultDate: input.defaultDate, skip: input.skip,
            ignoreUnknown: input.ignoreUnknown,
            header: SurveyCSVColumn.templateHeader(survey.definition).joined(separator: ";"), errors: labelled,
            invalid: Dictionary(labelled.map { ($0.field, true) }, uniquingKeysWith: { a, _ in a }),
            issues: issues.map { issue($0, t) }, rejected: !issues.isEmpty || !errors.isEmpty, imported: report?.imported,
            skippedRows: shownSkipped.map { .init(row: $0.row, line: $0.line, issues: $0.issues.map { issue($0, t) }) },
            blankRows: report?.blankRows ?? 0,
            past: past.map { Model.Past(at: formatTime($0.createdAt, language), source: $0.source, imported: $0.imported, skipped: $0.skipped, by: $0.createdBy) },
            preview: preview, action: SiteURL.surveyImport(survey.id).path, surveyHref: SiteURL.survey(survey.id).path)
    }

    static func render(_ s: AppServices, _ ctx: UserContext, _ survey: SurveyRecord, input: Input, errors: [FieldError] = [],
                       issues: [SurveyCSVIssue] = [], skipped: [SurveyCSVSkippedRow] = [], preview: Preview? = nil, reportID: Int64? = nil,
                       status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let past = try await s.store.surveyImports(surveyID: survey.id, limit: 10)
        let m = model(survey: survey, input: input, errors: errors, issues: issues, skipped: skipped, preview: preview,
                      report: reportID.flatMap { id in past.first { $0.id == id } }, past: past, language: ctx.language, t: t)
        return .html(s.views.render("survey_import", title: t["survey_import"] + " · " + survey.name, page: m, context: ctx, active: .surveys),
                     status: status)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .surveyImport(.key), .surveyManage, "Paper questionnaire import form (CSV)") { req, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            return try await render(s, ctx, survey, input: Input(), reportID: req.uri.queryParameters.get("import").flatMap { Int64($0) })
        }

        r.page(.post, .surveyImport(.key), .surveyManage,
               "Import paper questionnaires (CSV): preview (rows, periods, ignored columns, errors), then store all rows or none, or skip bad rows") { req, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            let t = s.views.strings(ctx.language)
            // An uploaded .xlsx or CSV file (multipart part `file`) arrives as the `csv` text (SurveyImportUpload).
            let f: FormData
            do { f = try await SurveyImportUpload.form(req, ctx) } catch let e as XLSXReadError {
                return try await render(s, ctx, survey, input: Input(), errors: [FieldError(field: "csv", message: t.format("survey_import_xlsx_failed", e.description))],
                                        status: .badRequest)
            }
            let input = Input(text: f["csv"] ?? "", source: f.text("source"), defaultDate: f.text("default_date"), skip: f["skip_invalid"] != nil,
                              ignoreUnknown: f["ignore_unknown"] != nil, action: f.text("action"), digest: f.text("digest"))
            func fail(_ errors: [FieldError], _ issues: [SurveyCSVIssue] = [], skipped: [SurveyCSVSkippedRow] = [], preview: Preview? = nil) async throws -> Response {
                try await render(s, ctx, survey, input: input, errors: errors, issues: issues, skipped: skipped, preview: preview, status: .badRequest)
            }
            var errors: [FieldError] = []
            let date = CivilDate(input.defaultDate.trimmed)
            if !input.defaultDate.trimmed.isEmpty && date == nil { errors.append(FieldError(field: "default_date", message: t["err_date"])) }
            if input.text.trimmed.isEmpty { errors.append(FieldError(field: "csv", message: t["err_required"])) }
            if input.source.count > 200 { errors.append(FieldError(field: "source", message: t["survey_err_too_long"])) }
            guard errors.isEmpty else { return try await fail(errors) }
            let parsed: SurveyCSVImport
            do throws(SurveyError) {
                parsed = try SurveyCSVImporter(definition: survey.definition,
                                               options: .init(skipInvalidRows: input.skip, allowUnknownColumns: input.ignoreUnknown)).parse(input.text)
            } catch {
                if case let .csvRejected(issues) = error {
                    var errs = [FieldError(field: "csv", message: t.format("survey_import_rejected", issues.count))]
                    if !input.ignoreUnknown, issues.contains(where: { $0.problem == .unknownColumn }) {
                        errs.append(FieldError(field: "ignore_unknown", message: t["survey_import_ignore_hint"]))
                    }
                    return try await fail(errs, issues)
                }
                return try await fail([FieldError(field: "csv", message: t["survey_import_failed"])])
            }
            if parsed.responses.isEmpty {
                return try await fail([FieldError(field: "csv", message: t["survey_import_nothing"])], skipped: parsed.skipped)
            }
            let existing = try await s.store.responseCounts(surveyID: survey.id, kind: survey.periodKind)
            let shown = preview(survey: survey, input: input, parsed: parsed, defaultDate: date, existing: existing, today: CivilDate(Date()), t: t)
            if let undated = shown.withoutDate {
                return try await fail([FieldError(field: "default_date", message: t.format("survey_import_date_needed", undated))],
                                      skipped: parsed.skipped, preview: shown)
            }
            // Stored only on confirmation of exactly what the preview showed.
            guard input.action == "confirm", input.digest == shown.digest else {
                let changed = input.action == "confirm"
                return try await render(s, ctx, survey, input: input, errors: changed ? [FieldError(field: "csv", message: t["survey_import_changed"])] : [],
                                        skipped: parsed.skipped, preview: shown, status: changed ? .conflict : .ok)
            }
            // Every row has a date or takes the chosen one; without undated rows the date is not used.
            let stored = date ?? parsed.responses.compactMap(\.date).max() ?? CivilDate(Date())
            do {
                let rec = try await s.store.importResponses(surveyID: survey.id, parsed.responses, defaultDate: stored,
                                                            source: input.source.isEmpty ? t["survey_import_pasted"] : input.source,
                                                            skipped: parsed.skipped, blankRows: parsed.blankRows, by: ctx.actor)
                PantauMetrics.surveySubmitted(rec.imported, source: .import)
                s.indicatorCache.changed()
                return .seeOther(SiteURL.surveyImport(survey.id).path(query: ["import": String(rec.id)]),
                                 flash: t.format("survey_import_done_flash", rec.imported, rec.skipped), secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await fail(fieldErrors(e, t))
            }
        }
    }
}
