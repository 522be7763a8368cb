import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauReports
import PantauStore
import PantauTestSupport
import PantauWeb
import Testing

// MARK: - Helpers

/// A citizen's browser without JavaScript: it keeps the CSRF cookie the form page sets and sends
/// the form fields (`_csrf`, the signed `_t`, the answers) as a browser would.
struct SurveyCitizen {
    var cookie: String?
    var forwardedFor: String?

    static func hidden(_ html: String, _ name: String) -> String {
        guard let r = html.range(of: "name=\"\(name)\" value=\"") else { return "" }
        return String(html[r.upperBound...].prefix { $0 != "\"" })
    }

    var headers: HTTPFields {
        var h = HTTPFields()
        if let cookie { h[.cookie] = cookie }
        if let forwardedFor { h[HTTPField.Name("X-Forwarded-For")!] = forwardedFor }
        return h
    }

    /// Opens the form; returns the page and the hidden fields.
    mutating func open(_ client: any TestClientProtocol, _ code: String, lang: String? = nil) async throws -> (page: TestResponse, csrf: String, token: String) {
        let r = try await client.get("/s/\(code)" + (lang.map { "?lang=\($0)" } ?? ""), headers)
        if cookie == nil, let c = r.headers[values: .setCookie].first(where: { $0.hasPrefix("pantau_csrf=") }) {
            cookie = String(c.split(separator: ";")[0])
        }
        return (r, Self.hidden(r.text, "_csrf"), Self.hidden(r.text, "_t"))
    }

    func submit(_ client: any TestClientProtocol, _ code: String, csrf: String, token: String, _ fields: [(String, String)]) async throws -> TestResponse {
        var h = headers
        h[.contentType] = "application/x-www-form-urlencoded"
        return try await client.post("/s/\(code)", h, Req.form([("_csrf", csrf), ("_t", token), ("website", "")] + fields))
    }

    /// Opens the form and sends it.
    mutating func fill(_ client: any TestClientProtocol, _ code: String, _ fields: [(String, String)]) async throws -> TestResponse {
        let (_, csrf, token) = try await open(client, code)
        return try await submit(client, code, csrf: csrf, token: token, fields)
    }
}

/// Answers for the nine standard unsur: `score` for each, with exceptions (nil = unanswered).
func surveyAnswers(_ score: Int, _ except: [String: Int?] = [:]) -> [(String, String)] {
    SurveyUnsur.questionnaireOrder.compactMap { c in
        let v = except.keys.contains(c.rawValue) ? except[c.rawValue]! : score
        return v.map { ("u_\(c.rawValue)", "\($0)") }
    }
}

/// The set-up form of a new survey of the Puskesmas with the nine standard unsur.
func surveySetUpForm(_ fx: TestFixture, csrf: String, name: String, weights: [String]? = nil, extra: [(String, String)] = []) -> ByteBuffer {
    var f: [(String, String)] = [("_csrf", csrf), ("name", name), ("unit_id", "\(fx.units["DINKES-PKM-KTB"]!)"), ("sop_id", ""),
                                 ("period_kind", "quarter"), ("active", "1"), ("education", "standard"), ("asks_age", "1"),
                                 ("weight_mode", weights == nil ? "equal" : "custom"), ("service_types", "")]
    for (i, c) in SurveyUnsur.questionnaireOrder.enumerated() {
        f.append(("items[\(i)][code]", c.rawValue))
        f.append(("items[\(i)][weight]", weights?[i] ?? ""))
    }
    return Req.form(f + extra)
}

func surveySession(_ fx: TestFixture, _ user: String, form: Bool = false) async throws -> (headers: HTTPFields, csrf: String) {
    let s = try await fx.session(user)
    return (Req.headers(cookie: s.cookie, csrf: s.csrf, form: form), s.csrf)
}

/// Entries of a ZIP written by ZipArchiveWriter (stored or deflated entries), by name.
func skmZipEntries(_ data: Data) throws -> [String: Data] {
    let b = [UInt8](data)
    func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
    var out: [String: Data] = [:]
    var i = 0
    while i + 30 <= b.count, u32(i) == 0x0403_4B50 {
        let method = u16(i + 8), size = u32(i + 18), nameLen = u16(i + 26), extraLen = u16(i + 28)
        let name = String(decoding: b[(i + 30)..<(i + 30 + nameLen)], as: UTF8.self)
        let start = i + 30 + nameLen + extraLen
        try #require((method == 0 || method == 8) && start + size <= b.count, "entry \(name) is neither stored nor deflated, or is cut")
        let raw = Array(b[start..<(start + size)])
        out[name] = Data(method == 8 ? try RawDeflate.inflate(raw, expectedSize: u32(i + 22)) : raw)
        i = start + size
    }
    try #require(b.count >= 22 && u32(b.count - 22) == 0x0605_4B50, "no end-of-central-directory record")
    return out
}

