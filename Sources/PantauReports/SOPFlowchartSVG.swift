import PantauCore

extension SOPFlowchartRenderer {
    /// Draws a layout as one standalone SVG document per page.
    ///
    /// Each `<svg>` has `role="img"`, a `<title>` naming the SOP and page, and a `<desc>` that
    /// lists the page's steps and arrows in words. Elements carry classes and `data-*`
    /// attributes for styling and tests: `sop-symbol` (`data-shape`, `data-no`, `data-step`,
    /// `data-column`), `sop-arrow` (`data-from`, `data-to`, `data-branch`, `data-connector`),
    /// `sop-connector` (`data-label`, `data-direction`, `data-other-page`), `sop-row` (`data-no`).
    /// - Parameters:
    ///   - layout: from ``layout(_:)`` of the same document and options.
    ///   - document: the SOP (for titles and accessible descriptions).
    public func renderSVG(_ layout: SOPFlowchartLayout, document: SOPDocument) -> [String] {
        layout.pages.map { renderPage($0, of: layout, document: document) }
    }

    private func renderPage(_ page: SOPFlowchartLayout.Page, of layout: SOPFlowchartLayout, document: SOPDocument) -> String {
        let lang = options.language
        let labels = Labels(lang)
        let f = layout.fontSize
        let lh = layout.lineHeight
        let W = layout.width
        let H = page.height
        let n = SVGFormat.number
        let idBase = options.idPrefix + "-p" + String(page.number)
        var s = ""
        let totalPages = layout.pages.count
        let title: String
        switch lang {
        case .id:
            title = "Diagram alir SOP \(document.identity.title)" + (totalPages > 1 ? ", halaman \(page.number) dari \(totalPages)" : "")
        case .en:
            title = "SOP flowchart \(document.identity.title)" + (totalPages > 1 ? ", page \(page.number) of \(totalPages)" : "")
        }
        s += "<svg" + SVGFormat.attributes([
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("class", "sop-flowchart"),
            ("width", n(W)), ("height", n(H)),
            ("viewBox", "0 0 \(n(W)) \(n(H))"),
            ("role", "img"),
            ("aria-labelledby", "\(idBase)-title \(idBase)-desc"),
            ("font-family", options.fontFamily),
            ("font-size", n(f)),
            ("data-page", String(page.number)),
            ("data-pages", String(totalPages)),
        ]) + ">\n"
        s += "<title id=\"\(HTMLEscape.attribute(idBase))-title\">\(HTMLEscape.text(title))</title>\n"
        s += "<desc id=\"\(HTMLEscape.attribute(idBase))-desc\">\(HTMLEscape.text(description(page, layout: layout, document: document)))</desc>\n"
        s += "<rect class=\"sop-background\" x=\"0\" y=\"0\" width=\"\(n(W))\" height=\"\(n(H))\" fill=\"#ffffff\"/>\n"

        // Header.
        let h1 = layout.headerRowHeights.first ?? 0
        let hh = page.headerHeight
        s += "<g class=\"sop-header\" font-weight=\"bold\">\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(n(W))\" height=\"\(n(hh))\" fill=\"#e8e8e8\"/>\n"
        let actorCols = layout.actorColumns
        let standardCols = layout.columns.indices.filter {
            switch layout.columns[$0].role {
            case .requirements, .time, .output: return true
            default: return false
            }
        }
        for col in layout.columns {
            switch col.role {
            case .number, .activity, .notes:
                s += textBlock(col.titleLines, x: col.midX, top: 0, height: hh, anchor: .middle, fontSize: f, lineHeight: lh, bold: true)
            case .actor, .requirements, .time, .output:
                s += textBlock(col.titleLines, x: col.midX, top: h1, height: hh - h1, anchor: .middle, fontSize: f, lineHeight: lh, bold: true)
            }
        }
        for (group, cols) in [(labels.actors, actorCols), (labels.standard, standardCols)] {
            guard let a = cols.first, let b = cols.last else { continue }
            let x0 = layout.columns[a].x, x1 = layout.columns[b].maxX
            let lines = SVGText.wrap(group, maxWidth: x1 - x0 - 2 * padX, fontSize: f, bold: true, hyphenate: true)
            s += textBlock(lines, x: (x0 + x1) / 2, top: 0, height: h1, anchor: .middle, fontSize: f, lineHeight: lh, bold: true)
        }
        s += "</g>\n"

        // Row texts.
        s += "<g class=\"sop-rows\">\n"
        for band in [page.topBand, page.bottomBand].compactMap({ $0 }) {
            s += "<rect class=\"sop-connector-band\" x=\"0\" y=\"\(n(band.y))\" width=\"\(n(W))\" height=\"\(n(band.height))\" fill=\"#ffffff\"/>\n"
        }
        for row in page.rows {
            s += "<g class=\"sop-row\" data-no=\"\(row.number)\">\n"
            for col in layout.columns {
                let lines: [String]
                var anchor = SOPFlowchartLayout.TextAnchor.start
                switch col.role {
                case .number: lines = row.text.number; anchor = .middle
                case .activity: lines = row.text.activity
                case .requirements: lines = row.text.requirements
                case .time: lines = row.text.time; anchor = .middle
                case .output: lines = row.text.output
                case .notes: lines = row.text.notes
                case .actor: continue
                }
                let x = anchor == .middle ? col.midX : col.x + padX
                // Vertically centred, like the symbol on the same row.
                s += textBlock(lines, x: x, top: row.y, height: row.height, anchor: anchor, fontSize: f, lineHeight: lh, bold: false)
            }
            s += "</g>\n"
        }
        s += "</g>\n"

        // Grid: outer border, column lines, row lines.
        s += "<g class=\"sop-grid\" stroke=\"#000000\" stroke-width=\"0.8\" fill=\"none\">\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(n(W))\" height=\"\(n(H))\" stroke-width=\"1.2\"/>\n"
        var lines: [String] = []
        for (i, col) in layout.columns.enumerated() where i > 0 {
            // Columns under a group heading start below the first header row.
            let underGroup = (actorCols.contains(i) && actorCols.first != i) || (standardCols.contains(i) && standardCols.first != i)
            lines.append("M\(n(col.x)) \(n(underGroup ? h1 : 0)) V\(n(H))")
        }
        if let a = actorCols.first, let b = actorCols.last {
            lines.append("M\(n(layout.columns[a].x)) \(n(h1)) H\(n(layout.columns[b].maxX))")
        }
        if let a = standardCols.first, let b = standardCols.last {
            lines.append("M\(n(layout.columns[a].x)) \(n(h1)) H\(n(layout.columns[b].maxX))")
        }
        lines.append("M0 \(n(hh)) H\(n(W))")
        var ys: [Double] = page.rows.map(\.y)
        if let b = page.bottomBand { ys.append(b.y) }
        for y in ys where y > hh + 0.5 { lines.append("M0 \(n(y)) H\(n(W))") }
        s += "<path d=\"\(lines.joined(separator: " "))\"/>\n"
        s += "</g>\n"

        // Symbols.
        s += "<g class=\"sop-symbols\" stroke=\"#000000\" stroke-width=\"1.2\" fill=\"#ffffff\">\n"
        let stepsByID = Dictionary(document.steps.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { a, _ in a })
        for sym in page.symbols {
            let fr = sym.frame
            let step = stepsByID[sym.stepID].map { document.steps[$0] }
            let actorName = layout.columns.indices.contains(sym.column) ? layout.columns[sym.column].title : ""
            let symTitle = "\(sym.number). \(actorName): \(step?.activity ?? "")" + (sym.shape == .decision && !(step?.question.isEmpty ?? true) ? " (\(step?.question ?? ""))" : "")
            s += "<g" + SVGFormat.attributes([
                ("class", "sop-symbol sop-symbol-\(sym.shape.rawValue)"),
                ("data-shape", sym.shape.rawValue),
                ("data-no", String(sym.number)),
                ("data-step", sym.stepID),
                ("data-column", String(sym.column)),
            ]) + ">"
            s += "<title>\(HTMLEscape.text(symTitle))</title>"
            switch sym.shape {
            case .terminator:
                s += "<rect x=\"\(n(fr.x))\" y=\"\(n(fr.y))\" width=\"\(n(fr.width))\" height=\"\(n(fr.height))\" rx=\"\(n(fr.height / 2))\" ry=\"\(n(fr.height / 2))\"/>"
            case .process:
                s += "<rect x=\"\(n(fr.x))\" y=\"\(n(fr.y))\" width=\"\(n(fr.width))\" height=\"\(n(fr.height))\"/>"
            case .decision:
                let d = SVGFormat.polygonPath([(fr.midX, fr.minY), (fr.maxX, fr.midY), (fr.midX, fr.maxY), (fr.minX, fr.midY)])
                s += "<path d=\"\(d)\"/>"
                if !sym.lines.isEmpty {
                    let qlh = sym.questionFontSize * 1.2
                    s += "<g stroke=\"none\" fill=\"#000000\" font-size=\"\(n(sym.questionFontSize))\">"
                    s += textBlock(sym.lines, x: fr.midX, top: fr.midY - Double(sym.lines.count) * qlh / 2,
                                   height: Double(sym.lines.count) * qlh, anchor: .middle, fontSize: sym.questionFontSize,
                                   lineHeight: qlh, bold: false, newline: false)
                    s += "</g>"
                }
            }
            s += "</g>\n"
        }
        s += "</g>\n"

        // Off-page connectors.
        s += "<g class=\"sop-connectors\" stroke=\"#000000\" stroke-width=\"1.2\" fill=\"#ffffff\">\n"
        for c in page.connectors {
            let fr = c.frame
            let tip = fr.height * 0.35
            let d = SVGFormat.polygonPath([(fr.minX, fr.minY), (fr.maxX, fr.minY), (fr.maxX, fr.maxY - tip), (fr.midX, fr.maxY), (fr.minX, fr.maxY - tip)])
            let ctitle: String
            let caption: String
            switch (lang, c.isOutgoing) {
            case (.id, true):
                ctitle = "Penghubung \(c.label): bersambung ke langkah \(c.otherStepNumber) di halaman \(c.otherPage)"
                caption = "ke hlm. \(c.otherPage)"
            case (.id, false):
                ctitle = "Penghubung \(c.label): lanjutan dari langkah \(c.otherStepNumber) di halaman \(c.otherPage)"
                caption = "dari hlm. \(c.otherPage)"
            case (.en, true):
                ctitle = "Connector \(c.label): continues at step \(c.otherStepNumber) on page \(c.otherPage)"
                caption = "to p. \(c.otherPage)"
            case (.en, false):
                ctitle = "Connector \(c.label): continued from step \(c.otherStepNumber) on page \(c.otherPage)"
                caption = "from p. \(c.otherPage)"
            }
            s += "<g" + SVGFormat.attributes([
                ("class", "sop-connector"),
                ("data-label", c.label),
                ("data-direction", c.isOutgoing ? "out" : "in"),
                ("data-other-page", String(c.otherPage)),
                ("data-step", String(c.stepNumber)),
            ]) + ">"
            s += "<title>\(HTMLEscape.text(ctitle))</title>"
            s += "<path d=\"\(d)\"/>"
            let lf = f * 0.9
            s += "<text x=\"\(n(fr.midX))\" y=\"\(n(fr.minY + (fr.height - tip) / 2 + lf * 0.36 + tip * 0.25))\" text-anchor=\"middle\" font-size=\"\(n(lf))\" font-weight=\"bold\" stroke=\"none\" fill=\"#000000\">\(HTMLEscape.text(c.label))</text>"
            // Caption under the connector, or above it when an arrow leaves from its tip.
            let cf = f * 0.7
            let tipPoint = SOPFlowchartLayout.Point(x: fr.midX, y: fr.maxY)
            let tipUsed = page.arrows.contains { a in
                guard let first = a.points.first, let last = a.points.last else { return false }
                return Self.near(first, tipPoint) || Self.near(last, tipPoint)
            }
            let captionY = tipUsed ? fr.minY - cf * 0.45 : fr.maxY + cf * 1.05
            s += "<text class=\"sop-connector-caption\" x=\"\(n(fr.midX))\" y=\"\(n(captionY))\" text-anchor=\"middle\" font-size=\"\(n(cf))\" stroke=\"none\" fill=\"#000000\">\(HTMLEscape.text(caption))</text>"
            s += "</g>\n"
        }
        s += "</g>\n"

        // Arrows.
        s += "<g class=\"sop-arrows\" stroke=\"#000000\" stroke-width=\"1\" fill=\"none\">\n"
        for a in page.arrows where a.points.count >= 2 {
            var attrs: [(String, String)] = [
                ("class", "sop-arrow"),
                ("data-from", String(a.fromNumber)),
                ("data-to", String(a.toNumber)),
                ("data-branch", a.branch.rawValue),
            ]
            if let c = a.connectorLabel { attrs.append(("data-connector", c)) }
            s += "<g" + SVGFormat.attributes(attrs) + ">"
            let branchWord: String
            switch a.branch {
            case .plain: branchWord = ""
            case .yes: branchWord = labels.yes + ": "
            case .no: branchWord = labels.no + ": "
            }
            let atitle = lang == .id
                ? "\(branchWord)langkah \(a.fromNumber) ke langkah \(a.toNumber)"
                : "\(branchWord)step \(a.fromNumber) to step \(a.toNumber)"
            s += "<title>\(HTMLEscape.text(atitle))</title>"
            s += "<path d=\"\(SVGFormat.polylinePath(a.points.map { ($0.x, $0.y) }))\"/>"
            let tip = a.points[a.points.count - 1], prev = a.points[a.points.count - 2]
            s += "<path class=\"sop-arrowhead\" d=\"\(arrowhead(tip: tip, from: prev))\" fill=\"#000000\" stroke=\"none\"/>"
            if let label = a.label, let p = a.labelPosition {
                s += "<text class=\"sop-branch-label\" x=\"\(n(p.x))\" y=\"\(n(p.y))\" text-anchor=\"\(a.labelAnchor.rawValue)\" font-size=\"\(n(f * 0.85))\" font-style=\"italic\" stroke=\"none\" fill=\"#000000\">\(HTMLEscape.text(label))</text>"
            }
            s += "</g>\n"
        }
        s += "</g>\n"
        s += "</svg>\n"
        return s
    }

