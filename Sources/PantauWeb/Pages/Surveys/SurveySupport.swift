import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PantauCore
import PantauReports
import PantauStore

extension Language {
    /// The survey texts' language for this UI language.
    var survey: SurveyLanguage { self == .id ? .indonesian : .english }
}

/// Number formatting for survey pages: a decimal comma in Bahasa Indonesia.
enum SKMFormat {
    static func number(_ v: Double?, _ decimals: Int, _ lang: Language) -> String {
        guard let v, v.isFinite else { return "–" }
        let s = String(format: "%.\(decimals)f", v)
        return lang == .id ? s.replacingOccurrences(of: ".", with: ",") : s
    }

    /// A share 0–1 as a percentage with one decimal.
    static func percent(_ share: Double, _ lang: Language) -> String { number(share * 100, 1, lang) + "%" }

    /// A weight as a short decimal when exact to 4 places (0,15), otherwise as a fraction (1/9).
    static func weight(_ w: SurveyWeight, _ lang: Language) -> String {
        if w.denominator == 1 { return "\(w.numerator)" }
        let (scaled, overflow) = w.numerator.multipliedReportingOverflow(by: 10_000)
        if !overflow, scaled % w.denominator == 0 {
            var s = number(Double(scaled / w.denominator) / 10_000, 4, lang)
            while s.hasSuffix("0") { s.removeLast() }
            return s
        }
        return "\(w.numerator)/\(w.denominator)"
    }

    /// A weight as the set-up form shows it (parseable back by `SurveyWeight(parsing:)`).
    static func weightInput(_ w: SurveyWeight) -> String { weight(w, .en) }

    static func date(_ d: CivilDate?, _ lang: Language) -> String {
        guard let d else { return "–" }
        return lang == .id ? String(format: "%02d-%02d-%04d", d.day, d.month, d.year) : d.description
    }
}

/// Loading a survey with the caller's unit scope, and who may see what.
enum SurveyAccess {
    /// The survey named by `:id`, when the caller's unit scope covers it (otherwise not found, so
    /// other units' surveys are not even confirmed to exist).
    static func load(_ s: AppServices, _ ctx: some RequestScope) async throws -> (SurveyRecord, OrgTree) {
        let survey = try await s.store.survey(id: try ctx.int64("id"))
        let tree = try await s.store.orgTree()
        guard let identity = ctx.base.identity, Scope.covers(identity, unit: survey.unitID, tree: tree) else { throw AppError.notFound }
        return (survey, tree)
    }

    /// Raw responses: admins, auditors in scope, and the unit's own staff. An evaluator is the
    /// unit's staff only when the survey's unit is their own unit; tokens never see raw responses.
    static func canSeeRaw(_ identity: Identity?, _ survey: SurveyRecord, _ tree: OrgTree) -> Bool {
        guard case let .user(u)? = identity else { return false }
        switch u.role {
        case .admin: return true
        case .evaluator: return u.unitID == survey.unitID
        case .auditor, .unitManager, .officer: return Scope.covers(.user(u), unit: survey.unitID, tree: tree)
        }
    }

    static func requireRaw(_ ctx: UserContext, _ survey: SurveyRecord, _ tree: OrgTree) throws {
        guard canSeeRaw(ctx.identity, survey, tree) else { throw AppError.forbidden }
    }

    static func canManage(_ identity: Identity?) -> Bool {
        if case .user = identity { return AccessRule.surveyManage.allows(identity) }
        return false
    }
}

