import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

/// `pantau audit head`, `pantau audit verify --expect-head`, the audit key and `serve` on PostgreSQL.
@Suite("Command line: keyed audit chain, limits and PostgreSQL start-up", .serialized)
struct AuditCLITests {
    /// `SEQ:HASH:MAC`.
    static func isHeadLine(_ s: String) -> Bool {
        let p = s.split(separator: ":", omittingEmptySubsequences: false)
        return p.count == 3 && Int(p[0]) != nil && p[1...].allSatisfy { $0.count == 64 && $0.allSatisfy { "0123456789abcdef".contains($0) } }
    }

    @Test func auditHeadAndExpectHeadDetectTruncation() async throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let demo = try cli.run(["demo", "--password", "demo-password-2026"])
        #expect(demo.code == 0, "\(demo.err)")
        // SQLite without a configured key: a key file beside the database, readable by its owner only.
        let keyFile = cli.database + ".audit-key"
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)

        let head = try cli.run(["audit", "head"])
        #expect(head.code == 0, "\(head.err)")
        let line = head.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Self.isHeadLine(line), "\(line)")
        let json = try cli.run(["audit", "head", "--json"])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(obj["head"] as? String == line)
        #expect(obj["keyed_from"] as? Int == 1)
        let seq = try #require(obj["seq"] as? Int)
        #expect(line.hasPrefix("\(seq):") && (obj["key_id"] as? String)?.count == 16 && obj["at"] is String)

        let ok = try cli.run(["audit", "verify", "--expect-head", line])
        #expect(ok.code == 0 && ok.out.hasPrefix("OK:") && ok.out.contains("#\(seq)"), "\(ok.out)\(ok.err)")
        let malformed = try cli.run(["audit", "verify", "--expect-head", "12:abc"])
        #expect(malformed.code != 0 && malformed.err.contains("SEQ:HASH"), "\(malformed.err)")

        // Someone with database access deletes the last two entries and edits audit_head to match.
        let store = try await PantauStore.open(.sqlite(path: cli.database))
        let entries = try await store.auditEntries(page: 1, perPage: 500).items
        let keep = try #require(entries.first { $0.seq == Int64(seq - 2) })
        try await rawExecute(store, "DELETE FROM audit_log WHERE seq > \(keep.seq)")
        try await rawExecute(store, "UPDATE audit_head SET seq = \(keep.seq), hash = '\(keep.hash)', mac = '\(keep.mac ?? "")' WHERE id = 1")
        await store.shutdown()

        let plain = try cli.run(["audit", "verify"])
        #expect(plain.code == 0, "the chain itself is consistent: \(plain.out)")
        let caught = try cli.run(["audit", "verify", "--expect-head", line])
        #expect(caught.code == 1)
        #expect(caught.out.contains("GAGAL") && caught.out.contains("ends at #\(keep.seq), before the expected head #\(seq)"), "\(caught.out)")
        let newHead = try cli.run(["audit", "head"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(newHead.hasPrefix("\(keep.seq):") && newHead != line)

        // Another key: every keyed entry fails, from the first.
        let wrong = try cli.run(["audit", "verify"], env: ["PANTAU_AUDIT_KEY": String(repeating: "w", count: 40)])
        #expect(wrong.code == 1 && wrong.out.contains("MAC") && wrong.out.contains("#1"), "\(wrong.out)")
        // Both settings at once are refused.
        let both = try cli.run(["audit", "verify"], env: ["PANTAU_AUDIT_KEY": testAuditKeySecret, "PANTAU_AUDIT_KEY_FILE": keyFile])
        #expect(both.code != 0 && both.err.contains("only one of"), "\(both.err)")
    }

    @Test func rewrittenEntryIsNamedByVerify() async throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        #expect(try cli.run(["demo", "--password", "demo-password-2026"]).code == 0)
        // Rewrite entry 3 and recompute the plain hashes of it, every later entry and the head.
        let store = try await PantauStore.open(.sqlite(path: cli.database))
        let entries = try await store.auditEntries(page: 1, perPage: 500).items.sorted { $0.seq < $1.seq }
        var prev = entries[1].hash
        for var e in entries.dropFirst(2) {
            if e.seq == 3 { e.actor = "user:forger" }
            let h = AuditChain.hash(prev: prev, seq: e.seq, at: e.at, actor: e.actor, action: e.action, entity: e.entity,
                                    entityID: e.entityID, old: e.oldValue, new: e.newValue)
            try await rawExecute(store, "UPDATE audit_log SET actor = '\(e.actor)', prev_hash = '\(prev)', hash = '\(h)' WHERE seq = \(e.seq)")
            prev = h
        }
        try await rawExecute(store, "UPDATE audit_head SET hash = '\(prev)' WHERE id = 1")
        await store.shutdown()
        let v = try cli.run(["audit", "verify"])
        #expect(v.code == 1 && v.out.contains("MAC") && v.out.contains("#3"), "\(v.out)")
    }

    @Test func sopFileWithAliasesIsRefusedNamingTheLine() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        #expect(try cli.run(["demo", "--password", "demo-password-2026"]).code == 0)
        var yaml = "identitas:\n  unit: Dinas\n"
        yaml += "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        var prev = "a"
        for c in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            yaml += "\(c): &\(c) [" + Array(repeating: "*\(prev)", count: 9).joined(separator: ",") + "]\n"
            prev = c
        }
        let file = try cli.write("lol.yaml", yaml)
        let r = try cli.run(["sop", "import", file, "--unit", "PEMKOT"])
        #expect(r.code != 0)
        #expect(r.err.contains("lol.yaml:3:") && r.err.lowercased().contains("alias"), "\(r.err)")
    }

    /// Several `pantau migrate` processes on one new SQLite file at once: all succeed, each
    /// migration is recorded once.
    @Test func concurrentMigrateProcessesOnSQLite() async throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        var procs: [(Process, Pipe)] = []
        for _ in 0..<3 {
            let p = Process()
            p.executableURL = CLI.binary
            p.arguments = ["migrate"]
            p.currentDirectoryURL = cli.workdir
            var env = ProcessInfo.processInfo.environment
            env["PANTAU_DATABASE_URL"] = cli.database
            p.environment = env
            let err = Pipe()
            p.standardOutput = Pipe()
            p.standardError = err
            procs.append((p, err))
        }
        for (p, _) in procs { try ProcessLaunch.run(p) }
        for (p, err) in procs {
            p.waitUntilExit()
            let msg = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(p.terminationStatus == 0, "\(msg)")
        }
        let db = try await Database.open(.sqlite(path: cli.database))
        let rows = try await Migrator(database: db).applied()
        await db.shutdown()
        #expect(rows == allMigrations.map(\.number).sorted())
    }

    // MARK: PostgreSQL

    static var postgres: Bool { TestEngine.postgresURL != nil }

    func postgresURL(_ location: DatabaseLocation) throws -> String {
        guard case let .postgres(url) = location else { throw DatabaseError.badURL("not postgres") }
        return url
    }

    @Test(.enabled(if: AuditCLITests.postgres))
    func serveOnPostgresNeedsAKeyAndAMigratedSchema() async throws {
        try await withTestDatabase(.postgres) { location in
            let url = try postgresURL(location)
            let cli = try CLI()
            defer { cli.cleanup() }
            let port = Int.random(in: 20_000...40_000)
            let serve = ["serve", "--port", "\(port)"]
            // No key: refused, naming both settings.
            let noKey = try cli.run(serve, env: ["PANTAU_DATABASE_URL": url])
            #expect(noKey.code != 0)
            #expect(noKey.err.contains("PANTAU_AUDIT_KEY_FILE") && noKey.err.contains("PANTAU_AUDIT_KEY "), "\(noKey.err)")
            // A key but a fresh schema: serve does not migrate PostgreSQL by itself.
            let env = ["PANTAU_DATABASE_URL": url, "PANTAU_AUDIT_KEY": testAuditKeySecret]
            let behind = try cli.run(serve, env: env)
            #expect(behind.code != 0)
            #expect(behind.err.contains("pantau migrate") && behind.err.contains("PANTAU_AUTO_MIGRATE"), "\(behind.err)")
            let db = try await Database.open(location)
            #expect(try await Migrator(database: db).applied().isEmpty)
            await db.shutdown()
            // Other commands say the same.
            let list = try cli.run(["sop", "list"], env: env)
            #expect(list.code != 0 && list.err.contains("pantau migrate"), "\(list.err)")

            // PANTAU_AUTO_MIGRATE=true: it migrates and starts.
            var auto = env
            auto["PANTAU_AUTO_MIGRATE"] = "true"
            let p = Process()
            p.executableURL = CLI.binary
            p.arguments = serve
            p.currentDirectoryURL = cli.workdir
            var penv = ProcessInfo.processInfo.environment
            for (k, v) in auto { penv[k] = v }
            p.environment = penv
            // The server's output goes to a file (a pipe nobody reads could fill and stall it) and
            // is shown if it does not come up; on a loaded CI machine start-up may take a while.
            let log = cli.workdir.appendingPathComponent("serve.log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let out = try FileHandle(forWritingTo: log)
            p.standardOutput = out
            p.standardError = out
            try ProcessLaunch.run(p)
            var body = ""
            for _ in 0..<600 where p.isRunning {
                try await Task.sleep(for: .milliseconds(200))
                if let (data, _) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/health")!) {
                    body = String(decoding: data, as: UTF8.self)
                    break
                }
            }
            p.terminate()
            p.waitUntilExit()
            try out.close()
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(body.contains("\"status\":\"ok\""), "\(body) — server output: \(output)")
            let v = try cli.run(["audit", "verify"], env: env)
            #expect(v.code == 0 && v.out.contains("keyed from #1"), "\(v.out)\(v.err)")
            let h = try cli.run(["audit", "head"], env: env)
            #expect(Self.isHeadLine(h.out.trimmingCharacters(in: .whitespacesAndNewlines)), "\(h.out)\(h.err)")
        }
    }
}
