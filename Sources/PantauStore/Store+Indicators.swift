import Foundation
import PantauCore
import SQLKit

// MARK: - Indicators (IKU): records and inputs

/// What a person sets for an indicator of an SOP or a unit.
public struct IndicatorInput: Sendable, Equatable {
    public var unitID: Int64
    /// The SOP it measures (nil: a unit-level indicator).
    public var sopID: Int64?
    /// Short code, unique in the unit, e.g. `IKU-1`.
    public var code: String
    public var name: String
    public var metric: IndicatorMetric
    /// The SKM unsur of an ``IndicatorMetric/unsurNRR`` indicator.
    public var unsur: UnsurCode?
    /// Satuan: `%`, `menit`, `indeks`, `Rp`, ...
    public var unitOfMeasure: String
    public var direction: IndicatorDirection
    public var periodKind: SurveyPeriod.Kind
    public var description: String

    public init(unitID: Int64, sopID: Int64? = nil, code: String, name: String, metric: IndicatorMetric, unsur: UnsurCode? = nil,
                unitOfMeasure: String, direction: IndicatorDirection, periodKind: SurveyPeriod.Kind, description: String = "") {
        self.unitID = unitID
        self.sopID = sopID
        self.code = code
        self.name = name
        self.metric = metric
        self.unsur = unsur
        self.unitOfMeasure = unitOfMeasure
        self.direction = direction
        self.periodKind = periodKind
        self.description = description
    }

    /// Every problem of the input as codes (`required`, `too_long`, `indicator_needs_sop`,
    /// `indicator_needs_unsur`, `indicator_unit_of_measure`).
    public func inputProblems() -> [InputProblem] {
        var p: [InputProblem] = []
        func text(_ field: String, _ v: String, required: Bool, max: Int) {
            if required && v.isEmpty { p.append(InputProblem(field, "required")) }
            if v.count > max { p.append(InputProblem(field, "too_long", ["\(max)"])) }
        }
        text("code", code, required: true, max: 40)
        text("name", name, required: true, max: 300)
        text("unit_of_measure", unitOfMeasure, required: true, max: 40)
        text("description", description, required: false, max: 4000)
        if metric.needsSOP && sopID == nil { p.append(InputProblem("sop", "indicator_needs_sop")) }
        if metric == .unsurNRR && unsur == nil { p.append(InputProblem("unsur", "indicator_needs_unsur")) }
        if let fixed = metric.unitOfMeasure, !unitOfMeasure.isEmpty, unitOfMeasure != fixed {
            p.append(InputProblem("unit_of_measure", "indicator_unit_of_measure", [fixed]))
        }
        return p
    }

    public func normalized() -> IndicatorInput {
        var x = self
        x.code = code.trimmedOfWhitespace
        x.name = name.trimmedOfWhitespace
        x.unitOfMeasure = unitOfMeasure.trimmedOfWhitespace
        x.description = description.trimmingCharacters(in: .whitespacesAndNewlines)
        if metric != .unsurNRR { x.unsur = nil }
        return x
    }
}

/// An indicator (IKU) of an SOP or unit.
public struct IndicatorRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var unitID: Int64
    public var sopID: Int64?
    public var code: String
    public var name: String
    public var family: IndicatorFamily
    public var metric: IndicatorMetric
    public var unsur: UnsurCode?
    public var unitOfMeasure: String
    public var direction: IndicatorDirection
    public var periodKind: SurveyPeriod.Kind
    public var description: String
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// What a person sets for one period of an indicator: the target, optionally a value entered by
/// hand (it then replaces the computed one and is shown as manual), and the explanation of the
/// result the LKj table carries.
public struct IndicatorPeriodInput: Sendable, Equatable {
    public var period: SurveyPeriod
    public var target: Double?
    public var manualValue: Double?
    /// Why the value is entered by hand and where it comes from (required with a manual value).
    public var manualNote: String
    /// Penjelasan capaian (LKj).
    public var explanation: String

    public init(period: SurveyPeriod, target: Double?, manualValue: Double? = nil, manualNote: String = "", explanation: String = "") {
        self.period = period
        self.target = target
        self.manualValue = manualValue
        self.manualNote = manualNote
        self.explanation = explanation
    }

