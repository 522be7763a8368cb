import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOCore
import PantauCore
import PantauReports
import PantauStore
import Prometheus
import ServiceLifecycle

/// Everything a handler needs: the store, the views and the settings.
public struct AppServices: Sendable {
    public let config: AppConfig
    public let store: PantauStore
    public let views: Views
    public let registry: PrometheusCollectorRegistry
    public let routes: [RouteSpec]
    public let logger: Logger
    /// Rendered public pages (see ``PageCache``).
    let pageCache = PageCache()
    /// Server secrets already read (they never change once created).
    let secretMemo = NIOLockedValueBox<[String: String]>([:])
    /// A bcrypt hash of a random string at the configured cost: checked for unknown user names so
    /// that timing does not reveal which names exist.
    let dummyHash: String
    /// Bumped when this instance stores events or hears of another instance's change (PostgreSQL
    /// LISTEN, ChangeListener.swift), so live monitoring pages refresh at once (pages also poll the
    /// store every 5 s as a safety net).
    let monitoringVersion = NIOLockedValueBox<Int>(0)
    /// Monitoring figures per SOP and filter (see ``RefreshingCache``).
    let monitoringCache = MonitoringFiguresCache()
    /// SKM results per survey and period (see ``RefreshingCache``).
    let surveyResultCache = RefreshingCache<SurveyResultKey, SKMResult>()
    /// Realised indicator values for the list, the dashboard and the API (see ``IndicatorCache``).
    let indicatorCache = IndicatorCache()
    /// Group commit of `POST /api/v1/events` (see ``EventIngestQueue``), made on first use.
    private let eventQueueBox = NIOLockedValueBox<EventIngestQueue?>(nil)

    var eventQueue: EventIngestQueue {
        eventQueueBox.withLockedValue { box in
            if let q = box { return q }
            let q = EventIngestQueue(store: store, concurrency: store.database.kind == .sqlite ? 1 : 4)
            box = q
            return q
        }
    }
}

extension AppServices {
    func monitoringChanged() { monitoringVersion.withLockedValue { $0 &+= 1 } }
    /// The counter background workers wait on (ChangeListener.swift): moves with every change this
    /// instance makes or hears of.
    var wakeCounter: @Sendable () -> Int { { [monitoringVersion] in monitoringVersion.withLockedValue { $0 } } }

    /// A server secret by name, read from the database once per process.
    func secret(named name: String) async throws -> String {
        if let v = secretMemo.withLockedValue({ $0[name] }) { return v }
        let v = try await store.appSecret(named: name)
        secretMemo.withLockedValue { $0[name] = v }
        return v
    }
}

/// Closes the database when the application stops.
struct StoreService: Service {
    let store: PantauStore
    func run() async throws {
        try? await gracefulShutdown()
        await store.shutdown()
    }
}

/// What `buildApplication` returns: the app to run, plus its services for tests and the CLI.
public struct BuiltApplication: Sendable {
    public let application: Application<RouterResponder<PantauRequestContext>>
    public let services: AppServices
    /// Set when a first admin was created with a generated password (print it once).
    public let bootstrapPassword: String?
}

private let metricsBootstrapped = NIOLockedValueBox(false)
private let sharedRegistry = PantauMetrics.registry

