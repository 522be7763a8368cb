import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
import PantauWeb
import Testing

/// Log lines captured from a ``JSONLogHandler``.
final class CapturedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    var objects: [[String: Any]] { all.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } }
    func with(message: String) -> [[String: Any]] { objects.filter { ($0["message"] as? String) == message } }
}

/// Prometheus text output as `name{labels}` → value.
func metricValues(_ text: String) -> [String: Double] {
    var out: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let v = Double(line[line.index(after: space)...]) else { continue }
        out[String(line[..<space])] = v
    }
    return out
}

/// The request log, JSON logs, logged refusals and the Prometheus names (issue 10 §5).
@Suite("Observability: request log, security events in the log, metrics")
struct ObservabilityTests {
    static let anonCSRF = "anonymous-csrf-token-0123456789"
    static let requestID = HTTPField.Name("X-Request-Id")!

    /// The app on a fresh SQLite database with its log captured as JSON lines (no fixture: the
    /// first admin, plus whatever the test adds).
    func withLoggedApp(requestLog: Bool = true, _ body: @escaping @Sendable (PantauStore, any TestClientProtocol, CapturedLines) async throws -> Void) async throws {
        try await withTestDatabase(.sqlite) { location in
            var config = AppConfig(host: "127.0.0.1", port: 0, database: location, adminPassword: testAdminPassword, logLevel: .info)
            config.passwordCost = 4
            config.auditKey = testAuditKeySecret
            config.loginMaxFailures = 2
            config.alertInterval = 0
            config.requestLog = requestLog
            let lines = CapturedLines()
            let logger = Logger(label: "pantau") { JSONLogHandler(label: $0, sink: { lines.append($0) }) }
            let built = try await buildApplication(config: config, logger: logger)
            do {
                try await built.application.test(.router) { client in try await body(built.services.store, client, lines) }
            } catch {
                await built.services.store.shutdown()
                throw error
            }
            await built.services.store.shutdown()
        }
    }

    func login(_ client: some TestClientProtocol, _ user: String, _ password: String) async throws -> TestResponse {
        try await client.post("/login", Req.headers(csrf: Self.anonCSRF, form: true),
                              Req.form([("_csrf", Self.anonCSRF), ("username", user), ("password", password)]))
    }

    @Test func everyRequestIsLoggedOnceWithoutQueryCookiesOrSecrets() async throws {
        try await withLoggedApp { _, client, lines in
            var h = HTTPFields()
            h[.cookie] = "pantau_session=cookie-value-never-logged; pantau_csrf=csrf-value-never-logged"
            let health = try await client.get("/health?token=query-value-never-logged", h)
            #expect(health.status == .ok)
            let id = try #require(health.headers[Self.requestID])
            #expect(id.count >= 16 && RequestIDShape.matches(id))
            let logged = lines.with(message: "GET /health 200")
            #expect(logged.count == 1)
            let line = try #require(logged.first)
            #expect(line["path"] as? String == "/health")
            #expect(line["status"] as? String == "200")
            #expect(line["method"] as? String == "GET")
            #expect(line["request_id"] as? String == id)
            #expect(line["level"] as? String == "info")
            #expect(Int(line["bytes"] as? String ?? "") == health.body.readableBytes)
            #expect(Double(line["duration_ms"] as? String ?? "") != nil)
            let ts = try #require(line["timestamp"] as? String)
            #expect(ts.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
            // A proxy's safe id is kept; anything else is replaced.
            var traced = HTTPFields()
            traced[Self.requestID] = "edge-7f3a9c.42"
            #expect(try await client.get("/health", traced).headers[Self.requestID] == "edge-7f3a9c.42")
            var forged = HTTPFields()
            forged[Self.requestID] = "x\" level=error msg=forged"
            let replaced = try #require(try await client.get("/health", forged).headers[Self.requestID])
            #expect(replaced != "x\" level=error msg=forged" && RequestIDShape.matches(replaced))
            var long = HTTPFields()
            long[Self.requestID] = String(repeating: "a", count: 65)
            #expect(try await client.get("/health", long).headers[Self.requestID]?.count != 65)
            // A page that is not found is logged too.
            #expect(try await client.get("/tidak-ada?x=1").status == .notFound)
            #expect(lines.objects.contains { $0["path"] as? String == "/tidak-ada" && $0["status"] as? String == "404" })
            let text = lines.all.joined(separator: "\n")
            for secret in ["query-value-never-logged", "cookie-value-never-logged", "csrf-value-never-logged", "token="] {
                #expect(!text.contains(secret), "\(secret) was logged")
            }
        }
    }

