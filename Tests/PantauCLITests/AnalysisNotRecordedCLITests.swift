import Foundation
import Testing

/// `pantau analyze` on an SOP whose decisions and end step the log does not record
/// (docs/examples/sop-penerbitan-izin-keputusan.yaml against the shared permit log).
@Suite("Command line: steps not recorded", .serialized)
struct AnalysisNotRecordedCLITests {
    static var decisionSOP: String { SharedLogs.repoRoot.appendingPathComponent("docs/examples/sop-penerbitan-izin-keputusan.yaml").path }
    static var originalSOP: String { SharedLogs.repoRoot.appendingPathComponent("docs/examples/sop-penerbitan-izin-usaha.yaml").path }
    static let silent = "keputusan-lengkap,keputusan-lapangan,keputusan-izin,selesai"

    static func compliance(_ cli: CLI, _ args: [String]) throws -> (compliant: Int, json: [String: Any]) {
        let r = try cli.run(["analyze", "--log", SharedLogs.path("sop_izin_1k.csv"), "--format", "json"] + args)
        #expect(r.code == 0, "\(r.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let conf = try #require(json["conformance"] as? [String: Any])
        return (try #require(conf["compliantCases"] as? Int), json)
    }

    @Test(.enabled(if: SharedLogs.available))
    func notRecordedStepsAreNamedAndMarkedForTheRun() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let log = SharedLogs.path("sop_izin_1k.csv")

        // As written: 0%, and the four steps that appear in no event are named with the fix.
        let text = try cli.run(["analyze", "--sop", Self.decisionSOP, "--log", log])
        #expect(text.code == 0, "\(text.err)")
        #expect(text.out.contains("0 / 1.000 kasus (0,0%)"), "\(text.out)")
        #expect(text.out.contains("Langkah yang tidak muncul di log (tidak tercatat?)"))
        #expect(text.out.contains("Langkah 3 Berkas lengkap? tidak muncul di satu kejadian pun: mungkin tidak tercatat? Tandai `tercatat: false` di SOP atau jalankan dengan `--not-recorded keputusan-lengkap`"))
        #expect(text.out.contains("`--not-recorded \(Self.silent)`"))
        #expect(!text.out.contains("Pemeriksaan Lapangan tidak muncul"), "a step with events is not suspected")
        let en = try cli.run(["analyze", "--sop", Self.decisionSOP, "--log", log, "--language", "en", "--format", "html"])
        #expect(en.out.contains("Step 15 Selesai appears in no event at all: perhaps not recorded?"), "\(en.out.prefix(3000))")

        let (before, beforeJSON) = try Self.compliance(cli, ["--sop", Self.decisionSOP])
        #expect(before == 0)
        #expect((beforeJSON["stepsInNoEvent"] as? [[String: Any]])?.compactMap { $0["stepID"] as? String } == Self.silent.split(separator: ",").map(String.init))

        // Marked for this run (as one list or repeated): exactly the original SOP's compliant cases.
        let (original, _) = try Self.compliance(cli, ["--sop", Self.originalSOP])
        let (marked, markedJSON) = try Self.compliance(cli, ["--sop", Self.decisionSOP, "--not-recorded", Self.silent])
        #expect(marked == original && original > 0)
        #expect((markedJSON["stepsInNoEvent"] as? [Any])?.isEmpty == true)
        let listed = (markedJSON["notRecordedSteps"] as? [[String: Any]]) ?? []
        #expect(listed.compactMap { ($0["step"] as? [String: Any])?["stepID"] as? String } == Self.silent.split(separator: ",").map(String.init))
        #expect(listed.allSatisfy { $0["source"] as? String == "run" })
        let repeated = try Self.compliance(cli, ["--sop", Self.decisionSOP, "--not-recorded", "keputusan-lengkap,keputusan-lapangan",
                                                 "--not-recorded", "keputusan-izin", "--not-recorded", "selesai"])
        #expect(repeated.compliant == original)

        let markedText = try cli.run(["analyze", "--sop", Self.decisionSOP, "--log", log, "--not-recorded", Self.silent])
        #expect(markedText.out.contains("Langkah yang tidak tercatat di log"))
        #expect(markedText.out.contains("Langkah 15 Selesai (`--not-recorded` pada analisis ini)"))
        #expect(!markedText.out.contains("mungkin tidak tercatat?"))

        // The same marks in the file: the report says they come from the SOP.
        var yaml = try String(contentsOfFile: Self.decisionSOP, encoding: .utf8)
        for activity in ["Berkas lengkap?", "Lapangan sesuai?", "Izin disetujui?", "Selesai"] {
            yaml = yaml.replacingOccurrences(of: "  kegiatan: \(activity)\n", with: "  kegiatan: \(activity)\n  tercatat: false\n")
        }
        let file = try cli.write("keputusan-tercatat.yaml", yaml)
        let (inFile, inFileJSON) = try Self.compliance(cli, ["--sop", file])
        #expect(inFile == original)
        #expect(((inFileJSON["notRecordedSteps"] as? [[String: Any]]) ?? []).map { $0["source"] as? String } == ["sop", "sop", "sop", "sop"])
    }

    @Test(.enabled(if: SharedLogs.available))
    func anUnknownStepIdIsAClearError() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let r = try cli.run(["analyze", "--sop", Self.decisionSOP, "--log", SharedLogs.path("sop_izin_1k.csv"),
                             "--not-recorded", "keputusan-lengkap,keputusan-bayar"])
        #expect(r.code != 0)
        #expect(r.err.contains("--not-recorded") && r.err.contains("'keputusan-bayar'"), "\(r.err)")
        #expect(!r.err.contains("'keputusan-lengkap'"))
        #expect(r.out.isEmpty, "no report for a run that cannot be done")
    }
}
