import Crypto
import Foundation
import PantauCore
import Logging
import SQLKit
import SQLiteKit
import SQLiteNIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a backup holds, written beside it as `FILE.manifest.json`: the engine, the schema, the
/// row count of every table and the audit head, as read from the very copy in the file (SQLite:
/// the copy itself; PostgreSQL: the snapshot `pg_dump` exported). A restore compares the restored
/// database with it. The SHA-256 ties the manifest to its file.
public struct BackupManifest: Codable, Sendable, Equatable {
    public struct FileInfo: Codable, Sendable, Equatable {
        public var name: String
        public var bytes: Int64
        public var sha256: String
    }

    public struct Head: Codable, Sendable, Equatable {
        public var seq: Int64
        public var hash: String
    }

    /// Manifest format (1).
    public var format: Int
    /// `sqlite` or `postgres`.
    public var engine: String
    /// When the copy was taken (ISO 8601, UTC).
    public var createdAt: String
    /// The program that wrote it, e.g. `pantau 0.5.0`.
    public var producer: String
    /// The highest migration number applied in the copy.
    public var schemaMigration: Int
    /// Every migration number applied in the copy.
    public var migrations: [Int]
    /// Rows per table (every table of the Pantau schema).
    public var tables: [String: Int]
    public var auditHead: Head
    /// The id of the audit key configured when the backup was taken (never the key itself).
    public var auditKeyID: String?
    /// Whether the copy's audit chain was verified with that key when the backup was taken
    /// (SQLite; a PostgreSQL dump is verified when it is restored).
    public var auditVerified: Bool
    /// PostgreSQL: the schema dumped (nil: the whole database).
    public var schema: String?
    public var file: FileInfo

    enum CodingKeys: String, CodingKey {
        case format, engine, producer, migrations, tables, schema, file
        case createdAt = "created_at"
        case schemaMigration = "schema_migration"
        case auditHead = "audit_head"
        case auditKeyID = "audit_key_id"
        case auditVerified = "audit_verified"
    }

    /// The manifest path of a backup file.
    public static func path(for file: String) -> String { file + ".manifest.json" }

    public static func load(for file: String) throws(BackupError) -> BackupManifest? {
        let p = path(for: file)
        guard FileManager.default.fileExists(atPath: p) else { return nil }
        do {
            return try JSONDecoder().decode(BackupManifest.self, from: Data(contentsOf: URL(fileURLWithPath: p)))
        } catch {
            throw .manifestUnreadable(path: p, reason: "\(error)")
        }
    }

    /// The manifest file's bytes; an encoding failure throws (an empty manifest would make every
    /// restore check pass or fail for the wrong reason).
    func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try e.encode(self) + Data("\n".utf8)
    }
}

