import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

/// The signed hidden field of the public form: when it was issued, for which survey, and an HMAC
/// over both with a server secret. It lets Pantau refuse forms sent faster than a person can fill
/// them (and forms forged or kept for days) without cookies or any record of who asked.
///
/// Text form: `<issued unix seconds>.<nonce>.<hex HMAC-SHA256(secret, "surveyID|issued|nonce")>`.
public enum SurveyFormToken {
    public enum Check: Equatable, Sendable {
        case ok
        /// Sent sooner than the minimum fill time after the form was issued.
        case tooFast
        /// Older than the maximum age (or issued in the future).
        case expired
        /// Missing, malformed or not signed by this server for this survey.
        case invalid
    }

    /// Forms older than this are refused (the person reloads the page).
    public static let maxAge: TimeInterval = 24 * 3600

    public static func make(secret: String, surveyID: Int64, issuedAt: Date, nonce: String? = nil) -> String {
        let issued = Int64(issuedAt.timeIntervalSince1970.rounded(.down))
        let n = nonce ?? String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return "\(issued).\(n).\(signature(secret: secret, surveyID: surveyID, issued: issued, nonce: n))"
    }

    static func signature(secret: String, surveyID: Int64, issued: Int64, nonce: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(surveyID)|\(issued)|\(nonce)".utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    public static func check(_ token: String?, secret: String, surveyID: Int64, now: Date, minimumSeconds: Double) -> Check {
        guard let token, token.count < 200 else { return .invalid }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let issued = Int64(parts[0]), !parts[1].isEmpty, parts[1].count <= 20,
              Secrets.equal(parts[2], signature(secret: secret, surveyID: surveyID, issued: issued, nonce: parts[1]))
        else { return .invalid }
        let age = now.timeIntervalSince1970 - Double(issued)
        if age < -60 || age > maxAge { return .expired }
        if age < minimumSeconds { return .tooFast }
        return .ok
    }
}

struct PublicFormModel {
    struct Choice { let id: String; let name: String; let value: String; let label: String; let checked: Bool }
    struct Question { let code: String; let number: String; let name: String; let question: String; let choices: [Choice]; let error: String? }
    struct Problem { let anchor: String; let message: String }

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

struct PublicMessageModel {
    let agency: String
    let unit: String
    let title: String
    let message: String
    let service: String
    let code: String
}

struct TransparencyModel {
    struct Unsur { let number: String; let name: String; let nrr: String; let converted: String; let grade: String }
    struct Link { let href: String; let label: String }
    struct Row {
        let unit: String; let agency: String; let service: String; let period: String; let respondents: Int; let ikm: String
        let grade: String; let gradeLabel: String; let gradeKey: String; let published: String; let links: [Link]; let unsur: [Unsur]
        let sample: String
    }
    let rows: [Row]
}

/// The public side of the SKM: the anonymous form at a short link, the thank-you page, the QR
/// code, and the transparency page of published results.
enum PublicSurveyPages {
    static let honeypotField = "website"
    static let secretName = "survey_form"
    static let publicActor = AuditActor(userID: nil, label: "public")

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, "/s/:code", .anyone, "Public survey form (anonymous, works without JavaScript)") { _, ctx in
            let survey = try await load(s, ctx)
            let t = s.views.strings(ctx.language)
            guard survey.active else { return try await closedPage(s, ctx, survey) }
            let token = SurveyFormToken.make(secret: try await s.store.appSecret(named: secretName), surveyID: survey.id, issuedAt: Date())
            return .html(s.views.render("public_form", title: survey.definition.title?.text(ctx.language.survey) ?? t["public_form_title"],
                                        page: try await formModel(s, ctx, survey, token: token, form: nil, errors: [], notice: nil), context: ctx))
        }

