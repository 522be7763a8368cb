import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauTestSupport
import PantauWeb
import Testing

/// Every route × every identity, allowed or refused as ARCHITECTURE.md's role table says.
/// The expected table below is written out by hand (not derived from the app's rules), and the
/// test fails if the app has a route the table does not list, or the other way round.
@Suite("Authorisation: every route × every role")
struct AuthorizationTests {
    enum Who: String, CaseIterable, Sendable {
        case anon, admin, mgr, mgrOther, eval, officer, auditor, auditorOther, token
    }

    /// `auditorOther` is an auditor (APIP) scoped to DPMPTSP: the Puskesmas' records are outside it.
    static let users: Set<Who> = [.admin, .mgr, .mgrOther, .eval, .officer, .auditor, .auditorOther]
    static let everyone: Set<Who> = Set(Who.allCases)
    static let people: Set<Who> = users.union([.anon])
    /// Roles that may read an SOP of the Puskesmas (the unit manager of DPMPTSP may not).
    static let sopReaders: Set<Who> = [.admin, .mgr, .eval, .officer, .auditor]
    static let sopWriters: Set<Who> = [.admin, .mgr]
    static let sopCreators: Set<Who> = [.admin, .mgr, .mgrOther]
    /// Raw survey responses of the Puskesmas: its own staff and auditors (not the cross-unit evaluator).
    static let rawReaders: Set<Who> = [.admin, .mgr, .officer, .auditor]

