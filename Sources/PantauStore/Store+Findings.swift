import Foundation
import PantauCore
import SQLKit

// MARK: - Interview and observation notes, findings, recommendations (migration 16)
// docs/findings-actions.md

/// How an evaluation note was gathered (PermenPANRB 35/2012: observation, interviews, discussion, guidance).
public enum EvaluationNoteMethod: String, Sendable, Codable, CaseIterable {
    case observation
    case executorInterview = "executor_interview"
    case citizenInterview = "citizen_interview"
    case discussion
    case guidance
}

/// Who the note's respondent is.
public enum RespondentType: String, Sendable, Codable, CaseIterable {
    case executor, citizen, supervisor
}

/// The fields of a note as a form submits them.
public struct EvaluationNoteInput: Sendable, Equatable {
    public var date: String
    public var method: String
    public var respondent: String
    /// The SOP step it concerns (empty: none).
    public var stepID: String
    public var text: String

    public init(date: String, method: String, respondent: String, stepID: String = "", text: String) {
        self.date = date
        self.method = method
        self.respondent = respondent
        self.stepID = stepID
        self.text = text
    }

    /// Every problem at once: `note_date` required/`date_invalid`, `method` and `respondent`
    /// required/`one_of`, `step_id` `unknown_step` (not a step of `document`), `text` required/`too_long`.
    public func inputProblems(document: SOPDocument?) -> [InputProblem] {
        var p: [InputProblem] = []
        let d = date.trimmingCharacters(in: .whitespaces)
        if d.isEmpty { p.append(InputProblem("note_date", "required")) } else if CivilDate(d) == nil { p.append(InputProblem("note_date", "date_invalid", [d])) }
        if method.isEmpty { p.append(InputProblem("method", "required")) }
        else if EvaluationNoteMethod(rawValue: method) == nil { p.append(InputProblem("method", "one_of", [EvaluationNoteMethod.allCases.map(\.rawValue).joined(separator: ", ")])) }
        if respondent.isEmpty { p.append(InputProblem("respondent", "required")) }
        else if RespondentType(rawValue: respondent) == nil { p.append(InputProblem("respondent", "one_of", [RespondentType.allCases.map(\.rawValue).joined(separator: ", ")])) }
        let s = stepID.trimmingCharacters(in: .whitespaces)
        if !s.isEmpty, let document, document.step(id: s) == nil { p.append(InputProblem("step_id", "unknown_step", [s])) }
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty { p.append(InputProblem("text", "required")) }
        if t.count > 5000 { p.append(InputProblem("text", "too_long", ["5000"])) }
        return p
    }
}

/// An interview or observation note of an SOP.
public struct EvaluationNote: Sendable, Hashable, Codable {
    public var id: Int64
    public var sopID: Int64
    public var date: CivilDate
    public var method: EvaluationNoteMethod
    public var respondent: RespondentType
    public var stepID: String?
    public var text: String
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date
}

/// Where a finding stands.
public enum FindingStatus: String, Sendable, Codable, CaseIterable {
    case open, closed, dismissed
}

/// A finding of an SOP for a period: drafted by ``FindingRules`` (with a rule key) or written by hand.
public struct FindingRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var sopID: Int64
    public var period: SurveyPeriod
    /// Nil for a finding added by hand.
    public var ruleKey: String?
    public var kind: FindingKind
    public var title: String
    public var detail: String
    public var evidence: FindingEvidence
    public var impact: Double
    public var severity: FindingSeverity { FindingSeverity(impact: impact) }
    public var status: FindingStatus
    /// Why it was closed or dismissed.
    public var statusReason: String
    /// Edited by a person: re-generation leaves it alone.
    public var edited: Bool
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date
    /// Notes linked to the finding.
    public var noteIDs: [Int64]
}

/// A finding written or edited by hand.
public struct FindingInput: Sendable, Equatable {
    public var period: String
    public var title: String
    public var detail: String
    /// `low`, `medium`, `high`: stored as an impact of 5, 25 or 60.
    public var severity: String

    public init(period: String, title: String, detail: String, severity: String) {
        self.period = period
        self.title = title
        self.detail = detail
        self.severity = severity
    }