        r.page(.post, "/s/:code", .anyone, "Submit the public survey form (rate-limited per client; honeypot and minimum fill time)") { req, ctx in
            let survey = try await load(s, ctx)
            let t = s.views.strings(ctx.language)
            guard survey.active else { return try await closedPage(s, ctx, survey) }
            let secret = try await s.store.appSecret(named: secretName)
            let key = "skm:" + Secrets.sha256(secret + "|" + clientAddress(req, ctx, s.config))
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
            do {
                try await s.store.submitResponse(surveyID: survey.id, response, channel: .web, by: publicActor)
            } catch let e as StoreError {
                if case .conflict = e { return try await closedPage(s, ctx, survey) }
                return .html(s.views.render("public_form", title: survey.definition.title?.text(ctx.language.survey) ?? t["public_form_title"],
                                            page: try await formModel(s, ctx, survey, token: fresh, form: f, errors: fieldErrors(e), notice: nil),
                                            context: ctx), status: .badRequest)
            }
            return .seeOther("/s/\(survey.code)/terima-kasih")
        }

        r.page(.get, "/s/:code/terima-kasih", .anyone, "Thank-you page after the public survey form") { _, ctx in
            let survey = try await load(s, ctx)
            let t = s.views.strings(ctx.language)
            return try await messagePage(s, ctx, survey, title: t["public_thanks_title"], message: t["public_thanks"], status: .ok, template: "public_thanks")
        }

        r.add(.get, "/s/:code/qr.svg", .anyone, .asset, "QR code (SVG) of a survey's public link") { _, ctx in
            let survey = try await load(s, ctx)
            let url = surveyPublicURL(s, survey.code)
            let qr = try QRCode(text: url, options: .init(errorCorrection: .quartile))
            var resp = Response.text(qr.svg(moduleSize: 8, quietZone: 4, title: "SKM: \(survey.name) — \(url)"), contentType: "image/svg+xml; charset=utf-8")
            resp.headers[.cacheControl] = "public, max-age=86400"
            return resp
        }

