import Crypto
import Foundation
import SQLKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// HMAC-SHA256 of `hash` under the audit key (``AuditKey``); nil for entries written before
    /// migration 8 (the chain is keyed from ``AuditHead/keyedFrom`` on).
    public var mac: String? = nil
}

/// The secret that keys the audit chain (HMAC-SHA256). Kept outside the database, so that someone
/// who can rewrite the tables cannot recompute the MACs: `PANTAU_AUDIT_KEY_FILE` (a file, e.g. a
/// container secret), `PANTAU_AUDIT_KEY`, or on the embedded SQLite default a file beside the
/// database (`<database>.audit-key`, mode 0600) created at first start.
public struct AuditKey: Sendable {
    private let secretBytes: [UInt8]
    var key: SymmetricKey { SymmetricKey(data: secretBytes) }
    /// Names the key without revealing it: the first 16 hex digits of SHA-256 of a derived value.
    public let id: String

    /// The shortest secret accepted, in characters.
    public static let minimumLength = 32

    /// A key from secret text (surrounding white space ignored), at least ``minimumLength`` long.
    public init(secret: String, source: String = "PANTAU_AUDIT_KEY") throws(AuditKeyError) {
        let text = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count >= Self.minimumLength else { throw .tooShort(source: source, minimum: Self.minimumLength) }
        secretBytes = Array(text.utf8)
        let digest = HMAC<SHA256>.authenticationCode(for: Data("pantau-audit-key-id".utf8), using: SymmetricKey(data: secretBytes))
        id = String(hex(digest).prefix(16))
    }

    /// A new random secret: 32 bytes as 64 hex digits.
    public static func generateSecret() -> String {
        hex(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    /// The MAC of an entry: HMAC-SHA256 over its hash (which covers its content and, through
    /// `prev_hash`, every entry before it), as 64 hex digits.
    public func mac(entryHash: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Data("pantau-audit-v1:\(entryHash)".utf8), using: key))
    }

    /// Reads a key file.
    public static func load(file path: String) throws(AuditKeyError) -> AuditKey {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        return try AuditKey(secret: text, source: path)
    }

