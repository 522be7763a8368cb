import Foundation

/// Every route of the site, typed. The same value registers a route (``pattern``, with `:name`
/// placeholders) and builds each link and redirect to it (``path``), so a renamed or removed
/// route breaks the build instead of a link. Pass ``Int64/key`` (or ``Int/key``, ``String/key``)
/// for a parameter when registering: `r.page(.get, .sop(.key), ...)`; pass the real value when
/// linking: `SiteURL.sop(record.id).path`.
enum SiteURL: Sendable, Hashable {
    // Home, sign-in, technical
    case home
    case login
    case logout
    case accountPassword
    case health
    case ready
    case metrics
    case stylesheet
    case script
    case favicon
    case sopDocumentStylesheet
    case sopFormScript

    // Organisation and administration
    case units
    case unitNew
    case unit(Int64)
    case unitEdit(Int64)
    case users
    case userNew
    case user(Int64)
    case userEdit(Int64)
    case userPassword(Int64)
    case tokens
    case tokenRevoke(Int64)
    case audit

    // Alerts: rules per SOP, the signed-in person's notifications, webhooks (admin)
    case sopAlertRules(Int64)
    case sopAlertRuleDeactivate(Int64)
    case notifications
    case notificationsRead
    case webhooks
    case webhookDeactivate
    case webhookResend

    // SOP register
    case sops
    case sopNew
    case sopImport
    case sop(Int64)
    case sopPrint(Int64)
    case sopExport(Int64)
    case sopEdit(Int64)
    case sopDiff(Int64)
    case sopVersionStatus(Int64, version: Int)
    case sopVersionApprove(Int64, version: Int)
    case sopNewVersion(Int64)

    // Staff understanding: comprehension quiz and read-and-acknowledge of an SOP version (issue 9
    // item 4, docs/staff-understanding.md)
    case sopQuiz(Int64)
    case sopQuizEditor(Int64)
    case sopQuizQuestion(Int64)
    case sopQuizQuestionRemove(Int64)
    case sopQuizResults(Int64)
    case sopQuizReminders(Int64)
    case sopAcknowledge(Int64)

    // Monitoring of SOP execution
    case sopMonitoring(Int64)
    case sopMonitoringLive(Int64)
    case sopMonitoringSettings(Int64)
    case sopMonitoringAlias(Int64)
    case sopMonitoringStep(Int64)
    case sopEventImport(Int64)
    case sopEventImportRun(Int64)
    // Live progress of a web event-log import (issue 8 §2, docs/monitoring.md "Impor kejadian lewat web")
    case sopEventImportProgress(Int64)
    case sopCases(Int64)
    case serviceCase(Int64)

    // Observation mode (phone at the service counter)
    case observation
    case observationStart(Int64)
    case observationCase(Int64)
    case observationEvents(Int64)
    case observationScript
    case observationStylesheet

    // Evaluation: Tabel 7 monitoring and Tabel 8 evaluation records of an SOP (issue 9 items 2-3,
    // docs/sop-monev.md)
    case sopMonevMonitoring(Int64)
    case sopMonevMonitoringRecord(Int64, record: Int64)
    case sopMonevMonitoringSign(Int64, record: Int64)
    case sopMonevMonitoringPrint(Int64, record: Int64)
    case sopMonevEvaluation(Int64)
    case sopMonevEvaluationRecord(Int64, record: Int64)
    case sopMonevEvaluationSign(Int64, record: Int64)
    case sopMonevEvaluationSignExecutor(Int64, record: Int64)
    case sopMonevEvaluationPrint(Int64, record: Int64)

    // Evaluation: before/after comparison of an SOP revision (issue 9 item 8)
    case sopBeforeAfter(Int64)

