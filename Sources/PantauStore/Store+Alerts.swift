import Crypto
import Foundation
import PantauCore
import SQLKit

// MARK: - Alert rules, alerts, notifications, webhooks (migration 11)

/// What an alert rule watches.
public enum AlertKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// An open case older than `factor` × its SOP's total time standard.
    case caseOverdue = "case_overdue"
    /// A step of a case that took longer than the step's time standard.
    case stepOverStandard = "step_over_standard"
    /// The share of conforming closed cases of the current period below a threshold.
    case complianceBelow = "compliance_below"
    /// A follow-up action (CAPA) of the SOP past its due date and not done (docs/findings-actions.md):
    /// the unit's staff are notified and the unit's webhooks called, once per action.
    case actionOverdue = "action_overdue"
}

/// The period a compliance rule looks at: the current calendar month or ISO week (WIB).
public enum AlertPeriod: String, Sendable, Hashable, Codable, CaseIterable {
    case month, week

    /// The period holding `date` (WIB): its label (`2026-12`, `2026-W49`) and start.
    public func current(at date: Date) -> (label: String, start: Date) {
        var cal = Calendar(identifier: .iso8601)
        cal.timeZone = .wib
        switch self {
        case .month:
            let c = cal.dateComponents([.year, .month], from: date)
            let start = cal.date(from: c) ?? date
            return (String(format: "%04d-%02d", c.year ?? 0, c.month ?? 0), start)
        case .week:
            let c = cal.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
            let start = cal.date(from: c) ?? date
            return (String(format: "%04d-W%02d", c.yearForWeekOfYear ?? 0, c.weekOfYear ?? 0), start)
        }
    }
}

/// The fields of a new alert rule.
public struct AlertRuleInput: Sendable, Hashable, Codable {
    public var kind: AlertKind
    /// `case_overdue`: the case may stay open this many times its total standard (1 = the standard).
    public var factor: Double?
    /// `compliance_below`: the lowest acceptable share of conforming cases, in percent.
    public var thresholdPercent: Double?
    public var period: AlertPeriod?
    /// `compliance_below`: closed cases the period needs before the share counts.
    public var minCases: Int?

    public init(kind: AlertKind, factor: Double? = nil, thresholdPercent: Double? = nil, period: AlertPeriod? = nil, minCases: Int? = nil) {
        self.kind = kind
        self.factor = factor
        self.thresholdPercent = thresholdPercent
        self.period = period
        self.minCases = minCases
    }

    public static let factorRange: ClosedRange<Double> = 0.1...100
    public static let thresholdRange: ClosedRange<Double> = 1...100
    public static let minCasesRange: ClosedRange<Int> = 1...100_000

    /// Reads a form's (or API body's) text fields: every problem at once.
    public static func parse(kind: String, factor: String, threshold: String, period: String, minCases: String) throws -> AlertRuleInput {
        var p: [InputProblem] = []
        guard let k = AlertKind(rawValue: kind.trimmingCharacters(in: .whitespaces)) else {
            throw StoreError.rejected([InputProblem("kind", "alert_kind_unknown")])
        }
        func number(_ text: String, _ field: String) -> Double? {
            let t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
            if t.isEmpty { return nil }
            guard let v = Double(t), v.isFinite else { p.append(InputProblem(field, "not_a_number")); return nil }
            return v
        }
        var input = AlertRuleInput(kind: k)
        switch k {
        case .caseOverdue:
            input.factor = number(factor, "factor") ?? (p.contains { $0.field == "factor" } ? nil : 1)
        case .stepOverStandard, .actionOverdue:
            break
        case .complianceBelow:
            input.thresholdPercent = number(threshold, "threshold")
            let pt = period.trimmingCharacters(in: .whitespaces)
            input.period = pt.isEmpty ? .month : AlertPeriod(rawValue: pt)
            if input.period == nil { p.append(InputProblem("period", "alert_period_unknown")) }
            let mt = minCases.trimmingCharacters(in: .whitespaces)
            if mt.isEmpty { input.minCases = 1 }
            else if let n = Int(mt) { input.minCases = n }
            else { p.append(InputProblem("min_cases", "not_a_number")) }
        }
        if p.isEmpty { p = input.problems() }
        if !p.isEmpty { throw StoreError.rejected(p) }
        return input
    }

    /// Problems of the fields alone.
    public func problems() -> [InputProblem] {
        var p: [InputProblem] = []
        switch kind {
        case .caseOverdue:
            if let f = factor, !Self.factorRange.contains(f) || !f.isFinite { p.append(InputProblem("factor", "alert_factor_range", ["0.1", "100"])) }
            if factor == nil { p.append(InputProblem("factor", "required")) }
        case .stepOverStandard, .actionOverdue:
            break
        case .complianceBelow:
            if let t = thresholdPercent { if !Self.thresholdRange.contains(t) || !t.isFinite { p.append(InputProblem("threshold", "alert_threshold_range", ["1", "100"])) } }
            else { p.append(InputProblem("threshold", "required")) }
            if period == nil { p.append(InputProblem("period", "required")) }
            if let n = minCases, !Self.minCasesRange.contains(n) { p.append(InputProblem("min_cases", "alert_min_cases_range", ["1", "100000"])) }
        }
        return p
    }
}

public struct AlertRuleRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var sopID: Int64
    public var kind: AlertKind
    public var factor: Double?
    public var thresholdPercent: Double?
    public var period: AlertPeriod?
    public var minCases: Int
    public var active: Bool
    public var createdBy: String
    public var createdAt: Date
    /// Alerts the rule has raised.
    public var alerts: Int
}

