import Foundation
import PantauCore
import PantauReports
import Testing

/// Writes the sample SOP as printable HTML and BPMN for a person to look at, when the
/// environment variable `PANTAU_SOP_PREVIEW_DIR` names a directory; otherwise only checks that
/// the files would be non-empty.
@Suite struct SOPDocumentPreviewTests {
    @Test func writesPreviewFilesWhenAsked() throws {
        let html = SOPDocumentHTML(options: .init(agencyName: "Pemerintah Kabupaten Contoh")).renderPage(SOPSample.izinUsaha)
        let paged = SOPDocumentHTML(options: .init(
            flowchart: .init(rowsPerPage: 4), idPrefix: "sop4")).renderPage(SOPSample.izinUsaha)
        let english = SOPDocumentHTML(options: .init(language: .en)).renderPage(SOPSample.izinUsaha)
        let bpmn = SOPBPMNExporter().export(SOPSample.izinUsaha)
        #expect(!html.isEmpty && !paged.isEmpty && !english.isEmpty && !bpmn.isEmpty)
        guard let dir = ProcessInfo.processInfo.environment["PANTAU_SOP_PREVIEW_DIR"], !dir.isEmpty else { return }
        let base = URL(fileURLWithPath: dir, isDirectory: true)
        try html.write(to: base.appendingPathComponent("sop.html"), atomically: true, encoding: .utf8)
        try paged.write(to: base.appendingPathComponent("sop-paged.html"), atomically: true, encoding: .utf8)
        try english.write(to: base.appendingPathComponent("sop-en.html"), atomically: true, encoding: .utf8)
        try bpmn.write(to: base.appendingPathComponent("sop.bpmn"), atomically: true, encoding: .utf8)
        let hostile = SOPSample.hostile("<script>alert(1)</script>&\"'")
        try SOPBPMNExporter(options: .init(language: .en)).export(hostile)
            .write(to: base.appendingPathComponent("sop-hostile.bpmn"), atomically: true, encoding: .utf8)
        let chart = SVGBarChart(options: .init(title: "Waktu rata-rata per langkah (menit)")).render(
            SOPSample.izinUsaha.steps.prefix(5).enumerated().map { i, s in
                SVGBarChart.Bar(label: s.activity, value: Double(10 + 7 * i), target: (s.standard.time?.seconds ?? 0) / 60)
            })
        try chart.write(to: base.appendingPathComponent("bar-chart.svg"), atomically: true, encoding: .utf8)
        try SOPDocumentHTML().renderPage(hostile)
            .write(to: base.appendingPathComponent("sop-hostile.html"), atomically: true, encoding: .utf8)
    }
}
