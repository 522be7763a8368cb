import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

@Suite("Store: rate limits, single-use nonces and sign-in throttling under concurrency")
struct RateLimitStoreTests {
    // §2.5: count-then-insert interleaved on PostgreSQL, so parallel hits all saw `limit - 1`.
    @Test(arguments: TestEngine.all)
    func parallelHitsNeverExceedTheLimit(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<12 { group.addTask { try await store.rateLimitHit(key: "k", limit: 3, window: 600).allowed } }
                var n = 0
                for try await ok in group where ok { n += 1 }
                return n
            }
            #expect(allowed == 3)
        }
    }

    @Test(arguments: TestEngine.all)
    func aNonceIsUsedOnceEvenInParallel(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fresh = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await store.consumeNonce("skm:1:abc", keepFor: 3600) } }
                var n = 0
                for try await ok in group where ok { n += 1 }
                return n
            }
            #expect(fresh == 1)
            #expect(try await store.consumeNonce("skm:1:other", keepFor: 3600))
        }
    }

    // §2.1: parallel guesses at one account from one client are all counted before any password
    // is checked: exactly the free allowance gets through.
    @Test(arguments: TestEngine.all)
    func parallelSignInAttemptsAreCountedAtomically(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let key = LoginThrottleKey(key: "pair:x", clearedBySuccess: true, policy: LoginThrottlePolicy(freeFailures: 4, firstDelay: 30))
            let through = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        if case .proceed = try await store.beginLoginAttempt(keys: [key]) { return true }
                        return false
                    }
                }
                var n = 0
                for try await ok in group where ok { n += 1 }
                return n
            }
            #expect(through == 4)
        }
    }
}

@Suite("Store: audit scope of entries written before it existed")
struct AuditScopeBackfillTests {
    /// Migration 7 back-fills the unit of older entries from the same list that scopes new ones:
    /// a unit, an SOP version (`id/vN`) and a user without a unit (no scope: only unscoped readers).
    @Test(arguments: TestEngine.all)
    func olderEntriesGetTheirUnit(_ engine: TestEngine) async throws {
        try await withTestDatabase(engine) { location in
            let db = try await Database.open(location)
            do {
                try await Migrator(database: db).migrate(through: 6)
                try await db.transaction { sql in
                    try await sql.raw("INSERT INTO units (id, code, name, level, created_at, updated_at) VALUES (41, 'A', 'A', 'instansi', 0, 0)").run()
                    try await sql.raw("INSERT INTO units (id, code, name, level, created_at, updated_at) VALUES (42, 'B', 'B', 'instansi', 0, 0)").run()
                    try await sql.raw("""
                        INSERT INTO sops (id, unit_id, number, title, latest_version, created_at, updated_at) VALUES (7, 42, 'N', 'T', 1, 0, 0)
                        """).run()
                    try await sql.raw("""
                        INSERT INTO users (id, username, display_name, password_hash, role, created_at) VALUES (5, 'root', 'Root', 'h', 'admin', 0)
                        """).run()
                    for (seq, entity, id) in [(1, "unit", "41"), (2, "sop_version", "7/v1"), (3, "user", "5")] {
                        try await sql.raw("""
                            INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, prev_hash, hash)
                            VALUES (\(bind: seq), 0, 'cli', 'create', \(bind: entity), \(bind: id), 'p', 'h')
                            """).run()
                    }
                }
                _ = try await Migrator(database: db).migrate()
                let store = PantauStore(database: db, auditKey: testAuditKey)
                #expect(try await store.auditEntries(AuditQuery(unitIDs: [41])).items.map(\.seq) == [1])
                #expect(try await store.auditEntries(AuditQuery(unitIDs: [42])).items.map(\.seq) == [2])
                #expect(try await store.auditEntries(AuditQuery(unitIDs: [41, 42])).total == 2)
                #expect(try await store.auditEntries(AuditQuery()).total == 3)
                await db.shutdown()
            } catch {
                await db.shutdown()
                throw error
            }
        }
    }
}
