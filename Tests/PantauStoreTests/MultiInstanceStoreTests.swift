import Foundation
import Logging
import NIOConcurrencyHelpers
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

private func permitSOP() throws -> SOPDocument {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    dir = dir.deletingLastPathComponent().deletingLastPathComponent()
    let text = try String(contentsOf: dir.appendingPathComponent("docs/examples/sop-penerbitan-izin-usaha.yaml"), encoding: .utf8)
    return try SOPFile.decode(text, format: .yaml)
}

/// Two stores on one database, as two instances of `pantau serve` have on PostgreSQL. On SQLite,
/// where one process owns the file (several instances need PostgreSQL, docs/operations.md), the
/// two stores share that process's connections, as two workers of one instance do; two writers of
/// their own on one file would only measure SQLite's lock timeout on a loaded machine.
private func withTwoStores<T: Sendable>(_ engine: TestEngine, clockA: TestClock? = nil, clockB: TestClock? = nil,
                                        _ body: (PantauStore, PantauStore) async throws -> T) async throws -> T {
    var logger = Logger(label: "pantau.test")
    logger.logLevel = .warning
    return try await withTestDatabase(engine) { location in
        let dbA = try await Database.open(location, logger: logger)
        let dbB: Database
        do {
            try await Migrator(database: dbA).migrate()
            dbB = engine == .sqlite ? dbA : try await Database.open(location, logger: logger)
        } catch {
            await dbA.shutdown()
            throw error
        }
        let system: @Sendable () -> Date = { Date() }
        let a = PantauStore(database: dbA, now: clockA?.closure ?? system, auditKey: testAuditKey)
        let b = PantauStore(database: dbB, now: clockB?.closure ?? system, auditKey: testAuditKey)
        do {
            let r = try await body(a, b)
            if dbB !== dbA { await dbB.shutdown() }
            await dbA.shutdown()
            return r
        } catch {
            if dbB !== dbA { await dbB.shutdown() }
            await dbA.shutdown()
            throw error
        }
    }
}

/// A unit, `n` SOPs of it, and a few cases on the first.
private func seed(_ store: PantauStore, sops n: Int, cases: Int = 0, now: Date = Date()) async throws -> [Int64] {
    var doc = try permitSOP()
    let unit = try await store.createUnit(UnitInput(parentID: nil, code: "DPMPTSP", name: "DPMPTSP", level: .instansi), by: .cli)
    var ids: [Int64] = []
    for i in 0..<n {
        doc.identity.number = "MI/\(i)/2026"
        ids.append(try await store.createSOP(unitID: unit.id, document: doc, by: .cli).id)
    }
    if cases > 0, let first = ids.first {
        let events = (0..<cases).map { c in
            EventInput(clientID: "e\(c)", sopID: first, caseReference: "REG-\(c)", activity: "Pendaftaran Permohonan", at: now.addingTimeInterval(-Double(3600 + c)))
        }
        let out = try await store.ingestEvents(events, scope: IngestScope(allowedUnits: nil, source: .api, receivedBy: "test"), by: .cli)
        #expect(out.allSatisfy { $0.isAcknowledged })
    }
    return ids
}