/// One raised alert: a rule's condition met once (per case and condition, or per period).
public struct AlertRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var ruleID: Int64
    public var sopID: Int64
    public var unitID: Int64
    public var caseID: Int64?
    public var kind: AlertKind
    public var condition: String
    public var raisedAt: Date
    /// The message's arguments (see ``AlertKind``): case_overdue `[reference, open seconds, limit seconds]`,
    /// step_over_standard `[reference, step id, excess seconds]`, compliance_below
    /// `[period, compliance %, threshold %, closed cases]`.
    public var arguments: [String]

    public init(id: Int64, ruleID: Int64, sopID: Int64, unitID: Int64, caseID: Int64?, kind: AlertKind, condition: String, raisedAt: Date,
                arguments: [String]) {
        self.id = id
        self.ruleID = ruleID
        self.sopID = sopID
        self.unitID = unitID
        self.caseID = caseID
        self.kind = kind
        self.condition = condition
        self.raisedAt = raisedAt
        self.arguments = arguments
    }
}

/// Which raised alerts to list (all filters optional; `unitIDs` nil: every unit).
public struct AlertQuery: Sendable, Hashable {
    public var unitIDs: Set<Int64>?
    public var sopID: Int64?
    public var kind: AlertKind?
    public var since: Date?
    /// 1-500.
    public var limit: Int

    public init(unitIDs: Set<Int64>? = nil, sopID: Int64? = nil, kind: AlertKind? = nil, since: Date? = nil, limit: Int = 100) {
        self.unitIDs = unitIDs
        self.sopID = sopID
        self.kind = kind
        self.since = since
        self.limit = limit
    }
}

/// A raised alert with the names an integrating system shows.
public struct AlertListItem: Sendable, Hashable {
    public var alert: AlertRecord
    public var sopNumber: String
    public var sopTitle: String
    public var unitCode: String
    public var caseReference: String?
}

/// An alert as a person's notification shows it.
public struct NotificationItem: Sendable, Hashable {
    public var id: Int64
    public var alert: AlertRecord
    public var sopNumber: String
    public var sopTitle: String
    public var unitName: String
    public var readAt: Date?
}

/// A webhook of a unit: alerts of the unit's subtree are POSTed to its URL, signed with its secret.
public struct WebhookRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var unitID: Int64
    public var name: String
    public var url: String
    public var kinds: [AlertKind]
    public var active: Bool
    public var createdBy: String
    public var createdAt: Date
}

public enum DeliveryStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, sent, failed
}

/// One delivery of an alert to a webhook (a re-send is a new delivery).
public struct WebhookDelivery: Sendable, Hashable, Codable {
    public var id: Int64
    public var webhookID: Int64
    public var alertID: Int64
    public var status: DeliveryStatus
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastAttemptAt: Date?
    public var lastStatusCode: Int?
    public var lastError: String?
    public var sentAt: Date?
    public var createdAt: Date
    public var resentFrom: Int64?
    public var payload: String
}

/// A delivery claimed by one worker: what it needs to send it.
public struct WebhookJob: Sendable, Hashable {
    public var deliveryID: Int64
    public var webhookID: Int64
    public var url: String
    public var secret: String
    public var payload: String
    public var attempts: Int
    /// The claim's token: only the claimer may record the attempt.
    public var claim: String

    public init(deliveryID: Int64, webhookID: Int64, url: String, secret: String, payload: String, attempts: Int, claim: String) {
        self.deliveryID = deliveryID
        self.webhookID = webhookID
        self.url = url
        self.secret = secret
        self.payload = payload
        self.attempts = attempts
        self.claim = claim
    }
}

/// Back-off of failed deliveries: `base × 2^(attempt−1)` after each failed attempt, `failed` after `maxAttempts`.
public struct WebhookRetryPolicy: Sendable, Hashable {
    public var base: TimeInterval
    public var maxAttempts: Int
    /// How long a claim keeps other workers away from a delivery being sent (longer than the timeout).
    public var lease: TimeInterval

    public init(base: TimeInterval = 30, maxAttempts: Int = 8, lease: TimeInterval = 60) {
        self.base = base
        self.maxAttempts = maxAttempts
        self.lease = lease
    }

    public static let standard = WebhookRetryPolicy()

    public func delay(afterAttempt n: Int) -> TimeInterval { base * pow(2, Double(max(0, n - 1))) }
}

/// What one evaluation raised.
public struct AlertEvaluation: Sendable, Hashable {
    public var alerts: [AlertRecord]
    public var notifications: Int
    public var deliveries: Int
}

/// Whether a webhook target is acceptable. Webhooks let an administrator make the server send
/// requests: to loopback, link-local (cloud metadata at 169.254.169.254), private and unique-local
/// addresses they would reach internal services (SSRF), so those are refused unless allowed.
public enum WebhookTarget {
    public static let maxURLLength = 2_000