/// Why a backup or restore stopped. Each names the file or database and what to do.
public enum BackupError: Error, Sendable, Equatable, CustomStringConvertible {
    case sourceMissing(path: String)
    case notSQLite(path: String)
    case corrupt(path: String, reason: String)
    case notPantau(path: String)
    case schemaNewer(path: String, unknown: [Int], latestKnown: Int)
    case targetNotEmpty(target: String, summary: String)
    case targetInUse(target: String, detail: String)
    case manifestMissing(path: String)
    case manifestUnreadable(path: String, reason: String)
    case manifestMismatch(path: String, reason: String)
    case auditKeyMissing(detail: String)
    case auditKeyDiffers(manifest: String, configured: String)
    case auditFailed(String)
    case countsDiffer(rows: [RestoreReport.Row], restored: Bool)
    case toolMissing(tool: String, setting: String)
    case toolFailed(tool: String, status: Int32, message: String)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .sourceMissing(p):
            return "database \(p) not found: nothing to back up"
        case let .notSQLite(p):
            return "\(p) is not a SQLite database (wrong header): refused, nothing was changed"
        case let .corrupt(p, r):
            return "\(p) is damaged or incomplete (\(r)): refused, nothing was changed"
        case let .notPantau(p):
            return "\(p) is not a Pantau database (no schema_migrations table): refused, nothing was changed"
        case let .schemaNewer(p, unknown, latest):
            return "\(p) was written by a newer Pantau (migration \(unknown.map { String(format: "%03d", $0) }.joined(separator: ", ")) unknown; this program knows up to \(String(format: "%03d", latest))): upgrade Pantau first; nothing was changed"
        case let .targetNotEmpty(t, s):
            return "\(t) already holds data (\(s)): refused. `pantau restore FILE --force` replaces it with the backup (back it up first)"
        case let .targetInUse(t, d):
            return "\(t) is in use (\(d)): stop `pantau serve` first; nothing was changed"
        case let .manifestMissing(p):
            return "\(p) not found: without the manifest the restored counts cannot be checked; give --no-manifest to restore without that check"
        case let .manifestUnreadable(p, r):
            return "cannot read the manifest \(p): \(r)"
        case let .manifestMismatch(p, r):
            return "the manifest \(p) does not belong to this backup (\(r)): refused, nothing was changed"
        case let .auditKeyMissing(d):
            return "no audit key to verify the restored audit trail (the key is not in the backup): \(d)"
        case let .auditKeyDiffers(m, c):
            return "the configured audit key (id \(c)) is not the key of this backup (id \(m)): configure the backed-up database's key (PANTAU_AUDIT_KEY_FILE); nothing was changed"
        case let .auditFailed(m):
            return "the audit trail of the copy does not verify: \(m)"
        case let .countsDiffer(rows, restored):
            let bad = rows.filter { !$0.matches }
            let list = bad.map { "\($0.table): backup \($0.expected.map(String.init) ?? "-"), restored \($0.actual.map(String.init) ?? "-")" }
            return "row counts differ from the manifest in \(bad.count) table(s): \(list.joined(separator: "; "))"
                + (restored ? " (the database HAS been restored: check it before use)" : "; nothing was changed")
        case let .toolMissing(tool, setting):
            return "\(tool) not found in PATH: install the PostgreSQL client programs (the server's major version or newer) or set \(setting)"
        case let .toolFailed(tool, status, message):
            return "\(tool) failed (exit \(status)): \(message)"
        case let .io(p, r):
            return "\(p): \(r)"
        }
    }
}

/// What a restore did, and the comparison with the manifest.
public struct RestoreReport: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var table: String
        /// From the manifest (nil: not in it, or no manifest).
        public var expected: Int?
        /// In the restored database (nil: the table is missing there).
        public var actual: Int?
        public var matches: Bool { expected == actual }
    }

    public var manifest: BackupManifest?
    public var rows: [Row]
    public var counts: [String: Int]
    public var schemaMigration: Int
    public var head: BackupManifest.Head
    public var verification: AuditVerification
    /// Rows in the target before it was replaced (nil: it was new or empty).
    public var replaced: [String: Int]?
}

public struct BackupOptions: Sendable {
    /// Verifies the copy's audit trail and records the key id (without it, neither).
    public var auditKey: AuditKey?
    /// `pg_dump` to run (default: from PATH).
    public var pgDump: String?
    public var producer: String
    public var logger: Logger

    public init(auditKey: AuditKey? = nil, pgDump: String? = nil, producer: String = "pantau", logger: Logger = Logger(label: "pantau.backup")) {
        self.auditKey = auditKey
        self.pgDump = pgDump
        self.producer = producer
        self.logger = logger
    }
}

public struct RestoreOptions: Sendable {
    /// Replace a database that holds data (or, on PostgreSQL, has other sessions).
    public var force: Bool
    /// Refuse when `FILE.manifest.json` is missing (default).
    public var requireManifest: Bool
    /// The key of the backed-up chain (needed when it has keyed entries).
    public var auditKey: AuditKey?
    /// Says how to provide the key when it is missing (shown in the error).
    public var auditKeyHint: String
    public var pgRestore: String?
    public var logger: Logger

    public init(force: Bool = false, requireManifest: Bool = true, auditKey: AuditKey? = nil, auditKeyHint: String = "set PANTAU_AUDIT_KEY_FILE",
                pgRestore: String? = nil, logger: Logger = Logger(label: "pantau.restore")) {
        self.force = force
        self.requireManifest = requireManifest
        self.auditKey = auditKey
        self.auditKeyHint = auditKeyHint
        self.pgRestore = pgRestore
        self.logger = logger
    }
}

/// `pantau backup` and `pantau restore`: consistent copies of a running database, checked before
/// they replace anything.
///
/// - SQLite: `VACUUM INTO` a temporary file beside FILE (a read transaction: writers go on), then
///   `PRAGMA integrity_check`, the audit chain and the counts of the copy, then an atomic rename.
/// - PostgreSQL: `pg_dump --format=custom` of a snapshot exported by a `REPEATABLE READ`
///   transaction in which the manifest's counts are read, so they describe exactly the dump.
public enum Backup {
    // MARK: backup

