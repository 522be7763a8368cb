import ArgumentParser
import Foundation
import Logging
import PantauCore
import PantauReports
import PantauStore
import PantauWeb

@main
struct Pantau: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pantau",
        abstract: "Pantau: pemantauan dan evaluasi pelaksanaan SOP (PermenPANRB 35/2012).",
        discussion: "Settings come from PANTAU_* environment variables (see README); options below override them.",
        version: PantauVersion.string,
        subcommands: [Serve.self, Migrate.self, UserCommand.self, TokenCommand.self, SOPCommand.self, Demo.self, AuditCommand.self, Analyze.self, Conformance.self, EventsCommand.self, BackupCommand.self, RestoreCommand.self],
        defaultSubcommand: Serve.self)
}

/// This build's version, printed by `pantau --version`.
enum PantauVersion {
    static let string = "0.5.0"
}

/// Options shared by commands that open the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database"), help: "Database: a SQLite file path or postgres://… URL (default: PANTAU_DATABASE_URL or pantau.sqlite).")
    var database: String?

    func config(_ extra: [String: String] = [:]) throws -> AppConfig {
        var o = extra
        if let database { o["PANTAU_DATABASE_URL"] = database }
        return try AppConfig.fromEnvironment(overrides: o)
    }

    /// Opens the store with the audit key; migrates SQLite automatically (PostgreSQL needs
    /// `pantau migrate`).
    func openStore(migrate: Bool? = nil) async throws -> PantauStore {
        let c = try config()
        var logger = Logger(label: "pantau")
        logger.logLevel = .warning
        let key = try AuditKey.resolve(file: c.auditKeyFile, secret: c.auditKey, database: c.database)
        let store = try await PantauStore.open(c.database, migrate: migrate ?? (c.database.kind == .sqlite), auditKey: key.key,
                                               newKeyFile: key.createdFile, logger: logger)
        let pending = try await Migrator(database: store.database).pending()
        if !pending.isEmpty {
            await store.shutdown()
            throw CLIError(MigrationError.schemaBehind(pending: pending.map(\.number)).description)
        }
        return store
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func withStore<T>(_ db: DatabaseOptions, migrate: Bool? = nil, _ body: (PantauStore) async throws -> T) async throws -> T {
    let store = try await db.openStore(migrate: migrate)
    do {
        let r = try await body(store)
        await store.shutdown()
        return r
    } catch {
        await store.shutdown()
        throw error
    }
}

func printErr(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the web server (SQLite migrates itself).")

    @OptionGroup var db: DatabaseOptions
    @Option(help: "Address to listen on (default 127.0.0.1, or PANTAU_HOST).") var host: String?
    @Option(help: "Port (default 8080, or PANTAU_PORT).") var port: Int?
    @Flag(help: "Load the demo agency (city government with three SOPs) into the database.") var demo = false

    func run() async throws {
        var o: [String: String] = [:]
        if let host { o["PANTAU_HOST"] = host }
        if let port { o["PANTAU_PORT"] = String(port) }
        if demo { o["PANTAU_DEMO"] = "true" }
        let config = try db.config(o)
        // Once per process, before any logger is made: text (default) or JSON lines (PANTAU_LOG_FORMAT).
        config.logFormat.bootstrap()
        let started = Date()
        let built = try await buildApplication(config: config)
        if let pw = built.bootstrapPassword {
            say("""
            ============================================================
             Admin pertama dibuat / first admin created
               nama pengguna / user name : admin
               kata sandi sekali pakai   : \(pw)
             Ganti saat masuk pertama. Shown once; change it at first sign-in.
            ============================================================
            """)
        }
        say("Pantau siap di / ready at http://\(config.host):\(config.port)  (database: \(config.database), start-up \(String(format: "%.2f", Date().timeIntervalSince(started))) s)")
        try await built.application.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")
    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let c = try db.config()
        var logger = Logger(label: "pantau")
        logger.logLevel = .warning
        let database = try await Database.open(c.database, logger: logger)
        do {
            let ran = try await Migrator(database: database).migrate()
            if ran.isEmpty { say("Database up to date (\(allMigrations.count) migrations).") }
            for m in ran { say(String(format: "applied %03d %@", m.number, m.name)) }
            await database.shutdown()
        } catch {
            await database.shutdown()
            throw error
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage user accounts.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user. Prints a one-time password unless --password is given.")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "Login name.") var username: String
        @Option(help: "Full name.") var name: String
        @Option(help: "Role: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).") var role: String
        @Option(help: "Unit code (the user's scope); required except for admin and auditor.") var unit: String?
        @Option(help: "Password (at least 10 characters); otherwise a one-time password is generated.") var password: String?

        func run() async throws {
            guard let r = Role(rawValue: role) else { throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))") }
            if let p = password, let problem = PasswordTools.problem(p, username: username) { throw ValidationError("--password: \(problem)") }
            try await withStore(db) { store in
                var unitID: Int64?
                if let code = unit {
                    guard let u = try await store.unit(code: code) else { throw CLIError("unknown unit code '\(code)'") }
                    unitID = u.id
                }
                let pw = password ?? PasswordTools.oneTimePassword()
                let u = try await store.createUser(UserInput(username: username, displayName: name, role: r, unitID: unitID),
                                                   passwordHash: PasswordTools.hash(pw), mustChangePassword: password == nil, by: .cli)
                say("created user \(u.username) (id \(u.id), role \(u.role.rawValue))")
                if password == nil { say("one-time password: \(pw)") }
            }
        }
    }
}

struct SOPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sop", abstract: "Import and export SOP files (YAML, JSON, BPMN).",
                                                    subcommands: [Import.self, Export.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import an SOP file (.yaml/.yml/.json). Nothing is stored if the file has an error.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The SOP file.") var file: String
        @Option(help: "Unit code the SOP belongs to.") var unit: String
        @Flag(help: "Approve it at once (it takes effect on its tanggal_efektif, or today).") var approve = false

        func run() async throws {
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch { throw CLIError("cannot read \(file): \(error.localizedDescription)") }
            guard let format = SOPFileFormat(fileName: file) else { throw CLIError("\(file): use a .yaml, .yml or .json file") }
            let doc: SOPDocument
            do { doc = try SOPFile.decode(text, format: format) } catch {
                var msg = "\(file):\(error.line.map { "\($0):" } ?? "") \(error.description)"
                for i in error.issues.dropFirst() { msg += "\n  - \(i.description) [\(i.field)]" }
                throw CLIError(msg)
            }
            try await withStore(db) { store in
                guard let u = try await store.unit(code: unit) else { throw CLIError("unknown unit code '\(unit)'") }
                let rec = try await store.createSOP(unitID: u.id, document: doc, changeNote: "Impor dari \((file as NSString).lastPathComponent)", by: .cli)
                if approve {
                    try await store.setStatus(sopID: rec.id, version: 1, to: .review, by: .cli)
                    try await store.approve(sopID: rec.id, version: 1, effectiveFrom: doc.identity.effectiveOn ?? CivilDate(Date()), by: .cli)
                }
                say("imported SOP \(rec.id): \(doc.identity.number) \(doc.identity.title) (\(doc.steps.count) steps)\(approve ? ", approved" : ", draft")")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export an SOP version as YAML, JSON or BPMN 2.0.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "SOP id (see `pantau sop list`).") var id: Int64
        @Option(help: "Version (default: latest).") var version: Int?
        @Option(help: "yaml, json or bpmn.") var format = "yaml"
        @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

        func run() async throws {
            let text: String = try await withStore(db) { store in
                let rec = try await store.sop(id: id)
                let v = try await store.version(sopID: id, version: version ?? rec.latestVersion)
                switch format {
                case "yaml": return try SOPFile.encode(v.document, format: .yaml)
                case "json": return try SOPFile.encode(v.document, format: .json)
                case "bpmn": return SOPBPMNExporter().export(v.document)
                default: throw ValidationError("--format must be yaml, json or bpmn")
                }
            }
            if let output {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } else {
                say(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List SOPs.")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "Search text.") var search = ""

        func run() async throws {
            try await withStore(db) { store in
                let p = try await store.sops(SOPQuery(text: search, perPage: 200))
                for s in p.items {
                    say("\(s.id)\t\(s.number)\tv\(s.latestVersion) \(s.latestStatus.rawValue)\t\(s.title)")
                }
                say("\(p.total) SOP")
            }
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load the demo agency: units, three SOPs in force and demo users.")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Password for the demo users (default: a generated one, printed).") var password: String?

    func run() async throws {
        try await withStore(db) { store in
            let r = try await DemoAgency.seed(into: store)
            say("demo: \(r.units) units and \(r.sops) SOPs added")
            let pw = password ?? PasswordTools.oneTimePassword()
            var created: [String] = []
            for u in DemoAgency.users where try await store.credentials(username: u.username) == nil {
                let unitID = try await u.unit.asyncMap { try await store.unit(code: $0)?.id } ?? nil
                _ = try await store.createUser(UserInput(username: u.username, displayName: u.name, role: u.role, unitID: unitID),
                                               passwordHash: PasswordTools.hash(pw), by: .cli)
                created.append("\(u.username) (\(u.role.rawValue))")
            }
            if !created.isEmpty {
                say("demo users: \(created.joined(separator: ", "))\npassword for all of them: \(pw)")
            }
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The tamper-evident audit trail.", subcommands: [Verify.self, Head.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the hash chain and its MACs; exits 1 at the first altered, missing, re-linked or wrongly keyed entry.",
            discussion: "With --expect-head (a line printed earlier by `pantau audit head`), also exits 1 when that entry is no longer in the chain or the chain ends before it (entries removed from the end).")
        @OptionGroup var db: DatabaseOptions
        @Option(name: .customLong("expect-head"), help: "A head printed earlier by `pantau audit head` (SEQ:HASH:MAC) that must still be in the chain.")
        var expectHead: String?

        func run() async throws {
            var expected: AuditHead?
            if let expectHead {
                guard let h = AuditHead(line: expectHead) else {
                    throw ValidationError("--expect-head: expected SEQ:HASH[:MAC] as printed by `pantau audit head`")
                }
                expected = h
            }
            let v = try await withStore(db) { try await $0.verifyAudit(expectHead: expected) }
            if v.ok, let expected {
                say(v.description + "; kepala #\(expected.seq) ada dalam rantai (expected head #\(expected.seq) is in the chain)")
            } else {
                say(v.description)
            }
            if !v.ok { throw ExitCode(1) }
        }
    }

    struct Head: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the head of the audit chain (SEQ:HASH:MAC), to publish or keep elsewhere.",
            discussion: "Keep the line outside the database (a ticket, an e-mail to the inspectorate, a notary, a public page). Later, `pantau audit verify --expect-head LINE` proves the chain still contains it.")
        @OptionGroup var db: DatabaseOptions
        @Flag(help: "Print JSON: seq, hash, mac, keyed_from, at, key_id and head (the one-line form).") var json = false

        func run() async throws {
            let (h, keyID) = try await withStore(db) { store in (try await store.auditHead(), store.auditKey?.id) }
            if json {
                struct Out: Encodable {
                    let seq: Int64, hash: String, mac: String?, keyed_from: Int64?, at: String?, key_id: String?, head: String
                }
                let at = h.at.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: $0)) }
                let e = JSONEncoder()
                e.outputFormatting = [.sortedKeys]
                let out = Out(seq: h.seq, hash: h.hash, mac: h.mac, keyed_from: h.keyedFrom, at: at, key_id: keyID, head: h.line)
                say(String(decoding: try e.encode(out), as: UTF8.self))
            } else {
                say(h.line)
            }
        }
    }
}

extension Optional {
    func asyncMap<T>(_ f: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case let .some(w): return try await f(w)
        case .none: return nil
        }
    }
}

/// Writes to standard output unbuffered, so messages (like the one-time admin password) appear
/// at once even when output goes to a file or a pipe.
func say(_ s: String, terminator: String = "\n") {
    FileHandle.standardOutput.write(Data((s + terminator).utf8))
}
