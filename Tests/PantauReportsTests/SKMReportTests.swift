import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import PantauCore
import PantauReports

@Suite("SKM report body")
struct SKMReportTests {
    static func result() throws -> (SKMResult, SurveyDefinition) {
        var def = SurveyDefinition.standard(service: SurveyService(unitID: "dukcapil", name: "Pelayanan <KTP-el> & KK"))
        def.items[0].unsur.name.id = "Persyaratan <b>"
        var responses: [SurveyResponse] = []
        for i in 0..<30 {
            var answers: [UnsurCode: Int] = [:]
            for (j, code) in SurveyUnsur.questionnaireOrder.enumerated() { answers[code] = (i + j) % 7 == 0 ? 2 : (i % 2 == 0 ? 4 : 3) }
            responses.append(SurveyResponse(profile: RespondentProfile(gender: i % 3 == 0 ? .female : .male, education: "SMA"), answers: answers))
        }
        let r = try SKMCalculator(options: .init(population: 120, period: SurveyPeriod("2026-Q3"))).compute(def, responses: responses)
        return (r, def)
    }

    static let context = SKMReport.Context(
        agencyName: "Pemerintah Kabupaten <Contoh>", unitName: "Dinas Dukcapil",
        method: "kuesioner tertulis", samplingTechnique: "accidental sampling",
        followUps: [SKMFollowUp(unsur: .waktu, problem: "Antrian > 2 jam", action: "Tambah loket & nomor antrian daring",
                                responsible: "Kabid Pelayanan", schedule: "Triwulan IV 2026", status: "direncanakan")],
        suggestions: ["<script>alert(1)</script> mohon dipercepat"])

    @Test func indonesianOutlineAndNumbers() throws {
        let (r, def) = try Self.result()
        let html = SKMReport(language: .indonesian).html(result: r, definition: def, context: Self.context)
        for heading in ["<h2>1. Pendahuluan</h2>", "<h3>1.1 Latar Belakang</h3>", "<h3>1.2 Dasar Hukum</h3>", "<h3>1.3 Tujuan</h3>",
                        "<h2>2. Metodologi</h2>", "<h3>2.1 Populasi dan Sampel</h3>", "<h3>2.2 Unsur Pelayanan yang Diukur</h3>",
                        "<h3>2.3 Skala Jawaban</h3>", "<h3>2.4 Pengolahan Data</h3>", "<h2>3. Hasil</h2>",
                        "<h3>3.1 Profil Responden</h3>", "<h3>3.2 Nilai Rata-rata per Unsur</h3>",
                        "<h3>3.3 Indeks Kepuasan Masyarakat dan Mutu Pelayanan</h3>", "<h2>4. Kesimpulan</h2>",
                        "<h2>5. Rencana Tindak Lanjut</h2>"] {
            #expect(html.contains(heading), "missing \(heading)")
        }
        let ikm = try #require(r.ikm)
        #expect(html.contains("<tr><th>IKM</th><td>\(String(format: "%.2f", ikm).replacingOccurrences(of: ".", with: ","))</td></tr>"))
        #expect(html.contains("<th>Sampel minimal (Krejcie–Morgan)</th><td>92</td>"))
        #expect(html.contains("Belum memenuhi (kurang 62)"))
        #expect(html.contains("PermenPANRB") || html.contains("Pendayagunaan Aparatur Negara"))
        #expect(html.contains("Triwulan III 2026"))
        #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(html.contains("<th>No</th>"))
        #expect(html.contains("Tidak sesuai"))  // answer labels table
    }

    @Test func everythingIsEscaped() throws {
        let (r, def) = try Self.result()
        let html = SKMReport().html(result: r, definition: def, context: Self.context)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("Pemerintah Kabupaten &lt;Contoh&gt;"))
        #expect(html.contains("Persyaratan &lt;b&gt;"))
        #expect(html.contains("Antrian &gt; 2 jam"))
        #expect(html.contains("Tambah loket &amp; nomor antrian daring"))
        #expect(!html.contains("<KTP-el>"))
        // The fragment is well-formed XML (XHTML-compatible), so the markup is balanced.
        let xml = html.replacingOccurrences(of: "<br>", with: "<br/>")
        let parser = XMLParser(data: Data(xml.utf8))
        #expect(parser.parse(), "report HTML is not well-formed")
    }

    @Test func englishVariant() throws {
        let (r, def) = try Self.result()
        let html = SKMReport(language: .english).html(result: r, definition: def, context: Self.context)
        #expect(html.contains("<h2>1. Introduction</h2>"))
        #expect(html.contains("<h2>5. Follow-up Plan</h2>"))
        #expect(html.contains("lang=\"en\""))
        #expect(html.contains("Q3 2026"))
        let ikm = try #require(r.ikm)
        #expect(html.contains("<tr><th>IKM</th><td>\(String(format: "%.2f", ikm))</td></tr>"))
        #expect(html.contains("Not suitable"))
    }

    @Test func emptyResultAndNoFollowUps() throws {
        let def = SurveyDefinition.standard(service: SurveyService(unitID: "u"))
        let r = try SKMCalculator().compute(def, responses: [])
        let html = SKMReport().html(result: r, definition: def, context: SKMReport.Context(agencyName: "A", unitName: "U"))
        #expect(html.contains("IKM belum dapat dihitung"))
        #expect(html.contains("Belum ada rencana tindak lanjut yang dicatat."))
        #expect(html.contains("Populasi tidak dicatat"))
    }

    @Test func trendSection() throws {
        let (r, def) = try Self.result()
        var older = r
        older.ikm = 80.0
        older.ikmHundredths = 8000
        older.grade = .b
        let p = try #require(r.period)
        var ctx = Self.context
        ctx.trend = SKMTrend([(p.previous, older), (p, r)])
        let html = SKMReport().html(result: r, definition: def, context: ctx)
        #expect(html.contains("<h3>3.4 Perkembangan IKM</h3>"))
        #expect(html.contains("<h3>3.5 Saran dan Masukan Responden</h3>"))
        #expect(html.contains("Triwulan II 2026"))
    }

    @Test func chartLabelsFitTheirColumn() throws {
        let (r, _) = try Self.result()
        let svg = SKMReport(language: .indonesian).nrrChartSVG(r)
        var labels: [String] = []
        var rest = Substring(svg)
        while let a = rest.range(of: "text-anchor=\"end\"><title>") {
            let afterTitle = rest[a.upperBound...]
            guard let close = afterTitle.range(of: "</title>"), let end = afterTitle[close.upperBound...].range(of: "</text>") else { break }
            labels.append(String(afterTitle[close.upperBound..<end.lowerBound]))
            rest = afterTitle[end.upperBound...]
        }
        #expect(labels.count == r.unsur.count)
        // Entities count as one character; the widest label must fit the 230 px label column.
        for l in labels {
            let plain = l.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
            #expect(SVGText.width(plain, fontSize: 12) <= 220, "\(plain)")
        }
        #expect(labels.contains { $0.hasSuffix("…") } || labels.allSatisfy { SVGText.width($0, fontSize: 12) <= 220 })
    }
}
