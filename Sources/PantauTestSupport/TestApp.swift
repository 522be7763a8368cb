import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauWeb

/// The demo agency plus one account per role, for web tests.
public struct TestFixture: Sendable {
    public var store: PantauStore
    /// user name → id, for `admin`, `mgr` (Puskesmas), `mgrOther` (DPMPTSP), `eval`, `officer`, `auditor`,
    /// `auditorOther` (an auditor scoped to DPMPTSP).
    public var users: [String: Int64]
    public var units: [String: Int64]
    /// SOP ids by key: `imunisasi` (Puskesmas), `izin` (DPMPTSP), `ktp` (Disdukcapil).
    public var sops: [String: Int64]
    /// An API token scoped to Dinas Kesehatan, and its id.
    public var token: String
    public var tokenID: Int64
    /// The app's route table.
    public var routes: [RouteSpec] = []
    /// Survey ids by key: `imunisasi` (the demo SKM survey of the Puskesmas).
    public var surveys: [String: Int64] = [:]
    /// Public codes of those surveys (the form is at `/s/{code}`).
    public var surveyCodes: [String: String] = [:]
    /// A follow-up action (RTL) of the demo survey.
    public var followUpID: Int64 = 0
    /// A service case of the immunisation SOP at Puskesmas Ketabang (three events), by name.
    public var cases: [String: Int64] = [:]
    /// A finding of the immunisation SOP, its recommendation, a follow-up action owned by `officer`, an evidence file of the finding.
    public var findingID: Int64 = 0
    public var recommendationID: Int64 = 0
    public var actionID: Int64 = 0
    public var evidenceID: Int64 = 0
    /// Tabel 7 and Tabel 8 records of the immunisation SOP (current semester, current year): `monitoring`, `evaluation`.
    public var monevRecords: [String: Int64] = [:]
    /// Indicators by key: `imunisasi` (compliance of the immunisation SOP at the Puskesmas, quarterly).
    public var indicators: [String: Int64] = [:]

    /// A fresh session for a user: (cookie value, CSRF token).
    public func session(_ user: String) async throws -> (cookie: String, csrf: String) {
        let token = UUID().uuidString + UUID().uuidString
        let csrf = UUID().uuidString
        _ = try await store.createSession(userID: users[user]!, tokenHash: SessionTokens.hash(token), csrfToken: csrf, lifetime: 3600)
        return (token, csrf)
    }
}

public let testAdminPassword = "kata-sandi-uji-123"

/// Builds the app on a fresh database (SQLite or PostgreSQL), seeds the fixture and runs `body`
/// with a router test client (no sockets).
///
/// `configure` may change settings (e.g. the survey rate limit) before the app is built; by
/// default the public survey form's minimum fill time is 0 so tests need not wait.
public func withTestApp(_ engine: TestEngine = .sqlite, configure: @Sendable (inout AppConfig) -> Void = { _ in },
                        _ body: @escaping @Sendable (TestFixture, any TestClientProtocol) async throws -> Void) async throws {
    try await withTestDatabase(engine) { location in
        var config = AppConfig(host: "127.0.0.1", port: 0, database: location, adminPassword: testAdminPassword, logLevel: .warning)
        config.passwordCost = 4
        config.auditKey = testAuditKeySecret
        config.loginMaxFailures = 3
        config.surveyMinFillSeconds = 0
        config.liveStreamSeconds = 1
        // Tests read figures right after writing them: no refresh window.
        config.monitoringRefresh = 0
        configure(&config)
        let built = try await buildApplication(config: config)
        do {
            var fixture = try await seedFixture(built.services.store)
            fixture.routes = built.services.routes
            let fx = fixture
            try await built.application.test(.router) { client in
                try await body(fx, client)
            }
        } catch {
            // Close the database even when the test fails, so one failure is reported as such
            // instead of tripping the driver's "connection not closed" assertion.
            await built.services.store.shutdown()
            throw error
        }
        await built.services.store.shutdown()
    }
}