    /// "METHOD path" → who is allowed. Everyone else must be refused (401/403/404 or a redirect to /login).
    static let expected: [String: Set<Who>] = [
        "GET /": people,
        "GET /login": people,
        "POST /login": people,
        "POST /logout": users,
        "GET /account/password": users,
        "POST /account/password": users,
        "GET /health": everyone,
        "GET /ready": everyone,
        "GET /metrics": people,
        "GET /static/pantau.css": people,
        "GET /static/pantau.js": people,
        "GET /favicon.ico": people,
        "GET /static/sop-document.css": people,
        "GET /static/sop-form.js": people,
        "GET /units": users,
        "GET /units/new": [.admin],
        "POST /units": [.admin],
        "GET /units/:id/edit": [.admin],
        "POST /units/:id": [.admin],
        "GET /users": [.admin],
        "GET /users/new": [.admin],
        "POST /users": [.admin],
        "GET /users/:id/edit": [.admin],
        "POST /users/:id": [.admin],
        "POST /users/:id/password": [.admin],
        "GET /tokens": [.admin],
        "POST /tokens": [.admin],
        "POST /tokens/:id/revoke": [.admin],
        "GET /audit": [.admin, .auditor, .auditorOther],
        // Alerts: an SOP's rules by its writers; each person's own notifications; webhooks by admins.
        "GET /sops/:id/aturan-peringatan": sopWriters,
        "POST /sops/:id/aturan-peringatan": sopWriters,
        "POST /sops/:id/aturan-peringatan/nonaktifkan": sopWriters,
        "GET /notifikasi": users,
        "POST /notifikasi/dibaca": users,
        "GET /webhook": [.admin],
        "POST /webhook": [.admin],
        "POST /webhook/nonaktifkan": [.admin],
        "POST /webhook/kirim-ulang": [.admin],
        "GET /sops": users,
        "GET /sops/new": sopCreators,
        "POST /sops": sopCreators,
        "GET /sops/import": sopCreators,
        "POST /sops/import": sopCreators,
        "GET /sops/:id": sopReaders,
        "GET /sops/:id/print": sopReaders,
        "GET /sops/:id/export": sopReaders,
        "GET /sops/:id/diff": sopReaders,
        "GET /sops/:id/edit": sopWriters,
        "POST /sops/:id": sopWriters,
        "POST /sops/:id/versions/:version/status": sopWriters,
        "POST /sops/:id/versions/:version/approve": sopWriters,
        "POST /sops/:id/new-version": sopWriters,
        "GET /api/v1/openapi.json": everyone,
        "GET /api/v1/units": users.union([.token]),
        "GET /api/v1/units/:id": users.union([.token]),
        "POST /api/v1/units": [.admin],
        "PUT /api/v1/units/:id": [.admin],
        "GET /api/v1/sops": users.union([.token]),
        "POST /api/v1/sops": sopCreators,
        "GET /api/v1/sops/:id": sopReaders.union([.token]),
        "PUT /api/v1/sops/:id": sopWriters,
        "GET /api/v1/sops/:id/versions": sopReaders.union([.token]),
        "POST /api/v1/sops/:id/versions": sopWriters,
        "GET /api/v1/sops/:id/versions/:version": sopReaders.union([.token]),
        "POST /api/v1/sops/:id/versions/:version/submit": sopWriters,
        "POST /api/v1/sops/:id/versions/:version/approve": sopWriters,
        "GET /surveys": users,
        "GET /surveys/new": sopCreators,
        "POST /surveys": sopCreators,
        "GET /surveys/:id": sopReaders,
        "GET /surveys/:id/edit": sopWriters,
        "POST /surveys/:id": sopWriters,
        "POST /surveys/:id/population": sopWriters,
        "POST /surveys/:id/publish": sopWriters,
        "GET /surveys/:id/report": sopReaders,
        "GET /surveys/:id/export": sopReaders,
        "GET /surveys/:id/responses": rawReaders,
        "GET /surveys/:id/responses/export": rawReaders,
        "GET /surveys/:id/import": sopWriters,
        "POST /surveys/:id/import": sopWriters,
        "GET /surveys/:id/followups": sopReaders,
        "POST /surveys/:id/followups": sopWriters,
        "GET /surveys/:id/followups/:item/edit": sopWriters,
        "POST /surveys/:id/followups/:item": sopWriters,
        "GET /surveys/:id/poster": sopReaders,
        "GET /s/:code": people,
        "POST /s/:code": people,
        "GET /s/:code/terima-kasih": people,
        "GET /s/:code/qr.svg": people,
        "GET /transparansi": people,
        "GET /api/v1/surveys": users.union([.token]),
        "GET /api/v1/surveys/:id": sopReaders.union([.token]),
        "GET /api/v1/surveys/:id/results": sopReaders.union([.token]),
        // Survey set-up through the API (profile lists with aliases): as the set-up form.
        "POST /api/v1/surveys": sopCreators,
        "PUT /api/v1/surveys/:id": sopWriters,
        // Officers are the staff being rated: they may not submit citizens' answers.
        "POST /api/v1/surveys/:id/responses": [.admin, .mgr, .token],
        // Monitoring: readers of the SOP; settings by its writers; events by everyone but auditors
        // (each event's unit is then checked against the sender's scope).
        "GET /sops/:id/pemantauan": sopReaders,
        "GET /sops/:id/pemantauan/live": sopReaders,
        "GET /sops/:id/pemantauan/pengaturan": sopWriters,
        "POST /sops/:id/pemantauan/alias": sopWriters,
        "POST /sops/:id/pemantauan/langkah": sopWriters,
        // Event log upload: the SOP's writers (admin, unit managers of its unit subtree).
        "GET /sops/:id/impor-kejadian": sopWriters,
        "POST /sops/:id/impor-kejadian": sopWriters,
        "POST /sops/:id/impor-kejadian/jalankan": sopWriters,
        "GET /sops/:id/impor-kejadian/kemajuan": sopWriters,
        "GET /sops/:id/kasus": sopReaders,
        "GET /kasus/:id": sopReaders,
        "POST /api/v1/events": [.admin, .mgr, .mgrOther, .eval, .officer, .token],
        "GET /api/v1/sops/:id/monitoring": sopReaders.union([.token]),
        "GET /api/v1/cases/:id": sopReaders.union([.token]),
        "GET /api/v1/alerts": users.union([.token]),
        // Tabel 7 and Tabel 8 records (evaluationRead / evaluationWrite): read by every role in the
        // SOP's scope; edited and signed as evaluator by admins, unit managers and evaluators (a unit
        // manager's paraf is then refused with a field error, 400); the executor's sign-off on Tabel 8
        // by every role but auditors (actionUpdate; the store admits only staff of the SOP's unit).
        "GET /sops/:id/monitoring-sop": sopReaders,
        "POST /sops/:id/monitoring-sop": [.admin, .mgr, .eval],
        "GET /sops/:id/monitoring-sop/:record": sopReaders,
        "POST /sops/:id/monitoring-sop/:record": [.admin, .mgr, .eval],
        "POST /sops/:id/monitoring-sop/:record/paraf": [.admin, .mgr, .eval],
        "GET /sops/:id/monitoring-sop/:record/cetak": sopReaders,
        "GET /sops/:id/evaluasi-sop": sopReaders,
        "POST /sops/:id/evaluasi-sop": [.admin, .mgr, .eval],
        "GET /sops/:id/evaluasi-sop/:record": sopReaders,
        "POST /sops/:id/evaluasi-sop/:record": [.admin, .mgr, .eval],
        "POST /sops/:id/evaluasi-sop/:record/tanda-tangan-evaluator": [.admin, .mgr, .eval],
        "POST /sops/:id/evaluasi-sop/:record/tanda-tangan-pelaksana": [.admin, .mgr, .eval, .officer],
        "GET /sops/:id/evaluasi-sop/:record/cetak": sopReaders,
        "GET /api/v1/sops/:id/monitoring-records": sopReaders.union([.token]),
        "GET /api/v1/sops/:id/evaluation-records": sopReaders.union([.token]),
        // Staff understanding (quizTake, quizManage, evaluationRead): the quiz and the acknowledgement
        // by the SOP's staff in scope (not auditors); the editor and reminders by its managers; the
        // results by managers, evaluators and auditors (officers take the quiz, they do not see
        // colleagues' scores).
        "GET /sops/:id/kuis": [.admin, .mgr, .eval, .officer],
        "POST /sops/:id/kuis": [.admin, .mgr, .eval, .officer],
        "POST /sops/:id/baca": [.admin, .mgr, .eval, .officer],
        "GET /sops/:id/kuis/ubah": sopWriters,
        "POST /sops/:id/kuis/pertanyaan": sopWriters,
        "POST /sops/:id/kuis/pertanyaan/hapus": sopWriters,
        "POST /sops/:id/kuis/pengingat": sopWriters,
        "GET /sops/:id/kuis/hasil": [.admin, .mgr, .eval, .auditor],
        "GET /api/v1/sops/:id/quiz-results": [.admin, .mgr, .eval, .auditor, .token],
        // Indicators (IKU): read by every role in scope (tokens through the API), defined and given
        // targets by admins and unit managers in their subtree.
        "GET /indikator": users,
        "GET /indikator/lkj": users,
        "GET /dasbor-pimpinan": users,
        "GET /sops/:id/laporan-monev": sopReaders,
        "GET /sops/:id/paket-zi": sopReaders,
        "GET /api/v1/sops/:id/report": sopReaders.union([.token]),
        // A unit's report (the id is the Puskesmas): whoever's scope covers it.
        "GET /units/:id/laporan-monev": sopReaders,
        "GET /indikator/baru": sopCreators,
        "POST /indikator": sopCreators,
        "GET /indikator/:id": sopReaders,
        "GET /indikator/:id/ubah": sopWriters,
        "POST /indikator/:id": sopWriters,
        "POST /indikator/:id/periode": sopWriters,
        "GET /api/v1/indicators": users.union([.token]),
        "GET /api/v1/indicators/:id": sopReaders.union([.token]),
        "POST /api/v1/indicators/:id/periods": sopWriters,
        // Before/after comparison of an SOP (issue 9 item 8): whoever may read the SOP's unit.
        "GET /sops/:id/sebelum-sesudah": sopReaders,
        "GET /api/v1/sops/:id/before-after": sopReaders.union([.token]),
        // Findings, notes, recommendations, follow-up actions and evidence (issue 9 items 5-7): read by
        // every role in the SOP's unit scope; findings, notes, recommendations and verification by
        // admins, unit managers and evaluators (a unit manager's verification is then refused with a
        // field error, 400); actions created by the same three (actionManage); progress by the
        // action's owner (the officer here) or a manager in scope (actionUpdate + handler check).
        "GET /bukti/:id": sopReaders,
        "GET /sops/:id/catatan-evaluasi": sopReaders,
        "POST /sops/:id/catatan-evaluasi": [.admin, .mgr, .eval],
        "GET /sops/:id/temuan": sopReaders,
        "POST /sops/:id/temuan": [.admin, .mgr, .eval],
        "POST /sops/:id/temuan/bangkitkan": [.admin, .mgr, .eval],
        "GET /temuan/:id": sopReaders,
        "POST /temuan/:id": [.admin, .mgr, .eval],
        "POST /temuan/:id/status": [.admin, .mgr, .eval],
        "POST /temuan/:id/catatan": [.admin, .mgr, .eval],
        "POST /temuan/:id/bukti": [.admin, .mgr, .eval],
        "POST /rekomendasi/:id": [.admin, .mgr, .eval],
        "POST /rekomendasi/:id/tindak-lanjut": [.admin, .mgr, .eval],
        "GET /tindak-lanjut/:id": sopReaders,
        "POST /tindak-lanjut/:id": [.admin, .mgr, .eval, .officer],
        "POST /tindak-lanjut/:id/verifikasi": [.admin, .mgr, .eval],
        "GET /units/:id/tindak-lanjut": sopReaders,
        "GET /tindak-lanjut": users,
        "GET /api/v1/sops/:id/findings": sopReaders.union([.token]),
        "POST /api/v1/sops/:id/findings": [.admin, .mgr, .eval],
        "GET /api/v1/actions": users.union([.token]),
        "POST /api/v1/actions/:id/status": [.admin, .mgr, .eval, .officer],
        // Observation mode: everyone who may write events (not auditors), for SOPs in their scope.
        "GET /observasi": [.admin, .mgr, .mgrOther, .eval, .officer],
        "GET /observasi/sops/:id": [.admin, .mgr, .eval, .officer],
        "GET /observasi/sops/:id/kasus": [.admin, .mgr, .eval, .officer],
        "POST /observasi/sops/:id/kasus": [.admin, .mgr, .eval, .officer],
        "POST /observasi/sops/:id/kejadian": [.admin, .mgr, .eval, .officer],
        "GET /static/observasi.js": people,
        "GET /static/observasi.css": people,
    ]

