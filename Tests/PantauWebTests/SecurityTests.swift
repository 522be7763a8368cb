import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
import PantauWeb
import Testing

/// The security holes found in review (issue 7 §2), each with the behaviour that proves it closed.
@Suite("Security: sign-in, redirects, passwords and limits")
struct SecurityTests {
    static let anonCSRF = "anonymous-csrf-token-0123456789"
    static let xff = HTTPField.Name("X-Forwarded-For")!

    func login(_ client: some TestClientProtocol, _ user: String, _ password: String, from address: String? = nil,
               next: String? = nil) async throws -> TestResponse {
        var h = Req.headers(csrf: Self.anonCSRF, form: true)
        if let address { h[Self.xff] = "198.18.0.1, \(address)" }
        var fields = [("_csrf", Self.anonCSRF), ("username", user), ("password", password)]
        if let next { fields.append(("next", next)) }
        return try await client.post("/login", h, Req.form(fields))
    }

    // §2.1: behind the reverse proxy every request comes from the proxy's address. Failures from
    // one client must not lock the account (or everyone) out for other clients.
    @Test func failuresFromOneClientDoNotLockTheAccountForOthers() async throws {
        try await withTestApp(configure: { $0.trustForwardedFor = true }) { _, client in
            for _ in 0..<3 {
                do { let r = try await login(client, "admin", "wrong-password", from: "203.0.113.5"); #expect(r.status == .unprocessableContent) }
            }
            let attacker = try await login(client, "admin", testAdminPassword, from: "203.0.113.5")
            #expect(attacker.status == .tooManyRequests)
            let retry = try #require(attacker.headers[.retryAfter].flatMap { Int($0) })
            #expect(retry > 0 && retry <= 30)
            #expect(attacker.text.contains("\(retry) detik"))
            // The real administrator, elsewhere, signs in.
            let admin = try await login(client, "admin", testAdminPassword, from: "198.51.100.7")
            #expect(admin.status == .seeOther)
            // Another user behind the same proxy is not affected by the attacker's guesses at admin.
            do { let r = try await login(client, "mgr", "password-for-tests", from: "198.51.100.8"); #expect(r.status == .seeOther) }
        }
    }

    @Test func delaysGrowWithEachFurtherFailure() async throws {
        let policy = LoginThrottlePolicy(freeFailures: 5, firstDelay: 30, maxDelay: 900)
        #expect((1...4).map { policy.delay(afterFailures: $0) } == [0, 0, 0, 0])
        #expect((5...10).map { policy.delay(afterFailures: $0) } == [30, 60, 120, 240, 480, 900])
        #expect(policy.delay(afterFailures: 1000) == 900)
    }

    // §2.1: signing in to one's own account must not reset the count of guesses made from that
    // client at other accounts.
    @Test func aSuccessfulSignInDoesNotResetTheClientsGuessCount() async throws {
        try await withTestApp(configure: { $0.trustForwardedFor = true }) { _, client in
            // Per-client allowance is four times the per-account one (3 in tests): 12 failures.
            for i in 0..<11 {
                do { let r = try await login(client, "nobody\(i)", "wrong-password", from: "203.0.113.9"); #expect(r.status == .unprocessableContent) }
            }
            do { let r = try await login(client, "mgr", "password-for-tests", from: "203.0.113.9"); #expect(r.status == .seeOther) }
            do { let r = try await login(client, "nobody-else", "wrong-password", from: "203.0.113.9"); #expect(r.status == .unprocessableContent) }
            do { let r = try await login(client, "eval", "wrong-password", from: "203.0.113.9"); #expect(r.status == .tooManyRequests) }
            // Another client is unaffected.
            do { let r = try await login(client, "eval", "password-for-tests", from: "203.0.113.10"); #expect(r.status == .seeOther) }
        }
    }

    // §2.1: check, bcrypt and record were separate steps, so parallel guesses all passed the
    // check before any was recorded.
    @Test func parallelGuessesAreCountedBeforeThePasswordIsChecked() async throws {
        try await withTestApp { _, client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await login(client, "admin", "wrong-password").status }
                }
                var all: [HTTPResponse.Status] = []
                for try await s in group { all.append(s) }
                return all
            }
            #expect(statuses.filter { $0 == .unprocessableContent }.count == 3, "\(statuses)")
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 5, "\(statuses)")
        }
    }

    // §2.2: bcrypt on the async executor stalls every other request while it runs.
    @Test func passwordChecksDoNotStallOtherRequests() async throws {
        try await withTestApp { fx, client in
            // A realistic cost, so a check takes a noticeable while.
            try await fx.store.setPassword(userID: fx.users["eval"]!, passwordHash: PasswordTools.hash("slow-password-123", cost: 13), by: .system)
            actor Order { var names: [String] = []; func add(_ n: String) { names.append(n) } }
            let order = Order()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<2 {
                    group.addTask {
                        _ = try await login(client, "eval", "slow-password-123", from: "10.0.0.\(i)")
                        await order.add("login")
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(100))
                    let r = try await client.get("/health")
                    #expect(r.status == .ok)
                    await order.add("health")
                }
                try await group.waitForAll()
            }
            let names = await order.names
            #expect(names.first == "health", "\(names)")
        }
    }

    // §2.4: `next=/%09/evil.example` passed the check; browsers drop the tab and go to another site.
    @Test func signInOnlyRedirectsToPathsOfThisSite() async throws {
        try await withTestApp { _, client in
            let hostile = ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", " //evil.example", "//evil.example",
                           "/\\evil.example", "\\\\evil.example", "https://evil.example/", "javascript:alert(1)", "/\u{0}/evil.example",
                           "\t//evil.example", "evil.example"]
            for next in hostile {
                let r = try await login(client, "admin", testAdminPassword, next: next)
                #expect(r.status == .seeOther)
                #expect(r.headers[.location] == "/", "next \(next.debugDescription) went to \(r.headers[.location] ?? "")")
            }
            let ok = try await login(client, "admin", testAdminPassword, next: "/sops?status=effective&q=izin")
            #expect(ok.headers[.location] == "/sops?status=effective&q=izin")
        }
    }

    // §2.7: the temporary-password flag was only a redirect right after signing in.
    @Test func aTemporaryPasswordMustBeChangedBeforeAnythingElse() async throws {
        try await withTestApp { fx, client in
            let s = try await fx.session("mgr")
            try await fx.store.setPassword(userID: fx.users["mgr"]!, passwordHash: PasswordTools.hash("temporary-123", cost: 4), mustChange: true,
                                           keepSession: SessionTokens.hash(s.cookie), by: .system)
            let h = Req.headers(cookie: s.cookie, csrf: s.csrf)
            for path in ["/", "/sops", "/sops/\(fx.sops["imunisasi"]!)", "/surveys", "/units"] {
                let r = try await client.get(path, h)
                #expect(r.status == .seeOther && r.headers[.location] == "/account/password", "\(path): \(r.status)")
            }
            let api = try await client.get("/api/v1/sops", h)
            #expect(api.status == .forbidden)
            #expect(try await client.get("/account/password", h).status == .ok)
            // Changing it lifts the block.
            let changed = try await client.post("/account/password", Req.headers(cookie: s.cookie, csrf: s.csrf, form: true),
                                                Req.form([("_csrf", s.csrf), ("current", "temporary-123"), ("new", "a-new-password-456"), ("confirm", "a-new-password-456")]))
            #expect(changed.status == .seeOther)
            #expect(try await client.get("/sops", h).status == .ok)
        }
    }

    // §2.7: bcrypt ignores everything after 72 bytes.
    @Test func passwordsLongerThanBcryptReadsAreRefused() async throws {
        try await withTestApp { fx, client in
            let s = try await fx.session("mgr")
            let long = String(repeating: "é", count: 40)  // 40 characters, 80 bytes
            let r = try await client.post("/account/password", Req.headers(cookie: s.cookie, csrf: s.csrf, form: true),
                                          Req.form([("_csrf", s.csrf), ("current", "password-for-tests"), ("new", long), ("confirm", long)]))
            #expect(r.status == .badRequest)
            #expect(r.text.contains("maksimal 72 byte"))
            // A stored 72-byte password does not also match itself plus anything.
            let exact = String(repeating: "k", count: 72)
            try await fx.store.setPassword(userID: fx.users["eval"]!, passwordHash: PasswordTools.hash(exact, cost: 4), by: .system)
            do { let r = try await login(client, "eval", exact + "extra"); #expect(r.status == .unprocessableContent) }
            do { let r = try await login(client, "eval", exact); #expect(r.status == .seeOther) }
        }
    }

    @Test func theFirstAdminPasswordFromTheEnvironmentObeysThePolicy() async throws {
        try await withTestDatabase(.sqlite) { location in
            var config = AppConfig(port: 0, database: location, adminPassword: "short")
            config.passwordCost = 4
            await #expect(throws: ConfigError.self) { _ = try await buildApplication(config: config) }
        }
    }

    @Test func strictTransportSecurityWhenCookiesAreSecure() async throws {
        try await withTestApp(configure: { $0.secureCookies = true }) { _, client in
            let r = try await client.get("/login")
            #expect(r.headers[HTTPField.Name("Strict-Transport-Security")!]?.hasPrefix("max-age=") == true)
        }
        try await withTestApp { _, client in
            let r = try await client.get("/login")
            #expect(r.headers[HTTPField.Name("Strict-Transport-Security")!] == nil)
        }
    }

    // §2.8: anonymous bodies are capped before anything parses them.
    @Test func anonymousBodiesAreCappedBeforeParsing() async throws {
        try await withTestApp { fx, client in
            let big = String(repeating: "a", count: 40 * 1024)
            let h = Req.headers(csrf: Self.anonCSRF, form: true)
            let r = try await client.post("/login", h, Req.form([("_csrf", Self.anonCSRF), ("username", "admin"), ("password", big)]))
            #expect(r.status == .contentTooLarge)
            #expect(r.text.contains("16 KiB"))
            var j = Req.headers(csrf: Self.anonCSRF)
            j[.contentType] = "application/json"
            let code = fx.surveyCodes["imunisasi"]!
            let survey = try await client.post("/s/\(code)", j, ByteBuffer(string: "[" + String(repeating: "1,", count: 20_000) + "1]"))
            #expect(survey.status == .contentTooLarge)
            // API clients are told how to authenticate.
            let api = try await client.get("/api/v1/sops")
            #expect(api.status == .unauthorized)
            #expect(api.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
        }
    }
}

@Suite("Security: the public survey form and survey API")
struct SurveySecurityTests {
    // §2.5: a valid form token could be re-posted for 24 hours, each time storing an answer.
    @Test(arguments: TestEngine.all)
    func aFormTokenIsUsedOnce(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let code = fx.surveyCodes["imunisasi"]!, id = fx.surveys["imunisasi"]!
            let period = SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)
            let before = try await fx.store.responses(surveyID: id, period: period).total
            var citizen = SurveyCitizen()
            let (_, csrf, token) = try await citizen.open(client, code)
            let first = try await citizen.submit(client, code, csrf: csrf, token: token, surveyAnswers(4))
            #expect(first.status == .seeOther)
            for _ in 0..<3 {
                let replay = try await citizen.submit(client, code, csrf: csrf, token: token, surveyAnswers(1))
                #expect(replay.status == .unprocessableContent)
                #expect(replay.text.contains("sudah pernah dikirim"))
            }
            #expect(try await fx.store.responses(surveyID: id, period: period).total == before + 1)
        }
    }

    // §2.5: one client owns a whole IPv6 /64; counting single addresses let it rotate past the limit.
    @Test func ipv6ClientsAreCountedPerSlash64() async throws {
        try await withTestApp(configure: { c in
            c.surveyRateLimit = 2
            c.trustForwardedFor = true
        }) { fx, client in
            let code = fx.surveyCodes["imunisasi"]!
            for suffix in ["1", "2"] {
                var c = SurveyCitizen(forwardedFor: "2001:db8:aa:bb::\(suffix)")
                let r = try await c.fill(client, code, surveyAnswers(3))
                #expect(r.status == .seeOther)
            }
            var same64 = SurveyCitizen(forwardedFor: "2001:0db8:00aa:00bb:ffff:1:2:3")
            let refused = try await same64.fill(client, code, surveyAnswers(3))
            #expect(refused.status == .tooManyRequests)
            var other64 = SurveyCitizen(forwardedFor: "2001:db8:aa:bc::1")
            let ok = try await other64.fill(client, code, surveyAnswers(3))
            #expect(ok.status == .seeOther)
        }
    }

    // §2.5: the API took any number of submissions; officers (the staff being rated) could submit.
    @Test func apiSubmissionsAreRateLimitedAndOfficersMayNotSubmit() async throws {
        try await withTestApp(configure: { $0.surveyRateLimit = 1 }) { fx, client in
            let id = fx.surveys["imunisasi"]!
            var h = Req.headers(bearer: fx.token)
            h[.contentType] = "application/json"
            let body = #"{"answers": {"persyaratan": 4, "waktu": 3}, "channel": "kiosk"}"#
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<11 {
                statuses.append(try await client.post("/api/v1/surveys/\(id)/responses", h, ByteBuffer(string: body)).status)
            }
            #expect(statuses.prefix(10).allSatisfy { $0 == .created }, "\(statuses)")
            #expect(statuses.last == .tooManyRequests)
            let s = try await fx.session("officer")
            var oh = Req.headers(cookie: s.cookie, csrf: s.csrf)
            oh[.contentType] = "application/json"
            let officer = try await client.post("/api/v1/surveys/\(id)/responses", oh, ByteBuffer(string: body))
            #expect(officer.status == .forbidden)
        }
    }
}

@Suite("Public pages served from the page cache")
struct PageCacheTests {
    // The blank form is rendered once per survey version and language; each visitor must still
    // get their own CSRF pair and their own single-use form token.
    @Test func cachedFormsCarryEachVisitorsOwnTokens() async throws {
        try await withTestApp { fx, client in
            let code = fx.surveyCodes["imunisasi"]!
            var a = SurveyCitizen(), b = SurveyCitizen()
            let (pa, csrfA, tokenA) = try await a.open(client, code)
            let (pb, csrfB, tokenB) = try await b.open(client, code)
            #expect(pa.status == .ok && pb.status == .ok)
            #expect(csrfA != csrfB && tokenA != tokenB)
            #expect(!pa.text.contains("MARK-5c1e9a") && !pb.text.contains("MARK-5c1e9a"))
            #expect(a.cookie?.contains(csrfA) == true && b.cookie?.contains(csrfB) == true)
            // Both forms work, each once.
            #expect(try await a.submit(client, code, csrf: csrfA, token: tokenA, surveyAnswers(4)).status == .seeOther)
            #expect(try await b.submit(client, code, csrf: csrfB, token: tokenB, surveyAnswers(3)).status == .seeOther)
            // A change to the survey shows at once (the cache key carries its last change).
            let id = fx.surveys["imunisasi"]!
            var survey = try await fx.store.survey(id: id)
            #expect(!pa.text.contains("Judul baru untuk uji"))
            var def = survey.definition
            def.title = SurveyText(id: "Judul baru untuk uji", en: "A new title for the test")
            survey = try await fx.store.updateSurvey(id: id, SurveyInput(unitID: survey.unitID, sopID: survey.sopID, name: survey.name,
                                                                          periodKind: survey.periodKind, definition: def, active: true), by: .system)
            var c = SurveyCitizen()
            let (pc, _, _) = try await c.open(client, code)
            #expect(pc.text.contains("Judul baru untuk uji"))
        }
    }
}

@Suite("Security: writing into another unit")
struct CrossUnitWriteTests {
    /// A unit manager of DPMPTSP creating records *in the Puskesmas* through every door (SOP form,
    /// SOP import, SOP API, survey set-up): each is refused and nothing is stored.
    @Test func aUnitManagerCannotWriteIntoAnotherUnit() async throws {
        try await withTestApp { fx, client in
            let puskesmas = fx.units["DINKES-PKM-KTB"]!
            let s = try await fx.session("mgrOther")
            var form = Req.headers(cookie: s.cookie, csrf: s.csrf, form: true)
            form[HTTPField.Name("X-CSRF-Token")!] = nil
            let sopsBefore = try await fx.store.sops(SOPQuery()).total
            let surveysBefore = try await fx.store.surveys().count
            let sop = try await client.post("/sops", form, Req.form(SOPWebTests().stepForm(s.csrf, unit: puskesmas, title: "Menyusup")))
            #expect([400, 403, 404].contains(Int(sop.status.code)), "SOP form: \(sop.status)")
            let yaml = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("docs/examples/sop-penerbitan-izin-usaha.yaml").path, encoding: .utf8)
            let imported = try await client.post("/sops/import", form, Req.form([("_csrf", s.csrf), ("unit_id", "\(puskesmas)"), ("format", "yaml"),
                                                                                ("document", yaml)]))
            #expect([400, 403, 404].contains(Int(imported.status.code)), "SOP import: \(imported.status)")
            var json = Req.headers(cookie: s.cookie, csrf: s.csrf, json: true)
            json[.contentType] = "application/json"
            let doc = try await fx.store.version(sopID: fx.sops["izin"]!, version: 1).document
            let body = String(decoding: try JSONEncoder().encode(["unit_id": AnyCodableUnit.int(puskesmas), "document": .doc(doc)]), as: UTF8.self)
            let api = try await client.post("/api/v1/sops", json, ByteBuffer(string: body))
            #expect([403, 404].contains(Int(api.status.code)), "SOP API: \(api.status) \(api.text)")
            let survey = try await client.post("/surveys", form, surveySetUpForm(fx, csrf: s.csrf, name: "Survei menyusup"))
            #expect([400, 403, 404].contains(Int(survey.status.code)), "survey set-up: \(survey.status)")
            #expect(try await fx.store.sops(SOPQuery()).total == sopsBefore)
            #expect(try await fx.store.surveys().count == surveysBefore)
        }
    }
}

/// A JSON value for the body above: a unit id or an SOP document.
enum AnyCodableUnit: Encodable {
    case int(Int64)
    case doc(SOPDocument)
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .int(v): try c.encode(v)
        case let .doc(d): try c.encode(d)
        }
    }
}