/// Builds the whole web application from a configuration: opens (and migrates) the store,
/// creates the first admin on an empty database, loads the demo when asked, and wires routes.
public func buildApplication(config: AppConfig, logger: Logger? = nil) async throws -> BuiltApplication {
    var logger = logger ?? Logger(label: "pantau")
    logger.logLevel = config.logLevel
    // A write past a file size limit (`ulimit -f`, systemd `LimitFSIZE=`) fails with EFBIG and is
    // answered as a full disk (507, Errors.swift) instead of SIGXFSZ killing the process mid-request
    // (PostgreSQL's postmaster ignores SIGXFSZ for the same reason). See docs/operations.md#faults.
    signal(SIGXFSZ, SIG_IGN)
    // PostgreSQL migrates only when asked (PANTAU_AUTO_MIGRATE=true); SQLite always migrates itself.
    let migrate = config.autoMigrate || config.database.kind == .sqlite
    let auditKey = try AuditKey.resolve(file: config.auditKeyFile, secret: config.auditKey, database: config.database)
    let store = try await PantauStore.open(config.database, migrate: migrate, auditKey: auditKey.key,
                                           newKeyFile: auditKey.createdFile, logger: logger)
    do {
        let pending = try await Migrator(database: store.database).pending()
        if !pending.isEmpty { throw MigrationError.schemaBehind(pending: pending.map(\.number)) }
        let password = try await bootstrapAdmin(store: store, config: config, logger: logger)
        if config.demo {
            let r = try await DemoAgency.seed(into: store, by: .system)
            if r.units + r.sops > 0 { logger.info("demo agency loaded: \(r.units) units, \(r.sops) SOPs") }
            let c = try await DemoCases.seed(into: store, by: .system)
            if c.cases > 0 { logger.info("demo cases loaded: \(c.cases) cases, \(c.events) events") }
            let i = try await DemoIndicators.seed(into: store, by: .system)
            if i > 0 { logger.info("demo indicators loaded: \(i)") }
        }
        let views = try await Views()
        let first = metricsBootstrapped.withLockedValue { v -> Bool in
            defer { v = true }
            return !v
        }
        if first { MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: sharedRegistry)) }

        let router = Router(context: PantauRequestContext.self)
        // Outermost first: security headers also cover error pages; metrics see final statuses.
        router.add(middleware: RequestLogMiddleware(logger: logger, enabled: config.requestLog))
        router.add(middleware: SecurityHeadersMiddleware(strictTransportSecurity: config.secureCookies))
        router.add(middleware: HTTPMetricsMiddleware(registry: sharedRegistry))
        router.add(middleware: ErrorMiddleware(views: views))
        let registrar = RouteRegistrar(router: router)
        let dummy = try await Secrets.hashPassword(Secrets.randomToken(), cost: config.passwordCost)
        var services = AppServices(config: config, store: store, views: views, registry: sharedRegistry, routes: [], logger: logger, dummyHash: dummy)
        router.add(middleware: IdentityMiddleware(services: services))
        // Errors of handlers are answered here, with the caller known, so an error page keeps the
        // signed-in layout and language; the outer ErrorMiddleware answers the identity check's own.
        router.add(middleware: ErrorMiddleware(views: views))
        router.add(middleware: RefusalLogMiddleware(logger: logger))
        let openAPI = NIOLockedValueBox<[UInt8]>([])
        registerRoutes(registrar, services) {
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: openAPI.withLockedValue { $0 })))
        }
        // The routes hold this copy: its counters are the ones live pages and workers watch.
        let routed = services
        services = AppServices(config: config, store: store, views: views, registry: sharedRegistry, routes: registrar.specs, logger: logger, dummyHash: dummy)
        let doc = try APIJSON.encoder.encode(OpenAPIDocument.build(routes: registrar.specs))
        openAPI.withLockedValue { $0 = Array(doc) }

        let app = Application(
            router: router,
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "Pantau"),
            services: [StoreService(store: store)] + alertWorker(store, config, logger, wake: routed.wakeCounter)
                + backgroundServices(routed, config, logger),
            logger: logger)
        return BuiltApplication(application: app, services: services, bootstrapPassword: password)
    } catch {
        await store.shutdown()
        throw error
    }
}

/// The alert worker of this instance, unless turned off (`PANTAU_ALERT_INTERVAL=0`).
func alertWorker(_ store: PantauStore, _ config: AppConfig, _ logger: Logger, wake: (@Sendable () -> Int)? = nil) -> [any Service] {
    guard config.alertInterval > 0 else { return [] }
    var w = AlertWorker(store: store, sender: WebhookSender(allowPrivate: config.webhookAllowPrivate),
                        interval: .milliseconds(Int64(config.alertInterval * 1000)),
                        policy: WebhookRetryPolicy(lease: config.workerLease), logger: logger)
    w.wake = wake
    return [w]
}

/// The job worker (unless turned off, `PANTAU_JOB_INTERVAL=0`), and on PostgreSQL the change listener (other instances' writes wake this one's
/// live pages and workers at once). See ChangeListener.swift.
func backgroundServices(_ s: AppServices, _ config: AppConfig, _ logger: Logger) -> [any Service] {
    var out: [any Service] = []
    if config.jobInterval > 0 {
        out.append(JobWorker(store: s.store, worker: JobWorker.defaultName(), interval: .milliseconds(Int64(config.jobInterval * 1000)),
                             policy: JobPolicy(lease: config.workerLease), wake: s.wakeCounter, logger: logger))
    }
    if s.store.database.kind == .postgres {
        out.append(ChangeListener(store: s.store, changed: { _ in s.monitoringChanged() }, logger: logger))
    }
    return out
}