    @discardableResult
    public static func backup(_ location: DatabaseLocation, to file: String, options: BackupOptions = BackupOptions()) async throws -> BackupManifest {
        switch location {
        case let .sqlite(path): return try await backupSQLite(path: path, to: file, options: options)
        case let .postgres(url): return try await backupPostgres(url: url, to: file, options: options)
        }
    }

    static func backupSQLite(path: String, to file: String, options: BackupOptions) async throws -> BackupManifest {
        guard FileManager.default.fileExists(atPath: path) else { throw BackupError.sourceMissing(path: path) }
        if sameFile(file, path) { throw BackupError.io(path: file, reason: "this is the database itself: write the backup to another file") }
        let tmp = temporaryPath(beside: file)
        do {
            let src = try await SQLiteConnection.open(storage: .file(path: path), logger: options.logger)
            do {
                _ = try await src.query("PRAGMA busy_timeout=10000")
                guard hasSQLiteHeader(path) else { throw BackupError.notSQLite(path: path) }
                let pantau = try await src.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
                guard !pantau.isEmpty else { throw BackupError.notPantau(path: path) }
                // A read transaction on the source: writers carry on, the copy is one consistent state.
                do { _ = try await src.query("VACUUM INTO ?", [.text(tmp)]) } catch {
                    throw BackupError.io(path: file, reason: "writing the copy failed (\(error)); nothing was written")
                }
                try await src.close()
            } catch {
                try? await src.close()
                throw error
            }
            let verification = try await verifyAuditTrail(.sqlite(path: tmp), key: options.auditKey, logger: options.logger)
            if let v = verification, !v.ok { throw BackupError.auditFailed(v.description) }
            // A newer schema is copied as it is (restore is where the program must know it).
            let snap = try await checkedSQLiteCopy(tmp, label: file, singleFile: true, knownSchema: false, logger: options.logger)
            try fsyncFile(tmp)
            let m = try manifest(engine: .sqlite, snapshot: snap, file: file, data: tmp, schema: nil,
                                 keyID: verification == nil ? nil : options.auditKey?.id, producer: options.producer)
            try install(tmp, at: file, manifest: m)
            return m
        } catch {
            removeSQLiteFiles(tmp)
            throw error
        }
    }

