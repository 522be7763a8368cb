import Foundation
import PantauCore
import SQLKit

/// Which cases the monitoring figures cover: those opened in [from, to), of these units.
public struct MonitoringFilter: Sendable, Hashable {
    public var from: Date?
    public var to: Date?
    /// One unit (nil: all units the reader may see).
    public var unitID: Int64?
    /// Units the reader may see (nil: all).
    public var visibleUnits: Set<Int64>?

    public init(from: Date? = nil, to: Date? = nil, unitID: Int64? = nil, visibleUnits: Set<Int64>? = nil) {
        self.from = from
        self.to = to
        self.unitID = unitID
        self.visibleUnits = visibleUnits
    }

    /// SQL conditions on a table with `unit_id` and `opened_at` (alias `t`).
    func conditions(sopID: Int64) -> SQLQueryString {
        var q: SQLQueryString = "t.sop_id = \(bind: sopID)"
        if let f = from { q += " AND t.opened_at >= \(bind: f.timeIntervalSince1970)" }
        if let e = to { q += " AND t.opened_at < \(bind: e.timeIntervalSince1970)" }
        if let u = unitID { q += " AND t.unit_id = \(bind: u)" }
        if let v = visibleUnits { q += " AND t.unit_id IN (\(unsafeRaw: v.isEmpty ? "-1" : v.sorted().map(String.init).joined(separator: ",")))" }
        return q
    }
}

/// Sums of one step (or one activity outside the SOP, key `"?" + activity`) over the cases.
public struct StepTotals: Sendable, Hashable, Codable {
    public var key: String
    public var cases: Int
    public var occurrences: Int
    public var measured: Int
    public var withinStandard: Int
    public var seconds: Double
    public var excessSeconds: Double
    public var waited: Int
    public var waitingSeconds: Double
    public var reworkSeconds: Double
    public var deviations: DeviationCounts
    public var casesSkipping: Int
    public var casesRepeating: Int
    public var casesOutOfOrder: Int
    public var casesUnexpected: Int
}

public struct ArcTotals: Sendable, Hashable, Codable {
    public var source: String
    public var target: String
    public var count: Int
    public var seconds: Double
}

public struct VariantCount: Sendable, Hashable, Codable {
    /// Step ids (or `"?" + activity`) in order.
    public var path: [String]
    public var cases: Int
    public var compliant: Bool
}

public struct CaseSummary: Sendable, Hashable, Codable {
    public var id: Int64
    public var reference: String
    public var unitID: Int64
    public var status: String
    public var version: Int?
    public var openedAt: Date?
    public var lastEventAt: Date?
    public var events: Int
    public var compliant: Bool?
    public var leadSeconds: Double?
    public var standardSeconds: Double?
}

public struct UnitTotals: Sendable, Hashable, Codable {
    public var unitID: Int64
    public var cases: Int
    public var compliant: Int
    public var closed: Int
    public var medianLeadSeconds: Double?
    public var withinStandard: Int
}

/// The stored monitoring figures of one SOP for a filter: what the monitoring page and API show.
public struct MonitoringFigures: Sendable, Hashable, Codable {
    public var cases: Int
    public var closedCases: Int
    public var compliantCases: Int
    public var casesWithRework: Int
    public var reworkSeconds: Double
    /// Lead times of closed cases.
    public var medianLeadSeconds: Double?
    public var p90LeadSeconds: Double?
    /// Closed cases whose lead time is within their SOP's total standard, and those with a standard.
    public var closedWithinStandard: Int
    public var closedWithStandard: Int
    public var steps: [StepTotals]
    public var arcs: [ArcTotals]
    public var variants: [VariantCount]
    public var variantCount: Int
    public var overdueOpenCases: [CaseSummary]
    public var units: [UnitTotals]
    public var lastEventAt: Date?
}

