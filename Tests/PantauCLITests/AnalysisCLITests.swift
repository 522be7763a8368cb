import Foundation
import Testing

/// The shared public logs (see Tests/PantauCoreTests/SharedData.swift).
enum SharedLogs {
    static let dir: URL? = {
        let fm = FileManager.default
        if let d = ProcessInfo.processInfo.environment["PANTAU_SHARED_DIR"] {
            let u = URL(fileURLWithPath: d).appendingPathComponent("data/eventlogs")
            if fm.fileExists(atPath: u.path) { return u }
        }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            dir = dir.deletingLastPathComponent()
            let u = dir.appendingPathComponent("shared/data/eventlogs")
            if fm.fileExists(atPath: u.path) { return u }
        }
        return nil
    }()
    static var available: Bool { dir != nil }
    static func path(_ name: String) -> String { dir!.appendingPathComponent(name).path }

    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

@Suite("Command line: analysis", .serialized)
struct AnalysisCLITests {
    @Test(.enabled(if: SharedLogs.available))
    func conformancePrintsPM4PyComparableNumbers() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let r = try cli.run(["conformance", "--model", SharedLogs.path("running-example.pnml"),
                             "--log", SharedLogs.path("running-example.xes"), "--json"])
        #expect(r.code == 0, "\(r.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: SharedLogs.path("running-example.expected.json")))) as? [String: Any])
        let models = try #require(expected["models"] as? [[String: Any]])
        let model = try #require(models.first { $0["file"] as? String == "running-example.pnml" })
        let alignments = try #require(model["alignments"] as? [String: Any])
        let fitness = try #require(alignments["log_fitness"] as? Double)
        #expect(abs((json["logFitness"] as? Double ?? -1) - fitness) < 1e-9)
        #expect(json["traces"] as? Int == 6)

        let tr = try cli.run(["conformance", "--model", SharedLogs.path("running-example.pnml"),
                              "--log", SharedLogs.path("running-example.xes"), "--method", "token-replay"])
        #expect(tr.code == 0 && tr.out.contains("log_fitness"), "\(tr.err)")
        let bad = try cli.run(["conformance", "--model", SharedLogs.path("running-example.xes"), "--log", SharedLogs.path("running-example.xes")])
        #expect(bad.code != 0 && bad.err.contains("model"))
    }

    @Test(.enabled(if: SharedLogs.available))
    func analyzeReportsInSOPTerms() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let sop = SharedLogs.repoRoot.appendingPathComponent("docs/examples/sop-penerbitan-izin-usaha.yaml").path
        let r = try cli.run(["analyze", "--sop", sop, "--log", SharedLogs.path("sop_izin_1k.csv")])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("LAPORAN ANALISIS PELAKSANAAN SOP"))
        #expect(r.out.contains("1.000 kasus"))
        #expect(r.out.contains("Verifikasi Administrasi"))
        let j = try cli.run(["analyze", "--sop", sop, "--log", SharedLogs.path("sop_izin_1k.csv"), "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(j.out.utf8)) as? [String: Any])
        let conf = try #require(json["conformance"] as? [String: Any])
        #expect(conf["cases"] as? Int == 1000)
        let html = try cli.run(["analyze", "--sop", sop, "--log", SharedLogs.path("sop_izin_1k.csv"), "--format", "html", "--language", "en"])
        #expect(html.out.hasPrefix("<!DOCTYPE html>") && html.out.contains("SOP EXECUTION ANALYSIS"))
        // A log that is not there, and an SOP with an error: clear messages, exit code 1.
        #expect(try cli.run(["analyze", "--sop", sop, "--log", "/nonexistent.csv"]).code != 0)
        let badSOP = try cli.write("bad.yaml", "identitas:\n  unit: x\n")
        let b = try cli.run(["analyze", "--sop", badSOP, "--log", SharedLogs.path("sop_izin_1k.csv")])
        #expect(b.code != 0 && b.err.contains("bad.yaml"))
    }
}
