import Foundation
import PantauCore
import SQLKit

// MARK: - Follow-up actions (CAPA) and general notices (migration 16)
// docs/findings-actions.md

/// Where a follow-up action stands.
public enum ActionStatus: String, Sendable, Codable, CaseIterable {
    case planned
    case inProgress = "in_progress"
    case done
    case verified
    case cancelled

    /// What an owner or manager may move the action to (verification is ``PantauStore/verifyAction(id:by:)``).
    public var reportable: [ActionStatus] {
        switch self {
        case .planned: return [.inProgress, .done, .cancelled]
        case .inProgress: return [.planned, .done, .cancelled]
        case .done: return [.inProgress]
        case .verified: return []
        case .cancelled: return [.planned]
        }
    }

    /// Still to be carried out (counts for overdue).
    public var isOpen: Bool { self == .planned || self == .inProgress }
}

/// What an action does.
public enum ActionKind: String, Sendable, Codable, CaseIterable {
    case general
    /// Revise the SOP: creating the action opens a draft version; approving that version closes the action.
    case reviseSOP = "revise_sop"
}

/// A follow-up action (CAPA) of a recommendation.
public struct FollowUpAction: Sendable, Hashable, Codable {
    public var id: Int64
    public var recommendationID: Int64
    public var findingID: Int64
    public var sopID: Int64
    public var unitID: Int64
    public var kind: ActionKind
    public var title: String
    public var ownerID: Int64
    public var dueDate: CivilDate
    public var status: ActionStatus
    public var progressNote: String
    /// For a "revise the SOP" action: the draft version it opened.
    public var sopVersion: Int?
    public var verifiedBy: Int64?
    public var verifiedAt: Date?
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date

    /// Past its due date (in WIB) and neither done, verified nor cancelled.
    public func isOverdue(today: CivilDate) -> Bool { status.isOpen && dueDate < today }
}

/// The fields of a new action as the form submits them.
public struct FollowUpActionInput: Sendable, Equatable {
    public var kind: String
    public var title: String
    public var ownerID: String
    public var dueDate: String

    public init(kind: String = ActionKind.general.rawValue, title: String, ownerID: String, dueDate: String) {
        self.kind = kind
        self.title = title
        self.ownerID = ownerID
        self.dueDate = dueDate
    }

    /// Problems of the fields alone (the owner's existence is checked by the store).
    public func inputProblems() -> [InputProblem] {
        var p: [InputProblem] = []
        if ActionKind(rawValue: kind) == nil { p.append(InputProblem("kind", "one_of", [ActionKind.allCases.map(\.rawValue).joined(separator: ", ")])) }
        let t = title.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty { p.append(InputProblem("title", "required")) }
        if t.count > 500 { p.append(InputProblem("title", "too_long", ["500"])) }
        if ownerID.trimmingCharacters(in: .whitespaces).isEmpty { p.append(InputProblem("owner_id", "required")) }
        else if Int64(ownerID.trimmingCharacters(in: .whitespaces)) == nil { p.append(InputProblem("owner_id", "invalid")) }
        let d = dueDate.trimmingCharacters(in: .whitespaces)
        if d.isEmpty { p.append(InputProblem("due_date", "required")) } else if CivilDate(d) == nil { p.append(InputProblem("due_date", "date_invalid", [d])) }
        return p
    }
}

/// A general notice to one person (an overdue action, ...), shown with the alert notifications.
public struct Notice: Sendable, Hashable, Codable {
    public var id: Int64
    public var userID: Int64
    /// `action_overdue`.
    public var kind: String
    public var refID: Int64
    public var arguments: [String]
    public var createdAt: Date
    public var readAt: Date?
}

extension PantauStore {
    static func followUpAction(from r: any SQLRow) throws -> FollowUpAction {
        let id = try r.int64("id")
        guard let kind = ActionKind(rawValue: try r.string("kind")), let status = ActionStatus(rawValue: try r.string("status")),
              let due = CivilDate(try r.string("due_date")) else { throw StoreError.corrupt("followup_actions row \(id)") }
        return FollowUpAction(id: id, recommendationID: try r.int64("recommendation_id"), findingID: try r.int64("finding_id"), sopID: try r.int64("sop_id"),
                              unitID: try r.int64("unit_id"), kind: kind, title: try r.string("title"), ownerID: try r.int64("owner_id"), dueDate: due,
                              status: status, progressNote: try r.string("progress_note"), sopVersion: try r.decode(column: "sop_version", as: Int?.self),
                              verifiedBy: try r.optInt64("verified_by"), verifiedAt: try r.optDouble("verified_at").date, createdBy: try r.string("created_by"),
                              createdAt: Date(timeIntervalSince1970: try r.double("created_at")), updatedAt: Date(timeIntervalSince1970: try r.double("updated_at")))
    }

