import Foundation
import PantauCore
import PantauReports
import Testing

/// Loop-back arrows (a "Tidak" branch or a step going back to an earlier one) run in lanes
/// beside the symbols: never over a symbol, a branch label or a connector, never along a grid
/// line, never out of the pelaksana columns into the Kegiatan or Mutu Baku text.
@Suite struct SOPFlowchartRoutingTests {
    typealias Layout = SOPFlowchartLayout

    /// Free space kept between a loop-back and anything it passes.
    static let clearance = 2.0
    /// Nearest a vertical run may come to a column's grid line.
    static let gridMargin = 3.0

    static func intersects(_ a: Layout.Point, _ b: Layout.Point, _ r: Layout.Rect) -> Bool {
        min(a.x, b.x) < r.maxX && max(a.x, b.x) > r.minX && min(a.y, b.y) < r.maxY && max(a.y, b.y) > r.minY
    }

    /// The box a branch label's text occupies.
    static func labelBox(_ a: Layout.Arrow, fontSize f: Double) -> Layout.Rect? {
        guard let label = a.label, let p = a.labelPosition else { return nil }
        let lf = f * 0.85
        let w = SVGText.width(label, fontSize: lf)
        let x: Double
        switch a.labelAnchor {
        case .start: x = p.x
        case .middle: x = p.x - w / 2
        case .end: x = p.x - w
        }
        return Layout.Rect(x: x, y: p.y - 0.8 * lf, width: w, height: lf)
    }

    static func isLoopBack(_ a: Layout.Arrow) -> Bool {
        guard let first = a.points.first, let last = a.points.last else { return false }
        return a.toNumber <= a.fromNumber || last.y < first.y - 0.5
    }

    /// Every way a loop-back of `layout` breaks the rules, in words. With `labels` false, crossing
    /// a branch label is allowed (a single pelaksana column crowded with loop-backs has gutters
    /// narrower than a label).
    static func loopBackProblems(_ layout: Layout, labels: Bool = true) -> [String] {
        var problems: [String] = []
        guard let firstActor = layout.actorColumns.first, let lastActor = layout.actorColumns.last else { return [] }
        let left = layout.columns[firstActor].x, right = layout.columns[lastActor].maxX
        let gridXs = layout.columns.map(\.x) + [layout.width]
        for page in layout.pages {
            for a in page.arrows where isLoopBack(a) {
                let name = "page \(page.number) \(a.fromNumber)→\(a.toNumber)"
                let pts = a.points
                guard pts.count >= 2 else { problems.append("\(name): no route"); continue }
                let ends = [pts[0], pts[pts.count - 1]]
                func isEnd(_ r: Layout.Rect) -> Bool {
                    ends.contains { p in p.x >= r.minX - 0.01 && p.x <= r.maxX + 0.01 && p.y >= r.minY - 0.01 && p.y <= r.maxY + 0.01 }
                }
                for (k, (p, q)) in zip(pts, pts.dropFirst()).enumerated() {
                    for p in [p, q] where p.x < left + gridMargin || p.x > right - gridMargin {
                        problems.append("\(name): leaves the pelaksana columns at x \(p.x)")
                    }
                    if abs(p.x - q.x) < 0.01 {
                        for g in gridXs where abs(p.x - g) < gridMargin {
                            problems.append("\(name): runs along the grid line at x \(g)")
                        }
                    }
                    for sym in page.symbols {
                        let own = isEnd(sym.frame) && (k == 0 || k == pts.count - 2)
                        let box = own ? sym.frame.insetBy(0.5) : sym.frame.insetBy(-clearance)
                        if intersects(p, q, box) { problems.append("\(name): crosses symbol \(sym.number)") }
                    }
                    for c in page.connectors where !isEnd(c.frame) {
                        if intersects(p, q, c.frame.insetBy(-clearance)) { problems.append("\(name): crosses connector \(c.label)") }
                    }
                    for other in page.arrows where other != a && labels {
                        if let box = labelBox(other, fontSize: layout.fontSize), intersects(p, q, box.insetBy(-clearance)) {
                            problems.append("\(name): crosses the label \(other.label ?? "") of \(other.fromNumber)→\(other.toNumber)")
                        }
                    }
                }
                // No vertical run shared with an arrow to another step (the two would be ambiguous).
                for other in page.arrows where other.toNumber != a.toNumber {
                    for (p, q) in zip(pts, pts.dropFirst()) where abs(p.x - q.x) < 0.01 {
                        for (r, t) in zip(other.points, other.points.dropFirst()) where abs(r.x - t.x) < 0.01 && abs(r.x - p.x) < 3 {
                            let lo = max(min(p.y, q.y), min(r.y, t.y)), hi = min(max(p.y, q.y), max(r.y, t.y))
                            if hi - lo > 0.5 { problems.append("\(name): runs along \(other.fromNumber)→\(other.toNumber)") }
                        }
                    }
                }
                // The arrowhead (7 units) sits on a straight run, clear of the last bend.
                let last = pts[pts.count - 1], prev = pts[pts.count - 2]
                if abs(last.x - prev.x) + abs(last.y - prev.y) < 8 - 0.01 {
                    problems.append("\(name): last run \(abs(last.x - prev.x) + abs(last.y - prev.y)) is shorter than its arrowhead")
                }
            }
        }
        return problems
    }

