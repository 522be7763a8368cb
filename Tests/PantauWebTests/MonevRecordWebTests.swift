import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
@testable import PantauWeb
import Testing

/// The Tabel 7 and Tabel 8 pages: form errors named as the form labels them, sign-off rules,
/// the printable A4 forms, unit scope, the JSON API.
@Suite("Monev record pages (Tabel 7, Tabel 8)")
struct MonevRecordWebTests {
    static var currentSemester: String { SurveyPeriod(containing: CivilDate(Date()), kind: .semester).description }

    @Test("A new Tabel 7: bad input gets field errors with the form's labels; a valid period is pre-filled and opens the record", arguments: TestEngine.all)
    func newMonitoringRecordForm(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let (mgr, csrf) = try await surveySession(fx, "mgr", form: true)
            let list = try await client.get("/sops/\(sop)/monitoring-sop", mgr)
            #expect(list.status == .ok && list.text.contains("Monitoring SOP (Tabel 7)") && list.text.contains("Buat dan isi otomatis"))

            let bad = try await client.post("/sops/\(sop)/monitoring-sop", mgr, Req.form([
                ("_csrf", csrf), ("period", "2026-Q9"), ("methods", "observation"), ("threshold_skipped", "abc"), ("threshold_over_standard", "150")]))
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("<a href=\"#period\">Periode</a>: Periode tidak valid"))
            #expect(bad.text.contains("<a href=\"#threshold_skipped\">Batas langkah dilewati (%)</a>: Harus berupa angka"))
            #expect(bad.text.contains("<a href=\"#threshold_over_standard\">Batas melebihi standar waktu (%)</a>: harus antara 0 dan 100 persen"))
            #expect(bad.text.contains("id=\"threshold_skipped\" name=\"threshold_skipped\" inputmode=\"decimal\" value=\"abc\" aria-invalid=\"true\""))

            // The fixture holds the current semester: the year overlaps it.
            let year = String(Self.currentSemester.prefix(4))
            let overlap = try await client.post("/sops/\(sop)/monitoring-sop", mgr, Req.form([("_csrf", csrf), ("period", year)]))
            #expect(overlap.status == .badRequest)
            #expect(overlap.text.contains("<a href=\"#period\">Periode</a>: periode ini bertumpang tindih dengan catatan periode \(Self.currentSemester) untuk SOP ini"))
            #expect(try await fx.store.monitoringRecords(sopID: sop).count == 1)

            let ok = try await client.post("/sops/\(sop)/monitoring-sop", mgr, Req.form([
                ("_csrf", csrf), ("period", "2025-S1"), ("methods", "observation"), ("methods", "discussion"), ("threshold_skipped", "12,5")]))
            #expect(ok.status == .seeOther)
            let rec = try #require(try await fx.store.monitoringRecords(sopID: sop).first { $0.period.description == "2025-S1" })
            #expect(ok.headers[.location] == "/sops/\(sop)/monitoring-sop/\(rec.id)")
            #expect(rec.content.thresholds.skippedShare == 0.125 && rec.content.methods == [.observation, .discussion])
            let page = try await client.get("/sops/\(sop)/monitoring-sop/\(rec.id)", mgr)
            #expect(page.status == .ok && page.text.contains("SOP secara keseluruhan") && page.text.contains("name=\"rows[1][assessment]\""))

