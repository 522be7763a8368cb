import Crypto
import Foundation
import SQLKit

/// Who did something, for the audit trail.
public struct AuditActor: Sendable, Hashable, Codable {
    public var userID: Int64?
    /// A human-readable label: `user:admin`, `token:sik-puskesmas`, `system`, `cli`.
    public var label: String

    public init(userID: Int64?, label: String) {
        self.userID = userID
        self.label = label
    }

    public static let system = AuditActor(userID: nil, label: "system")
    public static let cli = AuditActor(userID: nil, label: "cli")
}

/// One entry of the tamper-evident audit trail.
public struct AuditEntry: Sendable, Codable, Hashable {
    public var seq: Int64
    public var at: Double
    public var actor: String
    public var action: String
    public var entity: String
    public var entityID: String
    public var oldValue: String?
    public var newValue: String?
    public var prevHash: String
    public var hash: String
}

/// The hash chain: each entry's hash covers its content and the previous entry's hash.
public enum AuditChain {
    public static let genesisHash = String(repeating: "0", count: 64)

    /// SHA-256 over a length-prefixed encoding of every field, so no two different entries can
    /// produce the same input by shifting text between fields.
    public static func hash(
        prev: String, seq: Int64, at: Double, actor: String, action: String,
        entity: String, entityID: String, old: String?, new: String?
    ) -> String {
        var h = SHA256()
        func field(_ s: String?) {
            guard let s else {
                h.update(data: Data("-;".utf8))
                return
            }
            let bytes = Data(s.utf8)
            h.update(data: Data("\(bytes.count):".utf8))
            h.update(data: bytes)
            h.update(data: Data(";".utf8))
        }
        field(prev)
        field(String(seq))
        field(String(at.bitPattern, radix: 16))
        field(actor)
        field(action)
        field(entity)
        field(entityID)
        field(old)
        field(new)
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Appends an entry inside the caller's transaction. The head row is locked (PostgreSQL
    /// `FOR UPDATE`; SQLite transactions are already exclusive), so entries from concurrent
    /// writers are chained in commit order.
    static func append(
        _ sql: any SQLDatabase, kind: DatabaseKind, at: Date, actor: AuditActor, action: String,
        entity: String, entityID: String, old: String?, new: String?
    ) async throws {
        let lock = kind == .postgres ? " FOR UPDATE" : ""
        guard let head = try await sql.raw("SELECT seq, hash FROM audit_head WHERE id = 1\(unsafeRaw: lock)").first() else {
            throw StoreError.corrupt("audit_head row missing")
        }
        let prevSeq = try head.decode(column: "seq", as: Int64.self)
        let prevHash = try head.decode(column: "hash", as: String.self)
        let seq = prevSeq + 1
        let t = at.timeIntervalSince1970
        let hash = Self.hash(prev: prevHash, seq: seq, at: t, actor: actor.label, action: action,
                             entity: entity, entityID: entityID, old: old, new: new)
        try await sql.raw("""
            INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, old_value, new_value, prev_hash, hash)
            VALUES (\(bind: seq), \(bind: t), \(bind: actor.label), \(bind: action), \(bind: entity), \(bind: entityID),
                    \(bind: old), \(bind: new), \(bind: prevHash), \(bind: hash))
            """).run()
        try await sql.raw("UPDATE audit_head SET seq = \(bind: seq), hash = \(bind: hash) WHERE id = 1").run()
    }
}

/// Outcome of checking the audit chain.
public struct AuditVerification: Sendable, Codable, Equatable {
    public enum Problem: String, Sendable, Codable {
        /// An entry's content no longer matches its hash.
        case altered
        /// A sequence number is missing (an entry was deleted).
        case missing
        /// An entry's `prev_hash` does not match the entry before it (entries reordered or replaced).
        case brokenLink = "broken_link"
        /// The chain's last entry is not the recorded head (entries removed from the end).
        case headMismatch = "head_mismatch"
    }

    public var ok: Bool { problem == nil }
    /// Entries checked before stopping.
    public var checked: Int
    public var problem: Problem?
    /// The first entry found wrong (for `missing`: the sequence number that is absent).
    public var seq: Int64?

    public var description: String {
        guard let problem, let seq else { return "OK: \(checked) entri jejak audit utuh (audit trail intact)" }
        switch problem {
        case .altered: return "GAGAL: entri #\(seq) telah diubah (entry altered)"
        case .missing: return "GAGAL: entri #\(seq) hilang (entry missing)"
        case .brokenLink: return "GAGAL: rantai putus di entri #\(seq) (broken link)"
        case .headMismatch: return "GAGAL: entri terakhir tidak sesuai kepala rantai; entri setelah #\(seq) hilang (entries removed from the end)"
        }
    }
}
