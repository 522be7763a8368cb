import Foundation
import PantauCore
import SQLKit

// MARK: - Follow-up plan (RTL): records

/// Status of a follow-up action (rencana tindak lanjut, RTL).
public enum SurveyFollowUpStatus: String, Sendable, Codable, CaseIterable {
    case planned
    case inProgress = "in_progress"
    case done
    case cancelled
}

/// Fields of a follow-up action (RTL) that a person sets.
public struct SurveyFollowUpInput: Sendable, Equatable {
    /// The survey period whose result it answers (nil: not tied to one period).
    public var period: SurveyPeriod?
    /// The unsur it addresses, if any.
    public var unsur: UnsurCode?
    /// Permasalahan.
    public var problem: String
    /// Rencana tindak lanjut.
    public var action: String
    /// Penanggung jawab.
    public var owner: String
    /// Target date.
    public var dueDate: CivilDate?
    public var status: SurveyFollowUpStatus
    /// Publication links (http/https), e.g. where the follow-up was announced.
    public var links: [String]

    public init(period: SurveyPeriod? = nil, unsur: UnsurCode? = nil, problem: String, action: String, owner: String,
                dueDate: CivilDate? = nil, status: SurveyFollowUpStatus = .planned, links: [String] = []) {
        self.period = period
        self.unsur = unsur
        self.problem = problem
        self.action = action
        self.owner = owner
        self.dueDate = dueDate
        self.status = status
        self.links = links
    }

    /// Every problem of the input as codes the web layer words from its catalogs (`required`,
    /// `too_long` with the maximum, `survey_unsur_unknown` with the code, and the links' problem).
    public func inputProblems(definition: SurveyDefinition) -> [InputProblem] {
        var p: [InputProblem] = []
        func text(_ field: String, _ v: String, required: Bool, max: Int) {
            let t = v.trimmingCharacters(in: .whitespacesAndNewlines)
            if required && t.isEmpty { p.append(InputProblem(field, "required")) }
            if t.count > max { p.append(InputProblem(field, "too_long", ["\(max)"])) }
        }
        text("problem", problem, required: true, max: 2000)
        text("action", action, required: true, max: 2000)
        text("owner", owner, required: true, max: 200)
        if let u = unsur, definition.item(u) == nil { p.append(InputProblem("unsur", "survey_unsur_unknown", [u.rawValue])) }
        if let l = SurveyLinks.inputProblem(links) { p.append(l) }
        return p
    }

    /// Field → message (Bahasa Indonesia): ``inputProblems(definition:)`` for the store's own refusals.
    public func problems(definition: SurveyDefinition) -> [(field: String, message: String)] {
        inputProblems(definition: definition).map { i in
            switch i.code {
            case "required": return (i.field, "Wajib diisi")
            case "too_long": return (i.field, "Maks. \(i.arguments[0]) karakter")
            case "survey_unsur_unknown": return (i.field, "Unsur '\(i.arguments[0])' tidak ada di survei ini")
            default: return (i.field, SurveyLinks.problem(links) ?? i.code)
            }
        }
    }
}

/// A follow-up action (RTL) of a survey.
public struct SurveyFollowUpRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var surveyID: Int64
    public var period: SurveyPeriod?
    public var unsur: UnsurCode?
    public var problem: String
    public var action: String
    public var owner: String
    public var dueDate: CivilDate?
    public var status: SurveyFollowUpStatus
    public var links: [String]
    public var createdAt: Date
    public var updatedAt: Date
}

// MARK: - Store: follow-up plan (RTL)

extension PantauStore {
    static func surveyFollowUp(from r: any SQLRow) throws -> SurveyFollowUpRecord {
        let links = try decodeJSON([String].self, r, column: "links", table: "survey_followups", row: "\(try r.int64("id"))")
        return SurveyFollowUpRecord(
            id: try r.int64("id"), surveyID: try r.int64("survey_id"), period: try r.optString("period").flatMap { SurveyPeriod($0) },
            unsur: try r.optString("unsur").map(UnsurCode.init(rawValue:)), problem: try r.string("problem"), action: try r.string("action"),
            owner: try r.string("owner"), dueDate: try r.optString("due_date").flatMap(CivilDate.init),
            status: SurveyFollowUpStatus(rawValue: try r.string("status")) ?? .planned, links: links,
            createdAt: Date(timeIntervalSince1970: try r.double("created_at")), updatedAt: Date(timeIntervalSince1970: try r.double("updated_at")))
    }

