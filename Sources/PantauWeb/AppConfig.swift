import Configuration
import Foundation
import Logging
import PantauStore

/// Pantau's settings, read once at start-up from environment variables (and command-line
/// overrides) into typed values. See the configuration table in README.md.
public struct AppConfig: Sendable {
    public var host: String
    public var port: Int
    public var database: DatabaseLocation
    /// Password for the first admin (otherwise a one-time password is generated and printed).
    public var adminPassword: String?
    /// Load the demo agency on start.
    public var demo: Bool
    /// Apply pending migrations on `serve` (always true for SQLite). From the environment
    /// (`PANTAU_AUTO_MIGRATE`) the default is false on PostgreSQL: run `pantau migrate` there.
    public var autoMigrate: Bool
    /// Mark cookies `Secure` (set when served behind HTTPS).
    public var secureCookies: Bool
    public var sessionLifetime: TimeInterval
    /// Failed sign-ins allowed per account and client before each further one waits (four times
    /// as many per client across accounts); `PANTAU_LOGIN_MAX_FAILURES`.
    public var loginMaxFailures: Int
    /// The longest wait between sign-in attempts after repeated failures, in seconds.
    public var loginWindow: TimeInterval
    public var logLevel: Logger.Level
    /// Public base URL used in links printed outside the browser (e.g. QR codes), no trailing slash.
    public var publicBaseURL: String
    /// Whether `publicBaseURL` was configured (`PANTAU_PUBLIC_URL`); when not, links printed on
    /// posters and QR codes point at the listening address and the survey pages warn about it.
    public var publicURLConfigured: Bool = false
    /// bcrypt cost for new password hashes (12 in production; tests may lower it).
    public var passwordCost: UInt8 = 12
    /// Public survey form: submissions accepted per client (IP address) within `surveyRateWindow`
    /// seconds, counted in the database so every instance shares them (`PANTAU_SURVEY_RATE_LIMIT`).
    public var surveyRateLimit: Int = 30
    /// Window of the survey rate limit in seconds (`PANTAU_SURVEY_RATE_WINDOW`).
    public var surveyRateWindow: TimeInterval = 900
    /// Seconds a person needs at least between opening and sending the public survey form; faster
    /// submissions are treated as automated (`PANTAU_SURVEY_MIN_FILL_SECONDS`).
    public var surveyMinFillSeconds: Double = 5
    /// Take the client address from the last `X-Forwarded-For` entry, for the survey rate limit.
    /// Set only when Pantau runs behind a reverse proxy that sets it (`PANTAU_TRUST_FORWARDED_FOR`).
    public var trustForwardedFor: Bool = false
    /// Two-person rule for SOPs (`PANTAU_SOP_TWO_PERSON_RULE`): the person who wrote a version may
    /// not approve it. Off by default (small units often have one approver who also writes).
    public var sopTwoPersonRule: Bool = false
    /// How long one live-update stream of a monitoring page stays open, in seconds; the browser
    /// reconnects by itself, so proxies and idle connections never hold a stream for long
    /// (`PANTAU_LIVE_STREAM_SECONDS`).
    public var liveStreamSeconds: Int = 300
    /// File holding the key of the audit chain's HMAC (`PANTAU_AUDIT_KEY_FILE`, e.g. a container secret).
    public var auditKeyFile: String? = nil
    /// The audit key itself (`PANTAU_AUDIT_KEY`, at least 32 characters). With neither setting, a
    /// SQLite database gets a key file beside it (`<database>.audit-key`); PostgreSQL refuses to start.
    public var auditKey: String? = nil
    /// Webhooks may target loopback, link-local and private addresses (`PANTAU_WEBHOOK_ALLOW_PRIVATE`):
    /// off by default, since such targets let webhook settings reach internal services (SSRF).
    public var webhookAllowPrivate: Bool = false
    /// Seconds between rounds of the alert worker (evaluate rules, send due webhooks) on this
    /// instance (`PANTAU_ALERT_INTERVAL`, default 5); 0 turns the worker off here.
    public var alertInterval: TimeInterval = 5
    /// Seconds between rounds of the job worker (re-checks of an SOP's cases, see Store+Jobs.swift)
    /// on this instance when nothing wakes it sooner (`PANTAU_JOB_INTERVAL`, default 5); 0 runs no
    /// job worker here, for an instance that only serves pages while others run the jobs.
    public var jobInterval: TimeInterval = 5
    /// One log line per request at `info` (`PANTAU_REQUEST_LOG`, default true).
    public var requestLog: Bool = true
    /// `text` (default) or `json`, one object per line (`PANTAU_LOG_FORMAT`); applied by `pantau serve`
    /// when it starts (the logging system is set once per process).
    public var logFormat: LogFormat = .text
    /// Seconds a background worker's claim (a webhook delivery being sent, a job's step) keeps other
    /// instances away (`PANTAU_WORKER_LEASE`, default 60): after an instance dies, another takes
    /// its work over once this has passed (docs/operations.md, "Several instances and scale").
    public var workerLease: TimeInterval = 60
    /// Seconds within which monitoring figures already checked are served again without asking the
    /// store (`PANTAU_MONITORING_REFRESH`, default 1; the window grows with the figures' cost, see
    /// ``MonitoringFiguresCache``); 0: every read checks whether they changed.
    public var monitoringRefresh: TimeInterval = 1