extension PantauStore {
    /// Percentile by linear interpolation (as ``DurationStatistics``) of sorted values.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let x = p * Double(sorted.count - 1)
        let lo = Int(x.rounded(.down)), hi = Int(x.rounded(.up))
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (x - Double(lo))
    }

    /// The monitoring figures of an SOP from the stored case results (never the raw events).
    public func monitoring(sopID: Int64, filter: MonitoringFilter, variantLimit: Int = 10, overdueLimit: Int = 20) async throws -> MonitoringFigures {
        let now = self.now().timeIntervalSince1970
        return try await read { sql in
            let cond = filter.conditions(sopID: sopID)
            let head = try await sql.raw("""
                SELECT COUNT(*) AS n,
                    COALESCE(SUM(CASE WHEN t.status = 'closed' THEN 1 ELSE 0 END), 0) AS closed,
                    COALESCE(SUM(t.compliant), 0) AS compliant,
                    COALESCE(SUM(CASE WHEN t.repeated > 0 THEN 1 ELSE 0 END), 0) AS rework_cases,
                    COALESCE(SUM(t.rework_seconds), 0) AS rework_seconds,
                    COALESCE(SUM(CASE WHEN t.status = 'closed' AND t.standard_seconds IS NOT NULL AND t.lead_seconds <= t.standard_seconds THEN 1 ELSE 0 END), 0) AS within,
                    COALESCE(SUM(CASE WHEN t.status = 'closed' AND t.standard_seconds IS NOT NULL THEN 1 ELSE 0 END), 0) AS with_std,
                    MAX(t.last_event_at) AS last_at
                FROM service_cases t WHERE
                """ + " " + cond).first()
            var leads: [Double] = []
            for r in try await sql.raw("SELECT t.lead_seconds FROM service_cases t WHERE " + cond
                                       + " AND t.status = 'closed' AND t.lead_seconds IS NOT NULL").all() {
                leads.append(try r.double("lead_seconds"))
            }
            leads.sort()
            var steps: [StepTotals] = []
            for r in try await sql.raw("""
                SELECT t.step, COUNT(*) AS cases, SUM(t.occurrences) AS occ, SUM(t.measured) AS measured, SUM(t.within_standard) AS within,
                    SUM(t.seconds) AS seconds, SUM(t.excess_seconds) AS excess, SUM(t.waited) AS waited, SUM(t.waiting_seconds) AS waiting,
                    SUM(t.rework_seconds) AS rework, SUM(t.skipped) AS skipped, SUM(t.unexpected) AS unexpected, SUM(t.repeated) AS repeated,
                    SUM(t.out_of_order) AS ooo,
                    SUM(CASE WHEN t.skipped > 0 THEN 1 ELSE 0 END) AS c_skipped, SUM(CASE WHEN t.repeated > 0 THEN 1 ELSE 0 END) AS c_repeated,
                    SUM(CASE WHEN t.out_of_order > 0 THEN 1 ELSE 0 END) AS c_ooo, SUM(CASE WHEN t.unexpected > 0 THEN 1 ELSE 0 END) AS c_unexpected
                FROM case_steps t WHERE
                """ + " " + cond + " GROUP BY t.step").all() {
                var d = DeviationCounts()
                d.skipped = try r.int("skipped"); d.unexpected = try r.int("unexpected")
                d.repeated = try r.int("repeated"); d.outOfOrder = try r.int("ooo")
                steps.append(StepTotals(
                    key: try r.string("step"), cases: try r.int("cases"), occurrences: try r.int("occ"), measured: try r.int("measured"),
                    withinStandard: try r.int("within"), seconds: try r.double("seconds"), excessSeconds: try r.double("excess"),
                    waited: try r.int("waited"), waitingSeconds: try r.double("waiting"), reworkSeconds: try r.double("rework"),
                    deviations: d, casesSkipping: try r.int("c_skipped"), casesRepeating: try r.int("c_repeated"),
                    casesOutOfOrder: try r.int("c_ooo"), casesUnexpected: try r.int("c_unexpected")))
            }
            steps.sort { $0.key < $1.key }
            var arcs: [ArcTotals] = []
            for r in try await sql.raw("SELECT t.source, t.target, SUM(t.n) AS n, SUM(t.seconds) AS seconds FROM case_arcs t WHERE "
                                       + cond + " GROUP BY t.source, t.target").all() {
                arcs.append(ArcTotals(source: try r.string("source"), target: try r.string("target"), count: try r.int("n"), seconds: try r.double("seconds")))
            }
            arcs.sort { ($0.count, $1.source, $1.target) > ($1.count, $0.source, $0.target) }
            var variants: [VariantCount] = []
            for r in try await sql.raw("SELECT t.variant, COUNT(*) AS n, MIN(t.compliant) AS ok FROM service_cases t WHERE " + cond
                                       + " AND t.variant IS NOT NULL GROUP BY t.variant ORDER BY COUNT(*) DESC, t.variant LIMIT \(bind: variantLimit)").all() {
                let v = try r.string("variant")
                variants.append(VariantCount(path: v.isEmpty ? [] : v.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init),
                                             cases: try r.int("n"), compliant: (try r.decode(column: "ok", as: Int?.self) ?? 0) != 0))
            }
            let variantCount = try await sql.raw("SELECT COUNT(DISTINCT t.variant) AS n FROM service_cases t WHERE " + cond).first()?.int("n") ?? 0
            var overdue: [CaseSummary] = []
            for r in try await sql.raw("SELECT t.* FROM service_cases t WHERE " + cond
                                       + " AND t.status = 'open' AND t.standard_seconds IS NOT NULL AND t.opened_at + t.standard_seconds < \(bind: now)"
                                       + " ORDER BY t.opened_at, t.id LIMIT \(bind: overdueLimit)").all() {
                overdue.append(try Self.caseSummary(from: r))
            }
            var byUnit: [Int64: [Double]] = [:]
            for r in try await sql.raw("SELECT t.unit_id, t.lead_seconds FROM service_cases t WHERE " + cond
                                       + " AND t.status = 'closed' AND t.lead_seconds IS NOT NULL").all() {
                byUnit[try r.int64("unit_id"), default: []].append(try r.double("lead_seconds"))
            }
            var units: [UnitTotals] = []
            for r in try await sql.raw("""
                SELECT t.unit_id, COUNT(*) AS n, COALESCE(SUM(t.compliant), 0) AS ok,
                    SUM(CASE WHEN t.status = 'closed' THEN 1 ELSE 0 END) AS closed,
                    SUM(CASE WHEN t.status = 'closed' AND t.lead_seconds <= t.standard_seconds THEN 1 ELSE 0 END) AS within
                FROM service_cases t WHERE
                """ + " " + cond + " GROUP BY t.unit_id ORDER BY t.unit_id").all() {
                let u = try r.int64("unit_id")
                units.append(UnitTotals(unitID: u, cases: try r.int("n"), compliant: try r.int("ok"), closed: try r.int("closed"),
                                        medianLeadSeconds: Self.percentile((byUnit[u] ?? []).sorted(), 0.5),
                                        withinStandard: (try r.decode(column: "within", as: Int?.self)) ?? 0))
            }
            return MonitoringFigures(
                cases: try head?.int("n") ?? 0, closedCases: try head?.int("closed") ?? 0, compliantCases: try head?.int("compliant") ?? 0,
                casesWithRework: try head?.int("rework_cases") ?? 0, reworkSeconds: try head?.double("rework_seconds") ?? 0,
                medianLeadSeconds: Self.percentile(leads, 0.5), p90LeadSeconds: Self.percentile(leads, 0.9),
                closedWithinStandard: try head?.int("within") ?? 0, closedWithStandard: try head?.int("with_std") ?? 0,
                steps: steps, arcs: arcs, variants: variants, variantCount: variantCount, overdueOpenCases: overdue, units: units,
                lastEventAt: try head?.optDouble("last_at").date)
        }
    }

    static func caseSummary(from r: any SQLRow) throws -> CaseSummary {
        CaseSummary(id: try r.int64("id"), reference: try r.string("reference"), unitID: try r.int64("unit_id"), status: try r.string("status"),
                    version: try r.decode(column: "version", as: Int?.self), openedAt: try r.optDouble("opened_at").date,
                    lastEventAt: try r.optDouble("last_event_at").date, events: try r.int("events"),
                    compliant: try r.decode(column: "compliant", as: Int?.self).map { $0 != 0 },
                    leadSeconds: try r.optDouble("lead_seconds"), standardSeconds: try r.optDouble("standard_seconds"))
    }

    /// Cases of an SOP, newest first, with the filter's scope.
    public func serviceCases(sopID: Int64, filter: MonitoringFilter, page: Int = 1, perPage: Int = 50) async throws -> Page<CaseSummary> {
        try await read { sql in
            let cond = filter.conditions(sopID: sopID)
            let total = try await sql.raw("SELECT COUNT(*) AS n FROM service_cases t WHERE " + cond).first()?.int("n") ?? 0
            let rows = try await sql.raw("SELECT t.* FROM service_cases t WHERE " + cond
                                         + " ORDER BY t.opened_at DESC, t.id DESC LIMIT \(bind: perPage) OFFSET \(bind: (max(1, page) - 1) * perPage)").all()
            return Page(items: try rows.map(Self.caseSummary(from:)), total: total, page: max(1, page), perPage: perPage)
        }
    }

    /// One stored event of a case, as the timeline shows it.
    public struct ServiceEventRecord: Sendable, Hashable, Codable {
        public var id: Int64
        public var clientID: String
        public var activity: String
        public var lifecycle: EventLifecycle
        public var startedAt: Date?
        public var at: Date
        public var resource: String?
        public var source: String
        public var note: String?
    }

    /// A case with its events and stored analysis.
    public func serviceCase(id: Int64) async throws -> (summary: CaseSummary, sopID: Int64, events: [ServiceEventRecord], analysis: CaseAnalysis?) {
        try await read { sql in
            guard let r = try await sql.raw("SELECT * FROM service_cases WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "case", id: "\(id)")
            }
            let summary = try Self.caseSummary(from: r)
            var analysis: CaseAnalysis? = nil
            // The stored analysis: the summary columns, the case's deviations (JSON in `result`),
            // its path (`variant`) and its per-step rows.
            if let text = try r.optString("result"), try r.optDouble("analysed_at") != nil {
                let deviations: [Deviation]
                do { deviations = try JSONDecoder().decode([Deviation].self, from: Data(text.utf8)) }
                catch { throw StoreError.corrupt("service_cases.result of case \(id): \(error)") }
                var steps: [CaseStepFigures] = []
                var outside: [String: Int] = [:]
                for s in try await sql.raw("SELECT * FROM case_steps WHERE case_id = \(bind: id)").all() {
                    let key = try s.string("step")
                    if key.hasPrefix("?") { outside[String(key.dropFirst())] = try s.int("occurrences"); continue }
                    var f = CaseStepFigures(stepID: key)
                    f.occurrences = try s.int("occurrences"); f.measured = try s.int("measured")
                    f.withinStandard = try s.int("within_standard"); f.seconds = try s.double("seconds")
                    f.excessSeconds = try s.double("excess_seconds"); f.waited = try s.int("waited")
                    f.waitingSeconds = try s.double("waiting_seconds"); f.reworkSeconds = try s.double("rework_seconds")
                    f.deviations.skipped = try s.int("skipped"); f.deviations.unexpected = try s.int("unexpected")
                    f.deviations.repeated = try s.int("repeated"); f.deviations.outOfOrder = try s.int("out_of_order")
                    steps.append(f)
                }
                let variant = try r.optString("variant") ?? ""
                let path = variant.isEmpty ? [] : variant.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
                analysis = CaseAnalysis(
                    compliant: (try r.decode(column: "compliant", as: Int?.self) ?? 0) != 0, fitness: try r.optDouble("fitness"),
                    deviations: deviations, steps: steps, outsideSOP: outside, leadSeconds: try r.optDouble("lead_seconds"),
                    firstAt: try r.optDouble("opened_at"), lastAt: try r.optDouble("last_event_at"), path: path,
                    repeatedOccurrences: steps.reduce(0) { $0 + max(0, $1.occurrences - 1) },
                    reworkSeconds: try r.double("rework_seconds"), pathStandardSeconds: nil)
            }
            let events = try await sql.raw("SELECT * FROM service_events WHERE case_id = \(bind: id) ORDER BY at, id").all().map { e in
                ServiceEventRecord(id: try e.int64("id"), clientID: try e.string("client_id"), activity: try e.string("activity"),
                                   lifecycle: EventLifecycle(rawValue: try e.string("lifecycle")) ?? .complete,
                                   startedAt: try e.optDouble("started_at").date, at: Date(timeIntervalSince1970: try e.double("at")),
                                   resource: try e.optString("resource"), source: try e.string("source"), note: try e.optString("note"))
            }
            return (summary, try r.int64("sop_id"), events, analysis)
        }
    }

    /// Activity names seen in an SOP's events that map to no step (with their event counts).
    public func unmappedActivities(sopID: Int64) async throws -> [(activity: String, events: Int)] {
        try await read { sql in
            try await sql.raw("""
                SELECT SUBSTR(t.step, 2) AS activity, SUM(t.occurrences) AS n FROM case_steps t
                WHERE t.sop_id = \(bind: sopID) AND t.step LIKE '?%' GROUP BY t.step ORDER BY SUM(t.occurrences) DESC, t.step LIMIT 50
                """).all().map { (try $0.string("activity"), try $0.int("n")) }
        }
    }
}