    /// Every problem of the input for `indicator` (`indicator_period_kind`, `not_a_number`,
    /// `indicator_percent_range`, `required`, `too_long`).
    public func inputProblems(for indicator: IndicatorRecord) -> [InputProblem] {
        var p: [InputProblem] = []
        if period.kind != indicator.periodKind {
            let example = SurveyPeriod(containing: period.firstDay, kind: indicator.periodKind)
            p.append(InputProblem("period", "indicator_period_kind", [period.description, example.description]))
        }
        for (field, v) in [("target", target), ("manual_value", manualValue)] {
            guard let v else { continue }
            if !v.isFinite || v < 0 { p.append(InputProblem(field, "not_a_number")) }
            else if indicator.unitOfMeasure == "%" && v > 100 { p.append(InputProblem(field, "indicator_percent_range")) }
        }
        let note = manualNote.trimmingCharacters(in: .whitespacesAndNewlines)
        if manualValue != nil && note.isEmpty { p.append(InputProblem("manual_note", "required")) }
        if note.count > 2000 { p.append(InputProblem("manual_note", "too_long", ["2000"])) }
        if explanation.count > 4000 { p.append(InputProblem("explanation", "too_long", ["4000"])) }
        if target == nil && manualValue == nil && note.isEmpty && explanation.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            p.append(InputProblem("target", "required"))
        }
        return p
    }
}

/// One period of an indicator as stored.
public struct IndicatorPeriodRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var indicatorID: Int64
    public var period: SurveyPeriod
    public var target: Double?
    public var manualValue: Double?
    public var manualNote: String
    public var explanation: String
    public var updatedBy: String
    public var updatedAt: Date
}

/// Where a realisation comes from.
public enum RealisationSource: String, Sendable, Hashable, Codable, CaseIterable {
    /// Computed from the data (cases, survey responses, quizzes).
    case computed
    /// Entered by hand, with its note and evidence.
    case manual
    /// No data for the period.
    case none
}

/// An indicator's target, realisation and achievement in one period.
public struct IndicatorRealisation: Sendable, Hashable, Codable {
    public var period: SurveyPeriod
    public var target: Double?
    /// The value computed from the data (nil: no data, or a manual metric).
    public var computed: Double?
    /// How many cases, respondents or staff the computed value rests on.
    public var basis: Int?
    public var manual: Double?
    public var manualNote: String
    public var explanation: String
    /// The value that counts: the manual one when entered, else the computed one.
    public var value: Double?
    public var source: RealisationSource
    public var achievement: Double?
    public var status: IndicatorStatus?
    /// The stored period row (for its evidence files), if any.
    public var periodID: Int64?
}

// MARK: - Store: indicators

extension PantauStore {
    static func indicator(from r: any SQLRow) throws -> IndicatorRecord {
        let id = try r.int64("id")
        func parsed<T: RawRepresentable>(_ c: String, _ t: T.Type) throws -> T where T.RawValue == String {
            let raw = try r.string(c)
            guard let v = T(rawValue: raw) else { throw StoreError.corrupt("indicators \(id) \(c) '\(raw)'") }
            return v
        }
        return IndicatorRecord(
            id: id, unitID: try r.int64("unit_id"), sopID: try r.optInt64("sop_id"), code: try r.string("code"), name: try r.string("name"),
            family: try parsed("family", IndicatorFamily.self), metric: try parsed("metric", IndicatorMetric.self),
            unsur: try r.optString("unsur").map(UnsurCode.init(rawValue:)), unitOfMeasure: try r.string("unit_of_measure"),
            direction: try parsed("direction", IndicatorDirection.self), periodKind: try parsed("period_kind", SurveyPeriod.Kind.self),
            description: try r.string("description"), active: try r.int("active") != 0,
            createdAt: Date(timeIntervalSince1970: try r.double("created_at")), updatedAt: Date(timeIntervalSince1970: try r.double("updated_at")))
    }