    /// Problems of a URL: scheme http/https, a host, no user info; a private host unless `allowPrivate`.
    public static func problems(_ url: String, allowPrivate: Bool) -> [InputProblem] {
        let t = url.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return [InputProblem("url", "required")] }
        if t.count > maxURLLength { return [InputProblem("url", "too_long", ["\(maxURLLength)"])] }
        guard let c = URLComponents(string: t), let scheme = c.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = c.host, !host.isEmpty, c.user == nil, c.password == nil else {
            return [InputProblem("url", "webhook_url_invalid")]
        }
        if !allowPrivate && isPrivateHost(host) { return [InputProblem("url", "webhook_url_private")] }
        return []
    }

    /// A name or literal address that points inside the machine or network.
    public static func isPrivateHost(_ host: String) -> Bool {
        var h = host.lowercased()
        if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if h.hasSuffix(".") { h = String(h.dropLast()) }
        if h == "localhost" || h.hasSuffix(".localhost") || h.hasSuffix(".local") || h.hasSuffix(".internal") { return true }
        if let v4 = ipv4(h) { return isPrivate(v4: v4) }
        if h.contains(":") { return isPrivate(v6: h) }
        // Numeric forms that resolvers read as IPv4 (e.g. `2130706433`, `0x7f.1`).
        if h.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == "x" }) && h.first?.isNumber == true { return true }
        return false
    }

    static func ipv4(_ s: String) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isNumber), let v = UInt8(p) else { return nil }
            out.append(v)
        }
        return out
    }

    public static func isPrivate(v4 a: [UInt8]) -> Bool {
        guard a.count == 4 else { return true }
        switch (a[0], a[1]) {
        case (0, _), (10, _), (127, _): return true
        case (169, 254): return true
        case (172, 16...31): return true
        case (192, 168): return true
        case (100, 64...127): return true  // carrier-grade NAT
        default: return a[0] >= 224  // multicast and reserved
        }
    }

    static func isPrivate(v6 h: String) -> Bool {
        let s = h.split(separator: "%").first.map(String.init) ?? h
        if s == "::" || s == "::1" { return true }
        if s.hasPrefix("fe8") || s.hasPrefix("fe9") || s.hasPrefix("fea") || s.hasPrefix("feb") { return true }  // link-local
        if s.hasPrefix("fc") || s.hasPrefix("fd") { return true }  // unique local
        if s.hasPrefix("::ffff:") {  // IPv4-mapped
            let tail = String(s.dropFirst(7))
            if let v4 = ipv4(tail) { return isPrivate(v4: v4) }
            return true
        }
        return false
    }
}

extension PantauStore {
    /// Advisory lock key of one alert evaluation at a time across instances (ASCII "pantaual").
    static let alertEvaluationLockKey: Int64 = 0x7061_6E74_6175_616C
    /// Alerts one rule raises per evaluation at most (the rest follow in the next one).
    static let alertBatchLimit = 500

    // MARK: Rules

    static func alertRule(from r: any SQLRow) throws -> AlertRuleRecord {
        AlertRuleRecord(id: try r.int64("id"), sopID: try r.int64("sop_id"), kind: AlertKind(rawValue: try r.string("kind")) ?? .caseOverdue,
                        factor: try r.optDouble("factor"), thresholdPercent: try r.optDouble("threshold"),
                        period: try r.optString("period").flatMap(AlertPeriod.init(rawValue:)), minCases: try r.int("min_cases"),
                        active: try r.bool("active"), createdBy: try r.string("created_by"),
                        createdAt: Date(timeIntervalSince1970: try r.double("created_at")),
                        alerts: r.contains(column: "n") ? try r.int("n") : 0)
    }

    /// The alert rules of an SOP, active first, with how many alerts each raised.
    public func alertRules(sopID: Int64) async throws -> [AlertRuleRecord] {
        try await read { sql in
            try await sql.raw("""
                SELECT r.*, (SELECT COUNT(*) FROM alerts a WHERE a.rule_id = r.id) AS n FROM alert_rules r
                WHERE r.sop_id = \(bind: sopID) ORDER BY r.active DESC, r.id
                """).all().map(Self.alertRule(from:))
        }
    }

    @discardableResult
    public func createAlertRule(sopID: Int64, _ input: AlertRuleInput, by actor: AuditActor) async throws -> AlertRuleRecord {
        let problems = input.problems()
        if !problems.isEmpty { throw StoreError.rejected(problems) }
        return try await write { w in
            guard try await w.sql.raw("SELECT id FROM sops WHERE id = \(bind: sopID)").first() != nil else {
                throw StoreError.notFound(entity: "sop", id: "\(sopID)")
            }
            let threshold = input.kind == .complianceBelow ? input.thresholdPercent : nil
            guard let r = try await w.sql.raw("""
                INSERT INTO alert_rules (sop_id, kind, factor, threshold, period, min_cases, active, created_by, created_at)
                VALUES (\(bind: sopID), \(bind: input.kind.rawValue), \(bind: input.kind == .caseOverdue ? input.factor : nil),
                        \(bind: threshold), \(bind: input.kind == .complianceBelow ? input.period?.rawValue : nil),
                        \(bind: input.kind == .complianceBelow ? (input.minCases ?? 1) : 1), 1, \(bind: actor.label), \(bind: w.t))
                RETURNING *
                """).first() else { throw StoreError.corrupt("insert returned no row") }
            let rule = try Self.alertRule(from: r)
            try await w.audit(actor, "create", "alert_rule", rule.id, new: rule)
            return rule
        }
    }

    /// Stops a rule (its alerts stay). Idempotent.
    public func deactivateAlertRule(id: Int64, sopID: Int64, by actor: AuditActor) async throws {
        try await write { w in
            guard let r = try await w.sql.raw("SELECT * FROM alert_rules WHERE id = \(bind: id) AND sop_id = \(bind: sopID)").first() else {
                throw StoreError.notFound(entity: "alert_rule", id: "\(id)")
            }
            guard try r.bool("active") else { return }
            try await w.sql.raw("UPDATE alert_rules SET active = 0, deactivated_at = \(bind: w.t) WHERE id = \(bind: id)").run()
            try await w.audit(actor, "deactivate", "alert_rule", id, old: try Self.alertRule(from: r))
        }
    }

    // MARK: Evaluation

