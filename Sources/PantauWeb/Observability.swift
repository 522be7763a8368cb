import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import PantauStore
import Prometheus

// The request log, the HTTP and domain metrics, and the logging of refused requests
// (docs/operations.md: "Logs" and "Metrics").

/// Pantau's Prometheus metrics. Names follow Prometheus conventions: a `pantau_` (domain) or
/// `http_server_` (HTTP) prefix, base units (`_seconds`), `_total` on counters. They are kept per
/// process: with several instances, sum them in Prometheus.
public enum PantauMetrics {
    /// The registry `/metrics` prints (one per process).
    public static let registry = PrometheusCollectorRegistry()

    /// Where stored events came from.
    public enum EventSource: String, Sendable, CaseIterable {
        /// `POST /api/v1/events`.
        case api
        /// An event log file (XES, CSV) imported on the import page.
        case `import`
        /// Observations recorded on the observation page.
        case observation
    }

    /// How a survey answer arrived.
    public enum SurveySource: String, Sendable, CaseIterable {
        /// The public form `/s/{code}`.
        case `public`
        /// `POST /api/v1/surveys/{id}/responses` (kiosks, other applications).
        case api
        /// Paper answers imported from a file.
        case `import`
    }

    /// Why a sign-in was refused. Unknown user names and wrong passwords are one reason: the
    /// metric is public, and telling them apart would reveal which user names exist.
    public enum LoginFailure: String, Sendable, CaseIterable {
        case badCredentials = "bad_credentials"
        /// Too many failures: the attempt was not checked (429, `Retry-After`).
        case throttled
    }

    /// Why an API token was refused.
    public enum TokenRefusal: String, Sendable, CaseIterable {
        /// No token with this value (mistyped, forged, or deleted).
        case unknown
        case expired
        case revoked
        /// A live token used outside what it may do (a page, a write with a read-only token, a
        /// route or unit outside its scope): 403.
        case wrongScope = "wrong_scope"
    }

