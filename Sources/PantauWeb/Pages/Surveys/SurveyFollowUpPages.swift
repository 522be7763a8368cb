import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// `/surveys/{id}/followups`: the follow-up plan (RTL) with the form for a new action;
/// `/surveys/{id}/followups/{item}/edit`: one action's status, owner and links.
enum SurveyFollowUpPages {
    struct ListModel {
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
        let form: FormModel
        let listHref = SiteURL.surveys.path
        let surveyHref: String
    }

    struct FormModel {
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
        /// Each error's field is the id of its input (`fu-…`), for the links of the summary.
        let errors: [FieldError]
        /// Form field names with a problem (`aria-invalid`).
        let invalid: [String: Bool]
        let surveyName: String
        let backHref: String
    }

    /// Form fields: the id of their input and the catalog key of their label.
    static let fields = ["period": ("fu-period", "survey_period"), "unsur": ("fu-unsur", "survey_unsur"), "problem": ("fu-problem", "followup_problem"),
                         "action": ("fu-action", "followup_action"), "owner": ("fu-owner", "followup_owner"), "due_date": ("fu-due", "followup_due"),
                         "status": ("fu-status", "status"), "links": ("fu-links", "followup_links")]

    /// Pure: the form of an action (`f` is what was typed or the stored values).
    static func formModel(survey: SurveyRecord, item: Int64?, form f: FormData, periodChoices: [SurveyPeriod], errors: [FieldError],
                          language lang: Language, t: Strings) -> FormModel {
        let chosen = f.text("period")
        var periods = [Option(value: "", label: t["followup_no_period"], selected: chosen.isEmpty)]
        periods += periodChoices.map { Option(value: $0.description, label: $0.label(lang.survey), selected: $0.description == chosen) }
        var unsur = [Option(value: "", label: t["followup_no_unsur"], selected: f.text("unsur").isEmpty)]
        unsur += survey.definition.items.enumerated().map { i, item in
            Option(value: item.unsur.code.rawValue, label: "U\(i + 1) \(item.unsur.name.text(lang.survey))", selected: item.unsur.code.rawValue == f.text("unsur"))
        }
        let st = f.text("status").isEmpty ? "planned" : f.text("status")
        let statuses = SurveyFollowUpStatus.allCases.map { Option(value: $0.rawValue, label: t["followup_status_\($0.rawValue)"], selected: $0.rawValue == st) }
        return FormModel(action: item.map { SiteURL.surveyFollowUp(survey.id, item: $0).path } ?? SiteURL.surveyFollowUps(survey.id).path,
                         isNew: item == nil, periods: periods, unsur: unsur, statuses: statuses, problem: f.text("problem"),
                         actionText: f.text("action"), owner: f.text("owner"), due: f.text("due_date"), links: f["links"] ?? "",
                         errors: errors.map { e in
                             guard let (id, label) = fields[e.field] else { return e }
                             return FieldError(field: id, message: e.message, label: t[label])
                         },
                         invalid: Dictionary(errors.map { ($0.field, true) }, uniquingKeysWith: { a, _ in a }),
                         surveyName: survey.name, backHref: SiteURL.surveyFollowUps(survey.id).path)
    }

    /// Pure: the plan with its progress.
    static func listModel(survey: SurveyRecord, items: [SurveyFollowUpRecord], canManage: Bool, form: FormModel, language lang: Language,
                          t: Strings) -> ListModel {
        let counted = items.filter { $0.status != .cancelled }
        let done = counted.filter { $0.status == .done }.count
        let progress = counted.isEmpty ? "–" : "\(done) / \(counted.count) (\(SKMFormat.percent(Double(done) / Double(counted.count), lang)))"
        let rows = items.map { f in
            ListModel.Row(id: f.id, period: f.period?.label(lang.survey) ?? "–", unsur: SurveyDisplay.unsurName(f.unsur, survey.definition, lang),
                          problem: f.problem, action: f.action, owner: f.owner, due: SKMFormat.date(f.dueDate, lang),
                          status: t["followup_status_\(f.status.rawValue)"], statusKey: f.status.rawValue, links: f.links,
                          editHref: SiteURL.surveyFollowUpEdit(survey.id, item: f.id).path)
        }
        return ListModel(id: survey.id, name: survey.name, rows: rows, progress: progress, canManage: canManage, form: form,
                         surveyHref: SiteURL.survey(survey.id).path)
    }