/// Periods, results and trends of a survey.
enum SurveyAnalysis {
    /// The period in `?period=` (any kind), or the latest period of the survey's kind with
    /// responses, or the current one.
    static func period(_ text: String?, _ survey: SurveyRecord, counts: [SurveyPeriod: Int]) throws -> SurveyPeriod {
        if let text, !text.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let p = SurveyPeriod(text) else {
                throw AppError.rejected([InputProblem("period", "period_format", ["2026, 2026-07, 2026-Q3, 2026-S1"])])
            }
            return p
        }
        return counts.keys.max() ?? SurveyPeriod(containing: CivilDate(Date()), kind: survey.periodKind)
    }

    /// Periods offered in the selector: those with responses or a record, the current period and
    /// the years concerned, newest first.
    static func choices(_ survey: SurveyRecord, counts: [SurveyPeriod: Int], records: [SurveyPeriodRecord], selected: SurveyPeriod) -> [SurveyPeriod] {
        var set = Set(counts.keys)
        set.formUnion(records.map(\.period))
        set.insert(SurveyPeriod(containing: CivilDate(Date()), kind: survey.periodKind))
        set.insert(selected)
        for p in Array(set) { if let y = SurveyPeriod(kind: .year, year: p.year) { set.insert(y) } }
        return set.sorted(by: >)
    }

    /// The SKM result of a period, through the instance's ``RefreshingCache``: recomputed when a
    /// response arrived (or the survey or population changed), once for all readers waiting, and
    /// not more often than the refresh window allows.
    static func result(_ s: AppServices, _ survey: SurveyRecord, _ period: SurveyPeriod, population: Int?) async throws -> SKMResult {
        let store = s.store
        let key = SurveyResultKey(surveyID: survey.id, surveyUpdatedAt: survey.updatedAt, period: period, population: population)
        return try await s.surveyResultCache.value(
            key, refresh: .milliseconds(Int64(s.config.monitoringRefresh * 1000)),
            stamp: {
                let st = try await store.surveyResponseStamp(surveyID: survey.id)
                return "\(st.count)-\(st.lastID ?? 0)"
            },
            compute: {
                let counts = try await store.answerCounts(surveyID: survey.id, period: period)
                do {
                    return try SKMCalculator(options: .init(population: population, period: period)).compute(survey.definition, counts: counts)
                } catch {
                    throw AppError.badRequest("\(error)")
                }
            }).value
    }

    /// The result of `period` with the population entered for it.
    static func current(_ s: AppServices, _ survey: SurveyRecord, _ period: SurveyPeriod) async throws -> (SKMResult, SurveyPeriodRecord?) {
        let record = try await s.store.periodRecord(surveyID: survey.id, period: period)
        return (try await result(s, survey, period, population: record?.population), record)
    }

    /// The IKM over the last `count` periods of the same kind up to `period` that have responses.
    static func trend(_ s: AppServices, _ survey: SurveyRecord, _ period: SurveyPeriod, counts: [SurveyPeriod: Int], count: Int = 6) async throws -> SKMTrend {
        var points: [(period: SurveyPeriod, result: SKMResult)] = []
        let window = period.trendWindow(count)
        // Counts are per period of the survey's kind; other kinds are checked by computing.
        for p in window where p.kind != survey.periodKind || (counts[p] ?? 0) > 0 {
            let r = try await result(s, survey, p, population: nil)
            if r.respondentCount > 0 { points.append((p, r)) }
        }
        return SKMTrend(points)
    }
}

/// The submitted form: the one the guard parsed for its CSRF check, or (when the token came in
/// the `X-CSRF-Token` header) the URL-encoded body read here.
func submittedForm(_ req: Request, _ ctx: PantauRequestContext) async throws -> FormData {
    if let f = ctx.form { return f }
    guard req.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true else { return FormData("") }
    var req = req
    let body = try await req.collectBody(upTo: ctx.maxUploadSize)
    return FormData(String(buffer: body))
}

/// What the public sees as a survey's link.
func surveyPublicURL(_ s: AppServices, _ code: String) -> String { s.config.publicBaseURL + SiteURL.publicSurvey(code: code).path }

/// The warning shown beside a survey's public link, QR code and poster while `PANTAU_PUBLIC_URL`
/// is not set (the link then points at the listening address, e.g. 127.0.0.1, which citizens
/// cannot open); nil when it is set.
func publicURLWarning(configured: Bool, url: String, _ t: Strings) -> String? {
    configured ? nil : t.format("survey_public_url_unset", url)
}

/// Survey helpers shared by the pages: how unsur, grades and profile answers are shown.
enum SurveyDisplay {
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

    /// The period's sample is checked (a population was entered) and falls short of Krejcie–Morgan.
    static func sampleShort(_ r: SKMResult) -> SampleAdequacy? {
        guard let s = r.sample, !s.isAdequate else { return nil }
        return s
    }
}

extension Response {
    /// A binary download.
    static func download(_ data: Data, contentType: String, filename: String) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        headers[.contentDisposition] = "attachment; filename=\"\(filename.replacingOccurrences(of: "\"", with: ""))\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// MIME types of the exports.
enum ExportType {
    static let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    static let csv = "text/csv; charset=utf-8"
}

/// Which SKM result: a survey as last saved, a period, and the population entered for it.
struct SurveyResultKey: Hashable, Sendable {
    let surveyID: Int64
    let surveyUpdatedAt: Date
    let period: SurveyPeriod
    let population: Int?
}