    static func counter(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "pantau", metricName: name, unitName: "total", helpText: help),
                             labels: labels)
    }

    static let eventsHelp = "Service events stored (duplicates and rejected events not counted), by source."
    static let surveysHelp = "Survey answers stored, by channel."
    static let loginsHelp = "Refused sign-ins, by reason."
    static let tokensHelp = "Requests refused because of their API token, by reason."
    static let csrfHelp = "Form posts refused because their CSRF token was missing or wrong."
    static let deliveriesHelp = "Webhook delivery attempts made by this instance (each retry counts)."
    static let webhookFailuresHelp = "Webhook delivery attempts that failed (no answer, or not 2xx)."

    public static func eventsIngested(_ n: Int, source: EventSource) {
        guard n > 0 else { return }
        counter("events_ingested", eventsHelp, [("source", source.rawValue)]).increment(by: Int64(n))
    }

    /// Counts the events stored by one ingestion call and records the analysis lag: ingestion
    /// analyses the touched cases in the same transaction, so when the call returns, the newest
    /// event received is analysed; the lag is the time that took.
    public static func ingesting(_ source: EventSource, _ body: () async throws -> [EventOutcome]) async rethrows -> [EventOutcome] {
        let start = ContinuousClock.now
        let outcomes = try await body()
        let stored = outcomes.count(where: { if case .stored = $0 { return true } else { return false } })
        eventsIngested(stored, source: source)
        if stored > 0 { analysisLag(since: start) }
        return outcomes
    }

    public static func surveySubmitted(_ n: Int = 1, source: SurveySource) {
        guard n > 0 else { return }
        counter("survey_submissions", surveysHelp, [("channel", source.rawValue)]).increment(by: Int64(n))
    }

    public static func failedLogin(_ reason: LoginFailure) {
        counter("failed_logins", loginsHelp, [("reason", reason.rawValue)]).increment()
    }

    public static func tokenRefused(_ reason: TokenRefusal) {
        counter("api_token_refusals", tokensHelp, [("reason", reason.rawValue)]).increment()
    }

    public static func csrfRefused() { counter("csrf_refusals", csrfHelp).increment() }

    /// One webhook delivery attempt and whether it failed.
    public static func webhookAttempt(failed: Bool) {
        counter("webhook_deliveries", deliveriesHelp).increment()
        if failed { counter("webhook_failures", webhookFailuresHelp).increment() }
    }

    static let lagGauge = registry.makeGauge(descriptor: MetricNameDescriptor(
        namespace: "pantau", metricName: "analysis_lag", unitName: "seconds",
        helpText: "Seconds between receiving the newest stored events and their cases' analysis being committed (last ingestion on this instance; 0 before any)."))

    public static func analysisLag(since start: ContinuousClock.Instant) {
        let d = ContinuousClock.now - start
        lagGauge.set(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    /// Registers every series with its known labels at 0, so dashboards and alert rules see them
    /// before the first event (Prometheus `rate()` needs a series to exist).
    static func prepare() {
        for s in EventSource.allCases { counter("events_ingested", eventsHelp, [("source", s.rawValue)]).increment(by: Int64(0)) }
        for s in SurveySource.allCases { counter("survey_submissions", surveysHelp, [("channel", s.rawValue)]).increment(by: Int64(0)) }
        for r in LoginFailure.allCases { counter("failed_logins", loginsHelp, [("reason", r.rawValue)]).increment(by: Int64(0)) }
        for r in TokenRefusal.allCases { counter("api_token_refusals", tokensHelp, [("reason", r.rawValue)]).increment(by: Int64(0)) }
        counter("csrf_refusals", csrfHelp).increment(by: Int64(0))
        counter("webhook_deliveries", deliveriesHelp).increment(by: Int64(0))
        counter("webhook_failures", webhookFailuresHelp).increment(by: Int64(0))
        lagGauge.increment(by: 0)
    }
}

/// Request counts and durations per route, by Prometheus conventions (it replaces Hummingbird's
/// `MetricsMiddleware`, whose names `hb_requests` and `http_server_request_duration` lack the
/// `_total` and `_seconds` suffixes):
///
/// - `http_server_requests_total{method,route,status}`
/// - `http_server_request_duration_seconds{method,route,status}` (histogram; until the body is written)
/// - `http_server_active_requests` (gauge)
///
/// `route` is the route pattern (`/sops/{id}`), never the requested path, so the number of series
/// stays bounded; requests that match no route are counted under `route="none"`.
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = PantauRequestContext
    let registry: PrometheusCollectorRegistry
    let active: Gauge
    /// The counter and histogram of each method, route and status, made once (the registry
    /// validates names and labels on every lookup).
    let series = NIOLockedValueBox<[SeriesKey: (Counter, DurationHistogram)]>([:])

    struct SeriesKey: Hashable {
        let method: String, route: String, status: Int
    }

    static let buckets: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                      .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10)]

    init(registry: PrometheusCollectorRegistry = PantauMetrics.registry) {
        self.registry = registry
        active = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "http", subsystem: "server", metricName: "active",
                                                                     unitName: "requests", helpText: "Requests being answered now."))
        PantauMetrics.prepare()
    }

    func record(_ request: Request, _ context: Context, status: HTTPResponse.Status, start: ContinuousClock.Instant) {
        let key = SeriesKey(method: request.method.rawValue, route: context.endpointPath ?? "none", status: status.code)
        let (counter, histogram) = series.withLockedValue { cache in
            if let s = cache[key] { return s }
            let labels = [("method", key.method), ("route", key.route), ("status", String(key.status))]
            let s = (registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "http", subsystem: "server", metricName: "requests", unitName: "total",
                                                                           helpText: "HTTP requests answered, by method, route pattern and status."),
                                          labels: labels),
                     registry.makeDurationHistogram(descriptor: MetricNameDescriptor(namespace: "http", subsystem: "server", metricName: "request_duration",
                                                                                     unitName: "seconds", helpText: "Time to answer a request, body included."),
                                                    labels: labels, buckets: Self.buckets))
            cache[key] = s
            return s
        }
        counter.increment()
        histogram.record(ContinuousClock.now - start)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        active.increment()
        do {
            var response = try await next(request, context)
            let status = response.status
            response.body = response.body.afterWrite {
                record(request, context, status: status, start: start)
                active.decrement()
            }
            return response
        } catch {
            record(request, context, status: (error as? any HTTPResponseError)?.status ?? .internalServerError, start: start)
            active.decrement()
            throw error
        }
    }
}