    /// Finds every condition met now that has no alert yet, from the stored case results, and
    /// raises each once: alert, notifications for the staff of the unit and the units above it
    /// (and admins), and a pending delivery for each active webhook of those units that takes the
    /// kind, all in one transaction (audited as one `raise` entry per alert). Idempotent: the
    /// alert's `(rule_id, condition_key)` is unique, so a rule fires once per case and condition
    /// (per step, per period), however often and on however many instances this runs.
    @discardableResult
    public func evaluateAlerts(now: Date) async throws -> AlertEvaluation {
        let t = now.timeIntervalSince1970
        let kind = database.kind
        return try await write { w in
            if kind == .postgres {
                try await w.sql.raw("SELECT pg_advisory_xact_lock(\(unsafeRaw: String(Self.alertEvaluationLockKey)))").run()
            }
            let rules = try await w.sql.raw("""
                SELECT r.*, s.unit_id AS sop_unit FROM alert_rules r JOIN sops s ON s.id = r.sop_id WHERE r.active = 1 ORDER BY r.id
                """).all()
            struct Found { var ruleID: Int64; var sopID: Int64; var unitID: Int64; var caseID: Int64?; var reference: String?; var kind: AlertKind; var key: String; var args: [String] }
            var found: [Found] = []
            for row in rules {
                let rule = try Self.alertRule(from: row)
                let sopUnit = try row.int64("sop_unit")
                switch rule.kind {
                case .caseOverdue:
                    let factor = rule.factor ?? 1
                    for r in try await w.sql.raw("""
                        SELECT c.id, c.unit_id, c.reference, c.opened_at, c.standard_seconds FROM service_cases c
                        WHERE c.sop_id = \(bind: rule.sopID) AND c.status = 'open' AND c.opened_at IS NOT NULL
                          AND c.standard_seconds IS NOT NULL AND c.standard_seconds > 0
                          AND \(bind: t) - c.opened_at > \(bind: factor) * c.standard_seconds
                          AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.rule_id = \(bind: rule.id)
                                          AND a.condition_key = 'case:' || CAST(c.id AS TEXT))
                        ORDER BY c.opened_at LIMIT \(unsafeRaw: String(Self.alertBatchLimit))
                        """).all() {
                        let id = try r.int64("id")
                        let open = t - (try r.double("opened_at"))
                        let limit = factor * (try r.double("standard_seconds"))
                        found.append(Found(ruleID: rule.id, sopID: rule.sopID, unitID: try r.int64("unit_id"), caseID: id, reference: try r.string("reference"),
                                           kind: .caseOverdue, key: "case:\(id)", args: [try r.string("reference"), String(Int(open)), String(Int(limit))]))
                    }
                case .stepOverStandard:
                    for r in try await w.sql.raw("""
                        SELECT s.case_id, s.unit_id, s.step, s.excess_seconds, c.reference FROM case_steps s
                        JOIN service_cases c ON c.id = s.case_id
                        WHERE s.sop_id = \(bind: rule.sopID) AND s.measured > s.within_standard AND s.excess_seconds > 0
                          AND s.step NOT LIKE '?%'
                          AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.rule_id = \(bind: rule.id)
                                          AND a.condition_key = 'case:' || CAST(s.case_id AS TEXT) || ':step:' || s.step)
                        ORDER BY s.case_id, s.step LIMIT \(unsafeRaw: String(Self.alertBatchLimit))
                        """).all() {
                        let id = try r.int64("case_id")
                        let step = try r.string("step")
                        found.append(Found(ruleID: rule.id, sopID: rule.sopID, unitID: try r.int64("unit_id"), caseID: id, reference: try r.string("reference"),
                                           kind: .stepOverStandard, key: "case:\(id):step:\(step)",
                                           args: [try r.string("reference"), step, String(Int(try r.double("excess_seconds")))]))
                    }
                case .actionOverdue:
                    // Due dates are civil dates (WIB): overdue once the due day has passed.
                    let today = CivilDate(now).description
                    for r in try await w.sql.raw("""
                        SELECT a.id, a.unit_id, a.title, a.due_date FROM followup_actions a
                        WHERE a.sop_id = \(bind: rule.sopID) AND a.status IN ('planned', 'in_progress') AND a.due_date < \(bind: today)
                          AND NOT EXISTS (SELECT 1 FROM alerts x WHERE x.rule_id = \(bind: rule.id)
                                          AND x.condition_key = 'action:' || CAST(a.id AS TEXT))
                        ORDER BY a.due_date, a.id LIMIT \(unsafeRaw: String(Self.alertBatchLimit))
                        """).all() {
                        let id = try r.int64("id")
                        found.append(Found(ruleID: rule.id, sopID: rule.sopID, unitID: try r.int64("unit_id"), caseID: nil, reference: nil,
                                           kind: .actionOverdue, key: "action:\(id)", args: [try r.string("title"), try r.string("due_date"), String(id)]))
                    }
                case .complianceBelow:
                    let (label, start) = (rule.period ?? .month).current(at: now)
                    let key = "period:\(label)"
                    if try await w.sql.raw("SELECT 1 AS x FROM alerts WHERE rule_id = \(bind: rule.id) AND condition_key = \(bind: key)").first() != nil { continue }
                    guard let r = try await w.sql.raw("""
                        SELECT COUNT(*) AS n, COALESCE(SUM(compliant), 0) AS ok FROM service_cases
                        WHERE sop_id = \(bind: rule.sopID) AND status = 'closed' AND compliant IS NOT NULL
                          AND opened_at >= \(bind: start.timeIntervalSince1970) AND opened_at <= \(bind: t)
                        """).first() else { continue }
                    let n = try r.int("n"), ok = try r.int("ok")
                    guard n > 0, n >= rule.minCases else { continue }
                    let share = Double(ok) * 100 / Double(n)
                    guard share < (rule.thresholdPercent ?? 0) else { continue }
                    found.append(Found(ruleID: rule.id, sopID: rule.sopID, unitID: sopUnit, caseID: nil, reference: nil, kind: .complianceBelow, key: key,
                                       args: [label, Self.percentText(share), Self.percentText(rule.thresholdPercent ?? 0), String(n)]))
                }
            }
            guard !found.isEmpty else { return AlertEvaluation(alerts: [], notifications: 0, deliveries: 0) }

            // Who hears of a unit's alerts: its staff and those of the units above it, and admins;
            // which webhooks: those of the unit and the units above it.
            var parent: [Int64: Int64] = [:]
            var unitCode: [Int64: String] = [:]
            for r in try await w.sql.raw("SELECT id, parent_id, code FROM units").all() {
                let id = try r.int64("id")
                if let p = try r.optInt64("parent_id") { parent[id] = p }
                unitCode[id] = try r.string("code")
            }
            func chain(_ u: Int64) -> Set<Int64> {
                var out: Set<Int64> = [u]
                var cur = u
                while let p = parent[cur], out.insert(p).inserted { cur = p }
                return out
            }
            var usersByUnit: [Int64: [Int64]] = [:]
            var admins: [Int64] = []
            for r in try await w.sql.raw("SELECT id, role, unit_id FROM users WHERE active = 1").all() {
                let id = try r.int64("id")
                if try r.string("role") == "admin" { admins.append(id) }
                else if let u = try r.optInt64("unit_id") { usersByUnit[u, default: []].append(id) }
            }
            struct Hook { var id: Int64; var unitID: Int64; var kinds: Set<String> }
            var hooks: [Hook] = []
            for r in try await w.sql.raw("SELECT id, unit_id, kinds FROM webhooks WHERE active = 1").all() {
                hooks.append(Hook(id: try r.int64("id"), unitID: try r.int64("unit_id"),
                                  kinds: Set(try r.string("kinds").split(separator: ",").map(String.init))))
            }
            var sopInfo: [Int64: (number: String, title: String)] = [:]
            for sopID in Set(found.map(\.sopID)) {
                if let r = try await w.sql.raw("SELECT s.number, s.title FROM sops s WHERE s.id = \(bind: sopID)").first() {
                    sopInfo[sopID] = (try r.string("number"), try r.string("title"))
                }
            }

            var raised: [AlertRecord] = []
            var notes = 0, deliveries = 0
            let iso = ISO8601DateFormatter()
            for f in found {
                guard let r = try await w.sql.raw("""
                    INSERT INTO alerts (rule_id, sop_id, unit_id, case_id, kind, condition_key, raised_at, args)
                    VALUES (\(bind: f.ruleID), \(bind: f.sopID), \(bind: f.unitID), \(bind: f.caseID), \(bind: f.kind.rawValue),
                            \(bind: f.key), \(bind: t), \(bind: jsonText(f.args)))
                    ON CONFLICT (rule_id, condition_key) DO NOTHING RETURNING id
                    """).first() else { continue }
                let alert = AlertRecord(id: try r.int64("id"), ruleID: f.ruleID, sopID: f.sopID, unitID: f.unitID, caseID: f.caseID,
                                        kind: f.kind, condition: f.key, raisedAt: now, arguments: f.args)
                raised.append(alert)
                let units = chain(f.unitID)
                let recipients = Set(admins + units.flatMap { usersByUnit[$0] ?? [] }).sorted()
                for chunk in recipients.chunked(300) {
                    var q: SQLQueryString = "INSERT INTO notifications (user_id, alert_id, created_at) VALUES "
                    for (j, u) in chunk.enumerated() { q = q + (j > 0 ? ", " : "") + "(\(bind: u), \(bind: alert.id), \(bind: t))" }
                    try await w.sql.raw(q + " ON CONFLICT (user_id, alert_id) DO NOTHING").run()
                    notes += chunk.count
                }
                let payload = Self.webhookPayload(alert, sop: sopInfo[f.sopID], unitCode: unitCode[f.unitID] ?? "", reference: f.reference, iso: iso)
                for h in hooks where units.contains(h.unitID) && h.kinds.contains(f.kind.rawValue) {
                    try await w.sql.raw("""
                        INSERT INTO webhook_deliveries (webhook_id, alert_id, payload, status, attempts, next_attempt_at, created_at)
                        VALUES (\(bind: h.id), \(bind: alert.id), \(bind: payload), 'pending', 0, \(bind: t), \(bind: t))
                        """).run()
                    deliveries += 1
                }
                try await w.audit(.system, "raise", "alert", alert.id, new: alert)
            }
            // Every instance's notification counts and workers hear of it at commit (Store+Notify.swift).
            struct Pair: Hashable { var sop: Int64; var unit: Int64 }
            for p in Set(raised.map { Pair(sop: $0.sopID, unit: $0.unitID) }).sorted(by: { ($0.sop, $0.unit) < ($1.sop, $1.unit) }) {
                try await Self.notify(w, .alerts, sopID: p.sop, unitID: p.unit)
            }
            return AlertEvaluation(alerts: raised, notifications: notes, deliveries: deliveries)
        }
    }