    @Test func everyRouteHasARuleAndEveryRoleIsChecked() async throws {
        try await withTestApp { fx, client in
            let routes = fx.routes.map { "\($0.method.rawValue) \($0.path)" }
            let keys = Set(routes)
            #expect(keys == Set(Self.expected.keys), "route table and expected table differ: only in app \(keys.subtracting(Self.expected.keys)), only in test \(Set(Self.expected.keys).subtracting(keys))")

            var failures: [String] = []
            for key in Self.expected.keys.sorted() {
                let parts = key.split(separator: " ", maxSplits: 1)
                let method = HTTPRequest.Method(String(parts[0]))!
                let path = String(parts[1])
                    .replacingOccurrences(of: ":version", with: "1")
                    .replacingOccurrences(of: ":item", with: "\(fx.followUpID)")
                    .replacingOccurrences(of: ":record", with: "\(fx.monevRecords[parts[1].contains("/evaluasi-sop/") ? "evaluation" : "monitoring"]!)")
                    .replacingOccurrences(of: ":code", with: fx.surveyCodes["imunisasi"]!)
                    .replacingOccurrences(of: ":id", with: concreteID(path: String(parts[1]), fx))
                for who in Who.allCases {
                    var headers: HTTPFields
                    switch who {
                    case .anon: headers = Req.headers(csrf: "anonymous-csrf-token-0123456789")
                    case .token: headers = Req.headers(bearer: fx.token)
                    default:
                        let s = try await fx.session(who.rawValue)
                        headers = Req.headers(cookie: s.cookie, csrf: s.csrf)
                    }
                    let r = try await client.execute(uri: path, method: method, headers: headers, body: nil)
                    let refused = [401, 403, 404].contains(Int(r.status.code))
                        || (r.status == .seeOther && (r.headers[.location] ?? "").hasPrefix("/login?"))
                    let allowed = Self.expected[key]!.contains(who)
                    if allowed == refused || r.status.code >= 500 {
                        failures.append("\(key) as \(who.rawValue): \(r.status.code) (expected \(allowed ? "allowed" : "refused"))")
                    }
                    // Hostile and malformed bodies never make a route answer 500.
                    if method == .post || method == .put {
                        var formHeaders = headers
                        formHeaders[.contentType] = "application/x-www-form-urlencoded"
                        let csrf = headers[HTTPField.Name("X-CSRF-Token")!] ?? ""
                        let hostile = Req.form([("_csrf", csrf), ("code", "' OR 1=1;--"), ("name", "<script>x</script>"), ("nomor", "\u{0}"),
                                                ("unit_id", "-1"), ("steps[999999999999][activity]", "x"), ("actors[a][b]", "%"), ("level", "raja"),
                                                ("answers[persyaratan]", "9"), ("status", "effective"), ("effective_from", "2026-02-30"),
                                                ("document", "identitas: [unclosed"), ("period", "2026-Q9"), ("weight", "NaN")])
                        let f = try await client.execute(uri: path, method: method, headers: formHeaders, body: hostile)
                        var jsonHeaders = headers
                        jsonHeaders[.contentType] = "application/json"
                        let j = try await client.execute(uri: path, method: method, headers: jsonHeaders, body: ByteBuffer(string: "{\"unit_id\": \"x\", \"document\": [1, {}], "))
                        for (kind, resp) in [("form", f), ("json", j)] where resp.status.code >= 500 {
                            failures.append("\(key) as \(who.rawValue) with a hostile \(kind) body: \(resp.status.code)")
                        }
                    }
                }
            }
            #expect(failures.isEmpty, Comment(rawValue: "\(failures.count) wrong answers:\n" + failures.joined(separator: "\n")))
        }
    }

    /// An id that exists for each parameterised route: the Puskesmas' SOP, the officer, the token, the
    /// Puskesmas' demo survey, a unit.
    func concreteID(path: String, _ fx: TestFixture) -> String {
        if path.hasPrefix("/bukti/") { return "\(fx.evidenceID)" }
        if path.hasPrefix("/temuan/") { return "\(fx.findingID)" }
        if path.hasPrefix("/rekomendasi/") { return "\(fx.recommendationID)" }
        if path.hasPrefix("/tindak-lanjut/") || path.contains("/actions/") { return "\(fx.actionID)" }
        if path.contains("/sops/") { return "\(fx.sops["imunisasi"]!)" }
        if path.hasPrefix("/indikator/") || path.contains("/indicators/") { return "\(fx.indicators["imunisasi"]!)" }
        if path.hasPrefix("/kasus/") || path.contains("/cases/") { return "\(fx.cases["imunisasi"]!)" }
        if path.hasPrefix("/users/") { return "\(fx.users["officer"]!)" }
        if path.hasPrefix("/tokens/") { return "\(fx.tokenID)" }
        if path.contains("/surveys/") { return "\(fx.surveys["imunisasi"]!)" }
        return "\(fx.units["DINKES-PKM-KTB"]!)"
    }
}
