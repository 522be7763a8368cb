import Foundation
import PantauCore
import PantauReports
import Testing

/// The SOPs shipped in `docs/examples/*.yaml` (the demo agency's SOPs), plus any `*.yaml` in the
/// directory named by `PANTAU_SOP_PREVIEW_INPUT`, for geometry checks on real documents and
/// for previews a person looks at.
enum SOPExamples {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// (file name without extension, document), sorted by name.
    static func load() throws -> [(name: String, document: SOPDocument)] {
        var dirs = [repositoryRoot.appendingPathComponent("docs/examples", isDirectory: true)]
        if let extra = ProcessInfo.processInfo.environment["PANTAU_SOP_PREVIEW_INPUT"], !extra.isEmpty {
            dirs.append(URL(fileURLWithPath: extra, isDirectory: true))
        }
        var out: [(String, SOPDocument)] = []
        for dir in dirs {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for f in files.sorted() where f.hasSuffix(".yaml") || f.hasSuffix(".yml") {
                let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
                let doc = try SOPFile.decode(text, format: .yaml)
                out.append((String(f.prefix { $0 != "." }), doc))
            }
        }
        return out
    }
}

/// Writes every example SOP as printable HTML and one SVG per flowchart page to the directory
/// named by `PANTAU_SOP_PREVIEW_DIR` (for a person to look at in a browser, wide and at phone
/// width); otherwise only renders them.
@Suite struct SOPExamplePreviewTests {
    @Test func examplesRenderAndArePreviewedWhenAsked() throws {
        let examples = try SOPExamples.load()
        #expect(examples.count >= 2)
        let dir = ProcessInfo.processInfo.environment["PANTAU_SOP_PREVIEW_DIR"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
        for (name, doc) in examples {
            let html = SOPDocumentHTML(options: .init(agencyName: "Pemerintah Kota Surabaya")).renderPage(doc)
            #expect(html.contains("sop-flow-page"))
            let svgs = SOPFlowchartRenderer(options: SOPDocumentHTML.defaultFlowchartOptions).render(doc)
            #expect(!svgs.isEmpty)
            guard let dir else { continue }
            try html.write(to: dir.appendingPathComponent("\(name).html"), atomically: true, encoding: .utf8)
            for (i, svg) in svgs.enumerated() {
                try svg.write(to: dir.appendingPathComponent("\(name)-p\(i + 1).svg"), atomically: true, encoding: .utf8)
            }
            // A tighter page height to see the paging and connectors.
            let paged = SOPDocumentHTML(options: .init(flowchart: .init(maxPageHeight: 420), idPrefix: "paged")).renderPage(doc)
            try paged.write(to: dir.appendingPathComponent("\(name)-paged.html"), atomically: true, encoding: .utf8)
        }
    }
}
