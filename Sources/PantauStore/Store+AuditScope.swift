import Foundation
import SQLKit

/// What the audit trail page asks for: entries in a unit scope, filtered by who, what and when.
public struct AuditQuery: Sendable, Equatable {
    /// Units whose entries are wanted (nil: every entry, including those of no unit).
    public var unitIDs: Set<Int64>?
    /// The actor as recorded (`user:NAME`, `token:NAME`, `public`, `system`, `cli`).
    public var actor: String?
    /// The object kind (`sop`, `sop_version`, `user`, ...).
    public var entity: String?
    public var entityID: String?
    public var action: String?
    /// Entries at or after `from` and before `to`.
    public var from: Date?
    public var to: Date?
    public var page: Int
    public var perPage: Int

    public init(unitIDs: Set<Int64>? = nil, actor: String? = nil, entity: String? = nil, entityID: String? = nil, action: String? = nil,
                from: Date? = nil, to: Date? = nil, page: Int = 1, perPage: Int = 50) {
        self.unitIDs = unitIDs
        self.actor = actor
        self.entity = entity
        self.entityID = entityID
        self.action = action
        self.from = from
        self.to = to
        self.page = page
        self.perPage = perPage
    }
}

/// The unit each audit entry concerns, kept beside the chain (`audit_scope`) so that an auditor
/// scoped to a unit subtree sees that subtree's entries only. It is an index derived from the
/// entries' objects, written in the same transaction as the entry; it is not part of the hashed
/// content (the entry itself is), and entries of no unit (server secrets, organisation-wide
/// accounts) are visible only to unscoped auditors and admins.
enum AuditScope {
    /// Where the unit of each kind of object is found: the tables (`from`), the unit column, the id
    /// column, and whether the entry's id starts with the object's id (`12/v3`, `12/2026-Q1`).
    /// One list serves the entries written now and the back-fill of older ones.
    struct Source {
        let entity: String
        let from: String
        let unit: String
        let id: String
        var prefixed = false
        var condition: String? = nil
        /// Whether migration 7 back-fills entries of this kind: only kinds whose tables existed
        /// then (a later table has no older entries, and is not there when migration 7 runs).
        var backfilled = true
    }

    static let sources: [Source] = [
        Source(entity: "unit", from: "units u", unit: "u.id", id: "u.id"),
        Source(entity: "sop", from: "sops s", unit: "s.unit_id", id: "s.id"),
        Source(entity: "sop_version", from: "sops s", unit: "s.unit_id", id: "s.id", prefixed: true),
        Source(entity: "survey", from: "surveys s", unit: "s.unit_id", id: "s.id"),
        Source(entity: "survey_period", from: "surveys s", unit: "s.unit_id", id: "s.id", prefixed: true),
        Source(entity: "survey_response", from: "survey_responses r JOIN surveys s ON s.id = r.survey_id", unit: "s.unit_id", id: "r.id"),
        Source(entity: "survey_followup", from: "survey_followups f JOIN surveys s ON s.id = f.survey_id", unit: "s.unit_id", id: "f.id"),
        Source(entity: "survey_import", from: "survey_imports i JOIN surveys s ON s.id = i.survey_id", unit: "s.unit_id", id: "i.id"),
        Source(entity: "user", from: "users u", unit: "u.unit_id", id: "u.id", condition: "u.unit_id IS NOT NULL"),
        Source(entity: "api_token", from: "api_tokens t", unit: "t.unit_id", id: "t.id"),
        Source(entity: "indicator", from: "indicators i", unit: "i.unit_id", id: "i.id", backfilled: false),
        Source(entity: "indicator_period", from: "indicators i", unit: "i.unit_id", id: "i.id", prefixed: true, backfilled: false),
        Source(entity: "sop_quiz", from: "sops s", unit: "s.unit_id", id: "s.id", prefixed: true, backfilled: false),
        Source(entity: "sop_quiz_attempt", from: "sops s", unit: "s.unit_id", id: "s.id", prefixed: true, backfilled: false),
        Source(entity: "sop_acknowledgement", from: "sops s", unit: "s.unit_id", id: "s.id", prefixed: true, backfilled: false),
        Source(entity: "sop_monev_record", from: "sops s", unit: "s.unit_id", id: "s.id", prefixed: true, backfilled: false),
        // Findings, notes, recommendations, follow-up actions and evidence files (migration 16).
        Source(entity: "finding", from: "findings f JOIN sops s ON s.id = f.sop_id", unit: "s.unit_id", id: "f.id", backfilled: false),
        Source(entity: "eval_note", from: "eval_notes n JOIN sops s ON s.id = n.sop_id", unit: "s.unit_id", id: "n.id", backfilled: false),
        Source(entity: "recommendation", from: "recommendations r JOIN findings f ON f.id = r.finding_id JOIN sops s ON s.id = f.sop_id",
               unit: "s.unit_id", id: "r.id", backfilled: false),
        Source(entity: "followup_action", from: "followup_actions a", unit: "a.unit_id", id: "a.id", backfilled: false),
        Source(entity: "evidence_file", from: """
            evidence_files e LEFT JOIN findings f ON e.owner_kind = 'finding' AND f.id = e.owner_id
            LEFT JOIN eval_notes n ON e.owner_kind = 'note' AND n.id = e.owner_id
            LEFT JOIN followup_actions a ON e.owner_kind = 'action' AND a.id = e.owner_id
            LEFT JOIN indicator_periods ip ON e.owner_kind = 'indicator_value' AND ip.id = e.owner_id LEFT JOIN indicators i ON i.id = ip.indicator_id
            LEFT JOIN sop_monev_records m ON e.owner_kind IN ('monitoring_record', 'evaluation_record') AND m.id = e.owner_id
            LEFT JOIN sops s ON s.id = COALESCE(f.sop_id, n.sop_id, m.sop_id)
            """, unit: "COALESCE(a.unit_id, i.unit_id, s.unit_id)", id: "e.id", condition: "COALESCE(a.unit_id, i.unit_id, s.unit_id) IS NOT NULL",
               backfilled: false),
    ]