    static func backupPostgres(url: String, to file: String, options: BackupOptions) async throws -> BackupManifest {
        let pgDump = try tool("pg_dump", explicit: options.pgDump, setting: "PANTAU_PG_DUMP")
        let conn = try LibpqTarget(url: url)
        let tmp = temporaryPath(beside: file)
        let db = try await Database.open(.postgres(url: url), logger: options.logger)
        do {
            // One connection: a REPEATABLE READ snapshot, exported to pg_dump, counted here.
            let snap: Snapshot = try await db.read { sql in
                try await sql.raw("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").run()
                do {
                    guard let id = try await sql.raw("SELECT pg_export_snapshot() AS s").first()?.decode(column: "s", as: String.self) else {
                        throw BackupError.toolFailed(tool: "pg_export_snapshot", status: 1, message: "no snapshot")
                    }
                    let snap = try await inspect(sql, kind: .postgres, path: conn.display)
                    var args = ["--format=custom", "--snapshot=\(id)", "--file=\(tmp)", "--dbname=\(conn.uri)"]
                    if let s = conn.schema { args.append("--schema=\(s)") }
                    let r = try await runTool(pgDump, args, env: conn.env)
                    guard r.status == 0 else { throw BackupError.toolFailed(tool: "pg_dump", status: r.status, message: r.message) }
                    try await sql.raw("COMMIT").run()
                    return snap
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
            }
            await db.shutdown()
            let list = try await runTool(try tool("pg_restore", explicit: nil, setting: "PANTAU_PG_RESTORE"), ["--list", tmp], env: [:])
            guard list.status == 0 else { throw BackupError.corrupt(path: tmp, reason: "pg_restore --list: \(list.message)") }
            try fsyncFile(tmp)
            // The chain is not walked here: the live database moves on while it would be read (the
            // restore verifies the chain of the dump). The key id is the configured key's.
            var m = try manifest(engine: .postgres, snapshot: snap, file: file, data: tmp, schema: conn.schema, keyID: options.auditKey?.id,
                                 producer: options.producer)
            m.auditVerified = false
            try install(tmp, at: file, manifest: m)
            return m
        } catch {
            await db.shutdown()
            unlink(tmp)
            throw error
        }
    }

    // MARK: restore

    public static func restore(_ file: String, into location: DatabaseLocation, options: RestoreOptions = RestoreOptions()) async throws -> RestoreReport {
        guard FileManager.default.fileExists(atPath: file) else { throw BackupError.sourceMissing(path: file) }
        let manifest = try BackupManifest.load(for: file)
        if manifest == nil, options.requireManifest { throw BackupError.manifestMissing(path: BackupManifest.path(for: file)) }
        if let m = manifest {
            if m.engine != location.kind.rawValue {
                throw BackupError.manifestMismatch(path: BackupManifest.path(for: file), reason: "a \(m.engine) backup cannot be restored into \(location.kind.rawValue)")
            }
            let sha = try sha256(file)
            if sha != m.file.sha256 {
                throw BackupError.manifestMismatch(path: BackupManifest.path(for: file), reason: "SHA-256 of \(file) is \(sha.prefix(16))…, the manifest says \(m.file.sha256.prefix(16))…: the file was changed or damaged")
            }
            if let mk = m.auditKeyID, let k = options.auditKey, k.id != mk { throw BackupError.auditKeyDiffers(manifest: mk, configured: k.id) }
        }
        switch location {
        case let .sqlite(path): return try await restoreSQLite(file, into: path, manifest: manifest, options: options)
        case let .postgres(url): return try await restorePostgres(file, into: url, manifest: manifest, options: options)
        }
    }

    static func restoreSQLite(_ file: String, into target: String, manifest: BackupManifest?, options: RestoreOptions) async throws -> RestoreReport {
        guard hasSQLiteHeader(file) else { throw BackupError.notSQLite(path: file) }
        if sameFile(file, target) { throw BackupError.io(path: file, reason: "this is the target database itself: nothing to restore") }
        let before = try await sqliteTargetContents(target, logger: options.logger)
        if let before, !options.force { throw BackupError.targetNotEmpty(target: target, summary: summary(before)) }
        let tmp = temporaryPath(beside: target)
        do {
            do { try FileManager.default.copyItem(atPath: file, toPath: tmp) } catch {
                throw BackupError.io(path: tmp, reason: "cannot copy the backup: \((error as NSError).localizedDescription)")
            }
            var snap = try await checkedSQLiteCopy(tmp, label: file, singleFile: false, logger: options.logger)
            let verification = try await verifyRestored(.sqlite(path: tmp), options: options, label: file)
            // Back to one file (the server switches it to WAL again when it opens it).
            snap = try await checkedSQLiteCopy(tmp, label: file, singleFile: true, quick: true, logger: options.logger)
            let report = try compare(snap, manifest: manifest, verification: verification, replaced: before, restored: false)
            try fsyncFile(tmp)
            try await replaceSQLite(target, with: tmp, logger: options.logger)
            return report
        } catch {
            removeSQLiteFiles(tmp)
            throw error
        }
    }

    static func restorePostgres(_ file: String, into url: String, manifest: BackupManifest?, options: RestoreOptions) async throws -> RestoreReport {
        let pgRestore = try tool("pg_restore", explicit: options.pgRestore, setting: "PANTAU_PG_RESTORE")
        let conn = try LibpqTarget(url: url)
        if let m = manifest, m.schema != conn.schema {
            // pg_restore recreates the schema under the name it was dumped with.
            throw BackupError.manifestMismatch(path: BackupManifest.path(for: file),
                                               reason: "the dump holds \(m.schema.map { "schema \($0)" } ?? "the whole database"), the target URL names \(conn.schema.map { "search_path=\($0)" } ?? "no search_path"): restore with the same search_path")
        }
        let list = try await runTool(pgRestore, ["--list", file], env: [:])
        guard list.status == 0 else { throw BackupError.corrupt(path: file, reason: "not a readable pg_dump custom-format archive: \(list.message)") }
        // The migrations in the archive, before anything is touched.
        let data = try await runTool(pgRestore, ["--data-only", "--table=schema_migrations", "--file=-", file], env: [:])
        guard data.status == 0 else { throw BackupError.corrupt(path: file, reason: data.message) }
        let applied = copyRows(String(decoding: data.stdout, as: UTF8.self), table: "schema_migrations").compactMap { Int($0.first ?? "") }
        guard !applied.isEmpty else { throw BackupError.notPantau(path: file) }
        try checkKnown(applied, path: file)

        let logger = options.logger
        let db = try await Database.open(.postgres(url: url), logger: logger)
        let before: [String: Int]?
        do {
            let (contents, others) = try await db.read { sql -> ([String: Int]?, Int) in
                let others = try await sql.raw("""
                    SELECT COUNT(*) AS n FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                    """).first()?.decode(column: "n", as: Int.self) ?? 0
                let snap = try? await inspect(sql, kind: .postgres, path: conn.display)
                return (snap.flatMap(holdsData), others)
            }
            await db.shutdown()
            before = contents
            if !options.force {
                if let contents { throw BackupError.targetNotEmpty(target: conn.display, summary: summary(contents)) }
                if others > 0 {
                    throw BackupError.targetInUse(target: conn.display, detail: "\(others) other session(s) connected; --force restores anyway")
                }
            }
        } catch {
            await db.shutdown()
            throw error
        }
        let r = try await runTool(pgRestore, ["--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-privileges",
                                              "--dbname=\(conn.uri)", file], env: conn.env)
        guard r.status == 0 else {
            throw BackupError.toolFailed(tool: "pg_restore", status: r.status, message: r.message + " (one transaction: the database is unchanged)")
        }
        let verification = try await verifyRestored(.postgres(url: url), options: options, label: conn.display)
        let restored = try await Database.open(.postgres(url: url), logger: logger)
        let snap: Snapshot
        do {
            snap = try await restored.read { sql in try await inspect(sql, kind: .postgres, path: conn.display) }
            await restored.shutdown()
        } catch {
            await restored.shutdown()
            throw error
        }
        return try compare(snap, manifest: manifest, verification: verification, replaced: before, restored: true)
    }

    // MARK: checks

    /// The contents of a database: its tables' row counts, migrations and audit head.
    struct Snapshot: Sendable {
        var tables: [String: Int]
        var migrations: [Int]
        var head: BackupManifest.Head
    }

    static func inspect(_ sql: any SQLDatabase, kind: DatabaseKind, path: String) async throws -> Snapshot {
        let names: [String]
        switch kind {
        case .sqlite:
            names = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
                .all().map { try $0.decode(column: "name", as: String.self) }
        case .postgres:
            names = try await sql.raw("""
                SELECT table_name AS name FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name
                """).all().map { try $0.decode(column: "name", as: String.self) }
        }
        guard names.contains("schema_migrations") else { throw BackupError.notPantau(path: path) }
        var tables: [String: Int] = [:]
        for n in names {
            let q = "\"" + n.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            tables[n] = try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: q)").first()?.decode(column: "n", as: Int.self) ?? 0
        }
        let migrations = try await sql.raw("SELECT version FROM schema_migrations ORDER BY version").all().map { try $0.decode(column: "version", as: Int.self) }
        var head = BackupManifest.Head(seq: 0, hash: AuditChain.genesisHash)
        if names.contains("audit_head"), let h = try await sql.raw("SELECT seq, hash FROM audit_head WHERE id = 1").first() {
            head = BackupManifest.Head(seq: try h.decode(column: "seq", as: Int64.self), hash: try h.decode(column: "hash", as: String.self))
        }
        return Snapshot(tables: tables, migrations: migrations, head: head)
    }