    static func indicatorPeriod(from r: any SQLRow) throws -> IndicatorPeriodRecord {
        let id = try r.int64("id")
        let text = try r.string("period")
        guard let period = SurveyPeriod(text) else { throw StoreError.corrupt("indicator_periods \(id) period '\(text)'") }
        return IndicatorPeriodRecord(
            id: id, indicatorID: try r.int64("indicator_id"), period: period, target: try r.optDouble("target"),
            manualValue: try r.optDouble("manual_value"), manualNote: try r.string("manual_note"), explanation: try r.string("explanation"),
            updatedBy: try r.string("updated_by"), updatedAt: Date(timeIntervalSince1970: try r.double("updated_at")))
    }

    /// Indicators of units in `unitIDs` (nil: all), optionally of one SOP, by unit then code.
    public func indicators(unitIDs: Set<Int64>? = nil, sopID: Int64? = nil, includeInactive: Bool = false) async throws -> [IndicatorRecord] {
        try await read { sql in
            var q: SQLQueryString = "SELECT * FROM indicators WHERE 1 = 1"
            if let unitIDs { q = q + " AND unit_id IN (\(unsafeRaw: unitIDs.isEmpty ? "-1" : unitIDs.sorted().map(String.init).joined(separator: ",")))" }
            if let sopID { q = q + " AND sop_id = \(bind: sopID)" }
            if !includeInactive { q = q + " AND active = 1" }
            return try await sql.raw(q + " ORDER BY unit_id, code, id").all().map(Self.indicator(from:))
        }
    }

    public func indicator(id: Int64) async throws -> IndicatorRecord {
        try await read { sql in
            guard let r = try await sql.raw("SELECT * FROM indicators WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "indicator", id: "\(id)")
            }
            return try Self.indicator(from: r)
        }
    }

    /// Refuses an input with problems, an unknown SOP or unit, or a code taken in the unit.
    private static func checkIndicator(_ w: WriteContext, _ i: IndicatorInput, exceptID: Int64?) async throws {
        var problems = i.inputProblems()
        if let sopID = i.sopID {
            guard try await w.sql.raw("SELECT id FROM sops WHERE id = \(bind: sopID)").first() != nil else {
                throw StoreError.rejected([InputProblem("sop", "indicator_sop_unknown")])
            }
        }
        guard try await w.sql.raw("SELECT id FROM units WHERE id = \(bind: i.unitID)").first() != nil else {
            throw StoreError.rejected([InputProblem("unit", "indicator_unit_unknown")])
        }
        var dup: SQLQueryString = "SELECT id FROM indicators WHERE unit_id = \(bind: i.unitID) AND code = \(bind: i.code)"
        if let exceptID { dup = dup + " AND id <> \(bind: exceptID)" }
        if !i.code.isEmpty, try await w.sql.raw(dup).first() != nil { problems.append(InputProblem("code", "indicator_code_taken", [i.code])) }
        if !problems.isEmpty { throw StoreError.rejected(problems) }
    }