/// RFC 4180 records of a `;` CSV (quotes and doubled quotes), BOM removed.
func skmCSVRecords(_ data: Data) -> [[String]] {
    var text = String(decoding: data, as: UTF8.self)
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
    var it = Array(text).makeIterator()
    var pending: Character? = nil
    while let c = pending ?? it.next() {
        pending = nil
        if quoted {
            if c == "\"" {
                if let n = it.next() { if n == "\"" { field.append("\"") } else { quoted = false; pending = n } } else { quoted = false }
            } else { field.append(c) }
        } else if c == "\"" { quoted = true }
        else if c == ";" { row.append(field); field = "" }
        else if c == "\r\n" || c == "\n" { row.append(field); rows.append(row); row = []; field = "" }
        else { field.append(c) }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

// MARK: - Tests

@Suite("SKM web: public form, results, roles, import, exports, API")
struct SurveyWebTests {
    @Test(arguments: TestEngine.all)
    func citizenFillsTheFormWithoutJavaScriptAndTheUnitSeesIKMAndGradeAtOnce(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let (mgr, csrf) = try await surveySession(fx, "mgr", form: true)
            let created = try await client.post("/surveys", mgr, surveySetUpForm(fx, csrf: csrf, name: "Pelayanan KIA"))
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            let id = try #require(Int64(location.replacingOccurrences(of: "/surveys/", with: "")))
            let survey = try await fx.store.survey(id: id)
            #expect(survey.definition.items.count == 9 && survey.definition.items.allSatisfy { $0.weight == .equalShare(of: 9) })

            var citizen = SurveyCitizen()
            let (page, formCSRF, token) = try await citizen.open(client, survey.code)
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("<html lang=\"id\">") && !html.contains("<script"), "the public form needs no script")
            #expect(html.components(separatedBy: "<fieldset class=\"q\"").count - 1 == 9)
            #expect(html.contains("<legend><span class=\"qno\">1</span> <span class=\"qname\">Persyaratan</span>"))
            #expect(html.contains("<label class=\"choice\" for=\"q-waktu-4\"><input type=\"radio\" id=\"q-waktu-4\" name=\"u_waktu\" value=\"4\"> <span>Sangat cepat</span></label>"))
            #expect(html.contains("Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?"))
            #expect(!formCSRF.isEmpty && citizen.cookie == "pantau_csrf=\(formCSRF)" && token.split(separator: ".").count == 3)
            let en = try await client.get("/s/\(survey.code)?lang=en")
            #expect(en.text.contains("<html lang=\"en\">") && en.text.contains("How fast was the service delivered?") && en.text.contains("Very fast"))

            let sent = try await citizen.submit(client, survey.code, csrf: formCSRF, token: token, surveyAnswers(4, ["waktu": 3, "pengaduan": nil]) + [
                ("gender", "P"), ("age", "29"), ("education", "SMA"), ("occupation", "LAINNYA"), ("occupation_detail", "Ibu rumah tangga"),
                ("case_reference", "IMN-2026-00077"), ("saran", "Ruang tunggu panas"),
            ])
            #expect(sent.status == .seeOther && sent.headers[.location] == "/s/\(survey.code)/terima-kasih")
            let thanks = try await client.get(sent.headers[.location]!, citizen.headers)
            #expect(thanks.status == .ok && thanks.text.contains("Terima kasih"))

            // The unit sees the result at once: (7 × 4 + 3) / 8 answered unsur = 3.875 → 96.875 → 96,88 (A).
            let results = try await client.get("/surveys/\(id)", mgr)
            #expect(results.status == .ok)
            #expect(results.text.contains("<span class=\"num\" id=\"ikm\">96,88</span>"))
            #expect(results.text.contains("<span class=\"num\" id=\"grade\">A</span>") && results.text.contains("Sangat baik"))
            #expect(results.text.contains("Unsur tanpa jawaban tidak dihitung") && results.text.contains("Penanganan pengaduan"))
            #expect(results.text.contains("<svg"), "NRR chart")
            let stored = try #require(try await fx.store.responses(surveyID: id, period: SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)).items.first)
            #expect(stored.channel == .web && stored.response.answers.count == 8 && stored.response.answers[.waktu] == 3)
            #expect(stored.response.caseReference == "IMN-2026-00077" && stored.response.profile.occupationDetail == "Ibu rumah tangga")
            #expect(stored.createdBy == "public")
        }
    }

    @Test func customWeightingThroughTheSetUpPageAndUnansweredUnsur() async throws {
        try await withTestApp { fx, client in
            let (mgr, csrf) = try await surveySession(fx, "mgr", form: true)
            // Weights not summing to 1: refused with the field named, nothing stored.
            let before = try await fx.store.surveys().count
            let bad = try await client.post("/surveys", mgr, surveySetUpForm(fx, csrf: csrf, name: "Loket", weights: Array(repeating: "0,1", count: 9)))
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("<code>weights</code>") && bad.text.contains("harus 1"))
            #expect(bad.text.contains("value=\"0,1\""), "typed weights are kept")
            let typo = try await client.post("/surveys", mgr, surveySetUpForm(fx, csrf: csrf, name: "Loket", weights: ["0.2", "abc"] + Array(repeating: "0.1", count: 7)))
            #expect(typo.status == .badRequest && typo.text.contains("<code>items[1].weight</code>") && typo.text.contains("Bobot tidak valid"))
            // A unit's own unsur without a question is refused too.
            let own = try await client.post("/surveys", mgr, surveySetUpForm(fx, csrf: csrf, name: "Loket", extra: [("items[9][code]", "kebersihan"), ("items[9][name_id]", "Kebersihan")]))
            #expect(own.status == .badRequest && own.text.contains("<code>items[9].question_id</code>"))
            #expect(try await fx.store.surveys().count == before)

            // Persyaratan weighs 0.2, the other eight 0.1 each.
            let ok = try await client.post("/surveys", mgr, surveySetUpForm(fx, csrf: csrf, name: "Loket", weights: ["20%"] + Array(repeating: "0,1", count: 8)))
            #expect(ok.status == .seeOther)
            let id = try #require(Int64(ok.headers[.location]!.replacingOccurrences(of: "/surveys/", with: "")))
            let survey = try await fx.store.survey(id: id)
            #expect(survey.definition.item(.persyaratan)?.weight == SurveyWeight(numerator: 1, denominator: 5))
            var citizen = SurveyCitizen()
            #expect(try await citizen.fill(client, survey.code, surveyAnswers(4, ["persyaratan": 1])).status == .seeOther)
            // 0.2 × 1 + 0.8 × 4 = 3.4 → 85,00 (B); with 1/9 each it would be 91,67 (A).
            let page = try await client.get("/surveys/\(id)", mgr)
            #expect(page.text.contains("id=\"ikm\">85,00<") && page.text.contains("id=\"grade\">B<"))
            let edit = try await client.get("/surveys/\(id)/edit", mgr)
            #expect(edit.text.contains("value=\"custom\" checked") && edit.text.contains("value=\"0,2\"") == false && edit.text.contains("value=\"0.2\""))

            // A respondent who answers one unsur: only that unsur counts (weights rescaled).
            var second = SurveyCitizen()
            #expect(try await second.fill(client, survey.code, [("u_waktu", "2")]).status == .seeOther)
            let api = try await client.get("/api/v1/surveys/\(id)/results", Req.headers(bearer: fx.token))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: api.body)) as? [String: Any])
            let unsur = try #require(json["unsur"] as? [[String: Any]])
            let waktu = try #require(unsur.first { $0["code"] as? String == "waktu" })
            #expect(waktu["answered"] as? Int == 2 && waktu["unanswered"] as? Int == 0 && waktu["nrr"] as? Double == 3)
            let sarana = try #require(unsur.first { $0["code"] as? String == "sarana" })
            #expect(sarana["answered"] as? Int == 1 && sarana["unanswered"] as? Int == 1 && sarana["nrr"] as? Double == 4)
            // (0.2 × 1 + 0.1 × 3 + 0.7 × 4) × 25 = 82.5
            #expect(json["ikm"] as? Double == 82.5 && json["grade"] as? String == "B" && json["respondents"] as? Int == 2)
        }
    }

    @Test(arguments: TestEngine.all)
    func rateLimitAnswers429AfterNSubmissionsPerClient(_ engine: TestEngine) async throws {
        try await withTestApp(engine, configure: { c in
            c.surveyRateLimit = 3
            c.trustForwardedFor = true
        }) { fx, client in
            let code = fx.surveyCodes["imunisasi"]!, id = fx.surveys["imunisasi"]!
            let period = SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)
            let before = try await fx.store.responses(surveyID: id, period: period).total
            var a = SurveyCitizen(forwardedFor: "10.0.0.1")
            for _ in 0..<3 { #expect(try await a.fill(client, code, surveyAnswers(3)).status == .seeOther) }
            let refused = try await a.fill(client, code, surveyAnswers(3))
            #expect(refused.status == .tooManyRequests)
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(refused.text.contains("Terlalu banyak"))
            // A forged left-most address does not help: the proxy's entry (the last) counts.
            var spoof = SurveyCitizen(forwardedFor: "203.0.113.9, 10.0.0.1")
            #expect(try await spoof.fill(client, code, surveyAnswers(3)).status == .tooManyRequests)
            var b = SurveyCitizen(forwardedFor: "10.0.0.2")
            #expect(try await b.fill(client, code, surveyAnswers(3)).status == .seeOther)
            #expect(try await fx.store.responses(surveyID: id, period: period).total == before + 4)
        }
    }

    @Test func honeypotAndForgedTokensAreRejectedWithoutStoring() async throws {
        try await withTestApp { fx, client in
            let code = fx.surveyCodes["imunisasi"]!, id = fx.surveys["imunisasi"]!
            let period = SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)
            let before = try await fx.store.responses(surveyID: id, period: period).total
            var c = SurveyCitizen()
            let (_, csrf, token) = try await c.open(client, code)
            var h = c.headers
            h[.contentType] = "application/x-www-form-urlencoded"
            let bot = try await client.post("/s/\(code)", h, Req.form([("_csrf", csrf), ("_t", token), ("website", "http://spam.example")] + surveyAnswers(4)))
            #expect(bot.status == .unprocessableContent)
            #expect(bot.text.contains("id=\"q-persyaratan-4\" name=\"u_persyaratan\" value=\"4\" checked"), "answers are kept for a person")
            let forged = try await client.post("/s/\(code)", h, Req.form([("_csrf", csrf), ("_t", "1780000000.abc.0000"), ("website", "")] + surveyAnswers(4)))
            #expect(forged.status == .unprocessableContent && forged.text.contains("kedaluwarsa"))
            let none = try await client.post("/s/\(code)", h, Req.form([("_csrf", csrf), ("website", "")] + surveyAnswers(4)))
            #expect(none.status == .unprocessableContent)
            // Without the CSRF pair the form is refused before anything else.
            let noCSRF = try await client.post("/s/\(code)", [.contentType: "application/x-www-form-urlencoded"], Req.form([("_t", token)] + surveyAnswers(4)))
            #expect(noCSRF.status == .forbidden)
            // No answer at all, or a tampered score: the form comes back with messages.
            let empty = try await c.submit(client, code, csrf: csrf, token: token, [("saran", "kosong")])
            #expect(empty.status == .badRequest && empty.text.contains("Jawab minimal satu pertanyaan") && empty.text.contains(">kosong</textarea>"))
            let tampered = try await c.submit(client, code, csrf: csrf, token: token, surveyAnswers(4, ["biaya": 9]) + [("age", "200")])
            #expect(tampered.status == .badRequest && tampered.text.contains("href=\"#q-biaya\"") && tampered.text.contains("Usia harus angka 1–130"))
            #expect(try await fx.store.responses(surveyID: id, period: period).total == before)
        }
    }

    @Test func aClosedSurveyTakesNoAnswers() async throws {
        try await withTestApp { fx, client in
            let id = fx.surveys["imunisasi"]!, code = fx.surveyCodes["imunisasi"]!
            var c = SurveyCitizen()
            let (_, csrf, token) = try await c.open(client, code)
            let survey = try await fx.store.survey(id: id)
            try await fx.store.updateSurvey(id: id, SurveyInput(unitID: survey.unitID, sopID: survey.sopID, name: survey.name, periodKind: survey.periodKind,
                                                                definition: survey.definition, active: false), by: .system)
            let period = SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)
            let before = try await fx.store.responses(surveyID: id, period: period).total
            let page = try await client.get("/s/\(code)")
            #expect(page.status == .gone && page.text.contains("Survei ditutup") && !page.text.contains("<form"))
            #expect(try await c.submit(client, code, csrf: csrf, token: token, surveyAnswers(4)).status == .gone)
            #expect(try await fx.store.responses(surveyID: id, period: period).total == before)
            // Staff still see the results.
            let (mgr, _) = try await surveySession(fx, "mgr")
            let results = try await client.get("/surveys/\(id)", mgr)
            #expect(results.status == .ok && results.text.contains("ditutup"))
        }
    }

    @Test func tooFastSubmissionsAreRejectedAndASlowerOneIsAccepted() async throws {
        try await withTestApp(configure: { $0.surveyMinFillSeconds = 60 }) { fx, client in
            let code = fx.surveyCodes["imunisasi"]!, id = fx.surveys["imunisasi"]!
            let period = SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)
            let before = try await fx.store.responses(surveyID: id, period: period).total
            var c = SurveyCitizen()
            let (_, csrf, token) = try await c.open(client, code)
            let fast = try await c.submit(client, code, csrf: csrf, token: token, surveyAnswers(4))
            #expect(fast.status == .unprocessableContent && fast.text.contains("terlalu cepat"))
            #expect(try await fx.store.responses(surveyID: id, period: period).total == before)
            // The same form opened two minutes ago (a token the server signed then) is accepted.
            let secret = try await fx.store.appSecret(named: "survey_form")
            let older = SurveyFormToken.make(secret: secret, surveyID: id, issuedAt: Date().addingTimeInterval(-120))
            #expect(try await c.submit(client, code, csrf: csrf, token: older, surveyAnswers(4)).status == .seeOther)
            // A token of another survey, or older than a day, is not.
            let other = SurveyFormToken.make(secret: secret, surveyID: id + 1, issuedAt: Date().addingTimeInterval(-120))
            #expect(try await c.submit(client, code, csrf: csrf, token: other, surveyAnswers(4)).status == .unprocessableContent)
            let stale = SurveyFormToken.make(secret: secret, surveyID: id, issuedAt: Date().addingTimeInterval(-2 * 86_400))
            #expect(try await c.submit(client, code, csrf: csrf, token: stale, surveyAnswers(4)).status == .unprocessableContent)
            #expect(try await fx.store.responses(surveyID: id, period: period).total == before + 1)
        }
    }

    @Test(arguments: TestEngine.all)
    func rawResponsesOnlyForTheUnitsStaffAndAuditorsAndThePublicSeesOnlyPublishedResults(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let id = fx.surveys["imunisasi"]!
            var c = SurveyCitizen()
            #expect(try await c.fill(client, fx.surveyCodes["imunisasi"]!, surveyAnswers(2) + [("saran", "Saran khusus untuk uji peran")]).status == .seeOther)
            let period = SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)
            for (who, status) in [("officer", 200), ("mgr", 200), ("auditor", 200), ("admin", 200), ("eval", 403), ("mgrOther", 404)] {
                let (h, _) = try await surveySession(fx, who)
                let raw = try await client.get("/surveys/\(id)/responses?period=\(period)", h)
                #expect(Int(raw.status.code) == status, "\(who): \(raw.status)")
                if status == 200 { #expect(raw.text.contains("Saran khusus untuk uji peran")) }
                let csv = try await client.get("/surveys/\(id)/responses/export?period=\(period)&format=csv", h)
                #expect(Int(csv.status.code) == status, "\(who) export: \(csv.status)")
                // Results: every role of the unit's scope, including the cross-unit evaluator.
                let results = try await client.get("/surveys/\(id)?period=\(period)", h)
                #expect(results.status == (who == "mgrOther" ? .notFound : .ok), "\(who) results")
                #expect(results.text.contains("/responses?period=") == (status == 200), "\(who): raw link only for raw readers")
            }
            // The report quotes saran only for raw readers.
            let (eval, _) = try await surveySession(fx, "eval")
            #expect(try await client.get("/surveys/\(id)/report?period=\(period)", eval).text.contains("Saran khusus") == false)
            let (officer, _) = try await surveySession(fx, "officer")
            #expect(try await client.get("/surveys/\(id)/report?period=\(period)", officer).text.contains("Saran khusus"))
            // Anonymous: no results page, no API; only the published periods on the transparency page.
            let anonymous = try await client.get("/surveys/\(id)")
            #expect(anonymous.status == .seeOther && anonymous.headers[.location]?.hasPrefix("/login") == true)
            #expect(try await client.get("/api/v1/surveys/\(id)/results").status == .unauthorized)
            let public1 = try await client.get("/transparansi")
            #expect(public1.status == .ok)
            #expect(public1.text.contains("Triwulan I 2026") && public1.text.contains("Triwulan III 2026"))
            #expect(!public1.text.contains("Triwulan IV 2026"), "the current quarter is not published")
            #expect(!public1.text.contains("Saran khusus"))
            // The manager publishes the current quarter, then withdraws the third.
            let (mgr, csrf) = try await surveySession(fx, "mgr", form: true)
            let pub = try await client.post("/surveys/\(id)/publish", mgr, Req.form([("_csrf", csrf), ("period", period.description), ("action", "publish"),
                                                                                    ("links", "https://puskesmas.example/skm")]))
            #expect(pub.status == .seeOther)
            let un = try await client.post("/surveys/\(id)/publish", mgr, Req.form([("_csrf", csrf), ("period", "2026-Q3"), ("action", "unpublish")]))
            #expect(un.status == .seeOther)
            let public2 = try await client.get("/transparansi?lang=en")
            #expect(public2.text.contains(period.label(.english)) && !public2.text.contains("Q3 2026"))
            #expect(public2.text.contains("href=\"https://puskesmas.example/skm\""))
            // Evaluators and officers may not publish.
            let (off, offCSRF) = try await surveySession(fx, "officer", form: true)
            #expect(try await client.post("/surveys/\(id)/publish", off, Req.form([("_csrf", offCSRF), ("period", "2026-Q1"), ("action", "unpublish")])).status == .forbidden)
        }
    }

    @Test(arguments: TestEngine.all)
    func paperImportReportsEveryBadRowAndStoresNothingUnlessAskedToSkip(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let id = fx.surveys["imunisasi"]!
            let (mgr, csrf) = try await surveySession(fx, "mgr", form: true)
            let csv = """
                id;tanggal;jenis_kelamin;pendidikan;pekerjaan;persyaratan;prosedur;waktu;biaya;produk;kompetensi;perilaku;sarana;pengaduan;saran
                K-001;05/01/2025;P;SMA;PNS;4;3;3;4;4;3;4;3;4;"Antrean lama; perlu nomor antrean"
                K-002;06/01/2025;X;SMA;PNS;4;3;5;4;4;3;4;3;4;
                K-003;2025-01-07;L;S7;PNS;4;3;3;4;4;3;4;3;4;Baik
                K-004;07/01/2025;L;SMA;SWASTA;3;3;3;3;3;3;3;3;;
                """
            let year = SurveyPeriod("2025")!
            let rejected = try await client.post("/surveys/\(id)/import", mgr, Req.form([("_csrf", csrf), ("csv", csv), ("default_date", "2025-01-31")]))
            #expect(rejected.status == .badRequest)
            let t = rejected.text
            #expect(t.contains("Tidak ada data yang disimpan"))
            #expect(t.contains("<td>3</td><td>3</td><td><code>jenis_kelamin</code></td><td><code>X</code></td>"))
            #expect(t.contains("<td>3</td><td>3</td><td><code>waktu</code></td><td><code>5</code></td>"))
            #expect(t.contains("<td>4</td><td>4</td><td><code>pendidikan</code></td><td><code>S7</code></td>"))
            #expect(t.contains("jenis kelamin harus L atau P") && !t.contains("(gender must be L or P)") && !t.contains("(score must be"))
            #expect(try await fx.store.responses(surveyID: id, period: year).total == 0)

            let fields = [("_csrf", csrf), ("csv", csv), ("default_date", "2025-01-31"), ("skip_invalid", "1"), ("source", "kuesioner-jan.csv")]
            // A preview first: what would be stored and where, nothing stored yet.
            let preview = try await client.post("/surveys/\(id)/import", mgr, Req.form(fields))
            #expect(preview.status == .ok && preview.text.contains("Pratinjau impor") && preview.text.contains("Simpan 2 kuesioner"))
            #expect(preview.text.contains("<th scope=\"row\">Triwulan I 2025</th><td class=\"num\">2</td>"))
            #expect(try await fx.store.responses(surveyID: id, period: year).total == 0)
            let skipped = try await client.post("/surveys/\(id)/import", mgr, Req.form(fields + [("action", "confirm"),
                                                                                                ("digest", SurveyCitizen.hidden(preview.text, "digest"))]))
            // Redirected after the import, so a refresh does not import the file again; the report follows.
            #expect(skipped.status == .seeOther)
            let reportURL = try #require(skipped.headers[.location])
            #expect(reportURL.hasPrefix("/surveys/\(id)/import?import="))
            let report = try await client.get(reportURL, mgr)
            #expect(report.text.contains("Kuesioner diimpor: 2") && report.text.contains("Baris yang dilewati"))
            #expect(report.text.contains("jenis kelamin harus L atau P") && !report.text.contains("(gender must be L or P)"))
            let rows = try await fx.store.responses(surveyID: id, period: year).items
            #expect(Set(rows.map(\.response.id)) == ["K-001", "K-004"] && rows.allSatisfy { $0.channel == .paper })
            #expect(rows.first { $0.response.id == "K-001" }?.response.saran == "Antrean lama; perlu nomor antrean")
            #expect(rows.first { $0.response.id == "K-004" }?.response.answers[.pengaduan] == nil)
            let page = try await client.get("/surveys/\(id)/import", mgr)
            #expect(page.text.contains("kuesioner-jan.csv"))
            // Bad input of the form itself: field messages, no 500.
            let noDate = try await client.post("/surveys/\(id)/import", mgr, Req.form([("_csrf", csrf), ("csv", csv), ("default_date", "31-01-2025")]))
            #expect(noDate.status == .badRequest && noDate.text.contains("<a href=\"#default_date\">"))
            #expect(noDate.text.contains("id=\"default_date\" name=\"default_date\" type=\"date\" value=\"31-01-2025\" aria-invalid=\"true\""))
            let header = try await client.post("/surveys/\(id)/import", mgr, Req.form([("_csrf", csrf), ("csv", "nama;umur\nA;3\n"), ("default_date", "2025-01-31")]))
            #expect(header.status == .badRequest)
            #expect(try await fx.store.responses(surveyID: id, period: year).total == 2)
        }
    }

    @Test func exportsOpenAsSpreadsheets() async throws {
        try await withTestApp { fx, client in
            let id = fx.surveys["imunisasi"]!
            let survey = try await fx.store.survey(id: id)
            let (auditor, _) = try await surveySession(fx, "auditor")
            let xlsx = try await client.get("/surveys/\(id)/export?period=2026-Q3&format=xlsx", auditor)
            #expect(xlsx.status == .ok)
            #expect(xlsx.headers[.contentType] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(xlsx.headers[.contentDisposition] == "attachment; filename=\"skm-\(survey.code)-2026-Q3-hasil.xlsx\"")
            let entries = try skmZipEntries(Data(buffer: xlsx.body))
            let workbook = String(decoding: try #require(entries["xl/workbook.xml"]), as: UTF8.self)
            for sheet in ["Ringkasan", "NRR per unsur", "Profil responden", "Tren", "RTL"] { #expect(workbook.contains("<sheet name=\"\(sheet)\"")) }
            #expect(entries["xl/worksheets/sheet2.xml"] != nil && entries["[Content_Types].xml"] != nil)
            let strings = String(decoding: try #require(entries["xl/sharedStrings.xml"]), as: UTF8.self)
            #expect(strings.contains("Pelayanan Imunisasi") && strings.contains("Triwulan III 2026"))

            let csv = try await client.get("/surveys/\(id)/export?period=2026-Q3&format=csv", auditor)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition] == "attachment; filename=\"skm-\(survey.code)-2026-Q3-hasil.csv\"")
            let records = skmCSVRecords(Data(buffer: csv.body))
            #expect(records.count == 11 && records.allSatisfy { $0.count == 14 })
            #expect(records[0].first == "no" && records[10][0] == "IKM")
            let q3 = try await fx.store.periodRecord(surveyID: id, period: SurveyPeriod("2026-Q3")!)?.publishedResult
            #expect(records[10][12] == String(format: "%.2f", q3?.ikm ?? 0).replacingOccurrences(of: ".", with: ","))

            let raw = try await client.get("/surveys/\(id)/responses/export?period=2026-Q3&format=csv", auditor)
            #expect(raw.status == .ok && raw.headers[.contentDisposition] == "attachment; filename=\"skm-\(survey.code)-2026-Q3-respons.csv\"")
            // The raw CSV reads back through the paper import (its extra columns allowed).
            let back = try SurveyCSVImporter(definition: survey.definition, options: .init(allowUnknownColumns: true)).parse(Data(buffer: raw.body))
            let stored = try await fx.store.responses(surveyID: id, period: SurveyPeriod("2026-Q3")!, perPage: nil).items
            #expect(back.responses.count == stored.count && back.skipped.isEmpty)
            #expect(Set(back.responses.map { $0.answers }) == Set(stored.map { $0.response.answers }))
            let rawX = try await client.get("/surveys/\(id)/responses/export?period=2026-Q3&format=xlsx", auditor)
            let rawEntries = try skmZipEntries(Data(buffer: rawX.body))
            #expect(String(decoding: rawEntries["xl/workbook.xml"] ?? Data(), as: UTF8.self).contains("<sheet name=\"Respons\""))
            let bad = try await client.get("/surveys/\(id)/export?format=pdf", auditor)
            #expect(bad.status == .badRequest)
        }
    }

    @Test func qrCodePosterAndReportRender() async throws {
        try await withTestApp { fx, client in
            let id = fx.surveys["imunisasi"]!, code = fx.surveyCodes["imunisasi"]!
            let qr = try await client.get("/s/\(code)/qr.svg")
            #expect(qr.status == .ok && qr.headers[.contentType] == "image/svg+xml; charset=utf-8")
            #expect(qr.text.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && qr.text.contains("<path") && qr.text.contains("/s/\(code)"))
            let (officer, _) = try await surveySession(fx, "officer")
            let poster = try await client.get("/surveys/\(id)/poster", officer)
            #expect(poster.status == .ok)
            #expect(poster.text.contains("@page { size: A4; margin: 0; }") && poster.text.contains("http://127.0.0.1:0/s/\(code)"))
            #expect(poster.text.contains("Bagaimana pelayanan kami?") && poster.text.contains("How was our service?"))
            #expect(poster.text.contains("<div class=\"qr\"><svg"))
            let report = try await client.get("/surveys/\(id)/report?period=2026-Q2", officer)
            #expect(report.status == .ok)
            for heading in ["Pendahuluan", "Metodologi", "Hasil", "Kesimpulan", "Rencana Tindak Lanjut"] { #expect(report.text.contains(heading)) }
            #expect(report.text.contains("Menambah satu petugas pendaftaran"), "the RTL of the period is in the report")
            #expect(report.text.contains("class=\"skm-report-page\""))
            #expect(try await client.get("/s/tidakada/qr.svg").status == .notFound)
        }
    }

    @Test func hostileTextIsStoredAsTypedAndShownEscaped() async throws {
        try await withTestApp { fx, client in
            let id = fx.surveys["imunisasi"]!, code = fx.surveyCodes["imunisasi"]!
            let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)> =1+1 \"kutip\" & 'apos'"
            var c = SurveyCitizen()
            #expect(try await c.fill(client, code, surveyAnswers(3) + [("saran", hostile), ("case_reference", "<b>IMN</b>")]).status == .seeOther)
            let period = SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)
            let stored = try await fx.store.responses(surveyID: id, period: period).items.first { $0.response.caseReference == "<b>IMN</b>" }
            #expect(stored?.response.saran == hostile)
            let (mgr, _) = try await surveySession(fx, "mgr")
            for path in ["/surveys/\(id)/responses?period=\(period)", "/surveys/\(id)/report?period=\(period)"] {
                let page = try await client.get(path, mgr)
                #expect(page.status == .ok)
                #expect(!page.text.contains("<script>alert(1)") && !page.text.contains("<img src=x"), "\(path) shows raw markup")
                #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path)")
            }
            let x = try await client.get("/surveys/\(id)/responses/export?period=\(period)&format=xlsx", mgr)
            let strings = String(decoding: try skmZipEntries(Data(buffer: x.body))["xl/sharedStrings.xml"] ?? Data(), as: UTF8.self)
            #expect(strings.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !strings.contains("<script>"))
        }
    }

    @Test(arguments: TestEngine.all)
    func apiSubmitsAndReadsWithProblemBodies(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let id = fx.surveys["imunisasi"]!
            var h = Req.headers(bearer: fx.token, json: true)
            let good = #"{"answers": {"persyaratan": 4, "waktu": 2, "sarana": 3}, "gender": "P", "age": 33, "education": "d1-d3", "channel": "kiosk", "case_reference": "IMN-9", "suggestion": "Cepat"}"#
            let created = try await client.post("/api/v1/surveys/\(id)/responses", h, ByteBuffer(string: good))
            #expect(created.status == .created)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: created.body)) as? [String: Any])
            let rid = try #require(body["id"] as? Int)
            #expect(body["channel"] as? String == "kiosk" && body["period"] as? String == SurveyPeriod(containing: CivilDate(Date()), kind: .quarter).description)
            let audit = try await fx.store.auditEntries(entity: "survey_response", entityID: "\(rid)").items.first
            #expect(audit?.actor == "token:sik-dinkes")

            let bad = #"{"answers": {"persyaratan": 7, "parkir": 3}, "gender": "X", "age": 300, "education": "S9", "channel": "web", "date": "2026-13-01"}"#
            let problem = try await client.post("/api/v1/surveys/\(id)/responses", h, ByteBuffer(string: bad))
            #expect(problem.status == .badRequest && problem.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            let p = try #require(try JSONSerialization.jsonObject(with: Data(buffer: problem.body)) as? [String: Any])
            let fields = Set((p["errors"] as? [[String: String]] ?? []).compactMap { $0["field"] })
            #expect(fields == ["answers.persyaratan", "answers.parkir", "gender", "age", "education", "channel", "date"])
            // An unknown profile value names what the survey accepts, codes with their labels.
            #expect(problem.text.contains("one of SD (Primary school), SMP (Junior secondary), SMA (Senior secondary), D1-D3 (Diploma (1–3 years))"))
            #expect(p["status"] as? Int == 400)
            let broken = try await client.post("/api/v1/surveys/\(id)/responses", h, ByteBuffer(string: #"{"answers": {"waktu": "empat"}}"#))
            #expect(broken.status == .badRequest && broken.text.contains("answers.waktu"))
            let empty = try await client.post("/api/v1/surveys/\(id)/responses", h, nil)
            #expect(empty.status == .badRequest)
            let noAnswers = try await client.post("/api/v1/surveys/\(id)/responses", h, ByteBuffer(string: #"{"answers": {}}"#))
            #expect(noAnswers.status == .badRequest && noAnswers.text.contains("\"field\":\"answers\""))
            #expect(try await client.post("/api/v1/surveys/999999/responses", h, ByteBuffer(string: good)).status == .notFound)

            // A signed-in unit manager may submit with the CSRF header; an officer (the staff being
            // rated) and an auditor may not.
            let (manager, _) = try await surveySession(fx, "mgr", form: false)
            h = manager
            h[.contentType] = "application/json"
            #expect(try await client.post("/api/v1/surveys/\(id)/responses", h, ByteBuffer(string: good)).status == .created)
            var off = try await surveySession(fx, "officer").headers
            off[.contentType] = "application/json"
            #expect(try await client.post("/api/v1/surveys/\(id)/responses", off, ByteBuffer(string: good)).status == .forbidden)
            var aud = try await surveySession(fx, "auditor").headers
            aud[.contentType] = "application/json"
            #expect(try await client.post("/api/v1/surveys/\(id)/responses", aud, ByteBuffer(string: good)).status == .forbidden)

            let list = try await client.get("/api/v1/surveys", Req.headers(bearer: fx.token))
            #expect(list.status == .ok && list.text.contains("\"code\":\"\(fx.surveyCodes["imunisasi"]!)\""))
            let detail = try await client.get("/api/v1/surveys/\(id)", Req.headers(bearer: fx.token))
            #expect(detail.status == .ok && detail.text.contains("Bagaimana pendapat Saudara tentang kecepatan waktu"))
            let results = try await client.get("/api/v1/surveys/\(id)/results?period=2026-Q3", Req.headers(bearer: fx.token))
            let r = try #require(try JSONSerialization.jsonObject(with: Data(buffer: results.body)) as? [String: Any])
            let q3 = try #require(try await fx.store.periodRecord(surveyID: id, period: SurveyPeriod("2026-Q3")!)?.publishedResult)
            #expect(r["ikm"] as? Double == q3.ikm && r["grade"] as? String == q3.grade?.rawValue && r["respondents"] as? Int == 215)
            #expect(r["published"] as? Bool == true && (r["sample"] as? [String: Any])?["adequate"] as? Bool == true)
            #expect((r["unsur"] as? [Any])?.count == 9 && (r["profile"] as? [Any])?.count == 5)
            let badPeriod = try await client.get("/api/v1/surveys/\(id)/results?period=2026-Q5", Req.headers(bearer: fx.token))
            #expect(badPeriod.status == .badRequest && badPeriod.text.contains("\"field\":\"period\""))
        }
    }

    @Test func followUpPlanThroughThePages() async throws {
        try await withTestApp { fx, client in
            let id = fx.surveys["imunisasi"]!
            let (mgr, csrf) = try await surveySession(fx, "mgr", form: true)
            let bad = try await client.post("/surveys/\(id)/followups", mgr, Req.form([
                ("_csrf", csrf), ("period", "2026-Q3"), ("unsur", "waktu"), ("problem", ""), ("action", "Tambah loket"), ("owner", "Kepala TU"),
                ("links", "javascript:alert(1)"), ("status", "planned")]))
            #expect(bad.status == .badRequest && bad.text.contains("<a href=\"#fu-problem\">Permasalahan</a>: wajib diisi"))
            #expect(bad.text.contains("<a href=\"#fu-links\">") && bad.text.contains("tautan tidak valid") && !bad.text.contains("<code>problem</code>"))
            #expect(bad.text.contains("name=\"problem\" rows=\"2\" aria-invalid=\"true\""))
            #expect(bad.text.contains("Tambah loket"), "typed values are kept")
            let ok = try await client.post("/surveys/\(id)/followups", mgr, Req.form([
                ("_csrf", csrf), ("period", "2026-Q3"), ("unsur", "waktu"), ("problem", "Antrean Senin"), ("action", "Tambah loket"),
                ("owner", "Kepala TU"), ("due_date", "2026-12-31"), ("links", "https://pkm.example/rtl"), ("status", "in_progress")]))
            #expect(ok.status == .seeOther)
            let item = try #require(try await fx.store.surveyFollowUps(surveyID: id, period: SurveyPeriod("2026-Q3")).first)
            #expect(item.status == .inProgress && item.dueDate == CivilDate("2026-12-31") && item.links == ["https://pkm.example/rtl"])
            let edit = try await client.get("/surveys/\(id)/followups/\(item.id)/edit", mgr)
            #expect(edit.status == .ok && edit.text.contains("Antrean Senin"))
            let done = try await client.post("/surveys/\(id)/followups/\(item.id)", mgr, Req.form([
                ("_csrf", csrf), ("period", "2026-Q3"), ("unsur", "waktu"), ("problem", "Antrean Senin"), ("action", "Tambah loket"),
                ("owner", "Kepala TU"), ("due_date", "2026-12-31"), ("links", "https://pkm.example/rtl"), ("status", "done")]))
            #expect(done.status == .seeOther)
            #expect(try await fx.store.surveyFollowUp(id: item.id).status == .done)
            let (eval, _) = try await surveySession(fx, "eval")
            let list = try await client.get("/surveys/\(id)/followups", eval)
            #expect(list.status == .ok && list.text.contains("Antrean Senin") && !list.text.contains("/edit\""))
            // Demo plan: 1 of 3 done; with this one 2 of 4.
            #expect(list.text.contains("2 / 4 (50,0%)"))
            // An item of another survey is not reachable through this one.
            #expect(try await client.get("/surveys/\(id + 1000)/followups/\(item.id)/edit", mgr).status == .notFound)
        }
    }

    @Test func surveyPagesRenderInBothLanguages() async throws {
        try await withTestApp { fx, client in
            let id = fx.surveys["imunisasi"]!, code = fx.surveyCodes["imunisasi"]!
            let (admin, _) = try await surveySession(fx, "admin")
            let staff = ["/surveys", "/surveys/new", "/surveys/\(id)", "/surveys/\(id)?period=2026", "/surveys/\(id)/edit", "/surveys/\(id)/report",
                         "/surveys/\(id)/responses", "/surveys/\(id)/import", "/surveys/\(id)/followups", "/surveys/\(id)/followups/\(fx.followUpID)/edit",
                         "/surveys/\(id)/poster"]
            for lang in ["id", "en"] {
                for path in staff {
                    let sep = path.contains("?") ? "&" : "?"
                    let r = try await client.get(path + sep + "lang=" + lang, admin)
                    #expect(r.status == .ok, "\(path) \(lang): \(r.status)")
                    #expect(!r.text.contains("⟦"), "\(path) in \(lang) has a missing string")
                }
                for path in ["/s/\(code)", "/s/\(code)/terima-kasih", "/transparansi"] {
                    let r = try await client.get(path + "?lang=" + lang)
                    #expect(r.status == .ok && !r.text.contains("⟦") && r.text.contains("<html lang=\"\(lang)\">"), "\(path) \(lang)")
                }
            }
            #expect(try await client.get("/s/tidakada").status == .notFound)
            #expect(try await client.get("/surveys/\(id)?period=kemarin", admin).status == .badRequest)
        }
    }

    // MARK: Issue 7: what a new user tripped over

    @Test func posterAndResultsWarnWhileThePublicURLIsNotSet() async throws {
        #expect(try AppConfig.fromEnvironment([:]).publicURLConfigured == false)
        #expect(try AppConfig.fromEnvironment(["PANTAU_PUBLIC_URL": "https://skm.example.go.id/"]).publicURLConfigured)
        try await withTestApp { fx, client in
            let id = fx.surveys["imunisasi"]!
            let (admin, _) = try await surveySession(fx, "admin")
            let results = try await client.get("/surveys/\(id)", admin)
            #expect(results.text.contains("PANTAU_PUBLIC_URL belum disetel") && results.text.contains("http://127.0.0.1:0/s/"))
            let poster = try await client.get("/surveys/\(id)/poster?lang=en", admin)
            #expect(poster.text.contains("class=\"urlwarn\" role=\"alert\" lang=\"en\">PANTAU_PUBLIC_URL is not set"))
            #expect(!poster.text.contains("PANTAU_PUBLIC_URL belum disetel"), "one language")
        }
        try await withTestApp(configure: { c in
            c.publicBaseURL = "https://skm.example.go.id"
            c.publicURLConfigured = true
        }) { fx, client in
            let id = fx.surveys["imunisasi"]!, code = fx.surveyCodes["imunisasi"]!
            let (admin, _) = try await surveySession(fx, "admin")
            let results = try await client.get("/surveys/\(id)", admin)
            #expect(!results.text.contains("PANTAU_PUBLIC_URL") && results.text.contains("https://skm.example.go.id/s/\(code)"))
            let poster = try await client.get("/surveys/\(id)/poster", admin)
            #expect(!poster.text.contains("urlwarn\" role") && poster.text.contains("https://skm.example.go.id/s/\(code)"))
        }
    }

    @Test(arguments: TestEngine.all)
    func aSampleBelowTheMinimumIsPublishedOnlyWhenConfirmedAndCarriesItsCaveat(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let id = fx.surveys["imunisasi"]!
            let period = SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)
            var c = SurveyCitizen()
            #expect(try await c.fill(client, fx.surveyCodes["imunisasi"]!, surveyAnswers(3)).status == .seeOther)
            let (mgr, csrf) = try await surveySession(fx, "mgr", form: true)
            // A population whose Krejcie–Morgan minimum is far above what was collected.
            let pop = try await client.post("/surveys/\(id)/population", mgr, Req.form([("_csrf", csrf), ("period", period.description), ("population", "100000")]))
            #expect(pop.status == .seeOther && pop.headers[.location] == "/surveys/\(id)?period=\(period)")
            let page = try await client.get("/surveys/\(id)?period=\(period)", mgr)
            #expect(page.text.contains("Sampel periode ini di bawah minimum Krejcie–Morgan") && page.text.contains("name=\"confirm_small_sample\""))

            let unconfirmed = try await client.post("/surveys/\(id)/publish", mgr, Req.form([
                ("_csrf", csrf), ("period", period.description), ("action", "publish"), ("links", "https://pkm.example/skm")]))
            #expect(unconfirmed.status == .conflict)
            #expect(unconfirmed.text.contains("Tetap publikasikan") && unconfirmed.text.contains("<a href=\"#confirm_small_sample\">"))
            #expect(unconfirmed.text.contains("https://pkm.example/skm") && unconfirmed.text.contains("action=\"/logout\""), "typed links kept, signed-in layout")
            #expect(try await fx.store.periodRecord(surveyID: id, period: period)?.isPublished != true)

            let caveatsBefore = try await client.get("/transparansi").text.components(separatedBy: "class=\"caveat notice\"").count
            let confirmed = try await client.post("/surveys/\(id)/publish", mgr, Req.form([
                ("_csrf", csrf), ("period", period.description), ("action", "publish"), ("links", "https://pkm.example/skm"),
                ("confirm_small_sample", "1")]))
            #expect(confirmed.status == .seeOther && confirmed.headers[.location] == "/surveys/\(id)?period=\(period)")
            #expect(try await fx.store.periodRecord(surveyID: id, period: period)?.isPublished == true)
            let transparency = try await client.get("/transparansi")
            #expect(transparency.text.contains("Catatan: sampel di bawah minimum Krejcie–Morgan"))
            #expect(try await client.get("/transparansi?lang=en").text.contains("Note: the sample is below the Krejcie–Morgan minimum"))
            // Only the period just published gains the caveat.
            #expect(transparency.text.components(separatedBy: "class=\"caveat notice\"").count == caveatsBefore + 1)
        }
    }

    @Test func failedResultFormsStaySignedInAndSuccessfulOnesRedirect() async throws {
        try await withTestApp { fx, client in
            let id = fx.surveys["imunisasi"]!
            let (mgr, csrf) = try await surveySession(fx, "mgr", form: true)
            let badLink = try await client.post("/surveys/\(id)/publish", mgr, Req.form([
                ("_csrf", csrf), ("period", "2026-Q3"), ("action", "publish"), ("links", "javascript:alert(1)")]))
            #expect(badLink.status == .badRequest && badLink.text.contains("action=\"/logout\"") && badLink.text.contains("<a href=\"#links\">"))
            #expect(badLink.text.contains("javascript:alert(1)</textarea>") && badLink.text.contains("aria-invalid=\"true\""))
            #expect(badLink.text.contains("tautan tidak valid (harus diawali http:// atau https://, tanpa spasi): javascript:alert(1)"))
            let badPopulation = try await client.post("/surveys/\(id)/population", mgr, Req.form([("_csrf", csrf), ("period", "2026-Q3"), ("population", "banyak")]))
            #expect(badPopulation.status == .badRequest && badPopulation.text.contains("value=\"banyak\"") && badPopulation.text.contains("<a href=\"#population\">"))
            // Saving the set-up redirects to the results (a refresh does not send it again).
            let edit = try await client.post("/surveys/\(id)", mgr, surveySetUpForm(fx, csrf: csrf, name: "Imunisasi (ubah)"))
            #expect(edit.status == .seeOther && edit.headers[.location] == "/surveys/\(id)")
            #expect(try await fx.store.survey(id: id).name == "Imunisasi (ubah)")
            let unpublish = try await client.post("/surveys/\(id)/publish", mgr, Req.form([("_csrf", csrf), ("period", "2026-Q3"), ("action", "unpublish")]))
            #expect(unpublish.status == .seeOther && unpublish.headers[.location] == "/surveys/\(id)?period=2026-Q3")
        }
    }

    @Test func theDemoSurveyTitleReadsInEnglishWithoutAGluedPrefix() async throws {
        try await withTestApp { fx, client in
            let id = fx.surveys["imunisasi"]!, code = fx.surveyCodes["imunisasi"]!
            let survey = try await fx.store.survey(id: id)
            #expect(survey.definition.title?.en.hasPrefix("Citizen Satisfaction Survey: Immunisation") == true)
            let form = try await client.get("/s/\(code)?lang=en")
            #expect(form.text.contains("Citizen Satisfaction Survey: Immunisation") && !form.text.contains("SurveyCitizen"))
            let (admin, _) = try await surveySession(fx, "admin")
            let csv = try await client.get("/surveys/\(id)/export?period=2026-Q3&format=csv&lang=en", admin)
            #expect(String(decoding: Data(buffer: csv.body), as: UTF8.self).contains("Citizen Satisfaction Index"))
            #expect(!String(decoding: Data(buffer: csv.body), as: UTF8.self).contains("SurveyCitizen"))
        }
    }
}