    public func inputProblems() -> [InputProblem] {
        var p: [InputProblem] = []
        let per = period.trimmingCharacters(in: .whitespaces)
        if per.isEmpty { p.append(InputProblem("period", "required")) } else if SurveyPeriod(per) == nil { p.append(InputProblem("period", "period_format", [per])) }
        let t = title.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty { p.append(InputProblem("title", "required")) }
        if t.count > 300 { p.append(InputProblem("title", "too_long", ["300"])) }
        if detail.count > 5000 { p.append(InputProblem("detail", "too_long", ["5000"])) }
        if FindingSeverity(rawValue: severity) == nil { p.append(InputProblem("severity", "one_of", [FindingSeverity.allCases.map(\.rawValue).joined(separator: ", ")])) }
        return p
    }

    static func impact(_ s: FindingSeverity) -> Double {
        switch s { case .low: return 5; case .medium: return 25; case .high: return 60 }
    }
}

/// The recommendation of a finding (drafted by rule, editable).
public struct RecommendationRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var findingID: Int64
    public var category: RecommendationCategory
    public var text: String
    /// The finding's impact when drafted, or as set by hand: higher first.
    public var priority: Double
    public var edited: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// What one generation run did.
public struct FindingGeneration: Sendable, Hashable, Codable {
    public var created: [Int64] = []
    public var updated: [Int64] = []
    /// Findings whose rule fired again but which a person edited, closed or dismissed: kept as they are.
    public var kept: [Int64] = []
}

extension PantauStore {
    // MARK: Notes

    static func evaluationNote(from r: any SQLRow) throws -> EvaluationNote {
        let id = try r.int64("id")
        guard let date = CivilDate(try r.string("note_date")), let m = EvaluationNoteMethod(rawValue: try r.string("method")),
              let resp = RespondentType(rawValue: try r.string("respondent")) else { throw StoreError.corrupt("eval_notes row \(id)") }
        return EvaluationNote(id: id, sopID: try r.int64("sop_id"), date: date, method: m, respondent: resp, stepID: try r.optString("step_id"),
                              text: try r.string("body"), createdBy: try r.string("created_by"),
                              createdAt: Date(timeIntervalSince1970: try r.double("created_at")), updatedAt: Date(timeIntervalSince1970: try r.double("updated_at")))
    }

    /// The notes of an SOP, newest date first.
    public func evaluationNotes(sopID: Int64) async throws -> [EvaluationNote] {
        try await read { sql in
            try await sql.raw("SELECT * FROM eval_notes WHERE sop_id = \(bind: sopID) ORDER BY note_date DESC, id DESC").all().map(Self.evaluationNote(from:))
        }
    }

    public func evaluationNote(id: Int64) async throws -> EvaluationNote {
        try await read { sql in
            guard let r = try await sql.raw("SELECT * FROM eval_notes WHERE id = \(bind: id)").first() else { throw StoreError.notFound(entity: "eval_note", id: "\(id)") }
            return try Self.evaluationNote(from: r)
        }
    }

    /// The document of the version in force, or else the latest, of an SOP.
    static func currentDocument(_ sql: any SQLDatabase, sopID: Int64) async throws -> SOPDocument {
        guard let s = try await sql.raw("SELECT latest_version, effective_version FROM sops WHERE id = \(bind: sopID)").first() else {
            throw StoreError.notFound(entity: "sop", id: "\(sopID)")
        }
        let v = try s.optInt64("effective_version") ?? s.int64("latest_version")
        guard let r = try await sql.raw("SELECT document FROM sop_versions WHERE sop_id = \(bind: sopID) AND version = \(bind: v)").first() else {
            throw StoreError.corrupt("sop \(sopID) has no version \(v)")
        }
        return try decodeJSON(SOPDocument.self, r, column: "document", table: "sop_versions", row: "\(sopID)/v\(v)")
    }