    @Test func theRequestLogCanBeTurnedOff() async throws {
        try await withLoggedApp(requestLog: false) { _, client, lines in
            let r = try await client.get("/health")
            #expect(r.status == .ok && r.headers[Self.requestID] != nil)
            #expect(lines.objects.allSatisfy { $0["path"] == nil }, "\(lines.all)")
        }
    }

    @Test func failedAndThrottledSignInsAreLoggedAndCountedWithoutThePassword() async throws {
        try await withLoggedApp { _, client, lines in
            let before = metricValues(try await client.get("/metrics").text)
            for _ in 0..<2 {
                #expect(try await login(client, "admin", "Tebakan-Salah-4711").status == .unprocessableContent)
            }
            #expect(try await login(client, "admin", "Tebakan-Salah-4712").status == .tooManyRequests)
            let failed = lines.with(message: "sign-in failed")
            #expect(failed.count == 2)
            #expect(failed.allSatisfy { $0["user"] as? String == "admin" && $0["level"] as? String == "notice" && $0["request_id"] != nil })
            let throttled = try #require(lines.with(message: "sign-in throttled").first)
            #expect(throttled["user"] as? String == "admin" && throttled["retry_after"] != nil)
            #expect(!lines.all.joined().contains("Tebakan-Salah"))

            let after = metricValues(try await client.get("/metrics").text)
            let bad = "pantau_failed_logins_total{reason=\"bad_credentials\"}", slow = "pantau_failed_logins_total{reason=\"throttled\"}"
            #expect(after[bad, default: 0] >= before[bad, default: 0] + 2)
            #expect(after[slow, default: 0] >= before[slow, default: 0] + 1)
        }
    }