    /// Counts of the tables that hold data (nil when there is none: only the bookkeeping of an
    /// empty, migrated database).
    static func holdsData(_ s: Snapshot) -> [String: Int]? {
        let data = s.tables.filter { $0.value > 0 && $0.key != "schema_migrations" && $0.key != "audit_head" }
        return data.isEmpty && s.head.seq == 0 ? nil : data
    }

    static func summary(_ counts: [String: Int]) -> String {
        if counts.isEmpty { return "not a Pantau database" }
        let top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(6)
        let total = counts.values.reduce(0, +)
        return "\(total) rows in \(counts.count) tables: " + top.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + (counts.count > 6 ? ", …" : "")
    }

    static func checkKnown(_ applied: [Int], path: String) throws {
        let known = Set(allMigrations.map(\.number))
        let unknown = applied.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty { throw BackupError.schemaNewer(path: path, unknown: unknown, latestKnown: known.max() ?? 0) }
    }

    /// Opens a SQLite copy on its own connection and checks it: integrity (or, with `quick`, a
    /// quick check), a Pantau schema (with `knownSchema`, one this program knows), and its contents. With `singleFile` it
    /// leaves the copy in rollback-journal mode, one self-contained file.
    static func checkedSQLiteCopy(_ path: String, label: String, singleFile: Bool, quick: Bool = false, knownSchema: Bool = true, logger: Logger) async throws -> Snapshot {
        let conn: SQLiteConnection
        do { conn = try await SQLiteConnection.open(storage: .file(path: path), logger: logger) } catch {
            throw BackupError.corrupt(path: label, reason: "\(error)")
        }
        do {
            let check: [String]
            do {
                if singleFile {
                    _ = try await conn.query("PRAGMA wal_checkpoint(TRUNCATE)")
                    _ = try await conn.query("PRAGMA journal_mode=DELETE")
                }
                check = try await conn.query(quick ? "PRAGMA quick_check" : "PRAGMA integrity_check").compactMap { $0.columns.first?.data.string }
            } catch {
                throw BackupError.corrupt(path: label, reason: "\(error)")
            }
            guard check == ["ok"] else { throw BackupError.corrupt(path: label, reason: "integrity_check: " + check.prefix(3).joined(separator: "; ")) }
            let snap: Snapshot
            do { snap = try await inspect(conn.sql(), kind: .sqlite, path: label) } catch let e as BackupError { throw e } catch {
                throw BackupError.corrupt(path: label, reason: "\(error)")
            }
            if knownSchema { try checkKnown(snap.migrations, path: label) }
            try await conn.close()
            return snap
        } catch {
            try? await conn.close()
            throw error
        }
    }