    /// Follow-up actions of a survey (optionally of one period), newest period first.
    public func surveyFollowUps(surveyID: Int64, period: SurveyPeriod? = nil) async throws -> [SurveyFollowUpRecord] {
        try await read { sql in
            var q: SQLQueryString = "SELECT * FROM survey_followups WHERE survey_id = \(bind: surveyID)"
            if let period { q = q + " AND period = \(bind: period.description)" }
            return try await sql.raw(q + " ORDER BY id").all().map(Self.surveyFollowUp(from:)).sorted { a, b in
                switch (a.period, b.period) {
                case let (x?, y?) where x != y: return x > y
                case (nil, _?): return false
                case (_?, nil): return true
                default: return a.id < b.id
                }
            }
        }
    }

    public func surveyFollowUp(id: Int64) async throws -> SurveyFollowUpRecord {
        try await read { sql in
            guard let r = try await sql.raw("SELECT * FROM survey_followups WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "survey_followup", id: "\(id)")
            }
            return try Self.surveyFollowUp(from: r)
        }
    }

    private static func normalized(_ i: SurveyFollowUpInput) -> SurveyFollowUpInput {
        var x = i
        x.problem = i.problem.trimmingCharacters(in: .whitespacesAndNewlines)
        x.action = i.action.trimmingCharacters(in: .whitespacesAndNewlines)
        x.owner = i.owner.trimmingCharacters(in: .whitespacesAndNewlines)
        return x
    }

    @discardableResult
    public func createSurveyFollowUp(surveyID: Int64, _ input: SurveyFollowUpInput, by actor: AuditActor) async throws -> SurveyFollowUpRecord {
        let i = Self.normalized(input)
        return try await write { w in
            let survey = try await Self.lockedSurvey(w, id: surveyID)
            if let p = i.problems(definition: survey.definition).first { throw StoreError.invalid(field: p.field, message: p.message) }
            guard let r = try await w.sql.raw("""
                INSERT INTO survey_followups (survey_id, period, unsur, problem, action, owner, due_date, status, links, created_at, updated_at)
                VALUES (\(bind: surveyID), \(bind: i.period?.description), \(bind: i.unsur?.rawValue), \(bind: i.problem), \(bind: i.action),
                        \(bind: i.owner), \(bind: i.dueDate?.description), \(bind: i.status.rawValue), \(bind: jsonText(i.links)), \(bind: w.t), \(bind: w.t))
                RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let rec = SurveyFollowUpRecord(id: try r.int64("id"), surveyID: surveyID, period: i.period, unsur: i.unsur, problem: i.problem, action: i.action,
                                     owner: i.owner, dueDate: i.dueDate, status: i.status, links: i.links, createdAt: w.at, updatedAt: w.at)
            try await w.audit(actor, "create", "survey_followup", rec.id, new: rec)
            return rec
        }
    }

    @discardableResult
    public func updateSurveyFollowUp(id: Int64, _ input: SurveyFollowUpInput, by actor: AuditActor) async throws -> SurveyFollowUpRecord {
        let i = Self.normalized(input)
        return try await write { w in
            guard let r = try await w.sql.raw("SELECT * FROM survey_followups WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "survey_followup", id: "\(id)")
            }
            let old = try Self.surveyFollowUp(from: r)
            let survey = try await Self.lockedSurvey(w, id: old.surveyID)
            if let p = i.problems(definition: survey.definition).first { throw StoreError.invalid(field: p.field, message: p.message) }
            try await w.sql.raw("""
                UPDATE survey_followups SET period = \(bind: i.period?.description), unsur = \(bind: i.unsur?.rawValue), problem = \(bind: i.problem),
                  action = \(bind: i.action), owner = \(bind: i.owner), due_date = \(bind: i.dueDate?.description), status = \(bind: i.status.rawValue),
                  links = \(bind: jsonText(i.links)), updated_at = \(bind: w.t) WHERE id = \(bind: id)
                """).run()
            var rec = old
            rec.period = i.period; rec.unsur = i.unsur; rec.problem = i.problem; rec.action = i.action; rec.owner = i.owner
            rec.dueDate = i.dueDate; rec.status = i.status; rec.links = i.links; rec.updatedAt = w.at
            try await w.audit(actor, "update", "survey_followup", id, old: old, new: rec)
            return rec
        }
    }
}
