import Foundation
import SQLKit

// MARK: - Background jobs (migration 17)

/// What a background job does.
public enum JobKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Re-checks every case of an SOP (after its monitoring settings changed on a big SOP, or a
    /// version was approved), a chunk of cases per transaction. Payload: `{"sop_id", "after", "done"}`.
    case reanalyseSOP = "reanalyse_sop"
}

/// One job as stored.
public struct JobRecord: Sendable, Hashable {
    public var id: Int64
    public var kind: JobKind
    public var key: String
    public var payload: String
    public var runAfter: Date
    public var attempts: Int
    public var lastError: String?
    public var claimedBy: String?
    public var leaseUntil: Date?
    public var doneAt: Date?
    public var createdAt: Date
}

/// A job claimed by one worker until `leaseUntil`; only that worker may record its progress while
/// it holds the claim (another takes it over once the lease has run out).
public struct JobClaim: Sendable, Hashable {
    public var id: Int64
    public var kind: JobKind
    public var worker: String
    public var attempts: Int

    public init(id: Int64, kind: JobKind, worker: String, attempts: Int) {
        self.id = id
        self.kind = kind
        self.worker = worker
        self.attempts = attempts
    }
}

/// What one step of a claimed job did.
public enum JobStep: Sendable, Equatable {
    /// A part was done and stored; call again.
    case progress
    /// Finished.
    case done
    /// The claim was lost (the lease ran out and another worker took the job, or it was finished).
    case lost
}

/// How jobs are retried and leased.
public struct JobPolicy: Sendable, Hashable {
    /// How long a claim (and each step's renewal) keeps other workers away.
    public var lease: TimeInterval
    /// Pause after a failed attempt: `retryBase × 2^(attempts−1)`.
    public var retryBase: TimeInterval
    /// Attempts (claims) before a job is given up (a job that kills its instance every time ends too).
    public var maxAttempts: Int
    /// Cases re-checked per transaction.
    public var chunk: Int

    public init(lease: TimeInterval = 60, retryBase: TimeInterval = 10, maxAttempts: Int = 8, chunk: Int = 500) {
        self.lease = lease
        self.retryBase = retryBase
        self.maxAttempts = maxAttempts
        self.chunk = chunk
    }

    public static let standard = JobPolicy()
}

extension PantauStore {
    /// SOPs with up to this many cases are re-checked inside the request that changed their
    /// settings; bigger ones by a job (the request would hold every case's lock for too long).
    public static let inlineReanalysisLimit = 2_000

    static func job(from r: any SQLRow) throws -> JobRecord {
        let k = try r.string("kind")
        guard let kind = JobKind(rawValue: k) else { throw StoreError.corrupt("jobs.kind of job \(try r.int64("id")): \(k)") }
        return JobRecord(id: try r.int64("id"), kind: kind, key: try r.string("dedupe_key"), payload: try r.string("payload"),
                         runAfter: Date(timeIntervalSince1970: try r.double("run_after")), attempts: try r.int("attempts"),
                         lastError: try r.optString("last_error"), claimedBy: try r.optString("claimed_by"),
                         leaseUntil: try r.optDouble("lease_until").date, doneAt: try r.optDouble("done_at").date,
                         createdAt: Date(timeIntervalSince1970: try r.double("created_at")))
    }

    struct ReanalysePayload: Codable, Sendable {
        var sop_id: Int64
        var after: Int64
        var done: Int
    }

    /// Queues a job in the caller's transaction. One open job per kind and key: queueing again
    /// while one is open starts it over (its payload and attempts reset; a worker holding it
    /// continues from the new payload at its next step, which reads it under the row lock).
    @discardableResult
    static func enqueueJob(_ w: WriteContext, _ kind: JobKind, key: String, payload: String, runAfter: Date? = nil) async throws -> Int64 {
        let at = runAfter?.timeIntervalSince1970 ?? w.t
        guard let r = try await w.sql.raw("""
            INSERT INTO jobs (kind, dedupe_key, payload, run_after, attempts, created_at, updated_at)
            VALUES (\(bind: kind.rawValue), \(bind: key), \(bind: payload), \(bind: at), 0, \(bind: w.t), \(bind: w.t))
            ON CONFLICT (kind, dedupe_key) WHERE done_at IS NULL
            DO UPDATE SET payload = excluded.payload, run_after = excluded.run_after, attempts = 0, last_error = NULL, updated_at = excluded.updated_at
            RETURNING id
            """).first() else { throw StoreError.corrupt("insert returned no row") }
        try await notify(w, .jobs)
        return try r.int64("id")
    }