    /// The audit check of `pantau audit verify`, on a database not opened by a server (nil
    /// without a key, when the chain has keyed entries).
    static func verifyAuditTrail(_ location: DatabaseLocation, key: AuditKey?, logger: Logger) async throws -> AuditVerification? {
        let db = try await Database.open(location, logger: logger)
        do {
            let v = try await PantauStore(database: db, auditKey: key).verifyAudit()
            await db.shutdown()
            return v
        } catch AuditKeyError.notConfigured {
            await db.shutdown()
            return nil
        } catch {
            await db.shutdown()
            throw error
        }
    }

    static func verifyRestored(_ location: DatabaseLocation, options: RestoreOptions, label: String) async throws -> AuditVerification {
        guard let v = try await verifyAuditTrail(location, key: options.auditKey, logger: options.logger) else {
            throw BackupError.auditKeyMissing(detail: options.auditKeyHint)
        }
        guard v.ok else { throw BackupError.auditFailed(v.description) }
        return v
    }

    static func compare(_ s: Snapshot, manifest: BackupManifest?, verification: AuditVerification, replaced: [String: Int]?, restored: Bool) throws -> RestoreReport {
        var rows: [RestoreReport.Row] = []
        var names = Set(s.tables.keys)
        if let m = manifest { names.formUnion(m.tables.keys) }
        for n in names.sorted() { rows.append(RestoreReport.Row(table: n, expected: manifest?.tables[n], actual: s.tables[n])) }
        let report = RestoreReport(manifest: manifest, rows: rows, counts: s.tables, schemaMigration: s.migrations.max() ?? 0,
                                   head: s.head, verification: verification, replaced: replaced)
        if let m = manifest {
            if rows.contains(where: { !$0.matches }) { throw BackupError.countsDiffer(rows: rows, restored: restored) }
            if m.auditHead != s.head {
                throw BackupError.auditFailed("the audit head is #\(s.head.seq) \(s.head.hash.prefix(12))…, the manifest says #\(m.auditHead.seq) \(m.auditHead.hash.prefix(12))…")
            }
            if m.migrations != s.migrations {
                throw BackupError.manifestMismatch(path: m.file.name, reason: "migrations \(s.migrations) in the file, \(m.migrations) in the manifest")
            }
        }
        return report
    }

    // MARK: SQLite files

    static func hasSQLiteHeader(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let head = (try? h.read(upToCount: 16)) ?? Data()
        return head == Data("SQLite format 3\0".utf8)
    }