    static let actionSelect = "SELECT a.*, r.finding_id FROM followup_actions a JOIN recommendations r ON r.id = a.recommendation_id"

    /// Follow-up actions, by unit set, owner, SOP or recommendation (each optional), soonest due first.
    public func followUpActions(unitIDs: Set<Int64>? = nil, ownerID: Int64? = nil, sopID: Int64? = nil, recommendationIDs: [Int64]? = nil,
                                openOnly: Bool = false) async throws -> [FollowUpAction] {
        try await read { sql in
            var q = SQLQueryString(Self.actionSelect) + " WHERE 1 = 1"
            if let u = unitIDs { q = q + " AND a.unit_id IN (\(unsafeRaw: u.isEmpty ? "-1" : u.sorted().map(String.init).joined(separator: ",")))" }
            if let ownerID { q = q + " AND a.owner_id = \(bind: ownerID)" }
            if let sopID { q = q + " AND a.sop_id = \(bind: sopID)" }
            if let r = recommendationIDs { q = q + " AND a.recommendation_id IN (\(unsafeRaw: r.isEmpty ? "-1" : r.map(String.init).joined(separator: ",")))" }
            if openOnly { q = q + " AND a.status IN ('planned', 'in_progress')" }
            return try await sql.raw(q + " ORDER BY a.due_date, a.id").all().map(Self.followUpAction(from:))
        }
    }

    public func followUpAction(id: Int64) async throws -> FollowUpAction {
        try await read { sql in
            guard let r = try await sql.raw(SQLQueryString(Self.actionSelect) + " WHERE a.id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "followup_action", id: "\(id)")
            }
            return try Self.followUpAction(from: r)
        }
    }

    static func lockedAction(_ w: WriteContext, id: Int64) async throws -> FollowUpAction {
        let lock = w.kind == .postgres ? " FOR UPDATE OF a" : ""
        guard let r = try await w.sql.raw(SQLQueryString(actionSelect) + " WHERE a.id = \(bind: id)\(unsafeRaw: lock)").first() else {
            throw StoreError.notFound(entity: "followup_action", id: "\(id)")
        }
        return try followUpAction(from: r)
    }