    /// SQL that yields the unit of one entry's object, or nil for kinds that belong to no unit.
    static func unitQuery(entity: String, entityID: String) -> SQLQueryString? {
        guard let src = sources.first(where: { $0.entity == entity }) else { return nil }
        let key = src.prefixed ? String(entityID.prefix { $0 != "/" }) : entityID
        var q: SQLQueryString = "SELECT \(unsafeRaw: src.unit) AS unit_id FROM \(unsafeRaw: src.from) WHERE CAST(\(unsafeRaw: src.id) AS TEXT) = \(bind: key)"
        if let c = src.condition { q = q + " AND \(unsafeRaw: c)" }
        return q
    }

    /// Records the unit of the entry just appended as `seq`.
    static func record(_ sql: any SQLDatabase, seq: Int64, entity: String, entityID: String) async throws {
        guard let q = unitQuery(entity: entity, entityID: entityID),
              let unit = try await sql.raw(q).first()?.optInt64("unit_id")
        else { return }
        try await sql.raw("INSERT INTO audit_scope (seq, unit_id) VALUES (\(bind: seq), \(bind: unit))").run()
    }

    /// Back-fill statements for entries written before migration 7, from the same list.
    static var backfill: [String] {
        sources.filter(\.backfilled).map { src in
            let match = src.prefixed ? "a.entity_id LIKE CAST(\(src.id) AS TEXT) || '/%'" : "CAST(\(src.id) AS TEXT) = a.entity_id"
            return "INSERT INTO audit_scope (seq, unit_id) SELECT a.seq, \(src.unit) FROM audit_log a, \(src.from) WHERE \(match) AND a.entity = '\(src.entity)'"
                + (src.condition.map { " AND \($0)" } ?? "")
        }
    }
}

extension PantauStore {
    /// Audit entries, newest first, in a unit scope and filtered.
    public func auditEntries(_ q: AuditQuery) async throws -> Page<AuditEntry> {
        let perPage = min(max(q.perPage, 1), 500)
        let page = max(q.page, 1)
        return try await read { sql in
            var conditions: [SQLQueryString] = []
            if let units = q.unitIDs {
                let list = units.isEmpty ? "-1" : units.sorted().map(String.init).joined(separator: ",")
                conditions.append("seq IN (SELECT seq FROM audit_scope WHERE unit_id IN (\(unsafeRaw: list)))")
            }
            if let v = q.actor, !v.isEmpty { conditions.append("actor = \(bind: v)") }
            if let v = q.entity, !v.isEmpty { conditions.append("entity = \(bind: v)") }
            if let v = q.entityID, !v.isEmpty { conditions.append("entity_id = \(bind: v)") }
            if let v = q.action, !v.isEmpty { conditions.append("action = \(bind: v)") }
            if let v = q.from { conditions.append("at >= \(bind: v.timeIntervalSince1970)") }
            if let v = q.to { conditions.append("at < \(bind: v.timeIntervalSince1970)") }
            var w: SQLQueryString = ""
            for (i, c) in conditions.enumerated() { w = w + (i == 0 ? " WHERE " : " AND ") + c }
            let total = try await sql.raw("SELECT COUNT(*) AS n FROM audit_log" + w).first()?.int("n") ?? 0
            let items = try await sql.raw("SELECT * FROM audit_log" + w + " ORDER BY seq DESC LIMIT \(bind: perPage) OFFSET \(bind: (page - 1) * perPage)")
                .all().map(Self.auditEntry(from:))
            return Page(items: items, total: total, page: page, perPage: perPage)
        }
    }

    /// The distinct actors, actions and object kinds in the trail (for the page's filters).
    public func auditFacets() async throws -> (actors: [String], actions: [String], entities: [String]) {
        try await read { sql in
            func distinct(_ c: String) async throws -> [String] {
                try await sql.raw("SELECT DISTINCT \(unsafeRaw: c) AS v FROM audit_log ORDER BY \(unsafeRaw: c) LIMIT 500").all().map { try $0.string("v") }
            }
            return (try await distinct("actor"), try await distinct("action"), try await distinct("entity"))
        }
    }
}
