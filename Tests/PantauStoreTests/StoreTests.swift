import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

let admin = AuditActor(userID: nil, label: "test")

@Suite("Store: migrations, units, users")
struct StoreBasicsTests {
    @Test(arguments: TestEngine.all)
    func migrationsAreIdempotent(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let m = Migrator(database: store.database)
            #expect(try await m.isUpToDate())
            #expect(try await m.migrate().isEmpty)
            #expect(try await m.applied() == allMigrations.map(\.number))
        }
    }

    @Test(arguments: TestEngine.all)
    func unitTreeAndConflicts(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let root = try await store.createUnit(UnitInput(parentID: nil, code: "PEMKOT", name: "Pemerintah Kota", level: .instansi), by: admin)
            let dinkes = try await store.createUnit(UnitInput(parentID: root.id, code: "DINKES", name: "Dinas Kesehatan", level: .instansi), by: admin)
            let pkm = try await store.createUnit(UnitInput(parentID: dinkes.id, code: "PKM", name: "Puskesmas", level: .unitKerja, headName: "dr. A", headNIP: "198103152009022001"), by: admin)
            let tree = try await store.orgTree()
            #expect(tree.subtree(of: dinkes.id) == [dinkes.id, pkm.id])
            #expect(tree.contains(pkm.id, inSubtreeOf: root.id))
            #expect(!tree.contains(root.id, inSubtreeOf: pkm.id))

            await #expect(throws: StoreError.rejected([InputProblem("code", "unit_code_taken", ["DINKES"])])) {
                try await store.createUnit(UnitInput(parentID: nil, code: "DINKES", name: "Lain", level: .instansi), by: admin)
            }
            // A unit cannot be moved under its own descendant.
            await #expect(throws: StoreError.self) {
                try await store.updateUnit(id: dinkes.id, UnitInput(parentID: pkm.id, code: "DINKES", name: "Dinas Kesehatan", level: .instansi), by: admin)
            }
            await #expect(throws: StoreError.rejected([InputProblem("head_nip", "nip_format")])) {
                try await store.createUnit(UnitInput(parentID: nil, code: "X", name: "X", level: .instansi, headNIP: "123"), by: admin)
            }
            // Every problem at once, as codes with arguments.
            await #expect(throws: StoreError.rejected([InputProblem("code", "unit_code_format", ["40"]), InputProblem("name", "required")])) {
                try await store.createUnit(UnitInput(parentID: nil, code: "a b", name: " ", level: .instansi), by: admin)
            }
            // Failed writes left nothing behind: 3 units, 3 audit entries.
            #expect(try await store.units().count == 3)
            #expect(try await store.auditEntries().total == 3)
        }
    }

    @Test(arguments: TestEngine.all)
    func usersSessionsAndThrottle(_ engine: TestEngine) async throws {
        let clock = TestClock()
        try await withTestStore(engine, clock: clock) { store async throws in
            let unit = try await store.createUnit(UnitInput(parentID: nil, code: "U", name: "Unit", level: .instansi), by: admin)
            let u = try await store.createUser(UserInput(username: "Budi", displayName: "Budi S", role: .officer, unitID: unit.id), passwordHash: "h1", by: admin)
            await #expect(throws: StoreError.self) {
                try await store.createUser(UserInput(username: "budi", displayName: "Dup", role: .officer, unitID: unit.id), passwordHash: "h", by: admin)
            }
            await #expect(throws: StoreError.rejected([InputProblem("unit_id", "role_needs_unit")])) {
                try await store.createUser(UserInput(username: "nounit", displayName: "No unit", role: .officer, unitID: nil), passwordHash: "h", by: admin)
            }
            let cred = try #require(try await store.credentials(username: "BUDI"))
            #expect(cred.0.id == u.id && cred.1 == "h1")

            _ = try await store.createSession(userID: u.id, tokenHash: "tok", csrfToken: "csrf", lifetime: 3600)
            #expect(try await store.session(tokenHash: "tok")?.1.username == "Budi")
            clock.advance(3601)
            #expect(try await store.session(tokenHash: "tok") == nil)

            // Sign-in throttling: three free failures, then a growing wait; a success clears the
            // pair key but only takes its own attempt back from the client key.
            let policy = LoginThrottlePolicy(freeFailures: 3, firstDelay: 30, maxDelay: 120)
            let pair = LoginThrottleKey(key: "pair:budi", clearedBySuccess: true, policy: policy)
            let client = LoginThrottleKey(key: "client:x", clearedBySuccess: false, policy: LoginThrottlePolicy(freeFailures: 5, firstDelay: 30))
            for _ in 0..<3 {
                guard case let .proceed(keys) = try await store.beginLoginAttempt(keys: [pair, client]) else { Issue.record("throttled too early"); return }
                try await store.finishLoginAttempt(keys, success: false)
            }
            #expect(try await store.beginLoginAttempt(keys: [pair, client]) == .wait(retryAfter: 30))
            clock.advance(31)
            guard case let .proceed(keys) = try await store.beginLoginAttempt(keys: [pair, client]) else { Issue.record("no retry after the wait"); return }
            try await store.finishLoginAttempt(keys, success: false)
            #expect(try await store.beginLoginAttempt(keys: [pair]) == .wait(retryAfter: 60))
            clock.advance(61)
            // The client key has counted 4 failures (5 free): one more is let through and succeeds.
            guard case let .proceed(ok) = try await store.beginLoginAttempt(keys: [pair, client]) else { Issue.record("throttled"); return }
            try await store.finishLoginAttempt(ok, success: true)
            guard case .proceed = try await store.beginLoginAttempt(keys: [pair]) else { Issue.record("pair not cleared by success"); return }
            // Client key: 4 failures remain after the success; the next failure is the 5th: wait.
            guard case .proceed = try await store.beginLoginAttempt(keys: [client]) else { Issue.record("client throttled too early"); return }
            #expect(try await store.beginLoginAttempt(keys: [client]) == .wait(retryAfter: 30))
            // A day without failures starts afresh.
            clock.advance(86_401)
            guard case .proceed = try await store.beginLoginAttempt(keys: [client]) else { Issue.record("not forgotten"); return }

            // Deactivating a user ends their sessions.
            _ = try await store.createSession(userID: u.id, tokenHash: "tok2", csrfToken: "c", lifetime: 3600)
            try await store.updateUser(id: u.id, UserInput(username: "Budi", displayName: "Budi S", role: .officer, unitID: unit.id, active: false), by: admin)
            #expect(try await store.session(tokenHash: "tok2") == nil)
        }
    }
}

