import Foundation
import PantauCore
import SQLKit

/// What a before/after comparison reads: the closed cases of one SOP opened in the window before
/// a split instant against those opened in the window after it (the same length on each side).
public struct BeforeAfterQuery: Sendable, Hashable {
    public var sopID: Int64
    public var split: Date
    /// Days on each side (1 … ``PantauStore/beforeAfterMaxWindowDays``).
    public var windowDays: Int
    /// One unit (nil: every unit the reader may see).
    public var unitID: Int64?
    /// Units the reader may see (nil: all).
    public var visibleUnits: Set<Int64>?

    public init(sopID: Int64, split: Date, windowDays: Int = 90, unitID: Int64? = nil, visibleUnits: Set<Int64>? = nil) {
        self.sopID = sopID; self.split = split; self.windowDays = windowDays; self.unitID = unitID; self.visibleUnits = visibleUnits
    }
}

/// The numbers behind a comparison: both sides' samples and the windows actually used.
public struct BeforeAfterSamples: Sendable, Hashable {
    public var beforeFrom: Date
    public var split: Date
    public var afterTo: Date
    public var before: BeforeAfterSide
    public var after: BeforeAfterSide
}

/// Median lead time of an SOP's recently closed cases (the transparency page).
public struct RecentLeadTime: Sendable, Hashable {
    public var sopID: Int64
    public var closedCases: Int
    public var medianLeadSeconds: Double
}

extension PantauStore {
    /// Longest window on each side of a comparison.
    public static let beforeAfterMaxWindowDays = 730

    /// First and last opening time of an SOP's cases within the filter (nil: no cases).
    public func caseRange(sopID: Int64, filter: MonitoringFilter) async throws -> ClosedRange<Date>? {
        try await read { sql in
            let r = try await sql.raw("SELECT MIN(t.opened_at) AS lo, MAX(t.opened_at) AS hi FROM service_cases t WHERE "
                                      + filter.conditions(sopID: sopID)).first()
            guard let lo = try r?.optDouble("lo"), let hi = try r?.optDouble("hi") else { return nil }
            return Date(timeIntervalSince1970: lo)...Date(timeIntervalSince1970: hi)
        }
    }