    static func percentText(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }

    /// The JSON body POSTed to webhooks (keys sorted; the same body for a re-send).
    static func webhookPayload(_ a: AlertRecord, sop: (number: String, title: String)?, unitCode: String, reference: String?,
                               iso: ISO8601DateFormatter) -> String {
        struct Body: Encodable {
            var event = "alert"
            var alert_id: Int64
            var kind: String
            var rule_id: Int64
            var sop_id: Int64
            var sop_number: String
            var sop_title: String
            var unit_id: Int64
            var unit_code: String
            var case_id: Int64?
            var case_reference: String?
            var condition: String
            var raised_at: String
            var arguments: [String]
        }
        return jsonText(Body(alert_id: a.id, kind: a.kind.rawValue, rule_id: a.ruleID, sop_id: a.sopID, sop_number: sop?.number ?? "",
                             sop_title: sop?.title ?? "", unit_id: a.unitID, unit_code: unitCode, case_id: a.caseID, case_reference: reference,
                             condition: a.condition, raised_at: iso.string(from: a.raisedAt), arguments: a.arguments))
    }

    static func alert(from r: any SQLRow) throws -> AlertRecord {
        let args: [String]
        do { args = try JSONDecoder().decode([String].self, from: Data(try r.string("args").utf8)) }
        catch { throw StoreError.corrupt("alerts.args of alert \(try r.int64("id")): \(error)") }
        let kindText = try r.string("kind")
        guard let kind = AlertKind(rawValue: kindText) else { throw StoreError.corrupt("alerts.kind of alert \(try r.int64("id")): \(kindText)") }
        return AlertRecord(id: try r.int64("id"), ruleID: try r.int64("rule_id"), sopID: try r.int64("sop_id"), unitID: try r.int64("unit_id"),
                           caseID: try r.optInt64("case_id"), kind: kind,
                           condition: try r.string("condition_key"), raisedAt: Date(timeIntervalSince1970: try r.double("raised_at")), arguments: args)
    }