    /// The follow-up input of a form, or the field problems.
    static func input(_ f: FormData, _ survey: SurveyRecord, _ t: Strings) -> (SurveyFollowUpInput?, [FieldError]) {
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
        errors += input.inputProblems(definition: survey.definition).map { $0.fieldError(t) }
        return (input, errors)
    }

    static func periodChoices(_ s: AppServices, _ survey: SurveyRecord, chosen: String) async throws -> [SurveyPeriod] {
        let counts = try await s.store.responseCounts(surveyID: survey.id, kind: survey.periodKind)
        let records = try await s.store.periodRecords(surveyID: survey.id)
        let current = SurveyPeriod(containing: CivilDate(Date()), kind: survey.periodKind)
        return SurveyAnalysis.choices(survey, counts: counts, records: records, selected: SurveyPeriod(chosen) ?? current)
    }

    static func renderList(_ s: AppServices, _ ctx: UserContext, _ survey: SurveyRecord, input: FormData?, errors: [FieldError],
                           status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let f = input ?? FormData("")
        let form = formModel(survey: survey, item: nil, form: f, periodChoices: try await periodChoices(s, survey, chosen: f.text("period")),
                             errors: errors, language: ctx.language, t: t)
        let m = listModel(survey: survey, items: try await s.store.surveyFollowUps(surveyID: survey.id), canManage: SurveyAccess.canManage(ctx.identity),
                          form: form, language: ctx.language, t: t)
        return .html(s.views.render("survey_followups", title: t["followups"] + " · " + survey.name, page: m, context: ctx, active: .surveys),
                     status: status)
    }

    static func renderEdit(_ s: AppServices, _ ctx: UserContext, _ survey: SurveyRecord, _ item: SurveyFollowUpRecord, form f: FormData,
                           errors: [FieldError], status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let m = formModel(survey: survey, item: item.id, form: f, periodChoices: try await periodChoices(s, survey, chosen: f.text("period")),
                          errors: errors, language: ctx.language, t: t)
        return .html(s.views.render("survey_followup_form", title: t["followup_edit"], page: m, context: ctx, active: .surveys), status: status)
    }

    static func loadItem(_ s: AppServices, _ ctx: UserContext) async throws -> (SurveyRecord, SurveyFollowUpRecord) {
        let (survey, _) = try await SurveyAccess.load(s, ctx)
        let item = try await s.store.surveyFollowUp(id: try ctx.int64("item"))
        guard item.surveyID == survey.id else { throw AppError.notFound }
        return (survey, item)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .surveyFollowUps(.key), .surveyRead, "Follow-up plan (RTL) of a survey") { _, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            return try await renderList(s, ctx, survey, input: nil, errors: [])
        }

        r.page(.post, .surveyFollowUps(.key), .surveyManage, "Add a follow-up action (RTL)") { req, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try await submittedForm(req, ctx.base)
            let (input, errors) = input(f, survey, t)
            guard let input, errors.isEmpty else { return try await renderList(s, ctx, survey, input: f, errors: errors, status: .badRequest) }
            do {
                try await s.store.createSurveyFollowUp(surveyID: survey.id, input, by: ctx.actor)
                return .seeOther(.surveyFollowUps(survey.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await renderList(s, ctx, survey, input: f, errors: fieldErrors(e, t), status: .badRequest)
            }
        }

        r.page(.get, .surveyFollowUpEdit(.key, item: .key), .surveyManage, "Edit a follow-up action (RTL)") { _, ctx in
            let (survey, item) = try await loadItem(s, ctx)
            let f = FormData(pairs: [
                ("period", item.period?.description ?? ""), ("unsur", item.unsur?.rawValue ?? ""), ("problem", item.problem),
                ("action", item.action), ("owner", item.owner), ("due_date", item.dueDate?.description ?? ""),
                ("status", item.status.rawValue), ("links", item.links.joined(separator: "\n")),
            ])
            return try await renderEdit(s, ctx, survey, item, form: f, errors: [])
        }

        r.page(.post, .surveyFollowUp(.key, item: .key), .surveyManage, "Save a follow-up action (RTL): status, owner, links") { req, ctx in
            let (survey, item) = try await loadItem(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try await submittedForm(req, ctx.base)
            let (input, errors) = input(f, survey, t)
            guard let input, errors.isEmpty else { return try await renderEdit(s, ctx, survey, item, form: f, errors: errors, status: .badRequest) }
            do {
                try await s.store.updateSurveyFollowUp(id: item.id, input, by: ctx.actor)
                return .seeOther(.surveyFollowUps(survey.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await renderEdit(s, ctx, survey, item, form: f, errors: fieldErrors(e, t), status: .badRequest)
            }
        }
    }
}
