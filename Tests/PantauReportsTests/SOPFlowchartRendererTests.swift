import Foundation
import PantauCore
import PantauReports
import Testing

@Suite struct SOPFlowchartRendererTests {
    typealias Layout = SOPFlowchartLayout

    let doc = SOPSample.izinUsaha

    /// Every (from, to, branch) arrow the SOP defines, as step numbers.
    func expectedEdges(_ d: SOPDocument) -> Set<String> {
        var out = Set<String>()
        for (i, s) in d.steps.enumerated() {
            for (t, b) in d.successors(of: s) {
                if let j = d.number(ofStep: t) { out.insert("\(i + 1)>\(j):\(b.rawValue)") }
            }
        }
        return out
    }

    func parse(_ svg: String) throws -> SOPTestXML {
        try #require(SOPTestXML.parse(svg), "SVG is not well-formed XML")
    }

    /// Whether an axis-parallel segment passes through the inside of `r` (shrunk by 0.5 so touching is allowed).
    func crosses(_ a: Layout.Point, _ b: Layout.Point, _ r: Layout.Rect) -> Bool {
        let r = r.insetBy(0.5)
        return min(a.x, b.x) < r.maxX && max(a.x, b.x) > r.minX && min(a.y, b.y) < r.maxY && max(a.y, b.y) > r.minY
    }

    func onBoundary(_ p: Layout.Point, _ r: Layout.Rect) -> Bool {
        let tol = 0.01
        let inX = p.x >= r.minX - tol && p.x <= r.maxX + tol
        let inY = p.y >= r.minY - tol && p.y <= r.maxY + tol
        return inX && inY && (abs(p.x - r.minX) < tol || abs(p.x - r.maxX) < tol || abs(p.y - r.minY) < tol
            || abs(p.y - r.maxY) < tol || (abs(p.x - r.midX) < tol) || abs(p.y - r.midY) < tol)
    }

    @Test func drawsOneSymbolPerStepWithThePermenShapes() throws {
        let pages = SOPFlowchartRenderer().render(doc)
        #expect(pages.count == 1)
        let svg = try parse(pages[0])
        #expect(svg.name == "svg")
        let symbols = svg.all { $0.name == "g" && $0.hasClass("sop-symbol") }
        #expect(symbols.count == doc.steps.count)
        let shapes = Dictionary(grouping: symbols, by: { $0.attributes["data-shape"] ?? "" }).mapValues(\.count)
        #expect(shapes["terminator"] == 3) // start + two ends
        #expect(shapes["process"] == 5)
        #expect(shapes["decision"] == 2)
        // Terminators are capsules (rounded with radius half the height), decisions are diamonds (4-point paths).
        for t in symbols where t.attributes["data-shape"] == "terminator" {
            let rect = try #require(t.children.first { $0.name == "rect" })
            #expect(Double(rect.attributes["rx"] ?? "") == (Double(rect.attributes["height"] ?? "") ?? 0) / 2)
        }
        for d in symbols where d.attributes["data-shape"] == "decision" {
            let path = try #require(d.children.first { $0.name == "path" })
            #expect((path.attributes["d"] ?? "").filter { $0 == "L" }.count == 3)
        }
        // The questions are inside the diamonds.
        let decisionText = symbols.filter { $0.attributes["data-shape"] == "decision" }.map(\.allText).joined(separator: " ")
        #expect(decisionText.contains("Berkas") && decisionText.contains("lengkap?"))
        #expect(decisionText.contains("Memenuhi") && decisionText.contains("syarat?"))
    }