    /// What the target holds: nil when it does not exist, is empty or is a migrated database
    /// without data; otherwise counts (empty for a file that is not a Pantau database).
    static func sqliteTargetContents(_ path: String, logger: Logger) async throws -> [String: Int]? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        if st.st_size == 0 { return nil }
        guard hasSQLiteHeader(path) else { return [:] }
        let conn = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        do {
            _ = try await conn.query("PRAGMA busy_timeout=5000")
            _ = try await conn.query("PRAGMA query_only=ON")
            let snap = try await inspect(conn.sql(), kind: .sqlite, path: path)
            try await conn.close()
            return holdsData(snap)
        } catch {
            try? await conn.close()
            return [:]
        }
    }

    /// Puts `tmp` in place of `target`, after making sure no other process has the target open:
    /// switching it out of WAL mode needs an exclusive lock, which any open connection prevents
    /// (SQLite keeps a shared lock on a WAL database while a connection is open).
    static func replaceSQLite(_ target: String, with tmp: String, logger: Logger) async throws {
        var lock: SQLiteConnection?
        var st = stat()
        if stat(target, &st) == 0, st.st_size > 0 {
            let c = try await SQLiteConnection.open(storage: .file(path: target), logger: logger)
            lock = c
            do {
                _ = try await c.query("PRAGMA busy_timeout=2000")
                let mode = try await c.query("PRAGMA journal_mode=DELETE").first?.columns.first?.data.string ?? ""
                guard mode.lowercased() == "delete" else { throw BackupError.targetInUse(target: target, detail: "another connection keeps it in \(mode) mode") }
                _ = try await c.query("BEGIN EXCLUSIVE")
            } catch let e as BackupError {
                try? await c.close()
                throw e
            } catch {
                try? await c.close()
                throw BackupError.targetInUse(target: target, detail: "\(error)")
            }
        }
        // A WAL or journal left beside the old file would be applied to the new one.
        for s in ["-wal", "-shm", "-journal"] { unlink(target + s) }
        let ok = rename(tmp, target) == 0
        let err = errno
        if let lock {
            _ = try? await lock.query("ROLLBACK")
            try? await lock.close()
        }
        guard ok else { throw BackupError.io(path: target, reason: "cannot rename the restored copy into place: \(String(cString: strerror(err)))") }
        fsyncDirectory(of: target)
    }

    /// Whether two paths name the same existing file (device and inode).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    static func removeSQLiteFiles(_ path: String) {
        for s in ["", "-wal", "-shm", "-journal"] { unlink(path + s) }
    }

    // MARK: files

    static func temporaryPath(beside file: String) -> String {
        let url = URL(fileURLWithPath: file)
        let dir = url.deletingLastPathComponent().path
        return dir + "/." + url.lastPathComponent + ".tmp-" + UUID().uuidString.prefix(8).lowercased()
    }

    static func manifest(engine: DatabaseKind, snapshot s: Snapshot, file: String, data: String, schema: String?, keyID: String?, producer: String) throws -> BackupManifest {
        var st = stat()
        guard stat(data, &st) == 0 else { throw BackupError.io(path: data, reason: String(cString: strerror(errno))) }
        let f = ISO8601DateFormatter()
        return BackupManifest(format: 1, engine: engine.rawValue, createdAt: f.string(from: Date()), producer: producer,
                              schemaMigration: s.migrations.max() ?? 0, migrations: s.migrations, tables: s.tables, auditHead: s.head,
                              auditKeyID: keyID, auditVerified: keyID != nil, schema: schema,
                              file: .init(name: URL(fileURLWithPath: file).lastPathComponent, bytes: Int64(st.st_size), sha256: try sha256(data)))
    }

    /// Writes the manifest to a temporary file, then renames the data and the manifest into place.
    static func install(_ tmp: String, at file: String, manifest m: BackupManifest) throws {
        let mPath = BackupManifest.path(for: file)
        let mTmp = temporaryPath(beside: mPath)
        do {
            try writeFully(try m.encoded(), to: mTmp)
            guard rename(tmp, file) == 0 else { throw BackupError.io(path: file, reason: "cannot rename the copy into place: \(String(cString: strerror(errno)))") }
            guard rename(mTmp, mPath) == 0 else { throw BackupError.io(path: mPath, reason: String(cString: strerror(errno))) }
            fsyncDirectory(of: file)
        } catch {
            unlink(mTmp)
            throw error
        }
    }

    /// Writes and fsyncs, reporting a full disk or any short write as an error.
    static func writeFully(_ data: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BackupError.io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written != data.count { throw BackupError.io(path: path, reason: written < 0 ? String(cString: strerror(errno)) : "short write") }
        if fsync(fd) != 0 { throw BackupError.io(path: path, reason: String(cString: strerror(errno))) }
    }

    static func fsyncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw BackupError.io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw BackupError.io(path: path, reason: "fsync: \(String(cString: strerror(errno)))") }
    }

    static func fsyncDirectory(of path: String) {
        let fd = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }

    public static func sha256(_ path: String) throws -> String {
        guard let h = FileHandle(forReadingAtPath: path) else { throw BackupError.io(path: path, reason: "cannot read") }
        defer { try? h.close() }
        var d = SHA256()
        while true {
            let chunk: Data
            do { chunk = try h.read(upToCount: 1 << 20) ?? Data() } catch { throw BackupError.io(path: path, reason: "\(error)") }
            if chunk.isEmpty { break }
            d.update(data: chunk)
        }
        return hex(d.finalize())
    }

    // MARK: PostgreSQL tools

    /// A Pantau PostgreSQL URL as libpq understands it: the password goes to `PGPASSWORD`, the
    /// `search_path` becomes the schema to dump.
    struct LibpqTarget {
        var uri: String
        var env: [String: String]
        var schema: String?
        var display: String

        init(url: String) throws {
            guard var c = URLComponents(string: url), c.host != nil else { throw DatabaseError.badURL(DatabaseLocation.postgres(url: url).description) }
            display = DatabaseLocation.postgres(url: url).description
            env = [:]
            if let p = c.password { env["PGPASSWORD"] = p.removingPercentEncoding ?? p }
            c.password = nil
            c.scheme = "postgresql"
            let items = c.queryItems ?? []
            schema = items.first { $0.name == "search_path" }?.value
            var keep: [URLQueryItem] = []
            for i in items {
                switch i.name.lowercased() {
                case "sslmode", "tlsmode": keep.append(URLQueryItem(name: "sslmode", value: i.value == "true" ? "prefer" : i.value))
                case "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name": keep.append(i)
                default: break
                }
            }
            c.queryItems = keep.isEmpty ? nil : keep
            uri = c.string ?? url
        }
    }

    static func tool(_ name: String, explicit: String?, setting: String) throws -> String {
        let fm = FileManager.default
        let env = ProcessInfo.processInfo.environment
        if let p = explicit ?? env[setting].flatMap({ $0.isEmpty ? nil : $0 }) {
            if p.contains("/") {
                guard fm.isExecutableFile(atPath: p) else { throw BackupError.toolMissing(tool: p, setting: setting) }
                return p
            }
            return try tool(p, explicit: nil, setting: "")
        }
        for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") where fm.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        throw BackupError.toolMissing(tool: name, setting: setting.isEmpty ? "PANTAU_PG_DUMP / PANTAU_PG_RESTORE" : setting)
    }

    struct ToolResult {
        var status: Int32
        var stdout: Data
        var stderr: String
        var message: String {
            let lines = stderr.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            return lines.isEmpty ? "no message" : lines.suffix(6).joined(separator: " | ")
        }
    }

    /// Runs a program to completion; its output goes to temporary files (no pipe to fill up).
    static func runTool(_ path: String, _ args: [String], env extra: [String: String]) async throws -> ToolResult {
        let dir = FileManager.default.temporaryDirectory.path
        let id = UUID().uuidString
        let outPath = "\(dir)/pantau-tool-\(id).out", errPath = "\(dir)/pantau-tool-\(id).err"
        FileManager.default.createFile(atPath: outPath, contents: nil, attributes: [.posixPermissions: 0o600])
        FileManager.default.createFile(atPath: errPath, contents: nil, attributes: [.posixPermissions: 0o600])
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw BackupError.io(path: dir, reason: "cannot create temporary files")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { c in
            p.terminationHandler = { p in c.resume(returning: p.terminationStatus) }
            do { try ProcessLaunch.run(p) } catch {
                p.terminationHandler = nil
                c.resume(throwing: BackupError.toolFailed(tool: path, status: -1, message: "\(error)"))
            }
        }
        try? out.close()
        try? err.close()
        let o = (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()
        let e = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return ToolResult(status: status, stdout: o, stderr: e)
    }

    /// The rows of `COPY table (...) FROM stdin;` in a SQL script written by pg_restore.
    static func copyRows(_ script: String, table: String) -> [[String]] {
        var rows: [[String]] = []
        var inside = false
        for line in script.split(separator: "\n", omittingEmptySubsequences: false) {
            if inside {
                if line == "\\." { inside = false; continue }
                rows.append(line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init))
            } else if line.hasPrefix("COPY "), line.contains("\(table) ") || line.contains("\(table)\" "), line.hasSuffix("FROM stdin;") {
                inside = true
            }
        }
        return rows
    }
}
