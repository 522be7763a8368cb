import Foundation
import SQLKit

extension PantauStore {
    static func auditEntry(from r: any SQLRow) throws -> AuditEntry {
        AuditEntry(seq: try r.int64("seq"), at: try r.double("at"), actor: try r.string("actor"), action: try r.string("action"),
                   entity: try r.string("entity"), entityID: try r.string("entity_id"), oldValue: try r.optString("old_value"),
                   newValue: try r.optString("new_value"), prevHash: try r.string("prev_hash"), hash: try r.string("hash"))
    }

    /// Audit entries, newest first, optionally for one entity.
    public func auditEntries(entity: String? = nil, entityID: String? = nil, page: Int = 1, perPage: Int = 50) async throws -> Page<AuditEntry> {
        let perPage = min(max(perPage, 1), 500)
        let page = max(page, 1)
        return try await read { sql in
            var w: SQLQueryString = ""
            if let entity {
                w = " WHERE entity = \(bind: entity)"
                if let entityID { w = w + " AND entity_id = \(bind: entityID)" }
            }
            let total = try await sql.raw("SELECT COUNT(*) AS n FROM audit_log" + w).first()?.int("n") ?? 0
            let items = try await sql.raw("SELECT * FROM audit_log" + w + " ORDER BY seq DESC LIMIT \(bind: perPage) OFFSET \(bind: (page - 1) * perPage)")
                .all().map(Self.auditEntry(from:))
            return Page(items: items, total: total, page: page, perPage: perPage)
        }
    }

    /// Walks the whole chain in order and reports the first altered, missing or re-linked entry,
    /// or entries cut from the end (the head row records the last sequence number and hash).
    /// - Complexity: O(entries), read in batches of 1,000.
    public func verifyAudit() async throws -> AuditVerification {
        try await read { sql in
            var expectedSeq: Int64 = 1
            var prevHash = AuditChain.genesisHash
            var checked = 0
            while true {
                let rows = try await sql.raw("SELECT * FROM audit_log WHERE seq >= \(bind: expectedSeq) ORDER BY seq LIMIT 1000").all()
                if rows.isEmpty { break }
                for r in rows {
                    let e = try Self.auditEntry(from: r)
                    if e.seq != expectedSeq {
                        return AuditVerification(checked: checked, problem: .missing, seq: expectedSeq)
                    }
                    if e.prevHash != prevHash {
                        return AuditVerification(checked: checked, problem: .brokenLink, seq: e.seq)
                    }
                    let h = AuditChain.hash(prev: e.prevHash, seq: e.seq, at: e.at, actor: e.actor, action: e.action,
                                            entity: e.entity, entityID: e.entityID, old: e.oldValue, new: e.newValue)
                    if h != e.hash {
                        return AuditVerification(checked: checked, problem: .altered, seq: e.seq)
                    }
                    prevHash = e.hash
                    expectedSeq += 1
                    checked += 1
                }
            }
            guard let head = try await sql.raw("SELECT seq, hash FROM audit_head WHERE id = 1").first() else {
                return AuditVerification(checked: checked, problem: .headMismatch, seq: expectedSeq - 1)
            }
            if try head.int64("seq") != expectedSeq - 1 || head.string("hash") != prevHash {
                return AuditVerification(checked: checked, problem: .headMismatch, seq: expectedSeq - 1)
            }
            return AuditVerification(checked: checked, problem: nil, seq: nil)
        }
    }
}
