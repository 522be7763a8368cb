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
    /// SQL that yields the unit of an entry's object from `:entity_id` text, per object kind.
    /// The same expressions back-fill entries written before the scope existed (migration 7).
    static func unitQuery(entity: String, entityID: String) -> SQLQueryString? {
        switch entity {
        case "unit":
            return "SELECT id AS unit_id FROM units WHERE CAST(id AS TEXT) = \(bind: entityID)"
        case "sop":
            return "SELECT unit_id FROM sops WHERE CAST(id AS TEXT) = \(bind: entityID)"
        case "sop_version":
            return "SELECT unit_id FROM sops WHERE CAST(id AS TEXT) = \(bind: prefix(entityID))"
        case "survey":
            return "SELECT unit_id FROM surveys WHERE CAST(id AS TEXT) = \(bind: entityID)"
        case "survey_period":
            return "SELECT unit_id FROM surveys WHERE CAST(id AS TEXT) = \(bind: prefix(entityID))"
        case "survey_response":
            return """
                SELECT s.unit_id FROM survey_responses r JOIN surveys s ON s.id = r.survey_id WHERE CAST(r.id AS TEXT) = \(bind: entityID)
                """
        case "survey_followup":
            return """
                SELECT s.unit_id FROM survey_followups f JOIN surveys s ON s.id = f.survey_id WHERE CAST(f.id AS TEXT) = \(bind: entityID)
                """
        case "survey_import":
            return """
                SELECT s.unit_id FROM survey_imports i JOIN surveys s ON s.id = i.survey_id WHERE CAST(i.id AS TEXT) = \(bind: entityID)
                """
        case "user":
            return "SELECT unit_id FROM users WHERE CAST(id AS TEXT) = \(bind: entityID) AND unit_id IS NOT NULL"
        case "api_token":
            return "SELECT unit_id FROM api_tokens WHERE CAST(id AS TEXT) = \(bind: entityID)"
        default:
            return nil
        }
    }

    /// `12` of `12/v3` or `12/2026-Q1`.
    static func prefix(_ id: String) -> String { String(id.prefix { $0 != "/" }) }

    /// Records the unit of the entry just appended (the head's sequence number).
    static func record(_ sql: any SQLDatabase, entity: String, entityID: String) async throws {
        guard let q = unitQuery(entity: entity, entityID: entityID),
              let unit = try await sql.raw(q).first()?.optInt64("unit_id"),
              let seq = try await sql.raw("SELECT seq FROM audit_head WHERE id = 1").first()?.int64("seq")
        else { return }
        try await sql.raw("INSERT INTO audit_scope (seq, unit_id) VALUES (\(bind: seq), \(bind: unit))").run()
    }

    /// Back-fill statements for entries written before migration 7 (the same mapping as
    /// ``unitQuery(entity:entityID:)``, in SQL both engines accept).
    static let backfill: [String] = [
        "INSERT INTO audit_scope (seq, unit_id) SELECT a.seq, u.id FROM audit_log a JOIN units u ON CAST(u.id AS TEXT) = a.entity_id WHERE a.entity = 'unit'",
        "INSERT INTO audit_scope (seq, unit_id) SELECT a.seq, s.unit_id FROM audit_log a JOIN sops s ON CAST(s.id AS TEXT) = a.entity_id WHERE a.entity = 'sop'",
        "INSERT INTO audit_scope (seq, unit_id) SELECT a.seq, s.unit_id FROM audit_log a JOIN sops s ON a.entity_id LIKE CAST(s.id AS TEXT) || '/%' WHERE a.entity = 'sop_version'",
        "INSERT INTO audit_scope (seq, unit_id) SELECT a.seq, s.unit_id FROM audit_log a JOIN surveys s ON CAST(s.id AS TEXT) = a.entity_id WHERE a.entity = 'survey'",
        "INSERT INTO audit_scope (seq, unit_id) SELECT a.seq, s.unit_id FROM audit_log a JOIN surveys s ON a.entity_id LIKE CAST(s.id AS TEXT) || '/%' WHERE a.entity = 'survey_period'",
        "INSERT INTO audit_scope (seq, unit_id) SELECT a.seq, s.unit_id FROM audit_log a JOIN survey_responses r ON CAST(r.id AS TEXT) = a.entity_id JOIN surveys s ON s.id = r.survey_id WHERE a.entity = 'survey_response'",
        "INSERT INTO audit_scope (seq, unit_id) SELECT a.seq, s.unit_id FROM audit_log a JOIN survey_followups f ON CAST(f.id AS TEXT) = a.entity_id JOIN surveys s ON s.id = f.survey_id WHERE a.entity = 'survey_followup'",
        "INSERT INTO audit_scope (seq, unit_id) SELECT a.seq, s.unit_id FROM audit_log a JOIN survey_imports i ON CAST(i.id AS TEXT) = a.entity_id JOIN surveys s ON s.id = i.survey_id WHERE a.entity = 'survey_import'",
        "INSERT INTO audit_scope (seq, unit_id) SELECT a.seq, u.unit_id FROM audit_log a JOIN users u ON CAST(u.id AS TEXT) = a.entity_id WHERE a.entity = 'user' AND u.unit_id IS NOT NULL",
        "INSERT INTO audit_scope (seq, unit_id) SELECT a.seq, t.unit_id FROM audit_log a JOIN api_tokens t ON CAST(t.id AS TEXT) = a.entity_id WHERE a.entity = 'api_token'",
    ]
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
