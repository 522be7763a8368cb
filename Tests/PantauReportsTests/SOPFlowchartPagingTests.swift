import Foundation
import PantauCore
import PantauReports
import Testing

/// Page breaks of the flowchart: as few pages as the limits allow, balanced, never a lone step
/// on a page when it fits on its neighbour.
@Suite struct SOPFlowchartPagingTests {
    typealias Layout = SOPFlowchartLayout

    /// The height a page holding `rows` (step numbers, consecutive) would have: header, rows, and
    /// a connector band above / below when an arrow joins its rows to earlier / later rows.
    static func pageHeight(_ rows: [Int], layout: Layout, document: SOPDocument) -> Double {
        let heights = Dictionary(uniqueKeysWithValues: layout.pages.flatMap(\.rows).map { ($0.number, $0.height) })
        let header = layout.headerRowHeights.reduce(0, +)
        let band = 42 * layout.fontSize / 10
        guard let lo = rows.min(), let hi = rows.max() else { return header }
        var top = false, bottom = false
        for (i, s) in document.steps.enumerated() {
            for (t, _) in document.successors(of: s) {
                guard let j = document.number(ofStep: t), j != i + 1 else { continue }
                let a = min(i + 1, j), b = max(i + 1, j)
                if (lo...hi).contains(b) && a < lo { top = true }
                if (lo...hi).contains(a) && b > hi { bottom = true }
            }
        }
        return header + rows.compactMap { heights[$0] }.reduce(0, +) + (top ? band : 0) + (bottom ? band : 0)
    }

    /// A lone step on a page that would fit on the page before or after it, in words.
    static func loneSteps(_ layout: Layout, _ doc: SOPDocument, maxHeight: Double?, rowsPerPage: Int?) -> [String] {
        var problems: [String] = []
        let pages = layout.pages.map { $0.rows.map(\.number) }
        for (k, rows) in pages.enumerated() where rows.count == 1 && pages.count > 1 {
            for n in [k - 1, k + 1] where pages.indices.contains(n) {
                let merged = (pages[n] + rows).sorted()
                if let limit = rowsPerPage, merged.count > limit { continue }
                if let maxH = maxHeight, pageHeight(merged, layout: layout, document: doc) > maxH { continue }
                problems.append("step \(rows[0]) alone on page \(k + 1) fits on page \(n + 1)")
            }
        }
        return problems
    }

    static func straight(steps n: Int) -> SOPDocument {
        let steps = (0..<n).map { i in
            SOPStep(id: "s\(i)", kind: i == 0 ? .start : (i == n - 1 ? .end : .process), activity: "Langkah \(i + 1)", actor: "a")
        }
        return SOPDocument(identity: SOPIdentity(unitName: "Unit", number: "3", title: "Lurus"),
                           actors: [SOPActor(id: "a", name: "Petugas")], steps: steps)
    }

    @Test func theImmunisationSOPFitsOnOneA4Page() throws {
        // Ten rows fit on one A4 page once no connector band is reserved for a break that is
        // not needed; before, step 10 went alone to a second page.
        let doc = try #require(try SOPExamples.load().first { $0.name.contains("imunisasi") }?.document)
        let options = SOPDocumentHTML.defaultFlowchartOptions
        let layout = SOPFlowchartRenderer(options: options).layout(doc)
        #expect(layout.pages.count == 1)
        #expect(layout.pages[0].height <= options.maxPageHeight ?? 0)
        #expect(layout.pages[0].connectors.isEmpty)
    }

    @Test func pagesAreBalanced() {
        // Ten equal rows, at most nine a page: five and five, not nine and one.
        let doc = Self.straight(steps: 10)
        let layout = SOPFlowchartRenderer(options: .init(rowsPerPage: 9)).layout(doc)
        #expect(layout.pages.map(\.rows.count) == [5, 5])
        // The same by height: a page holds seven of these rows.
        let one = SOPFlowchartRenderer().layout(doc)
        let rowH = one.pages[0].rows[0].height
        let header = one.headerRowHeights.reduce(0, +)
        let maxH = header + 2 * 42 + 7 * rowH + 1
        let byHeight = SOPFlowchartRenderer(options: .init(maxPageHeight: maxH)).layout(doc)
        #expect(byHeight.pages.map(\.rows.count) == [5, 5])
        #expect(byHeight.pages.allSatisfy { $0.height <= maxH })
    }

    @Test func noLoneStepThatFitsItsNeighbour() throws {
        var docs = try SOPExamples.load().map(\.document)
        docs.append(SOPSample.izinUsaha)
        docs.append(Self.straight(steps: 10))
        docs += [(30, 3), (45, 2), (24, 7)].map { SOPFlowchartStressTests.generated(steps: $0.0, actors: $0.1) }
        for doc in docs {
            for (maxH, rows) in [(670.0, nil), (500, nil), (400, nil), (300, nil), (nil, 4), (nil, 9), (600, 6)] as [(Double?, Int?)] {
                let layout = SOPFlowchartRenderer(options: .init(rowsPerPage: rows, maxPageHeight: maxH)).layout(doc)
                #expect(Self.loneSteps(layout, doc, maxHeight: maxH, rowsPerPage: rows) == [], "\(doc.identity.title) \(String(describing: maxH)) \(String(describing: rows))")
                // Every step once, in order; every page within the limits (a single row may overflow).
                #expect(layout.pages.flatMap { $0.rows.map(\.number) } == Array(1...doc.steps.count))
                for p in layout.pages {
                    if let rows { #expect(p.rows.count <= rows) }
                    if let maxH, p.rows.count > 1 { #expect(p.height <= maxH + 1e-6) }
                    // The model's page height is what this test computes.
                    #expect(abs(p.height - Self.pageHeight(p.rows.map(\.number), layout: layout, document: doc)) < 1e-6)
                }
            }
        }
    }
}
