import Foundation
import SQLKit

extension PantauStore {
    static func auditEntry(from r: any SQLRow) throws -> AuditEntry {
        AuditEntry(seq: try r.int64("seq"), at: try r.double("at"), actor: try r.string("actor"), action: try r.string("action"),
                   entity: try r.string("entity"), entityID: try r.string("entity_id"), oldValue: try r.optString("old_value"),
                   newValue: try r.optString("new_value"), prevHash: try r.string("prev_hash"), hash: try r.string("hash"),
                   mac: r.contains(column: "mac") ? try r.optString("mac") : nil)
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

    /// The head of the chain (its last entry), to publish or anchor elsewhere.
    ///
    /// - Throws: ``StoreError/corrupt(_:)`` when the head row is missing or its MAC does not
    ///   match the store's key (the head cannot be vouched for).
    public func auditHead() async throws -> AuditHead {
        let key = auditKey
        return try await read { sql in
            guard let h = try await sql.raw("SELECT seq, hash, mac, keyed_from FROM audit_head WHERE id = 1").first() else {
                throw StoreError.corrupt("audit_head row missing")
            }
            var head = AuditHead(seq: try h.int64("seq"), hash: try h.string("hash"), mac: try h.optString("mac"),
                                 keyedFrom: try h.optInt64("keyed_from"))
            if head.seq > 0 {
                head.at = try await sql.raw("SELECT at FROM audit_log WHERE seq = \(bind: head.seq)").first()?.double("at")
            }
            if let k = head.keyedFrom, head.seq >= k {
                guard let key else { throw AuditKeyError.notConfigured }
                guard let mac = head.mac, mac == key.mac(entryHash: head.hash) else {
                    throw StoreError.corrupt("the MAC of the audit head #\(head.seq) does not match the audit key: run `pantau audit verify`")
                }
            }
            return head
        }
    }

    /// Walks the whole chain in order and reports the first altered, missing or re-linked entry,
    /// or entries cut from the end (the head row records the last sequence number and hash).
    ///
    /// From ``AuditVerification/keyedFrom`` on (entries written after migration 8) each entry's
    /// MAC is checked with the store's key: an entry rewritten with recomputed plain hashes, or a
    /// wrong key, fails at the first such entry. With `expectHead` (a head published earlier), the
    /// chain must still contain that entry unchanged: a chain that ends before it was truncated.
    /// Problems of the plain chain (altered, missing, re-linked, head) are reported first, then
    /// the first MAC problem, then the expected head.
    /// - Throws: ``AuditKeyError/notConfigured`` when there are keyed entries and no key.
    /// - Complexity: O(entries), read in batches of 1,000.
    public func verifyAudit(expectHead: AuditHead? = nil) async throws -> AuditVerification {
        let key = auditKey
        // One snapshot for the head and every page of entries: with other writers (a running
        // server, another instance) a page read later would see entries the head read before had
        // not, or the other way round, and report a chain that is fine as broken.
        return try await database.snapshotRead { sql in
            guard let head = try await sql.raw("SELECT * FROM audit_head WHERE id = 1").first() else {
                return AuditVerification(checked: 0, problem: .headMismatch, seq: 0)
            }
            // Before migration 8 the row has no keyed_from column.
            let keyedFrom = head.contains(column: "keyed_from") ? try head.optInt64("keyed_from") : nil
            var expectedSeq: Int64 = 1
            var prevHash = AuditChain.genesisHash
            var prevMac: String?
            var checked = 0
            var expectedFound = expectHead.map { $0.seq == 0 && $0.hash == AuditChain.genesisHash } ?? false
            // The first MAC problem; reported after the plain chain's own problems (a broken link
            // or altered content is named as such, even when a MAC also fails).
            var macProblem: (problem: AuditVerification.Problem, seq: Int64, checked: Int)?
            func result(_ p: AuditVerification.Problem?, _ seq: Int64?) -> AuditVerification {
                AuditVerification(checked: checked, problem: p, seq: seq, keyedFrom: keyedFrom, lastSeq: expectedSeq - 1)
            }
            while true {
                let rows = try await sql.raw("SELECT * FROM audit_log WHERE seq >= \(bind: expectedSeq) ORDER BY seq LIMIT 1000").all()
                if rows.isEmpty { break }
                for r in rows {
                    let e = try Self.auditEntry(from: r)
                    if e.seq != expectedSeq { return result(.missing, expectedSeq) }
                    if e.prevHash != prevHash { return result(.brokenLink, e.seq) }
                    let h = AuditChain.hash(prev: e.prevHash, seq: e.seq, at: e.at, actor: e.actor, action: e.action,
                                            entity: e.entity, entityID: e.entityID, old: e.oldValue, new: e.newValue)
                    if h != e.hash { return result(.altered, e.seq) }
                    if let k = keyedFrom, e.seq >= k, macProblem == nil {
                        guard let key else { throw AuditKeyError.notConfigured }
                        if e.mac == nil {
                            macProblem = (.macMissing, e.seq, checked)
                        } else if e.mac != key.mac(entryHash: e.hash) {
                            macProblem = (.macMismatch, e.seq, checked)
                        }
                    }
                    if let x = expectHead, x.seq == e.seq {
                        expectedFound = x.hash == e.hash && (x.mac == nil || x.mac == e.mac)
                    }
                    prevHash = e.hash
                    prevMac = e.mac
                    expectedSeq += 1
                    checked += 1
                }
            }
            let last = expectedSeq - 1
            let headMac = head.contains(column: "mac") ? try head.optString("mac") : nil
            let keyedHead = keyedFrom.map { last >= $0 } ?? false
            if try head.int64("seq") != last || head.string("hash") != prevHash || (keyedHead && headMac != prevMac) {
                return result(.headMismatch, last)
            }
            if let m = macProblem {
                return AuditVerification(checked: m.checked, problem: m.problem, seq: m.seq, keyedFrom: keyedFrom, lastSeq: last)
            }
            if let x = expectHead, !expectedFound {
                return x.seq > last ? result(.endsBeforeExpectedHead, x.seq) : result(.expectedHeadNotInChain, x.seq)
            }
            return result(nil, nil)
        }
    }
}
