import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import SQLKit
import Testing

/// The keyed audit chain (issue 7 §2.6): an HMAC per entry under a key kept outside the database.
@Suite("Store: keyed audit chain")
struct KeyedAuditTests {
    func populated(_ store: PantauStore) async throws -> [AuditEntry] {
        _ = try await DemoAgency.seed(into: store)
        #expect(try await store.verifyAudit().ok)
        return try await store.auditEntries(page: 1, perPage: 500).items.sorted { $0.seq < $1.seq }
    }

    /// `pantau audit verify` against a server that keeps writing: the head and every page of
    /// entries are read in one snapshot, so entries written meanwhile never read as a broken chain.
    @Test(arguments: TestEngine.all)
    func verifyingWhileAnotherTaskWritesFindsTheChainIntact(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            _ = try await DemoAgency.seed(into: store)
            // Enough entries that the walk takes several pages of 1,000.
            let root = try #require(try await store.units().first { $0.parentID == nil })
            for i in 0..<1_500 {
                _ = try await store.createUnit(UnitInput(parentID: root.id, code: "PRE-\(i)", name: "Unit \(i)", level: .unitKerja), by: .system)
            }
            let writer = Task {
                for i in 0..<300 {
                    _ = try await store.createUnit(UnitInput(parentID: root.id, code: "W-\(i)", name: "Unit tulis \(i)", level: .unitKerja), by: .system)
                }
            }
            var checks = 0
            while !writer.isCancelled, checks < 40 {
                let v = try await store.verifyAudit()
                #expect(v.ok, "\(v)")
                checks += 1
                if checks >= 5, (try await store.units().count) >= 1_500 + 300 { break }
            }
            try await writer.value
            #expect(try await store.verifyAudit().ok)
        }
    }

    /// Rewrites entries `from...` with raw SQL, recomputing every plain hash and the head, as
    /// someone with database access but without the key would.
    func forge(_ store: PantauStore, _ entries: [AuditEntry], from seq: Int64, actor: String) async throws {
        var prev = entries.first { $0.seq == seq }!.prevHash
        var last: (Int64, String) = (0, "")
        for var e in entries where e.seq >= seq {
            if e.seq == seq { e.actor = actor }
            let h = AuditChain.hash(prev: prev, seq: e.seq, at: e.at, actor: e.actor, action: e.action,
                                    entity: e.entity, entityID: e.entityID, old: e.oldValue, new: e.newValue)
            try await rawExecute(store, "UPDATE audit_log SET actor = '\(e.actor)', prev_hash = '\(prev)', hash = '\(h)' WHERE seq = \(e.seq)")
            prev = h
            last = (e.seq, h)
        }
        try await rawExecute(store, "UPDATE audit_head SET seq = \(last.0), hash = '\(last.1)' WHERE id = 1")
    }

    @Test(arguments: TestEngine.all)
    func everyEntryCarriesAMacUnderTheKey(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let entries = try await populated(store)
            #expect(!entries.isEmpty)
            for e in entries { #expect(e.mac == testAuditKey.mac(entryHash: e.hash)) }
            let v = try await store.verifyAudit()
            #expect(v.ok && v.keyedFrom == 1 && v.checked == entries.count && v.lastSeq == Int64(entries.count))
            let head = try await store.auditHead()
            #expect(head.seq == entries.last!.seq && head.hash == entries.last!.hash && head.mac == entries.last!.mac)
            #expect(AuditHead(line: head.line) == AuditHead(seq: head.seq, hash: head.hash, mac: head.mac))
        }
    }

    /// (a) Values rewritten and every plain hash after them recomputed, head included: the plain
    /// chain is consistent again, but the MAC of the rewritten entry gives it away.
    @Test(arguments: TestEngine.all)
    func rewriteWithRecomputedHashesFailsAtThatEntry(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let entries = try await populated(store)
            try await forge(store, entries, from: 4, actor: "user:forger")
            let v = try await store.verifyAudit()
            #expect(v.problem == .macMismatch && v.seq == 4 && v.checked == 3, "\(v)")
            #expect(v.description.contains("#4"))
        }
    }

    /// (b) The tail deleted and `audit_head` edited to match the new last entry: the chain
    /// itself verifies, but not against a head published before.
    @Test(arguments: TestEngine.all)
    func truncationWithEditedHeadIsCaughtByTheExpectedHead(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let entries = try await populated(store)
            let published = try await store.auditHead()
            #expect(try await store.verifyAudit(expectHead: published).ok)
            let keep = entries[entries.count - 3]
            try await rawExecute(store, "DELETE FROM audit_log WHERE seq > \(keep.seq)")
            try await rawExecute(store, "UPDATE audit_head SET seq = \(keep.seq), hash = '\(keep.hash)', mac = '\(keep.mac!)' WHERE id = 1")
            #expect(try await store.verifyAudit().ok)
            let v = try await store.verifyAudit(expectHead: published)
            #expect(v.problem == .endsBeforeExpectedHead && v.seq == published.seq && v.lastSeq == keep.seq, "\(v)")
            #expect(v.description.contains("#\(keep.seq)") && v.description.contains("#\(published.seq)"))
            // An earlier head that is still there passes; one whose hash differs does not.
            let earlier = AuditHead(seq: entries[1].seq, hash: entries[1].hash, mac: entries[1].mac)
            #expect(try await store.verifyAudit(expectHead: earlier).ok)
            let wrong = AuditHead(seq: entries[1].seq, hash: entries[2].hash, mac: nil)
            let w = try await store.verifyAudit(expectHead: wrong)
            #expect(w.problem == .expectedHeadNotInChain && w.seq == entries[1].seq)
        }
    }

    /// (c) The right entries checked with another key fail at the first keyed entry.
    @Test(arguments: TestEngine.all)
    func aWrongKeyFailsVerification(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            _ = try await populated(store)
            let other = PantauStore(database: store.database, auditKey: try AuditKey(secret: String(repeating: "k", count: 40)))
            let v = try await other.verifyAudit()
            #expect(v.problem == .macMismatch && v.seq == 1)
            await #expect(throws: StoreError.self) { try await other.auditHead() }
            // Without a key nothing is written, and keyed entries cannot be checked.
            let keyless = PantauStore(database: store.database)
            await #expect(throws: AuditKeyError.missingForWrite) {
                try await keyless.createUnit(UnitInput(parentID: nil, code: "X", name: "X", level: .instansi), by: .system)
            }
            #expect(try await keyless.unit(code: "X") == nil)
            await #expect(throws: AuditKeyError.notConfigured) { try await keyless.verifyAudit() }
        }
    }

    @Test(arguments: TestEngine.all)
    func aStrippedMacIsFound(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            _ = try await populated(store)
            try await rawExecute(store, "UPDATE audit_log SET mac = NULL WHERE seq = 2")
            let v = try await store.verifyAudit()
            #expect(v.problem == .macMissing && v.seq == 2)
        }
    }

    /// Entries written before migration 8 keep their plain hash; the chain is keyed from the first
    /// entry after it, and a rewrite of an old entry still breaks the first keyed MAC.
    @Test(arguments: TestEngine.all)
    func entriesBeforeMigration8KeepThePlainHash(_ engine: TestEngine) async throws {
        try await withTestDatabase(engine) { location in
            let db = try await Database.open(location)
            do {
                try await Migrator(database: db).migrate(through: 7)
                var prev = AuditChain.genesisHash
                for seq in Int64(1)...3 {
                    let h = AuditChain.hash(prev: prev, seq: seq, at: 1_700_000_000, actor: "cli", action: "create", entity: "unit",
                                            entityID: "\(seq)", old: nil, new: "{}")
                    let p = prev
                    try await db.transaction { sql in
                        try await sql.raw("""
                            INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, old_value, new_value, prev_hash, hash)
                            VALUES (\(bind: seq), 1700000000, 'cli', 'create', 'unit', \(bind: "\(seq)"), NULL, '{}', \(bind: p), \(bind: h))
                            """).run()
                        try await sql.raw("UPDATE audit_head SET seq = \(bind: seq), hash = \(bind: h) WHERE id = 1").run()
                    }
                    prev = h
                }
                let ran = try await Migrator(database: db).migrate()
                #expect(ran.map(\.number).contains(8))
                let store = PantauStore(database: db, auditKey: testAuditKey)
                _ = try await store.createUnit(UnitInput(parentID: nil, code: "A", name: "A", level: .instansi), by: .system)
                let v = try await store.verifyAudit()
                #expect(v.ok && v.keyedFrom == 4 && v.checked == 4, "\(v)")
                #expect(v.description.contains("#4"))
                let entries = try await store.auditEntries().items.sorted { $0.seq < $1.seq }
                #expect(entries.map { $0.mac == nil } == [true, true, true, false])
                #expect(try await store.auditHead().keyedFrom == 4)
                try await forge(store, entries, from: 2, actor: "user:forger")
                let f = try await store.verifyAudit()
                #expect(f.problem == .macMismatch && f.seq == 4, "\(f)")
                await db.shutdown()
            } catch {
                await db.shutdown()
                throw error
            }
        }
    }

    @Test func keySettingsAndTheKeyFileBesideSQLite() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pantau-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let dbPath = dir.appendingPathComponent("p.sqlite").path
        let first = try AuditKey.resolve(file: nil, secret: nil, database: .sqlite(path: dbPath))
        #expect(first.createdFile == dbPath + ".audit-key")
        let attrs = try FileManager.default.attributesOfItem(atPath: dbPath + ".audit-key")
        #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let again = try AuditKey.resolve(file: nil, secret: nil, database: .sqlite(path: dbPath))
        #expect(again.createdFile == nil && again.key.id == first.key.id)
        #expect(try AuditKey.resolve(file: dbPath + ".audit-key", secret: nil, database: .postgres(url: "postgres://x@h/d")).key.id == first.key.id)
        #expect(throws: AuditKeyError.notConfigured) { try AuditKey.resolve(file: nil, secret: nil, database: .postgres(url: "postgres://x@h/d")) }
        #expect(throws: AuditKeyError.bothConfigured) { try AuditKey.resolve(file: "f", secret: testAuditKeySecret, database: .sqlite(path: dbPath)) }
        #expect(throws: AuditKeyError.tooShort(source: "PANTAU_AUDIT_KEY", minimum: 32)) { try AuditKey(secret: "short") }
        #expect(AuditKeyError.notConfigured.description.contains("PANTAU_AUDIT_KEY_FILE") && AuditKeyError.notConfigured.description.contains("PANTAU_AUDIT_KEY "))

        // A store with keyed entries whose key file went missing is not given a new key.
        let store = try await PantauStore.open(.sqlite(path: dbPath), auditKey: first.key)
        _ = try await store.createUnit(UnitInput(parentID: nil, code: "A", name: "A", level: .instansi), by: .system)
        await store.shutdown()
        try FileManager.default.removeItem(atPath: dbPath + ".audit-key")
        let lost = try AuditKey.resolve(file: nil, secret: nil, database: .sqlite(path: dbPath))
        await #expect(throws: AuditKeyError.keyFileLost(path: dbPath + ".audit-key")) {
            try await PantauStore.open(.sqlite(path: dbPath), auditKey: lost.key, newKeyFile: lost.createdFile)
        }
        #expect(!FileManager.default.fileExists(atPath: dbPath + ".audit-key"))
    }
}