    /// Alerts of an SOP, newest first.
    public func alerts(sopID: Int64, limit: Int = 100) async throws -> [AlertRecord] {
        try await read { sql in
            try await sql.raw("SELECT * FROM alerts WHERE sop_id = \(bind: sopID) ORDER BY raised_at DESC, id DESC LIMIT \(unsafeRaw: String(max(1, limit)))")
                .all().map(Self.alert(from:))
        }
    }

    /// Raised alerts for other systems (`GET /api/v1/alerts`), newest first, with the SOP and case
    /// they are about.
    public func alerts(_ q: AlertQuery) async throws -> [AlertListItem] {
        try await read { sql in
            var w: [SQLQueryString] = []
            if let units = q.unitIDs { w.append("a.unit_id IN (\(unsafeRaw: units.isEmpty ? "-1" : units.sorted().map(String.init).joined(separator: ",")))") }
            if let s = q.sopID { w.append("a.sop_id = \(bind: s)") }
            if let k = q.kind { w.append("a.kind = \(bind: k.rawValue)") }
            if let since = q.since { w.append("a.raised_at >= \(bind: since.timeIntervalSince1970)") }
            var query: SQLQueryString = """
                SELECT a.*, s.number AS sop_number, s.title AS sop_title, u.code AS unit_code, c.reference AS case_reference
                FROM alerts a JOIN sops s ON s.id = a.sop_id JOIN units u ON u.id = a.unit_id LEFT JOIN service_cases c ON c.id = a.case_id
                """
            for (i, c) in w.enumerated() { query = query + (i == 0 ? " WHERE " : " AND ") + c }
            query = query + " ORDER BY a.raised_at DESC, a.id DESC LIMIT \(unsafeRaw: String(min(max(1, q.limit), 500)))"
            return try await sql.raw(query).all().map { r in
                AlertListItem(alert: try Self.alert(from: r), sopNumber: try r.string("sop_number"), sopTitle: try r.string("sop_title"),
                              unitCode: try r.string("unit_code"), caseReference: try r.optString("case_reference"))
            }
        }
    }

    // MARK: Notifications

    /// A person's notifications, newest first.
    public func notifications(userID: Int64, limit: Int = 100) async throws -> [NotificationItem] {
        try await read { sql in
            try await sql.raw("""
                SELECT n.id AS nid, n.read_at, a.*, s.number AS sop_number, s.title AS sop_title, u.name AS unit_name
                FROM notifications n JOIN alerts a ON a.id = n.alert_id JOIN sops s ON s.id = a.sop_id JOIN units u ON u.id = a.unit_id
                WHERE n.user_id = \(bind: userID) ORDER BY a.raised_at DESC, a.id DESC LIMIT \(unsafeRaw: String(max(1, limit)))
                """).all().map { r in
                NotificationItem(id: try r.int64("nid"), alert: try Self.alert(from: r), sopNumber: try r.string("sop_number"),
                                 sopTitle: try r.string("sop_title"), unitName: try r.string("unit_name"), readAt: try r.optDouble("read_at").date)
            }
        }
    }

    /// What the page header counts for a person: unread alert notifications and unread notices
    /// (reminders, assignments), in one query.
    public func unreadCount(userID: Int64) async throws -> Int {
        try await read { sql in
            try await sql.raw("""
                SELECT (SELECT COUNT(*) FROM notifications WHERE user_id = \(bind: userID) AND read_at IS NULL)
                     + (SELECT COUNT(*) FROM notices WHERE user_id = \(bind: userID) AND read_at IS NULL) AS n
                """).first()?.int("n") ?? 0
        }
    }

