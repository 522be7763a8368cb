import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// `/surveys/new`, `/surveys/{id}/edit`: set up a survey (service, unit, SOP, period kind, the nine
/// standard unsur and a unit's own, weights, profile questions).
enum SurveyFormPage {
    struct Model {
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
        let listHref = SiteURL.surveys.path
    }

    /// Pure: the form from loaded options. `survey` is nil for a new survey.
    static func model(form: SurveyForm, survey: SurveyRecord?, units: [Option], sops: [SOPRecord], tree: OrgTree, publicBaseURL: String,
                      errors: [FieldError], t: Strings) -> Model {
        var sopOptions = [Option(value: "", label: t["survey_no_sop"], selected: form.sopID == nil)]
        sopOptions += sops.map { sop in
            Option(value: "\(sop.id)", label: "\(sop.number) — \(sop.title) (\(tree.unit(sop.unitID)?.name ?? ""))", selected: sop.id == form.sopID)
        }
        let kinds = SurveyPeriod.Kind.allCases.map { Option(value: $0.rawValue, label: t["period_kind_\($0.rawValue)"], selected: $0 == form.periodKind) }
        let educations = [Option(value: "custom", label: t["survey_education_custom"], selected: form.education == "custom"),
                          Option(value: "standard", label: t["survey_education_standard"], selected: form.education == "standard"),
                          Option(value: "diploma", label: t["survey_education_diploma"], selected: form.education == "diploma")]
        return Model(
            action: survey.map { SiteURL.survey($0.id).path } ?? SiteURL.surveys.path, isNew: survey == nil,
            units: units, sops: sopOptions, kinds: kinds, educations: educations, form: form,
            errors: errors, weightErrors: errors.filter { $0.field == "weights" }.map(\.message),
            publicURL: survey.map { publicBaseURL + SiteURL.publicSurvey(code: $0.code).path },
            cancelHref: survey.map { SiteURL.survey($0.id).path } ?? SiteURL.surveys.path)
    }

    static func render(_ s: AppServices, _ ctx: UserContext, form: SurveyForm, survey: SurveyRecord?, errors: [FieldError],
                       status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let tree = try await s.store.orgTree()
        let sops = try await s.store.sops(SOPQuery(unitIDs: Scope.units(ctx.identity, tree: tree), perPage: 200)).items
        let m = model(form: form, survey: survey, units: try await SOPPages.unitOptions(s, ctx, selected: form.unitID), sops: sops, tree: tree,
                      publicBaseURL: s.config.publicBaseURL, errors: errors, t: t)
        return .html(s.views.render("survey_form", title: t[survey == nil ? "survey_new" : "survey_edit"], page: m, context: ctx, active: .surveys),
                     status: status)
    }

    /// Saves a submitted set-up form (new when `survey` is nil), or shows it again with every problem.
    static func save(_ s: AppServices, _ req: Request, _ ctx: UserContext, survey: SurveyRecord?) async throws -> Response {
        let t = s.views.strings(ctx.language)
        var form = SurveyForm(form: try await submittedForm(req, ctx.base))
        switch form.input(t) {
        case let .failure(e):
            form.mark(e.list)
            form.padRows()
            return try await render(s, ctx, form: form, survey: survey, errors: e.list, status: .badRequest)
        case let .success(input):
            try await SOPPages.requireScope(s, ctx, unit: input.unitID)
            do {
                let id: Int64
                if let survey {
                    try await s.store.updateSurvey(id: survey.id, input, by: ctx.actor)
                    id = survey.id
                } else {
                    id = try await s.store.createSurvey(input, by: ctx.actor).id
                }
                return .seeOther(.survey(id), flash: t["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                form.padRows()
                return try await render(s, ctx, form: form, survey: survey, errors: fieldErrors(e, t), status: .badRequest)
            }
        }
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .surveyNew, .surveyManage, "New survey form (the nine standard unsur)") { req, ctx in
            let unit = req.uri.queryParameters.get("unit").flatMap { Int64($0) } ?? ctx.user.unitID
            let sop = req.uri.queryParameters.get("sop").flatMap { Int64($0) }
            let def = SurveyDefinition.standard(service: SurveyService(unitID: unit.map { "\($0)" } ?? ""))
            let form = SurveyForm(unitID: unit, sopID: sop, name: "", periodKind: .quarter, definition: def, active: true)
            return try await render(s, ctx, form: form, survey: nil, errors: [])
        }
        r.page(.post, .surveys, .surveyManage, "Create a survey") { req, ctx in
            try await save(s, req, ctx, survey: nil)
        }
        r.page(.get, .surveyEdit(.key), .surveyManage, "Survey set-up form") { _, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            let form = SurveyForm(unitID: survey.unitID, sopID: survey.sopID, name: survey.name, periodKind: survey.periodKind,
                                  definition: survey.definition, active: survey.active)
            return try await render(s, ctx, form: form, survey: survey, errors: [])
        }
        r.page(.post, .survey(.key), .surveyManage, "Save a survey's set-up (unsur, weights, profile)") { req, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            return try await save(s, req, ctx, survey: survey)
        }
    }
}