    public init(
        host: String = "127.0.0.1", port: Int = 8080, database: DatabaseLocation = .sqlite(path: "pantau.sqlite"),
        adminPassword: String? = nil, demo: Bool = false, autoMigrate: Bool = true, secureCookies: Bool = false,
        sessionLifetime: TimeInterval = 8 * 3600, loginMaxFailures: Int = 5, loginWindow: TimeInterval = 900,
        logLevel: Logger.Level = .info, publicBaseURL: String? = nil
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.adminPassword = adminPassword
        self.demo = demo
        self.autoMigrate = autoMigrate
        self.secureCookies = secureCookies
        self.sessionLifetime = sessionLifetime
        self.loginMaxFailures = loginMaxFailures
        self.loginWindow = loginWindow
        self.logLevel = logLevel
        self.publicBaseURL = publicBaseURL ?? "http://\(host):\(port)"
        self.publicURLConfigured = publicBaseURL != nil
    }

    /// Reads `PANTAU_*` variables; `overrides` (same names) win over the environment.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                       overrides: [String: String] = [:]) throws -> AppConfig {
        var env = try resolveSecretFiles(environment, except: Set(overrides.keys))
        env.merge(overrides) { _, new in new }
        let reader = ConfigReader(provider: EnvironmentVariablesProvider(
            environmentVariables: env, secretsSpecifier: .specific(["PANTAU_ADMIN_PASSWORD", "PANTAU_DATABASE_URL", "PANTAU_AUDIT_KEY"])))
        let host = reader.string(forKey: "pantau.host", default: "127.0.0.1")
        let portText = reader.string(forKey: "pantau.port", default: "8080")
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ConfigError.invalid(name: "PANTAU_PORT", value: portText, expected: "a port number 0-65535")
        }
        let dbText = reader.string(forKey: "pantau.database.url", default: "pantau.sqlite")
        let levelText = reader.string(forKey: "pantau.log.level", default: "info")
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ConfigError.invalid(name: "PANTAU_LOG_LEVEL", value: levelText, expected: "trace, debug, info, notice, warning, error or critical")
        }
        func flag(_ key: String, _ name: String, _ def: Bool) throws -> Bool {
            let v = reader.string(forKey: ConfigKey(key), default: def ? "true" : "false").lowercased()
            switch v {
            case "1", "true", "yes", "ya", "on": return true
            case "0", "false", "no", "tidak", "off", "": return false
            default: throw ConfigError.invalid(name: name, value: v, expected: "true or false")
            }
        }
        let hoursText = reader.string(forKey: "pantau.session.hours", default: "8")
        guard let hours = Double(hoursText), hours > 0 else {
            throw ConfigError.invalid(name: "PANTAU_SESSION_HOURS", value: hoursText, expected: "a positive number of hours")
        }
        let adminPW = reader.string(forKey: "pantau.admin.password", default: "")
        let base = reader.string(forKey: "pantau.public.url", default: "")
        func number(_ key: String, _ name: String, _ def: Double, _ range: ClosedRange<Double>, _ expected: String) throws -> Double {
            let text = reader.string(forKey: ConfigKey(key), default: "")
            if text.isEmpty { return def }
            guard let v = Double(text), range.contains(v) else { throw ConfigError.invalid(name: name, value: text, expected: expected) }
            return v
        }
        let rateLimit = try number("pantau.survey.rate.limit", "PANTAU_SURVEY_RATE_LIMIT", 30, 1...1_000_000, "a whole number of submissions ≥ 1")
        let rateWindow = try number("pantau.survey.rate.window", "PANTAU_SURVEY_RATE_WINDOW", 900, 1...604_800, "seconds, 1-604800")
        let minFill = try number("pantau.survey.min.fill.seconds", "PANTAU_SURVEY_MIN_FILL_SECONDS", 5, 0...3600, "seconds, 0-3600")
        var config = AppConfig(
            host: host, port: port, database: DatabaseLocation(parsing: dbText),
            adminPassword: adminPW.isEmpty ? nil : adminPW,
            demo: try flag("pantau.demo", "PANTAU_DEMO", false),
            autoMigrate: try flag("pantau.auto.migrate", "PANTAU_AUTO_MIGRATE", DatabaseLocation(parsing: dbText).kind == .sqlite),
            secureCookies: try flag("pantau.secure.cookies", "PANTAU_SECURE_COOKIES", false),
            sessionLifetime: hours * 3600, logLevel: level,
            publicBaseURL: base.isEmpty ? nil : (base.hasSuffix("/") ? String(base.dropLast()) : base))
        config.surveyRateLimit = Int(rateLimit)
        config.surveyRateWindow = rateWindow
        config.surveyMinFillSeconds = minFill
        config.trustForwardedFor = try flag("pantau.trust.forwarded.for", "PANTAU_TRUST_FORWARDED_FOR", false)
        config.loginMaxFailures = Int(try number("pantau.login.max.failures", "PANTAU_LOGIN_MAX_FAILURES", 5, 1...1000,
                                                 "a whole number of failed sign-ins, 1-1000"))
        config.sopTwoPersonRule = try flag("pantau.sop.two.person.rule", "PANTAU_SOP_TWO_PERSON_RULE", false)
        config.liveStreamSeconds = Int(try number("pantau.live.stream.seconds", "PANTAU_LIVE_STREAM_SECONDS", 300, 0...86_400, "seconds, 0-86400"))
        let keyFile = reader.string(forKey: "pantau.audit.key.file", default: "")
        let key = reader.string(forKey: "pantau.audit.key", default: "")
        config.auditKeyFile = keyFile.isEmpty ? nil : keyFile
        config.auditKey = key.isEmpty ? nil : key
        config.webhookAllowPrivate = try flag("pantau.webhook.allow.private", "PANTAU_WEBHOOK_ALLOW_PRIVATE", false)
        config.alertInterval = try number("pantau.alert.interval", "PANTAU_ALERT_INTERVAL", 5, 0...3600, "seconds, 0-3600 (0: no alert worker)")
        config.jobInterval = try number("pantau.job.interval", "PANTAU_JOB_INTERVAL", 5, 0...3600, "seconds, 0-3600 (0: no job worker)")
        config.requestLog = try flag("pantau.request.log", "PANTAU_REQUEST_LOG", true)
        let formatText = reader.string(forKey: "pantau.log.format", default: "text").lowercased()
        guard let format = LogFormat(rawValue: formatText) else {
            throw ConfigError.invalid(name: "PANTAU_LOG_FORMAT", value: formatText, expected: "text or json")
        }
        config.logFormat = format
        config.workerLease = try number("pantau.worker.lease", "PANTAU_WORKER_LEASE", 60, 15...3600, "seconds, 15-3600")
        config.monitoringRefresh = try number("pantau.monitoring.refresh", "PANTAU_MONITORING_REFRESH", 1, 0...60, "seconds, 0-60")
        return config
    }
}