    /// The samples of a before/after comparison, read-only in one read: lead time, compliance,
    /// per-step time and wait of each closed case, each case's total wait (summed by the
    /// database), and the IKM of each SKM period of the SOP's unit (the survey linked to the SOP,
    /// else the unit's surveys without an SOP; with a unit filter, that unit's) that overlaps the
    /// windows and lies wholly on one side of the split (a period straddling it counts on neither).
    ///
    /// Both windows have the same length: `windowDays`, shortened to the time from the split to
    /// now when the after side has not lasted that long yet.
    /// - Throws: ``StoreError/rejected(_:)`` for a window out of range (`window`) or a split in the
    ///   future (`date`); ``StoreError/notFound(entity:id:)`` for an unknown SOP.
    public func beforeAfterSamples(_ q: BeforeAfterQuery) async throws -> BeforeAfterSamples {
        guard (1...Self.beforeAfterMaxWindowDays).contains(q.windowDays) else {
            throw StoreError.rejected([InputProblem("window", "window_range", ["1", String(Self.beforeAfterMaxWindowDays)])])
        }
        let now = self.now()
        guard q.split < now else { throw StoreError.rejected([InputProblem("date", "split_in_future", [])]) }
        let sop = try await sop(id: q.sopID)
        let length = min(Double(q.windowDays) * 86_400, now.timeIntervalSince(q.split))
        let from = q.split.addingTimeInterval(-length), to = q.split.addingTimeInterval(length)
        let split = q.split.timeIntervalSince1970
        let filter = MonitoringFilter(from: from, to: to, unitID: q.unitID, visibleUnits: q.visibleUnits)
        let surveyUnit = q.unitID ?? sop.unitID
        let (casesBefore, casesAfter, surveys) = try await read { sql -> (BeforeAfterSide, BeforeAfterSide, [SurveyRecord]) in
            var before = BeforeAfterSide(), after = BeforeAfterSide()
            let cond = filter.conditions(sopID: q.sopID)
            // Cases: lead time and compliance.
            for r in try await sql.raw("SELECT t.opened_at, t.lead_seconds, t.compliant FROM service_cases t WHERE " + cond
                                       + " AND t.status = 'closed'").all() {
                let isAfter = try r.double("opened_at") >= split
                if let lead = try r.optDouble("lead_seconds") {
                    if isAfter { after.leadSeconds.append(lead) } else { before.leadSeconds.append(lead) }
                }
                if let ok = try r.decode(column: "compliant", as: Int?.self) {
                    if isAfter { after.checkedCases += 1; after.compliantCases += ok != 0 ? 1 : 0 }
                    else { before.checkedCases += 1; before.compliantCases += ok != 0 ? 1 : 0 }
                }
            }
            // Steps of closed cases: time in the step and the wait before it, where measured.
            let closed: SQLQueryString = " AND EXISTS (SELECT 1 FROM service_cases c WHERE c.id = t.case_id AND c.status = 'closed')"
            for r in try await sql.raw("SELECT t.opened_at, t.step, t.measured, t.seconds, t.waited, t.waiting_seconds FROM case_steps t WHERE "
                                       + cond + closed + " AND (t.measured > 0 OR t.waited > 0)").all() {
                let isAfter = try r.double("opened_at") >= split
                let step = try r.string("step")
                if try r.int("measured") > 0 {
                    let v = try r.double("seconds")
                    if isAfter { after.stepSeconds[step, default: []].append(v) } else { before.stepSeconds[step, default: []].append(v) }
                }
                if try r.int("waited") > 0 {
                    let v = try r.double("waiting_seconds")
                    if isAfter { after.stepWaitingSeconds[step, default: []].append(v) }
                    else { before.stepWaitingSeconds[step, default: []].append(v) }
                }
            }
            // Total wait per case, summed by the database (cases with at least one measured wait).
            for r in try await sql.raw("SELECT MIN(t.opened_at) AS opened_at, SUM(t.waiting_seconds) AS w FROM case_steps t WHERE "
                                       + cond + closed + " GROUP BY t.case_id HAVING SUM(t.waited) > 0").all() {
                let v = try r.double("w")
                if try r.double("opened_at") >= split { after.waitingSeconds.append(v) } else { before.waitingSeconds.append(v) }
            }
            let rows = try await sql.raw("SELECT * FROM surveys WHERE unit_id = \(bind: surveyUnit) ORDER BY id").all()
            return (before, after, try rows.map(Self.survey(from:)))
        }
        var before = casesBefore, after = casesAfter
        // IKM: the SOP's own survey(s), else the unit's surveys not tied to another SOP.
        let own = surveys.filter { $0.sopID == q.sopID }
        let chosen = own.isEmpty ? surveys.filter { $0.sopID == nil } : own
        let firstDay = CivilDate(from), lastDay = CivilDate(to.addingTimeInterval(-1)), splitDay = CivilDate(q.split)
        for s in chosen {
            var p = SurveyPeriod(containing: firstDay, kind: s.periodKind)
            while p.firstDay <= lastDay {
                defer { p = p.next }
                // Wholly on one side of the split (a period straddling it belongs to neither).
                let side: Bool?
                if p.lastDay < splitDay { side = false } else if p.firstDay >= splitDay { side = true } else { side = nil }
                guard let isAfter = side else { continue }
                let r = try await skmResult(surveyID: s.id, definition: s.definition, period: p)
                guard r.respondentCount > 0, let ikm = r.ikm else { continue }
                let f = IKMPeriodFigure(surveyID: s.id, survey: s.name, period: p.description, from: p.firstDay, to: p.lastDay,
                                        respondents: r.respondentCount, ikm: ikm)
                if isAfter { after.ikm.append(f) } else { before.ikm.append(f) }
            }
        }
        return BeforeAfterSamples(beforeFrom: from, split: q.split, afterTo: to, before: before, after: after)
    }

    /// The comparison itself: ``beforeAfterSamples(_:)`` put through the tests, steps in the
    /// order of `stepOrder` (the SOP's).
    public func beforeAfter(_ q: BeforeAfterQuery, stepOrder: [String],
                            bootstrap: BeforeAfterStatistics.BootstrapOptions = .init()) async throws -> BeforeAfterComparison {
        let s = try await beforeAfterSamples(q)
        return BeforeAfterComparison(split: s.split, beforeFrom: s.beforeFrom, afterTo: s.afterTo, before: s.before, after: s.after,
                                     stepOrder: stepOrder, bootstrap: bootstrap)
    }

    /// Median lead time of the closed cases of these SOPs opened since `since`, per SOP; SOPs
    /// without such cases are left out. One query over the (sop_id, opened_at) index.
    public func recentLeadTimes(sopIDs: Set<Int64>, since: Date) async throws -> [Int64: RecentLeadTime] {
        if sopIDs.isEmpty { return [:] }
        return try await read { sql in
            var leads: [Int64: [Double]] = [:]
            for r in try await sql.raw("""
                SELECT sop_id, lead_seconds FROM service_cases
                WHERE sop_id IN (\(unsafeRaw: sopIDs.sorted().map(String.init).joined(separator: ",")))
                AND opened_at >= \(bind: since.timeIntervalSince1970) AND status = 'closed' AND lead_seconds IS NOT NULL
                """).all() {
                leads[try r.int64("sop_id"), default: []].append(try r.double("lead_seconds"))
            }
            var out: [Int64: RecentLeadTime] = [:]
            for (id, xs) in leads {
                guard let m = BeforeAfterStatistics.median(xs) else { continue }
                out[id] = RecentLeadTime(sopID: id, closedCases: xs.count, medianLeadSeconds: m)
            }
            return out
        }
    }
}
