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

/// What a webhook receiver got.
private actor Inbox {
    struct Request: Sendable { var signature: String?; var timestamp: String?; var delivery: String?; var contentType: String?; var body: String }
    var requests: [Request] = []
    /// Answers 500 to the first request, 200 after.
    func add(_ r: Request) -> HTTPResponse.Status {
        requests.append(r)
        return requests.count == 1 ? .internalServerError : .ok
    }
}

/// HMAC-SHA256 as the documentation's Python recipe computes it (independent of Pantau's code).
private func pythonSignature(secret: String, timestamp: String, body: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", """
        import hmac, hashlib, sys
        secret, ts, body = sys.argv[1], sys.argv[2], sys.stdin.buffer.read()
        print("sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest())
        """, secret, timestamp]
    let input = Pipe(), output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    try ProcessLaunch.run(p)
    input.fileHandleForWriting.write(Data(body.utf8))
    try input.fileHandleForWriting.close()
    p.waitUntilExit()
    return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Gives the SOP a setting of this test's own (an alias), which re-analyses its cases: the store's
/// process-wide analyzer cache is keyed by SOP id, version and settings, and other tests' databases
/// hold other documents under the same SOP id.
private func isolateAnalysis(_ store: PantauStore, _ sop: Int64, step: String) async throws {
    try await store.setActivityAlias(sopID: sop, activity: "alert-test-\(UUID().uuidString)", stepID: step, by: .cli)
}

@Suite("Alerts on the web: rule, notification and webhook pages; the delivery worker")
struct AlertWebTests {
    @Test("A webhook is POSTed signed, answered 500 then 200: retried after the back-off and then sent; the log shows both attempts",
          arguments: TestEngine.all)
    func workerSignsRetriesAndSends(_ engine: TestEngine) async throws {
        let inbox = Inbox()
        let router = Router()
        router.post("/hook") { req, _ -> Response in
            let body = try await req.body.collect(upTo: 1 << 20)
            let status = await inbox.add(.init(signature: req.headers[HTTPField.Name("X-Pantau-Signature")!],
                                                timestamp: req.headers[HTTPField.Name("X-Pantau-Timestamp")!],
                                                delivery: req.headers[HTTPField.Name("X-Pantau-Delivery")!],
                                                contentType: req.headers[.contentType], body: String(buffer: body)))
            return Response(status: status)
        }
        let receiver = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await receiver.test(.live) { rc in
            let port = try #require(rc.port)
            try await withTestStore(engine) { store in
                let unit = try await store.createUnit(UnitInput(parentID: nil, code: "DPMPTSP", name: "DPMPTSP", level: .instansi), by: .cli)
                let sop = try await store.createSOP(unitID: unit.id, document: try Self.permitSOP(), by: .cli)
                try await isolateAnalysis(store, sop.id, step: "daftar")
                let hook = try await store.createWebhook(unitID: unit.id, name: "penerima", url: "http://127.0.0.1:\(port)/hook",
                                                         kinds: [.caseOverdue], allowPrivate: true, by: .cli)
                try await store.createAlertRule(sopID: sop.id, AlertRuleInput(kind: .caseOverdue, factor: 1), by: .cli)
                let now = Date()
                _ = try await store.ingestEvents([EventInput(clientID: "e1", sopID: sop.id, caseReference: "REG-TUA", activity: "Pendaftaran Permohonan",
                                                             at: now.addingTimeInterval(-200 * 86_400))],
                                                 scope: IngestScope(allowedUnits: nil, source: .api, receivedBy: "test"), by: .cli)
                let worker = AlertWorker(store: store, sender: WebhookSender(timeout: 10, allowPrivate: true))
                let r1 = await worker.runOnce(now: now)
                #expect(r1 == AlertWorker.Round(alerts: 1, attempts: 1, sent: 0))
                var log = try await store.webhookDeliveries(webhookID: hook.webhook.id)
                #expect(log.count == 1)
                #expect(log.first?.status == .pending && log.first?.attempts == 1 && log.first?.lastStatusCode == 500)
                // Not due again before the back-off (30 s) has passed.
                #expect(await worker.runOnce(now: now.addingTimeInterval(20)) == AlertWorker.Round())
                let r2 = await worker.runOnce(now: now.addingTimeInterval(31))
                #expect(r2 == AlertWorker.Round(alerts: 0, attempts: 1, sent: 1))
                log = try await store.webhookDeliveries(webhookID: hook.webhook.id)
                #expect(log.first?.status == .sent && log.first?.attempts == 2 && log.first?.lastStatusCode == 200 && log.first?.lastError == nil)

                let got = await inbox.requests
                #expect(got.count == 2)
                for g in got {
                    let ts = try #require(g.timestamp)
                    #expect(abs((Double(ts) ?? 0) - Date().timeIntervalSince1970) < 120)
                    #expect(g.delivery == String(log[0].id))
                    #expect(g.contentType?.hasPrefix("application/json") == true)
                    #expect(g.body == log[0].payload)
                    let expected = try pythonSignature(secret: hook.secret, timestamp: ts, body: g.body)
                    #expect(expected.hasPrefix("sha256=") && expected.count == 71)
                    #expect(g.signature == expected)
                    // Another secret gives another signature.
                    #expect(g.signature != (try pythonSignature(secret: hook.secret + "x", timestamp: ts, body: g.body)))
                }
                let body = try JSONSerialization.jsonObject(with: Data(got[0].body.utf8)) as? [String: Any]
                #expect(body?["case_reference"] as? String == "REG-TUA" && body?["event"] as? String == "alert")

                // Re-send: a new delivery, sent on the next round.
                let again = try await store.resendDelivery(id: log[0].id, by: .cli)
                let r3 = await worker.runOnce(now: Date().addingTimeInterval(1))
                #expect(r3.sent == 1)
                #expect(try await store.webhookDelivery(id: again.id).status == .sent)
                #expect(await inbox.requests.count == 3)
                #expect(await inbox.requests.last?.delivery == String(again.id))

                // A sender that does not allow private targets refuses loopback before connecting.
                let refused = await WebhookSender(allowPrivate: false).send(
                    WebhookJob(deliveryID: 1, webhookID: hook.webhook.id, url: "http://127.0.0.1:\(port)/hook", secret: "s", payload: "{}", attempts: 0, claim: "c"),
                    at: Date())
                #expect(refused.statusCode == nil && refused.error == "webhook_url_private")
                #expect(await inbox.requests.count == 3)
            }
        }
    }

    static func permitSOP() throws -> SOPDocument {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        dir = dir.deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: dir.appendingPathComponent("docs/examples/sop-penerbitan-izin-usaha.yaml"), encoding: .utf8)
        return try SOPFile.decode(text, format: .yaml)
    }

    @Test("Names that resolve to loopback or private addresses are refused at send time")
    func resolvedPrivateAddresses() {
        #expect(WebhookSender.resolvesToPrivate("localhost"))
        #expect(WebhookSender.resolvesToPrivate("127.0.0.1"))
        #expect(WebhookSender.resolvesToPrivate("[::1]"))
        #expect(WebhookSender.resolvesToPrivate("169.254.169.254"))
        #expect(!WebhookSender.resolvesToPrivate("93.184.215.14"))
        #expect(!WebhookTarget.isPrivateHost("example.org"))
        #expect(WebhookTarget.isPrivateHost("LOCALHOST."))
    }

    @Test("Alert rules page: add (with errors worded), list, deactivate; notifications for the unit's staff and those above; mark read")
    func rulesAndNotifications() async throws {
        try await withTestApp(configure: { $0.alertInterval = 0 }) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let admin = try await fx.session("admin")
            let mgr = try await fx.session("mgr")
            let path = "/sops/\(sop)/aturan-peringatan"
            var r = try await client.execute(uri: path, method: .get, headers: Req.headers(cookie: mgr.cookie), body: nil)
            #expect(r.status == .ok)
            #expect(String(buffer: r.body).contains("Aturan peringatan"))
            // A bad factor: 400, worded, the typed value kept.
            r = try await client.execute(uri: path, method: .post, headers: Req.headers(cookie: mgr.cookie, csrf: mgr.csrf, form: true),
                                         body: Req.form([("_csrf", mgr.csrf), ("kind", "case_overdue"), ("factor", "dua<b>")]))
            #expect(r.status == .badRequest)
            var html = String(buffer: r.body)
            #expect(html.contains("Isi dengan angka."))
            #expect(html.contains("dua&lt;b&gt;") && !html.contains("dua<b>"))
            r = try await client.execute(uri: path, method: .post, headers: Req.headers(cookie: mgr.cookie, csrf: mgr.csrf, form: true),
                                         body: Req.form([("_csrf", mgr.csrf), ("kind", "case_overdue"), ("factor", "100")]))
            #expect(r.status == .seeOther)
            let rules = try await fx.store.alertRules(sopID: sop)
            #expect(rules.count == 1 && rules[0].kind == .caseOverdue && rules[0].factor == 100 && rules[0].createdBy == "user:mgr")

            // An old open case of the Puskesmas: overdue.
            let doc = try await fx.store.version(sopID: sop, version: 1).document
            try await isolateAnalysis(fx.store, sop, step: doc.steps[0].id)
            _ = try await fx.store.ingestEvents([EventInput(clientID: "tua", sopID: sop, caseReference: "IMN-TUA", activity: doc.steps[0].activity,
                                                            at: Date().addingTimeInterval(-300 * 86_400), unitCode: "DINKES-PKM-KTB")],
                                                scope: IngestScope(allowedUnits: nil, source: .api, receivedBy: "test"), by: .cli)
            let raised = try await fx.store.evaluateAlerts(now: Date())
            let m = try await fx.store.monitoring(sopID: sop, filter: MonitoringFilter())
            let cases = "\(m.cases) \(m.overdueOpenCases.map { "\($0.reference) \($0.status) \($0.standardSeconds as Any) \($0.openedAt as Any)" })"
            #expect(raised.alerts.map(\.arguments.first) == ["IMN-TUA"], "\(cases)")

            html = String(buffer: try await client.execute(uri: path, method: .get, headers: Req.headers(cookie: admin.cookie), body: nil).body)
            #expect(html.contains("Kasus IMN-TUA sudah terbuka"))

            // The Puskesmas' officer and the evaluator of the city (above it) are notified; DPMPTSP's manager is not.
            for (who, sees) in [("officer", true), ("eval", true), ("mgrOther", false)] {
                let s = try await fx.session(who)
                let page = String(buffer: try await client.execute(uri: "/notifikasi", method: .get, headers: Req.headers(cookie: s.cookie), body: nil).body)
                #expect(page.contains("IMN-TUA") == sees, "\(who)")
                #expect(page.contains(sees ? "1 belum dibaca" : "0 belum dibaca"), "\(who)")
            }
            let officer = try await fx.session("officer")
            // The page header counts them on every page a browser asks for (not on other requests).
            var browser = Req.headers(cookie: officer.cookie)
            browser[.accept] = "text/html,application/xhtml+xml"
            let home = String(buffer: try await client.execute(uri: "/", method: .get, headers: browser, body: nil).body)
            #expect(home.contains(#"<span class="count" aria-hidden="true">1</span><span class="sr">, 1 belum dibaca</span>"#))
            let plain = String(buffer: try await client.execute(uri: "/", method: .get, headers: Req.headers(cookie: officer.cookie), body: nil).body)
            #expect(!plain.contains(#"class="count""#))
            // Other systems read the alerts from the API, limited to their units and filtered.
            struct APIAlert: Decodable { var kind: String; var case_reference: String?; var unit_code: String; var message: String; var sop_id: Int64 }
            func apiAlerts(_ query: String, _ token: String) async throws -> [APIAlert] {
                let r = try await client.execute(uri: "/api/v1/alerts" + query, method: .get, headers: Req.headers(bearer: token), body: nil)
                #expect(r.status == .ok, "\(query): \(String(buffer: r.body))")
                return try JSONDecoder().decode([APIAlert].self, from: Data(buffer: r.body))
            }
            let listed = try await apiAlerts("", fx.token)
            #expect(listed.map(\.case_reference) == ["IMN-TUA"] && listed[0].kind == "case_overdue" && listed[0].unit_code == "DINKES-PKM-KTB")
            #expect(listed[0].message.contains("Kasus IMN-TUA sudah terbuka") && listed[0].sop_id == sop)
            #expect(try await apiAlerts("?kind=case_overdue&sop_id=\(sop)", fx.token).count == 1)
            #expect(try await apiAlerts("?kind=compliance_below", fx.token).isEmpty)
            #expect(try await apiAlerts("?since=2999-01-01T00:00:00Z", fx.token).isEmpty)
            let dpm = "pnt_test_" + UUID().uuidString
            _ = try await fx.store.createAPIToken(name: "sicantik", prefix: String(dpm.prefix(10)), tokenHash: SessionTokens.hash(dpm),
                                                  unitID: fx.units["DPMPTSP"]!, by: .system)
            #expect(try await apiAlerts("", dpm).isEmpty, "another Dinas' token sees none of them")
            let refused = try await client.execute(uri: "/api/v1/alerts?unit_id=\(fx.units["DINKES-PKM-KTB"]!)", method: .get, headers: Req.headers(bearer: dpm), body: nil)
            #expect(refused.status == .forbidden)
            let items = try await fx.store.notifications(userID: fx.users["officer"]!)
            // Another person's notification id changes nothing.
            r = try await client.execute(uri: "/notifikasi/dibaca", method: .post, headers: Req.headers(cookie: mgr.cookie, csrf: mgr.csrf, form: true),
                                         body: Req.form([("_csrf", mgr.csrf), ("id", "\(items[0].id)")]))
            #expect(r.status == .seeOther)
            #expect(try await fx.store.unreadNotificationCount(userID: fx.users["officer"]!) == 1)
            r = try await client.execute(uri: "/notifikasi/dibaca", method: .post, headers: Req.headers(cookie: officer.cookie, csrf: officer.csrf, form: true),
                                         body: Req.form([("_csrf", officer.csrf), ("id", "\(items[0].id)")]))
            #expect(r.status == .seeOther)
            #expect(try await fx.store.unreadNotificationCount(userID: fx.users["officer"]!) == 0)
            #expect(try await fx.store.unreadNotificationCount(userID: fx.users["eval"]!) == 1)

            // Deactivate: the rule stays, inactive.
            r = try await client.execute(uri: path + "/nonaktifkan", method: .post, headers: Req.headers(cookie: mgr.cookie, csrf: mgr.csrf, form: true),
                                         body: Req.form([("_csrf", mgr.csrf), ("rule_id", "\(rules[0].id)")]))
            #expect(r.status == .seeOther)
            #expect(try await fx.store.alertRules(sopID: sop).first?.active == false)
            // Another SOP's rule id through this SOP's address: not found.
            let other = try await fx.store.createAlertRule(sopID: fx.sops["izin"]!, AlertRuleInput(kind: .stepOverStandard), by: .cli)
            r = try await client.execute(uri: path + "/nonaktifkan", method: .post, headers: Req.headers(cookie: mgr.cookie, csrf: mgr.csrf, form: true),
                                         body: Req.form([("_csrf", mgr.csrf), ("rule_id", "\(other.id)")]))
            #expect(r.status == .notFound)
            #expect(try await fx.store.alertRules(sopID: fx.sops["izin"]!).first?.active == true)
        }
    }

    @Test("Webhook page: private targets refused by default; the secret is shown once; the delivery log and re-send")
    func webhookPage() async throws {
        try await withTestApp(configure: { $0.alertInterval = 0 }) { fx, client in
            let admin = try await fx.session("admin")
            let unit = fx.units["DINKES-PKM-KTB"]!
            func create(_ url: String) async throws -> TestResponse {
                try await client.execute(uri: "/webhook", method: .post, headers: Req.headers(cookie: admin.cookie, csrf: admin.csrf, form: true),
                                         body: Req.form([("_csrf", admin.csrf), ("name", "SIK"), ("unit_id", "\(unit)"), ("url", url),
                                                         ("kinds", "case_overdue"), ("kinds", "compliance_below")]))
            }
            var r = try await create("http://169.254.169.254/latest/meta-data")
            #expect(r.status == .badRequest)
            #expect(String(buffer: r.body).contains("jaringan internal"))
            #expect(try await fx.store.webhooks().isEmpty)
            r = try await create("https://sik.example.org/pantau")
            #expect(r.status == .seeOther)
            let cookie = try #require(r.headers[values: .setCookie].first { $0.hasPrefix("pantau_reveal=") }.map { String($0.split(separator: ";")[0]) })
            #expect(cookie.hasPrefix("pantau_reveal=whsec_"))
            let hooks = try await fx.store.webhooks()
            #expect(hooks.count == 1 && hooks[0].kinds == [.caseOverdue, .complianceBelow])
            r = try await client.execute(uri: "/webhook", method: .get, headers: Req.headers(cookie: admin.cookie + "; " + cookie), body: nil)
            let shown = String(buffer: r.body)
            #expect(shown.contains(String(cookie.dropFirst("pantau_reveal=".count))))
            // Not in the database's audit trail, and not on the page again.
            r = try await client.execute(uri: "/webhook", method: .get, headers: Req.headers(cookie: admin.cookie), body: nil)
            #expect(!String(buffer: r.body).contains("whsec_"))

            // A delivery log with a failed delivery and its re-send.
            let sop = fx.sops["imunisasi"]!
            try await fx.store.createAlertRule(sopID: sop, AlertRuleInput(kind: .caseOverdue, factor: 100), by: .cli)
            let doc = try await fx.store.version(sopID: sop, version: 1).document
            try await isolateAnalysis(fx.store, sop, step: doc.steps[0].id)
            _ = try await fx.store.ingestEvents([EventInput(clientID: "tua", sopID: sop, caseReference: "IMN-TUA", activity: doc.steps[0].activity,
                                                            at: Date().addingTimeInterval(-300 * 86_400), unitCode: "DINKES-PKM-KTB")],
                                                scope: IngestScope(allowedUnits: nil, source: .api, receivedBy: "test"), by: .cli)
            #expect(try await fx.store.evaluateAlerts(now: Date()).deliveries == 1)
            let policy = WebhookRetryPolicy(base: 30, maxAttempts: 1)
            let job = try #require(try await fx.store.claimDueDeliveries(now: Date(), policy: policy).first)
            try await fx.store.recordDeliveryAttempt(job, at: Date(), statusCode: 503, error: "HTTP 503 <Service Unavailable>", policy: policy)
            r = try await client.execute(uri: "/webhook?id=\(hooks[0].id)", method: .get, headers: Req.headers(cookie: admin.cookie), body: nil)
            let logPage = String(buffer: r.body)
            #expect(r.status == .ok)
            #expect(logPage.contains("Log pengiriman") && logPage.contains("gagal") && logPage.contains("503"))
            #expect(logPage.contains("HTTP 503 &lt;Service Unavailable&gt;"))
            #expect(logPage.contains("Kirim ulang"))
            r = try await client.execute(uri: "/webhook/kirim-ulang", method: .post, headers: Req.headers(cookie: admin.cookie, csrf: admin.csrf, form: true),
                                         body: Req.form([("_csrf", admin.csrf), ("delivery_id", "\(job.deliveryID)")]))
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/webhook?id=\(hooks[0].id)")
            let log = try await fx.store.webhookDeliveries(webhookID: hooks[0].id)
            #expect(log.map(\.status) == [.pending, .failed] && log[0].resentFrom == job.deliveryID)
            r = try await client.execute(uri: "/webhook?id=999999", method: .get, headers: Req.headers(cookie: admin.cookie), body: nil)
            #expect(r.status == .notFound)
            r = try await client.execute(uri: "/webhook/nonaktifkan", method: .post, headers: Req.headers(cookie: admin.cookie, csrf: admin.csrf, form: true),
                                         body: Req.form([("_csrf", admin.csrf), ("webhook_id", "\(hooks[0].id)")]))
            #expect(r.status == .seeOther)
            #expect(try await fx.store.webhook(id: hooks[0].id).active == false)
        }
    }

    @Test("Alert texts: durations and messages in both languages")
    func alertTexts() async throws {
        let views = try await Views()
        let id = views.strings(.id), en = views.strings(.en)
        #expect(AlertText.duration(90_000, id) == "1 hari 1 jam")
        #expect(AlertText.duration(2_700, en) == "45 min")
        #expect(AlertText.duration(3_600 + 120, id) == "1 jam 2 menit")
        let a = AlertRecord(id: 1, ruleID: 1, sopID: 1, unitID: 1, caseID: nil, kind: .complianceBelow, condition: "period:2026-12",
                            raisedAt: Date(), arguments: ["2026-12", "40", "80", "10"])
        #expect(AlertText.message(a, id) == "Kepatuhan periode 2026-12: 40% dari 10 kasus selesai, di bawah ambang 80%.")
        #expect(AlertText.message(a, en) == "Compliance in 2026-12: 40% of 10 closed cases, below the threshold of 80%.")
    }
}