// MARK: Secrets from files

extension AppConfig {
    /// Secret settings that may also be given as `<NAME>_FILE`: the path of a file holding the value
    /// (Docker and compose secrets in `/run/secrets`, systemd credentials in `$CREDENTIALS_DIRECTORY`).
    /// The audit key has its own `PANTAU_AUDIT_KEY_FILE` with the same meaning (read by ``AuditKey``).
    public static let fileSecretSettings = ["PANTAU_DATABASE_URL", "PANTAU_ADMIN_PASSWORD"]

    /// The environment with every `<NAME>_FILE` of ``fileSecretSettings`` replaced by `<NAME>` set to
    /// the file's content (trailing line breaks removed). Both set, an unreadable or empty file: an
    /// error naming the variable (and the path, never the value). Names in `except` are given on
    /// the command line, which wins: their files are not read.
    public static func resolveSecretFiles(_ environment: [String: String], except: Set<String> = []) throws -> [String: String] {
        var env = environment
        for name in fileSecretSettings where !except.contains(name) {
            let fileName = name + "_FILE"
            guard let path = env[fileName], !path.isEmpty else { continue }
            if let direct = env[name], !direct.isEmpty { throw ConfigError.bothSet(name: name, fileName: fileName) }
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw ConfigError.unreadableFile(name: fileName, path: path, reason: Self.reason(error, path: path))
            }
            guard var value = String(data: data, encoding: .utf8) else {
                throw ConfigError.unreadableFile(name: fileName, path: path, reason: "not UTF-8 text")
            }
            while let last = value.unicodeScalars.last, last == "\n" || last == "\r" { value.unicodeScalars.removeLast() }
            if value.isEmpty { throw ConfigError.unreadableFile(name: fileName, path: path, reason: "the file is empty") }
            env[name] = value
            env[fileName] = nil
        }
        return env
    }

    static func reason(_ error: any Error, path: String) -> String {
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDir) { return "no such file" }
        if isDir.boolValue { return "it is a directory" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return (error as NSError).localizedDescription
    }
}

/// A setting with a value Pantau cannot use.
public enum ConfigError: Error, CustomStringConvertible {
    case invalid(name: String, value: String, expected: String)
    /// `NAME` and `NAME_FILE` are both set.
    case bothSet(name: String, fileName: String)
    /// `NAME_FILE` names a file that cannot be read (or is empty).
    case unreadableFile(name: String, path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(name, value, expected): return "\(name)='\(value)' is invalid: expected \(expected)"
        case let .bothSet(name, fileName): return "\(name) and \(fileName) are both set: set only one of them"
        case let .unreadableFile(name, path, reason): return "\(name)='\(path)': cannot read the secret file (\(reason))"
        }
    }
}
