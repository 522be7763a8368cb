import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
@testable import PantauWeb
import Testing

/// Units, users, API tokens and the audit trail, through HTTP as people use them.
@Suite("Admin pages: units, users, tokens, audit trail")
struct AdminPageTests {
    func signedIn(_ fx: TestFixture, _ user: String, form: Bool = false) async throws -> (HTTPFields, String) {
        let s = try await fx.session(user)
        var h = Req.headers(cookie: s.cookie, csrf: s.csrf, form: form)
        if form { h[HTTPField.Name("X-CSRF-Token")!] = nil }
        return (h, s.csrf)
    }

    @Test func everyProblemOfAUserFormComesBackAtOnceWithItsLabel() async throws {
        try await withTestApp { fx, client in
            let (h, csrf) = try await signedIn(fx, "admin", form: true)
            let r = try await client.post("/users", h, Req.form([("_csrf", csrf), ("username", "a b"), ("display_name", " "), ("role", "officer"),
                                                                ("unit_id", ""), ("language", "id"), ("active", "1")]))
            #expect(r.status == .badRequest)
            let text = r.text
            #expect(text.contains("<a href=\"#username\">Nama pengguna</a>"))
            #expect(text.contains("<a href=\"#display_name\">Nama lengkap</a>: wajib diisi"))
            #expect(text.contains("<a href=\"#unit_id\">"), "all three problems in one round")
            #expect(text.contains("aria-invalid=\"true\""))
            // What was typed is kept, in the signed-in layout.
            #expect(text.contains("value=\"a b\"") && text.contains("action=\"/logout\""))
            #expect(!text.contains("display_name</code>"), "no raw field names")
        }
    }

    @Test func unitFormProblemsAreWordedInTheUILanguage() async throws {
        try await withTestApp { fx, client in
            let (h, csrf) = try await signedIn(fx, "admin", form: true)
            let r = try await client.post("/units", h, Req.form([("_csrf", csrf), ("parent_id", ""), ("level", "instansi"), ("code", "DINKES"),
                                                                ("name", "Dinas Kesehatan Lain"), ("head_name", ""), ("head_nip", "123")]))
            #expect(r.status == .badRequest)
            #expect(r.text.contains("<a href=\"#code\">Kode</a>: kode &#39;DINKES&#39; sudah dipakai unit lain") || r.text.contains("kode 'DINKES' sudah dipakai unit lain"))
            #expect(r.text.contains("NIP harus 18 digit angka"))
            #expect(!r.text.contains("unit code taken"), "no English in the Indonesian page")
        }
    }

    @Test func aNewUsersPasswordIsShownOnceAfterARedirect() async throws {
        try await withTestApp { fx, client in
            let (h, csrf) = try await signedIn(fx, "admin", form: true)
            let unit = fx.units["DINKES-PKM-KTB"]!
            let r = try await client.post("/users", h, Req.form([("_csrf", csrf), ("username", "budi.s"), ("display_name", "Budi Santoso"),
                                                                ("role", "officer"), ("unit_id", "\(unit)"), ("language", "id"), ("active", "1")]))
            #expect(r.status == .seeOther)
            let user = try #require(try await fx.store.credentials(username: "budi.s")?.0)
            #expect(r.headers[.location] == "/users/\(user.id)/edit")
            let reveal = try #require(r.headers[values: .setCookie].first { $0.hasPrefix("pantau_reveal=") })
            #expect(reveal.contains("HttpOnly") && reveal.contains("Path=/users/\(user.id)/edit") && reveal.contains("SameSite=Strict"))
            let password = String(reveal.split(separator: ";")[0].dropFirst("pantau_reveal=".count))
            var g = h
            g[.contentType] = nil
            g[.cookie] = (g[.cookie] ?? "") + "; pantau_reveal=\(password)"
            let page = try await client.get("/users/\(user.id)/edit", g)
            #expect(page.text.contains("<code>\(password)</code>"))
            #expect(page.headers[values: .setCookie].contains { $0.hasPrefix("pantau_reveal=;") || $0.hasPrefix("pantau_reveal=\"\"") || $0.contains("Max-Age=0") })
            // The password works, and must be changed at first sign-in.
            let (_, hash) = try #require(try await fx.store.credentials(username: "budi.s"))
            #expect(hash.hasPrefix("$2") && user.mustChangePassword)
        }
    }