    @Test func refusedTokensAndCSRFAreLoggedWithTheTokenIdButNeverTheToken() async throws {
        try await withLoggedApp { store, client, lines in
            _ = try await DemoAgency.seed(into: store)
            let unit = try #require(try await store.units().first).id
            let revoked = SessionTokens.newAPIToken(), live = SessionTokens.newAPIToken(), expired = SessionTokens.newAPIToken()
            let r = try await store.createAPIToken(name: "dicabut", prefix: String(revoked.prefix(10)), tokenHash: SessionTokens.hash(revoked),
                                                   unitID: unit, by: .system)
            try await store.revokeAPIToken(id: r.id, by: .system)
            let l = try await store.createAPIToken(name: "hidup", prefix: String(live.prefix(10)), tokenHash: SessionTokens.hash(live),
                                                   unitID: unit, readOnly: true, by: .system)
            let past = PantauStore(database: store.database, now: { Date().addingTimeInterval(-2 * 86_400) }, auditKey: store.auditKey)
            let e = try await past.createAPIToken(name: "kedaluwarsa", prefix: String(expired.prefix(10)), tokenHash: SessionTokens.hash(expired),
                                                  unitID: unit, expiresAt: Date().addingTimeInterval(-86_400), by: .system)
            let unknown = "pnt_" + String(repeating: "Q", count: 43)
            let before = metricValues(try await client.get("/metrics").text)

            for t in [unknown, revoked, expired] {
                #expect(try await client.get("/api/v1/sops", Req.headers(bearer: t)).status == .unauthorized)
            }
            // A live read-only token: a page (tokens are for the API) and a write are out of its scope.
            #expect(try await client.get("/sops", Req.headers(bearer: live)).status == .forbidden)
            #expect(try await client.get("/api/v1/sops", Req.headers(bearer: live)).status == .ok)

            let refused = lines.with(message: "API token refused")
            func reason(_ r: String) -> [[String: Any]] { refused.filter { $0["reason"] as? String == r } }
            #expect(reason("unknown").count == 1 && reason("unknown").first?["token_id"] == nil)
            #expect(reason("unknown").first?["token_length"] as? String == "\(unknown.count)")
            #expect(reason("revoked").first?["token_id"] as? String == "\(r.id)")
            #expect(reason("revoked").first?["token_prefix"] as? String == String(revoked.prefix(10)))
            #expect(reason("expired").first?["token_id"] as? String == "\(e.id)")
            #expect(reason("wrong_scope").first?["token_id"] as? String == "\(l.id)")
            #expect(refused.allSatisfy { $0["level"] as? String == "notice" && $0["request_id"] != nil })

            // A form post without the CSRF token: refused and logged as a warning.
            let noCSRF = try await client.post("/login", Req.headers(form: true), Req.form([("username", "admin"), ("password", "x")]))
            #expect(noCSRF.status == .forbidden)
            let csrf = try #require(lines.with(message: "CSRF token refused").first)
            #expect(csrf["level"] as? String == "warning" && csrf["path"] as? String == "/login")

            let text = lines.all.joined(separator: "\n")
            for t in [unknown, revoked, live, expired] { #expect(!text.contains(t)) }

            let after = metricValues(try await client.get("/metrics").text)
            for r in ["unknown", "revoked", "expired", "wrong_scope"] {
                let k = "pantau_api_token_refusals_total{reason=\"\(r)\"}"
                #expect(after[k, default: 0] >= before[k, default: 0] + 1, "\(k)")
            }
            #expect(after["pantau_csrf_refusals_total", default: 0] >= before["pantau_csrf_refusals_total", default: 0] + 1)
        }
    }

    @Test func metricNamesFollowPrometheusConventions() async throws {
        try await withLoggedApp { _, client, _ in
            _ = try await client.get("/health")
            let text = try await client.get("/metrics").text
            var types: [String: String] = [:]
            for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                types[String(parts[2])] = String(parts[3])
            }
            #expect(!types.isEmpty)
            for (name, type) in types {
                #expect(name.wholeMatch(of: /[a-z_][a-z0-9_]*/) != nil, "\(name)")
                #expect(!name.hasPrefix("hb_"), "\(name): Hummingbird's names are replaced")
                if type == "counter" { #expect(name.hasSuffix("_total"), "\(name) is a counter") }
                if type == "histogram" { #expect(name.hasSuffix("_seconds"), "\(name) is a histogram of durations") }
            }
            for name in ["pantau_events_ingested_total", "pantau_survey_submissions_total", "pantau_failed_logins_total",
                         "pantau_webhook_deliveries_total", "pantau_webhook_failures_total", "http_server_requests_total"] {
                #expect(types[name] == "counter", "\(name)")
            }
            #expect(types["pantau_analysis_lag_seconds"] == "gauge")
            #expect(types["http_server_request_duration_seconds"] == "histogram")
            #expect(types["http_server_active_requests"] == "gauge")
            // Routes are patterns, not paths; the count of /health answers is there.
            let values = metricValues(text)
            #expect(values["http_server_requests_total{method=\"GET\",route=\"/health\",status=\"200\"}", default: 0] >= 1)
            #expect(values.keys.contains { $0.hasPrefix("http_server_request_duration_seconds_bucket{method=\"GET\",route=\"/health\"") })
            #expect(text.contains("# HELP pantau_failed_logins_total "))
        }
    }

    @Test(arguments: TestEngine.all)
    func ingestedEventsAndSurveyAnswersAreCounted(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let doc = try await fx.store.version(sopID: sop, version: 1).document
            let before = metricValues(try await client.get("/metrics").text)
            let t0 = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3600))
            let body = """
            [{"event_id": "m-1", "sop_id": \(sop), "case": "IMN-MET-1", "activity": "\(doc.steps[0].activity)", "timestamp": "\(t0)"},
             {"event_id": "m-2", "sop_id": \(sop), "case": "IMN-MET-1", "activity": "\(doc.steps[1].activity)", "timestamp": "\(t0)"},
             {"event_id": "m-2", "sop_id": \(sop), "case": "IMN-MET-1", "activity": "\(doc.steps[1].activity)", "timestamp": "\(t0)"}]
            """
            let r = try await client.post("/api/v1/events", Req.headers(bearer: fx.token, json: true), ByteBuffer(string: body))
            #expect(r.status == .ok, "\(r.text)")
            let answer = #"{"answers": {"persyaratan": 4, "waktu": 2, "sarana": 3}, "channel": "kiosk"}"#
            let created = try await client.post("/api/v1/surveys/\(fx.surveys["imunisasi"]!)/responses", Req.headers(bearer: fx.token, json: true),
                                                ByteBuffer(string: answer))
            #expect(created.status == .created, "\(created.text)")
            var citizen = SurveyCitizen()
            let sent = try await citizen.fill(client, fx.surveyCodes["imunisasi"]!, surveyAnswers(4))
            #expect(sent.status == .seeOther, "\(sent.text.prefix(300))")
            let after = metricValues(try await client.get("/metrics").text)
            let events = "pantau_events_ingested_total{source=\"api\"}", surveys = "pantau_survey_submissions_total{channel=\"api\"}"
            // Two events stored (the third is a duplicate); other tests in this process may add more.
            #expect(after[events, default: 0] >= before[events, default: 0] + 2)
            #expect(after[surveys, default: 0] >= before[surveys, default: 0] + 1)
            let public_ = "pantau_survey_submissions_total{channel=\"public\"}"
            #expect(after[public_, default: 0] >= before[public_, default: 0] + 1)
            #expect(after["pantau_analysis_lag_seconds", default: 0] > 0)
        }
    }
}