    static func near(_ a: SOPFlowchartLayout.Point, _ b: SOPFlowchartLayout.Point) -> Bool {
        abs(a.x - b.x) < 0.5 && abs(a.y - b.y) < 0.5
    }

    private func arrowhead(tip: SOPFlowchartLayout.Point, from prev: SOPFlowchartLayout.Point) -> String {
        let len = 7.0, half = 3.2
        let dx = tip.x - prev.x, dy = tip.y - prev.y
        let d = max((dx * dx + dy * dy).squareRoot(), 0.0001)
        let ux = dx / d, uy = dy / d
        let bx = tip.x - ux * len, by = tip.y - uy * len
        return SVGFormat.polygonPath([(tip.x, tip.y), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)])
    }

    /// `<text>` lines inside a cell: vertically centred (or from the top when `alignTop`),
    /// each line with `textLength` so any font keeps the measured width.
    private func textBlock(
        _ lines: [String], x: Double, top: Double, height: Double, anchor: SOPFlowchartLayout.TextAnchor,
        fontSize f: Double, lineHeight lh: Double, bold: Bool, alignTop: Bool = false, newline: Bool = true
    ) -> String {
        guard !lines.isEmpty else { return "" }
        let n = SVGFormat.number
        let blockHeight = Double(lines.count) * lh
        let startY = alignTop ? top + padY : top + (height - blockHeight) / 2
        var s = ""
        for (i, line) in lines.enumerated() where !line.isEmpty {
            // Baseline: the line box's top plus the ascent share (~0.8 em) of the extra leading.
            let baseline = startY + Double(i) * lh + (lh - f) / 2 + f * 0.82
            var attrs: [(String, String)] = [("x", n(x)), ("y", n(baseline))]
            if anchor != .start { attrs.append(("text-anchor", anchor.rawValue)) }
            let w = SVGText.width(line, fontSize: f, bold: bold)
            if w >= 1 {
                attrs.append(("textLength", n(w)))
                attrs.append(("lengthAdjust", "spacingAndGlyphs"))
            }
            s += "<text" + SVGFormat.attributes(attrs) + ">" + HTMLEscape.text(line) + "</text>"
            if newline { s += "\n" }
        }
        return s
    }

    /// The page's content in words, for screen readers.
    private func description(_ page: SOPFlowchartLayout.Page, layout: SOPFlowchartLayout, document: SOPDocument) -> String {
        let lang = options.language
        let labels = Labels(lang)
        var parts: [String] = []
        let colTitle: (Int) -> String = { layout.columns.indices.contains($0) ? layout.columns[$0].title : "" }
        for sym in page.symbols {
            guard let step = document.steps.first(where: { $0.id == sym.stepID }) else { continue }
            let kind: String
            switch (step.kind, lang) {
            case (.start, .id): kind = "mulai"
            case (.end, .id): kind = "selesai"
            case (.decision, .id): kind = "keputusan"
            case (.process, .id): kind = "proses"
            case (.start, .en): kind = "start"
            case (.end, .en): kind = "end"
            case (.decision, .en): kind = "decision"
            case (.process, .en): kind = "process"
            }
            var text = "\(sym.number). \(colTitle(sym.column)) (\(kind)): \(step.activity)"
            if step.kind == .decision, !step.question.isEmpty { text += " \(step.question)" }
            let outs = page.arrows.filter { $0.fromNumber == sym.number }
            if !outs.isEmpty {
                let targets = outs.map { a -> String in
                    let pre: String
                    switch a.branch {
                    case .plain: pre = ""
                    case .yes: pre = labels.yes + " "
                    case .no: pre = labels.no + " "
                    }
                    return pre + "\(a.toNumber)"
                }
                text += (lang == .id ? " → " : " → ") + targets.joined(separator: ", ")
            }
            parts.append(text)
        }
        return parts.joined(separator: "; ")
    }
}
