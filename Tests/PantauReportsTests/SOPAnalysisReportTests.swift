import Foundation
import PantauCore
import PantauReports
import Testing

@Suite("SOP analysis report")
struct SOPAnalysisReportTests {
    static let doc = SOPDocument(
        identity: SOPIdentity(unitName: "Kelurahan", number: "SOP/UJI/1", title: "Surat Keterangan <Domisili>"),
        actors: [SOPActor(id: "loket", name: "Petugas Loket"), SOPActor(id: "seklur", name: "Sekretaris Lurah")],
        steps: [
            SOPStep(id: "a", kind: .start, activity: "Terima berkas", actor: "loket", standard: QualityStandard(time: .minutes(10))),
            SOPStep(id: "b", activity: "Verifikasi", actor: "seklur", standard: QualityStandard(time: .minutes(30))),
            SOPStep(id: "c", kind: .end, activity: "Serahkan surat", actor: "loket", standard: QualityStandard(time: .minutes(10))),
        ])

    /// Four cases: one follows the SOP; one skips Verifikasi; one repeats it (and is late); one has
    /// an activity outside the SOP.
    static let csv = """
    case_id,activity,timestamp
    1,Terima berkas,2026-03-02T08:00:00+07:00
    1,Verifikasi,2026-03-02T08:20:00+07:00
    1,Serahkan surat,2026-03-02T08:25:00+07:00
    2,Terima berkas,2026-03-02T08:00:00+07:00
    2,Serahkan surat,2026-03-02T08:15:00+07:00
    3,Terima berkas,2026-03-02T08:00:00+07:00
    3,Verifikasi,2026-03-02T08:50:00+07:00
    3,Verifikasi,2026-03-02T09:10:00+07:00
    3,Serahkan surat,2026-03-02T09:12:00+07:00
    4,Terima berkas,2026-03-02T08:00:00+07:00
    4,Minta tanda tangan,2026-03-02T08:05:00+07:00
    4,Verifikasi,2026-03-02T08:30:00+07:00
    4,Serahkan surat,2026-03-02T08:31:00+07:00
    """

    func report() throws -> SOPAnalysisReport {
        let log = try CSVReader().read(string: Self.csv)
        let c = try SOPConformance().check(log, against: Self.doc)
        let p = SOPPerformance().analyze(log, against: Self.doc)
        return SOPAnalysisReport(document: Self.doc, logName: "uji.csv", conformance: c, performance: p)
    }

    @Test func numbersFollowTheCases() throws {
        let r = try report()
        #expect(r.conformance.cases == 4 && r.conformance.compliantCases == 1)
        let b = try #require(r.conformance.steps.first { $0.stepID == "b" })
        #expect(b.deviations.skipped == 1 && b.deviations.repeated == 1)
        #expect(r.conformance.activitiesOutsideSOP["Minta tanda tangan"] == 1)
        let pb = try #require(r.performance.step("b"))
        // Since-previous-event times of Verifikasi: 20, 50, 20, 25 min against a 30 min standard.
        #expect(pb.occurrences == 4 && pb.withinStandard == 3)
        #expect(pb.rework.casesRepeating == 1)
    }

    @Test func textReportReadsAsAnEvaluatorExpects() throws {
        let t = try report().text(language: .id)
        #expect(t.contains("LAPORAN ANALISIS PELAKSANAAN SOP"))
        #expect(t.contains("1 / 4 kasus (25,0%)"))
        #expect(t.contains("Sekretaris Lurah"))
        #expect(t.contains("75,0%"))
        #expect(t.contains("Minta tanda tangan (1)"))
        #expect(t.contains("Verifikasi: 1 kasus"))
        let en = try report().text(language: .en)
        #expect(en.contains("1 / 4 cases (25.0%)"))
    }

    @Test func htmlIsEscapedAndJSONRoundTrips() throws {
        let r = try report()
        let h = r.html(language: .id)
        #expect(h.contains("Surat Keterangan &lt;Domisili&gt;"))
        #expect(!h.contains("<Domisili>"))
        #expect(h.contains("@page{size:A4 landscape"))
        let data = try JSONEncoder().encode(r)
        let back = try JSONDecoder().decode(SOPAnalysisReport.self, from: data)
        #expect(back.conformance == r.conformance && back.performance == r.performance)
    }
}
