import Foundation
import SQLKit

/// Whether a client may go on, and if not, when to try again.
public struct RateLimitDecision: Sendable, Equatable {
    public var allowed: Bool
    /// Seconds until a hit leaves the window (0 when allowed).
    public var retryAfter: Int
}

extension PantauStore {
    // MARK: Flood protection and secrets

    /// Records one hit of `key` unless it already has `limit` hits within the last `window`
    /// seconds. Shared by every instance (the hits are in the database); hits older than a day are
    /// removed. Keys should be hashes, not raw client addresses. Not audited (bookkeeping, like
    /// login attempts).
    public func rateLimitHit(key: String, limit: Int, window: TimeInterval) async throws -> RateLimitDecision {
        let t = now().timeIntervalSince1970
        let kind = database.kind
        return try await database.transaction { sql in
            // Count-then-insert must not interleave for one key: on PostgreSQL two instances (or two
            // connections) would both see `limit - 1`. SQLite has a single writer already.
            if kind == .postgres {
                try await sql.raw("SELECT pg_advisory_xact_lock(hashtextextended(\(bind: key), 11))").run()
            }
            let since = t - window
            let row = try await sql.raw("SELECT COUNT(*) AS n, MIN(at) AS oldest FROM rate_limit_hits WHERE client_key = \(bind: key) AND at > \(bind: since)").first()
            let n = try row?.int("n") ?? 0
            if n >= max(0, limit) {
                let oldest = try row?.optDouble("oldest") ?? t
                return RateLimitDecision(allowed: false, retryAfter: max(1, Int((oldest + window - t).rounded(.up))))
            }
            try await sql.raw("INSERT INTO rate_limit_hits (client_key, at) VALUES (\(bind: key), \(bind: t))").run()
            try await sql.raw("DELETE FROM rate_limit_hits WHERE at < \(bind: t - max(window, 86_400))").run()
            return RateLimitDecision(allowed: true, retryAfter: 0)
        }
    }

    /// Uses up a single-use value (e.g. the nonce of a public form): true the first time, false
    /// ever after (within `keepFor` seconds, after which the value must be refused by its own
    /// expiry). Atomic on both engines: the nonce is a primary key.
    public func consumeNonce(_ nonce: String, keepFor: TimeInterval) async throws -> Bool {
        let t = now().timeIntervalSince1970
        return try await database.transaction { sql in
            let fresh = try await sql.raw("""
                INSERT INTO survey_form_nonces (nonce, used_at) VALUES (\(bind: nonce), \(bind: t))
                ON CONFLICT (nonce) DO NOTHING RETURNING nonce
                """).first() != nil
            try await sql.raw("DELETE FROM survey_form_nonces WHERE used_at < \(bind: t - keepFor)").run()
            return fresh
        }
    }

    /// A server secret (64 hex digits) shared by every instance, created on first use.
    public func appSecret(named name: String) async throws -> String {
        if let v = try await read({ sql in try await sql.raw("SELECT value FROM app_secrets WHERE name = \(bind: name)").first()?.string("value") }) {
            return v
        }
        var g = SystemRandomNumberGenerator()
        let value = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
        return try await write { w in
            if let v = try await w.sql.raw("SELECT value FROM app_secrets WHERE name = \(bind: name)").first()?.string("value") { return v }
            // Two instances may create it at once: the one that loses takes the winner's value (its
            // insert waits for the other transaction, then the row is there to read).
            guard try await w.sql.raw("""
                INSERT INTO app_secrets (name, value, created_at) VALUES (\(bind: name), \(bind: value), \(bind: w.t))
                ON CONFLICT (name) DO NOTHING RETURNING name
                """).first() != nil else {
                guard let v = try await w.sql.raw("SELECT value FROM app_secrets WHERE name = \(bind: name)").first()?.string("value") else {
                    throw StoreError.corrupt("app_secrets.\(name) vanished")
                }
                return v
            }
            // The value itself never goes into the audit trail.
            try await w.audit(.system, "create", "app_secret", name)
            return value
        }
    }
}