/// The webhook counters, fed by the alert worker's delivery attempts.
@Suite("Observability: webhook metrics")
struct WebhookMetricsTests {
    @Test(arguments: TestEngine.all)
    func aFailedDeliveryIsCountedAsAnAttemptAndAFailure(_ engine: TestEngine) async throws {
        let router = Router()
        router.post("/hook") { _, _ -> Response in Response(status: .internalServerError) }
        let receiver = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await receiver.test(.live) { rc in
            let port = try #require(rc.port)
            try await withTestStore(engine) { store in
                let unit = try await store.createUnit(UnitInput(parentID: nil, code: "DPMPTSP", name: "DPMPTSP", level: .instansi), by: .cli)
                let sop = try await store.createSOP(unitID: unit.id, document: try AlertWebTests.permitSOP(), by: .cli)
                try await store.setActivityAlias(sopID: sop.id, activity: "metrics-test-\(UUID().uuidString)", stepID: "daftar", by: .cli)
                _ = try await store.createWebhook(unitID: unit.id, name: "penerima", url: "http://127.0.0.1:\(port)/hook",
                                                  kinds: [.caseOverdue], allowPrivate: true, by: .cli)
                try await store.createAlertRule(sopID: sop.id, AlertRuleInput(kind: .caseOverdue, factor: 1), by: .cli)
                let now = Date()
                _ = try await store.ingestEvents([EventInput(clientID: "m1", sopID: sop.id, caseReference: "REG-MET", activity: "Pendaftaran Permohonan",
                                                             at: now.addingTimeInterval(-200 * 86_400))],
                                                 scope: IngestScope(allowedUnits: nil, source: .api, receivedBy: "test"), by: .cli)
                let before = metricValues(PantauMetrics.registry.emitToString())
                let worker = AlertWorker(store: store, sender: WebhookSender(timeout: 10, allowPrivate: true))
                let round = await worker.runOnce(now: now)
                #expect(round.attempts == 1 && round.sent == 0)
                let after = metricValues(PantauMetrics.registry.emitToString())
                // Other tests in this process may send webhooks too: at least this attempt is counted.
                #expect(after["pantau_webhook_deliveries_total", default: 0] >= before["pantau_webhook_deliveries_total", default: 0] + 1)
                #expect(after["pantau_webhook_failures_total", default: 0] >= before["pantau_webhook_failures_total", default: 0] + 1)
            }
        }
    }
}

enum RequestIDShape {
    static func matches(_ s: String) -> Bool { s.wholeMatch(of: /[A-Za-z0-9._:\-]{1,64}/) != nil }
}

