import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
@testable import PantauWeb
import Testing

@Suite("Findings, notes, follow-up actions and evidence on the web")
struct FindingWebTests {
    typealias Session = (cookie: String, csrf: String)

    func form(_ client: any TestClientProtocol, _ url: SiteURL, _ s: Session, _ pairs: [(String, String)]) async throws -> TestResponse {
        try await client.post(url.path, Req.headers(cookie: s.cookie, csrf: s.csrf, form: true), Req.form(pairs))
    }

    /// A multipart form as a browser sends it: the CSRF token as a part, files under `evidence`.
    func multipart(_ client: any TestClientProtocol, _ url: SiteURL, _ s: Session, fields: [(String, String)] = [],
                   files: [(name: String, data: Data)]) async throws -> TestResponse {
        let boundary = "----pantau-test-\(UUID().uuidString)"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(s.csrf)\r\n".utf8)
        for (k, v) in fields { body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8) }
        for f in files {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"\(f.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            body += f.data
            body += Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        var h = Req.headers(cookie: s.cookie)
        h[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return try await client.post(url.path, h, ByteBuffer(data: body))
    }

    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 1, count: 64))

    @Test("Generate and add findings; field errors name the labelled field; hostile text is escaped", arguments: TestEngine.all)
    func findingForms(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let eval = try await fx.session("eval")
            let period = SurveyPeriod(containing: CivilDate(Date()), kind: .quarter).description
            let g = try await form(client, .sopFindingsGenerate(sop), eval, [("_csrf", eval.csrf), ("period", period)])
            #expect(g.status == .seeOther)
            let bad = try await form(client, .sopFindings(sop), eval, [("_csrf", eval.csrf), ("period", "2026-Q9"), ("title", ""), ("severity", "high")])
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("href=\"#title\">Temuan</a>: wajib diisi"), "\(bad.text)")
            #expect(bad.text.contains("href=\"#period\">Periode</a>"))
            let ok = try await form(client, .sopFindings(sop), eval, [("_csrf", eval.csrf), ("period", period), ("title", "<script>alert(1)</script> antrean"),
                                                                       ("severity", "medium"), ("detail", "")])
            #expect(ok.status == .seeOther)
            let list = try await client.get(SiteURL.sopFindings(sop).path(query: ["periode": period]), Req.headers(cookie: eval.cookie))
            #expect(list.status == .ok)
            #expect(list.text.contains("&lt;script&gt;alert(1)&lt;/script&gt; antrean") && !list.text.contains("<script>alert(1)"))
            #expect(list.text.contains("Skrining dilewati"))
            // Detail with the recommendation and the fixture's action.
            let detail = try await client.get(SiteURL.finding(fx.findingID).path, Req.headers(cookie: eval.cookie))
            #expect(detail.status == .ok && detail.text.contains("Pelatihan skrining") && detail.text.contains("bukti.pdf"))
            // A dismissal without a reason is a field error on the labelled field.
            let dismiss = try await form(client, .findingStatus(fx.findingID), eval, [("_csrf", eval.csrf), ("status", "dismissed"), ("reason", "")])
            #expect(dismiss.status == .badRequest && dismiss.text.contains("href=\"#reason\">Alasan</a>: wajib diisi"))
            // A new action without owner or date: errors on the action form's own fields.
            let act = try await form(client, .recommendationActions(fx.recommendationID), eval, [("_csrf", eval.csrf), ("title", "Revisi"), ("kind", "revise_sop")])
            #expect(act.status == .badRequest)
            #expect(act.text.contains("href=\"#act-owner_id\">Penanggung jawab</a>: wajib diisi") && act.text.contains("href=\"#act-due_date\">Batas waktu</a>"))
        }
    }

    @Test("Evidence: too large or of a refused type is a field error; a good file downloads as an attachment, in scope only", arguments: TestEngine.all)
    func evidenceUploads(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let eval = try await fx.session("eval")
            let refused = try await multipart(client, .findingEvidence(fx.findingID), eval, files: [("virus.pdf", Data("MZ\u{90}\u{0}".utf8))])
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("href=\"#evidence\">Berkas bukti</a>: jenis berkas &quot;virus.pdf&quot; tidak diterima"), "\(refused.text)")
            var big = Data("%PDF-1.4\n".utf8)
            big.append(Data(repeating: 0x20, count: PantauStore.evidenceMaxBytes))
            let tooLarge = try await multipart(client, .findingEvidence(fx.findingID), eval, files: [("besar.pdf", big)])
            #expect(tooLarge.status == .badRequest)
            #expect(tooLarge.text.contains("Berkas bukti</a>: berkas melebihi batas 10 MB"))
            #expect(try await fx.store.evidenceFiles(owner: .finding, ownerID: fx.findingID).count == 1)
            let good = try await multipart(client, .findingEvidence(fx.findingID), eval, files: [("foto lapangan.png", Self.png)])
            #expect(good.status == .seeOther)
            let files = try await fx.store.evidenceFiles(owner: .finding, ownerID: fx.findingID)
            let file = try #require(files.last)
            #expect(file.name == "foto lapangan.png")
            let officer = try await fx.session("officer")
            let dl = try await client.get(SiteURL.evidence(file.id).path, Req.headers(cookie: officer.cookie))
            #expect(dl.status == .ok && Data(buffer: dl.body) == Self.png)
            #expect(dl.headers[.contentType] == "image/png")
            #expect(dl.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"foto lapangan.png\"") == true)
            #expect(dl.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            // Out of scope: the DPMPTSP auditor and manager do not see it.
            for who in ["auditorOther", "mgrOther"] {
                let other = try await fx.session(who)
                #expect(try await client.get(SiteURL.evidence(file.id).path, Req.headers(cookie: other.cookie)).status == .notFound)
                #expect(try await client.get(SiteURL.finding(fx.findingID).path, Req.headers(cookie: other.cookie)).status == .notFound)
            }
            // A note with its evidence file, multipart; an unknown step is a labelled field error.
            let sop = fx.sops["imunisasi"]!
            let badNote = try await multipart(client, .sopNotes(sop), eval, fields: [("note_date", "2026-02-10"), ("method", "observation"),
                                                                                       ("respondent", "citizen"), ("step_id", "nope"), ("text", "x")], files: [])
            #expect(badNote.status == .badRequest && badNote.text.contains("href=\"#step_id\">Langkah SOP</a>"))
            let note = try await multipart(client, .sopNotes(sop), eval, fields: [("note_date", "2026-02-10"), ("method", "citizen_interview"),
                                                                                    ("respondent", "citizen"), ("step_id", ""), ("text", "Antrean lama")],
                                           files: [("wawancara.png", Self.png)])
            #expect(note.status == .seeOther)
            let notes = try await client.get(SiteURL.sopNotes(sop).path, Req.headers(cookie: eval.cookie))
            #expect(notes.text.contains("Antrean lama") && notes.text.contains("wawancara.png") && notes.text.contains("Wawancara masyarakat"))
        }
    }

    @Test("Progress by the owner; verification only by an evaluator (a manager gets a field error); others' actions refused", arguments: TestEngine.all)
    func actionsAndVerification(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let officer = try await fx.session("officer")
            let mgr = try await fx.session("mgr")
            let eval = try await fx.session("eval")
            let done = try await multipart(client, .action(fx.actionID), officer, fields: [("status", "done"), ("progress_note", "Pelatihan selesai")],
                                           files: [("daftar hadir.png", Self.png)])
            #expect(done.status == .seeOther)
            #expect(try await fx.store.evidenceFiles(owner: .action, ownerID: fx.actionID).count == 1)
            let wrong = try await form(client, .actionVerify(fx.actionID), mgr, [("_csrf", mgr.csrf)])
            #expect(wrong.status == .badRequest)
            #expect(wrong.text.contains("Verifikasi</a>: hanya evaluator atau admin yang dapat memverifikasi"), "\(wrong.text)")
            let ok = try await form(client, .actionVerify(fx.actionID), eval, [("_csrf", eval.csrf)])
            #expect(ok.status == .seeOther)
            #expect(try await fx.store.followUpAction(id: fx.actionID).status == .verified)
            // An action owned by the manager: the officer may not report on it.
            let other = try await fx.store.createFollowUpAction(recommendationID: fx.recommendationID, FollowUpActionInput(
                title: "Tambah meja skrining", ownerID: "\(fx.users["mgr"]!)", dueDate: "2026-01-05"), by: .system)
            let refused = try await form(client, .action(other.id), officer, [("_csrf", officer.csrf), ("status", "in_progress")])
            #expect(refused.status == .forbidden)
            // Overdue: flagged on the unit's page, and a notice for its owner on /notifikasi.
            let unit = try await client.get(SiteURL.unitActions(fx.units["DINKES-PKM-KTB"]!).path, Req.headers(cookie: mgr.cookie))
            #expect(unit.text.contains("class=\"overdue\"") && unit.text.contains("Tambah meja skrining"))
            // The app's alert worker may raise it first (it runs every few seconds): either way, once.
            let raised = try await fx.store.raiseOverdueActionNotices(now: Date())
            #expect(raised <= 1)
            #expect(try await fx.store.raiseOverdueActionNotices(now: Date()) == 0, "a notice is raised once per action")
            let notices = try await client.get(SiteURL.notifications.path, Req.headers(cookie: mgr.cookie))
            #expect(notices.text.contains("Tindak lanjut &quot;Tambah meja skrining&quot; melewati batas waktu 2026-01-05"), "\(notices.text)")
            let mine = try await client.get(SiteURL.myActions.path, Req.headers(cookie: mgr.cookie))
            #expect(mine.text.contains("Tambah meja skrining") && mine.text.contains("1 tindakan terlambat"))
        }
    }

    @Test("API: findings of an SOP, actions of a unit, status by the owner", arguments: TestEngine.all)
    func api(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let r = try await client.get(SiteURL.api(.sopFindings(sop)).path, Req.headers(bearer: fx.token))
            #expect(r.status == .ok)
            struct F: Decodable { var id: Int64; var title: String; var severity: String; var recommendations: [R]; var evidence_files: [E] }
            struct R: Decodable { var id: Int64 }
            struct E: Decodable { var name: String; var url: String }
            let items = try JSONDecoder().decode([F].self, from: Data(buffer: r.body))
            let f = try #require(items.first { $0.id == fx.findingID })
            #expect(f.severity == "high" && f.recommendations.map(\.id) == [fx.recommendationID] && f.evidence_files.first?.name == "bukti.pdf")
            let a = try await client.get(SiteURL.api(.actions).path(query: ["unit": "\(fx.units["DINKES-PKM-KTB"]!)"]), Req.headers(bearer: fx.token))
            #expect(a.status == .ok && a.text.contains("Pelatihan skrining"))
            let officer = try await fx.session("officer")
            let st = try await client.post(SiteURL.api(.actionStatus(fx.actionID)).path, Req.headers(cookie: officer.cookie, csrf: officer.csrf, json: true),
                                           ByteBuffer(string: "{\"status\": \"in_progress\", \"note\": \"Dijadwalkan\"}"))
            #expect(st.status == .ok && st.text.contains("\"status\":\"in_progress\""), "\(st.text)")
            let bad = try await client.post(SiteURL.api(.actionStatus(fx.actionID)).path, Req.headers(cookie: officer.cookie, csrf: officer.csrf, json: true),
                                            ByteBuffer(string: "{\"status\": \"verified\"}"))
            #expect(bad.status == .badRequest || bad.status == .conflict)
        }
    }
}
