import Foundation
import SQLKit

/// How failed sign-ins slow down further attempts. Each key (an account and client pair, or a
/// client alone) may fail `freeFailures` times; from then on every failure makes the key wait
/// before its next attempt, twice as long each time (`firstDelay`, `2 × firstDelay`, ...) up to
/// `maxDelay`. A key that has not failed for `forgetAfter` seconds starts afresh. No key ever
/// locks an account for everyone: the pair key is the account *from one client*.
public struct LoginThrottlePolicy: Sendable, Equatable {
    public var freeFailures: Int
    public var firstDelay: TimeInterval
    public var maxDelay: TimeInterval
    public var forgetAfter: TimeInterval

    public init(freeFailures: Int = 5, firstDelay: TimeInterval = 30, maxDelay: TimeInterval = 900, forgetAfter: TimeInterval = 86_400) {
        self.freeFailures = max(1, freeFailures)
        self.firstDelay = max(0, firstDelay)
        self.maxDelay = max(firstDelay, maxDelay)
        self.forgetAfter = forgetAfter
    }

    /// Seconds to wait after the `failures`-th failure in a row.
    public func delay(afterFailures failures: Int) -> TimeInterval {
        guard failures >= freeFailures else { return 0 }
        let doublings = min(failures - freeFailures, 30)
        return min(maxDelay, firstDelay * pow(2, Double(doublings)))
    }
}

/// One throttled key and its policy.
public struct LoginThrottleKey: Sendable, Hashable {
    public var key: String
    /// Whether a successful sign-in clears this key (the account and client pair: yes; the client
    /// alone: no, or signing in to one's own account would reset the count of guesses at others).
    public var clearedBySuccess: Bool
    public var policy: LoginThrottlePolicy

    public init(key: String, clearedBySuccess: Bool, policy: LoginThrottlePolicy) {
        self.key = key
        self.clearedBySuccess = clearedBySuccess
        self.policy = policy
    }

    public static func == (a: Self, b: Self) -> Bool { a.key == b.key }
    public func hash(into h: inout Hasher) { h.combine(key) }
}

/// The answer to "may this sign-in attempt go ahead?".
public enum LoginGate: Sendable, Equatable {
    /// Go ahead: the attempt has already been counted as a failure, so that parallel guesses
    /// cannot all pass the check before any of them is recorded. Report the outcome with
    /// ``PantauStore/finishLoginAttempt(_:success:)``.
    case proceed([LoginThrottleKey])
    /// Wait this many seconds.
    case wait(retryAfter: Int)
}

extension PantauStore {
    /// Checks and records a sign-in attempt in one transaction (check-and-record is atomic: on
    /// PostgreSQL each key is held by an advisory transaction lock, on SQLite by the single writer).
    public func beginLoginAttempt(keys: [LoginThrottleKey]) async throws -> LoginGate {
        let kind = database.kind
        let clock = now
        return try await database.transaction { sql in
            var rows: [String: (failures: Int, last: Double, next: Double)] = [:]
            for k in keys.sorted(by: { $0.key < $1.key }) where kind == .postgres {
                try await sql.raw("SELECT pg_advisory_xact_lock(hashtextextended(\(bind: k.key), 7))").run()
            }
            // The time once the keys are held: read before waiting for them, an attempt that waited
            // behind another would see that one's later failure as still "in the future" and be
            // told to wait although its allowance was not used up.
            let t = clock().timeIntervalSince1970
            for k in keys.sorted(by: { $0.key < $1.key }) {
                if let r = try await sql.raw("SELECT failures, last_failure_at, next_allowed_at FROM login_throttle WHERE key = \(bind: k.key)").first() {
                    rows[k.key] = (try r.int("failures"), try r.double("last_failure_at"), try r.double("next_allowed_at"))
                }
            }
            var wait = 0.0
            for k in keys {
                guard let row = rows[k.key], t - row.last < k.policy.forgetAfter else { continue }
                wait = max(wait, row.next - t)
            }
            if wait > 0 { return .wait(retryAfter: max(1, Int(wait.rounded(.up)))) }
            for k in keys {
                var failures = 1
                if let row = rows[k.key], t - row.last < k.policy.forgetAfter { failures = row.failures + 1 }
                let next = t + k.policy.delay(afterFailures: failures)
                try await sql.raw("""
                    INSERT INTO login_throttle (key, failures, last_failure_at, next_allowed_at)
                    VALUES (\(bind: k.key), \(bind: failures), \(bind: t), \(bind: next))
                    ON CONFLICT (key) DO UPDATE SET failures = \(bind: failures), last_failure_at = \(bind: t), next_allowed_at = \(bind: next)
                    """).run()
            }
            try await sql.raw("DELETE FROM login_throttle WHERE last_failure_at < \(bind: t - 7 * 86_400)").run()
            return .proceed(keys)
        }
    }

    /// Reports how an attempt that was let through ended. A failure was already counted; a success
    /// clears the keys that a success clears and takes the attempt back from the others.
    public func finishLoginAttempt(_ keys: [LoginThrottleKey], success: Bool) async throws {
        guard success else { return }
        let kind = database.kind
        try await database.transaction { sql in
            for k in keys.sorted(by: { $0.key < $1.key }) {
                if kind == .postgres {
                    try await sql.raw("SELECT pg_advisory_xact_lock(hashtextextended(\(bind: k.key), 7))").run()
                }
                if k.clearedBySuccess {
                    try await sql.raw("DELETE FROM login_throttle WHERE key = \(bind: k.key)").run()
                } else if let r = try await sql.raw("SELECT failures, last_failure_at FROM login_throttle WHERE key = \(bind: k.key)").first() {
                    let failures = max(0, try r.int("failures") - 1)
                    let next = try r.double("last_failure_at") + k.policy.delay(afterFailures: failures)
                    try await sql.raw("""
                        UPDATE login_throttle SET failures = \(bind: failures), next_allowed_at = \(bind: next) WHERE key = \(bind: k.key)
                        """).run()
                }
            }
        }
    }
}