    /// Queues a re-check of every case of the SOP.
    @discardableResult
    static func enqueueReanalysis(_ w: WriteContext, sopID: Int64) async throws -> Int64 {
        try await enqueueJob(w, .reanalyseSOP, key: String(sopID), payload: jsonText(ReanalysePayload(sop_id: sopID, after: 0, done: 0)))
    }

    /// Re-checks every case of the SOP now when it has few, else queues a job (see ``inlineReanalysisLimit``).
    static func reanalyseOrEnqueue(_ w: WriteContext, sopID: Int64) async throws {
        let n = try await w.sql.raw("SELECT COUNT(*) AS n FROM service_cases WHERE sop_id = \(bind: sopID)").first()?.int("n") ?? 0
        if n <= inlineReanalysisLimit {
            try await reanalyseAll(w, sopID: sopID)
            try await notify(w, .analysis, sopID: sopID)
        } else {
            try await enqueueReanalysis(w, sopID: sopID)
        }
    }

    /// Asks for every case of the SOP to be re-checked by a background job (audited).
    @discardableResult
    public func requestReanalysis(sopID: Int64, by actor: AuditActor) async throws -> Int64 {
        _ = try await sop(id: sopID)
        return try await write { w in
            let id = try await Self.enqueueReanalysis(w, sopID: sopID)
            try await w.audit(actor, "monitoring.reanalyse", "sop", sopID, new: ["job": String(id)])
            return id
        }
    }

    /// Claims up to `limit` due jobs for `worker`: open, `run_after` passed, and not leased to
    /// anyone (or their lease ran out). On PostgreSQL the rows are locked `FOR UPDATE SKIP LOCKED`,
    /// so workers claiming at once never take the same job; SQLite has one writer. Each claim
    /// counts as an attempt; a job already claimed `maxAttempts` times is given up instead.
    /// Bookkeeping, not audited (a job's outcome is).
    public func claimJobs(worker: String, now: Date, limit: Int = 1, policy: JobPolicy = .standard) async throws -> [JobClaim] {
        let t = now.timeIntervalSince1970
        let kind = database.kind
        return try await database.transaction { sql in
            let lock: SQLQueryString = kind == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            let rows = try await sql.raw("""
                SELECT id, kind, attempts FROM jobs
                WHERE done_at IS NULL AND run_after <= \(bind: t) AND (lease_until IS NULL OR lease_until <= \(bind: t))
                ORDER BY run_after, id LIMIT \(unsafeRaw: String(max(1, limit)))
                """ + lock).all()
            var out: [JobClaim] = []
            for r in rows {
                let id = try r.int64("id")
                let attempts = try r.int("attempts")
                if attempts >= policy.maxAttempts {
                    try await sql.raw("""
                        UPDATE jobs SET done_at = \(bind: t), claimed_by = NULL, lease_until = NULL, updated_at = \(bind: t),
                          last_error = COALESCE(last_error, 'interrupted') || ' (given up after \(unsafeRaw: String(attempts)) attempts)'
                        WHERE id = \(bind: id)
                        """).run()
                    continue
                }
                let k = try r.string("kind")
                guard let jk = JobKind(rawValue: k) else { throw StoreError.corrupt("jobs.kind of job \(id): \(k)") }
                try await sql.raw("""
                    UPDATE jobs SET claimed_by = \(bind: worker), lease_until = \(bind: t + policy.lease), attempts = attempts + 1,
                      updated_at = \(bind: t) WHERE id = \(bind: id)
                    """).run()
                out.append(JobClaim(id: id, kind: jk, worker: worker, attempts: attempts + 1))
            }
            return out
        }
    }