    // Evaluation: evidence files, interview/observation notes, findings, recommendations,
    // follow-up actions (issue 9 items 5-7, docs/findings-actions.md)
    case evidence(Int64)
    case sopNotes(Int64)
    case sopFindings(Int64)
    case sopFindingsGenerate(Int64)
    case finding(Int64)
    case findingStatus(Int64)
    case findingNotes(Int64)
    case findingEvidence(Int64)
    case recommendation(Int64)
    case recommendationActions(Int64)
    case action(Int64)
    case actionVerify(Int64)
    case unitActions(Int64)
    case myActions

    // Indicators (IKU) of SOPs and units: targets, realisations, achievement
    case indicators
    case indicatorNew
    case indicatorsLKj
    case indicator(Int64)
    case indicatorEdit(Int64)
    case indicatorPeriod(Int64)
    case leadership
    case sopMonevReport(Int64)
    case sopZIPack(Int64)
    case unitMonevReport(Int64)

    // Citizen satisfaction surveys (SKM), staff side
    case surveys
    case surveyNew
    case survey(Int64)
    case surveyEdit(Int64)
    case surveyPopulation(Int64)
    case surveyPublish(Int64)
    case surveyReport(Int64)
    case surveyExport(Int64)
    case surveyResponses(Int64)
    case surveyResponsesExport(Int64)
    case surveyImport(Int64)
    case surveyFollowUps(Int64)
    case surveyFollowUp(Int64, item: Int64)
    case surveyFollowUpEdit(Int64, item: Int64)
    case surveyPoster(Int64)

    // Public side
    case publicSurvey(code: String)
    case publicSurveyThanks(code: String)
    case publicSurveyQRCode(code: String)
    case transparency

    // JSON API
    case api(API)

    enum API: Sendable, Hashable {
        case openAPI
        case units
        case unit(Int64)
        case sops
        case sop(Int64)
        case sopVersions(Int64)
        case sopVersion(Int64, version: Int)
        case sopVersionSubmit(Int64, version: Int)
        case sopVersionApprove(Int64, version: Int)
        // Staff understanding: quiz results and acknowledgements of an SOP
        case sopQuizResults(Int64)
        case surveys
        case survey(Int64)
        case surveyResults(Int64)
        case surveyResponses(Int64)
        case events
        case alerts
        case indicators
        case indicator(Int64)
        case indicatorPeriods(Int64)
        case sopReport(Int64)
        case sopMonitoring(Int64)
        case serviceCase(Int64)
        // Evaluation: Tabel 7 and Tabel 8 records of an SOP
        case sopMonitoringRecords(Int64)
        case sopEvaluationRecords(Int64)
        // Evaluation: before/after comparison
        case sopBeforeAfter(Int64)
        // Evaluation: findings and follow-up actions
        case sopFindings(Int64)
        case actions
        case actionStatus(Int64)
    }

    /// Where the JSON API lives: errors under it are answered as problem documents.
    static let apiBase = "/api/v1"

    /// The route pattern, e.g. `/sops/:id/versions/:version/status`.
    var pattern: String { build(pattern: true) }

    /// The concrete path of a link, e.g. `/sops/12/versions/3/status`.
    var path: String { build(pattern: false) }

    /// The path with a query string; pairs whose value is nil or empty are left out.
    func path(query: KeyValuePairs<String, String?>) -> String {
        let parts = query.compactMap { k, v -> String? in
            guard let v, !v.isEmpty else { return nil }
            return Self.encode(k) + "=" + Self.encode(v)
        }
        return parts.isEmpty ? path : path + "?" + parts.joined(separator: "&")
    }

    private static let unreserved: CharacterSet = {
        var c = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        c.insert(charactersIn: "-._~")
        return c
    }()

    static func encode(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "" }