    /// The key file beside a SQLite database: read when it exists, otherwise created (mode 0600,
    /// never overwriting a file another process created at the same moment).
    public static func loadOrCreate(besideDatabase databasePath: String) throws(AuditKeyError) -> ResolvedAuditKey {
        let path = databasePath + ".audit-key"
        if FileManager.default.fileExists(atPath: path) {
            return ResolvedAuditKey(key: try load(file: path), origin: path, createdFile: nil)
        }
        let secret = generateSecret()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd < 0 {
            if errno == EEXIST { return ResolvedAuditKey(key: try load(file: path), origin: path, createdFile: nil) }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        let bytes = Array((secret + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0 else {
            unlink(path)
            throw .unreadable(path: path, reason: "could not write the new key file")
        }
        return ResolvedAuditKey(key: try AuditKey(secret: secret, source: path), origin: path, createdFile: path)
    }

    /// The key from the settings: a file (`PANTAU_AUDIT_KEY_FILE`) or a value (`PANTAU_AUDIT_KEY`);
    /// with neither, the file beside a SQLite database (created on first start). PostgreSQL
    /// needs one of the two settings.
    public static func resolve(file: String?, secret: String?, database: DatabaseLocation) throws(AuditKeyError) -> ResolvedAuditKey {
        let file = file.flatMap { $0.isEmpty ? nil : $0 }
        let secret = secret.flatMap { $0.isEmpty ? nil : $0 }
        switch (file, secret) {
        case (.some, .some): throw .bothConfigured
        case let (.some(f), nil): return ResolvedAuditKey(key: try load(file: f), origin: f, createdFile: nil)
        case let (nil, .some(v)): return ResolvedAuditKey(key: try AuditKey(secret: v), origin: "PANTAU_AUDIT_KEY", createdFile: nil)
        case (nil, nil):
            switch database {
            case let .sqlite(path): return try loadOrCreate(besideDatabase: path)
            case .postgres: throw .notConfigured
            }
        }
    }
}

/// An audit key and where it came from.
public struct ResolvedAuditKey: Sendable {
    public let key: AuditKey
    /// The file or setting it was read from.
    public let origin: String
    /// Set when the key file was created just now (SQLite, first start).
    public let createdFile: String?

    public init(key: AuditKey, origin: String, createdFile: String?) {
        self.key = key
        self.origin = origin
        self.createdFile = createdFile
    }
}

/// Problems with the audit key.
public enum AuditKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// PostgreSQL without `PANTAU_AUDIT_KEY_FILE` or `PANTAU_AUDIT_KEY`.
    case notConfigured
    /// Both settings are given.
    case bothConfigured
    /// The secret is shorter than `minimum` characters.
    case tooShort(source: String, minimum: Int)
    case unreadable(path: String, reason: String)
    /// An audit entry was to be written by a store opened without a key.
    case missingForWrite
    /// The audit chain has keyed entries but the key file beside the database was missing (a new
    /// one was about to be created, which would make every earlier entry fail verification).
    case keyFileLost(path: String)

    public var description: String {
        switch self {
        case .notConfigured:
            return "kunci jejak audit belum diatur: set PANTAU_AUDIT_KEY_FILE (a file holding the key, e.g. /run/secrets/pantau-audit-key) or PANTAU_AUDIT_KEY (at least \(AuditKey.minimumLength) characters; e.g. `openssl rand -hex 32`). PostgreSQL needs one of them; keep the key outside the database and back it up."
        case .bothConfigured:
            return "set only one of PANTAU_AUDIT_KEY_FILE and PANTAU_AUDIT_KEY"
        case let .tooShort(source, minimum):
            return "\(source): the audit key must have at least \(minimum) characters (e.g. `openssl rand -hex 32`)"
        case let .unreadable(path, reason):
            return "cannot read or create the audit key file \(path): \(reason)"
        case .missingForWrite:
            return "no audit key: this store cannot write audit entries (set PANTAU_AUDIT_KEY_FILE or PANTAU_AUDIT_KEY)"
        case let .keyFileLost(path):
            return "the audit key file \(path) is missing, but the audit trail already has keyed entries: restore the key file from backup (a new key would make every keyed entry fail verification)"
        }
    }
}

/// The head of the chain: its last entry. Printed by `pantau audit head` as one line
/// `SEQ:HASH:MAC` to publish or anchor elsewhere; `pantau audit verify --expect-head` checks it
/// is still in the chain.
public struct AuditHead: Sendable, Codable, Equatable {
    public var seq: Int64
    public var hash: String
    /// Nil when the head entry predates the keyed chain (or the chain is empty).
    public var mac: String?
    /// The first sequence number with a MAC (entries before it were written before migration 8).
    public var keyedFrom: Int64?
    /// Time of the head entry (seconds since 1970), nil for an empty chain.
    public var at: Double?

    public init(seq: Int64, hash: String, mac: String?, keyedFrom: Int64? = nil, at: Double? = nil) {
        self.seq = seq
        self.hash = hash
        self.mac = mac
        self.keyedFrom = keyedFrom
        self.at = at
    }

    /// `SEQ:HASH:MAC` (`-` for no MAC).
    public var line: String { "\(seq):\(hash):\(mac ?? "-")" }

    /// Reads `SEQ:HASH` or `SEQ:HASH:MAC` (as printed by `pantau audit head`).
    public init?(line: String) {
        let parts = line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, let seq = Int64(parts[0]), seq >= 0 else { return nil }
        func isHex64(_ s: Substring) -> Bool { s.count == 64 && s.allSatisfy(\.isHexDigit) }
        guard isHex64(parts[1]) else { return nil }
        var mac: String?
        if parts.count == 3, parts[2] != "-" {
            guard isHex64(parts[2]) else { return nil }
            mac = parts[2].lowercased()
        }
        self.init(seq: seq, hash: parts[1].lowercased(), mac: mac)
    }
}

func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
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
    /// writers are chained in commit order. Each entry gets a MAC under `key`; without a key
    /// nothing is written (``AuditKeyError/missingForWrite``).
    static func append(
        _ sql: any SQLDatabase, kind: DatabaseKind, key: AuditKey?, at: Date, actor: AuditActor, action: String,
        entity: String, entityID: String, old: String?, new: String?
    ) async throws -> Int64 {
        guard let key else { throw AuditKeyError.missingForWrite }
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
        let mac = key.mac(entryHash: hash)
        try await sql.raw("""
            INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, old_value, new_value, prev_hash, hash, mac)
            VALUES (\(bind: seq), \(bind: t), \(bind: actor.label), \(bind: action), \(bind: entity), \(bind: entityID),
                    \(bind: old), \(bind: new), \(bind: prevHash), \(bind: hash), \(bind: mac))
            """).run()
        try await sql.raw("UPDATE audit_head SET seq = \(bind: seq), hash = \(bind: hash), mac = \(bind: mac) WHERE id = 1").run()
        return seq
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
        /// A keyed entry's MAC does not match (entry rewritten with recomputed hashes, or the wrong key).
        case macMismatch = "mac_mismatch"
        /// An entry from the keyed part of the chain has no MAC.
        case macMissing = "mac_missing"
        /// The expected head (`--expect-head`) is not in the chain: that entry differs.
        case expectedHeadNotInChain = "expected_head_not_in_chain"
        /// The chain ends before the expected head (entries removed from the end).
        case endsBeforeExpectedHead = "ends_before_expected_head"
    }

    public var ok: Bool { problem == nil }
    /// Entries checked before stopping.
    public var checked: Int
    public var problem: Problem?
    /// The first entry found wrong (for `missing`: the sequence number that is absent; for the
    /// expected-head problems: the expected head's sequence number).
    public var seq: Int64?
    /// The first sequence number whose MAC is checked (entries before it predate migration 8 and
    /// carry only the plain hash); nil before migration 8.
    public var keyedFrom: Int64?
    /// The last sequence number in the chain (0 when empty), as read.
    public var lastSeq: Int64?

    public init(checked: Int, problem: Problem?, seq: Int64?, keyedFrom: Int64? = nil, lastSeq: Int64? = nil) {
        self.checked = checked
        self.problem = problem
        self.seq = seq
        self.keyedFrom = keyedFrom
        self.lastSeq = lastSeq
    }

    public var description: String {
        guard let problem, let seq else {
            var s = "OK: \(checked) entri jejak audit utuh (audit trail intact)"
            if let k = keyedFrom {
                s += k <= Int64(checked) ? "; berkunci HMAC sejak entri #\(k) (keyed from #\(k))"
                    : "; entri mulai #\(k) akan berkunci HMAC (entries from #\(k) on are keyed)"
                if k > 1 { s += "; entri #1-#\(min(k - 1, Int64(checked))) hanya hash biasa (plain hash only)" }
            }
            return s
        }
        switch problem {
        case .altered: return "GAGAL: entri #\(seq) telah diubah (entry altered)"
        case .missing: return "GAGAL: entri #\(seq) hilang (entry missing)"
        case .brokenLink: return "GAGAL: rantai putus di entri #\(seq) (broken link)"
        case .headMismatch: return "GAGAL: entri terakhir tidak sesuai kepala rantai; entri setelah #\(seq) hilang (entries removed from the end)"
        case .macMismatch: return "GAGAL: MAC entri #\(seq) tidak cocok: entri ditulis ulang atau kunci salah (MAC mismatch at #\(seq): entry rewritten, or the wrong audit key)"
        case .macMissing: return "GAGAL: entri #\(seq) tidak punya MAC padahal rantai berkunci sejak #\(keyedFrom ?? 0) (MAC missing at #\(seq))"
        case .expectedHeadNotInChain: return "GAGAL: kepala yang diharapkan #\(seq) tidak ada dalam rantai; entri #\(seq) berbeda (expected head #\(seq) is not in the chain)"
        case .endsBeforeExpectedHead:
            return "GAGAL: rantai berakhir di #\(lastSeq ?? 0), sebelum kepala yang diharapkan #\(seq); entri di akhir telah dihapus (the chain ends at #\(lastSeq ?? 0), before the expected head #\(seq): entries were removed from the end)"
        }
    }
}
