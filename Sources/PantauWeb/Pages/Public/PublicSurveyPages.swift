import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

/// `/s/{code}`: the anonymous survey form at a short link (works without JavaScript), its
/// thank-you page and the QR code of the link.
///
/// Protection without tracking: a per-client rate limit kept in the database (client addresses
/// hashed, IPv6 per /64, behind a trusted proxy the proxy's `X-Forwarded-For` entry), a honeypot
/// field, a signed issue time (``SurveyFormToken``) with a minimum fill time, and a single-use
/// nonce consumed just before the response is stored.
enum PublicSurveyPages {
    static let honeypotField = "website"
    static let secretName = "survey_form"
    static let publicActor = AuditActor(userID: nil, label: "public")

    struct FormModel {
        struct Choice { let id: String; let name: String; let value: String; let label: String; let checked: Bool }
        struct Question { let code: String; let number: String; let name: String; let question: String; let choices: [Choice]; let error: String? }
        struct Problem { let anchor: String; let message: String }

        let action: String
        let code: String
        let title: String
        let unit: String
        let agency: String
        let service: String
        let token: String
        let questions: [Question]
        let genders: [Choice]
        let asksAge: Bool
        let age: String
        let ageError: String?
        let educations: [Option]
        let occupations: [Option]
        let occupationDetail: String
        let serviceTypes: [Option]
        let serviceTypeFree: Bool
        let serviceType: String
        let caseReference: String
        let saran: String
        let errors: [Problem]
        /// Stored (templates see stored properties only).
        let hasErrors: Bool
        let notice: String?
    }

    struct MessageModel {
        let agency: String
        let unit: String
        let title: String
        let message: String
        let service: String
        let code: String
    }