    /// Runs the next step of a claimed job in one transaction, under the job row's lock: the
    /// claim is checked, a part of the work done, and the progress (and a renewed lease) stored
    /// with it, so a step is never done twice and a taken-over job resumes after the last
    /// committed step. A job whose claim was lost does nothing.
    public func runJobStep(_ claim: JobClaim, now: Date? = nil, policy: JobPolicy = .standard) async throws -> JobStep {
        let kind = database.kind
        let clock = self.now
        return try await write { w in
            let t = (now ?? clock()).timeIntervalSince1970
            let lock = kind == .postgres ? " FOR UPDATE" : ""
            guard let row = try await w.sql.raw("""
                SELECT * FROM jobs WHERE id = \(bind: claim.id) AND claimed_by = \(bind: claim.worker) AND done_at IS NULL\(unsafeRaw: lock)
                """).first() else { return .lost }
            let job = try Self.job(from: row)
            switch job.kind {
            case .reanalyseSOP:
                var p: ReanalysePayload
                do { p = try JSONDecoder().decode(ReanalysePayload.self, from: Data(job.payload.utf8)) }
                catch { throw StoreError.corrupt("jobs.payload of job \(job.id): \(error)") }
                let ids = try await w.sql.raw("""
                    SELECT id FROM service_cases WHERE sop_id = \(bind: p.sop_id) AND id > \(bind: p.after) ORDER BY id LIMIT \(unsafeRaw: String(max(1, policy.chunk)))
                    """).all().map { try $0.int64("id") }
                if ids.isEmpty {
                    try await w.sql.raw("""
                        UPDATE jobs SET done_at = \(bind: t), claimed_by = NULL, lease_until = NULL, last_error = NULL, updated_at = \(bind: t)
                        WHERE id = \(bind: job.id)
                        """).run()
                    try await w.audit(.system, "monitoring.reanalysed", "sop", p.sop_id, new: ["job": String(job.id), "cases": String(p.done)])
                    try await Self.notify(w, .analysis, sopID: p.sop_id)
                    return .done
                }
                try await Self.reanalyse(w, caseIDs: Set(ids))
                p.after = ids.last ?? p.after
                p.done += ids.count
                try await w.sql.raw("""
                    UPDATE jobs SET payload = \(bind: jsonText(p)), lease_until = \(bind: t + policy.lease), updated_at = \(bind: t)
                    WHERE id = \(bind: job.id)
                    """).run()
                try await Self.notify(w, .analysis, sopID: p.sop_id)
                return .progress
            }
        }
    }

    /// Records a failed step: the claim is released and the job waits `retryBase × 2^(attempts−1)`
    /// (or is given up after `maxAttempts`). Returns false when the claim had already been lost.
    @discardableResult
    public func failJob(_ claim: JobClaim, error: String, now: Date, policy: JobPolicy = .standard) async throws -> Bool {
        let t = now.timeIntervalSince1970
        let message = String(error.prefix(500))
        return try await write { w in
            guard let r = try await w.sql.raw("""
                SELECT attempts FROM jobs WHERE id = \(bind: claim.id) AND claimed_by = \(bind: claim.worker) AND done_at IS NULL
                """).first() else { return false }
            let attempts = try r.int("attempts")
            let giveUp = attempts >= policy.maxAttempts
            try await w.sql.raw("""
                UPDATE jobs SET claimed_by = NULL, lease_until = NULL, last_error = \(bind: message), updated_at = \(bind: t),
                  run_after = \(bind: t + policy.retryBase * pow(2, Double(max(0, attempts - 1)))), done_at = \(bind: giveUp ? t : nil)
                WHERE id = \(bind: claim.id)
                """).run()
            if giveUp {
                try await w.audit(.system, "fail", "job", claim.id, new: ["kind": claim.kind.rawValue, "attempts": String(attempts), "error": message])
            }
            return true
        }
    }

    /// Jobs, newest first (open ones only with `openOnly`).
    public func jobs(openOnly: Bool = false, limit: Int = 100) async throws -> [JobRecord] {
        try await read { sql in
            try await sql.raw("""
                SELECT * FROM jobs\(unsafeRaw: openOnly ? " WHERE done_at IS NULL" : "") ORDER BY id DESC LIMIT \(unsafeRaw: String(max(1, limit)))
                """).all().map(Self.job(from:))
        }
    }
}