    public func unreadNotificationCount(userID: Int64) async throws -> Int {
        try await read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM notifications WHERE user_id = \(bind: userID) AND read_at IS NULL").first()?.int("n") ?? 0
        }
    }

    /// Marks one (or, with nil, every) notification of the person read. Personal bookkeeping, not
    /// audited (like sign-in attempts). Returns how many changed.
    @discardableResult
    public func markNotificationsRead(userID: Int64, id: Int64? = nil) async throws -> Int {
        let t = now().timeIntervalSince1970
        return try await database.transaction { sql in
            var q: SQLQueryString = "UPDATE notifications SET read_at = \(bind: t) WHERE user_id = \(bind: userID) AND read_at IS NULL"
            if let id { q = q + " AND id = \(bind: id)" }
            let rows = try await sql.raw(q + " RETURNING id").all()
            return rows.count
        }
    }

    // MARK: Webhooks

    static func webhook(from r: any SQLRow) throws -> WebhookRecord {
        WebhookRecord(id: try r.int64("id"), unitID: try r.int64("unit_id"), name: try r.string("name"), url: try r.string("url"),
                      kinds: try r.string("kinds").split(separator: ",").compactMap { AlertKind(rawValue: String($0)) },
                      active: try r.bool("active"), createdBy: try r.string("created_by"),
                      createdAt: Date(timeIntervalSince1970: try r.double("created_at")))
    }

    /// Webhooks of the given units (nil: all), newest first.
    public func webhooks(units: Set<Int64>? = nil) async throws -> [WebhookRecord] {
        try await read { sql in
            var q: SQLQueryString = "SELECT * FROM webhooks"
            if let units { q = q + " WHERE unit_id IN (\(unsafeRaw: units.isEmpty ? "-1" : units.sorted().map(String.init).joined(separator: ",")))" }
            return try await sql.raw(q + " ORDER BY active DESC, id DESC").all().map(Self.webhook(from:))
        }
    }

    public func webhook(id: Int64) async throws -> WebhookRecord {
        try await read { sql in
            guard let r = try await sql.raw("SELECT * FROM webhooks WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "webhook", id: "\(id)")
            }
            return try Self.webhook(from: r)
        }
    }

    /// Creates a webhook with a new secret, returned here once (it is kept to sign deliveries, never shown again).
    public func createWebhook(unitID: Int64, name: String, url: String, kinds: [AlertKind], allowPrivate: Bool,
                              by actor: AuditActor) async throws -> (webhook: WebhookRecord, secret: String) {
        var problems: [InputProblem] = []
        let n = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if n.isEmpty { problems.append(InputProblem("name", "required")) } else if n.count > 100 { problems.append(InputProblem("name", "too_long", ["100"])) }
        problems += WebhookTarget.problems(url, allowPrivate: allowPrivate)
        if kinds.isEmpty { problems.append(InputProblem("kinds", "required")) }
        let u = url.trimmingCharacters(in: .whitespaces)
        let kindText = AlertKind.allCases.filter(kinds.contains).map(\.rawValue).joined(separator: ",")
        var g = SystemRandomNumberGenerator()
        let secret = "whsec_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
        let fieldProblems = problems
        return try await write { w in
            var problems = fieldProblems
            if try await w.sql.raw("SELECT id FROM units WHERE id = \(bind: unitID)").first() == nil {
                problems.append(InputProblem("unit_id", "unit_missing"))
            }
            if !problems.isEmpty { throw StoreError.rejected(problems) }
            guard let r = try await w.sql.raw("""
                INSERT INTO webhooks (unit_id, name, url, secret, kinds, active, created_by, created_at)
                VALUES (\(bind: unitID), \(bind: n), \(bind: u), \(bind: secret), \(bind: kindText), 1, \(bind: actor.label), \(bind: w.t))
                RETURNING *
                """).first() else { throw StoreError.corrupt("insert returned no row") }
            let hook = try Self.webhook(from: r)
            // The secret never goes into the audit trail.
            try await w.audit(actor, "create", "webhook", hook.id, new: hook)
            return (hook, secret)
        }
    }

    /// Stops a webhook: its pending deliveries fail. Idempotent.
    public func deactivateWebhook(id: Int64, by actor: AuditActor) async throws {
        try await write { w in
            guard let r = try await w.sql.raw("SELECT * FROM webhooks WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "webhook", id: "\(id)")
            }
            guard try r.bool("active") else { return }
            try await w.sql.raw("UPDATE webhooks SET active = 0, deactivated_at = \(bind: w.t) WHERE id = \(bind: id)").run()
            try await w.sql.raw("""
                UPDATE webhook_deliveries SET status = 'failed', last_error = 'webhook deactivated', claim = NULL
                WHERE webhook_id = \(bind: id) AND status = 'pending'
                """).run()
            try await w.audit(actor, "deactivate", "webhook", id, old: try Self.webhook(from: r))
        }
    }

    static func delivery(from r: any SQLRow) throws -> WebhookDelivery {
        WebhookDelivery(id: try r.int64("id"), webhookID: try r.int64("webhook_id"), alertID: try r.int64("alert_id"),
                        status: DeliveryStatus(rawValue: try r.string("status")) ?? .pending, attempts: try r.int("attempts"),
                        nextAttemptAt: Date(timeIntervalSince1970: try r.double("next_attempt_at")),
                        lastAttemptAt: try r.optDouble("last_attempt_at").date, lastStatusCode: try r.decode(column: "last_status_code", as: Int?.self),
                        lastError: try r.optString("last_error"), sentAt: try r.optDouble("sent_at").date,
                        createdAt: Date(timeIntervalSince1970: try r.double("created_at")), resentFrom: try r.optInt64("resent_from"),
                        payload: try r.string("payload"))
    }

    /// The delivery log of a webhook, newest first.
    public func webhookDeliveries(webhookID: Int64, limit: Int = 100) async throws -> [WebhookDelivery] {
        try await read { sql in
            try await sql.raw("SELECT * FROM webhook_deliveries WHERE webhook_id = \(bind: webhookID) ORDER BY id DESC LIMIT \(unsafeRaw: String(max(1, limit)))")
                .all().map(Self.delivery(from:))
        }
    }

    public func webhookDelivery(id: Int64) async throws -> WebhookDelivery {
        try await read { sql in
            guard let r = try await sql.raw("SELECT * FROM webhook_deliveries WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "webhook_delivery", id: "\(id)")
            }
            return try Self.delivery(from: r)
        }
    }

    /// Sends an alert to a webhook again: a new pending delivery with the same body, due now.
    @discardableResult
    public func resendDelivery(id: Int64, by actor: AuditActor) async throws -> WebhookDelivery {
        try await write { w in
            guard let r = try await w.sql.raw("SELECT * FROM webhook_deliveries WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "webhook_delivery", id: "\(id)")
            }
            let old = try Self.delivery(from: r)
            guard let h = try await w.sql.raw("SELECT active FROM webhooks WHERE id = \(bind: old.webhookID)").first(), try h.bool("active") else {
                throw StoreError.rejected([InputProblem("webhook", "webhook_inactive")])
            }
            guard let n = try await w.sql.raw("""
                INSERT INTO webhook_deliveries (webhook_id, alert_id, payload, status, attempts, next_attempt_at, created_at, resent_from)
                VALUES (\(bind: old.webhookID), \(bind: old.alertID), \(bind: old.payload), 'pending', 0, \(bind: w.t), \(bind: w.t), \(bind: id))
                RETURNING *
                """).first() else { throw StoreError.corrupt("insert returned no row") }
            let d = try Self.delivery(from: n)
            try await w.audit(actor, "resend", "webhook_delivery", d.id, new: ["resent_from": id, "webhook": old.webhookID, "alert": old.alertID])
            // Wakes the delivery workers of every instance at once instead of at their next round.
            try await Self.notify(w, .alerts)
            return d
        }
    }

    /// Claims up to `limit` due deliveries for this worker: each is kept from other workers for
    /// `policy.lease` seconds (its next attempt moves there) under a fresh claim token. On
    /// PostgreSQL the rows are locked `FOR UPDATE SKIP LOCKED`, so instances claiming at the same
    /// time never take the same row; SQLite has a single writer. Bookkeeping, not audited (the
    /// outcome is, see ``recordDeliveryAttempt``).
    public func claimDueDeliveries(now: Date, limit: Int = 20, policy: WebhookRetryPolicy = .standard) async throws -> [WebhookJob] {
        let t = now.timeIntervalSince1970
        let kind = database.kind
        let claim = UUID().uuidString.lowercased()
        return try await database.transaction { sql in
            let lock: SQLQueryString = kind == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            let due = try await sql.raw("""
                SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= \(bind: t)
                ORDER BY next_attempt_at, id LIMIT \(unsafeRaw: String(max(1, limit)))
                """ + lock).all().map { try $0.int64("id") }
            guard !due.isEmpty else { return [] }
            let ids = due.map(String.init).joined(separator: ",")
            try await sql.raw("""
                UPDATE webhook_deliveries SET next_attempt_at = \(bind: t + policy.lease), claim = \(bind: claim)
                WHERE id IN (\(unsafeRaw: ids))
                """).run()
            return try await sql.raw("""
                SELECT d.id, d.webhook_id, d.payload, d.attempts, w.url, w.secret FROM webhook_deliveries d
                JOIN webhooks w ON w.id = d.webhook_id WHERE d.id IN (\(unsafeRaw: ids)) ORDER BY d.next_attempt_at, d.id
                """).all().map { r in
                WebhookJob(deliveryID: try r.int64("id"), webhookID: try r.int64("webhook_id"), url: try r.string("url"),
                           secret: try r.string("secret"), payload: try r.string("payload"), attempts: try r.int("attempts"), claim: claim)
            }
        }
    }

    /// Records one attempt of a claimed delivery: 2xx → sent; otherwise pending again after the
    /// back-off, or failed after the last attempt. A stale claim (another worker took the row
    /// after the lease ran out) records nothing and returns nil. The outcome (sent, failed) is audited.
    @discardableResult
    public func recordDeliveryAttempt(_ job: WebhookJob, at: Date, statusCode: Int?, error: String?,
                                      policy: WebhookRetryPolicy = .standard) async throws -> WebhookDelivery? {
        let t = at.timeIntervalSince1970
        let ok = statusCode.map { (200...299).contains($0) } ?? false
        let message = error.map { String($0.prefix(500)) }
        return try await write { w in
            guard let r = try await w.sql.raw("""
                SELECT attempts FROM webhook_deliveries WHERE id = \(bind: job.deliveryID) AND claim = \(bind: job.claim) AND status = 'pending'
                """).first() else { return nil }
            let attempts = try r.int("attempts") + 1
            let status: DeliveryStatus = ok ? .sent : attempts >= policy.maxAttempts ? .failed : .pending
            let next = status == .pending ? t + policy.delay(afterAttempt: attempts) : t
            try await w.sql.raw("""
                UPDATE webhook_deliveries SET status = \(bind: status.rawValue), attempts = \(bind: attempts), next_attempt_at = \(bind: next),
                    last_attempt_at = \(bind: t), last_status_code = \(bind: statusCode), last_error = \(bind: ok ? nil : message),
                    sent_at = \(bind: ok ? t : nil), claim = NULL
                WHERE id = \(bind: job.deliveryID)
                """).run()
            if status != .pending {
                try await w.audit(.system, status == .sent ? "deliver" : "fail", "webhook_delivery", job.deliveryID,
                                  new: ["attempts": String(attempts), "status_code": statusCode.map(String.init) ?? "", "error": message ?? ""])
            }
            guard let d = try await w.sql.raw("SELECT * FROM webhook_deliveries WHERE id = \(bind: job.deliveryID)").first() else { return nil }
            return try Self.delivery(from: d)
        }
    }
}

/// The signature of a webhook body: `sha256=` + hex HMAC-SHA256 of `timestamp + "." + body` keyed with the secret.
public enum WebhookSignature {
    public static func sign(secret: String, timestamp: String, body: String) -> String {
        var msg = Data(timestamp.utf8)
        msg.append(UInt8(ascii: "."))
        msg.append(Data(body.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: msg, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