        r.page(.get, "/transparansi", .anyone, "Public transparency page: published SKM results (IKM and grade per service and period)") { _, ctx in
            let t = s.views.strings(ctx.language)
            let lang = ctx.language
            let tree = try await s.store.orgTree()
            let rows = try await s.store.publishedResults().compactMap { p -> TransparencyModel.Row? in
                guard let r = p.record.publishedResult else { return nil }
                let unsur = r.unsur.enumerated().map { i, u in
                    TransparencyModel.Unsur(number: "U\(i + 1)", name: u.name.text(lang.survey), nrr: SKMFormat.number(u.nrr, 2, lang),
                                            converted: SKMFormat.number(u.convertedNRR, 2, lang), grade: u.grade?.rawValue ?? "–")
                }
                let sample = r.sample.map { t.format("transparency_sample", $0.collected, $0.required, $0.population) } ?? ""
                return TransparencyModel.Row(
                    unit: tree.unit(p.survey.unitID)?.name ?? "", agency: tree.path(to: p.survey.unitID).first?.name ?? "",
                    service: p.survey.name, period: p.record.period.label(lang.survey), respondents: r.respondentCount,
                    ikm: SKMFormat.number(r.ikm, 2, lang), grade: r.grade?.rawValue ?? "–", gradeLabel: r.grade?.label.text(lang.survey) ?? "",
                    gradeKey: SurveyPages.gradeKey(r.grade), published: formatTime(p.record.publishedAt, lang),
                    links: p.record.publicationLinks.filter { HTMLEscape.safeURL($0) != nil }.map {
                        TransparencyModel.Link(href: $0, label: URL(string: $0)?.host ?? $0)
                    }, unsur: unsur, sample: sample)
            }
            return .html(s.views.render("public_transparency", title: t["transparency_title"], page: TransparencyModel(rows: rows), context: ctx))
        }
    }

    static func load(_ s: AppServices, _ ctx: PantauRequestContext) async throws -> SurveyRecord {
        guard let code = ctx.parameters.get("code"), let survey = try await s.store.survey(code: code) else { throw AppError.notFound }
        return survey
    }

    /// The client address for the rate limit: the connection's, or behind a trusted proxy the last
    /// `X-Forwarded-For` entry (the one the proxy added; earlier ones can be forged by the client).
    static func clientAddress(_ req: Request, _ ctx: PantauRequestContext, _ config: AppConfig) -> String {
        if config.trustForwardedFor, let xff = req.headers[HTTPField.Name("X-Forwarded-For")!],
           let last = xff.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty {
            return last
        }
        return ctx.remoteAddress ?? "unknown"
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
                          errors: [FieldError], notice: String?) async throws -> PublicFormModel {
        let t = s.views.strings(ctx.language)
        let lang = ctx.language.survey
        let tree = try await s.store.orgTree()
        let def = survey.definition
        let f = f ?? FormData("")
        let errorOf = Dictionary(errors.map { ($0.field, $0.message) }, uniquingKeysWith: { a, _ in a })
        let questions = def.items.enumerated().map { i, item in
            let code = item.unsur.code.rawValue
            let chosen = f.text("u_\(code)")
            return PublicFormModel.Question(
                code: code, number: "\(i + 1)", name: item.unsur.name.text(lang), question: item.unsur.question.text(lang),
                choices: item.unsur.answerLabels.enumerated().map { k, l in
                    PublicFormModel.Choice(id: "q-\(code)-\(k + 1)", name: "u_\(code)", value: "\(k + 1)", label: l.text(lang), checked: chosen == "\(k + 1)")
                },
                error: errorOf["q-\(code)"])
        }
        let g = f.text("gender")
        let genders = RespondentGender.allCases.map {
            PublicFormModel.Choice(id: "gender-\($0.rawValue)", name: "gender", value: $0.rawValue, label: $0.label.text(lang), checked: g == $0.rawValue)
        }
        func options(_ list: [ProfileChoice], _ field: String) -> [Option] {
            [Option(value: "", label: t["public_choose"], selected: f.text(field).isEmpty)]
                + list.map { Option(value: $0.code, label: $0.label.text(lang), selected: $0.code == f.text(field)) }
        }
        let problems = errors.map { e in
            PublicFormModel.Problem(anchor: e.field.hasPrefix("q-") ? e.field : (e.field.isEmpty ? "main" : e.field), message: e.message)
        }
        return PublicFormModel(
            code: survey.code, title: def.title?.text(lang) ?? t.format("public_form_heading", survey.name),
            unit: tree.unit(survey.unitID)?.name ?? "", agency: tree.path(to: survey.unitID).first?.name ?? "", service: survey.name,
            token: token, questions: questions, genders: genders, asksAge: def.profile.asksAge, age: f.text("age"), ageError: errorOf["age"],
            educations: options(def.profile.educationLevels, "education"), occupations: options(def.profile.occupations, "occupation"),
            occupationDetail: f.text("occupation_detail"), serviceTypes: options(def.profile.serviceTypes, "service_type"),
            serviceTypeFree: def.profile.serviceTypes.isEmpty, serviceType: f.text("service_type"), caseReference: f.text("case_reference"),
            saran: f["saran"] ?? "", errors: problems, hasErrors: !problems.isEmpty, notice: notice)
    }

    static func messagePage(_ s: AppServices, _ ctx: PantauRequestContext, _ survey: SurveyRecord, title: String, message: String,
                            status: HTTPResponse.Status, template: String = "public_message") async throws -> Response {
        let tree = try await s.store.orgTree()
        let model = PublicMessageModel(agency: tree.path(to: survey.unitID).first?.name ?? "", unit: tree.unit(survey.unitID)?.name ?? "",
                                       title: title, message: message, service: survey.name, code: survey.code)
        return .html(s.views.render(template, title: title, page: model, context: ctx), status: status)
    }

    static func closedPage(_ s: AppServices, _ ctx: PantauRequestContext, _ survey: SurveyRecord) async throws -> Response {
        let t = s.views.strings(ctx.language)
        return try await messagePage(s, ctx, survey, title: t["public_closed_title"], message: t["public_closed"], status: .gone)
    }
}
