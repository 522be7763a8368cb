import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
import PantauWeb
import Testing

extension TestClientProtocol {
    func get(_ uri: String, _ headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: headers, body: nil)
    }
    func post(_ uri: String, _ headers: HTTPFields, _ body: ByteBuffer?) async throws -> TestResponse {
        try await execute(uri: uri, method: .post, headers: headers, body: body)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

@Suite("UI strings")
struct I18nTests {
    @Test func everyKeyHasBothLanguagesAndEveryTemplateKeyExists() async throws {
        let views = try await Views()
        let id = views.strings(.id).table, en = views.strings(.en).table
        #expect(Set(id.keys) == Set(en.keys), "keys only in id: \(Set(id.keys).subtracting(en.keys)), only in en: \(Set(en.keys).subtracting(id.keys))")
        #expect(id.filter { $0.value.trimmingCharacters(in: .whitespaces).isEmpty }.isEmpty)
        #expect(en.filter { $0.value.trimmingCharacters(in: .whitespaces).isEmpty }.isEmpty)
        // Every {{t.key}} in the templates is in the catalogue.
        let dir = Views.resourceDirectory.appendingPathComponent("Templates")
        var used = Set<String>()
        for f in try FileManager.default.contentsOfDirectory(atPath: dir.path) where f.hasSuffix(".mustache") {
            let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            var rest = Substring(text)
            while let r = rest.range(of: "{{t.") {
                let after = rest[r.upperBound...]
                let key = after.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                used.insert(String(key))
                rest = after
            }
        }
        #expect(!used.isEmpty)
        #expect(used.subtracting(id.keys).isEmpty, "template keys missing from the catalogue: \(used.subtracting(id.keys))")
        // Enumerations shown in the UI have a label for every case.
        for r in Role.allCases { #expect(id["role_\(r.rawValue)"] != nil) }
        for s in SOPStatus.allCases { #expect(id["status_\(s.rawValue)"] != nil) }
        for k in StepKind.allCases { #expect(id["kind_\(k.rawValue)"] != nil) }
        for l in UnitLevel.allCases { #expect(id["level_\(l.rawValue)"] != nil) }
    }

    @Test func pagesRenderInBothLanguagesWithoutMissingKeys() async throws {
        try await withTestApp { fx, client in
            let s = try await fx.session("admin")
            let h = Req.headers(cookie: s.cookie, csrf: s.csrf)
            let id = fx.sops["izin"]!
            for lang in ["id", "en"] {
                for path in ["/", "/sops", "/sops/\(id)", "/sops/\(id)/edit", "/sops/new", "/sops/import", "/units", "/units/new",
                             "/users", "/users/new", "/tokens", "/audit?verify=1", "/sops/\(id)/diff", "/account/password"] {
                    let sep = path.contains("?") ? "&" : "?"
                    let r = try await client.get(path + sep + "lang=" + lang, h)
                    #expect(r.status == .ok, "\(path) \(lang): \(r.status)")
                    #expect(!r.text.contains("⟦"), "\(path) in \(lang) has a missing string")
                    #expect(r.text.contains("<html lang=\"\(lang)\">"))
                }
            }
            let r = try await client.get("/login?lang=en")
            #expect(r.text.contains("Sign in to Pantau"))
            #expect(r.headers[values: .setCookie].contains { $0.hasPrefix("pantau_lang=en") })
        }
    }
}

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test func documentListsExactlyTheAPIRoutes() async throws {
        try await withTestApp { fx, client in
            let r = try await client.get("/api/v1/openapi.json")
            #expect(r.status == .ok)
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any])
            #expect(doc["openapi"] as? String == "3.1.0")
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            for (p, ops) in paths { for m in ops.keys { documented.insert(m.uppercased() + " " + p) } }
            let routes = Set(fx.routes.filter { $0.kind == .api && $0.path.hasPrefix("/api/v1/") }.map { r in
                r.method.rawValue + " " + r.path.split(separator: "/", omittingEmptySubsequences: false)
                    .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            })
            #expect(documented == routes)
            // Every $ref points at a defined schema.
            let schemas = try #require((doc["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let text = r.text
            var rest = Substring(text)
            while let range = rest.range(of: "#/components/schemas/") {
                let name = rest[range.upperBound...].prefix { $0 != "\"" }
                #expect(schemas[String(name)] != nil, "undefined schema \(name)")
                rest = rest[range.upperBound...]
            }
        }
    }
}

@Suite("Sign-in, sessions and CSRF")
struct LoginTests {
    func csrf(_ r: TestResponse) -> String {
        let t = r.text
        guard let a = t.range(of: "name=\"_csrf\" value=\"") else { return "" }
        return String(t[a.upperBound...].prefix { $0 != "\"" })
    }

    func cookie(_ r: TestResponse, _ name: String) -> String? {
        r.headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
    }

    @Test func loginSetsAHardenedSessionCookieAndLogoutEndsIt() async throws {
        try await withTestApp { fx, client in
            let page = try await client.get("/login?next=/sops")
            let token = csrf(page)
            let csrfCookie = try #require(cookie(page, "pantau_csrf"))
            #expect(csrfCookie.contains("HttpOnly") && csrfCookie.contains("SameSite=Lax"))
            let cookieValue = csrfCookie.split(separator: ";")[0]
            var h = Req.headers(form: true)
            h[.cookie] = String(cookieValue)
            let ok = try await client.post("/login", h, Req.form([("_csrf", token), ("username", "ADMIN"), ("password", testAdminPassword), ("next", "/sops")]))
            #expect(ok.status == .seeOther && ok.headers[.location] == "/sops")
            let session = try #require(cookie(ok, "pantau_session"))
            #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Path=/"))
            let value = String(session.split(separator: ";")[0].dropFirst("pantau_session=".count))
            // Only the hash of the token is stored.
            #expect(try await fx.store.session(tokenHash: value) == nil)
            #expect(try await fx.store.session(tokenHash: SessionTokens.hash(value)) != nil)
            let home = try await client.get("/sops", [.cookie: "pantau_session=\(value)"])
            #expect(home.status == .ok && home.text.contains("Administrator"))
            // An open redirect is not followed.
            let evil = try await client.post("/login", h, Req.form([("_csrf", token), ("username", "admin"), ("password", testAdminPassword), ("next", "//evil.example")]))
            #expect(evil.headers[.location] == "/")
            // Logout needs the session's CSRF token and ends the session.
            let sessionCSRF = csrf(home)
            let noToken = try await client.post("/logout", [.cookie: "pantau_session=\(value)"], nil)
            #expect(noToken.status == .forbidden)
            var lh = Req.headers(form: true)
            lh[.cookie] = "pantau_session=\(value)"
            let out = try await client.post("/logout", lh, Req.form([("_csrf", sessionCSRF)]))
            #expect(out.status == .seeOther)
            let after = try await client.get("/sops", [.cookie: "pantau_session=\(value)"])
            #expect(after.status == .seeOther && after.headers[.location]?.hasPrefix("/login") == true)
            let audit = try await fx.store.auditEntries(entity: "user").items.map(\.action)
            #expect(audit.contains("login") && audit.contains("logout"))
        }
    }

    @Test func wrongPasswordsAreThrottled() async throws {
        try await withTestApp { _, client in
            let h = Req.headers(csrf: "anonymous-csrf-token-0123456789", form: true)
            for _ in 0..<3 {
                let r = try await client.post("/login", h, Req.form([("_csrf", "anonymous-csrf-token-0123456789"), ("username", "admin"), ("password", "wrong-password")]))
                #expect(r.status == .unprocessableContent)
                #expect(r.text.contains("Nama pengguna atau kata sandi salah"))
            }
            // Now even the right password is refused for a while.
            let r = try await client.post("/login", h, Req.form([("_csrf", "anonymous-csrf-token-0123456789"), ("username", "admin"), ("password", testAdminPassword)]))
            #expect(r.status == .tooManyRequests)
            #expect(r.headers[.retryAfter] != nil)
        }
    }

    @Test func formsWithoutTheCSRFTokenAreRefused() async throws {
        try await withTestApp { fx, client in
            let s = try await fx.session("admin")
            var h = Req.headers(form: true)
            h[.cookie] = "pantau_session=\(s.cookie)"
            let r = try await client.post("/units", h, Req.form([("code", "X"), ("name", "X"), ("level", "instansi")]))
            #expect(r.status == .forbidden)
            let wrong = try await client.post("/units", h, Req.form([("_csrf", "not-the-token"), ("code", "X"), ("name", "X"), ("level", "instansi")]))
            #expect(wrong.status == .forbidden)
            #expect(try await fx.store.unit(code: "X") == nil)
            let ok = try await client.post("/units", h, Req.form([("_csrf", s.csrf), ("code", "X"), ("name", "Unit X"), ("level", "instansi")]))
            #expect(ok.status == .seeOther)
            #expect(try await fx.store.unit(code: "X")?.name == "Unit X")
        }
    }

    @Test func firstStartCreatesOneAdminWithAOneTimePassword() async throws {
        try await withTestDatabase(.sqlite) { location in
            var config = AppConfig(port: 0, database: location)
            config.passwordCost = 4
            let first = try await buildApplication(config: config)
            let pw = try #require(first.bootstrapPassword)
            #expect(pw.count >= 12)
            let (admin, hash) = try #require(try await first.services.store.credentials(username: "admin"))
            #expect(admin.role == .admin && admin.mustChangePassword && hash.hasPrefix("$2"))
            await first.services.store.shutdown()
            let second = try await buildApplication(config: config)
            #expect(second.bootstrapPassword == nil)
            #expect(try await second.services.store.userCount() == 1)
            await second.services.store.shutdown()
        }
    }
}

@Suite("SOP pages and API: bad and hostile input")
struct SOPWebTests {
    static let hostile = "<script>alert('x')</script>\"'; DROP TABLE sops;--"

    func adminHeaders(_ fx: TestFixture, form: Bool = false, json: Bool = false) async throws -> (HTTPFields, String) {
        let s = try await fx.session("admin")
        var h = Req.headers(cookie: s.cookie, csrf: s.csrf, form: form, json: json)
        if form { h[HTTPField.Name("X-CSRF-Token")!] = nil }
        return (h, s.csrf)
    }

    func stepForm(_ csrf: String, unit: Int64, title: String, time: String = "15 menit", actor: String = "loket") -> [(String, String)] {
        [("_csrf", csrf), ("unit_id", "\(unit)"), ("unit_name", "DPMPTSP"), ("nomor", "SOP/TEST/1"), ("judul", title),
         ("jenis", "administratif"), ("kelas", "pelayanan"), ("tanggal_efektif", "2026-07-01"),
         ("actors[0][id]", "loket"), ("actors[0][name]", "Petugas Loket"), ("actors[1][id]", ""), ("actors[1][name]", ""),
         ("steps[0][id]", "terima"), ("steps[0][kind]", "mulai"), ("steps[0][activity]", "Menerima berkas"), ("steps[0][actor]", actor),
         ("steps[0][time]", time),
         ("steps[1][id]", "serah"), ("steps[1][kind]", "selesai"), ("steps[1][activity]", "Menyerahkan dokumen"), ("steps[1][actor]", "loket"),
         ("steps[2][id]", ""), ("steps[2][kind]", "proses"), ("steps[2][activity]", ""), ("steps[2][actor]", "")]
    }

    @Test func invalidFormIsRejectedPerFieldAndStoresNothing() async throws {
        try await withTestApp { fx, client in
            let (h, csrf) = try await adminHeaders(fx, form: true)
            let unit = fx.units["DPMPTSP-PLY"]!
            let before = try await fx.store.sops(SOPQuery()).total
            let auditBefore = try await fx.store.auditEntries().total
            let badTime = try await client.post("/sops", h, Req.form(stepForm(csrf, unit: unit, title: "Uji", time: "sebentar")))
            #expect(badTime.status == .badRequest)
            #expect(badTime.text.contains("<a href=\"#step-0-time\">Langkah 1 (Menerima berkas) › Waktu</a>"))
            #expect(badTime.text.contains("sebentar"))
            let badActor = try await client.post("/sops", h, Req.form(stepForm(csrf, unit: unit, title: "Uji", actor: "tidak-ada")))
            #expect(badActor.status == .badRequest)
            #expect(badActor.text.contains("<a href=\"#step-0-actor\">Langkah 1 (Menerima berkas) › Pelaksana</a>"))
            // The form comes back filled in, so nothing typed is lost.
            #expect(badActor.text.contains("value=\"Menerima berkas\""))
            #expect(try await fx.store.sops(SOPQuery()).total == before)
            #expect(try await fx.store.auditEntries().total == auditBefore)
        }
    }

    @Test func hostileTextIsStoredVerbatimAndShownEscaped() async throws {
        try await withTestApp { fx, client in
            let (h, csrf) = try await adminHeaders(fx, form: true)
            let r = try await client.post("/sops", h, Req.form(stepForm(csrf, unit: fx.units["DPMPTSP-PLY"]!, title: Self.hostile)))
            #expect(r.status == .seeOther)
            let rec = try #require(try await fx.store.sops(SOPQuery(text: "DROP TABLE")).items.first)
            #expect(rec.title == Self.hostile)
            let (g, _) = try await adminHeaders(fx)
            for path in ["/sops", "/sops/\(rec.id)", "/sops/\(rec.id)/print", "/sops/\(rec.id)/edit"] {
                let page = try await client.get(path, g)
                #expect(page.status == .ok)
                #expect(!page.text.contains("<script>alert"), "\(path) shows unescaped markup")
                #expect(page.text.contains("&lt;script&gt;alert"), "\(path) does not show the text")
            }
        }
    }

    @Test func editingAnEffectiveSOPMakesANewVersion() async throws {
        try await withTestApp { fx, client in
            let (h, csrf) = try await adminHeaders(fx, form: true)
            let id = fx.sops["izin"]!
            let v1 = try await fx.store.version(sopID: id, version: 1)
            var doc = v1.document
            doc.steps[1].standard.time = .minutes(45)
            // Post the edit form as the browser would, from the document.
            var pairs: [(String, String)] = [("_csrf", csrf), ("unit_id", "\(fx.units["DPMPTSP-PLY"]!)"), ("change_note", "Verifikasi dipercepat")]
            let i = doc.identity
            pairs += [("unit_name", i.unitName), ("nomor", i.number), ("judul", i.title), ("jenis", i.type.rawValue), ("kelas", i.activityClass.rawValue),
                      ("tanggal_pembuatan", i.createdOn!.description), ("tanggal_revisi", i.revisedOn!.description), ("tanggal_efektif", i.effectiveOn!.description),
                      ("jabatan", i.approvedBy!.position), ("nama_pengesah", i.approvedBy!.name), ("nip", i.approvedBy!.nip),
                      ("dasar_hukum", i.legalBasis.joined(separator: "\n")), ("peringatan", i.warning),
                      ("keterkaitan", i.relatedSOPs.map { "\($0.number) | \($0.title) | \($0.relation)" }.joined(separator: "\n")),
                      ("kualifikasi", i.executorQualifications.joined(separator: "\n")), ("peralatan", i.equipment.joined(separator: "\n")),
                      ("pencatatan", i.recordKeeping.joined(separator: "\n"))]
            for (n, a) in doc.actors.enumerated() { pairs += [("actors[\(n)][id]", a.id), ("actors[\(n)][name]", a.name)] }
            for (n, s) in doc.steps.enumerated() {
                pairs += [("steps[\(n)][id]", s.id), ("steps[\(n)][kind]", s.kind.rawValue), ("steps[\(n)][activity]", s.activity),
                          ("steps[\(n)][actor]", s.actor), ("steps[\(n)][requirements]", s.standard.requirements),
                          ("steps[\(n)][time]", s.standard.time?.description ?? ""), ("steps[\(n)][output]", s.standard.output),
                          ("steps[\(n)][notes]", s.notes), ("steps[\(n)][next]", s.next ?? ""), ("steps[\(n)][yes]", s.yes ?? ""),
                          ("steps[\(n)][no]", s.no ?? ""), ("steps[\(n)][question]", s.question)]
            }
            let r = try await client.post("/sops/\(id)", h, Req.form(pairs))
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/sops/\(id)?v=2")
            let v2 = try await fx.store.version(sopID: id, version: 2)
            #expect(v2.status == .draft && v2.changeNote == "Verifikasi dipercepat")
            // The form round-trips the whole document: the only change is the edited time.
            #expect(v1.document.changes(to: v2.document).map(\.field) == ["langkah[verifikasi].mutu_baku.waktu"])
            #expect(try await fx.store.version(sopID: id, version: 1).status == .effective)
            let (g, _) = try await adminHeaders(fx)
            let diff = try await client.get("/sops/\(id)/diff?from=1&to=2", g)
            #expect(diff.text.contains("› Waktu</th>") && diff.text.contains("45 menit"))
            #expect(!diff.text.contains("langkah[verifikasi]"), "rows are named by label, not by path")
        }
    }

    @Test func importShowsTheLineOfAnErrorAndStoresNothing() async throws {
        try await withTestApp { fx, client in
            let (h, csrf) = try await adminHeaders(fx, form: true)
            let yaml = try SOPFile.encode(DemoAgency.ktpEl, format: .yaml).replacingOccurrences(of: "waktu: 15 menit", with: "waktu: lama sekali")
            let before = try await fx.store.sops(SOPQuery()).total
            let r = try await client.post("/sops/import", h, Req.form([("_csrf", csrf), ("unit_id", "\(fx.units["DPMPTSP-PLY"]!)"), ("format", "yaml"), ("document", yaml)]))
            #expect(r.status == .badRequest)
            #expect(r.text.contains("baris "))
            #expect(r.text.contains("› Waktu</a>: baris "), "the field by its label, then the line")
            #expect(try await fx.store.sops(SOPQuery()).total == before)
        }
    }

    @Test func exportsAreValidAndRoundTrip() async throws {
        try await withTestApp { fx, client in
            let (g, _) = try await adminHeaders(fx)
            let id = fx.sops["imunisasi"]!
            let yaml = try await client.get("/sops/\(id)/export?format=yaml", g)
            #expect(yaml.headers[.contentDisposition]?.contains(".yaml") == true)
            #expect(try SOPFile.decode(yaml.text, format: .yaml) == DemoAgency.imunisasi)
            let json = try await client.get("/sops/\(id)/export?format=json", g)
            #expect(try SOPFile.decode(json.text, format: .json) == DemoAgency.imunisasi)
            let bpmn = try await client.get("/sops/\(id)/export?format=bpmn", g)
            #expect(bpmn.text.contains("http://www.omg.org/spec/BPMN/20100524/MODEL") && bpmn.text.contains("bpmndi:BPMNDiagram"))
            let bad = try await client.get("/sops/\(id)/export?format=docx", g)
            #expect(bad.status == .badRequest)
        }
    }

    @Test func apiAnswersProblemsPerFieldAndNever500() async throws {
        try await withTestApp { fx, client in
            let (h, _) = try await adminHeaders(fx, json: true)
            // Malformed JSON, wrong types, missing fields, invalid SOPs: 400 with a field.
            let bodies: [(String, String)] = [
                ("{not json", ""),
                ("{\"unit_id\": \"abc\", \"document\": {}}", "unit_id"),
                ("{\"unit_id\": 1}", "document"),
                ("{\"unit_id\": 1, \"document\": {\"identitas\": {\"unit\": \"x\", \"nomor\": \"1\", \"judul\": \"t\"}, \"pelaksana\": [], \"langkah\": []}}", "langkah"),
            ]
            for (body, field) in bodies {
                let r = try await client.execute(uri: "/api/v1/sops", method: .post, headers: h, body: ByteBuffer(string: body))
                #expect(r.status == .badRequest, "\(body): \(r.status)")
                // An RFC 9457 problem body (application/problem+json).
                #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                let p = try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any])
                #expect(p["status"] as? Int == 400)
                if !field.isEmpty {
                    let errs = (p["errors"] as? [[String: Any]]) ?? []
                    #expect(errs.contains { ($0["field"] as? String ?? "").hasPrefix(field) }, "\(body): \(p)")
                }
            }
            let notFound = try await client.get("/api/v1/sops/999999", h)
            #expect(notFound.status == .notFound)
            let badQuery = try await client.get("/api/v1/sops?per_page=5000", h)
            #expect(badQuery.status == .badRequest)
            // A valid create, then a read with paging.
            let doc = try SOPFile.encode(DemoAgency.ktpEl, format: .json)
            let body = "{\"unit_id\": \(fx.units["DPMPTSP-PLY"]!), \"document\": \(doc), \"change_note\": \"via API\"}"
            let created = try await client.execute(uri: "/api/v1/sops", method: .post, headers: h, body: ByteBuffer(string: body))
            #expect(created.status == .created)
            let list = try await client.get("/api/v1/sops?per_page=2&page=1", h)
            let page = try #require(try JSONSerialization.jsonObject(with: Data(buffer: list.body)) as? [String: Any])
            #expect((page["items"] as? [Any])?.count == 2 && page["total"] as? Int == 4)
        }
    }

    @Test func tokensSeeOnlyTheirSubtree() async throws {
        try await withTestApp { fx, client in
            let h = Req.headers(bearer: fx.token)
            let list = try await client.get("/api/v1/sops", h)
            let page = try #require(try JSONSerialization.jsonObject(with: Data(buffer: list.body)) as? [String: Any])
            let titles = ((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["title"] as? String }
            #expect(titles == ["Pelayanan Imunisasi Dasar dan Lanjutan"])
            #expect(try await client.get("/api/v1/sops/\(fx.sops["izin"]!)", h).status == .notFound)
            #expect(try await client.get("/sops", h).status == .forbidden)
            #expect(try await client.get("/api/v1/sops", Req.headers(bearer: "pnt_wrong")).status == .unauthorized)
            // Use is recorded for the token page.
            #expect(try await fx.store.apiTokens().first { $0.id == fx.tokenID }?.lastUsedAt != nil)
            try await fx.store.revokeAPIToken(id: fx.tokenID, by: .system)
            #expect(try await client.get("/api/v1/sops", h).status == .unauthorized)
        }
    }
}

@Suite("Security headers")
struct SecurityHeaderTests {
    @Test func everyAnswerCarriesThemIncludingErrors() async throws {
        try await withTestApp { fx, client in
            let s = try await fx.session("officer")
            for (path, status) in [("/sops", 200), ("/nope", 404), ("/users", 403), ("/api/v1/sops/999", 404)] {
                let r = try await client.get(path, Req.headers(cookie: s.cookie, csrf: s.csrf))
                #expect(Int(r.status.code) == status, "\(path)")
                #expect(r.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true, "\(path)")
                #expect(r.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(path)")
            }
        }
    }
}

@Suite("Health and metrics")
struct HealthMetricsTests {
    @Test func healthReportsTheEngineAndMetricsCountRequests() async throws {
        try await withTestApp { _, client in
            let h = try await client.get("/health")
            #expect(h.status == .ok && h.text.contains("\"database\":\"sqlite\""))
            _ = try await client.get("/login")
            let m = try await client.get("/metrics")
            #expect(m.headers[.contentType]?.hasPrefix("text/plain") == true)
            // The request middleware feeds the Prometheus registry, with Prometheus names (ObservabilityTests).
            #expect(m.text.contains("http_server_requests_total{method=\"GET\",route=\"/login\",status=\"200\"}"), "\(m.text.prefix(400))")
            #expect(m.text.contains("http_server_request_duration_seconds_bucket"))
        }
    }
}