    /// Pure: the form of `survey` in `language`, with what was typed (`form`) and its problems.
    static func model(survey: SurveyRecord, tree: OrgTree, token: String, form f: FormData?, errors: [FieldError], notice: String?,
                      language: Language, t: Strings) -> FormModel {
        let lang = language.survey
        let def = survey.definition
        let f = f ?? FormData("")
        let errorOf = Dictionary(errors.map { ($0.field, $0.message) }, uniquingKeysWith: { a, _ in a })
        let questions = def.items.enumerated().map { i, item in
            let code = item.unsur.code.rawValue
            let chosen = f.text("u_\(code)")
            return FormModel.Question(
                code: code, number: "\(i + 1)", name: item.unsur.name.text(lang), question: item.unsur.question.text(lang),
                choices: item.unsur.answerLabels.enumerated().map { k, l in
                    FormModel.Choice(id: "q-\(code)-\(k + 1)", name: "u_\(code)", value: "\(k + 1)", label: l.text(lang), checked: chosen == "\(k + 1)")
                },
                error: errorOf["q-\(code)"])
        }
        let g = f.text("gender")
        let genders = RespondentGender.allCases.map {
            FormModel.Choice(id: "gender-\($0.rawValue)", name: "gender", value: $0.rawValue, label: $0.label.text(lang), checked: g == $0.rawValue)
        }
        func options(_ list: [ProfileChoice], _ field: String) -> [Option] {
            [Option(value: "", label: t["public_choose"], selected: f.text(field).isEmpty)]
                + list.map { Option(value: $0.code, label: $0.label.text(lang), selected: $0.code == f.text(field)) }
        }
        let problems = errors.map { e in
            FormModel.Problem(anchor: e.field.hasPrefix("q-") ? e.field : (e.field.isEmpty ? "main" : e.field), message: e.message)
        }
        return FormModel(
            action: SiteURL.publicSurvey(code: survey.code).path,
            code: survey.code, title: def.title?.text(lang) ?? t.format("public_form_heading", survey.name),
            unit: tree.unit(survey.unitID)?.name ?? "", agency: tree.path(to: survey.unitID).first?.name ?? "", service: survey.name,
            token: token, questions: questions, genders: genders, asksAge: def.profile.asksAge, age: f.text("age"), ageError: errorOf["age"],
            educations: options(def.profile.educationLevels, "education"), occupations: options(def.profile.occupations, "occupation"),
            occupationDetail: f.text("occupation_detail"), serviceTypes: options(def.profile.serviceTypes, "service_type"),
            serviceTypeFree: def.profile.serviceTypes.isEmpty, serviceType: f.text("service_type"), caseReference: f.text("case_reference"),
            saran: f["saran"] ?? "", errors: problems, hasErrors: !problems.isEmpty, notice: notice)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.open(.get, .publicSurvey(code: .key), "Public survey form (anonymous, works without JavaScript)") { _, ctx in
            // The blank form is the same for everyone but its two tokens: rendered once per survey
            // version and language (found without decoding the survey), the tokens filled in per request.
            guard let code = ctx.parameters.get("code"), let stamp = try await s.store.surveyStamp(code: code) else { throw AppError.notFound }
            guard stamp.active else { return try await closedPage(s, ctx, try await load(s, ctx)) }
            let token = SurveyFormToken.make(secret: try await s.secret(named: secretName), surveyID: stamp.id, issuedAt: Date())
            let key = "form|\(stamp.id)|\(stamp.updatedAt.timeIntervalSince1970)|\(ctx.language.rawValue)"
            let html = try await s.pageCache.page(key) {
                let survey = try await load(s, ctx)
                let t = s.views.strings(ctx.language)
                var marked = ctx
                marked.csrfToken = PageCache.csrfMark
                return s.views.render("public_form", title: survey.definition.title?.text(ctx.language.survey) ?? t["public_form_title"],
                                      page: try await formModel(s, marked, survey, token: PageCache.formTokenMark, form: nil, errors: [], notice: nil),
                                      context: marked)
            }
            return .html(html.filled(csrf: ctx.csrfToken, formToken: token))
        }

        r.open(.post, .publicSurvey(code: .key), "Submit the public survey form (rate-limited per client; honeypot and minimum fill time)") { req, ctx in
            let survey = try await load(s, ctx)
            let t = s.views.strings(ctx.language)
            guard survey.active else { return try await closedPage(s, ctx, survey) }
            let secret = try await s.secret(named: secretName)
            let client = ClientAddress.rateKey(ClientAddress.of(req, ctx, trustForwardedFor: s.config.trustForwardedFor))
            let key = "skm:" + Secrets.sha256(secret + "|" + client)
            let decision = try await s.store.rateLimitHit(key: key, limit: s.config.surveyRateLimit, window: s.config.surveyRateWindow)
            if !decision.allowed {
                var resp = try await messagePage(s, ctx, survey, title: t["public_too_many_title"], message: t["public_too_many"], status: .tooManyRequests)
                resp.headers[.retryAfter] = "\(decision.retryAfter)"
                return resp
            }
            let f = try await submittedForm(req, ctx)
            let fresh = SurveyFormToken.make(secret: secret, surveyID: survey.id, issuedAt: Date())
            func again(_ notice: String, status: HTTPResponse.Status) async throws -> Response {
                .html(s.views.render("public_form", title: survey.definition.title?.text(ctx.language.survey) ?? t["public_form_title"],
                                     page: try await formModel(s, ctx, survey, token: fresh, form: f, errors: [], notice: notice), context: ctx),
                      status: status)
            }
            // Non-tracking checks: a field people never see, and the time since the form was issued.
            if !(f[honeypotField] ?? "").isEmpty { return try await again(t["public_rejected"], status: .unprocessableContent) }
            switch SurveyFormToken.check(f["_t"], secret: secret, surveyID: survey.id, now: Date(), minimumSeconds: s.config.surveyMinFillSeconds) {
            case .ok: break
            case .tooFast: return try await again(t["public_too_fast"], status: .unprocessableContent)
            case .expired, .invalid: return try await again(t["public_expired"], status: .unprocessableContent)
            }
            let (response, errors) = parse(f, survey.definition, t)
            guard errors.isEmpty, let response else {
                return .html(s.views.render("public_form", title: survey.definition.title?.text(ctx.language.survey) ?? t["public_form_title"],
                                            page: try await formModel(s, ctx, survey, token: fresh, form: f, errors: errors, notice: nil), context: ctx),
                             status: .badRequest)
            }
            // Each form is stored once: a replayed token (a script re-posting one valid form) is
            // refused. Used up only now, so a form sent back for corrections keeps working.
            guard let nonce = SurveyFormToken.nonce(f["_t"]),
                  try await s.store.consumeNonce("skm:\(survey.id):\(nonce)", keepFor: SurveyFormToken.maxAge + 120)
            else { return try await again(t["public_replayed"], status: .unprocessableContent) }
            do {
                try await s.store.submitResponse(surveyID: survey.id, response, channel: .web, by: publicActor)
                PantauMetrics.surveySubmitted(source: .public)
            } catch let e as StoreError {
                if case .conflict = e { return try await closedPage(s, ctx, survey) }
                return .html(s.views.render("public_form", title: survey.definition.title?.text(ctx.language.survey) ?? t["public_form_title"],
                                            page: try await formModel(s, ctx, survey, token: fresh, form: f, errors: fieldErrors(e, t), notice: nil),
                                            context: ctx), status: .badRequest)
            }
            return .seeOther(.publicSurveyThanks(code: survey.code))
        }

        r.open(.get, .publicSurveyThanks(code: .key), "Thank-you page after the public survey form") { _, ctx in
            let survey = try await load(s, ctx)
            let t = s.views.strings(ctx.language)
            return try await messagePage(s, ctx, survey, title: t["public_thanks_title"], message: t["public_thanks"], status: .ok, template: "public_thanks")
        }

        r.open(.get, .publicSurveyQRCode(code: .key), "QR code (SVG) of a survey's public link", kind: .asset) { _, ctx in
            let survey = try await load(s, ctx)
            let url = surveyPublicURL(s, survey.code)
            let qr = try QRCode(text: url, options: .init(errorCorrection: .quartile))
            var resp = Response.text(qr.svg(moduleSize: 8, quietZone: 4, title: "SKM: \(survey.name) — \(url)"), contentType: "image/svg+xml; charset=utf-8")
            resp.headers[.cacheControl] = "public, max-age=86400"
            return resp
        }
    }