    /// Turns a recommendation into an action with an owner (an active user) and a due date. A
    /// "revise the SOP" action opens a new draft version of the SOP in the same transaction (or,
    /// when a draft or a version under review is already open, takes that one), and is linked to it.
    @discardableResult
    public func createFollowUpAction(recommendationID: Int64, _ input: FollowUpActionInput, by actor: AuditActor) async throws -> FollowUpAction {
        let fieldProblems = input.inputProblems()
        let ownerID = Int64(input.ownerID.trimmingCharacters(in: .whitespaces))
        return try await write { w in
            var problems = fieldProblems
            guard let rr = try await w.sql.raw("""
                SELECT r.id, r.finding_id, f.sop_id, s.unit_id, s.latest_version FROM recommendations r JOIN findings f ON f.id = r.finding_id
                JOIN sops s ON s.id = f.sop_id WHERE r.id = \(bind: recommendationID)
                """).first() else { throw StoreError.notFound(entity: "recommendation", id: "\(recommendationID)") }
            let sopID = try rr.int64("sop_id"), unitID = try rr.int64("unit_id")
            if let ownerID {
                let u = try await w.sql.raw("SELECT active FROM users WHERE id = \(bind: ownerID)").first()
                if try u == nil || !(u!.bool("active")) { problems.append(InputProblem("owner_id", "invalid")) }
            }
            if !problems.isEmpty { throw StoreError.rejected(problems) }
            let kind = ActionKind(rawValue: input.kind)!
            var version: Int?
            if kind == .reviseSOP { version = try await Self.openRevision(w, sopID: sopID, note: input.title, by: actor) }
            let title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
            let due = CivilDate(input.dueDate.trimmingCharacters(in: .whitespaces))!
            guard let r = try await w.sql.raw("""
                INSERT INTO followup_actions (recommendation_id, sop_id, unit_id, kind, title, owner_id, due_date, status, progress_note, sop_version,
                                              created_by, created_at, updated_at)
                VALUES (\(bind: recommendationID), \(bind: sopID), \(bind: unitID), \(bind: kind.rawValue), \(bind: title), \(bind: ownerID!),
                        \(bind: due.description), 'planned', '', \(bind: version), \(bind: actor.label), \(bind: w.t), \(bind: w.t))
                RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let id = try r.int64("id")
            let rec = FollowUpAction(id: id, recommendationID: recommendationID, findingID: try rr.int64("finding_id"), sopID: sopID, unitID: unitID, kind: kind,
                                     title: title, ownerID: ownerID!, dueDate: due, status: .planned, progressNote: "", sopVersion: version, verifiedBy: nil,
                                     verifiedAt: nil, createdBy: actor.label, createdAt: w.at, updatedAt: w.at)
            try await w.audit(actor, "create", "followup_action", id, new: rec)
            return rec
        }
    }

    /// The draft for a "revise the SOP" action: the latest version when it is still a draft or
    /// under review, or else a new draft copied from the latest (as ``newVersion(sopID:changeNote:by:)``).
    static func openRevision(_ w: WriteContext, sopID: Int64, note: String, by actor: AuditActor) async throws -> Int {
        let lock = w.kind == .postgres ? " FOR UPDATE" : ""
        guard let s = try await w.sql.raw("SELECT latest_version FROM sops WHERE id = \(bind: sopID)\(unsafeRaw: lock)").first() else {
            throw StoreError.notFound(entity: "sop", id: "\(sopID)")
        }
        let latest = try s.int("latest_version")
        guard let v = try await w.sql.raw("SELECT status FROM sop_versions WHERE sop_id = \(bind: sopID) AND version = \(bind: latest)").first(),
              let status = SOPStatus(rawValue: try v.string("status")) else { throw StoreError.corrupt("sop \(sopID) has no version \(latest)") }
        if status.isEditable { return latest }
        let n = latest + 1
        try await w.sql.raw("""
            INSERT INTO sop_versions (sop_id, version, status, document, change_note, created_by, created_at, updated_at)
            SELECT sop_id, \(bind: n), 'draft', document, \(bind: String(note.prefix(500))), \(bind: actor.userID), \(bind: w.t), \(bind: w.t)
            FROM sop_versions WHERE sop_id = \(bind: sopID) AND version = \(bind: latest)
            """).run()
        try await w.sql.raw("UPDATE sops SET latest_version = \(bind: n), updated_at = \(bind: w.t) WHERE id = \(bind: sopID)").run()
        try await w.audit(actor, "new_version", "sop_version", "\(sopID)/v\(n)", new: ["from_version": latest])
        return n
    }

    /// Called by ``approve(sopID:version:effectiveFrom:by:twoPersonRule:)`` in its transaction:
    /// the open "revise the SOP" actions linked to the approved version become done.
    static func closeRevisionActions(_ w: WriteContext, sopID: Int64, version: Int, by actor: AuditActor) async throws {
        let rows = try await w.sql.raw("""
            SELECT id FROM followup_actions WHERE sop_id = \(bind: sopID) AND sop_version = \(bind: version) AND kind = 'revise_sop'
              AND status IN ('planned', 'in_progress')
            """).all()
        for r in rows {
            let id = try r.int64("id")
            try await w.sql.raw("UPDATE followup_actions SET status = 'done', updated_at = \(bind: w.t) WHERE id = \(bind: id)").run()
            try await w.audit(actor, "status", "followup_action", id, new: ["status": "done", "sop_version": "\(version)"])
        }
    }

    /// Reports progress: a new status (see ``ActionStatus/reportable``), a note and evidence files, in one transaction.
    @discardableResult
    public func updateFollowUpAction(id: Int64, status: String, note: String, evidence: [EvidenceUpload] = [], by actor: AuditActor) async throws -> FollowUpAction {
        try await write { w in
            let old = try await Self.lockedAction(w, id: id)
            var p: [InputProblem] = []
            let new = ActionStatus(rawValue: status)
            if status.isEmpty { p.append(InputProblem("status", "required")) }
            else if new == nil { p.append(InputProblem("status", "one_of", [ActionStatus.allCases.map(\.rawValue).joined(separator: ", ")])) }
            else if let new, new != old.status, !old.status.reportable.contains(new) {
                p.append(InputProblem("status", "status_transition", [old.status.rawValue, new.rawValue]))
            }
            let n = note.trimmingCharacters(in: .whitespacesAndNewlines)
            if n.count > 5000 { p.append(InputProblem("progress_note", "too_long", ["5000"])) }
            p += evidence.compactMap { Self.evidenceProblem(name: $0.name, data: $0.data).0 }
            if !p.isEmpty { throw StoreError.rejected(p) }
            var rec = old
            rec.status = new!
            if !n.isEmpty { rec.progressNote = n }
            rec.updatedAt = w.at
            try await w.sql.raw("""
                UPDATE followup_actions SET status = \(bind: rec.status.rawValue), progress_note = \(bind: rec.progressNote), updated_at = \(bind: w.t) WHERE id = \(bind: id)
                """).run()
            try await w.audit(actor, "update", "followup_action", id, old: ["status": old.status.rawValue, "note": old.progressNote],
                              new: ["status": rec.status.rawValue, "note": rec.progressNote])
            for f in evidence { _ = try await Self.insertEvidence(w, owner: .action, ownerID: id, name: f.name, data: f.data, by: actor) }
            return rec
        }
    }

    /// Verification by an evaluator or an admin (`verified_by` refused for any other role) of a done action.
    @discardableResult
    public func verifyAction(id: Int64, by actor: AuditActor) async throws -> FollowUpAction {
        try await write { w in
            let old = try await Self.lockedAction(w, id: id)
            guard let uid = actor.userID, let u = try await w.sql.raw("SELECT role, active FROM users WHERE id = \(bind: uid)").first(),
                  try u.bool("active"), let role = Role(rawValue: try u.string("role")), role == .evaluator || role == .admin else {
                throw StoreError.rejected([InputProblem("verified_by", "action_verify_role")])
            }
            guard old.status == .done else { throw StoreError.rejected([InputProblem("status", "status_transition", [old.status.rawValue, ActionStatus.verified.rawValue])]) }
            try await w.sql.raw("""
                UPDATE followup_actions SET status = 'verified', verified_by = \(bind: uid), verified_at = \(bind: w.t), updated_at = \(bind: w.t) WHERE id = \(bind: id)
                """).run()
            var rec = old
            rec.status = .verified
            rec.verifiedBy = uid
            rec.verifiedAt = w.at
            rec.updatedAt = w.at
            try await w.audit(actor, "verify", "followup_action", id, old: ["status": old.status.rawValue], new: ["status": "verified"])
            return rec
        }
    }

    // MARK: Notices

    static func notice(from r: any SQLRow) throws -> Notice {
        let id = try r.int64("id")
        return Notice(id: id, userID: try r.int64("user_id"), kind: try r.string("kind"), refID: try r.int64("ref_id"),
                      arguments: try decodeJSON([String].self, r, column: "args", table: "notices", row: "\(id)"),
                      createdAt: Date(timeIntervalSince1970: try r.double("created_at")), readAt: try r.optDouble("read_at").date)
    }

    /// Raises one `action_overdue` notice per overdue action for its owner (never twice for the
    /// same action and person). Returns how many were raised now.
    @discardableResult
    public func raiseOverdueActionNotices(now: Date) async throws -> Int {
        let today = CivilDate(now).description
        return try await write { w in
            let rows = try await w.sql.raw("""
                SELECT a.id, a.owner_id, a.title, a.due_date FROM followup_actions a
                WHERE a.status IN ('planned', 'in_progress') AND a.due_date < \(bind: today)
                  AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.user_id = a.owner_id AND n.kind = 'action_overdue' AND n.ref_id = a.id)
                ORDER BY a.id
                """).all()
            for r in rows {
                let args = [try r.string("title"), try r.string("due_date")]
                try await w.sql.raw("""
                    INSERT INTO notices (user_id, kind, ref_id, args, created_at) VALUES (\(bind: try r.int64("owner_id")), 'action_overdue', \(bind: try r.int64("id")),
                      \(bind: jsonText(args)), \(bind: now.timeIntervalSince1970))
                    ON CONFLICT (user_id, kind, ref_id) DO NOTHING
                    """).run()
            }
            return rows.count
        }
    }

    /// A person's notices, newest first.
    public func notices(userID: Int64, unreadOnly: Bool = false, limit: Int = 100) async throws -> [Notice] {
        try await read { sql in
            try await sql.raw("""
                SELECT * FROM notices WHERE user_id = \(bind: userID)\(unsafeRaw: unreadOnly ? " AND read_at IS NULL" : "") ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
                """).all().map(Self.notice(from:))
        }
    }

    public func unreadNoticeCount(userID: Int64) async throws -> Int {
        try await read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM notices WHERE user_id = \(bind: userID) AND read_at IS NULL").first()?.int("n") ?? 0
        }
    }

    /// Marks a person's notices read (all of them when `ids` is nil).
    public func markNoticesRead(userID: Int64, ids: [Int64]? = nil, at: Date) async throws {
        try await database.transaction { sql in
            var q: SQLQueryString = "UPDATE notices SET read_at = \(bind: at.timeIntervalSince1970) WHERE user_id = \(bind: userID) AND read_at IS NULL"
            if let ids { q = q + " AND id IN (\(unsafeRaw: ids.isEmpty ? "-1" : ids.map(String.init).joined(separator: ",")))" }
            try await sql.raw(q).run()
        }
    }
}