            // The SOP page and the monitoring page link here.
            let detail = try await client.get("/sops/\(sop)", mgr)
            #expect(detail.text.contains("href=\"/sops/\(sop)/monitoring-sop\"") && detail.text.contains("href=\"/sops/\(sop)/evaluasi-sop\""))
            let monitoring = try await client.get("/sops/\(sop)/pemantauan", mgr)
            #expect(monitoring.text.contains("href=\"/sops/\(sop)/monitoring-sop\"") && monitoring.text.contains("href=\"/sops/\(sop)/evaluasi-sop\""))
        }
    }

    @Test("Tabel 7 sign-off: a unit manager is refused naming the paraf field; the evaluator signs once every row is decided; then a change needs a reason")
    func monitoringSignOff() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!, id = fx.monevRecords["monitoring"]!
            let url = "/sops/\(sop)/monitoring-sop/\(id)"
            let (mgr, mgrCSRF) = try await surveySession(fx, "mgr", form: true)
            let refused = try await client.post(url + "/paraf", mgr, Req.form([("_csrf", mgrCSRF)]))
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("<a href=\"#evaluator_sign\">Paraf penilai</a>: hanya evaluator atau administrator yang dapat membubuhkan paraf penilai"))
            #expect(try await fx.store.monitoringRecord(id: id).evaluator == nil)

            let (eval, csrf) = try await surveySession(fx, "eval", form: true)
            // One case in the fixture: too few for a proposal, so the step rows are undecided.
            let rows = try await fx.store.monitoringRecord(id: id).content.rows
            let open = try #require(rows.first { $0.assessment == nil }?.number)
            let undecided = try await client.post(url + "/paraf", eval, Req.form([("_csrf", csrf)]))
            #expect(undecided.status == .badRequest
                    && undecided.text.contains("<a href=\"#rows-\(open)-assessment\">Penilaian baris \(open)</a>: baris \(open) belum dinilai"))
            var form: [(String, String)] = [("_csrf", csrf), ("methods", "observation"), ("methods", "citizen_interview"), ("general_note", "<script>alert(1)</script>")]
            for r in rows { form += [("rows[\(r.number)][assessment]", r.number == 2 ? "not_good" : "good"), ("rows[\(r.number)][note]", "Catatan \(r.number)"), ("rows[\(r.number)][action]", "")] }
            // A third state ("berjalan kurang baik", openSOP) is not in the Permen: refused on its row.
            var third = form
            third.removeAll { $0.0 == "rows[3][assessment]" }
            third.append(("rows[3][assessment]", "kurang_baik"))
            let thirdState = try await client.post(url, eval, Req.form(third))
            #expect(thirdState.status == .badRequest && thirdState.text.contains("<a href=\"#rows-3-assessment\">Penilaian baris 3</a>"))
            #expect(try await client.post(url, eval, Req.form(form)).status == .seeOther)
            let signed = try await client.post(url + "/paraf", eval, Req.form([("_csrf", csrf)]))
            #expect(signed.status == .seeOther)
            let rec = try await fx.store.monitoringRecord(id: id)
            #expect(rec.isFrozen && rec.content.rows[2].assessment == .notGood && rec.content.methods == [.observation, .citizenInterview])

            let noReason = try await client.post(url, eval, Req.form(form))
            #expect(noReason.status == .badRequest && noReason.text.contains("<a href=\"#reason\">Alasan perubahan</a>: wajib diisi"))
            let withReason = try await client.post(url, eval, Req.form(form + [("reason", "Koreksi catatan")]))
            #expect(withReason.status == .seeOther)
            #expect(try await fx.store.monitoringRecord(id: id).revision == 2)
            let old = try await client.get(url + "?revisi=1", eval)
            #expect(old.status == .ok && old.text.contains("Anda melihat revisi lama") && old.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!old.text.contains("<script>alert(1)</script>"))
        }
    }

    @Test("Tabel 8 sign-offs: the executor route admits the SOP's staff; others get a field error or, out of scope, 404")
    func evaluationSignOffs() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!, id = fx.monevRecords["evaluation"]!
            let url = "/sops/\(sop)/evaluasi-sop/\(id)"
            let (eval, csrf) = try await surveySession(fx, "eval", form: true)
            let notStaff = try await client.post(url + "/tanda-tangan-pelaksana", eval, Req.form([("_csrf", csrf)]))
            #expect(notStaff.status == .badRequest && notStaff.text.contains("<a href=\"#executor_sign\">Pelaksana SOP</a>: hanya pelaksana atau kepala unit"))
            let first = try await client.post(url + "/tanda-tangan-evaluator", eval, Req.form([("_csrf", csrf)]))
            #expect(first.status == .badRequest && first.text.contains("pelaksana SOP harus menandatangani lebih dahulu"))
            let (other, otherCSRF) = try await surveySession(fx, "mgrOther", form: true)
            #expect(try await client.post(url + "/tanda-tangan-pelaksana", other, Req.form([("_csrf", otherCSRF)])).status == .notFound)

            var form: [(String, String)] = [("_csrf", csrf), ("activities_without_sop", "ya"), ("activities_without_sop_list", "Imunisasi di posyandu")]
            for n in 1...7 { form += [("answers[\(n)][answer]", n == 5 ? "tidak" : "ya"), ("answers[\(n)][note]", "")] }
            let wrong = try await client.post(url, eval, Req.form(form.map { $0.0 == "answers[4][answer]" ? ($0.0, "mungkin") : $0 }))
            #expect(wrong.status == .badRequest && wrong.text.contains("<a href=\"#answers-4-answer\">Kriteria 4: Ya/Tidak</a>"))
            #expect(try await fx.store.evaluationRecord(id: id).content.yesCount == 0, "nothing saved from a refused form")
            #expect(try await client.post(url, eval, Req.form(form)).status == .seeOther)

            let (officer, officerCSRF) = try await surveySession(fx, "officer", form: true)
            #expect(try await client.post(url + "/tanda-tangan-pelaksana", officer, Req.form([("_csrf", officerCSRF)])).status == .seeOther)
            #expect(try await client.post(url + "/tanda-tangan-evaluator", eval, Req.form([("_csrf", csrf)])).status == .seeOther)
            let rec = try await fx.store.evaluationRecord(id: id)
            #expect(rec.isFrozen && rec.executor?.role == .officer && rec.evaluator?.role == .evaluator && rec.content.yesCount == 6)
            let page = try await client.get(url, officer)
            #expect(page.status == .ok && page.text.contains("85,7% (6/7)") && !page.text.contains("tanda-tangan-pelaksana\""))
        }
    }

    @Test("The print views are the official layouts: Tabel 7 with columns numbered 1 to 6, Tabel 8 with the 7 criteria and two signature blocks")
    func printViews() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!
            let (admin, _) = try await surveySession(fx, "admin")
            let t7 = try await client.get("/sops/\(sop)/monitoring-sop/\(fx.monevRecords["monitoring"]!)/cetak", admin)
            #expect(t7.status == .ok)
            #expect(t7.text.contains("<tr class=\"colno\"><th>1</th><th>2</th><th colspan=\"2\">3</th><th>4</th><th>5</th><th>6</th></tr>"))
            for heading in ["<th scope=\"col\" rowspan=\"2\">No</th>", "<th scope=\"col\" rowspan=\"2\">Prosedur</th>",
                            "<th scope=\"colgroup\" colspan=\"2\">Penilaian terhadap penerapan</th>", "<th scope=\"col\">Berjalan dengan baik</th>",
                            "<th scope=\"col\">Tidak berjalan dengan baik</th>", "<th scope=\"col\" rowspan=\"2\">Catatan hasil penilaian</th>",
                            "<th scope=\"col\" rowspan=\"2\">Tindakan yang harus diambil</th>", "<th scope=\"col\" rowspan=\"2\">Paraf penilai</th>",
                            "@page { size: A4 landscape", "Monitoring Pelaksanaan SOP Administrasi Pemerintahan", "&#9745; Observasi oleh atasan",
                            "DRAF: belum diparaf penilai."] {
                #expect(t7.text.contains(heading), "\(heading)")
            }
            #expect(!t7.text.contains("⟦") && !t7.text.contains("pantau.css"))
            let t8 = try await client.get("/sops/\(sop)/evaluasi-sop/\(fx.monevRecords["evaluation"]!)/cetak", admin)
            #expect(t8.status == .ok && t8.text.contains("@page { size: A4 portrait"))
            for text in ["Mampu mendorong peningkatan kinerja", "Mudah dipahami", "Mudah dilaksanakan", "Semua orang dapat menjalankan perannya masing-masing",
                         "Mampu mengatasi permasalahan yang berkaitan dengan proses", "Mampu menjawab kebutuhan peningkatan kinerja organisasi",
                         "Sinergi satu dengan lainnya", "Apakah masih ada kegiatan yang belum memiliki SOP?", "<p>Pelaksana SOP</p>", "<p>Evaluator</p>",
                         "Persentase jawaban Ya"] {
                #expect(t8.text.contains(text), "\(text)")
            }
            // English too, without missing strings.
            for path in ["/sops/\(sop)/monitoring-sop", "/sops/\(sop)/evaluasi-sop", "/sops/\(sop)/monitoring-sop/\(fx.monevRecords["monitoring"]!)",
                         "/sops/\(sop)/evaluasi-sop/\(fx.monevRecords["evaluation"]!)", "/sops/\(sop)/evaluasi-sop/\(fx.monevRecords["evaluation"]!)/cetak"] {
                for lang in ["id", "en"] {
                    let r = try await client.get(path + "?lang=" + lang, admin)
                    #expect(r.status == .ok && !r.text.contains("⟦"), "\(path) \(lang)")
                }
            }
        }
    }

    @Test("Unit scope: other units' staff and auditors get 404; a record is reachable only under its own SOP; the API answers in its schema")
    func scopeAndAPI() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!, mon = fx.monevRecords["monitoring"]!, ev = fx.monevRecords["evaluation"]!
            for who in ["mgrOther", "auditorOther"] {
                let (h, _) = try await surveySession(fx, who)
                for path in ["/sops/\(sop)/monitoring-sop", "/sops/\(sop)/monitoring-sop/\(mon)", "/sops/\(sop)/monitoring-sop/\(mon)/cetak",
                             "/sops/\(sop)/evaluasi-sop/\(ev)", "/api/v1/sops/\(sop)/monitoring-records"] {
                    #expect(try await client.get(path, h).status == .notFound, "\(who) \(path)")
                }
            }
            let (admin, _) = try await surveySession(fx, "admin")
            #expect(try await client.get("/sops/\(fx.sops["izin"]!)/monitoring-sop/\(mon)", admin).status == .notFound)
            #expect(try await client.get("/sops/\(sop)/evaluasi-sop/\(mon)", admin).status == .notFound)
            #expect(try await client.get("/sops/\(sop)/monitoring-sop/\(mon)?revisi=9", admin).status == .notFound)

            let token = Req.headers(bearer: fx.token)
            let m = try await client.get("/api/v1/sops/\(sop)/monitoring-records", token)
            #expect(m.status == .ok)
            let mv = try JSONValue.parse(Data(m.text.utf8))
            #expect([MonevDTO.MonitoringRecord].jsonSchema.violations(of: mv).isEmpty, "\([MonevDTO.MonitoringRecord].jsonSchema.violations(of: mv))")
            #expect(m.text.contains("\"period\":\"\(Self.currentSemester)\"") && m.text.contains("\"number\":0"))
            let e = try await client.get("/api/v1/sops/\(sop)/evaluation-records", token)
            let evv = try JSONValue.parse(Data(e.text.utf8))
            #expect(e.status == .ok && [MonevDTO.EvaluationRecord].jsonSchema.violations(of: evv).isEmpty)
            #expect(e.text.contains("\"yes_share\":0") && e.text.contains("\"answers\":[{\"note\":\"\",\"number\":1}"))
        }
    }
}
