import Foundation
import PantauCore
import SQLKit

/// A user account (without its password hash).
public struct UserRecord: Sendable, Codable, Hashable {
    public var id: Int64
    public var username: String
    public var displayName: String
    public var role: Role
    /// Root of the unit subtree the user works in; nil for admins and cross-agency auditors.
    public var unitID: Int64?
    public var language: Language
    public var active: Bool
    public var mustChangePassword: Bool
    public var createdAt: Date
    public var lastLoginAt: Date?
}

/// Fields of a user that an admin sets.
public struct UserInput: Sendable, Equatable {
    public var username: String
    public var displayName: String
    public var role: Role
    public var unitID: Int64?
    public var language: Language
    public var active: Bool

    public init(username: String, displayName: String, role: Role, unitID: Int64?, language: Language = .id, active: Bool = true) {
        self.username = username
        self.displayName = displayName
        self.role = role
        self.unitID = unitID
        self.language = language
        self.active = active
    }

    /// Every problem of the fields alone (a taken user name and a missing unit are checked by the store).
    public func problems() -> [InputProblem] {
        var p: [InputProblem] = []
        let u = username
        if u.isEmpty { p.append(InputProblem("username", "required")) }
        else if u.count < 3 || u.count > 64 || !u.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) {
            p.append(InputProblem("username", "username_format", ["3", "64"]))
        }
        if displayName.trimmingCharacters(in: .whitespaces).isEmpty { p.append(InputProblem("display_name", "required")) }
        else if displayName.count > 200 { p.append(InputProblem("display_name", "too_long", ["200"])) }
        if role != .admin && role != .auditor && unitID == nil { p.append(InputProblem("unit_id", "role_needs_unit")) }
        return p
    }
}

/// A login session (the cookie holds the token; only its hash is stored).
public struct SessionRecord: Sendable, Hashable {
    public var tokenHash: String
    public var userID: Int64
    public var csrfToken: String
    public var createdAt: Date
    public var expiresAt: Date
    public var lastSeenAt: Date
}

/// An API token for an integration, scoped to a unit subtree.
public struct APITokenRecord: Sendable, Codable, Hashable {
    public var id: Int64
    public var name: String
    /// First characters of the token, shown so people can tell tokens apart.
    public var prefix: String
    public var unitID: Int64
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?
    /// After this moment the token is refused (nil: until revoked).
    public var expiresAt: Date?
    /// A read-only token may call GET routes only.
    public var readOnly: Bool = false
}

extension PantauStore {
    static let userColumns = "id, username, display_name, role, unit_id, language, active, must_change_password, created_at, last_login_at"

    static func user(from r: any SQLRow) throws -> UserRecord {
        UserRecord(
            id: try r.int64("id"), username: try r.string("username"), displayName: try r.string("display_name"),
            role: Role(rawValue: try r.string("role")) ?? .officer, unitID: try r.optInt64("unit_id"),
            language: Language(rawValue: try r.string("language")) ?? .id, active: try r.bool("active"),
            mustChangePassword: try r.bool("must_change_password"),
            createdAt: Date(timeIntervalSince1970: try r.double("created_at")), lastLoginAt: try r.optDouble("last_login_at").date)
    }

    public func userCount() async throws -> Int {
        try await read { sql in try await sql.raw("SELECT COUNT(*) AS n FROM users").first()?.int("n") ?? 0 }
    }

    public func users() async throws -> [UserRecord] {
        try await read { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users ORDER BY username").all().map(Self.user(from:))
        }
    }