@Suite("Store: SOP register and lifecycle")
struct SOPStoreTests {
    func seedUnit(_ store: PantauStore) async throws -> Int64 {
        try await store.createUnit(UnitInput(parentID: nil, code: "DPMPTSP", name: "DPMPTSP", level: .instansi), by: admin).id
    }

    @Test(arguments: TestEngine.all)
    func lifecycleAndVersions(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let unit = try await seedUnit(store)
            var doc = DemoAgency.izinUsaha
            let sop = try await store.createSOP(unitID: unit, document: doc, by: admin)
            #expect(sop.latestVersion == 1 && sop.latestStatus == .draft && sop.effectiveVersion == nil)

            // A draft is edited in place.
            doc.identity.warning = "Peringatan baru"
            var v = try await store.saveSOP(id: sop.id, document: doc, by: admin)
            #expect(v.version == 1 && v.document.identity.warning == "Peringatan baru")

            // Approval requires review first.
            await #expect(throws: StoreError.invalidTransition(from: "draft", to: "effective")) {
                try await store.approve(sopID: sop.id, version: 1, effectiveFrom: CivilDate(year: 2026, month: 1, day: 19), by: admin)
            }
            try await store.setStatus(sopID: sop.id, version: 1, to: .review, by: admin)
            v = try await store.approve(sopID: sop.id, version: 1, effectiveFrom: CivilDate(year: 2026, month: 1, day: 19), by: admin)
            #expect(v.status == .effective && v.effectiveFrom == CivilDate(year: 2026, month: 1, day: 19))