func seedFixture(_ store: PantauStore) async throws -> TestFixture {
    _ = try await DemoAgency.seed(into: store)
    var units: [String: Int64] = [:]
    for u in try await store.units() { units[u.code] = u.id }
    var users: [String: Int64] = [:]
    users["admin"] = try await store.credentials(username: "admin")!.0.id
    let hash = PasswordTools.hash("password-for-tests", cost: 4)
    let accounts: [(String, Role, String?)] = [
        ("mgr", .unitManager, "DINKES-PKM-KTB"), ("mgrOther", .unitManager, "DPMPTSP-PLY"), ("eval", .evaluator, "PEMKOT"),
        ("officer", .officer, "DINKES-PKM-KTB"), ("auditor", .auditor, nil),
        // An auditor (APIP) whose scope is DPMPTSP only.
        ("auditorOther", .auditor, "DPMPTSP"),
    ]
    for (name, role, unit) in accounts {
        let u = try await store.createUser(UserInput(username: name, displayName: name, role: role, unitID: unit.flatMap { units[$0] }),
                                           passwordHash: hash, by: .system)
        users[name] = u.id
    }
    var sops: [String: Int64] = [:]
    for s in try await store.sops(SOPQuery()).items {
        if s.title.contains("Imunisasi") { sops["imunisasi"] = s.id }
        if s.title.contains("Izin") { sops["izin"] = s.id }
        if s.title.contains("KTP") { sops["ktp"] = s.id }
    }
    let token = "pnt_test_" + UUID().uuidString
    let rec = try await store.createAPIToken(name: "sik-dinkes", prefix: String(token.prefix(10)), tokenHash: SessionTokens.hash(token),
                                             unitID: units["DINKES"]!, by: .system)
    var fixture = TestFixture(store: store, users: users, units: units, sops: sops, token: token, tokenID: rec.id)
    let imunisasi = try await store.version(sopID: sops["imunisasi"]!, version: 1).document
    let start = Date().addingTimeInterval(-7200)
    let events = imunisasi.steps.prefix(3).enumerated().map { i, step in
        EventInput(clientID: "fixture-\(i)", sopID: sops["imunisasi"]!, caseReference: "IMN-UJI-001", activity: step.activity,
                   at: start.addingTimeInterval(Double(i + 1) * 600), startedAt: start.addingTimeInterval(Double(i) * 600 + 60),
                   resource: "Bidan Uji", unitCode: "DINKES-PKM-KTB")
    }
    let outcomes = try await store.ingestEvents(Array(events), scope: IngestScope(allowedUnits: nil, source: .api, receivedBy: "fixture"), by: .system)
    if case let .stored(_, caseID)? = outcomes.first { fixture.cases["imunisasi"] = caseID }
    let today = CivilDate(Date())
    fixture.monevRecords["monitoring"] = try await store.createMonitoringRecord(
        sopID: sops["imunisasi"]!, period: SurveyPeriod(containing: today, kind: .semester), methods: [.observation], by: .system).id
    fixture.monevRecords["evaluation"] = try await store.createEvaluationRecord(
        sopID: sops["imunisasi"]!, period: SurveyPeriod(containing: today, kind: .year), by: .system).id
    let pkm = try await store.sop(id: sops["imunisasi"]!).unitID
    fixture.indicators["imunisasi"] = try await store.createIndicator(
        IndicatorInput(unitID: pkm, sopID: sops["imunisasi"]!, code: "IKU-1", name: "Kepatuhan SOP imunisasi", metric: .complianceShare,
                       unitOfMeasure: "%", direction: .higherIsBetter, periodKind: .quarter), by: .system).id
    for survey in try await store.surveys() where survey.name == DemoAgency.surveyName {
        fixture.surveys["imunisasi"] = survey.id
        fixture.surveyCodes["imunisasi"] = survey.code
        fixture.followUpID = try await store.surveyFollowUps(surveyID: survey.id).first?.id ?? 0
    }
    // A finding of the immunisation SOP with its recommendation, an action owned by the officer, an evidence file.
    let finding = try await store.createFinding(sopID: sops["imunisasi"]!, FindingInput(
        period: SurveyPeriod(containing: CivilDate(Date()), kind: .quarter).description, title: "Skrining dilewati", detail: "", severity: "high"), by: .system)
    fixture.findingID = finding.id
    fixture.recommendationID = try await store.recommendations(findingIDs: [finding.id]).first?.id ?? 0
    fixture.actionID = try await store.createFollowUpAction(recommendationID: fixture.recommendationID, FollowUpActionInput(
        title: "Pelatihan skrining", ownerID: "\(users["officer"]!)", dueDate: CivilDate(Date()).description), by: .system).id
    fixture.evidenceID = try await store.addEvidence(owner: .finding, ownerID: finding.id, name: "bukti.pdf", contentType: "application/pdf",
                                                     data: Array("%PDF-1.4 bukti".utf8), by: .system).id
    return fixture
}

/// Request helpers.
public enum Req {
    /// Headers for a signed-in user (session cookie + CSRF header), anonymous (double-submit CSRF
    /// pair) or an API token.
    public static func headers(cookie: String? = nil, csrf: String? = nil, bearer: String? = nil, form: Bool = false, json: Bool = false) -> HTTPFields {
        var h = HTTPFields()
        var cookies: [String] = []
        if let cookie { cookies.append("pantau_session=\(cookie)") }
        if cookie == nil, let csrf { cookies.append("pantau_csrf=\(csrf)") }
        if !cookies.isEmpty { h[.cookie] = cookies.joined(separator: "; ") }
        if let csrf { h[HTTPField.Name("X-CSRF-Token")!] = csrf }
        if let bearer { h[.authorization] = "Bearer \(bearer)" }
        if form { h[.contentType] = "application/x-www-form-urlencoded" }
        if json { h[.contentType] = "application/json" }
        return h
    }

    /// A URL-encoded form body.
    public static func form(_ pairs: [(String, String)]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let s = pairs.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
        return ByteBuffer(string: s)
    }
}
