import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
@testable import PantauWeb
import Testing

/// The paper import as a new user meets it with an office's own file (issue 10, item 6): Google
/// Forms columns, the usual labels (D3, Sarjana, SLTA, ASN), a row without a date; the page
/// previews rows per period before anything is stored and stores only on confirmation.
@Suite("SKM paper import: aliases, ignored columns, preview before storing")
struct SurveyImportPreviewTests {
    /// An office's spreadsheet: Google Forms' own columns, labels as people write them, row 4 without a date.
    static let officeFile = """
        Timestamp,No,Nama,respondent,tanggal,jenis_kelamin,pendidikan,pekerjaan,u1,u2,u3,u4,u5,u6,u7,u8,u9
        2025/05/12 09:00,1,Ani,R-01,12/05/2025,Wanita,D3,ASN,4,3,3,4,4,3,4,3,4
        2025/08/02 10:00,2,Budi,R-02,02/08/2025,Pria,Sarjana,Wiraswasta,3,3,3,3,3,3,3,3,3
        2025/08/20 11:00,3,Citra,R-03,,P,SLTA,Karyawan,4,4,4,4,4,4,4,4,4
        """

    @Test(arguments: TestEngine.all)
    func previewShowsPeriodsAndStoresNothingUntilConfirmed(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let id = fx.surveys["imunisasi"]!
            let (mgr, csrf) = try await surveySession(fx, "mgr", form: true)
            let year = SurveyPeriod("2025")!
            func post(_ fields: [(String, String)]) async throws -> TestResponse {
                try await client.post("/surveys/\(id)/import", mgr, Req.form([("_csrf", csrf), ("source", "skm-2025.csv")] + fields))
            }
            // The form no longer starts on today.
            let page = try await client.get("/surveys/\(id)/import", mgr)
            #expect(page.text.contains("name=\"default_date\" type=\"date\" value=\"\"") && page.text.contains("Abaikan kolom yang tidak dikenal"))

            // Unknown columns refuse the file and point at the option.
            let strict = try await post([("csv", Self.officeFile)])
            #expect(strict.status == .badRequest && strict.text.contains("<code>respondent</code>") && strict.text.contains("<a href=\"#ignore_unknown\">"))

            // Ignored, but one row has no date and none was chosen: the preview says where the rest goes, no button to store.
            let noDate = try await post([("csv", Self.officeFile), ("ignore_unknown", "1")])
            #expect(noDate.status == .badRequest && noDate.text.contains("1 baris tidak mencantumkan tanggal"))
            #expect(noDate.text.contains("<a href=\"#default_date\">") && !noDate.text.contains("value=\"confirm\""))
            #expect(noDate.text.contains("<dt>Baris tanpa tanggal</dt><dd>1</dd>"))

            // With the date chosen: rows per quarter (the undated row in Q3), ignored columns, warnings; nothing stored.
            let fields = [("csv", Self.officeFile), ("ignore_unknown", "1"), ("default_date", "2025-09-30")]
            let preview = try await post(fields)
            #expect(preview.status == .ok)
            let text = preview.text
            #expect(text.contains("<dd id=\"preview-rows\">3</dd>"))
            #expect(!text.contains("Baris tanpa tanggal</dt>") && !text.contains("Baris kosong") && !text.contains("<dt>Dilewati"))
            #expect(text.contains("<th scope=\"row\">Triwulan II 2025</th><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td>"))
            #expect(text.contains("<th scope=\"row\">Triwulan III 2025</th><td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">0</td>"))
            for c in ["Timestamp", "No", "Nama", "respondent"] { #expect(text.contains("<code class=\"ignored-column\">\(c)</code>"), "\(c)") }
            #expect(text.contains("3 baris jatuh sebelum"))  // the survey was set up after 2025
            #expect(text.contains("value=\"confirm\"") && text.contains("Simpan 3 kuesioner"))
            #expect(try await fx.store.responses(surveyID: id, period: year).total == 0)

            // A confirmation of other content than the preview showed stores nothing.
            let digest = SurveyCitizen.hidden(text, "digest")
            #expect(digest.count == 64)
            let changed = try await post([("csv", Self.officeFile + "\n2025/09/01,4,Dodi,R-04,01/09/2025,L,SMA,PNS,4,4,4,4,4,4,4,4,4"),
                                          ("ignore_unknown", "1"), ("default_date", "2025-09-30"), ("action", "confirm"), ("digest", digest)])
            #expect(changed.status == .conflict && changed.text.contains("berubah sejak pratinjau") && changed.text.contains("Simpan 4 kuesioner"))
            let otherDate = try await post([("csv", Self.officeFile), ("ignore_unknown", "1"), ("default_date", "2025-06-30"),
                                            ("action", "confirm"), ("digest", digest)])
            #expect(otherDate.status == .conflict)
            #expect(try await fx.store.responses(surveyID: id, period: year).total == 0)

            // Confirmed: all three stored in one import, in the periods shown, with the list's codes.
            // The browser sends the preview's text box back with CR LF line breaks and no final
            // one: the same content, so it is what the preview showed.
            let asSubmitted = Self.officeFile.replacingOccurrences(of: "\n", with: "\r\n").trimmingCharacters(in: .newlines)
            let stored = try await post([("csv", asSubmitted), ("ignore_unknown", "1"), ("default_date", "2025-09-30"),
                                         ("action", "confirm"), ("digest", digest)])
            #expect(stored.status == .seeOther)
            let q2 = try await fx.store.responses(surveyID: id, period: SurveyPeriod("2025-Q2")!).items
            let q3 = try await fx.store.responses(surveyID: id, period: SurveyPeriod("2025-Q3")!).items
            #expect(q2.count == 1 && q3.count == 2)
            #expect(q2.first?.response.profile.education == "D1-D3" && q2.first?.response.profile.occupation == "PNS")
            #expect(Set(q3.map { $0.response.profile.education ?? "" }) == ["S1", "SMA"])
            #expect(q3.first { $0.response.profile.education == "SMA" }?.response.date == CivilDate(year: 2025, month: 9, day: 30))
            let imports = try await fx.store.surveyImports(surveyID: id)
            #expect(imports.count == 1 && imports.first?.imported == 3 && imports.first?.source == "skm-2025.csv")
            let audit = try await fx.store.auditEntries(entity: "survey_import", entityID: "\(imports.first!.id)").items
            #expect(audit.count == 1 && audit.first?.action == "import")

            // The same file again: the periods already hold answers, and the preview says so.
            let again = try await post(fields)
            #expect(again.text.contains("Triwulan II 2025 sudah berisi 1 jawaban") && again.text.contains("Triwulan III 2025 sudah berisi 2 jawaban"))
            #expect(again.text.contains("<td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">2</td>"))
        }
    }

