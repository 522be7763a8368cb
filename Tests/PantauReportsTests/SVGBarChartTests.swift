import Foundation
import PantauReports
import Testing

@Suite struct SVGBarChartTests {
    func bars(_ svg: String) throws -> [SOPTestXML] {
        let root = try #require(SOPTestXML.parse(svg))
        return root.all { $0.name == "rect" && $0.hasClass("bar-value") }
    }

    @Test func barLengthsAreProportionalToValues() throws {
        let chart = SVGBarChart(options: .init(title: "Waktu rata-rata per langkah", width: 600, labelWidth: 150))
        let svg = chart.render([
            .init(label: "Memeriksa berkas", value: 10),
            .init(label: "Verifikasi", value: 20),
            .init(label: "Tanda tangan", value: 5),
        ])
        let widths = try bars(svg).map { Double($0.attributes["width"] ?? "") ?? -1 }
        #expect(widths.count == 3)
        #expect(abs(widths[0] * 2 - widths[1]) < 0.02)
        #expect(abs(widths[2] * 4 - widths[1]) < 0.03)
        #expect(widths[1] <= 600 - 158)
    }

    @Test func barsOverTheirTargetAreMarked() throws {
        let chart = SVGBarChart(options: .init(title: "t", color: "#111111", overColor: "#ff0000"))
        let svg = chart.render([
            .init(label: "a", value: 30, target: 15, valueText: "30 menit"),
            .init(label: "b", value: 10, target: 15),
        ])
        let fills = try bars(svg).map { $0.attributes["fill"] }
        #expect(fills == ["#ff0000", "#111111"])
        let root = try #require(SOPTestXML.parse(svg))
        #expect(root.all { $0.hasClass("bar-target") }.count == 2)
        #expect(root.all { $0.hasClass("bar-label") }.map(\.text) == ["30 menit", "10"])
        let higher = SVGBarChart(options: .init(title: "IKM", higherIsBetter: true, underColor: "#00ff00"))
            .render([.init(label: "U1", value: 70, target: 76.61)])
        #expect(try bars(higher).first?.attributes["fill"] == "#00ff00")
    }

    @Test func escapesAndSurvivesBadValues() throws {
        let svg = SVGBarChart(options: .init(title: "<script>x</script>")).render([
            .init(label: "<b>\"&'", value: .nan, target: .infinity),
            .init(label: "neg", value: -5),
        ])
        #expect(!svg.contains("<script") && !svg.contains("<b>"))
        #expect(try bars(svg).allSatisfy { $0.attributes["width"] == "0" })
        let empty = SVGBarChart(options: .init(title: "kosong")).render([])
        #expect(SOPTestXML.parse(empty) != nil)
        #expect(SVGBarChart(options: .init(title: "x")).render([.init(label: "a", value: 1)])
            == SVGBarChart(options: .init(title: "x")).render([.init(label: "a", value: 1)]))
    }
}