    /// Adds a note with its evidence files: all in one transaction (a refused file stores nothing).
    @discardableResult
    public func createEvaluationNote(sopID: Int64, _ input: EvaluationNoteInput, evidence: [EvidenceUpload] = [], by actor: AuditActor) async throws -> EvaluationNote {
        try await write { w in
            let doc = try await Self.currentDocument(w.sql, sopID: sopID)
            var problems = input.inputProblems(document: doc)
            problems += evidence.compactMap { Self.evidenceProblem(name: $0.name, data: $0.data).0 }
            if !problems.isEmpty { throw StoreError.rejected(problems) }
            let step = input.stepID.trimmingCharacters(in: .whitespaces)
            let text = input.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let r = try await w.sql.raw("""
                INSERT INTO eval_notes (sop_id, note_date, method, respondent, step_id, body, created_by, created_at, updated_at)
                VALUES (\(bind: sopID), \(bind: input.date.trimmingCharacters(in: .whitespaces)), \(bind: input.method), \(bind: input.respondent),
                        \(bind: step.isEmpty ? nil : step), \(bind: text), \(bind: actor.label), \(bind: w.t), \(bind: w.t))
                RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let id = try r.int64("id")
            let note = EvaluationNote(id: id, sopID: sopID, date: CivilDate(input.date.trimmingCharacters(in: .whitespaces))!,
                                      method: EvaluationNoteMethod(rawValue: input.method)!, respondent: RespondentType(rawValue: input.respondent)!,
                                      stepID: step.isEmpty ? nil : step, text: text, createdBy: actor.label, createdAt: w.at, updatedAt: w.at)
            try await w.audit(actor, "create", "eval_note", id, new: note)
            for f in evidence { _ = try await Self.insertEvidence(w, owner: .note, ownerID: id, name: f.name, data: f.data, by: actor) }
            return note
        }
    }

    // MARK: Findings

    static func finding(from r: any SQLRow, notes: [Int64]) throws -> FindingRecord {
        let id = try r.int64("id")
        let ev = try decodeJSON(FindingEvidence.self, r, column: "evidence", table: "findings", row: "\(id)")
        guard let period = SurveyPeriod(try r.string("period")), let kind = FindingKind(rawValue: try r.string("kind")),
              let status = FindingStatus(rawValue: try r.string("status")) else { throw StoreError.corrupt("findings row \(id)") }
        return FindingRecord(id: id, sopID: try r.int64("sop_id"), period: period, ruleKey: try r.optString("rule_key"), kind: kind,
                             title: try r.string("title"), detail: try r.string("detail"), evidence: ev, impact: try r.double("severity"),
                             status: status, statusReason: try r.string("status_reason"), edited: try r.bool("edited"),
                             createdBy: try r.string("created_by"), createdAt: Date(timeIntervalSince1970: try r.double("created_at")),
                             updatedAt: Date(timeIntervalSince1970: try r.double("updated_at")), noteIDs: notes)
    }

    static func findingNoteIDs(_ sql: any SQLDatabase, _ ids: [Int64]) async throws -> [Int64: [Int64]] {
        guard !ids.isEmpty else { return [:] }
        let list = Set(ids).sorted().map(String.init).joined(separator: ",")
        var out: [Int64: [Int64]] = [:]
        for r in try await sql.raw("SELECT finding_id, note_id FROM finding_notes WHERE finding_id IN (\(unsafeRaw: list)) ORDER BY note_id").all() {
            out[try r.int64("finding_id"), default: []].append(try r.int64("note_id"))
        }
        return out
    }

    /// The findings of an SOP (optionally of one period and status), highest impact first.
    public func findings(sopID: Int64, period: SurveyPeriod? = nil, status: FindingStatus? = nil) async throws -> [FindingRecord] {
        try await read { sql in
            var q: SQLQueryString = "SELECT * FROM findings WHERE sop_id = \(bind: sopID)"
            if let period { q = q + " AND period = \(bind: period.description)" }
            if let status { q = q + " AND status = \(bind: status.rawValue)" }
            let rows = try await sql.raw(q + " ORDER BY severity DESC, id").all()
            let notes = try await Self.findingNoteIDs(sql, try rows.map { try $0.int64("id") })
            return try rows.map { try Self.finding(from: $0, notes: notes[try $0.int64("id")] ?? []) }
        }
    }

    public func finding(id: Int64) async throws -> FindingRecord {
        try await read { sql in
            guard let r = try await sql.raw("SELECT * FROM findings WHERE id = \(bind: id)").first() else { throw StoreError.notFound(entity: "finding", id: "\(id)") }
            return try Self.finding(from: r, notes: try await Self.findingNoteIDs(sql, [id])[id] ?? [])
        }
    }

    static func lockedFinding(_ w: WriteContext, id: Int64) async throws -> FindingRecord {
        let lock = w.kind == .postgres ? " FOR UPDATE" : ""
        guard let r = try await w.sql.raw("SELECT * FROM findings WHERE id = \(bind: id)\(unsafeRaw: lock)").first() else {
            throw StoreError.notFound(entity: "finding", id: "\(id)")
        }
        return try finding(from: r, notes: try await findingNoteIDs(w.sql, [id])[id] ?? [])
    }

    static func insertRecommendation(_ w: WriteContext, findingID: Int64, _ d: DraftRecommendation, priority: Double, by actor: AuditActor) async throws -> Int64 {
        guard let r = try await w.sql.raw("""
            INSERT INTO recommendations (finding_id, category, body, priority, edited, created_at, updated_at)
            VALUES (\(bind: findingID), \(bind: d.category.rawValue), \(bind: d.text), \(bind: priority), 0, \(bind: w.t), \(bind: w.t))
            RETURNING id
            """).first() else { throw StoreError.corrupt("insert returned no id") }
        let id = try r.int64("id")
        try await w.audit(actor, "create", "recommendation", id, new: ["finding_id": "\(findingID)", "category": d.category.rawValue, "text": d.text])
        return id
    }

    /// Drafts the findings of an SOP for a period from its figures (``FindingRules``) and stores
    /// them: a rule that fires again updates its finding (same rule key, SOP and period) and that
    /// finding's drafted recommendation, unless a person edited, closed or dismissed it; nothing
    /// is ever stored twice. One transaction, audited.
    @discardableResult
    public func generateFindings(sopID: Int64, period: SurveyPeriod, thresholds: FindingThresholds = .default, extra: FindingInputs = FindingInputs(),
                                 by actor: AuditActor) async throws -> FindingGeneration {
        var inputs = try await findingInputs(sopID: sopID, period: period)
        inputs.quizQuestions += extra.quizQuestions
        inputs.monitoringRows += extra.monitoringRows
        inputs.indicators += extra.indicators
        inputs.steps += extra.steps
        inputs.unsur += extra.unsur
        let drafts = FindingRules.evaluate(inputs, thresholds: thresholds)
        return try await write { w in
            _ = try await Self.currentDocument(w.sql, sopID: sopID)
            var out = FindingGeneration()
            for d in drafts {
                let lock = w.kind == .postgres ? " FOR UPDATE" : ""
                if let r = try await w.sql.raw("""
                    SELECT * FROM findings WHERE sop_id = \(bind: sopID) AND period = \(bind: period.description) AND rule_key = \(bind: d.ruleKey)\(unsafeRaw: lock)
                    """).first() {
                    let old = try Self.finding(from: r, notes: [])
                    guard !old.edited, old.status == .open else { out.kept.append(old.id); continue }
                    guard old.title != d.title || old.detail != d.detail || old.evidence != d.evidence || old.impact != d.impact else { continue }
                    try await w.sql.raw("""
                        UPDATE findings SET title = \(bind: d.title), detail = \(bind: d.detail), evidence = \(bind: jsonText(d.evidence)),
                          severity = \(bind: d.impact), updated_at = \(bind: w.t) WHERE id = \(bind: old.id)
                        """).run()
                    try await w.sql.raw("""
                        UPDATE recommendations SET body = \(bind: d.recommendation.text), priority = \(bind: d.impact), updated_at = \(bind: w.t)
                        WHERE finding_id = \(bind: old.id) AND edited = 0 AND category = \(bind: d.recommendation.category.rawValue)
                        """).run()
                    try await w.audit(actor, "regenerate", "finding", old.id, old: ["title": old.title, "impact": "\(old.impact)"],
                                      new: ["title": d.title, "impact": "\(d.impact)"])
                    out.updated.append(old.id)
                } else {
                    guard let r = try await w.sql.raw("""
                        INSERT INTO findings (sop_id, period, rule_key, kind, title, detail, evidence, severity, status, status_reason, edited, created_by, created_at, updated_at)
                        VALUES (\(bind: sopID), \(bind: period.description), \(bind: d.ruleKey), \(bind: d.kind.rawValue), \(bind: d.title), \(bind: d.detail),
                                \(bind: jsonText(d.evidence)), \(bind: d.impact), 'open', '', 0, \(bind: actor.label), \(bind: w.t), \(bind: w.t))
                        RETURNING id
                        """).first() else { throw StoreError.corrupt("insert returned no id") }
                    let id = try r.int64("id")
                    try await w.audit(actor, "generate", "finding", id, new: ["rule_key": d.ruleKey, "period": period.description, "title": d.title])
                    _ = try await Self.insertRecommendation(w, findingID: id, d.recommendation, priority: d.impact, by: actor)
                    out.created.append(id)
                }
            }
            return out
        }
    }

    /// The figures the rules read for an SOP and period: per-step monitoring totals (with up to 10
    /// cases behind each figure); the SKM unsur of the SOP's surveys (the latest survey period
    /// inside, or containing, the period that has answers); Tabel 7 rows marked "tidak berjalan
    /// dengan baik" in records overlapping the period; the quiz questions of the version in use
    /// over the period's attempts; the SOP's indicators of the period's kind with a target and a value.
    public func findingInputs(sopID: Int64, period: SurveyPeriod) async throws -> FindingInputs {
        let range = period.interval()
        let m = try await monitoring(sopID: sopID, filter: MonitoringFilter(from: range.lowerBound, to: range.upperBound), variantLimit: 1, overdueLimit: 1)
        let doc = try await read { sql in try await Self.currentDocument(sql, sopID: sopID) }
        var inputs = FindingInputs()
        for t in m.steps where !t.key.hasPrefix("?") {
            guard let number = doc.number(ofStep: t.key), let step = doc.step(id: t.key) else { continue }
            let (skipping, over) = try await read { sql -> ([FindingCaseRef], [FindingCaseRef]) in
                func sample(_ cond: String) async throws -> [FindingCaseRef] {
                    try await sql.raw("""
                        SELECT c.id, c.reference FROM case_steps s JOIN service_cases c ON c.id = s.case_id
                        WHERE s.sop_id = \(bind: sopID) AND s.step = \(bind: t.key) AND \(unsafeRaw: cond)
                          AND s.opened_at >= \(bind: range.lowerBound.timeIntervalSince1970) AND s.opened_at < \(bind: range.upperBound.timeIntervalSince1970)
                        ORDER BY c.opened_at DESC, c.id LIMIT 10
                        """).all().map { FindingCaseRef(id: try $0.int64("id"), reference: try $0.string("reference")) }
                }
                return (try await sample("s.skipped > 0"), try await sample("s.measured > s.within_standard"))
            }
            inputs.steps.append(StepFindingInput(
                stepID: t.key, number: number, activity: step.activity, totalCases: m.cases, casesSkipping: t.casesSkipping,
                measured: t.measured, overStandard: max(0, t.measured - t.withinStandard), standardSeconds: step.standard.time?.seconds,
                skippingSample: skipping, overStandardSample: over))
        }
        for s in try await surveys() where s.sopID == sopID {
            var candidates: [SurveyPeriod] = []
            var p = SurveyPeriod(containing: period.lastDay, kind: s.periodKind)
            while p.lastDay >= period.firstDay && candidates.count < 12 {
                candidates.append(p)
                p = p.previous
            }
            for c in candidates {
                let r = try await skmResult(surveyID: s.id, definition: s.definition, period: c)
                guard r.respondentCount > 0 else { continue }
                for u in r.unsur {
                    guard let nrr = u.nrr else { continue }
                    inputs.unsur.append(UnsurFindingInput(surveyID: s.id, period: c.description, code: u.code.rawValue, regulationLetter: u.regulationLetter,
                                                          name: u.name.id, nrr: nrr, respondents: u.answered))
                }
                break
            }
        }
        // Tabel 7 rows marked "tidak berjalan dengan baik" in records overlapping the period.
        for f in try await monitoringRowsNotGood(period: period, sopID: sopID) {
            inputs.monitoringRows.append(MonitoringRowFindingInput(recordID: f.recordID, row: f.row.number, procedure: f.row.procedure,
                                                                   note: f.row.note, action: f.row.action, period: f.period.description))
        }
        // Quiz questions of the version in use, over the attempts of the period.
        if let quiz = try await quizResults(sopID: sopID, period: range) {
            for q in quiz.questions {
                let s = q.question.question
                let text = q.question.prompt.isEmpty
                    ? "Soal \(q.question.position)" + (s.stepNumber.map { " (langkah \($0))" } ?? "") + ": " + s.stepText
                    : q.question.prompt
                inputs.quizQuestions.append(QuizQuestionFindingInput(questionID: q.question.id, text: text, stepID: s.stepID, stepNumber: s.stepNumber,
                                                                     answers: q.answered, wrong: q.wrong))
            }
        }
        // Indicators of the SOP measured per period of this kind, with a target and a value.
        for i in try await indicators(sopID: sopID) where i.periodKind == period.kind {
            guard let r = try await realisations(i, periods: [period]).first, let target = r.target, let value = r.value else { continue }
            inputs.indicators.append(IndicatorFindingInput(indicatorID: i.id, code: i.code, name: i.name, period: period.description, target: target,
                                                           realisation: value, higherIsBetter: i.direction == .higherIsBetter, unitOfMeasure: i.unitOfMeasure))
        }
        return inputs
    }

    /// Adds a finding by hand (no rule key: generation never touches it).
    @discardableResult
    public func createFinding(sopID: Int64, _ input: FindingInput, by actor: AuditActor) async throws -> FindingRecord {
        let problems = input.inputProblems()
        if !problems.isEmpty { throw StoreError.rejected(problems) }
        let period = SurveyPeriod(input.period.trimmingCharacters(in: .whitespaces))!
        let impact = FindingInput.impact(FindingSeverity(rawValue: input.severity)!)
        let id = try await write { w -> Int64 in
            _ = try await Self.currentDocument(w.sql, sopID: sopID)
            guard let r = try await w.sql.raw("""
                INSERT INTO findings (sop_id, period, rule_key, kind, title, detail, evidence, severity, status, status_reason, edited, created_by, created_at, updated_at)
                VALUES (\(bind: sopID), \(bind: period.description), NULL, 'manual', \(bind: input.title.trimmingCharacters(in: .whitespacesAndNewlines)),
                        \(bind: input.detail.trimmingCharacters(in: .whitespacesAndNewlines)), \(bind: jsonText(FindingEvidence())), \(bind: impact), 'open', '', 1,
                        \(bind: actor.label), \(bind: w.t), \(bind: w.t))
                RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let id = try r.int64("id")
            try await w.audit(actor, "create", "finding", id, new: ["title": input.title, "period": period.description, "severity": input.severity])
            _ = try await Self.insertRecommendation(w, findingID: id, DraftRecommendation(category: .manual, text: ""), priority: impact, by: actor)
            return id
        }
        return try await finding(id: id)
    }

    /// Edits a finding's words and severity: from now on generation leaves it alone.
    @discardableResult
    public func updateFinding(id: Int64, title: String, detail: String, severity: String, by actor: AuditActor) async throws -> FindingRecord {
        try await write { w in
            let old = try await Self.lockedFinding(w, id: id)
            let input = FindingInput(period: old.period.description, title: title, detail: detail, severity: severity)
            let problems = input.inputProblems()
            if !problems.isEmpty { throw StoreError.rejected(problems) }
            var rec = old
            rec.title = title.trimmingCharacters(in: .whitespacesAndNewlines)
            rec.detail = detail.trimmingCharacters(in: .whitespacesAndNewlines)
            let sev = FindingSeverity(rawValue: severity)!
            if sev != old.severity { rec.impact = FindingInput.impact(sev) }
            rec.edited = true
            rec.updatedAt = w.at
            try await w.sql.raw("""
                UPDATE findings SET title = \(bind: rec.title), detail = \(bind: rec.detail), severity = \(bind: rec.impact), edited = 1, updated_at = \(bind: w.t)
                WHERE id = \(bind: id)
                """).run()
            try await w.audit(actor, "update", "finding", id, old: ["title": old.title, "detail": old.detail, "impact": "\(old.impact)"],
                              new: ["title": rec.title, "detail": rec.detail, "impact": "\(rec.impact)"])
            return rec
        }
    }

    /// Closes, dismisses (with a reason) or re-opens a finding.
    @discardableResult
    public func setFindingStatus(id: Int64, _ status: FindingStatus, reason: String, by actor: AuditActor) async throws -> FindingRecord {
        try await write { w in
            let old = try await Self.lockedFinding(w, id: id)
            let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            var p: [InputProblem] = []
            if status != .open && why.isEmpty { p.append(InputProblem("reason", "required")) }
            if why.count > 2000 { p.append(InputProblem("reason", "too_long", ["2000"])) }
            if !p.isEmpty { throw StoreError.rejected(p) }
            guard old.status != status else { throw StoreError.rejected([InputProblem("status", "status_transition", [old.status.rawValue, status.rawValue])]) }
            try await w.sql.raw("UPDATE findings SET status = \(bind: status.rawValue), status_reason = \(bind: why), updated_at = \(bind: w.t) WHERE id = \(bind: id)").run()
            try await w.audit(actor, "status", "finding", id, old: ["status": old.status.rawValue], new: ["status": status.rawValue, "reason": why])
            var rec = old
            rec.status = status
            rec.statusReason = why
            rec.updatedAt = w.at
            return rec
        }
    }

    /// Links a note of the same SOP to a finding (linking twice is no change).
    public func linkNote(findingID: Int64, noteID: Int64, by actor: AuditActor) async throws {
        try await write { w in
            let f = try await Self.lockedFinding(w, id: findingID)
            guard let n = try await w.sql.raw("SELECT sop_id FROM eval_notes WHERE id = \(bind: noteID)").first(), try n.int64("sop_id") == f.sopID else {
                throw StoreError.rejected([InputProblem("note_id", "invalid")])
            }
            guard !f.noteIDs.contains(noteID) else { return }
            try await w.sql.raw("INSERT INTO finding_notes (finding_id, note_id) VALUES (\(bind: findingID), \(bind: noteID))").run()
            try await w.audit(actor, "link_note", "finding", findingID, new: ["note_id": "\(noteID)"])
        }
    }

    /// Adds evidence files to a finding (one transaction).
    @discardableResult
    public func addFindingEvidence(findingID: Int64, _ files: [EvidenceUpload], by actor: AuditActor) async throws -> [EvidenceFile] {
        guard !files.isEmpty else { throw StoreError.rejected([InputProblem("evidence", "required")]) }
        return try await write { w in
            _ = try await Self.lockedFinding(w, id: findingID)
            var out: [EvidenceFile] = []
            for f in files { out.append(try await Self.insertEvidence(w, owner: .finding, ownerID: findingID, name: f.name, data: f.data, by: actor)) }
            return out
        }
    }

    // MARK: Recommendations

    static func recommendation(from r: any SQLRow) throws -> RecommendationRecord {
        let id = try r.int64("id")
        guard let cat = RecommendationCategory(rawValue: try r.string("category")) else { throw StoreError.corrupt("recommendations row \(id)") }
        return RecommendationRecord(id: id, findingID: try r.int64("finding_id"), category: cat, text: try r.string("body"), priority: try r.double("priority"),
                                    edited: try r.bool("edited"), createdAt: Date(timeIntervalSince1970: try r.double("created_at")),
                                    updatedAt: Date(timeIntervalSince1970: try r.double("updated_at")))
    }

    /// The recommendations of some findings, highest priority first.
    public func recommendations(findingIDs: [Int64]) async throws -> [RecommendationRecord] {
        guard !findingIDs.isEmpty else { return [] }
        let list = Set(findingIDs).sorted().map(String.init).joined(separator: ",")
        return try await read { sql in
            try await sql.raw("SELECT * FROM recommendations WHERE finding_id IN (\(unsafeRaw: list)) ORDER BY priority DESC, id").all().map(Self.recommendation(from:))
        }
    }

    public func recommendation(id: Int64) async throws -> RecommendationRecord {
        try await read { sql in
            guard let r = try await sql.raw("SELECT * FROM recommendations WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "recommendation", id: "\(id)")
            }
            return try Self.recommendation(from: r)
        }
    }

    /// Rewrites a recommendation (and its priority, 0–100): generation leaves it alone from now on.
    @discardableResult
    public func updateRecommendation(id: Int64, text: String, priority: String, by actor: AuditActor) async throws -> RecommendationRecord {
        try await write { w in
            guard let r = try await w.sql.raw("SELECT * FROM recommendations WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "recommendation", id: "\(id)")
            }
            let old = try Self.recommendation(from: r)
            let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
            var p: [InputProblem] = []
            if t.isEmpty { p.append(InputProblem("text", "required")) }
            if t.count > 5000 { p.append(InputProblem("text", "too_long", ["5000"])) }
            let pr = priority.trimmingCharacters(in: .whitespaces)
            var prio = old.priority
            if !pr.isEmpty {
                if let v = Double(pr.replacingOccurrences(of: ",", with: ".")), v.isFinite, (0...100).contains(v) { prio = v }
                else { p.append(InputProblem("priority", "not_a_number")) }
            }
            if !p.isEmpty { throw StoreError.rejected(p) }
            try await w.sql.raw("UPDATE recommendations SET body = \(bind: t), priority = \(bind: prio), edited = 1, updated_at = \(bind: w.t) WHERE id = \(bind: id)").run()
            var rec = old
            rec.text = t
            rec.priority = prio
            rec.edited = true
            rec.updatedAt = w.at
            try await w.audit(actor, "update", "recommendation", id, old: old, new: rec)
            return rec
        }
    }
}