    static func load(_ s: AppServices, _ ctx: PantauRequestContext) async throws -> SurveyRecord {
        guard let code = ctx.parameters.get("code"), let survey = try await s.store.survey(code: code) else { throw AppError.notFound }
        return survey
    }

    /// The response a form describes, or the problems (field names as in the form, for anchors).
    static func parse(_ f: FormData, _ def: SurveyDefinition, _ t: Strings) -> (SurveyResponse?, [FieldError]) {
        var errors: [FieldError] = []
        var answers: [UnsurCode: Int] = [:]
        for item in def.items {
            let v = f.text("u_\(item.unsur.code)")
            if v.isEmpty { continue }
            guard let n = Int(v) else {
                errors.append(FieldError(field: "q-\(item.unsur.code)", message: t["public_err_choice"]))
                continue
            }
            answers[item.unsur.code] = n
        }
        var profile = RespondentProfile()
        switch f.text("gender") {
        case "": break
        case "L": profile.gender = .male
        case "P": profile.gender = .female
        default: errors.append(FieldError(field: "gender", message: t["public_err_choice"]))
        }
        let ageText = f.text("age")
        if def.profile.asksAge, !ageText.isEmpty {
            if let a = Int(ageText) { profile.age = a } else { errors.append(FieldError(field: "age", message: t["public_err_age"])) }
        }
        profile.education = f.text("education")
        profile.occupation = f.text("occupation")
        profile.occupationDetail = f.text("occupation_detail")
        profile.serviceType = f.text("service_type")
        let response = SurveyResponse(profile: profile, answers: answers, saran: f.text("saran"), caseReference: f.text("case_reference"))
            .normalized(against: def)
        // PantauCore's one validator decides; its codes become this form's fields and catalog texts.
        let unreadableScore = errors.contains { $0.field.hasPrefix("q-") }
        for p in response.validate(against: def) {
            switch (p.code, p.field) {
            case (.noAnswer, _):
                if !unreadableScore {
                    errors.append(FieldError(field: def.items.first.map { "q-\($0.unsur.code)" } ?? "q", message: t["public_err_no_answer"]))
                }
            case (_, .answer(let code)): errors.append(FieldError(field: "q-\(code)", message: t["public_err_choice"]))
            case (.ageOutOfRange, _): errors.append(FieldError(field: "age", message: t["public_err_age"]))
            case (.tooLong, let field):
                let name = field == .saran ? "saran" : field == .caseReference ? "case_reference" : field == .occupationDetail ? "occupation_detail"
                    : field == .serviceType ? "service_type" : field.path
                errors.append(FieldError(field: name, message: t.format("public_err_too_long", p.arguments.first ?? "")))
            case (_, .education): errors.append(FieldError(field: "education", message: t["public_err_choice"]))
            case (_, .occupation): errors.append(FieldError(field: "occupation", message: t["public_err_choice"]))
            case (_, .serviceType): errors.append(FieldError(field: "service_type", message: t["public_err_choice"]))
            case (_, let field): errors.append(FieldError(field: field.path, message: t["public_err_choice"]))
            }
        }
        return (errors.isEmpty ? response : nil, errors)
    }

    static func formModel(_ s: AppServices, _ ctx: PantauRequestContext, _ survey: SurveyRecord, token: String, form f: FormData?,
                          errors: [FieldError], notice: String?) async throws -> FormModel {
        model(survey: survey, tree: try await s.store.orgTree(), token: token, form: f, errors: errors, notice: notice,
              language: ctx.language, t: s.views.strings(ctx.language))
    }

    static func messagePage(_ s: AppServices, _ ctx: PantauRequestContext, _ survey: SurveyRecord, title: String, message: String,
                            status: HTTPResponse.Status, template: String = "public_message") async throws -> Response {
        let tree = try await s.store.orgTree()
        let model = MessageModel(agency: tree.path(to: survey.unitID).first?.name ?? "", unit: tree.unit(survey.unitID)?.name ?? "",
                                       title: title, message: message, service: survey.name, code: survey.code)
        return .html(s.views.render(template, title: title, page: model, context: ctx), status: status)
    }

    static func closedPage(_ s: AppServices, _ ctx: PantauRequestContext, _ survey: SurveyRecord) async throws -> Response {
        let t = s.views.strings(ctx.language)
        return try await messagePage(s, ctx, survey, title: t["public_closed_title"], message: t["public_closed"], status: .gone)
    }
}