/// On an empty database: creates `admin` with `PANTAU_ADMIN_PASSWORD` or a one-time password
/// (which must be changed at first login) and returns the generated password.
func bootstrapAdmin(store: PantauStore, config: AppConfig, logger: Logger) async throws -> String? {
    guard try await store.userCount() == 0 else { return nil }
    let generated = config.adminPassword == nil
    let pw = config.adminPassword ?? Secrets.oneTimePassword()
    if let given = config.adminPassword, Secrets.passwordProblem(given, username: "admin") != nil {
        throw ConfigError.invalid(name: "PANTAU_ADMIN_PASSWORD", value: "(hidden)",
                                  expected: "a password of at least 10 characters and at most 72 bytes, not containing the user name")
    }
    try await store.createUser(UserInput(username: "admin", displayName: "Administrator", role: .admin, unitID: nil),
                               passwordHash: try await Secrets.hashPassword(pw, cost: config.passwordCost), mustChangePassword: generated, by: .system)
    return generated ? pw : nil
}

/// Adds security headers to every response.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = PantauRequestContext
    /// Served over HTTPS (secure cookies): browsers are told to use HTTPS only, for a year.
    var strictTransportSecurity = false
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var r = try await next(request, context)
        r.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        r.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        r.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        r.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        if r.headers[.cacheControl] == nil { r.headers[.cacheControl] = "no-store" }
        if strictTransportSecurity { r.headers[HTTPField.Name("Strict-Transport-Security")!] = "max-age=31536000; includeSubDomains" }
        return r
    }
}

/// Finds who is asking (session cookie or `Authorization: Bearer` API token), the language and
/// the CSRF token; sets the cookies that need setting on the way out.
struct IdentityMiddleware: RouterMiddleware {
    typealias Context = PantauRequestContext
    let services: AppServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var ctx = context
        let store = services.store
        if let auth = request.headers[.authorization], auth.lowercased().hasPrefix("bearer ") {
            let token = String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            guard let rec = try await store.apiToken(hash: Secrets.sha256(token)) else {
                throw await APITokenRefusal.refuse(token, services: services, request: request, context: context)
            }
            ctx.identity = .token(rec)
            do {
                try await store.touchAPIToken(rec)
            } catch let e as DatabaseError {
                // The last-use stamp is bookkeeping: a full disk refuses the writes, not the reads.
                guard case .storageFull = e else { throw e }
                services.logger.warning("API token \(rec.id): last use not recorded: \(e)")
            }
        } else if let cookie = request.cookies[CookieName.session]?.value, !cookie.isEmpty,
                  let (session, user) = try await store.session(tokenHash: Secrets.sha256(cookie)) {
            ctx.identity = .user(user)
            ctx.session = session
            ctx.csrfToken = session.csrfToken
            ctx.language = user.language
            // Pages (a browser asks for HTML) show the unread count in the header; scripts,
            // stylesheets and live streams do not ask for HTML and skip the query.
            if request.method == .get, request.headers[.accept]?.contains("text/html") == true {
                ctx.unread = try await store.unreadCount(userID: user.id)
            }
        }
        if ctx.session == nil {
            // Anonymous forms (login, public survey) use a double-submit cookie.
            if let c = request.cookies[CookieName.csrf]?.value, c.count >= 20 {
                ctx.csrfToken = c
            } else {
                let c = Secrets.randomToken()
                ctx.csrfToken = c
                ctx.newCSRFCookie = c
            }
        }
        var setLang: Language?
        if let q = request.uri.queryParameters.get("lang"), let l = Language(rawValue: q) {
            ctx.language = l
            setLang = l
        } else if let c = request.cookies[CookieName.language]?.value, let l = Language(rawValue: c) {
            ctx.language = l
        }
        if let f = request.cookies[CookieName.flash]?.value, !f.isEmpty {
            ctx.flash = f.removingPercentEncoding
        }
        var response = try await next(request, ctx)
        let secure = services.config.secureCookies
        if let c = ctx.newCSRFCookie {
            response.setCookie(Cookie(name: CookieName.csrf, value: c, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        }
        if let l = setLang {
            response.setCookie(Cookie(name: CookieName.language, value: l.rawValue, maxAge: 365 * 86400, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        }
        if ctx.flash != nil && response.headers[.setCookie]?.contains(CookieName.flash) != true {
            response.setCookie(Cookie(name: CookieName.flash, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        }
        return response
    }
}

extension Response {
    /// Redirects with a one-time notice shown on the next page.
    static func seeOther(_ url: SiteURL, flash: String, secure: Bool) -> Response {
        seeOther(url.path, flash: flash, secure: secure)
    }

    static func seeOther(_ location: String, flash: String, secure: Bool) -> Response {
        var r = Response.seeOther(location)
        let v = flash.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        r.setCookie(Cookie(name: CookieName.flash, value: v, maxAge: 60, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        return r
    }
}

import NIOConcurrencyHelpers