// Serialized: the reconnection test ends every LISTEN connection of the test database.
@Suite("Several instances on one database: jobs claimed once, leases taken over, change notifications", .serialized)
struct MultiInstanceStoreTests {
    @Test("Two stores claiming at once take every job exactly once, and each is run once", arguments: TestEngine.all)
    func jobsClaimedOnce(_ engine: TestEngine) async throws {
        try await withTwoStores(engine) { a, b in
            let sops = try await seed(a, sops: 12, cases: 5)
            for s in sops { try await a.requestReanalysis(sopID: s, by: .cli) }
            // Asking again while a job is open does not add a second one.
            try await b.requestReanalysis(sopID: sops[0], by: .cli)
            #expect(try await a.jobs(openOnly: true).count == 12)

            let policy = JobPolicy(lease: 60, chunk: 2)
            func drain(_ store: PantauStore, _ name: String) async throws -> [JobClaim] {
                var mine: [JobClaim] = []
                while true {
                    let c = try await store.claimJobs(worker: name, now: Date(), limit: 2, policy: policy)
                    if c.isEmpty { return mine }
                    mine += c
                }
            }
            async let ca = drain(a, "A")
            async let cb = drain(b, "B")
            let (claimsA, claimsB) = try await (ca, cb)
            let idsA = Set(claimsA.map(\.id)), idsB = Set(claimsB.map(\.id))
            #expect(idsA.isDisjoint(with: idsB))
            #expect(claimsA.count + claimsB.count == 12)
            let open = Set(try await a.jobs(openOnly: true).map(\.id))
            #expect(idsA.union(idsB) == open)

            // Each store runs its own claims; the other's are refused to it.
            if let foreign = claimsB.first {
                #expect(try await a.runJobStep(JobClaim(id: foreign.id, kind: foreign.kind, worker: "A", attempts: 1), policy: policy) == .lost)
            }
            func finish(_ store: PantauStore, _ claims: [JobClaim]) async throws -> Int {
                var steps = 0
                for c in claims {
                    var s = JobStep.progress
                    while s == .progress { s = try await store.runJobStep(c, policy: policy); steps += 1 }
                    #expect(s == .done)
                }
                return steps
            }
            async let sa = finish(a, claimsA)
            async let sb = finish(b, claimsB)
            let steps = try await sa + sb
            // 5 cases in chunks of 2 are 3 steps and the closing one; the 11 SOPs without cases one each.
            #expect(steps == 4 + 11)
            #expect(try await a.jobs(openOnly: true).isEmpty)
            let done = try await a.auditEntries(AuditQuery(entity: "sop", action: "monitoring.reanalysed", perPage: 100)).items
            #expect(done.count == 12)
            #expect(done.filter { $0.newValue?.contains("\"cases\":\"5\"") == true }.count == 1)
            #expect(try await a.verifyAudit().problem == nil)
        }
    }

    @Test("Two stores claiming webhook deliveries at once send each once; an expired claim is taken over", arguments: TestEngine.all)
    func deliveriesClaimedOnce(_ engine: TestEngine) async throws {
        try await withTwoStores(engine) { a, b in
            let doc = try permitSOP()
            let total = try #require(doc.totalTimeStandard)
            let sop = try await seed(a, sops: 1)[0]
            let unit = try await a.sop(id: sop).unitID
            let now = Date()
            let events = (0..<30).map { c in
                EventInput(clientID: "d\(c)", sopID: sop, caseReference: "OLD-\(c)", activity: "Pendaftaran Permohonan",
                           at: now.addingTimeInterval(-(total * 2) - 3600 - Double(c)))
            }
            let out = try await a.ingestEvents(events, scope: IngestScope(allowedUnits: nil, source: .api, receivedBy: "test"), by: .cli)
            #expect(out.allSatisfy { $0.isAcknowledged })
            try await a.createAlertRule(sopID: sop, AlertRuleInput(kind: .caseOverdue, factor: 1), by: .cli)
            _ = try await a.createWebhook(unitID: unit, name: "hook", url: "http://127.0.0.1:9/hook", kinds: [.caseOverdue], allowPrivate: true, by: .cli)
            // Both evaluate at once: the alerts (and their deliveries) are raised once.
            async let ea = a.evaluateAlerts(now: now)
            async let eb = b.evaluateAlerts(now: now)
            let (ra, rb) = try await (ea, eb)
            #expect(ra.alerts.count + rb.alerts.count == 30 && ra.deliveries + rb.deliveries == 30)

            let policy = WebhookRetryPolicy(base: 30, maxAttempts: 3, lease: 30)
            func drain(_ store: PantauStore) async throws -> [WebhookJob] {
                var mine: [WebhookJob] = []
                while true {
                    let c = try await store.claimDueDeliveries(now: now, limit: 4, policy: policy)
                    if c.isEmpty { return mine }
                    mine += c
                }
            }
            async let ca = drain(a)
            async let cb = drain(b)
            let (ja, jb) = try await (ca, cb)
            #expect(Set(ja.map(\.deliveryID)).isDisjoint(with: Set(jb.map(\.deliveryID))))
            #expect(ja.count + jb.count == 30)
            // One of A's dies with A; the rest are sent.
            let lost = try #require((ja + jb).first)
            for j in (ja + jb).dropFirst() {
                let store = ja.contains(j) ? a : b
                #expect(try await store.recordDeliveryAttempt(j, at: now, statusCode: 200, error: nil, policy: policy)?.status == .sent)
            }
            #expect(try await b.claimDueDeliveries(now: now.addingTimeInterval(20), policy: policy).isEmpty)
            let taken = try await b.claimDueDeliveries(now: now.addingTimeInterval(31), policy: policy)
            #expect(taken.map(\.deliveryID) == [lost.deliveryID])
            #expect(try await a.recordDeliveryAttempt(lost, at: now.addingTimeInterval(32), statusCode: 200, error: nil, policy: policy) == nil)
            #expect(try await b.recordDeliveryAttempt(taken[0], at: now.addingTimeInterval(33), statusCode: 200, error: nil, policy: policy)?.status == .sent)
            let sent = try await a.auditEntries(AuditQuery(entity: "webhook_delivery", action: "deliver", perPage: 100)).items
            #expect(sent.count == 30 && Set(sent.map(\.entityID)).count == 30)
            #expect(try await a.verifyAudit().problem == nil)
        }
    }

