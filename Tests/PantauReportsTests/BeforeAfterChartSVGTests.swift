import Foundation
import PantauReports
import Testing

@Suite("Before/after chart SVG")
struct BeforeAfterChartSVGTests {
    static let chart = BeforeAfterChart(
        title: "Median <waktu>", beforeLabel: "Sebelum", afterLabel: "Sesudah", changedText: "berubah bermakna",
        rows: [
            .init(label: "8. Memberikan imunisasi & vaksin", sublabel: "waktu tunggu", before: 2400, after: 900,
                  beforeText: "40 menit", afterText: "15 menit", significant: true),
            .init(label: "1. Menerima pendaftaran dan memberikan nomor antrean kepada orang tua anak yang datang", sublabel: "waktu pelaksanaan",
                  before: 300, after: nil, beforeText: "5 menit", afterText: nil),
        ])

    @Test("One accessible SVG: title, every row in words, bars on one scale, escaped, deterministic")
    func renders() throws {
        let svg = BeforeAfterChartSVG(options: .init(idPrefix: "t")).render(Self.chart)
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>") && svg.contains("role=\"img\"") && svg.contains("width=\"100%\""))
        #expect(svg.contains("<title id=\"t-title\">Median &lt;waktu&gt;</title>"))
        #expect(svg.contains("8. Memberikan imunisasi &amp; vaksin (waktu tunggu): Sebelum 40 menit, Sesudah 15 menit (berubah bermakna)"))
        #expect(svg.contains("Sesudah –"), "a side without data says so in the description")
        // Two bars for the first row, one for the second; the longest value fills the bar space.
        #expect(svg.components(separatedBy: "class=\"ba-before\"").count - 1 == 2)
        #expect(svg.components(separatedBy: "class=\"ba-after\"").count - 1 == 1)
        #expect(svg.contains("data-value=\"2400\"") && svg.contains("data-significant=\"true\""))
        // The sub-label is never cut; a long label is shortened with its full text kept as a tooltip.
        #expect(svg.contains(">waktu pelaksanaan<") && svg.contains("…") && svg.contains("<title>1. Menerima pendaftaran dan memberikan nomor antrean kepada orang tua anak yang datang</title>"))
        #expect(!svg.contains("<waktu>") && !svg.contains(" & "))
        #expect(BeforeAfterChartSVG(options: .init(idPrefix: "t")).render(Self.chart) == svg)
        // The before bar is hatched (a pattern), so the sides differ by more than colour.
        #expect(svg.contains("fill=\"url(#t-hatch)\""))
    }
}