    private func build(pattern: Bool) -> String {
        func id(_ v: Int64, _ name: String = "id") -> String { pattern ? ":" + name : String(v) }
        func version(_ v: Int) -> String { pattern ? ":version" : String(v) }
        func code(_ v: String) -> String { pattern ? ":code" : Self.encode(v) }
        switch self {
        case .home: return "/"
        case .login: return "/login"
        case .logout: return "/logout"
        case .accountPassword: return "/account/password"
        case .health: return "/health"
        case .ready: return "/ready"
        case .metrics: return "/metrics"
        case .stylesheet: return "/static/pantau.css"
        case .script: return "/static/pantau.js"
        case .favicon: return "/favicon.ico"
        case .sopDocumentStylesheet: return "/static/sop-document.css"
        case .sopFormScript: return "/static/sop-form.js"

        case .units: return "/units"
        case .unitNew: return "/units/new"
        case let .unit(u): return "/units/" + id(u)
        case let .unitEdit(u): return "/units/" + id(u) + "/edit"
        case .users: return "/users"
        case .userNew: return "/users/new"
        case let .user(u): return "/users/" + id(u)
        case let .userEdit(u): return "/users/" + id(u) + "/edit"
        case let .userPassword(u): return "/users/" + id(u) + "/password"
        case .tokens: return "/tokens"
        case let .tokenRevoke(t): return "/tokens/" + id(t) + "/revoke"
        case .audit: return "/audit"

        case let .sopAlertRules(s): return "/sops/" + id(s) + "/aturan-peringatan"
        case let .sopAlertRuleDeactivate(s): return "/sops/" + id(s) + "/aturan-peringatan/nonaktifkan"
        case .notifications: return "/notifikasi"
        case .notificationsRead: return "/notifikasi/dibaca"
        case .webhooks: return "/webhook"
        case .webhookDeactivate: return "/webhook/nonaktifkan"
        case .webhookResend: return "/webhook/kirim-ulang"

        case .sops: return "/sops"
        case .sopNew: return "/sops/new"
        case .sopImport: return "/sops/import"
        case let .sop(s): return "/sops/" + id(s)
        case let .sopPrint(s): return "/sops/" + id(s) + "/print"
        case let .sopExport(s): return "/sops/" + id(s) + "/export"
        case let .sopEdit(s): return "/sops/" + id(s) + "/edit"
        case let .sopDiff(s): return "/sops/" + id(s) + "/diff"
        case let .sopVersionStatus(s, v): return "/sops/" + id(s) + "/versions/" + version(v) + "/status"
        case let .sopVersionApprove(s, v): return "/sops/" + id(s) + "/versions/" + version(v) + "/approve"
        case let .sopNewVersion(s): return "/sops/" + id(s) + "/new-version"

        case let .sopQuiz(s): return "/sops/" + id(s) + "/kuis"
        case let .sopQuizEditor(s): return "/sops/" + id(s) + "/kuis/ubah"
        case let .sopQuizQuestion(s): return "/sops/" + id(s) + "/kuis/pertanyaan"
        case let .sopQuizQuestionRemove(s): return "/sops/" + id(s) + "/kuis/pertanyaan/hapus"
        case let .sopQuizResults(s): return "/sops/" + id(s) + "/kuis/hasil"
        case let .sopQuizReminders(s): return "/sops/" + id(s) + "/kuis/pengingat"
        case let .sopAcknowledge(s): return "/sops/" + id(s) + "/baca"

        case let .sopMonitoring(s): return "/sops/" + id(s) + "/pemantauan"
        case let .sopMonitoringLive(s): return "/sops/" + id(s) + "/pemantauan/live"
        case let .sopMonitoringSettings(s): return "/sops/" + id(s) + "/pemantauan/pengaturan"
        case let .sopMonitoringAlias(s): return "/sops/" + id(s) + "/pemantauan/alias"
        case let .sopMonitoringStep(s): return "/sops/" + id(s) + "/pemantauan/langkah"
        case let .sopEventImport(s): return "/sops/" + id(s) + "/impor-kejadian"
        case let .sopEventImportRun(s): return "/sops/" + id(s) + "/impor-kejadian/jalankan"
        case let .sopEventImportProgress(s): return "/sops/" + id(s) + "/impor-kejadian/kemajuan"
        case let .sopCases(s): return "/sops/" + id(s) + "/kasus"
        case let .serviceCase(c): return "/kasus/" + id(c)

        case .observation: return "/observasi"
        case let .observationStart(s): return "/observasi/sops/" + id(s)
        case let .observationCase(s): return "/observasi/sops/" + id(s) + "/kasus"
        case let .observationEvents(s): return "/observasi/sops/" + id(s) + "/kejadian"
        case .observationScript: return "/static/observasi.js"
        case .observationStylesheet: return "/static/observasi.css"

        case let .sopMonevMonitoring(s): return "/sops/" + id(s) + "/monitoring-sop"
        case let .sopMonevMonitoringRecord(s, r): return "/sops/" + id(s) + "/monitoring-sop/" + id(r, "record")
        case let .sopMonevMonitoringSign(s, r): return "/sops/" + id(s) + "/monitoring-sop/" + id(r, "record") + "/paraf"
        case let .sopMonevMonitoringPrint(s, r): return "/sops/" + id(s) + "/monitoring-sop/" + id(r, "record") + "/cetak"
        case let .sopMonevEvaluation(s): return "/sops/" + id(s) + "/evaluasi-sop"
        case let .sopMonevEvaluationRecord(s, r): return "/sops/" + id(s) + "/evaluasi-sop/" + id(r, "record")
        case let .sopMonevEvaluationSign(s, r): return "/sops/" + id(s) + "/evaluasi-sop/" + id(r, "record") + "/tanda-tangan-evaluator"
        case let .sopMonevEvaluationSignExecutor(s, r): return "/sops/" + id(s) + "/evaluasi-sop/" + id(r, "record") + "/tanda-tangan-pelaksana"
        case let .sopMonevEvaluationPrint(s, r): return "/sops/" + id(s) + "/evaluasi-sop/" + id(r, "record") + "/cetak"

        case let .sopBeforeAfter(s): return "/sops/" + id(s) + "/sebelum-sesudah"

        case let .evidence(e): return "/bukti/" + id(e)
        case let .sopNotes(s): return "/sops/" + id(s) + "/catatan-evaluasi"
        case let .sopFindings(s): return "/sops/" + id(s) + "/temuan"
        case let .sopFindingsGenerate(s): return "/sops/" + id(s) + "/temuan/bangkitkan"
        case let .finding(f): return "/temuan/" + id(f)
        case let .findingStatus(f): return "/temuan/" + id(f) + "/status"
        case let .findingNotes(f): return "/temuan/" + id(f) + "/catatan"
        case let .findingEvidence(f): return "/temuan/" + id(f) + "/bukti"
        case let .recommendation(r): return "/rekomendasi/" + id(r)
        case let .recommendationActions(r): return "/rekomendasi/" + id(r) + "/tindak-lanjut"
        case let .action(a): return "/tindak-lanjut/" + id(a)
        case let .actionVerify(a): return "/tindak-lanjut/" + id(a) + "/verifikasi"
        case let .unitActions(u): return "/units/" + id(u) + "/tindak-lanjut"
        case .myActions: return "/tindak-lanjut"

        case .indicators: return "/indikator"
        case .indicatorNew: return "/indikator/baru"
        case .indicatorsLKj: return "/indikator/lkj"
        case let .indicator(i): return "/indikator/" + id(i)
        case let .indicatorEdit(i): return "/indikator/" + id(i) + "/ubah"
        case let .indicatorPeriod(i): return "/indikator/" + id(i) + "/periode"
        case .leadership: return "/dasbor-pimpinan"
        case let .sopMonevReport(s): return "/sops/" + id(s) + "/laporan-monev"
        case let .sopZIPack(s): return "/sops/" + id(s) + "/paket-zi"
        case let .unitMonevReport(u): return "/units/" + id(u) + "/laporan-monev"

        case .surveys: return "/surveys"
        case .surveyNew: return "/surveys/new"
        case let .survey(s): return "/surveys/" + id(s)
        case let .surveyEdit(s): return "/surveys/" + id(s) + "/edit"
        case let .surveyPopulation(s): return "/surveys/" + id(s) + "/population"
        case let .surveyPublish(s): return "/surveys/" + id(s) + "/publish"
        case let .surveyReport(s): return "/surveys/" + id(s) + "/report"
        case let .surveyExport(s): return "/surveys/" + id(s) + "/export"
        case let .surveyResponses(s): return "/surveys/" + id(s) + "/responses"
        case let .surveyResponsesExport(s): return "/surveys/" + id(s) + "/responses/export"
        case let .surveyImport(s): return "/surveys/" + id(s) + "/import"
        case let .surveyFollowUps(s): return "/surveys/" + id(s) + "/followups"
        case let .surveyFollowUp(s, item): return "/surveys/" + id(s) + "/followups/" + id(item, "item")
        case let .surveyFollowUpEdit(s, item): return "/surveys/" + id(s) + "/followups/" + id(item, "item") + "/edit"
        case let .surveyPoster(s): return "/surveys/" + id(s) + "/poster"

        case let .publicSurvey(c): return "/s/" + code(c)
        case let .publicSurveyThanks(c): return "/s/" + code(c) + "/terima-kasih"
        case let .publicSurveyQRCode(c): return "/s/" + code(c) + "/qr.svg"
        case .transparency: return "/transparansi"

        case let .api(a):
            let base = Self.apiBase
            switch a {
            case .openAPI: return base + "/openapi.json"
            case .units: return base + "/units"
            case let .unit(u): return base + "/units/" + id(u)
            case .sops: return base + "/sops"
            case let .sop(s): return base + "/sops/" + id(s)
            case let .sopVersions(s): return base + "/sops/" + id(s) + "/versions"
            case let .sopVersion(s, v): return base + "/sops/" + id(s) + "/versions/" + version(v)
            case let .sopVersionSubmit(s, v): return base + "/sops/" + id(s) + "/versions/" + version(v) + "/submit"
            case let .sopVersionApprove(s, v): return base + "/sops/" + id(s) + "/versions/" + version(v) + "/approve"
            case let .sopQuizResults(s): return base + "/sops/" + id(s) + "/quiz-results"
            case .surveys: return base + "/surveys"
            case let .survey(s): return base + "/surveys/" + id(s)
            case let .surveyResults(s): return base + "/surveys/" + id(s) + "/results"
            case let .surveyResponses(s): return base + "/surveys/" + id(s) + "/responses"
            case .events: return base + "/events"
            case .alerts: return base + "/alerts"
            case .indicators: return base + "/indicators"
            case let .indicator(i): return base + "/indicators/" + id(i)
            case let .indicatorPeriods(i): return base + "/indicators/" + id(i) + "/periods"
            case let .sopReport(s): return base + "/sops/" + id(s) + "/report"
            case let .sopMonitoring(s): return base + "/sops/" + id(s) + "/monitoring"
            case let .serviceCase(c): return base + "/cases/" + id(c)
            case let .sopMonitoringRecords(s): return base + "/sops/" + id(s) + "/monitoring-records"
            case let .sopEvaluationRecords(s): return base + "/sops/" + id(s) + "/evaluation-records"
            case let .sopBeforeAfter(s): return base + "/sops/" + id(s) + "/before-after"
            case let .sopFindings(s): return base + "/sops/" + id(s) + "/findings"
            case .actions: return base + "/actions"
            case let .actionStatus(a): return base + "/actions/" + id(a) + "/status"
            }
        }
    }
}

extension Int64 {
    /// The placeholder for an id parameter when registering a route (`.sop(.key)`).
    static var key: Int64 { 0 }
}

extension Int {
    /// The placeholder for a version parameter when registering a route.
    static var key: Int { 0 }
}

extension String {
    /// The placeholder for a code parameter when registering a route.
    static var key: String { "" }
}