    public func user(id: Int64) async throws -> UserRecord {
        try await read { sql in
            guard let r = try await sql.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "user", id: "\(id)")
            }
            return try Self.user(from: r)
        }
    }

    /// The user and password hash for a login name (case-insensitive).
    public func credentials(username: String) async throws -> (UserRecord, String)? {
        try await read { sql in
            guard let r = try await sql.raw("SELECT \(unsafeRaw: Self.userColumns), password_hash FROM users WHERE LOWER(username) = \(bind: username.lowercased())").first() else {
                return nil
            }
            return (try Self.user(from: r), try r.string("password_hash"))
        }
    }

    /// Every problem of a user input at once.
    private static func checkUser(_ input: UserInput, id: Int64?, _ sql: any SQLDatabase) async throws {
        var problems = input.problems()
        if let r = try await sql.raw("SELECT id FROM users WHERE LOWER(username) = \(bind: input.username.lowercased())").first(),
           try r.int64("id") != id {
            problems.append(InputProblem("username", "username_taken", [input.username]))
        }
        if let u = input.unitID, try await sql.raw("SELECT id FROM units WHERE id = \(bind: u)").first() == nil {
            problems.append(InputProblem("unit_id", "unit_missing"))
        }
        if !problems.isEmpty { throw StoreError.rejected(problems) }
    }

    @discardableResult
    public func createUser(_ input: UserInput, passwordHash: String, mustChangePassword: Bool = false, by actor: AuditActor) async throws -> UserRecord {
        try await write { w in
            try await Self.checkUser(input, id: nil, w.sql)
            guard let r = try await w.sql.raw("""
                INSERT INTO users (username, display_name, password_hash, role, unit_id, language, active, must_change_password, created_at)
                VALUES (\(bind: input.username), \(bind: input.displayName), \(bind: passwordHash), \(bind: input.role.rawValue),
                        \(bind: input.unitID), \(bind: input.language.rawValue), \(bind: input.active ? 1 : 0),
                        \(bind: mustChangePassword ? 1 : 0), \(bind: w.t))
                RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let u = UserRecord(id: try r.int64("id"), username: input.username, displayName: input.displayName, role: input.role,
                               unitID: input.unitID, language: input.language, active: input.active,
                               mustChangePassword: mustChangePassword, createdAt: w.at, lastLoginAt: nil)
            try await w.audit(actor, "create", "user", u.id, new: u)
            return u
        }
    }

    @discardableResult
    public func updateUser(id: Int64, _ input: UserInput, by actor: AuditActor) async throws -> UserRecord {
        try await write { w in
            guard let r = try await w.sql.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "user", id: "\(id)")
            }
            let old = try Self.user(from: r)
            try await Self.checkUser(input, id: id, w.sql)
            try await w.sql.raw("""
                UPDATE users SET username = \(bind: input.username), display_name = \(bind: input.displayName),
                  role = \(bind: input.role.rawValue), unit_id = \(bind: input.unitID), language = \(bind: input.language.rawValue),
                  active = \(bind: input.active ? 1 : 0) WHERE id = \(bind: id)
                """).run()
            if !input.active { try await w.sql.raw("DELETE FROM sessions WHERE user_id = \(bind: id)").run() }
            var u = old
            u.username = input.username; u.displayName = input.displayName; u.role = input.role
            u.unitID = input.unitID; u.language = input.language; u.active = input.active
            try await w.audit(actor, "update", "user", id, old: old, new: u)
            return u
        }
    }

    /// Sets a new password hash; ends the user's other sessions.
    public func setPassword(userID: Int64, passwordHash: String, mustChange: Bool = false, keepSession: String? = nil, by actor: AuditActor) async throws {
        try await write { w in
            guard try await w.sql.raw("SELECT id FROM users WHERE id = \(bind: userID)").first() != nil else {
                throw StoreError.notFound(entity: "user", id: "\(userID)")
            }
            try await w.sql.raw("UPDATE users SET password_hash = \(bind: passwordHash), must_change_password = \(bind: mustChange ? 1 : 0) WHERE id = \(bind: userID)").run()
            try await w.sql.raw("DELETE FROM sessions WHERE user_id = \(bind: userID) AND token_hash <> \(bind: keepSession ?? "")").run()
            // The hash itself never goes into the audit trail.
            try await w.audit(actor, "set_password", "user", userID, new: ["must_change_password": mustChange])
        }
    }

    // MARK: Sessions

    /// The audit actor of a user, in the one form used everywhere (`user:NAME`).
    static func actor(userID: Int64, _ sql: any SQLDatabase) async throws -> AuditActor {
        let name = try await sql.raw("SELECT username FROM users WHERE id = \(bind: userID)").first()?.string("username")
        return AuditActor(userID: userID, label: "user:" + (name ?? String(userID)))
    }

    /// Records a successful login: a new session and an audit entry.
    public func createSession(userID: Int64, tokenHash: String, csrfToken: String, lifetime: TimeInterval) async throws -> SessionRecord {
        try await write { w in
            let s = SessionRecord(tokenHash: tokenHash, userID: userID, csrfToken: csrfToken, createdAt: w.at,
                                  expiresAt: w.at.addingTimeInterval(lifetime), lastSeenAt: w.at)
            try await w.sql.raw("""
                INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at)
                VALUES (\(bind: tokenHash), \(bind: userID), \(bind: csrfToken), \(bind: w.t), \(bind: s.expiresAt.timeIntervalSince1970), \(bind: w.t))
                """).run()
            try await w.sql.raw("UPDATE users SET last_login_at = \(bind: w.t) WHERE id = \(bind: userID)").run()
            try await w.sql.raw("DELETE FROM sessions WHERE expires_at < \(bind: w.t)").run()
            try await w.audit(try await Self.actor(userID: userID, w.sql), "login", "user", userID)
            return s
        }
    }

    /// The live session and its active user for a token hash, or nil.
    public func session(tokenHash: String) async throws -> (SessionRecord, UserRecord)? {
        let t = now().timeIntervalSince1970
        return try await read { sql in
            guard let r = try await sql.raw("""
                SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at AS s_created, s.expires_at, s.last_seen_at,
                       \(unsafeRaw: Self.userColumns.split(separator: ",").map { "u.\($0.trimmingCharacters(in: .whitespaces))" }.joined(separator: ", "))
                FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.token_hash = \(bind: tokenHash) AND s.expires_at > \(bind: t) AND u.active = 1
                """).first() else { return nil }
            let s = SessionRecord(tokenHash: try r.string("token_hash"), userID: try r.int64("user_id"), csrfToken: try r.string("csrf_token"),
                                  createdAt: Date(timeIntervalSince1970: try r.double("s_created")),
                                  expiresAt: Date(timeIntervalSince1970: try r.double("expires_at")),
                                  lastSeenAt: Date(timeIntervalSince1970: try r.double("last_seen_at")))
            return (s, try Self.user(from: r))
        }
    }

    /// Ends a session (logout).
    public func deleteSession(tokenHash: String, userID: Int64) async throws {
        try await write { w in
            try await w.sql.raw("DELETE FROM sessions WHERE token_hash = \(bind: tokenHash)").run()
            try await w.audit(try await Self.actor(userID: userID, w.sql), "logout", "user", userID)
        }
    }

    // MARK: API tokens

    static func token(from r: any SQLRow) throws -> APITokenRecord {
        APITokenRecord(id: try r.int64("id"), name: try r.string("name"), prefix: try r.string("token_prefix"), unitID: try r.int64("unit_id"),
                       createdAt: Date(timeIntervalSince1970: try r.double("created_at")), lastUsedAt: try r.optDouble("last_used_at").date,
                       revokedAt: try r.optDouble("revoked_at").date, expiresAt: try r.optDouble("expires_at").date,
                       readOnly: try r.bool("read_only"))
    }

    public func createAPIToken(name: String, prefix: String, tokenHash: String, unitID: Int64, expiresAt: Date? = nil, readOnly: Bool = false,
                               by actor: AuditActor) async throws -> APITokenRecord {
        try await write { w in
            var problems: [InputProblem] = []
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { problems.append(InputProblem("name", "required")) }
            else if trimmed.count > 100 { problems.append(InputProblem("name", "too_long", ["100"])) }
            if try await w.sql.raw("SELECT id FROM units WHERE id = \(bind: unitID)").first() == nil {
                problems.append(InputProblem("unit_id", "unit_missing"))
            }
            if let expiresAt, expiresAt <= w.at { problems.append(InputProblem("expires_on", "date_not_future")) }
            if !problems.isEmpty { throw StoreError.rejected(problems) }
            guard let r = try await w.sql.raw("""
                INSERT INTO api_tokens (name, token_prefix, token_hash, unit_id, created_by, created_at, expires_at, read_only)
                VALUES (\(bind: trimmed), \(bind: prefix), \(bind: tokenHash), \(bind: unitID), \(bind: actor.userID), \(bind: w.t),
                        \(bind: expiresAt?.timeIntervalSince1970), \(bind: readOnly ? 1 : 0)) RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let tok = APITokenRecord(id: try r.int64("id"), name: trimmed, prefix: prefix, unitID: unitID, createdAt: w.at, lastUsedAt: nil,
                                     revokedAt: nil, expiresAt: expiresAt, readOnly: readOnly)
            try await w.audit(actor, "create", "api_token", tok.id, new: tok)
            return tok
        }
    }

    public func apiTokens() async throws -> [APITokenRecord] {
        try await read { sql in try await sql.raw("SELECT * FROM api_tokens ORDER BY id").all().map(Self.token(from:)) }
    }

    /// The live token with this hash: not revoked and not expired.
    public func apiToken(hash: String) async throws -> APITokenRecord? {
        let t = now().timeIntervalSince1970
        return try await read { sql in
            try await sql.raw("""
                SELECT * FROM api_tokens WHERE token_hash = \(bind: hash) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > \(bind: t))
                """).first().map(Self.token(from:))
        }
    }

    /// Records that a token was used (at most once per `interval`, to keep writes rare). This is
    /// usage telemetry like a session's last-seen time, so it is not an audited change.
    public func touchAPIToken(_ token: APITokenRecord, interval: TimeInterval = 300) async throws {
        let t = now()
        if let last = token.lastUsedAt, t.timeIntervalSince(last) < interval { return }
        try await database.transaction { sql in
            try await sql.raw("UPDATE api_tokens SET last_used_at = \(bind: t.timeIntervalSince1970) WHERE id = \(bind: token.id)").run()
        }
    }

    public func revokeAPIToken(id: Int64, by actor: AuditActor) async throws {
        try await write { w in
            guard try await w.sql.raw("SELECT id FROM api_tokens WHERE id = \(bind: id) AND revoked_at IS NULL").first() != nil else {
                throw StoreError.notFound(entity: "api_token", id: "\(id)")
            }
            try await w.sql.raw("UPDATE api_tokens SET revoked_at = \(bind: w.t) WHERE id = \(bind: id)").run()
            try await w.audit(actor, "revoke", "api_token", id)
        }
    }
}