extension PantauStore {
    /// What changes when an SOP's figures change (for live pages): number of cases, latest event,
    /// latest analysis, within the filter.
    public func monitoringStamp(sopID: Int64, filter: MonitoringFilter) async throws -> (cases: Int, lastEventAt: Date?, analysedAt: Date?) {
        try await read { sql in
            let r = try await sql.raw("SELECT COUNT(*) AS n, MAX(t.last_event_at) AS last_at, MAX(t.analysed_at) AS analysed FROM service_cases t WHERE "
                                      + filter.conditions(sopID: sopID)).first()
            return (try r?.int("n") ?? 0, try r?.optDouble("last_at").date, try r?.optDouble("analysed").date)
        }
    }
}

extension PantauStore.ServiceEventRecord {
    /// A case's completed activities in order, with their starts paired, exactly as the analysis
    /// sees them (``PantauStore/caseEvents(_:)``): what a timeline of the case draws.
    public static func completedActivities(_ events: [Self]) -> [CaseEvent] {
        PantauStore.caseEvents(events.map {
            PantauStore.StoredEvent(id: $0.id, caseID: 0, activity: $0.activity, lifecycle: $0.lifecycle,
                                    startedAt: $0.startedAt?.timeIntervalSince1970, at: $0.at.timeIntervalSince1970, resource: $0.resource)
        })
    }
}