    @Test("A claim whose lease ran out is taken over; the first worker's step is refused", arguments: TestEngine.all)
    func expiredLeaseTakenOver(_ engine: TestEngine) async throws {
        let clock = TestClock()
        try await withTwoStores(engine, clockA: clock, clockB: clock) { a, b in
            let sops = try await seed(a, sops: 1, cases: 3, now: clock.now)
            let job = try await a.requestReanalysis(sopID: sops[0], by: .cli)
            let policy = JobPolicy(lease: 30, chunk: 2)
            let t0 = clock.now
            let first = try #require(try await a.claimJobs(worker: "A", now: t0, policy: policy).first)
            #expect(first.id == job && first.attempts == 1)
            // A does one step (renewing its lease to t0 + 30) and dies.
            #expect(try await a.runJobStep(first, now: t0, policy: policy) == .progress)
            #expect(try await b.claimJobs(worker: "B", now: t0.addingTimeInterval(20), policy: policy).isEmpty)
            let second = try #require(try await b.claimJobs(worker: "B", now: t0.addingTimeInterval(31), policy: policy).first)
            #expect(second.id == job && second.attempts == 2)
            #expect(try await a.jobs(openOnly: true).first?.claimedBy == "B")
            // A, back from the dead, may no longer touch it.
            #expect(try await a.runJobStep(first, policy: policy) == .lost)
            #expect(try await a.failJob(first, error: "late", now: t0.addingTimeInterval(32), policy: policy) == false)
            // B resumes after A's committed step: one more chunk (the third case), then done.
            #expect(try await b.runJobStep(second, policy: policy) == .progress)
            #expect(try await b.runJobStep(second, policy: policy) == .done)
            let entry = try #require(try await a.auditEntries(AuditQuery(entity: "sop", action: "monitoring.reanalysed")).items.first)
            #expect(entry.newValue?.contains("\"cases\":\"3\"") == true)
        }
    }

    @Test("A failed job waits and is retried; after its last attempt it is given up", arguments: TestEngine.all)
    func failedJobBacksOff(_ engine: TestEngine) async throws {
        let clock = TestClock()
        try await withTwoStores(engine, clockA: clock) { a, _ in
            let sops = try await seed(a, sops: 1)
            try await a.requestReanalysis(sopID: sops[0], by: .cli)
            let policy = JobPolicy(lease: 30, retryBase: 10, maxAttempts: 2)
            let t0 = clock.now
            let c1 = try #require(try await a.claimJobs(worker: "A", now: t0, policy: policy).first)
            #expect(try await a.failJob(c1, error: "boom", now: t0, policy: policy))
            #expect(try await a.claimJobs(worker: "A", now: t0.addingTimeInterval(5), policy: policy).isEmpty)
            let c2 = try #require(try await a.claimJobs(worker: "A", now: t0.addingTimeInterval(11), policy: policy).first)
            #expect(c2.attempts == 2)
            #expect(try await a.failJob(c2, error: "boom again", now: t0.addingTimeInterval(12), policy: policy))
            let j = try #require(try await a.jobs().first)
            #expect(j.doneAt != nil && j.lastError == "boom again")
            #expect(try await a.claimJobs(worker: "A", now: t0.addingTimeInterval(3600), policy: policy).isEmpty)
        }
    }

