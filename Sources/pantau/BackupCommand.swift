import ArgumentParser
import Foundation
import Logging
import PantauStore
import PantauWeb

/// The audit key configured for a database, without creating one: `PANTAU_AUDIT_KEY_FILE`,
/// `PANTAU_AUDIT_KEY`, or on SQLite an existing `<database>.audit-key`. Nil when there is none.
private func configuredAuditKey(_ c: AppConfig) throws -> AuditKey? {
    let file = c.auditKeyFile.flatMap { $0.isEmpty ? nil : $0 }
    let secret = c.auditKey.flatMap { $0.isEmpty ? nil : $0 }
    if file != nil || secret != nil {
        return try AuditKey.resolve(file: file, secret: secret, database: c.database).key
    }
    if case let .sqlite(path) = c.database, FileManager.default.fileExists(atPath: path + ".audit-key") {
        return try AuditKey.load(file: path + ".audit-key")
    }
    return nil
}

private func quietLogger() -> Logger {
    var l = Logger(label: "pantau")
    l.logLevel = .error
    return l
}

private func rows(_ counts: [String: Int]) -> Int { counts.values.reduce(0, +) }

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the database to FILE while the server runs, with FILE.manifest.json.",
        discussion: """
            SQLite: VACUUM INTO a temporary file beside FILE, integrity check, audit check, then an atomic rename.
            PostgreSQL: pg_dump --format=custom of one snapshot (pg_dump from PATH, or PANTAU_PG_DUMP).
            The manifest holds the row count of every table, the schema migration and the audit head, read
            from the copy itself; `pantau restore` compares the restored database with it. The audit key is
            NOT in the backup: keep a copy of it separately (docs/operations.md).
            """)

    @OptionGroup var db: DatabaseOptions
    @Argument(help: "The backup file to write (replaced atomically if it exists).") var file: String

    func run() async throws {
        let c = try db.config()
        let key = try configuredAuditKey(c)
        let started = Date()
        let m: BackupManifest
        do {
            m = try await Backup.backup(c.database, to: file,
                                        options: BackupOptions(auditKey: key, pgDump: nil, producer: "pantau \(PantauVersion.string)", logger: quietLogger()))
        } catch let e as BackupError {
            throw CLIError("pantau backup: \(e.description)")
        }
        say("backup written: \(file) (\(m.file.bytes) bytes, sha256 \(m.file.sha256.prefix(16))…, \(String(format: "%.2f", Date().timeIntervalSince(started))) s)")
        say("manifest: \(BackupManifest.path(for: file))")
        say("engine \(m.engine)\(m.schema.map { ", schema \($0)" } ?? ""), schema migration \(m.schemaMigration), \(rows(m.tables)) rows in \(m.tables.count) tables, audit head #\(m.auditHead.seq) \(m.auditHead.hash.prefix(16))…")
        switch (m.auditKeyID, m.auditVerified) {
        case let (id?, true): say("audit trail of the copy verified with key \(id); the key is not in the backup: keep it separately")
        case let (id?, false): say("audit key \(id) recorded (the chain of the dump is verified when it is restored); the key is not in the backup: keep it separately")
        default: say("audit trail not verified: no audit key configured (the key is not in the backup either)")
        }
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup written by `pantau backup` into the configured database, after checking it.",
        discussion: """
            Refuses a database that already holds data unless --force (it says what is there). Checks FILE first
            (SQLite: header, integrity, a Pantau schema not newer than this program; PostgreSQL: pg_restore --list)
            and leaves the target untouched when it is damaged or foreign. Then runs the check of
            `pantau audit verify` and compares every table's row count with FILE.manifest.json, printing both.
            Stop `pantau serve` first: a SQLite database open in another process is refused.
            The audit key of the backed-up database must be configured (PANTAU_AUDIT_KEY_FILE / PANTAU_AUDIT_KEY,
            or on SQLite the file <database>.audit-key beside the target).
            """)

    @OptionGroup var db: DatabaseOptions
    @Argument(help: "The backup file.") var file: String
    @Flag(help: "Replace a database that already holds data (or, on PostgreSQL, has other sessions).") var force = false
    @Flag(name: .customLong("no-manifest"), help: "Restore without FILE.manifest.json (the counts cannot be compared).") var noManifest = false

    func run() async throws {
        let c = try db.config()
        let key = try configuredAuditKey(c)
        let hint: String
        switch c.database {
        case let .sqlite(path):
            hint = "copy the key file of the backed-up database to \(path).audit-key (mode 0600), or set PANTAU_AUDIT_KEY_FILE"
        case .postgres:
            hint = "set PANTAU_AUDIT_KEY_FILE or PANTAU_AUDIT_KEY to the key of the backed-up database"
        }
        let started = Date()
        let r: RestoreReport
        do {
            r = try await Backup.restore(file, into: c.database,
                                         options: RestoreOptions(force: force, requireManifest: !noManifest, auditKey: key,
                                                                 auditKeyHint: hint, pgRestore: nil, logger: quietLogger()))
        } catch let BackupError.countsDiffer(rows, restored) {
            printTable(rows)
            throw CLIError("pantau restore: FAILED: " + BackupError.countsDiffer(rows: rows, restored: restored).description)
        } catch let e as BackupError {
            throw CLIError("pantau restore: \(e.description)")
        }
        printTable(r.rows)
        if let before = r.replaced {
            say("replaced: the previous contents of \(c.database) (\(rows(before)) rows)")
        }
        say("restored \(file) into \(c.database) in \(String(format: "%.2f", Date().timeIntervalSince(started))) s: schema migration \(r.schemaMigration), audit head #\(r.head.seq) \(r.head.hash.prefix(16))…")
        say("audit: " + r.verification.description)
        if case let .sqlite(path) = c.database, c.auditKeyFile == nil || c.auditKeyFile?.isEmpty == true,
           !FileManager.default.fileExists(atPath: path + ".audit-key") {
            say("note: no key file beside \(path): copy the backed-up database's key to \(path).audit-key (mode 0600) before `pantau serve`, which would otherwise refuse to start")
        }
        if r.manifest != nil {
            say("counts: every one of \(r.rows.count) tables matches the manifest (\(rows(r.counts)) rows)")
        } else {
            say("counts: not compared (--no-manifest)")
        }
    }

    private func printTable(_ rows: [RestoreReport.Row]) {
        let w = max(5, rows.map(\.table.count).max() ?? 5)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        func num(_ v: Int?) -> String { let s = v.map(String.init) ?? "-"; return String(repeating: " ", count: max(0, 10 - s.count)) + s }
        say(pad("table", w) + "     backup   restored")
        for r in rows {
            say(pad(r.table, w) + " " + num(r.expected) + " " + num(r.actual) + (r.matches || r.expected == nil && rows.allSatisfy({ $0.expected == nil }) ? "" : "   <-- DIFFERS"))
        }
    }
}