            // Revising an effective SOP makes version 2; version 1 stays as it was.
            var doc2 = v.document
            doc2.steps[1].standard.time = .minutes(45)
            let v2 = try await store.saveSOP(id: sop.id, document: doc2, changeNote: "Percepatan verifikasi", by: admin)
            #expect(v2.version == 2 && v2.status == .draft)
            let v1 = try await store.version(sopID: sop.id, version: 1)
            #expect(v1.status == .effective && v1.document.steps[1].standard.time == .hours(1))
            #expect(v1.document.changes(to: v2.document).map(\.field) == ["langkah[verifikasi].mutu_baku.waktu"])

            try await store.setStatus(sopID: sop.id, version: 2, to: .review, by: admin)
            let approved2 = try await store.approve(sopID: sop.id, version: 2, effectiveFrom: CivilDate(year: 2026, month: 7, day: 1), by: admin)
            #expect(try await store.version(sopID: sop.id, version: 1).status == .archived)
            // The revision's identity block no longer carries version 1's dates: it takes effect on
            // the approved day and was revised on the day of approval. Version 1 keeps its own.
            #expect(approved2.document.identity.effectiveOn == CivilDate(year: 2026, month: 7, day: 1))
            #expect(approved2.document.identity.revisedOn == CivilDate(approved2.approvedAt ?? Date()))
            #expect(try await store.version(sopID: sop.id, version: 1).document.identity.effectiveOn == v.document.identity.effectiveOn)
            let rec = try await store.sop(id: sop.id)
            #expect(rec.effectiveVersion == 2 && rec.latestVersion == 2)

            // A case is judged by the version in force when it ran.
            let march = CivilDate(year: 2026, month: 3, day: 10).startOfDay().addingTimeInterval(36_000)
            let august = CivilDate(year: 2026, month: 8, day: 10).startOfDay().addingTimeInterval(36_000)
            let early = CivilDate(year: 2025, month: 12, day: 1).startOfDay()
            #expect(try await store.versionInForce(sopID: sop.id, at: march)?.version == 1)
            #expect(try await store.versionInForce(sopID: sop.id, at: august)?.version == 2)
            #expect(try await store.versionInForce(sopID: sop.id, at: early) == nil)
            #expect(try await store.versions(sopID: sop.id).map(\.version) == [2, 1])
        }
    }

    @Test(arguments: TestEngine.all)
    func invalidSOPStoresNothing(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let unit = try await seedUnit(store)
            var bad = DemoAgency.izinUsaha
            bad.steps[3].actor = "tidak-ada"
            await #expect(throws: StoreError.self) { try await store.createSOP(unitID: unit, document: bad, by: admin) }
            try await store.createSOP(unitID: unit, document: DemoAgency.izinUsaha, by: admin)
            // Same number in the same unit: conflict, and nothing half-written.
            await #expect(throws: StoreError.conflict(field: "identitas.nomor", message: "Nomor SOP '503/SOP-01/436.7.15/2026' sudah dipakai di unit ini")) {
                try await store.createSOP(unitID: unit, document: DemoAgency.izinUsaha, by: admin)
            }
            #expect(try await store.sops(SOPQuery()).total == 1)
            #expect(try await store.auditEntries(entity: "sop").total == 1)
        }
    }

    @Test(arguments: TestEngine.all)
    func searchFilterPagingAndHostileText(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let a = try await seedUnit(store)
            let b = try await store.createUnit(UnitInput(parentID: nil, code: "DUKCAPIL", name: "Dukcapil", level: .instansi), by: admin).id
            for i in 1...30 {
                var d = DemoAgency.ktpEl
                d.identity.number = String(format: "470/%02d", i)
                d.identity.title = i == 7 ? "<script>alert('x')</script> 100% O'Brien_" : "SOP \(i)"
                _ = try await store.createSOP(unitID: i % 2 == 0 ? a : b, document: d, by: admin)
            }
            let p1 = try await store.sops(SOPQuery(perPage: 10))
            #expect(p1.total == 30 && p1.items.count == 10 && p1.pageCount == 3 && p1.items.first?.number == "470/01")
            let p3 = try await store.sops(SOPQuery(page: 3, perPage: 10))
            #expect(p3.items.last?.number == "470/30")
            #expect(try await store.sops(SOPQuery(unitIDs: [a])).total == 15)
            #expect(try await store.sops(SOPQuery(unitIDs: [])).total == 0)
            // LIKE wildcards in the search text match literally.
            #expect(try await store.sops(SOPQuery(text: "100%")).items.map(\.number) == ["470/07"])
            #expect(try await store.sops(SOPQuery(text: "brien_")).total == 1)
            #expect(try await store.sops(SOPQuery(text: "%")).total == 1)
            let hostile = try await store.sops(SOPQuery(text: "script")).items
            #expect(hostile.first?.title == "<script>alert('x')</script> 100% O'Brien_")
            #expect(try await store.sops(SOPQuery(status: .effective)).total == 0)
            #expect(try await store.sops(SOPQuery(status: .draft)).total == 30)
        }
    }

    @Test(arguments: TestEngine.all)
    func demoSeedIsIdempotent(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let first = try await DemoAgency.seed(into: store)
            #expect(first.units == DemoAgency.units.count && first.sops == 3)
            let again = try await DemoAgency.seed(into: store)
            #expect(again.units == 0 && again.sops == 0)
            #expect(try await store.sops(SOPQuery(status: .effective)).total == 3)
        }
    }
}

