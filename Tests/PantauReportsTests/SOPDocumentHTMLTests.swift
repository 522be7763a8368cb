import Foundation
import PantauCore
import PantauReports
import Testing

@Suite struct SOPDocumentHTMLTests {
    let doc = SOPSample.izinUsaha

    func parse(_ html: String) throws -> SOPTestXML {
        try #require(SOPTestXML.parse(html), "fragment is not well-formed")
    }

    @Test func identityBlockHasAllThirteenFieldsInThePermenLayout() throws {
        let html = SOPDocumentHTML(options: .init(logoURL: "https://pemda.example.go.id/logo.png", agencyName: "Pemerintah Kabupaten Contoh")).render(doc)
        let root = try parse(html)
        #expect(root.name == "article" && root.attributes["lang"] == "id")
        let table = try #require(root.all { $0.hasClass("sop-identity") }.first)
        let rows = table.all { $0.name == "tr" }
        // Right side of the upper part, in order.
        let labels = table.all { $0.hasClass("sop-label") }.map(\.text)
        #expect(labels == ["Nomor SOP", "Tanggal Pembuatan", "Tanggal Revisi", "Tanggal Efektif", "Disahkan oleh", "Nama SOP"])
        // The unit cell spans those six rows and holds the logo and names.
        let unit = try #require(rows.first?.children.first)
        #expect(unit.hasClass("sop-unit") && unit.attributes["rowspan"] == "6")
        let img = try #require(unit.all { $0.name == "img" }.first)
        #expect(img.attributes["src"] == "https://pemda.example.go.id/logo.png")
        #expect(unit.allText.contains("Pemerintah Kabupaten Contoh"))
        #expect(unit.allText.contains(doc.identity.unitName))
        // Lower part: three pairs of headings.
        let sections = table.all { $0.hasClass("sop-section-label") }.map(\.text)
        #expect(sections == ["Dasar Hukum:", "Kualifikasi Pelaksana:", "Keterkaitan:", "Peralatan/Perlengkapan:",
                             "Peringatan:", "Pencatatan dan Pendataan:"])
        let text = table.allText
        for s in doc.identity.legalBasis + doc.identity.executorQualifications + doc.identity.equipment + doc.identity.recordKeeping {
            #expect(text.contains(s))
        }
        #expect(text.contains("800/044/SOP/DPMPTSP/2026 – Pelayanan Informasi Perizinan (prasyarat)"))
        #expect(text.contains(doc.identity.warning))
        // Approval: jabatan, signature space, name, NIP grouped as printed.
        let approval = try #require(table.all { $0.hasClass("sop-approval") }.first)
        #expect(approval.children.map { $0.attributes["class"] ?? "" } ==
                ["sop-approver-position", "sop-signature-space", "sop-approver-name", "sop-approver-nip"])
        #expect(approval.allText.contains("NIP. 19750312 200003 2 004"))
        #expect(try #require(table.all { $0.hasClass("sop-title") }.first).text == "Penerbitan Izin Usaha")
    }

    @Test func datesAreWrittenTheIndonesianWay() {
        #expect(SOPDocumentHTML.formatDate(CivilDate(year: 2026, month: 8, day: 17), language: .id) == "17 Agustus 2026")
        #expect(SOPDocumentHTML.formatDate(CivilDate(year: 2026, month: 1, day: 2), language: .id) == "2 Januari 2026")
        #expect(SOPDocumentHTML.formatDate(CivilDate(year: 2026, month: 8, day: 17), language: .en) == "17 August 2026")
        #expect(SOPDocumentHTML.formatDate(nil, language: .id) == "-")
        let html = SOPDocumentHTML().render(doc)
        #expect(html.contains("12 Januari 2026") && html.contains("12 Januari 2027") && html.contains("17 Agustus 2026"))
        #expect(SOPDocumentHTML.formatNIP("19750312 200003 2 004") == "19750312 200003 2 004")
        #expect(SOPDocumentHTML.formatNIP("12345") == "12345")
    }

    @Test func englishLabels() throws {
        let root = try parse(SOPDocumentHTML(options: .init(language: .en)).render(doc))
        #expect(root.attributes["lang"] == "en")
        let labels = root.all { $0.hasClass("sop-label") }.map(\.text)
        #expect(labels.first == "SOP Number" && labels.last == "SOP Title")
        #expect(root.allText.contains("17 August 2026"))
        let svg = try #require(root.all { $0.name == "svg" }.first)
        #expect(svg.allText.contains("Quality Standard"))
    }

    @Test func flowchartFollowsOnItsOwnPages() throws {
        let root = try parse(SOPDocumentHTML(options: .init(flowchart: .init(rowsPerPage: 4))).render(doc))
        let pages = root.all { $0.hasClass("sop-flow-page") }
        #expect(pages.count == 3)
        for (i, p) in pages.enumerated() {
            #expect(p.all { $0.name == "svg" }.count == 1)
            #expect(p.allText.contains("Halaman \(i + 1) dari 3"))
        }
        // Ids stay unique across the pages.
        let ids = root.all { $0.attributes["id"] != nil }.compactMap { $0.attributes["id"] }
        #expect(Set(ids).count == ids.count)
        // The default fits A4 landscape: the sample splits into pages no taller than the printable height.
        let fitted = try parse(SOPDocumentHTML().render(doc))
        for svg in fitted.all({ $0.name == "svg" }) {
            #expect((Double(svg.attributes["height"] ?? "") ?? 0) <= 718)
            #expect(svg.attributes["width"] == "1047")
        }
        let noFlow = try parse(SOPDocumentHTML(options: .init(includeFlowchart: false)).render(doc))
        #expect(noFlow.all { $0.hasClass("sop-flow-page") }.isEmpty)
    }

    @Test func printCSSIsA4Landscape() {
        let css = SOPDocumentHTML.printCSS
        #expect(css.contains("@page { size: A4 landscape; margin: 10mm; }"))
        #expect(css.contains("@media print"))
        #expect(css.contains(".sop-flow-page { break-before: page;"))
        let page = SOPDocumentHTML().renderPage(doc)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains(css))
        #expect(page.contains("<title>800/045/SOP/DPMPTSP/2026 – Penerbitan Izin Usaha</title>"))
    }

    @Test func escapesHostileTextInEveryField() throws {
        let attack = "<script>alert(1)</script>\"'&"
        let hostile = SOPSample.hostile(attack)
        let html = SOPDocumentHTML(options: .init(logoURL: "javascript:alert(1)", agencyName: attack, idPrefix: "\"><script>")).render(hostile)
        #expect(!html.contains("<script"))
        #expect(!html.contains("javascript:"))
        let root = try parse(html)
        #expect(root.all { $0.name == "script" }.isEmpty)
        #expect(root.all { $0.name == "img" }.isEmpty)
        // The text is shown as written, in each identity field.
        let table = try #require(root.all { $0.hasClass("sop-identity") }.first)
        let cells = table.all { $0.name == "td" || $0.name == "div" || $0.name == "li" || $0.name == "p" }
        let withAttack = cells.filter { $0.text.contains(attack) }
        // unit, agency, number, title, position, name, NIP, legal basis, related, warning, qualification, equipment, record keeping
        #expect(withAttack.count >= 12)
        let page = SOPDocumentHTML().renderPage(hostile)
        #expect(!page.contains("<script"))
    }

    @Test func sameInputGivesTheSameBytes() {
        #expect(SOPDocumentHTML().render(doc) == SOPDocumentHTML().render(SOPSample.izinUsaha))
    }

    @Test func emptyIdentityShowsDashes() throws {
        let empty = SOPDocument(identity: SOPIdentity(unitName: "", number: "", title: ""), actors: [], steps: [])
        let root = try parse(SOPDocumentHTML().render(empty))
        #expect(root.all { $0.hasClass("sop-empty") }.count >= 8)
    }
}