/// One log line per request at `info` (`PANTAU_REQUEST_LOG=false` turns it off): method, path
/// (never the query string, which may carry tokens), status, duration in ms, response bytes when
/// known, and the request id. The id is returned as `X-Request-Id`: an incoming `X-Request-Id`
/// (from a proxy) is kept when it is a short safe token, otherwise a new one is made. Cookies,
/// `Authorization` and bodies are never logged.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = PantauRequestContext
    let logger: Logger
    let enabled: Bool

    static let header = HTTPField.Name("X-Request-Id")!

    /// An incoming id is kept when it is 1-64 characters of letters, digits, `-`, `_`, `.` and `:`
    /// (a UUID, a hex trace id, nginx's `$request_id`); anything else could forge log lines.
    static func acceptable(_ id: String) -> Bool {
        guard (1...64).contains(id.utf8.count) else { return false }
        return id.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E || c == 0x3A
        }
    }

    static func requestID(_ request: Request) -> String {
        if let given = request.headers[header], acceptable(given) { return given }
        return Secrets.randomToken(bytes: 12)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let id = Self.requestID(request)
        var ctx = context
        ctx.logger[metadataKey: "request_id"] = .string(id)
        do {
            var response = try await next(request, ctx)
            response.headers[Self.header] = id
            if enabled {
                let status = response.status, bytes = response.body.contentLength
                response.body = response.body.afterWrite {
                    log(request, status: status, bytes: bytes, id: id, start: start)
                }
            }
            return response
        } catch {
            if enabled { log(request, status: (error as? any HTTPResponseError)?.status ?? .internalServerError, bytes: nil, id: id, start: start) }
            throw error
        }
    }

    func log(_ request: Request, status: HTTPResponse.Status, bytes: Int?, id: String, start: ContinuousClock.Instant) {
        let d = ContinuousClock.now - start
        let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        let path = Self.loggablePath(request.uri.path)
        var meta: Logger.Metadata = [
            "method": .string(request.method.rawValue), "path": .string(path), "status": .stringConvertible(status.code),
            "duration_ms": .string(String(format: "%.1f", ms)), "request_id": .string(id),
        ]
        if let bytes { meta["bytes"] = .stringConvertible(bytes) }
        logger.info("\(request.method.rawValue) \(path) \(status.code)", metadata: meta)
    }

    /// The path as logged: at most 300 characters (a path is the client's text).
    static func loggablePath(_ path: String) -> String {
        path.count <= 300 ? path : String(path.prefix(300)) + "…"
    }
}

/// Logs requests refused by the route guard or a handler because of who sent them: CSRF
/// failures (`warning`, with the user name when signed in) and live API tokens used outside
/// their scope (`notice`, with the token's id and display prefix). Runs inside the identity
/// middleware, so the caller is known; the error is passed on unchanged.
struct RefusalLogMiddleware: RouterMiddleware {
    typealias Context = PantauRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as AppError {
            var meta: Logger.Metadata = ["method": .string(request.method.rawValue), "path": .string(RequestLogMiddleware.loggablePath(request.uri.path))]
            if let id = context.logger[metadataKey: "request_id"] { meta["request_id"] = id }
            switch (e, context.identity) {
            case (.csrf, let who):
                switch who {
                case let .user(u)?: meta["user"] = .string(u.username)
                case let .token(t)?: meta["token_id"] = .stringConvertible(t.id)
                case nil: meta["user"] = "(not signed in)"
                }
                PantauMetrics.csrfRefused()
                logger.warning("CSRF token refused", metadata: meta)
            case (.forbidden, let .token(t)?):
                meta["token_id"] = .stringConvertible(t.id)
                meta["token_prefix"] = .string(t.prefix)
                meta["reason"] = .string(PantauMetrics.TokenRefusal.wrongScope.rawValue)
                PantauMetrics.tokenRefused(.wrongScope)
                logger.notice("API token refused", metadata: meta)
            default: break
            }
            throw e
        }
    }
}

/// An `Authorization: Bearer` token that matches no live token: why (unknown, expired, revoked),
/// logged at `notice` with the token's id and the display prefix the token pages show. The
/// presented value is never logged; for an unknown token only its length is. Expired and
/// revoked tokens are recognised by that prefix (`pnt_` and six random characters).
enum APITokenRefusal {
    static func refuse(_ token: String, services s: AppServices, request: Request, context: PantauRequestContext) async -> AppError {
        var reason = PantauMetrics.TokenRefusal.unknown
        var meta: Logger.Metadata = ["path": .string(RequestLogMiddleware.loggablePath(request.uri.path))]
        if let id = context.logger[metadataKey: "request_id"] { meta["request_id"] = id }
        if token.hasPrefix("pnt_"), token.count >= 20, token.count <= 100,
           let match = (try? await s.store.apiTokens())?.last(where: { $0.prefix == String(token.prefix(10)) }) {
            let now = Date()
            if match.revokedAt != nil { reason = .revoked }
            else if let exp = match.expiresAt, exp <= now { reason = .expired }
            if reason != .unknown {
                meta["token_id"] = .stringConvertible(match.id)
                meta["token_prefix"] = .string(match.prefix)
            }
        }
        if reason == .unknown { meta["token_length"] = .stringConvertible(token.count) }
        meta["reason"] = .string(reason.rawValue)
        PantauMetrics.tokenRefused(reason)
        s.logger.notice("API token refused", metadata: meta)
        return .unauthorized
    }
}

extension ResponseBody {
    /// This body, calling `done` once it has been written (or its writing failed): what
    /// Hummingbird's own `withPostWriteClosure` does, which is not public.
    func afterWrite(_ done: @escaping @Sendable () async -> Void) -> ResponseBody {
        let body = self
        return ResponseBody(contentLength: body.contentLength) { writer in
            do {
                try await body.write(writer)
                await done()
            } catch {
                await done()
                throw error
            }
        }
    }
}