    static func documents() throws -> [(String, SOPDocument)] {
        var docs = try SOPExamples.load().map { ($0.name, $0.document) }
        docs.append(("sample", SOPSample.izinUsaha))
        for (n, actors) in [(30, 3), (30, 5), (45, 2), (24, 7), (40, 4), (18, 1)] {
            docs.append(("generated \(n)/\(actors)", SOPFlowchartStressTests.generated(steps: n, actors: actors)))
        }
        docs.append(("crowded 1", crowded(actors: 1)))
        docs.append(("crowded 2", crowded(actors: 2)))
        docs.append(("crowded 6", crowded(actors: 6)))
        return docs
    }

    /// Many loop-backs over the same rows: every third step is a decision whose Tidak branch
    /// goes back to step 2, 3 or 4; the actors take turns.
    static func crowded(actors: Int) -> SOPDocument {
        let acts = (0..<actors).map { SOPActor(id: "a\($0)", name: "Pelaksana \($0)") }
        var steps: [SOPStep] = [SOPStep(id: "s0", kind: .start, activity: "Mulai", actor: "a0")]
        for i in 1..<15 {
            let actor = "a\(i % actors)"
            if i % 3 == 0 {
                steps.append(SOPStep(id: "s\(i)", kind: .decision, activity: "Periksa \(i)", actor: actor,
                                     yes: "s\(i + 1)", no: "s\(1 + i % 3 + (i / 3) % 3)", question: "Sesuai?"))
            } else {
                steps.append(SOPStep(id: "s\(i)", activity: "Kegiatan \(i)", actor: actor))
            }
        }
        steps.append(SOPStep(id: "s15", kind: .end, activity: "Selesai", actor: "a0"))
        return SOPDocument(identity: SOPIdentity(unitName: "Unit", number: "2", title: "Padat"), actors: acts, steps: steps)
    }

    @Test func loopBacksKeepClearOfSymbolsTextAndGridLines() throws {
        let optionSets: [SOPFlowchartRenderer.Options] = [
            SOPDocumentHTML.defaultFlowchartOptions, .init(), .init(rowsPerPage: 4), .init(width: 800, maxPageHeight: 500),
        ]
        var all: [String] = []
        for (name, doc) in try Self.documents() {
            for options in optionSets {
                let problems = Self.loopBackProblems(SOPFlowchartRenderer(options: options).layout(doc), labels: name != "crowded 1")
                all += problems.map { "\(name) (\(options.rowsPerPage.map { "\($0) rows" } ?? "\(options.maxPageHeight ?? 0) high")): \($0)" }
            }
        }
        #expect(all.isEmpty, "\(all.count) problems:\n\(all.prefix(40).joined(separator: "\n"))")
    }

    @Test func demoLoopBacksRunInTheGutterBesideTheSymbols() throws {
        // Imunisasi: "Menerbitkan buku KIA pengganti" (3) goes back to the KIA check (2), both in
        // the first pelaksana column, next to the Kegiatan column.
        let examples = try SOPExamples.load()
        let imunisasi = try #require(examples.first { $0.name.contains("imunisasi") }?.document)
        let layout = SOPFlowchartRenderer(options: SOPDocumentHTML.defaultFlowchartOptions).layout(imunisasi)
        let page = try #require(layout.pages.first)
        let loop = try #require(page.arrows.first { $0.fromNumber == 3 && $0.toNumber == 2 })
        let col = layout.columns[try #require(layout.actorColumns.first)]
        let climb = try #require(zip(loop.points, loop.points.dropFirst()).first { abs($0.0.x - $0.1.x) < 0.01 && $0.0.y > $0.1.y })
        // It climbs on the right of the symbols, away from the Kegiatan text, in a gutter.
        let symbols = page.symbols.filter { $0.column == layout.actorColumns.first }
        #expect(climb.0.x > symbols.map(\.frame.maxX).max() ?? 0)
        #expect(climb.0.x > col.x + col.width / 2)
        #expect(Self.loopBackProblems(layout).isEmpty)
    }
}

/// Writes the crowded loop-back documents as SVG to `PANTAU_SOP_PREVIEW_DIR`, for a person to look at.
@Suite struct SOPFlowchartRoutingPreview {
    @Test func crowdedDocumentsRenderAndArePreviewedWhenAsked() throws {
        let dir = ProcessInfo.processInfo.environment["PANTAU_SOP_PREVIEW_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        for a in [1, 2, 6] {
            let doc = SOPFlowchartRoutingTests.crowded(actors: a)
            for (suffix, options) in [("", SOPFlowchartRenderer.Options()), ("-a4", SOPDocumentHTML.defaultFlowchartOptions)] {
                let pages = SOPFlowchartRenderer(options: options).render(doc)
                #expect(!pages.isEmpty && pages.allSatisfy { SOPTestXML.parse($0) != nil })
                guard let dir else { continue }
                for (i, svg) in pages.enumerated() {
                    try svg.write(toFile: dir + "/crowded\(a)\(suffix)-p\(i + 1).svg", atomically: true, encoding: .utf8)
                }
            }
        }
    }
}