@Suite("Settings: secrets from files, log format")
struct SecretFileSettingTests {
    func tempFile(_ content: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pantau-secret-\(UUID().uuidString)").path
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aSecretFileGivesTheValueWithoutItsTrailingLineBreak() throws {
        let db = try tempFile("postgres://pantau:s3cret@db:5432/pantau?sslmode=disable\n")
        let pw = try tempFile("Kata-Sandi-Admin-2026\r\n")
        defer { try? FileManager.default.removeItem(atPath: db); try? FileManager.default.removeItem(atPath: pw) }
        let c = try AppConfig.fromEnvironment(["PANTAU_DATABASE_URL_FILE": db, "PANTAU_ADMIN_PASSWORD_FILE": pw, "PANTAU_AUDIT_KEY": String(repeating: "k", count: 32)])
        #expect(c.database.kind == .postgres)
        #expect("\(c.database)".contains("db"))
        #expect(c.adminPassword == "Kata-Sandi-Admin-2026")
        // Inner spaces and a value without a line break are kept as they are.
        let plain = try tempFile(" spaced pass ")
        defer { try? FileManager.default.removeItem(atPath: plain) }
        #expect(try AppConfig.resolveSecretFiles(["PANTAU_ADMIN_PASSWORD_FILE": plain])["PANTAU_ADMIN_PASSWORD"] == " spaced pass ")
    }

    @Test func bothTheValueAndItsFileIsAnError() throws {
        let db = try tempFile("pantau.sqlite\n")
        defer { try? FileManager.default.removeItem(atPath: db) }
        let e = #expect(throws: ConfigError.self) {
            try AppConfig.fromEnvironment(["PANTAU_DATABASE_URL": "other.sqlite", "PANTAU_DATABASE_URL_FILE": db])
        }
        #expect(e?.description == "PANTAU_DATABASE_URL and PANTAU_DATABASE_URL_FILE are both set: set only one of them")
        // A command-line value wins over the environment: the file is not even read.
        let c = try AppConfig.fromEnvironment(["PANTAU_DATABASE_URL_FILE": "/nonexistent/x"], overrides: ["PANTAU_DATABASE_URL": "cli.sqlite"])
        #expect("\(c.database)".contains("cli.sqlite"))
    }

    @Test func anUnreadableOrEmptyFileIsAnErrorNamingTheVariableAndPath() throws {
        let missing = "/run/secrets/pantau-tidak-ada-\(UUID().uuidString)"
        let e = #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["PANTAU_ADMIN_PASSWORD_FILE": missing]) }
        #expect(e?.description == "PANTAU_ADMIN_PASSWORD_FILE='\(missing)': cannot read the secret file (no such file)")
        let dir = FileManager.default.temporaryDirectory.path
        let d = #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["PANTAU_DATABASE_URL_FILE": dir]) }
        #expect(d?.description.hasPrefix("PANTAU_DATABASE_URL_FILE='\(dir)': cannot read the secret file") == true)
        let empty = try tempFile("\n")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let m = #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["PANTAU_ADMIN_PASSWORD_FILE": empty]) }
        #expect(m?.description == "PANTAU_ADMIN_PASSWORD_FILE='\(empty)': cannot read the secret file (the file is empty)")
    }

    @Test func logFormatAndRequestLogSettings() throws {
        let d = try AppConfig.fromEnvironment([:])
        #expect(d.logFormat == .text && d.requestLog)
        let j = try AppConfig.fromEnvironment(["PANTAU_LOG_FORMAT": "JSON", "PANTAU_REQUEST_LOG": "false"])
        #expect(j.logFormat == .json && !j.requestLog)
        let e = #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["PANTAU_LOG_FORMAT": "xml"]) }
        #expect(e?.description == "PANTAU_LOG_FORMAT='xml' is invalid: expected text or json")
    }
}

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    @Test func oneObjectPerLineWithFlattenedMetadataAndEscapes() throws {
        let lines = CapturedLines()
        var logger = Logger(label: "pantau.uji") { JSONLogHandler(label: $0, sink: { lines.append($0) }) }
        logger[metadataKey: "instance"] = "a"
        logger.notice("baris \"satu\"\nbaris dua\u{1}", metadata: ["user": "budi", "n": .stringConvertible(3),
                                                                    "list": ["x", "y"], "map": ["k": "v"], "level": "palsu"])
        logger.debug("not at info")
        #expect(lines.all.count == 1)
        let line = try #require(lines.all.first)
        #expect(!line.contains("\n"))
        let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(o["message"] as? String == "baris \"satu\"\nbaris dua\u{1}")
        #expect(o["level"] as? String == "notice")
        #expect(o["label"] as? String == "pantau.uji")
        #expect(o["source"] as? String == "PantauWebTests")
        #expect(o["user"] as? String == "budi" && o["n"] as? String == "3" && o["instance"] as? String == "a")
        #expect(o["list"] as? [String] == ["x", "y"])
        #expect((o["map"] as? [String: String]) == ["k": "v"])
        // Metadata cannot overwrite a fixed field.
        #expect(o["meta_level"] as? String == "palsu")
        let ts = try #require(o["timestamp"] as? String)
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let when = try #require(f.date(from: ts))
        #expect(abs(when.timeIntervalSinceNow) < 60 && ts.hasSuffix("Z"))
    }
}