    @discardableResult
    public func createIndicator(_ input: IndicatorInput, by actor: AuditActor) async throws -> IndicatorRecord {
        let i = input.normalized()
        return try await write { w in
            try await Self.checkIndicator(w, i, exceptID: nil)
            guard let r = try await w.sql.raw("""
                INSERT INTO indicators (unit_id, sop_id, code, name, family, metric, unsur, unit_of_measure, direction, period_kind,
                    description, active, created_by, created_at, updated_at)
                VALUES (\(bind: i.unitID), \(bind: i.sopID), \(bind: i.code), \(bind: i.name), \(bind: i.metric.family.rawValue),
                    \(bind: i.metric.rawValue), \(bind: i.unsur?.rawValue), \(bind: i.unitOfMeasure), \(bind: i.direction.rawValue),
                    \(bind: i.periodKind.rawValue), \(bind: i.description), 1, \(bind: actor.label), \(bind: w.t), \(bind: w.t))
                RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let rec = IndicatorRecord(id: try r.int64("id"), unitID: i.unitID, sopID: i.sopID, code: i.code, name: i.name, family: i.metric.family,
                                      metric: i.metric, unsur: i.unsur, unitOfMeasure: i.unitOfMeasure, direction: i.direction,
                                      periodKind: i.periodKind, description: i.description, active: true, createdAt: w.at, updatedAt: w.at)
            try await w.audit(actor, "create", "indicator", rec.id, new: rec)
            return rec
        }
    }

    /// Changes an indicator. Its period kind is fixed once a period has been stored (the stored
    /// targets would no longer fit); the unit and SOP may not change either.
    @discardableResult
    public func updateIndicator(id: Int64, _ input: IndicatorInput, active: Bool = true, by actor: AuditActor) async throws -> IndicatorRecord {
        let i = input.normalized()
        return try await write { w in
            guard let r = try await w.sql.raw("SELECT * FROM indicators WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "indicator", id: "\(id)")
            }
            let old = try Self.indicator(from: r)
            var fixed = i
            fixed.unitID = old.unitID
            fixed.sopID = old.sopID
            if i.metric.needsSOP && old.sopID == nil { throw StoreError.rejected([InputProblem("metric", "indicator_needs_sop")]) }
            try await Self.checkIndicator(w, fixed, exceptID: id)
            if fixed.periodKind != old.periodKind,
               try await w.sql.raw("SELECT id FROM indicator_periods WHERE indicator_id = \(bind: id)").first() != nil {
                throw StoreError.rejected([InputProblem("period_kind", "indicator_period_kind_fixed")])
            }
            try await w.sql.raw("""
                UPDATE indicators SET code = \(bind: fixed.code), name = \(bind: fixed.name), family = \(bind: fixed.metric.family.rawValue),
                  metric = \(bind: fixed.metric.rawValue), unsur = \(bind: fixed.unsur?.rawValue), unit_of_measure = \(bind: fixed.unitOfMeasure),
                  direction = \(bind: fixed.direction.rawValue), period_kind = \(bind: fixed.periodKind.rawValue),
                  description = \(bind: fixed.description), active = \(bind: active ? 1 : 0), updated_at = \(bind: w.t)
                WHERE id = \(bind: id)
                """).run()
            var rec = old
            rec.code = fixed.code; rec.name = fixed.name; rec.family = fixed.metric.family; rec.metric = fixed.metric; rec.unsur = fixed.unsur
            rec.unitOfMeasure = fixed.unitOfMeasure; rec.direction = fixed.direction; rec.periodKind = fixed.periodKind
            rec.description = fixed.description; rec.active = active; rec.updatedAt = w.at
            try await w.audit(actor, "update", "indicator", id, old: old, new: rec)
            return rec
        }
    }

    /// The stored periods of an indicator, oldest first.
    public func indicatorPeriods(indicatorID: Int64) async throws -> [IndicatorPeriodRecord] {
        try await read { sql in
            try await sql.raw("SELECT * FROM indicator_periods WHERE indicator_id = \(bind: indicatorID)").all()
                .map(Self.indicatorPeriod(from:)).sorted { $0.period < $1.period }
        }
    }

    public func indicatorPeriod(id: Int64) async throws -> IndicatorPeriodRecord {
        try await read { sql in
            guard let r = try await sql.raw("SELECT * FROM indicator_periods WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "indicator_period", id: "\(id)")
            }
            return try Self.indicatorPeriod(from: r)
        }
    }

    /// Sets the target, manual value and explanation of one period (creating the row or replacing
    /// it) and stores its new evidence files, in one audited transaction: a refused file leaves
    /// the period as it was.
    @discardableResult
    public func setIndicatorPeriod(indicatorID: Int64, _ input: IndicatorPeriodInput, evidence: [(name: String, data: [UInt8])] = [],
                                   by actor: AuditActor) async throws -> IndicatorPeriodRecord {
        var i = input
        i.manualNote = input.manualNote.trimmingCharacters(in: .whitespacesAndNewlines)
        i.explanation = input.explanation.trimmingCharacters(in: .whitespacesAndNewlines)
        let clean = i
        return try await write { w in
            guard let r = try await w.sql.raw("SELECT * FROM indicators WHERE id = \(bind: indicatorID)").first() else {
                throw StoreError.notFound(entity: "indicator", id: "\(indicatorID)")
            }
            let indicator = try Self.indicator(from: r)
            let problems = clean.inputProblems(for: indicator)
            if !problems.isEmpty { throw StoreError.rejected(problems) }
            let key = clean.period.description
            let old = try await w.sql.raw("SELECT * FROM indicator_periods WHERE indicator_id = \(bind: indicatorID) AND period = \(bind: key)")
                .first().map(Self.indicatorPeriod(from:))
            let id: Int64
            if let old {
                id = old.id
                try await w.sql.raw("""
                    UPDATE indicator_periods SET target = \(bind: clean.target), manual_value = \(bind: clean.manualValue),
                      manual_note = \(bind: clean.manualNote), explanation = \(bind: clean.explanation), updated_by = \(bind: actor.label),
                      updated_at = \(bind: w.t) WHERE id = \(bind: id)
                    """).run()
            } else {
                guard let row = try await w.sql.raw("""
                    INSERT INTO indicator_periods (indicator_id, period, target, manual_value, manual_note, explanation, updated_by, updated_at)
                    VALUES (\(bind: indicatorID), \(bind: key), \(bind: clean.target), \(bind: clean.manualValue), \(bind: clean.manualNote),
                            \(bind: clean.explanation), \(bind: actor.label), \(bind: w.t))
                    RETURNING id
                    """).first() else { throw StoreError.corrupt("insert returned no id") }
                id = try row.int64("id")
            }
            let rec = IndicatorPeriodRecord(id: id, indicatorID: indicatorID, period: clean.period, target: clean.target,
                                            manualValue: clean.manualValue, manualNote: clean.manualNote, explanation: clean.explanation,
                                            updatedBy: actor.label, updatedAt: w.at)
            try await w.audit(actor, old == nil ? "create" : "update", "indicator_period", "\(indicatorID)/\(key)", old: old, new: rec)
            for file in evidence {
                try await Self.insertEvidence(w, owner: .indicatorValue, ownerID: id, name: file.name, data: file.data, by: actor)
            }
            return rec
        }
    }

    // MARK: Realisation

    /// Target, realisation and achievement of `indicator` in each of `periods`; computed metrics
    /// read the cases, survey responses, quiz attempts and acknowledgements the store holds.
    /// Pass `tree` when computing many indicators, so the organisation is read once.
    public func realisations(_ indicator: IndicatorRecord, periods: [SurveyPeriod], policy: AchievementPolicy = .standard,
                             tree knownTree: OrgTree? = nil) async throws -> [IndicatorRealisation] {
        let stored = Dictionary(try await indicatorPeriods(indicatorID: indicator.id).map { ($0.period, $0) }, uniquingKeysWith: { a, _ in a })
        let tree: OrgTree
        if let knownTree { tree = knownTree } else { tree = try await orgTree() }
        var out: [IndicatorRealisation] = []
        for p in periods {
            let row = stored[p]
            let computed = try await computedValue(indicator, period: p, tree: tree)
            let value = row?.manualValue ?? computed?.value
            let source: RealisationSource = row?.manualValue != nil ? .manual : (computed != nil ? .computed : .none)
            let achievement = value.flatMap { v in row?.target.flatMap { policy.achievement(realisation: v, target: $0, direction: indicator.direction) } }
            out.append(IndicatorRealisation(
                period: p, target: row?.target, computed: computed?.value, basis: computed?.basis, manual: row?.manualValue,
                manualNote: row?.manualNote ?? "", explanation: row?.explanation ?? "", value: value, source: source,
                achievement: achievement, status: achievement.map(policy.status), periodID: row?.id))
        }
        return out
    }

    /// The `count` periods of the indicator's kind up to and including the one containing `today`.
    public static func recentPeriods(kind: SurveyPeriod.Kind, count: Int, today: CivilDate = CivilDate(Date())) -> [SurveyPeriod] {
        let current = SurveyPeriod(containing: today, kind: kind)
        return (0..<max(1, count)).reversed().map { current.offset(by: -$0) }
    }

    /// What `i` measures in `period` and how many cases, respondents or staff it rests on.
    private func computedValue(_ i: IndicatorRecord, period: SurveyPeriod, tree: OrgTree) async throws -> (value: Double, basis: Int)? {
        let span = period.interval()
        let units = tree.subtree(of: i.unitID)
        let unitList = units.isEmpty ? "-1" : units.sorted().map(String.init).joined(separator: ",")
        switch i.metric {
        case .manual:
            return nil
        case .quizScore:
            // Each person's latest attempt in the period at the quiz of the version in force.
            if let sopID = i.sopID {
                guard let r = try await quizResults(sopID: sopID, period: span), let avg = r.averageScore else { return nil }
                return (avg * 100, r.people.count)
            }
            let r = try await quizScoreSummary(unitID: i.unitID, period: span)
            return r.averageScore.map { ($0 * 100, r.counted) }
        case .acknowledgedShare:
            // As of the end of the period (or now, for the current one).
            let asOf = min(span.upperBound, now())
            if let sopID = i.sopID {
                guard let r = try await acknowledgementStatus(sopID: sopID, asOf: asOf), let share = r.share else { return nil }
                return (share * 100, r.staff)
            }
            let r = try await acknowledgementSummary(unitID: i.unitID, asOf: asOf)
            return r.share.map { ($0 * 100, r.required) }
        case .complianceShare, .withinStandardShare, .medianLeadMinutes, .p90LeadMinutes:
            guard let sopID = i.sopID else { return nil }
            return try await read { sql in
                let cond: SQLQueryString = """
                    t.sop_id = \(bind: sopID) AND t.unit_id IN (\(unsafeRaw: unitList)) AND t.status = 'closed'
                    AND t.opened_at >= \(bind: span.lowerBound.timeIntervalSince1970) AND t.opened_at < \(bind: span.upperBound.timeIntervalSince1970)
                    """
                switch i.metric {
                case .complianceShare:
                    guard let r = try await sql.raw("SELECT COUNT(*) AS n, COALESCE(SUM(t.compliant), 0) AS ok FROM service_cases t WHERE "
                                                    + cond + " AND t.compliant IS NOT NULL").first() else { return nil }
                    let n = try r.int("n")
                    return n == 0 ? nil : (Double(try r.int("ok")) / Double(n) * 100, n)
                case .withinStandardShare:
                    guard let r = try await sql.raw("""
                        SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN t.lead_seconds <= t.standard_seconds THEN 1 ELSE 0 END), 0) AS ok
                        FROM service_cases t WHERE
                        """ + " " + cond + " AND t.standard_seconds IS NOT NULL AND t.lead_seconds IS NOT NULL").first() else { return nil }
                    let n = try r.int("n")
                    return n == 0 ? nil : (Double(try r.int("ok")) / Double(n) * 100, n)
                default:
                    var leads: [Double] = []
                    for r in try await sql.raw("SELECT t.lead_seconds FROM service_cases t WHERE " + cond + " AND t.lead_seconds IS NOT NULL").all() {
                        leads.append(try r.double("lead_seconds"))
                    }
                    guard !leads.isEmpty else { return nil }
                    leads.sort()
                    let q = i.metric == .medianLeadMinutes ? 0.5 : 0.9
                    return ((Self.percentile(leads, q) ?? 0) / 60, leads.count)
                }
            }
        case .medianWaitMinutes:
            guard let sopID = i.sopID else { return nil }
            return try await read { sql in
                var waits: [Double] = []
                for r in try await sql.raw("""
                    SELECT SUM(s.waiting_seconds) AS w FROM case_steps s JOIN service_cases t ON t.id = s.case_id
                    WHERE t.sop_id = \(bind: sopID) AND t.unit_id IN (\(unsafeRaw: unitList)) AND t.status = 'closed'
                      AND t.opened_at >= \(bind: span.lowerBound.timeIntervalSince1970) AND t.opened_at < \(bind: span.upperBound.timeIntervalSince1970)
                    GROUP BY s.case_id
                    """).all() {
                    waits.append(try r.double("w"))
                }
                guard !waits.isEmpty else { return nil }
                waits.sort()
                return ((Self.percentile(waits, 0.5) ?? 0) / 60, waits.count)
            }
        case .ikm, .unsurNRR:
            let candidates = try await surveys(unitIDs: units)
            let chosen = candidates.first { i.sopID != nil && $0.sopID == i.sopID } ?? candidates.first { $0.unitID == i.unitID }
                ?? candidates.first
            guard let survey = chosen else { return nil }
            let result = try await skmResult(surveyID: survey.id, definition: survey.definition, period: period)
            guard result.respondentCount > 0 else { return nil }
            if i.metric == .ikm { return result.ikm.map { ($0, result.respondentCount) } }
            guard let u = result.unsur.first(where: { $0.code == i.unsur }), let nrr = u.convertedNRR else { return nil }
            return (nrr, u.answered)
        }
    }
}
