import Foundation
import PantauCore
import PantauReports
import Testing

/// The analysis report on steps that leave no event: a recorded step that appears in no event is
/// shown as "not recorded?" with the fix; a step treated as not recorded is listed as such.
@Suite("SOP analysis report: steps not recorded")
struct SOPAnalysisReportRecordingTests {
    /// A decision "Berkas lengkap?" and an end step "Selesai" that the log never records.
    static func doc(notRecorded: Set<String> = []) -> SOPDocument {
        var d = SOPDocument(
            identity: SOPIdentity(unitName: "Kelurahan", number: "SOP/UJI/2", title: "Surat <Pengantar>"),
            actors: [SOPActor(id: "loket", name: "Petugas Loket")],
            steps: [
                SOPStep(id: "terima", kind: .start, activity: "Terima berkas", actor: "loket"),
                SOPStep(id: "cek", kind: .decision, activity: "Berkas <lengkap>?", actor: "loket", yes: "serah", no: "terima", question: "Lengkap?"),
                SOPStep(id: "serah", activity: "Serahkan surat", actor: "loket"),
                SOPStep(id: "selesai", kind: .end, activity: "Selesai", actor: "loket"),
            ])
        for i in d.steps.indices where notRecorded.contains(d.steps[i].id) { d.steps[i].recorded = false }
        return d
    }

    static let csv = """
    case_id,activity,timestamp
    1,Terima berkas,2026-03-02T08:00:00+07:00
    1,Serahkan surat,2026-03-02T08:25:00+07:00
    2,Terima berkas,2026-03-02T09:00:00+07:00
    2,Serahkan surat,2026-03-02T09:15:00+07:00
    """

    static func report(_ doc: SOPDocument, forRun: Set<String> = []) throws -> SOPAnalysisReport {
        let log = try CSVReader().read(string: csv)
        return SOPAnalysisReport(document: doc, logName: "uji.csv", conformance: try SOPConformance().check(log, against: doc),
                                 performance: SOPPerformance().analyze(log, against: doc), notRecordedForRun: forRun)
    }

    @Test func aStepInNoEventIsShownAsNotRecordedWithTheFix() throws {
        let r = try Self.report(Self.doc())
        #expect(r.conformance.compliantCases == 0)
        #expect(r.stepsInNoEvent.map(\.stepID) == ["cek", "selesai"] && r.stepsInNoEvent.map(\.number) == [2, 4])
        #expect(r.notRecordedSteps.isEmpty)
        let t = r.text(language: .id)
        #expect(t.contains("Langkah 2 Berkas <lengkap>? tidak muncul di satu kejadian pun: mungkin tidak tercatat? Tandai `tercatat: false` di SOP atau jalankan dengan `--not-recorded cek`"), "\(t)")
        #expect(t.contains("`--not-recorded cek,selesai`"))
        let en = r.text(language: .en)
        #expect(en.contains("Step 4 Selesai appears in no event at all: perhaps not recorded? Mark it `tercatat: false` in the SOP or run with `--not-recorded selesai`"), "\(en)")
        let h = r.html(language: .id)
        #expect(h.contains("<li class=\"bad\">Langkah 2 Berkas &lt;lengkap&gt;? tidak muncul di satu kejadian pun"), "\(h)")
        #expect(h.contains("<code>--not-recorded cek</code>") && h.contains("<code>tercatat: false</code>"))
        #expect(!h.contains("<lengkap>"))
    }

    @Test func stepsNotRecordedAreListedWithWhereTheMarkComesFrom() throws {
        let r = try Self.report(Self.doc(notRecorded: ["cek", "selesai"]), forRun: ["selesai"])
        #expect(r.conformance.compliantCases == 2)
        #expect(r.stepsInNoEvent.isEmpty)
        #expect(r.notRecordedSteps.map(\.step.stepID) == ["cek", "selesai"])
        #expect(r.notRecordedSteps.map(\.source) == [.sop, .run])
        let t = r.text(language: .id)
        #expect(!t.contains("mungkin tidak tercatat?"))
        #expect(t.contains("Langkah yang tidak tercatat di log"))
        #expect(t.contains("Langkah 2 Berkas <lengkap>? (`tercatat: false` di SOP)") && t.contains("Langkah 4 Selesai (`--not-recorded` pada analisis ini)"), "\(t)")
        let en = r.html(language: .en)
        #expect(en.contains("Steps not recorded in the event log") && en.contains("Step 4 Selesai (<code>--not-recorded</code> for this analysis)"))
        // A recorded step with events is in neither list; the JSON keeps both lists.
        let back = try JSONDecoder().decode(SOPAnalysisReport.self, from: try JSONEncoder().encode(r))
        #expect(back.notRecordedSteps == r.notRecordedSteps && back.stepsInNoEvent == r.stepsInNoEvent)
    }

    @Test func aReportWrittenBeforeTheListsStillReads() throws {
        let r = try Self.report(Self.doc())
        var json = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(r)) as? [String: Any])
        json["notRecordedSteps"] = nil
        json["stepsInNoEvent"] = nil
        let old = try JSONDecoder().decode(SOPAnalysisReport.self, from: try JSONSerialization.data(withJSONObject: json))
        #expect(old.stepsInNoEvent.isEmpty && old.notRecordedSteps.isEmpty && old.conformance == r.conformance)
    }
}