    @Test func eachSymbolSitsInItsActorColumnAndItsRow() throws {
        let renderer = SOPFlowchartRenderer()
        let layout = renderer.layout(doc)
        let page = try #require(layout.pages.first)
        #expect(page.rows.count == doc.steps.count)
        for sym in page.symbols {
            let step = try #require(doc.step(id: sym.stepID))
            let col = layout.columns[sym.column]
            #expect(col.role == .actor(id: step.actor))
            let row = try #require(page.rows.first { $0.stepID == sym.stepID })
            #expect(sym.frame.minX > col.x && sym.frame.maxX < col.maxX, "step \(sym.number) outside its column")
            #expect(sym.frame.minY > row.y && sym.frame.maxY < row.maxY, "step \(sym.number) outside its row")
        }
        // The same holds in the drawn SVG: the symbol's rect/path lies in the column's x-range.
        let svg = try parse(renderer.renderSVG(layout, document: doc)[0])
        let actorIndex = Dictionary(uniqueKeysWithValues: doc.actors.enumerated().map { ($0.element.id, $0.offset) })
        let firstActor = try #require(layout.firstActorColumn)
        for g in svg.all({ $0.hasClass("sop-symbol") }) {
            let no = try #require(Int(g.attributes["data-no"] ?? ""))
            let step = doc.steps[no - 1]
            let col = layout.columns[firstActor + (actorIndex[step.actor] ?? -1)]
            #expect(g.attributes["data-column"] == String(firstActor + (actorIndex[step.actor] ?? -1)))
            if let rect = g.children.first(where: { $0.name == "rect" }) {
                let x = try #require(Double(rect.attributes["x"] ?? "")), w = try #require(Double(rect.attributes["width"] ?? ""))
                #expect(x > col.x && x + w < col.maxX)
            }
        }
        // Column order: No, Kegiatan, the actors in the SOP's order, Kelengkapan, Waktu, Output, Keterangan.
        let titles = layout.columns.map(\.title)
        #expect(titles == ["No", "Kegiatan"] + doc.actors.map(\.name) + ["Kelengkapan", "Waktu", "Output", "Keterangan"])
        #expect(abs(layout.width - 1047) < 0.01)
    }

    @Test func drawsAnArrowForEverySuccessorEdgeWithYaTidakOnBranches() throws {
        let svg = try parse(SOPFlowchartRenderer().render(doc)[0])
        let arrows = svg.all { $0.name == "g" && $0.hasClass("sop-arrow") }
        var drawn = Set<String>()
        for a in arrows {
            let key = "\(a.attributes["data-from"] ?? "")>\(a.attributes["data-to"] ?? ""):\(a.attributes["data-branch"] ?? "")"
            #expect(drawn.insert(key).inserted, "arrow \(key) drawn twice")
            let label = a.children.first { $0.hasClass("sop-branch-label") }?.text
            switch a.attributes["data-branch"] {
            case "yes": #expect(label == "Ya")
            case "no": #expect(label == "Tidak")
            default: #expect(label == nil)
            }
            // Each arrow has a line and an arrowhead.
            #expect(a.children.filter { $0.name == "path" }.count == 2)
            #expect(a.children.contains { $0.hasClass("sop-arrowhead") })
        }
        #expect(drawn == expectedEdges(doc))
        #expect(drawn.count == 10)
    }