    @Test func tokensCanExpireAndBeReadOnly() async throws {
        try await withTestApp { fx, client in
            let (h, csrf) = try await signedIn(fx, "admin", form: true)
            let unit = fx.units["DINKES"]!
            let tomorrow = CivilDate(Date().addingTimeInterval(86_400), timeZone: .wib).description
            let r = try await client.post("/tokens", h, Req.form([("_csrf", csrf), ("name", "dasbor-baca"), ("unit_id", "\(unit)"),
                                                                 ("expires_on", tomorrow), ("read_only", "1")]))
            #expect(r.status == .seeOther && r.headers[.location] == "/tokens")
            let cookie = try #require(r.headers[values: .setCookie].first { $0.hasPrefix("pantau_reveal=") })
            let token = String(cookie.split(separator: ";")[0].dropFirst("pantau_reveal=".count))
            #expect(token.hasPrefix("pnt_"))
            let read = try await client.get("/api/v1/sops", Req.headers(bearer: token))
            #expect(read.status == .ok)
            var w = Req.headers(bearer: token)
            w[.contentType] = "application/json"
            let write = try await client.post("/api/v1/surveys/\(fx.surveys["imunisasi"]!)/responses", w,
                                              ByteBuffer(string: #"{"answers": {"persyaratan": 4}}"#))
            #expect(write.status == .forbidden)
            // A past expiry date is refused; an expired token no longer opens anything.
            let past = try await client.post("/tokens", h, Req.form([("_csrf", csrf), ("name", "lama"), ("unit_id", "\(unit)"), ("expires_on", "2020-01-01")]))
            #expect(past.status == .badRequest && past.text.contains("Berlaku sampai"))
            let expired = "pnt_expired_" + UUID().uuidString
            _ = try await fx.store.createAPIToken(name: "kedaluwarsa", prefix: String(expired.prefix(10)), tokenHash: SessionTokens.hash(expired),
                                                  unitID: unit, expiresAt: nil, by: .system)
            let store = PantauStore(database: fx.store.database, now: { Date().addingTimeInterval(-2 * 86_400) }, auditKey: fx.store.auditKey)
            let old = "pnt_old_" + UUID().uuidString
            _ = try await store.createAPIToken(name: "lama-sekali", prefix: String(old.prefix(10)), tokenHash: SessionTokens.hash(old),
                                               unitID: unit, expiresAt: Date().addingTimeInterval(-86_400 - 60), by: .system)
            let refused = try await client.get("/api/v1/sops", Req.headers(bearer: old))
            #expect(refused.status == .unauthorized)
            #expect(try await client.get("/api/v1/sops", Req.headers(bearer: expired)).status == .ok)
        }
    }

    // §2.3: the audit page ignored unit scope.
    @Test func aScopedAuditorSeesOnlyTheAuditEntriesOfTheirUnits() async throws {
        try await withTestApp { fx, client in
            let (all, _) = try await signedIn(fx, "auditor")
            let (scoped, _) = try await signedIn(fx, "auditorOther")
            let izin = fx.sops["izin"]!, imunisasi = fx.sops["imunisasi"]!
            let everything = try await client.get("/audit?entity=sop", all)
            #expect(everything.status == .ok)
            #expect(everything.text.contains("href=\"/sops/\(izin)\"") && everything.text.contains("href=\"/sops/\(imunisasi)\""))
            let mine = try await client.get("/audit?entity=sop", scoped)
            #expect(mine.status == .ok)
            #expect(mine.text.contains("href=\"/sops/\(izin)\""))
            #expect(!mine.text.contains("href=\"/sops/\(imunisasi)\""), "a Puskesmas SOP entry leaked to a DPMPTSP auditor")
            // The chain check covers entries a scoped auditor may not see: only unscoped readers run it.
            #expect(!(try await client.get("/audit?verify=1", scoped)).text.contains(">Rantai"))
        }
    }

    @Test func theAuditTrailReadsAsDatesNamesAndChangedFields() async throws {
        try await withTestApp { fx, client in
            let (h, csrf) = try await signedIn(fx, "admin", form: true)
            let unit = try #require(try await fx.store.unit(code: "DPMPTSP-PLY"))
            let r = try await client.post("/units/\(unit.id)", h, Req.form([("_csrf", csrf), ("parent_id", "\(unit.parentID!)"), ("level", "unit_kerja"),
                                                                            ("code", unit.code), ("name", "Bidang Perizinan Terpadu"),
                                                                            ("head_name", unit.headName), ("head_nip", unit.headNIP)]))
            #expect(r.status == .seeOther)
            var g = h
            g[.contentType] = nil
            let page = try await client.get("/audit?entity=unit&action=update", g)
            let text = page.text
            #expect(text.contains("Administrator (admin)"))
            #expect(text.contains("Mengubah") && text.contains("Unit \(unit.id)"))
            #expect(text.contains("<th scope=\"row\">name</th><td>Bidang Pelayanan Perizinan</td><td>Bidang Perizinan Terpadu</td>"))
            #expect(!text.contains("<th scope=\"row\">code</th>"), "unchanged fields are not listed")
            let today = CivilDate(Date(), timeZone: .wib)
            let shown = String(format: "%02d-%02d-%04d", today.day, today.month, today.year)
            #expect(text.contains(shown) && text.contains(" WIB"))
            // Date filters: nothing before the demo existed.
            let none = try await client.get("/audit?to=2020-01-01", g)
            #expect(none.text.contains("Jumlah entri: 0"))
            // A citizen's answers are not copied into the trail.
            var citizen = SurveyCitizen()
            _ = try await citizen.fill(client, fx.surveyCodes["imunisasi"]!, surveyAnswers(4) + [("saran", "Antrean terlalu panjang")])
            let entry = try #require(try await fx.store.auditEntries(entity: "survey_response").items.first)
            #expect(entry.actor == "public")
            #expect(!(entry.newValue ?? "").contains("Antrean") && !(entry.newValue ?? "").contains("persyaratan"))
            #expect((entry.newValue ?? "").contains("\"response_id\":\(entry.entityID)"))
        }
    }

    @Test func signInAndOutAreAuditedUnderTheUserName() async throws {
        try await withTestApp { fx, client in
            let h = Req.headers(csrf: "anonymous-csrf-token-0123456789", form: true)
            _ = try await client.post("/login", h, Req.form([("_csrf", "anonymous-csrf-token-0123456789"), ("username", "mgr"), ("password", "password-for-tests")]))
            let login = try #require(try await fx.store.auditEntries(AuditQuery(action: "login")).items.first)
            #expect(login.actor == "user:mgr")
        }
    }

    @Test func pageModelsArePureFunctionsOfTheirData() async throws {
        let views = try await Views()
        let t = views.strings(.id)
        let changes = AuditPage.changes(old: #"{"a":1,"b":"x","c":[1,2]}"#, new: #"{"a":1,"b":"y","d":null}"#)
        // `d`: absent before, null now: nothing to show.
        #expect(changes.map(\.field) == ["b", "c"])
        #expect(changes.first { $0.field == "b" }.map { [$0.old, $0.new] } == ["x", "y"])
        #expect(changes.first { $0.field == "c" }?.new == "–")
        #expect(AuditPage.changes(old: nil, new: nil).isEmpty)
        // Stored moments (seconds since 2001) read as dates.
        let created = AuditPage.changes(old: nil, new: #"{"createdAt": 817781231.71}"#)
        #expect(created.first?.new.hasSuffix(" WIB") == true && created.first?.new.contains("2026") == true)
        #expect(AuditPage.actorLabel("public", users: [:], byID: [:], t: t) == "Masyarakat (formulir publik)")
        #expect(AuditPage.actorLabel("token:sik", users: [:], byID: [:], t: t) == "Token sik")
        let home = HomePage.model(counts: .init(byStatus: [.effective: 2]), t: t)
        #expect(home.signedIn && home.tiles.first { $0.href == "/sops?status=effective" }?.value == 2)
        #expect(!home.stages.map(\.title).contains { $0.hasPrefix("1.") }, "no double numbering")
        let out = HomePage.model(counts: nil, t: t)
        #expect(!out.signedIn && out.transparencyHref == "/transparansi")
    }
}

@Suite("One way to translate")
struct TranslationTests {
    /// Every problem code the store raises has words in both catalogs (`store_<code>`), and no
    /// template carries a hand-written link: links come from the typed route list.
    @Test func everyStoreProblemCodeIsWordedAndTemplatesBuildNoLinks() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var codes = Set<String>()
        var files: [URL] = []
        for dir in ["Sources/PantauStore", "Sources/PantauWeb"] {
            let base = root.appendingPathComponent(dir)
            guard let e = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let f as String in e where f.hasSuffix(".swift") { files.append(base.appendingPathComponent(f)) }
        }
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            var rest = Substring(text)
            while let r = rest.range(of: "InputProblem(\"") {
                let after = rest[r.upperBound...]
                // InputProblem("field", "code"...
                if let comma = after.range(of: "\", \"") {
                    let code = after[comma.upperBound...].prefix { $0 != "\"" }
                    if !code.isEmpty { codes.insert(String(code)) }
                }
                rest = after
            }
        }
        #expect(codes.count >= 10)
        let views = try await Views()
        for lang in Language.allCases {
            let table = views.strings(lang).table
            let missing = codes.filter { table["store_\($0)"] == nil }
            #expect(missing.isEmpty, "\(lang): no words for \(missing.sorted())")
        }
        let templates = Views.resourceDirectory.appendingPathComponent("Templates")
        var handWritten: [String] = []
        for f in try FileManager.default.contentsOfDirectory(atPath: templates.path) where f.hasSuffix(".mustache") {
            let text = try String(contentsOf: templates.appendingPathComponent(f), encoding: .utf8)
            for needle in ["href=\"/", "action=\"/", "src=\"/"] where text.contains(needle) { handWritten.append(f) }
        }
        #expect(handWritten.isEmpty, "templates with hand-written links: \(handWritten.sorted())")
    }
}

@Suite("Readiness")
struct ReadinessTests {
    @Test(arguments: TestEngine.all)
    func readyWhenTheDatabaseAnswersAndEveryMigrationIsApplied(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let ok = try await client.get("/ready")
            #expect(ok.status == .ok && ok.text.contains("\"status\":\"ready\"") && ok.text.contains("\"pending_migrations\":[]"))
            // A schema one migration behind (as after an upgrade of the program) is not ready.
            try await fx.store.forgetMigrationForTests(9)
            let behind = try await client.get("/ready")
            #expect(behind.status == .serviceUnavailable)
            #expect(behind.text.contains("\"pending_migrations\":[9]"))
            // Liveness is unaffected.
            #expect(try await client.get("/health").status == .ok)
        }
    }
}
