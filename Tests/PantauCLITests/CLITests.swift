import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

/// Runs the built `pantau` executable, as a user would.
struct CLI {
    let workdir: URL

    static var binary: URL {
        // The test bundle sits in the same products folder as the executable.
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("pantau")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/pantau")
    }

    init() throws {
        workdir = FileManager.default.temporaryDirectory.appendingPathComponent("pantau-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
    }

    var database: String { workdir.appendingPathComponent("pantau.sqlite").path }

    /// Runs `pantau ARGS` with the test database; returns exit code, stdout and stderr.
    @discardableResult
    func run(_ args: [String], env: [String: String] = [:]) throws -> (code: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args
        p.currentDirectoryURL = workdir
        var e = ProcessInfo.processInfo.environment
        e["PANTAU_DATABASE_URL"] = database
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try ProcessLaunch.run(p)
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let r = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: r, as: UTF8.self))
    }

    func write(_ name: String, _ text: String) throws -> String {
        let u = workdir.appendingPathComponent(name)
        try text.write(to: u, atomically: true, encoding: .utf8)
        return u.path
    }

    func cleanup() { try? FileManager.default.removeItem(at: workdir) }
}

@Suite("Command line", .serialized)
struct CLITests {
    @Test func migrateDemoImportExportAndAudit() async throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let m = try cli.run(["migrate"])
        #expect(m.code == 0, "\(m.err)")
        #expect(m.out.contains("applied 001 create_units"))
        #expect(try cli.run(["migrate"]).out.contains("up to date"))

        let demo = try cli.run(["demo", "--password", "demo-password-2026"])
        #expect(demo.code == 0, "\(demo.err)")
        #expect(demo.out.contains("8 units and 3 SOPs"))
        #expect(demo.out.contains("kepala.puskesmas"))

        // A good file imports; the export round-trips.
        var doc = DemoAgency.ktpEl
        doc.identity.number = "470/SOP-KTP-2/2026"
        let good = try cli.write("ktp.yaml", try SOPFile.encode(doc, format: .yaml))
        let imp = try cli.run(["sop", "import", good, "--unit", "DISDUKCAPIL-PIAK"])
        #expect(imp.code == 0, "\(imp.err)")
        #expect(imp.out.contains("imported SOP 4"))
        let exp = try cli.run(["sop", "export", "4", "--format", "json"])
        #expect(try SOPFile.decode(exp.out, format: .json) == doc)
        let bpmn = try cli.run(["sop", "export", "4", "--format", "bpmn"])
        #expect(bpmn.out.contains("<bpmn:definitions") || bpmn.out.contains("definitions"))

        // A bad file: the error names file, line and field, exit code 1, nothing stored.
        let badText = try SOPFile.encode(doc, format: .yaml).replacingOccurrences(of: "pelaksana: operator", with: "pelaksana: operatorr")
        let bad = try cli.write("bad.yaml", badText)
        let r = try cli.run(["sop", "import", bad, "--unit", "DISDUKCAPIL-PIAK"])
        #expect(r.code != 0)
        let line = badText.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("operatorr") }! + 1
        #expect(r.err.contains("bad.yaml:\(line):"), "\(r.err)")
        #expect(r.err.contains("pelaksana 'operatorr'"), "\(r.err)")
        #expect(try cli.run(["sop", "list"]).out.contains("4 SOP"))
        #expect(try cli.run(["sop", "import", bad, "--unit", "NOPE"]).code != 0)

        // The audit chain verifies, then fails after tampering.
        let ok = try cli.run(["audit", "verify"])
        #expect(ok.code == 0 && ok.out.hasPrefix("OK:"), "\(ok.out)\(ok.err)")
        let store = try await PantauStore.open(.sqlite(path: cli.database))
        try await rawExecute(store, "UPDATE audit_log SET actor = 'user:mallory' WHERE seq = 2")
        await store.shutdown()
        let tampered = try cli.run(["audit", "verify"])
        #expect(tampered.code == 1)
        #expect(tampered.out.contains("#2"))
    }

    @Test func userCreateValidatesInput() async throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.run(["demo", "--password", "demo-password-2026"])
        let ok = try cli.run(["user", "create", "--username", "siti", "--name", "Siti Aminah", "--role", "evaluator", "--unit", "PEMKOT"])
        #expect(ok.code == 0, "\(ok.err)")
        #expect(ok.out.contains("one-time password: "))
        #expect(try cli.run(["user", "create", "--username", "x", "--name", "X", "--role", "king"]).code != 0)
        #expect(try cli.run(["user", "create", "--username", "siti", "--name", "Dup", "--role", "officer", "--unit", "PEMKOT"]).code != 0)
        #expect(try cli.run(["user", "create", "--username", "budi", "--name", "Budi", "--role", "officer"]).code != 0)
        let short = try cli.run(["user", "create", "--username", "budi", "--name", "Budi", "--role", "admin", "--password", "short"])
        #expect(short.code != 0 && short.err.contains("10 characters"))
    }

    /// `serve --demo` loads 5,000 demo cases before it listens: a few seconds on an idle machine,
    /// much longer while the rest of the suite shares its two cores. The test waits on the
    /// process, not on a fixed number of tries: it stops as soon as the server answers or exits,
    /// and a hang is caught by the time limit.
    @Test(.timeLimit(.minutes(5))) func serveStartsAndAnswers() async throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let port = Int.random(in: 20_000...40_000)
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["serve", "--demo", "--port", "\(port)"]
        p.currentDirectoryURL = cli.workdir
        var env = ProcessInfo.processInfo.environment
        env["PANTAU_DATABASE_URL"] = cli.database
        env.removeValue(forKey: "PANTAU_ADMIN_PASSWORD")
        p.environment = env
        // Both streams go to files: a pipe nobody reads would stop the server once it is full.
        let outFile = cli.workdir.appendingPathComponent("serve.out")
        let errFile = cli.workdir.appendingPathComponent("serve.err")
        FileManager.default.createFile(atPath: outFile.path, contents: nil)
        FileManager.default.createFile(atPath: errFile.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: outFile)
        p.standardError = try FileHandle(forWritingTo: errFile)
        try ProcessLaunch.run(p)
        defer { if p.isRunning { p.terminate(); p.waitUntilExit() } }
        var body = ""
        while p.isRunning {
            try await Task.sleep(for: .milliseconds(200))
            if let (data, _) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/health")!) {
                body = String(decoding: data, as: UTF8.self)
                break
            }
        }
        let log = { String(decoding: (try? Data(contentsOf: errFile)) ?? Data(), as: UTF8.self) }
        #expect(body.contains("\"status\":\"ok\""), "the server did not answer; its log:\n\(log())")
        // The one-time admin password was printed.
        p.terminate()
        p.waitUntilExit()
        let printed = String(decoding: try Data(contentsOf: outFile), as: UTF8.self)
        #expect(printed.contains("kata sandi sekali pakai"))
    }
}