    @Test func arrowsAreOrthogonalRunBetweenPortsAndNeverCrossASymbol() throws {
        let layout = SOPFlowchartRenderer().layout(doc)
        let page = try #require(layout.pages.first)
        let frames = Dictionary(uniqueKeysWithValues: page.symbols.map { ($0.number, $0.frame) })
        for arrow in page.arrows {
            let pts = arrow.points
            #expect(pts.count >= 2)
            for k in 0..<(pts.count - 1) {
                #expect(abs(pts[k].x - pts[k + 1].x) < 0.01 || abs(pts[k].y - pts[k + 1].y) < 0.01, "diagonal segment in \(arrow.fromNumber)→\(arrow.toNumber)")
                for sym in page.symbols {
                    #expect(!crosses(pts[k], pts[k + 1], sym.frame), "\(arrow.fromNumber)→\(arrow.toNumber) crosses symbol \(sym.number)")
                }
            }
            let src = try #require(frames[arrow.fromNumber]), dst = try #require(frames[arrow.toNumber])
            #expect(onBoundary(pts[0], src))
            #expect(onBoundary(pts[pts.count - 1], dst))
            // Arrows stay inside the pelaksana columns.
            let first = layout.columns[try #require(layout.firstActorColumn)]
            let last = layout.columns[try #require(layout.actorColumns.last)]
            for p in pts { #expect(p.x > first.x && p.x < last.maxX) }
        }
    }

    @Test func loopBackIsRoutedBesideTheSymbols() throws {
        let layout = SOPFlowchartRenderer().layout(doc)
        let page = try #require(layout.pages.first)
        // Step 3 (Pemohon melengkapi) goes back up to step 2 (the completeness check).
        let loop = try #require(page.arrows.first { $0.fromNumber == 3 && $0.toNumber == 2 })
        let src = try #require(page.symbols.first { $0.number == 3 }).frame
        let dst = try #require(page.symbols.first { $0.number == 2 }).frame
        #expect(loop.points.count >= 4, "a loop-back needs at least three segments")
        // It climbs along a vertical lane that is clear of both symbols' x-ranges and of all other symbols.
        let verticals = zip(loop.points, loop.points.dropFirst()).filter { abs($0.0.x - $0.1.x) < 0.01 && $0.0.y > $0.1.y }
        let climb = try #require(verticals.first)
        #expect(climb.0.x < min(src.minX, dst.minX) || climb.0.x > max(src.maxX, dst.maxX))
        #expect(climb.0.y >= src.minY && climb.1.y <= dst.maxY)
        for sym in page.symbols {
            for (a, b) in zip(loop.points, loop.points.dropFirst()) {
                #expect(!crosses(a, b, sym.frame))
            }
        }
        // The Tidak branch of step 2 goes to the applicant (step 3, Pemohon column).
        let tidak = try #require(page.arrows.first { $0.fromNumber == 2 && $0.branch == .no })
        #expect(tidak.toNumber == 3 && tidak.label == "Tidak")
    }

    @Test func connectorsAppearExactlyAtPageBreaks() throws {
        let renderer = SOPFlowchartRenderer(options: .init(rowsPerPage: 4))
        let layout = renderer.layout(doc)
        // Three pages of at most four rows, balanced (4, 3, 3) rather than filled (4, 4, 2).
        #expect(layout.pages.map { $0.rows.map(\.number) } == [[1, 2, 3, 4], [5, 6, 7], [8, 9, 10]])
        var pageOf: [Int: Int] = [:]
        for p in layout.pages { for r in p.rows { pageOf[r.number] = p.number } }
        // Cross-page edges from the SOP.
        var cross: [(from: Int, to: Int)] = []
        for e in expectedEdges(doc).sorted() {
            let parts = e.split(whereSeparator: { $0 == ">" || $0 == ":" }).compactMap { Int($0) }
            if pageOf[parts[0]] != pageOf[parts[1]] { cross.append((parts[0], parts[1])) }
        }
        #expect(cross.count == 3) // 4→5, 7→8 (Ya), 7→10 (Tidak)
        let allConnectors = layout.pages.flatMap { p in p.connectors.map { (p.number, $0) } }
        #expect(allConnectors.count == 2 * cross.count)
        for (from, to) in cross {
            let out = allConnectors.filter { $0.1.isOutgoing && $0.1.stepNumber == from && $0.1.otherStepNumber == to }
            let inc = allConnectors.filter { !$0.1.isOutgoing && $0.1.stepNumber == to && $0.1.otherStepNumber == from }
            #expect(out.count == 1 && inc.count == 1, "connector pair for \(from)→\(to)")
            guard let o = out.first, let i = inc.first else { continue }
            #expect(o.0 == pageOf[from] && i.0 == pageOf[to])
            #expect(o.1.label == i.1.label)
            #expect(o.1.otherPage == pageOf[to] && i.1.otherPage == pageOf[from])
            // The arrow on each page ends in / starts from the connector.
            let pOut = layout.pages[o.0 - 1], pIn = layout.pages[i.0 - 1]
            let aOut = try #require(pOut.arrows.first { $0.fromNumber == from && $0.toNumber == to })
            let aIn = try #require(pIn.arrows.first { $0.fromNumber == from && $0.toNumber == to })
            #expect(aOut.connectorLabel == o.1.label && aIn.connectorLabel == o.1.label)
            #expect(onBoundary(aOut.points[aOut.points.count - 1], o.1.frame))
            #expect(onBoundary(aIn.points[0], i.1.frame))
            // Forward breaks: outgoing in the bottom band, incoming in the top band.
            let bottom = try #require(pOut.bottomBand), top = try #require(pIn.topBand)
            #expect(o.1.frame.minY >= bottom.y && o.1.frame.maxY <= bottom.y + bottom.height)
            #expect(i.1.frame.minY >= top.y && i.1.frame.maxY <= top.y + top.height)
        }
        // Labels A, B, C in table order, and drawn as pentagons in the SVG.
        #expect(Set(allConnectors.map(\.1.label)) == ["A", "B", "C"])
        let svgs = renderer.renderSVG(layout, document: doc)
        #expect(svgs.count == 3)
        for (k, s) in svgs.enumerated() {
            let svg = try parse(s)
            let cs = svg.all { $0.hasClass("sop-connector") }
            #expect(cs.count == layout.pages[k].connectors.count)
            for c in cs {
                let path = try #require(c.children.first { $0.name == "path" })
                #expect((path.attributes["d"] ?? "").filter { $0 == "L" }.count == 4) // five corners
            }
        }
        // Without a page limit there are no connectors.
        #expect(SOPFlowchartRenderer().layout(doc).pages.allSatisfy { $0.connectors.isEmpty && $0.topBand == nil && $0.bottomBand == nil })
    }

    @Test func loopBackAcrossAPageBreakUsesConnectorsToo() throws {
        // Page break between step 2 and 3: the Tidak branch 2→3 and the loop-back 3→2 both cross it.
        let layout = SOPFlowchartRenderer(options: .init(rowsPerPage: 2)).layout(doc)
        let p1 = layout.pages[0], p2 = layout.pages[1]
        let loopOut = try #require(p2.connectors.first { $0.isOutgoing && $0.stepNumber == 3 && $0.otherStepNumber == 2 })
        let loopIn = try #require(p1.connectors.first { !$0.isOutgoing && $0.stepNumber == 2 && $0.otherStepNumber == 3 })
        #expect(loopOut.label == loopIn.label)
        // A loop-back leaves through the top band and resumes from the bottom band of the earlier page.
        let top = try #require(p2.topBand), bottom = try #require(p1.bottomBand)
        #expect(loopOut.frame.minY >= top.y && loopOut.frame.maxY <= top.y + top.height)
        #expect(loopIn.frame.minY >= bottom.y && loopIn.frame.maxY <= bottom.y + bottom.height)
        for page in layout.pages {
            for a in page.arrows {
                for (p, q) in zip(a.points, a.points.dropFirst()) {
                    for sym in page.symbols { #expect(!crosses(p, q, sym.frame)) }
                    #expect(min(p.y, q.y) >= page.headerHeight && max(p.y, q.y) <= page.height)
                }
            }
        }
    }

    @Test func maxPageHeightSplitsPages() throws {
        let renderer = SOPFlowchartRenderer(options: .init(maxPageHeight: 400))
        let layout = renderer.layout(doc)
        #expect(layout.pages.count > 1)
        for p in layout.pages where p.rows.count > 1 { #expect(p.height <= 400) }
        #expect(layout.pages.flatMap { $0.rows.map(\.number) } == Array(1...doc.steps.count))
    }

    @Test func showsMutuBakuTimesAndTexts() throws {
        let svg = try parse(SOPFlowchartRenderer().render(doc)[0])
        let rows = svg.all { $0.hasClass("sop-row") }
        #expect(rows.count == doc.steps.count)
        let lines = rows.map { $0.children.filter { $0.name == "text" }.map(\.text) }
        #expect(lines[0].contains("15 menit"))
        #expect(lines[2].contains("1 hari"))
        #expect(lines[5].contains("2 jam"))
        #expect(lines[0].first == "1")
        // Header: group headings and actor names.
        let header = try #require(svg.all { $0.hasClass("sop-header") }.first).allText
        for word in ["Pelaksana", "Mutu Baku", "Kelengkapan", "Waktu", "Output", "Keterangan", "Pemohon", "Verifikator"] {
            #expect(header.contains(word))
        }
    }

    @Test func englishLabels() throws {
        let svg = try parse(SOPFlowchartRenderer(options: .init(language: .en)).render(doc)[0])
        let header = try #require(svg.all { $0.hasClass("sop-header") }.first).allText
        #expect(header.contains("Activity") && header.contains("Quality Standard") && header.contains("Requirements"))
        let labels = svg.all { $0.hasClass("sop-branch-label") }.map(\.text)
        #expect(Set(labels) == ["Yes", "No"])
        #expect(svg.allText.contains("1 d"))
    }

    @Test func isAccessible() throws {
        let svg = try parse(SOPFlowchartRenderer(options: .init(rowsPerPage: 5, idPrefix: "x")).render(doc)[1])
        #expect(svg.attributes["role"] == "img")
        #expect(svg.attributes["aria-labelledby"] == "x-p2-title x-p2-desc")
        let title = try #require(svg.children.first { $0.name == "title" })
        #expect(title.attributes["id"] == "x-p2-title")
        #expect(title.text.contains("Penerbitan Izin Usaha") && title.text.contains("halaman 2 dari 2"))
        let desc = try #require(svg.children.first { $0.name == "desc" })
        #expect(desc.text.contains("7. Kepala Bidang Perizinan (keputusan)"))
        // Every symbol, arrow and connector has its own title.
        for g in svg.all({ $0.hasClass("sop-symbol") || $0.hasClass("sop-arrow") || $0.hasClass("sop-connector") }) {
            #expect(g.children.contains { $0.name == "title" && !$0.text.isEmpty })
        }
    }

    @Test func escapesHostileTextInEveryField() throws {
        let attack = "<script>alert(\"x\")</script>&'\u{0}"
        let hostile = SOPSample.hostile(attack)
        for options in [SOPFlowchartRenderer.Options(), .init(rowsPerPage: 3)] {
            for page in SOPFlowchartRenderer(options: options).render(hostile) {
                #expect(!page.contains("<script"))
                #expect(!page.contains("\u{0}"))
                let svg = try parse(page)
                #expect(svg.all { $0.name == "script" }.isEmpty)
                #expect(svg.allText.contains("<script>")) // shown as text, not markup
            }
        }
        // Hostile step ids and an attacker-chosen id prefix stay inside attributes.
        var d = SOPSample.izinUsaha
        d.steps[0].id = "\"><script>x</script>"
        d.steps[1].next = nil
        let page = SOPFlowchartRenderer(options: .init(idPrefix: "\"><script>")).render(d)[0]
        #expect(!page.contains("<script"))
        _ = try parse(page)
    }

    @Test func sameInputGivesTheSameBytes() {
        let a = SOPFlowchartRenderer(options: .init(rowsPerPage: 4)).render(doc)
        let b = SOPFlowchartRenderer(options: .init(rowsPerPage: 4)).render(SOPSample.izinUsaha)
        #expect(a == b)
        #expect(SOPFlowchartRenderer().layout(doc) == SOPFlowchartRenderer().layout(doc))
    }

    @Test func survivesBrokenDocuments() throws {
        var d = SOPSample.izinUsaha
        d.steps[3].actor = "tidak-ada"       // unknown actor: gets its own column
        d.steps[4].next = "hilang"           // unknown target: no arrow
        d.steps[5].next = d.steps[5].id      // self-loop
        d.steps.append(SOPStep(id: "ajukan", activity: "", actor: ""))  // duplicate id, empty text
        let renderer = SOPFlowchartRenderer(options: .init(rowsPerPage: 3))
        let layout = renderer.layout(d)
        #expect(layout.columns.contains { $0.role == .actor(id: "") })
        for s in renderer.renderSVG(layout, document: d) { _ = try parse(s) }
        let selfLoop = layout.pages.flatMap(\.arrows).first { $0.fromNumber == 6 && $0.toNumber == 6 }
        #expect(selfLoop != nil && (selfLoop?.points.count ?? 0) >= 3)
        #expect(!layout.pages.flatMap(\.arrows).contains { $0.fromNumber == 5 })

        let empty = SOPDocument(identity: SOPIdentity(unitName: "", number: "", title: ""), actors: [], steps: [])
        let pages = SOPFlowchartRenderer().render(empty)
        #expect(pages.count == 1)
        _ = try parse(pages[0])

        var wide = SOPSample.izinUsaha
        wide.actors += (1...12).map { SOPActor(id: "a\($0)", name: "Pelaksana Tambahan \($0)") }
        let wideLayout = SOPFlowchartRenderer().layout(wide)
        #expect(wideLayout.width > 1047) // many actors: wider table, scaled down when printed
        #expect(wideLayout.columns.allSatisfy { $0.width > 0 })
    }
}

@Suite struct SOPFlowchartStressTests {
    /// A generated SOP: `n` steps over `actors` columns, every fifth step a decision whose Tidak
    /// branch jumps back 1–4 rows, some forward jumps; deterministic.
    static func generated(steps n: Int, actors: Int) -> SOPDocument {
        let acts = (0..<actors).map { SOPActor(id: "a\($0)", name: "Pelaksana \($0)") }
        var steps: [SOPStep] = []
        var seed: UInt64 = 42
        func next() -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int(seed >> 33)
        }
        for i in 0..<n {
            let actor = "a\(next() % actors)"
            if i == 0 {
                steps.append(SOPStep(id: "s0", kind: .start, activity: "Mulai", actor: actor))
            } else if i == n - 1 {
                steps.append(SOPStep(id: "s\(i)", kind: .end, activity: "Selesai", actor: actor))
            } else if i % 5 == 0 {
                let back = max(0, i - 1 - next() % 4)
                steps.append(SOPStep(id: "s\(i)", kind: .decision, activity: "Keputusan \(i)", actor: actor,
                                     yes: "s\(i + 1)", no: "s\(back)", question: "Sesuai?"))
            } else if i % 7 == 0 && i + 3 < n - 1 {
                steps.append(SOPStep(id: "s\(i)", activity: "Lompat \(i)", actor: actor, next: "s\(i + 3)"))
            } else {
                steps.append(SOPStep(id: "s\(i)", activity: "Langkah \(i) dengan uraian kegiatan yang agak panjang", actor: actor))
            }
        }
        return SOPDocument(identity: SOPIdentity(unitName: "Unit", number: "1", title: "Uji"), actors: acts, steps: steps)
    }

    @Test(arguments: [(30, 3, nil), (30, 5, 6), (60, 6, 8), (45, 2, 5)] as [(Int, Int, Int?)])
    func everyEdgeIsDrawnAndNoArrowCrossesASymbol(n: Int, actors: Int, rowsPerPage: Int?) throws {
        let doc = Self.generated(steps: n, actors: actors)
        let layout = SOPFlowchartRenderer(options: .init(rowsPerPage: rowsPerPage)).layout(doc)
        var pageOf: [Int: Int] = [:]
        for p in layout.pages { for r in p.rows { pageOf[r.number] = p.number } }
        var expected = 0
        for (i, s) in doc.steps.enumerated() {
            for (t, _) in doc.successors(of: s) where doc.number(ofStep: t) != nil {
                expected += pageOf[i + 1] == pageOf[doc.number(ofStep: t) ?? 0] ? 1 : 2
            }
        }
        let arrows = layout.pages.flatMap(\.arrows)
        #expect(arrows.count == expected)
        var crossings = 0
        for page in layout.pages {
            for a in page.arrows {
                #expect(a.points.count >= 2)
                for (p, q) in zip(a.points, a.points.dropFirst()) {
                    #expect(abs(p.x - q.x) < 0.01 || abs(p.y - q.y) < 0.01)
                    for sym in page.symbols {
                        let r = sym.frame.insetBy(0.5)
                        if min(p.x, q.x) < r.maxX && max(p.x, q.x) > r.minX && min(p.y, q.y) < r.maxY && max(p.y, q.y) > r.minY {
                            crossings += 1
                        }
                    }
                }
            }
        }
        #expect(crossings == 0)
        for svg in SOPFlowchartRenderer(options: .init(rowsPerPage: rowsPerPage)).renderSVG(layout, document: doc) {
            #expect(SOPTestXML.parse(svg) != nil)
        }
    }
}