@Suite("Store: tamper-evident audit trail")
struct AuditTrailTests {
    func populated(_ store: PantauStore) async throws {
        _ = try await DemoAgency.seed(into: store)
        #expect(try await store.verifyAudit().ok)
    }

    @Test(arguments: TestEngine.all)
    func everyWriteIsAuditedWithOldAndNew(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let u = try await store.createUnit(UnitInput(parentID: nil, code: "A", name: "Awal", level: .instansi), by: admin)
            try await store.updateUnit(id: u.id, UnitInput(parentID: nil, code: "A", name: "Akhir", level: .instansi), by: AuditActor(userID: 7, label: "user:siti"))
            let e = try await store.auditEntries(entity: "unit", entityID: "\(u.id)").items
            #expect(e.map(\.action) == ["update", "create"])
            #expect(e[0].actor == "user:siti")
            #expect(e[0].oldValue?.contains("Awal") == true && e[0].newValue?.contains("Akhir") == true)
            let v = try await store.verifyAudit()
            #expect(v.ok && v.checked == 2)
        }
    }

    @Test(arguments: TestEngine.all)
    func alteredEntryIsFound(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            try await populated(store)
            try await rawExecute(store, "UPDATE audit_log SET new_value = '{\"name\":\"palsu\"}' WHERE seq = 3")
            let v = try await store.verifyAudit()
            #expect(v.problem == .altered && v.seq == 3 && v.checked == 2)
        }
    }

    @Test(arguments: TestEngine.all)
    func deletedEntryIsFound(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            try await populated(store)
            try await rawExecute(store, "DELETE FROM audit_log WHERE seq = 5")
            let v = try await store.verifyAudit()
            #expect(v.problem == .missing && v.seq == 5)
        }
    }

    @Test(arguments: TestEngine.all)
    func rehashedEntryBreaksTheLink(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            try await populated(store)
            // A forger who recomputes entry 4's hash after editing it still breaks entry 5's link.
            let e = try #require(try await store.auditEntries(page: 1, perPage: 500).items.first { $0.seq == 4 })
            let forged = AuditChain.hash(prev: e.prevHash, seq: e.seq, at: e.at, actor: "user:forger", action: e.action,
                                         entity: e.entity, entityID: e.entityID, old: e.oldValue, new: e.newValue)
            try await rawExecute(store, "UPDATE audit_log SET actor = 'user:forger', hash = '\(forged)' WHERE seq = 4")
            let v = try await store.verifyAudit()
            #expect(v.problem == .brokenLink && v.seq == 5)
        }
    }

    @Test(arguments: TestEngine.all)
    func truncatedTailIsFound(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            try await populated(store)
            let total = try await store.auditEntries().total
            try await rawExecute(store, "DELETE FROM audit_log WHERE seq = \(total)")
            let v = try await store.verifyAudit()
            #expect(v.problem == .headMismatch)
        }
    }
}