    @Test func unknownValuesListWhatTheSurveyAcceptsInTheUsersLanguage() async throws {
        try await withTestApp { fx, client in
            let id = fx.surveys["imunisasi"]!
            let (mgr, csrf) = try await surveySession(fx, "mgr", form: true)
            let csv = "No;tanggal;pendidikan;pekerjaan;jenis_kelamin;u1\n1;01/07/2026;Kursus;TNI/POLRI;X;4\n"
            let form = Req.form([("_csrf", csrf), ("csv", csv), ("ignore_unknown", "1")])
            let id1 = try await client.post("/surveys/\(id)/import", mgr, form)
            #expect(id1.status == .badRequest)
            #expect(id1.text.contains("<td>2</td><td>2</td><td><code>pendidikan</code></td><td><code>Kursus</code></td><td>pendidikan tidak dikenal"))
            #expect(id1.text.contains("Nilai yang diterima: SD, SMP, SMA, D1-D3, S1 (D4/S1), S2, S3."))
            #expect(id1.text.contains("pekerjaan ini cocok dengan lebih dari satu pilihan") && id1.text.contains("TNI, POLRI. Tulis kodenya."))
            #expect(id1.text.contains("Nilai yang diterima: L (Laki-laki), P (Perempuan)."))
            let en = try await client.post("/surveys/\(id)/import?lang=en", mgr, form)
            #expect(en.text.contains("Accepted values: SD (Primary school), SMP (Junior secondary), SMA (Senior secondary), D1-D3 (Diploma (1–3 years)), S1 (Bachelor&#39;s degree / D4)")
                    || en.text.contains("Accepted values: SD (Primary school), SMP (Junior secondary), SMA (Senior secondary), D1-D3 (Diploma (1–3 years)), S1 (Bachelor&#x27;s degree / D4)"))
            #expect(try await fx.store.surveyImports(surveyID: id).isEmpty)
        }
    }

    /// The set-up form of a new survey with the nine standard unsur and the given profile fields.
    static func setUpForm(_ fx: TestFixture, csrf: String, name: String, _ profile: [(String, String)]) -> ByteBuffer {
        var f: [(String, String)] = [("_csrf", csrf), ("name", name), ("unit_id", "\(fx.units["DINKES-PKM-KTB"]!)"), ("sop_id", ""),
                                     ("period_kind", "quarter"), ("active", "1"), ("asks_age", "1"), ("weight_mode", "equal"), ("service_types", "")]
        for (i, c) in SurveyUnsur.questionnaireOrder.enumerated() { f += [("items[\(i)][code]", c.rawValue), ("items[\(i)][weight]", "")] }
        return Req.form(f + profile)
    }

    @Test func theSetUpFormSetsTheProfileListsWithAliases() async throws {
        try await withTestApp { fx, client in
            let (mgr, csrf) = try await surveySession(fx, "mgr", form: true)
            let lists: [(String, String)] = [
                ("education", "custom"),
                ("education_levels", "SD | SD/MI\nSMP\nSMA | SMA/SMK | Senior secondary | Aliyah\nD3 | Diploma III\nS1 | S1/D4\nS2\nS3"),
                ("occupations", "PNS | PNS/ASN\nSWASTA | Swasta\nLAINNYA | Lainnya | Other | Honorer, Petani"),
            ]
            let created = try await client.post("/surveys", mgr, Self.setUpForm(fx, csrf: csrf, name: "Layanan Uji Profil", lists))
            #expect(created.status == .seeOther)
            let survey = try #require(try await fx.store.surveys().first { $0.name == "Layanan Uji Profil" })
            #expect(survey.definition.profile.educationLevels.map(\.code) == ["SD", "SMP", "SMA", "D3", "S1", "S2", "S3"])
            #expect(survey.definition.profile.educationLevels[2].aliases == ["Aliyah"])
            #expect(survey.definition.profile.occupations.last == ProfileChoice("LAINNYA", "Lainnya", "Other", aliases: ["Honorer", "Petani"]))
            // The edit form shows them back, one line each.
            let edit = try await client.get("/surveys/\(survey.id)/edit", mgr)
            #expect(edit.text.contains("LAINNYA | Lainnya | Other | Honorer, Petani") && edit.text.contains("SMA | SMA/SMK | Senior secondary | Aliyah"))
            // The import reads the survey's own aliases and the standard ones on its list (D3 by code, Diploma III by label).
            let csv = "pekerjaan,pendidikan,u1\nHonorer,Aliyah,4\npetani,diploma iii,3\nASN,D3,4\n"
            let preview = try await client.post("/surveys/\(survey.id)/import", mgr, Req.form([("_csrf", csrf), ("csv", csv), ("default_date", "2026-11-30")]))
            #expect(preview.status == .ok && preview.text.contains("Simpan 3 kuesioner"))

            // An alias naming another choice, a line that is not a choice: field errors, nothing saved.
            let refused = try await client.post("/surveys", mgr, Self.setUpForm(fx, csrf: csrf, name: "Layanan Salah", [
                ("education", "custom"), ("education_levels", "SD\nSMA | SMA | Senior | SD"), ("occupations", "PNS | a | b | c | d"),
            ]))
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("Baris 2: “SD” sudah menunjuk pilihan SD, tidak dapat menjadi alias SMA"))
            #expect(refused.text.contains("baris 1: tulis KODE | Label | Label Inggris | alias, alias"))
            #expect(try await fx.store.surveys().first { $0.name == "Layanan Salah" } == nil)
        }
    }

    @Test(arguments: TestEngine.all)
    func theAPISetsTheProfileListsAndExplainsItsRefusals(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let (session, _) = try await surveySession(fx, "mgr")
            var h = session
            h[.contentType] = "application/json"
            let unit = fx.units["DINKES-PKM-KTB"]!
            let create = """
                {"unit_id": \(unit), "name": "Layanan API", "period_kind": "semester",
                 "profile": {"education_levels": [{"code": "SD"}, {"code": "SMA", "label": "SMA/SMK", "aliases": ["Aliyah"]},
                                                  {"code": "D1-D3", "label": "D1–D3", "label_en": "Diploma"}, {"code": "S1"}],
                             "occupations": [{"code": "PNS"}, {"code": "LAINNYA", "label": "Lainnya", "aliases": ["Honorer"]}],
                             "service_types": [{"code": "DASAR", "label": "Imunisasi dasar", "aliases": ["bayi"]}], "asks_age": false}}
                """
            let created = try await client.post("/api/v1/surveys", h, ByteBuffer(string: create))
            #expect(created.status == .created)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: created.body)) as? [String: Any])
            let sid = try #require((body["survey"] as? [String: Any])?["id"] as? Int)
            let survey = try await fx.store.survey(id: Int64(sid))
            #expect(survey.periodKind == .semester && survey.definition.items.count == 9 && !survey.definition.profile.asksAge)
            #expect(survey.definition.profile.educationLevels[1] == ProfileChoice("SMA", "SMA/SMK", "SMA/SMK", aliases: ["Aliyah"]))
            #expect(survey.definition.profile.serviceTypes == [ProfileChoice("DASAR", "Imunisasi dasar", "Imunisasi dasar", aliases: ["bayi"])])
            #expect(created.text.contains("\"aliases\":[\"Honorer\"]"))

            // An update changes only what it sends.
            let updated = try await client.execute(uri: "/api/v1/surveys/\(sid)", method: .put, headers: h, body: ByteBuffer(string: #"{"profile": {"occupations": [{"code": "PNS", "aliases": ["ASN daerah"]}, {"code": "SWASTA"}]}}"#))
            #expect(updated.status == .ok)
            let after = try await fx.store.survey(id: Int64(sid))
            #expect(after.definition.profile.occupations.map(\.code) == ["PNS", "SWASTA"] && after.definition.profile.educationLevels == survey.definition.profile.educationLevels)
            #expect(after.name == "Layanan API" && after.periodKind == .semester)

            // Problems are named by JSON path, in the caller's words, and nothing changes.
            let bad = #"{"profile": {"education_levels": [{"code": "SD"}, {"code": "sd"}, {"code": "SMA", "aliases": ["SD"]}], "occupations": []}}"#
            let refused = try await client.execute(uri: "/api/v1/surveys/\(sid)?lang=en", method: .put, headers: h, body: ByteBuffer(string: bad))
            #expect(refused.status == .badRequest)
            let p = try #require(try JSONSerialization.jsonObject(with: Data(buffer: refused.body)) as? [String: Any])
            let errors = (p["errors"] as? [[String: String]] ?? []).map { "\($0["field"] ?? "")=\($0["message"] ?? "")" }
            #expect(errors.contains("profile.education_levels[2].code=code sd is used more than once"))
            #expect(errors.contains("profile.education_levels[3].aliases=“SD” already names choice SD; it cannot also be an alias of SMA"))
            #expect(errors.contains("profile.occupations=this list needs at least one choice"))
            #expect(try await fx.store.survey(id: Int64(sid)).definition == after.definition)
            let missing = try await client.post("/api/v1/surveys", h, ByteBuffer(string: #"{"name": ""}"#))
            #expect(missing.status == .badRequest && missing.text.contains("\"field\":\"unit_id\"") && missing.text.contains("\"field\":\"name\""))
            // Tokens (kiosks, other systems) may not set surveys up.
            #expect(try await client.post("/api/v1/surveys", Req.headers(bearer: fx.token, json: true), ByteBuffer(string: create)).status == .forbidden)
        }
    }
}
