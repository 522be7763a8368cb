import Foundation
import Logging
import PantauCore
import PantauStore
import PantauTestSupport
import SQLKit
import Testing

/// `pantau backup` / `pantau restore` (issue 10 §2): a consistent copy while writes go on, a
/// restore that checks the file and refuses to overwrite data, counts compared with the manifest.
@Suite("Store: backup and restore")
struct BackupTests {
    static let logger: Logger = {
        var l = Logger(label: "pantau.test.backup")
        l.logLevel = .warning
        return l
    }()

    static var pgToolsAvailable: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return TestEngine.postgresURL != nil
            && ["pg_dump", "pg_restore"].allSatisfy { t in path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(t)") } }
    }

    var backupOptions: BackupOptions { BackupOptions(auditKey: testAuditKey, producer: "pantau test", logger: Self.logger) }
    func restoreOptions(force: Bool = false, manifest: Bool = true) -> RestoreOptions {
        RestoreOptions(force: force, requireManifest: manifest, auditKey: testAuditKey, logger: Self.logger)
    }

    /// A temporary folder for backup files, removed afterwards.
    func withFolder<T>(_ body: (String) async throws -> T) async throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pantau-backup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try await body(dir)
    }

    /// Writes audited units until stopped; returns how many it wrote.
    final class Writer: Sendable {
        let written = LockedCounter()
        let stop = LockedCounter()
        let task: Task<Int, any Error>

        init(_ store: PantauStore, prefix: String) {
            let written = self.written, stop = self.stop
            task = Task {
                var n = 0
                while stop.value == 0 {
                    n += 1
                    _ = try await store.createUnit(UnitInput(parentID: nil, code: "\(prefix)\(n)", name: "Unit uji \(n)", level: .unitKerja), by: .cli)
                    written.set(n)
                }
                return n
            }
        }

        func waitFor(_ n: Int) async throws {
            // Generous: the whole suite runs its tests in parallel, on two cores in CI.
            let deadline = Date().addingTimeInterval(240)
            while written.value < n {
                guard Date() < deadline else { throw CancellationError() }
                try await Task.sleep(for: .milliseconds(5))
            }
        }

        func finish() async throws -> Int {
            stop.set(1)
            return try await task.value
        }
    }

    final class LockedCounter: @unchecked Sendable {
        private var v = 0
        private let lock = NSLock()
        var value: Int { lock.lock(); defer { lock.unlock() }; return v }
        func set(_ n: Int) { lock.lock(); v = n; lock.unlock() }
    }

    func count(_ db: Database, _ table: String) async throws -> Int {
        try await db.read { sql in try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()?.decode(column: "n", as: Int.self) ?? -1 }
    }

    func sqlitePath(_ store: PantauStore) -> String {
        guard case let .sqlite(path) = store.database.location else { return "" }
        return path
    }

    // MARK: SQLite

    @Test func sqliteBackupTakenWhileWritesGoOnIsConsistent() async throws {
        try await withTestStore(.sqlite) { store async throws in
            _ = try await DemoAgency.seed(into: store)
            try await withFolder { dir in
                let file = dir + "/pantau-backup.sqlite"
                let writer = Writer(store, prefix: "BK")
                try await writer.waitFor(20)
                let m = try await Backup.backup(store.database.location, to: file, options: backupOptions)
                let atBackup = writer.written.value
                try await writer.waitFor(atBackup + 20)
                _ = try await writer.finish()

                // The writer kept going around the backup: the copy holds a state between.
                let units = try #require(m.tables["units"])
                #expect(m.engine == "sqlite" && m.auditKeyID == testAuditKey.id && m.auditVerified && m.schemaMigration == allMigrations.map(\.number).max())
                let sha = try Backup.sha256(file)
                #expect(m.file.name == "pantau-backup.sqlite" && m.file.sha256 == sha)
                let live = try await count(store.database, "units")
                #expect(units < live && live - units >= 20, "backup \(units) units, live \(live)")
                #expect(m.tables["audit_log"] == Int(m.auditHead.seq) && m.auditHead.seq > 0)

                // The copy: one file (no WAL), intact, its audit chain verifies and its counts are the manifest's.
                #expect(!FileManager.default.fileExists(atPath: file + "-wal"))
                #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["pantau-backup.sqlite", "pantau-backup.sqlite.manifest.json"])
                let copy = try await Database.open(.sqlite(path: file), logger: Self.logger)
                do {
                    let check = try await copy.read { sql in try await sql.raw("PRAGMA integrity_check").all().map { try $0.decode(column: "integrity_check", as: String.self) } }
                    #expect(check == ["ok"])
                    let v = try await PantauStore(database: copy, auditKey: testAuditKey).verifyAudit()
                    #expect(v.ok && Int64(v.checked) == m.auditHead.seq, "\(v)")
                    for (table, n) in m.tables { #expect(try await count(copy, table) == n, "\(table)") }
                    await copy.shutdown()
                } catch {
                    await copy.shutdown()
                    throw error
                }
            }
        }
    }

    @Test func sqliteRestoreIntoAFreshPathThenRefusesDataWithoutForce() async throws {
        try await withTestStore(.sqlite) { store async throws in
            _ = try await DemoAgency.seed(into: store)
            try await withFolder { dir in
                let file = dir + "/b.sqlite"
                let m = try await Backup.backup(store.database.location, to: file, options: backupOptions)
                let target = dir + "/restored/pantau.sqlite"
                try FileManager.default.createDirectory(atPath: dir + "/restored", withIntermediateDirectories: true)

                let r = try await Backup.restore(file, into: .sqlite(path: target), options: restoreOptions())
                #expect(r.replaced == nil && r.verification.ok && r.head == m.auditHead && r.schemaMigration == m.schemaMigration)
                #expect(r.rows.count == m.tables.count && r.rows.allSatisfy { $0.matches && $0.expected != nil })
                #expect(r.counts == m.tables)
                // Only the database is left in the folder: no temporary copy, WAL or journal.
                #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/restored") == ["pantau.sqlite"])

                // The restored database opens as a store and carries on the chain.
                let restored = try await PantauStore.open(.sqlite(path: target), auditKey: testAuditKey, logger: Self.logger)
                let v = try await restored.verifyAudit()
                _ = try await restored.createUnit(UnitInput(parentID: nil, code: "BARU", name: "Unit baru", level: .unitKerja), by: .cli)
                let v2 = try await restored.verifyAudit()
                await restored.shutdown()
                #expect(v.ok && v2.ok && v2.checked == v.checked + 1)

                // Now the target holds data: refused without --force, saying what is there.
                let before = try Backup.sha256(target)
                do {
                    _ = try await Backup.restore(file, into: .sqlite(path: target), options: restoreOptions())
                    Issue.record("restore over data without --force succeeded")
                } catch let e as BackupError {
                    guard case let .targetNotEmpty(t, summary) = e else { throw e }
                    #expect(t == target && summary.contains("units") && summary.contains("audit_log"))
                    #expect(e.description.contains("--force"))
                }
                #expect(try Backup.sha256(target) == before)

                // With --force it is replaced by the backup (the unit added since is gone).
                let forced = try await Backup.restore(file, into: .sqlite(path: target), options: restoreOptions(force: true))
                #expect(forced.replaced?["units"] == m.tables["units"].map { $0 + 1 } && forced.counts == m.tables)

                // A database open in another connection (a running server) is refused even with --force.
                let live = sqlitePath(store)
                let liveBefore = try await count(store.database, "audit_log")
                do {
                    _ = try await Backup.restore(file, into: .sqlite(path: live), options: restoreOptions(force: true))
                    Issue.record("restore over an open database succeeded")
                } catch let e as BackupError {
                    guard case .targetInUse = e else { throw e }
                    #expect(e.description.contains("stop `pantau serve` first"))
                }
                #expect(try await count(store.database, "audit_log") == liveBefore)
                _ = try await store.createUnit(UnitInput(parentID: nil, code: "MASIH", name: "Masih jalan", level: .unitKerja), by: .cli)
                #expect(try await store.verifyAudit().ok)
            }
        }
    }

    @Test func damagedOrForeignFilesAreRefusedAndTheTargetIsUntouched() async throws {
        try await withTestStore(.sqlite) { store async throws in
            _ = try await DemoAgency.seed(into: store)
            try await withFolder { dir in
                let file = dir + "/b.sqlite"
                _ = try await Backup.backup(store.database.location, to: file, options: backupOptions)
                let target = dir + "/target.sqlite"
                _ = try await Backup.restore(file, into: .sqlite(path: target), options: restoreOptions())
                let targetSHA = try Backup.sha256(target)
                let original = try Data(contentsOf: URL(fileURLWithPath: file))

                func refused(_ bytes: Data, name: String, manifest: Bool = false) async throws -> BackupError? {
                    let bad = dir + "/" + name
                    try bytes.write(to: URL(fileURLWithPath: bad))
                    if manifest { try FileManager.default.copyItem(atPath: file + ".manifest.json", toPath: bad + ".manifest.json") }
                    do {
                        _ = try await Backup.restore(bad, into: .sqlite(path: target), options: restoreOptions(force: true, manifest: manifest))
                        Issue.record("\(name) was restored")
                        return nil
                    } catch let e as BackupError {
                        #expect(try Backup.sha256(target) == targetSHA, "\(name) changed the target")
                        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") || $0.hasPrefix("target.sqlite-") }
                        #expect(left.isEmpty, "left behind: \(left)")
                        return e
                    }
                }

                // Garbage bytes.
                let garbage = try await refused(Data((0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }), name: "garbage.sqlite")
                #expect(garbage == .notSQLite(path: dir + "/garbage.sqlite"))
                #expect(garbage?.description.contains("nothing was changed") == true)

                // Truncated to half.
                let truncated = try await refused(original.prefix(original.count / 2), name: "half.sqlite")
                if case let .corrupt(p, _) = truncated { #expect(p == dir + "/half.sqlite") } else { Issue.record("truncated: \(String(describing: truncated))") }

                // Pages overwritten in the middle (header intact), without the manifest to notice.
                var damaged = original
                let mid = (original.count / 4096 / 2) * 4096
                damaged.replaceSubrange(mid..<(mid + 8192), with: Data(repeating: 0xA5, count: 8192))
                let pages = try await refused(damaged, name: "pages.sqlite")
                if case .corrupt = pages {} else { Issue.record("damaged pages: \(String(describing: pages))") }

                // One byte changed with the manifest beside it: the SHA-256 gives it away.
                var flipped = original
                flipped[original.count - 100] ^= 0xFF
                let sha = try await refused(flipped, name: "flipped.sqlite", manifest: true)
                if case let .manifestMismatch(_, reason) = sha { #expect(reason.contains("SHA-256")) } else { Issue.record("flipped: \(String(describing: sha))") }

                // A SQLite database that is not Pantau's.
                let foreign = dir + "/foreign.sqlite"
                let db = try await Database.open(.sqlite(path: foreign), logger: Self.logger)
                try await db.transaction { sql in try await sql.raw("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)").run() }
                await db.shutdown()
                let other = try await refused(try Data(contentsOf: URL(fileURLWithPath: foreign)), name: "foreign-copy.sqlite")
                #expect(other == .notPantau(path: dir + "/foreign-copy.sqlite"))

                // A missing manifest is refused unless asked for.
                try FileManager.default.copyItem(atPath: file, toPath: dir + "/nomanifest.sqlite")
                await #expect(throws: BackupError.manifestMissing(path: dir + "/nomanifest.sqlite.manifest.json")) {
                    _ = try await Backup.restore(dir + "/nomanifest.sqlite", into: .sqlite(path: dir + "/new.sqlite"), options: restoreOptions())
                }
                #expect(!FileManager.default.fileExists(atPath: dir + "/new.sqlite"))

                // A wrong audit key: the key id in the manifest differs, refused before anything is copied.
                let wrong = try AuditKey(secret: String(repeating: "k", count: 40))
                await #expect(throws: BackupError.auditKeyDiffers(manifest: testAuditKey.id, configured: wrong.id)) {
                    _ = try await Backup.restore(file, into: .sqlite(path: dir + "/new.sqlite"),
                                                 options: RestoreOptions(auditKey: wrong, logger: Self.logger))
                }
                // No key at all: the chain cannot be verified, the restore stops and says so.
                do {
                    _ = try await Backup.restore(file, into: .sqlite(path: dir + "/new.sqlite"), options: RestoreOptions(auditKeyHint: "copy the key", logger: Self.logger))
                    Issue.record("restored without a key")
                } catch let e as BackupError {
                    #expect(e == .auditKeyMissing(detail: "copy the key") && e.description.contains("not in the backup"))
                }
                #expect(!FileManager.default.fileExists(atPath: dir + "/new.sqlite"))
            }
        }
    }

    @Test func aBackupOfANewerSchemaIsRefused() async throws {
        try await withTestStore(.sqlite) { store async throws in
            _ = try await store.createUnit(UnitInput(parentID: nil, code: "PKM", name: "Puskesmas", level: .unitKerja), by: .cli)
            try await rawExecute(store, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9001, 'from_the_future', 0)")
            try await withFolder { dir in
                let file = dir + "/future.sqlite"
                let m = try await Backup.backup(store.database.location, to: file, options: backupOptions)
                #expect(m.schemaMigration == 9001)
                let latest = allMigrations.map(\.number).max() ?? 0
                await #expect(throws: BackupError.schemaNewer(path: file, unknown: [9001], latestKnown: latest)) {
                    _ = try await Backup.restore(file, into: .sqlite(path: dir + "/t.sqlite"), options: restoreOptions())
                }
                #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["future.sqlite", "future.sqlite.manifest.json"])
            }
        }
    }

    @Test func backupErrorsAreClearAndLeaveNoFile() async throws {
        try await withFolder { dir in
            await #expect(throws: BackupError.sourceMissing(path: dir + "/none.sqlite")) {
                _ = try await Backup.backup(.sqlite(path: dir + "/none.sqlite"), to: dir + "/b.sqlite", options: backupOptions)
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/none.sqlite"))
            // Into a folder that does not exist: an error naming the problem, nothing written.
            try await withTestStore(.sqlite) { store async throws in
                _ = try await store.createUnit(UnitInput(parentID: nil, code: "PKM", name: "Puskesmas", level: .unitKerja), by: .cli)
                do {
                    _ = try await Backup.backup(store.database.location, to: dir + "/missing/b.sqlite", options: backupOptions)
                    Issue.record("backup into a missing folder succeeded")
                } catch {
                    #expect("\(error)".contains("missing"), "\(error)")
                }
                // Onto the database itself: refused, the database goes on.
                let own = sqlitePath(store)
                await #expect(throws: BackupError.io(path: own, reason: "this is the database itself: write the backup to another file")) {
                    _ = try await Backup.backup(store.database.location, to: own, options: backupOptions)
                }
                let units = try await count(store.database, "units")
                #expect(try await store.verifyAudit().ok && units == 1)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        }
    }

    // MARK: PostgreSQL

    @Test(.enabled(if: BackupTests.pgToolsAvailable, "needs PANTAU_TEST_DATABASE_URL, pg_dump and pg_restore"))
    func postgresDumpOfOneSnapshotRestoresIntoANewDatabase() async throws {
        let base = try #require(TestEngine.postgresURL)
        try await withTestStore(.postgres) { store async throws in
            _ = try await DemoAgency.seed(into: store)
            guard case let .postgres(url) = store.database.location, var c = URLComponents(string: url) else { return }
            try await withFolder { dir in
                let file = dir + "/pantau.dump"
                let writer = Writer(store, prefix: "PG")
                try await writer.waitFor(10)
                let m = try await Backup.backup(store.database.location, to: file, options: backupOptions)
                try await writer.waitFor(writer.written.value + 10)
                _ = try await writer.finish()
                let schema = c.queryItems?.first { $0.name == "search_path" }?.value
                #expect(m.engine == "postgres" && m.schema == schema && m.auditKeyID == testAuditKey.id && !m.auditVerified)
                #expect(m.tables["audit_log"] == Int(m.auditHead.seq))
                let live = try await count(store.database, "units")
                #expect(try #require(m.tables["units"]) < live)

                // A new database on the same server.
                let name = "pantau_bk_" + UUID().uuidString.prefix(8).lowercased()
                let admin = try await Database.open(.postgres(url: base), logger: Self.logger)
                try await admin.read { sql in try await sql.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
                c.path = "/" + name
                let target = DatabaseLocation.postgres(url: c.string!)
                do {
                    // The dump recreates its schema under its own name: a URL without that search_path is refused first.
                    var noSchema = c
                    noSchema.queryItems = c.queryItems?.filter { $0.name != "search_path" }
                    do {
                        _ = try await Backup.restore(file, into: .postgres(url: noSchema.string!), options: restoreOptions())
                        Issue.record("restore into another search_path succeeded")
                    } catch let e as BackupError {
                        guard case let .manifestMismatch(_, reason) = e else { throw e }
                        #expect(reason.contains("search_path"))
                    }
                    // The counts of the snapshot, not of the live schema (writes went on during pg_dump).
                    let r = try await Backup.restore(file, into: target, options: restoreOptions())
                    #expect(r.verification.ok && r.head == m.auditHead && r.counts == m.tables && r.replaced == nil)
                    #expect(r.rows.allSatisfy { $0.matches })

                    // The restored database holds data now: refused without --force.
                    do {
                        _ = try await Backup.restore(file, into: target, options: restoreOptions())
                        Issue.record("restore over data without --force succeeded")
                    } catch let e as BackupError {
                        guard case .targetNotEmpty = e else { throw e }
                    }
                    // A damaged archive: refused by pg_restore --list, the target keeps its data.
                    var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
                    bytes = bytes.prefix(bytes.count / 3)
                    try bytes.write(to: URL(fileURLWithPath: dir + "/cut.dump"))
                    do {
                        _ = try await Backup.restore(dir + "/cut.dump", into: target, options: restoreOptions(force: true, manifest: false))
                        Issue.record("a cut archive was restored")
                    } catch let e as BackupError {
                        guard case .corrupt = e else { throw e }
                    }
                    // --force replaces it; the counts match again.
                    let again = try await Backup.restore(file, into: target, options: restoreOptions(force: true))
                    #expect(again.counts == m.tables && again.replaced?["units"] == m.tables["units"])
                    let restored = try await PantauStore.open(target, migrate: false, auditKey: testAuditKey, logger: Self.logger)
                    #expect(try await count(restored.database, "units") == m.tables["units"])
                    #expect(try await restored.verifyAudit().ok)
                    await restored.shutdown()
                } catch {
                    try? await admin.read { sql in try await sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run() }
                    await admin.shutdown()
                    throw error
                }
                try await admin.read { sql in try await sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run() }
                await admin.shutdown()
            }
        }
    }
}