    @Test("A change notification reaches the other store's listener at commit, never before or after a rollback")
    func notifyAtCommitOnly() async throws {
        guard TestEngine.postgresURL != nil else { return }
        try await withTwoStores(.postgres) { a, b in
            let heard = NIOLockedValueBox<[StoreChange?]>([])
            var logger = Logger(label: "pantau.test.listener")
            logger.logLevel = .warning
            let listener = Task { await b.listenForChanges(logger: logger) { c in heard.withLockedValue { $0.append(c) } } }
            defer { listener.cancel() }
            @Sendable func changes() -> [StoreChange] { heard.withLockedValue { $0.compactMap { $0 } } }
            // Listening has started when the first (nil) call came.
            try await waitUntil { !heard.withLockedValue { $0.isEmpty } }
            #expect(heard.withLockedValue { $0.count } == 1)

            struct Rollback: Error {}
            await #expect(throws: Rollback.self) {
                try await a.database.transaction { sql in
                    try await PantauStore.notifyChange(StoreChange(kind: .sop, sopID: 7), in: sql, engine: .postgres)
                    try await Task.sleep(for: .milliseconds(400))
                    throw Rollback()
                }
            }
            try await Task.sleep(for: .milliseconds(600))
            #expect(changes().isEmpty)

            let sawBeforeCommit = try await a.database.transaction { sql -> Bool in
                try await PantauStore.notifyChange(StoreChange(kind: .sop, sopID: 8, unitID: 3), in: sql, engine: .postgres)
                try await Task.sleep(for: .milliseconds(400))
                return !changes().isEmpty
            }
            #expect(!sawBeforeCommit)
            try await waitUntil { !changes().isEmpty }
            #expect(changes() == [StoreChange(kind: .sop, sopID: 8, unitID: 3)])

            // The store's own writes notify: events stored by A are heard by B with their SOP and unit.
            let sops = try await seed(a, sops: 1, cases: 2)
            try await waitUntil { changes().contains { $0.kind == .events } }
            let ev = changes().filter { $0.kind == .events }
            #expect(ev.count == 1 && ev.first?.sopID == sops[0] && ev.first?.unitID != nil)
            #expect(changes().contains(StoreChange(kind: .sop, sopID: sops[0], unitID: ev.first?.unitID)))
        }
    }

    @Test("The listener connects again when its connection is cut (the database went away) and hears later changes")
    func listenerReconnects() async throws {
        guard TestEngine.postgresURL != nil else { return }
        try await withTwoStores(.postgres) { a, b in
            let heard = NIOLockedValueBox<[StoreChange?]>([])
            let listener = Task {
                await b.listenForChanges(logger: Logger(label: "pantau.test.listener"), backoff: 0.2...1, pingEvery: 60) { c in
                    heard.withLockedValue { $0.append(c) }
                }
            }
            defer { listener.cancel() }
            @Sendable func starts() -> Int { heard.withLockedValue { $0.filter { $0 == nil }.count } }
            try await waitUntil { starts() > 0 }
            #expect(starts() == 1)
            // What a restart of the server does to the connection.
            try await rawExecute(a, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'")
            try await waitUntil { starts() >= 2 }
            #expect(starts() == 2)
            try await a.database.transaction { sql in
                try await PantauStore.notifyChange(StoreChange(kind: .jobs), in: sql, engine: .postgres)
            }
            try await waitUntil { !heard.withLockedValue { $0.compactMap { $0 } }.isEmpty }
            #expect(heard.withLockedValue { $0.compactMap { $0 } } == [StoreChange(kind: .jobs)])
        }
    }

    @Test("Another schema's notifications are not heard")
    func otherSchemaIgnored() async throws {
        guard TestEngine.postgresURL != nil else { return }
        try await withTwoStores(.postgres) { _, b in
            try await withTestStore(.postgres) { other in
                let heard = NIOLockedValueBox<[StoreChange?]>([])
                let listener = Task { await b.listenForChanges(logger: Logger(label: "pantau.test.listener")) { c in heard.withLockedValue { $0.append(c) } } }
                defer { listener.cancel() }
                try await waitUntil { !heard.withLockedValue { $0.isEmpty } }
                try await other.database.transaction { sql in
                    try await PantauStore.notifyChange(StoreChange(kind: .jobs), in: sql, engine: .postgres)
                }
                try await Task.sleep(for: .milliseconds(700))
                #expect(heard.withLockedValue { $0.compactMap { $0 } }.isEmpty)
            }
        }
    }
}
