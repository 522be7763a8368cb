import PantauCore

/// Draws an SOP's flowchart table as PermenPANRB 35/2012 prescribes: columns
/// No | Kegiatan | one column per pelaksana | Mutu Baku (Kelengkapan, Waktu, Output) | Keterangan,
/// each step's symbol in its actor's column on its row, and arrows between the symbols.
///
/// The whole table is SVG, one `<svg>` per printed page, with text wrapped by the renderer. An
/// HTML table with an SVG overlay was considered and rejected: the browser decides the HTML row
/// heights, so the overlay could not know where rows are without script, and symbols would drift
/// off their rows as soon as a cell wrapped differently (another font, zoom, print scaling).
/// Laying out everything here makes symbol, row and page-break positions exact, the output
/// deterministic and testable, and print identical on any browser. Text is measured with
/// Arial-metric widths (``SVGText``) and every line carries `textLength`, so a substitute font
/// is fitted to the same width instead of overflowing its cell.
///
/// Symbols: terminator (kapsul) for start and end steps, process (kotak), decision (belah
/// ketupat, with the question inside), arrows (anak panah) routed orthogonally with arrowheads,
/// "Ya"/"Tidak" on decision branches, loop-backs routed along the column gaps so they never cross
/// a symbol, and off-page connectors (segi lima) where an arrow crosses a page break.
public struct SOPFlowchartRenderer: Sendable {
    /// Rendering options.
    public struct Options: Sendable, Hashable {
        /// Language of headings, labels and accessible text.
        public var language: Language
        /// Table width in user units. The default, 1047, is A4 landscape (297 mm) less 10 mm
        /// margins at 96 CSS px per inch, so the table prints at 1:1. When the columns need more
        /// (many actors), the table is wider and scales down to the page.
        public var width: Double
        /// At most this many step rows per page; nil for no limit.
        public var rowsPerPage: Int?
        /// No page taller than this (header and connector bands included); nil for no limit. A
        /// row taller than this gets a page of its own. Within both limits the table takes as
        /// few pages as possible, balanced: the tallest page as low as possible, no lone step.
        public var maxPageHeight: Double?
        /// Body text size in user units.
        public var fontSize: Double
        /// CSS font-family; should start with an Arial-metric font (see ``SVGText``).
        public var fontFamily: String
        /// Prefix for element ids (`<title>`, `<desc>`); make it unique when several charts share one HTML page.
        public var idPrefix: String

        public init(
            language: Language = .id, width: Double = 1047, rowsPerPage: Int? = nil,
            maxPageHeight: Double? = nil, fontSize: Double = 10,
            fontFamily: String = "Arial, 'Liberation Sans', Arimo, Helvetica, sans-serif",
            idPrefix: String = "sop-flow"
        ) {
            self.language = language
            self.width = width
            self.rowsPerPage = rowsPerPage
            self.maxPageHeight = maxPageHeight
            self.fontSize = fontSize
            self.fontFamily = fontFamily
            self.idPrefix = idPrefix
        }
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Lays out and draws `document`: one standalone SVG document string per page.
    /// - Complexity: O(n · (n + e)) for n steps and e arrows (routing checks each candidate
    ///   path against the symbols and arrows already on the page).
    public func render(_ document: SOPDocument) -> [String] {
        renderSVG(layout(document), document: document)
    }

    // MARK: - Layout

    /// Table labels in the chosen language.
    struct Labels {
        let number, activity, actors, standard, notes, requirements, time, output: String
        let yes, no, unknownActor: String
        init(_ lang: Language) {
            switch lang {
            case .id:
                number = "No"; activity = "Kegiatan"; actors = "Pelaksana"; standard = "Mutu Baku"
                notes = "Keterangan"; requirements = "Kelengkapan"; time = "Waktu"; output = "Output"
                yes = "Ya"; no = "Tidak"; unknownActor = "(Pelaksana tidak dikenal)"
            case .en:
                number = "No."; activity = "Activity"; actors = "Actors"; standard = "Quality Standard"
                notes = "Notes"; requirements = "Requirements"; time = "Time"; output = "Output"
                yes = "Yes"; no = "No"; unknownActor = "(Unknown actor)"
            }
        }
    }

    // Geometry constants (user units at fontSize 10; scaled with the font size).
    private var scale: Double { max(options.fontSize, 4) / 10 }
    var padX: Double { 5 * scale }
    var padY: Double { 5 * scale }
    var lineHeight: Double { max(options.fontSize, 4) * 1.25 }
    var symbolHeight: Double { 26 * scale }
    var symbolMarginY: Double { 14 * scale }
    var bandHeight: Double { 42 * scale }
    var connectorSize: Double { 22 * scale }
    /// Free space left and right of a box or capsule inside its column, for lanes.
    var symbolGutter: Double { 14 * scale }
    /// Free space left and right of a decision inside its column (its vertices reach further).
    var decisionGutter: Double { 12 * scale }
    /// Distance of the lanes from a column boundary (and between the two lanes of a gutter).
    var laneOffset: Double { 4.5 * scale }
    /// The smallest font a decision's question shrinks to before a long word is hyphenated.
    var minQuestionFontSize: Double { max(options.fontSize, 4) * 0.6 }

    /// Computes column widths, wrapped text, row heights, page breaks, symbol positions,
    /// off-page connectors and arrow routes.
    /// - Complexity: O(n · (n + e)) for n steps and e arrows.
    public func layout(_ document: SOPDocument) -> SOPFlowchartLayout {
        let labels = Labels(options.language)
        let f = max(options.fontSize, 4)
        let lh = lineHeight
        let steps = document.steps

        // Actor columns: the SOP's actors in order, plus one for steps whose actor is unknown.
        var actorEntries: [(id: String, name: String)] = document.actors.map { ($0.id, $0.name) }
        var actorColumnOfID: [String: Int] = [:]
        for (i, a) in actorEntries.enumerated() where actorColumnOfID[a.id] == nil { actorColumnOfID[a.id] = i }
        if steps.contains(where: { actorColumnOfID[$0.actor] == nil }) {
            actorEntries.append((id: "", name: labels.unknownActor))
        }
        let unknownActorIndex = actorEntries.count - 1

        // Column widths.
        let fixed: [(SOPFlowchartLayout.ColumnRole, String, Double)] = [
            (.requirements, labels.requirements, 125 * scale),
            (.time, labels.time, 62 * scale),
            (.output, labels.output, 110 * scale),
            (.notes, labels.notes, 100 * scale),
        ]
        let numberWidth = 28 * scale
        let fixedWidth = numberWidth + fixed.reduce(0) { $0 + $1.2 }
        let minActivity = 180 * scale
        let n = Double(max(actorEntries.count, 1))
        let available = options.width - fixedWidth - minActivity
        let actorWidth = min(max(available / n, 72 * scale), 130 * scale)
        let activityWidth = max(minActivity, options.width - fixedWidth - actorWidth * Double(actorEntries.count))

        var columns: [SOPFlowchartLayout.Column] = []
        var x = 0.0
        func addColumn(_ role: SOPFlowchartLayout.ColumnRole, _ title: String, _ w: Double) {
            let lines = SVGText.wrap(title, maxWidth: w - 2 * padX, fontSize: f, bold: true, hyphenate: true)
            columns.append(.init(role: role, title: title, titleLines: lines, x: x, width: w))
            x += w
        }
        addColumn(.number, labels.number, numberWidth)
        addColumn(.activity, labels.activity, activityWidth)
        let firstActorColumn = columns.count
        for a in actorEntries { addColumn(.actor(id: a.id), a.name, actorWidth) }
        for (role, title, w) in fixed { addColumn(role, title, w) }
        let tableWidth = x
        let actorLeft = columns[firstActorColumn].x
        let actorRight = actorEntries.isEmpty ? actorLeft : columns[firstActorColumn + actorEntries.count - 1].maxX

        // Header heights: row 1 has the group headings, row 2 the actor names and mutu baku parts.
        let groupTitles = [labels.actors, labels.standard]
        let row1Lines = max(1, groupTitles.map { SVGText.wrap($0, maxWidth: max(actorRight - actorLeft, 40) - 2 * padX, fontSize: f, bold: true, hyphenate: true).count }.max() ?? 1)
        let row2Lines = max(1, columns.filter { col in
            switch col.role {
            case .actor, .requirements, .time, .output: return true
            default: return false
            }
        }.map(\.titleLines.count).max() ?? 1)
        let headerRowHeights = [Double(row1Lines) * lh + 2 * padY, Double(row2Lines) * lh + 2 * padY]
        let headerHeight = headerRowHeights[0] + headerRowHeights[1]

        // Row texts, symbols' sizes, row heights.
        func colWidth(_ role: SOPFlowchartLayout.ColumnRole) -> Double {
            columns.first { $0.role == role }?.width ?? 60
        }
        func wrapCell(_ s: String, _ role: SOPFlowchartLayout.ColumnRole) -> [String] {
            SVGText.wrap(s, maxWidth: colWidth(role) - 2 * padX, fontSize: f, hyphenate: true)
        }
        var rowTexts: [SOPFlowchartLayout.RowText] = []
        var symbolSizes: [(w: Double, h: Double, lines: [String], qf: Double)] = []
        var rowHeights: [Double] = []
        let qf = f * 0.85
        for (i, s) in steps.enumerated() {
            let time = s.standard.time.map { TimeStandard.format(seconds: $0.seconds, language: options.language) } ?? ""
            let text = SOPFlowchartLayout.RowText(
                number: [String(i + 1)],
                activity: wrapCell(s.activity, .activity),
                requirements: wrapCell(s.standard.requirements, .requirements),
                time: wrapCell(time, .time),
                output: wrapCell(s.standard.output, .output),
                notes: wrapCell(s.notes, .notes))
            rowTexts.append(text)
            let textLines = max(1, [text.activity, text.requirements, text.time, text.output, text.notes].map(\.count).max() ?? 1)
            let textHeight = Double(textLines) * lh + 2 * padY
            var size: (w: Double, h: Double, lines: [String], qf: Double)
            switch s.kind {
            case .decision:
                let w = max(min(actorWidth - 2 * decisionGutter, 96 * scale), 30)
                // Lines break between words. A word wider than the text area first shrinks the
                // question's font (to at most 60 % of the body size); only a word still too wide
                // is hyphenated.
                let textWidth = w * 0.72
                let widest = SVGText.widestWord(s.question, fontSize: qf)
                let fq = widest > textWidth ? max(qf * textWidth / widest, minQuestionFontSize) : qf
                let lines = SVGText.wrap(s.question, maxWidth: textWidth, fontSize: fq, maxLines: 6, hyphenate: true)
                size = (w, diamondHeight(width: w, lines: lines, fontSize: fq), lines, fq)
            case .start, .end, .process:
                size = (min(max(actorWidth - 2 * symbolGutter, 24), 84 * scale), symbolHeight, [], qf)
            }
            symbolSizes.append(size)
            rowHeights.append(max(textHeight, size.h + 2 * symbolMarginY))
        }

        // Pagination.
        let pageRows = paginate(rowHeights: rowHeights, headerHeight: headerHeight, steps: steps, document: document)
        var pageOf = [Int](repeating: 0, count: steps.count)
        for (p, rows) in pageRows.enumerated() { for i in rows { pageOf[i] = p } }

        // Edges in table order (targets that do not exist are not drawn).
        var indexOfID: [String: Int] = [:]
        for (i, s) in steps.enumerated() where indexOfID[s.id] == nil { indexOfID[s.id] = i }
        struct Edge {
            var from: Int
            var to: Int
            var branch: SOPDocument.Branch
            var label: String?
        }
        var edges: [Edge] = []
        var crossLabels: [Int: String] = [:] // edge index -> connector label
        for (i, s) in steps.enumerated() {
            for (target, branch) in document.successors(of: s) {
                guard let t = indexOfID[target] else { continue }
                if pageOf[i] != pageOf[t] {
                    crossLabels[edges.count] = SOPFlowchartRenderer.connectorLabel(crossLabels.count)
                }
                edges.append(Edge(from: i, to: t, branch: branch, label: nil))
            }
        }

        // Pages.
        var pages: [SOPFlowchartLayout.Page] = []
        for (p, rows) in pageRows.enumerated() {
            // Connectors on this page.
            struct PendingConnector {
                var edge: Int
                var outgoing: Bool
                var top: Bool
                var preferredX: Double
                var sortKey: Int
            }
            var pending: [PendingConnector] = []
            for (ei, e) in edges.enumerated() where crossLabels[ei] != nil {
                let pf = pageOf[e.from], pt = pageOf[e.to]
                let srcX = columns[firstActorColumn + actorColumnIndex(steps[e.from], actorColumnOfID, unknownActorIndex)].midX
                let dstX = columns[firstActorColumn + actorColumnIndex(steps[e.to], actorColumnOfID, unknownActorIndex)].midX
                if pf == p {
                    // Leaves this page: forward edges leave at the bottom, loop-backs at the top.
                    pending.append(.init(edge: ei, outgoing: true, top: pt < p, preferredX: srcX, sortKey: e.from))
                }
                if pt == p {
                    pending.append(.init(edge: ei, outgoing: false, top: pf < p, preferredX: dstX, sortKey: e.to))
                }
            }
            let hasTop = pending.contains { $0.top }
            let hasBottom = pending.contains { !$0.top }
            var y = headerHeight
            var topBand: SOPFlowchartLayout.Band?
            if hasTop {
                topBand = .init(y: y, height: bandHeight)
                y += bandHeight
            }
            var pageRowsOut: [SOPFlowchartLayout.Row] = []
            var symbols: [SOPFlowchartLayout.Symbol] = []
            for i in rows {
                let h = rowHeights[i]
                pageRowsOut.append(.init(stepID: steps[i].id, number: i + 1, y: y, height: h, text: rowTexts[i]))
                let colIndex = firstActorColumn + actorColumnIndex(steps[i], actorColumnOfID, unknownActorIndex)
                let col = columns[colIndex]
                let size = symbolSizes[i]
                let shape: SOPFlowchartLayout.SymbolShape
                switch steps[i].kind {
                case .start, .end: shape = .terminator
                case .process: shape = .process
                case .decision: shape = .decision
                }
                let frame = SOPFlowchartLayout.Rect(x: col.midX - size.w / 2, y: y + h / 2 - size.h / 2, width: size.w, height: size.h)
                symbols.append(.init(stepID: steps[i].id, number: i + 1, shape: shape, column: colIndex, frame: frame,
                                     lines: size.lines, questionFontSize: size.qf))
                y += h
            }
            var bottomBand: SOPFlowchartLayout.Band?
            if hasBottom {
                bottomBand = .init(y: y, height: bandHeight)
                y += bandHeight
            }
            let pageHeight = y

            // Place connectors in their bands: each at the preferred column if free, else the nearest free slot.
            let actorCenters = (0..<actorEntries.count).map { columns[firstActorColumn + $0].midX }
            // Slots: column centres first, then points a quarter column to either side (never on a grid line).
            var slots = actorCenters
            for c in actorCenters { slots.append(c - actorWidth * 0.28); slots.append(c + actorWidth * 0.28) }
            var taken: [Bool: [Double]] = [true: [], false: []]
            var connectors: [SOPFlowchartLayout.Connector] = []
            var connectorOfEdge: [Int: (out: Int?, inc: Int?)] = [:]
            let ordered = pending.enumerated().sorted { a, b in
                // Incoming first (they sit next to their target), then by row.
                if a.element.top != b.element.top { return a.element.top && !b.element.top }
                if a.element.outgoing != b.element.outgoing { return !a.element.outgoing }
                if a.element.sortKey != b.element.sortKey { return a.element.sortKey < b.element.sortKey }
                return a.offset < b.offset
            }
            for (_, pc) in ordered {
                let band = (pc.top ? topBand : bottomBand) ?? .init(y: y, height: bandHeight)
                let used = taken[pc.top] ?? []
                // A free column centre nearest the preferred x; quarter positions only when all centres are taken.
                let free = slots.filter { s in !used.contains { abs($0 - s) < 1 } }
                let freeCentres = free.filter { c in actorCenters.contains { abs($0 - c) < 0.01 } }
                let pool = freeCentres.isEmpty ? free : freeCentres
                let cx: Double
                if let best = pool.min(by: { abs($0 - pc.preferredX) < abs($1 - pc.preferredX) || (abs($0 - pc.preferredX) == abs($1 - pc.preferredX) && $0 < $1) }) {
                    cx = best
                } else {
                    cx = pc.preferredX + Double(used.count) * connectorSize * 1.2
                }
                taken[pc.top, default: []].append(cx)
                let e = edges[pc.edge]
                let size = connectorSize
                let frame = SOPFlowchartLayout.Rect(x: cx - size / 2, y: band.y + (band.height - size) / 2, width: size, height: size)
                connectors.append(.init(
                    label: crossLabels[pc.edge] ?? "?", isOutgoing: pc.outgoing, frame: frame,
                    otherPage: (pc.outgoing ? pageOf[e.to] : pageOf[e.from]) + 1,
                    otherStepNumber: (pc.outgoing ? e.to : e.from) + 1,
                    stepNumber: (pc.outgoing ? e.from : e.to) + 1))
                var entry = connectorOfEdge[pc.edge] ?? (nil, nil)
                if pc.outgoing { entry.out = connectors.count - 1 } else { entry.inc = connectors.count - 1 }
                connectorOfEdge[pc.edge] = entry
            }

            // Routing. Nodes: symbols first (index = position in `symbols`), then connectors.
            var router = SOPFlowchartRouter(
                nodes: symbols.map { .init(frame: $0.frame) } + connectors.map { .init(frame: $0.frame) },
                lanes: laneXs(columns: columns, first: firstActorColumn, count: actorEntries.count),
                contentTop: headerHeight, contentBottom: pageHeight,
                clearance: 2)
            var symbolNodeOfStep: [Int: Int] = [:]
            for (k, i) in rows.enumerated() { symbolNodeOfStep[i] = k }
            struct PageEdge {
                var edge: Int
                var fromNode: Int
                var toNode: Int
                var forward: Bool
                var span: Double
            }
            var pageEdges: [PageEdge] = []
            for (ei, e) in edges.enumerated() {
                var fromNode: Int?
                var toNode: Int?
                if let c = connectorOfEdge[ei] {
                    if let o = c.out { fromNode = symbolNodeOfStep[e.from]; toNode = symbols.count + o }
                    if let inc = c.inc { fromNode = symbols.count + inc; toNode = symbolNodeOfStep[e.to] }
                } else if pageOf[e.from] == p {
                    fromNode = symbolNodeOfStep[e.from]
                    toNode = symbolNodeOfStep[e.to]
                }
                guard let a = fromNode, let b = toNode else { continue }
                let fa = router.nodes[a].frame, fb = router.nodes[b].frame
                pageEdges.append(.init(edge: ei, fromNode: a, toNode: b, forward: fb.midY > fa.midY + 0.5,
                                       span: abs(fb.midY - fa.midY)))
            }
            // Forward arrows in table order first, then loop-backs, shortest first (inner lanes).
            let order = pageEdges.indices.sorted { i, j in
                let a = pageEdges[i], b = pageEdges[j]
                if a.forward != b.forward { return a.forward }
                if !a.forward && a.span != b.span { return a.span < b.span }
                return i < j
            }
            var arrows: [(Int, SOPFlowchartLayout.Arrow)] = []
            for k in order {
                let pe = pageEdges[k]
                let e = edges[pe.edge]
                let branchLabel: String?
                switch e.branch {
                case .plain: branchLabel = nil
                case .yes: branchLabel = labels.yes
                case .no: branchLabel = labels.no
                }
                let labelRoom = branchLabel.map { SVGText.width($0, fontSize: f * 0.85) + 8 } ?? 0
                // The Ya/Tidak label sits at the decision's end of the arrow.
                let labelAtStart = pe.fromNode < symbols.count
                let sourceFrame = router.nodes[pe.fromNode].frame
                func box(_ pts: [SOPFlowchartLayout.Point]) -> SOPFlowchartLayout.Rect? {
                    guard let text = branchLabel, labelAtStart, pts.count >= 2 else { return nil }
                    let (p, a) = labelPlacement(pts, labelWidth: labelRoom - 8, fontSize: f, source: sourceFrame)
                    return labelBox(text, at: p, anchor: a, fontSize: f)
                }
                let points = router.route(from: pe.fromNode, to: pe.toNode, minHorizontalStart: labelRoom, label: box)
                var labelPosition: SOPFlowchartLayout.Point?
                var anchor = SOPFlowchartLayout.TextAnchor.start
                if let text = branchLabel, labelAtStart, points.count >= 2 {
                    (labelPosition, anchor) = labelPlacement(points, labelWidth: labelRoom - 8, fontSize: f, source: sourceFrame)
                    if let p = labelPosition { router.addObstacle(labelBox(text, at: p, anchor: anchor, fontSize: f)) }
                }
                arrows.append((k, .init(
                    fromStepID: steps[e.from].id, toStepID: steps[e.to].id,
                    fromNumber: e.from + 1, toNumber: e.to + 1, branch: e.branch,
                    points: points, connectorLabel: crossLabels[pe.edge],
                    label: labelAtStart ? branchLabel : nil, labelPosition: labelPosition, labelAnchor: anchor)))
            }
            // Output order: table order of the edges, independent of routing order.
            arrows.sort { $0.0 < $1.0 }
            pages.append(.init(
                number: p + 1, height: pageHeight, headerHeight: headerHeight, topBand: topBand,
                rows: pageRowsOut, bottomBand: bottomBand, symbols: symbols, connectors: connectors,
                arrows: arrows.map(\.1)))
        }
        return SOPFlowchartLayout(
            width: tableWidth, columns: columns, headerRowHeights: headerRowHeights,
            fontSize: f, lineHeight: lh, pages: pages)
    }

    /// Splits the rows into pages: as few pages as `rowsPerPage` and `maxPageHeight` allow, and
    /// among those the split whose tallest page is lowest (then the most even one), so no page
    /// carries a lone step that would fit on its neighbour. A page's height counts the header
    /// and a connector band only where an arrow crosses that page break. A row taller than
    /// `maxPageHeight` gets a page of its own.
    /// - Complexity: O(n · k · e) for n rows, at most k rows a page and e arrows.
    func paginate(rowHeights: [Double], headerHeight: Double, steps: [SOPStep], document: SOPDocument) -> [[Int]] {
        let n = rowHeights.count
        guard n > 0 else { return [[]] }
        if options.rowsPerPage == nil && options.maxPageHeight == nil { return [Array(0..<n)] }
        // The arrows, as (row, row) pairs; a page needs a connector band above its rows when an
        // arrow joins one of them to an earlier page, below when to a later page.
        var indexOfID: [String: Int] = [:]
        for (i, s) in steps.enumerated() where indexOfID[s.id] == nil { indexOfID[s.id] = i }
        var edges: [(Int, Int)] = []
        for (i, s) in steps.enumerated() {
            for (target, _) in document.successors(of: s) {
                guard let t = indexOfID[target], t != i else { continue }
                edges.append((min(i, t), max(i, t)))
            }
        }
        func bands(_ s: Int, _ e: Int) -> (top: Bool, bottom: Bool) {
            var top = false, bottom = false
            for (a, b) in edges {
                let aIn = a >= s && a < e, bIn = b >= s && b < e
                if bIn && a < s { top = true }
                if aIn && b >= e { bottom = true }
            }
            return (top, bottom)
        }
        var prefix = [0.0]
        for h in rowHeights { prefix.append(prefix[prefix.count - 1] + h) }
        func height(_ s: Int, _ e: Int) -> Double {
            let (top, bottom) = bands(s, e)
            return headerHeight + prefix[e] - prefix[s] + (top ? bandHeight : 0) + (bottom ? bandHeight : 0)
        }
        let limit = options.rowsPerPage.map { max(1, $0) } ?? n
        let maxH = options.maxPageHeight ?? .infinity
        // best[e]: the best split of rows 0..<e as (pages, tallest page, sum of squared heights, start of the last page).
        var best: [(pages: Int, tallest: Double, squares: Double, start: Int)?] = Array(repeating: nil, count: n + 1)
        best[0] = (0, 0, 0, 0)
        for e in 1...n {
            var s = e - 1
            while s >= 0 && e - s <= limit {
                let h = height(s, e)
                if e - s > 1 && headerHeight + prefix[e] - prefix[s] > maxH { break }
                if (h <= maxH || e - s == 1), let p = best[s] {
                    let cand = (pages: p.pages + 1, tallest: max(p.tallest, h), squares: p.squares + h * h, start: s)
                    if let cur = best[e] {
                        let better = cand.pages != cur.pages ? cand.pages < cur.pages
                            : abs(cand.tallest - cur.tallest) > 0.001 ? cand.tallest < cur.tallest
                            : cand.squares < cur.squares - 0.001
                        if better { best[e] = cand }
                    } else {
                        best[e] = cand
                    }
                }
                s -= 1
            }
        }
        var pages: [[Int]] = []
        var e = n
        while e > 0, let b = best[e] {
            pages.insert(Array(b.start..<e), at: 0)
            e = b.start
        }
        return pages
    }

    private func actorColumnIndex(_ s: SOPStep, _ map: [String: Int], _ unknown: Int) -> Int {
        map[s.actor] ?? unknown
    }

    /// Height of a diamond of width `w` whose inside holds `lines` centred.
    private func diamondHeight(width w: Double, lines: [String], fontSize qf: Double) -> Double {
        let minH = 38 * scale
        guard !lines.isEmpty else { return minH }
        let qlh = qf * 1.2
        let total = Double(lines.count) * qlh
        var h = minH
        for (i, line) in lines.enumerated() {
            // Distance from the centre to the far edge of this line's box.
            let top = -total / 2 + Double(i) * qlh
            let extent = max(abs(top), abs(top + qlh))
            let lw = SVGText.width(line, fontSize: qf) + 6 * scale
            let free = 1 - lw / w
            if free > 0.05 { h = max(h, 2 * extent / free) } else { h = max(h, 2 * extent / 0.05) }
        }
        return min(h, 200 * scale)
    }

    /// Vertical lanes where arrows may run between symbols: in the gutters that every actor
    /// column keeps free on both sides of its symbols (``symbolGutter``, ``decisionGutter``),
    /// every ``laneOffset`` from each column boundary, so never on a grid line and never out of
    /// the pelaksana columns. The two outer lanes pass every symbol; inner ones, in wide columns,
    /// pass boxes and capsules.
    private func laneXs(columns: [SOPFlowchartLayout.Column], first: Int, count: Int) -> [Double] {
        guard count > 0 else { return [] }
        var lanes: [Double] = []
        for k in 0..<count {
            let c = columns[first + k]
            // Wide columns have wider gutters beside their boxes: more lanes (the router uses a
            // lane only where it passes every symbol with clearance).
            let boxGutter = (c.width - min(max(c.width - 2 * symbolGutter, 24), 84 * scale)) / 2
            var offset = laneOffset
            while offset <= max(boxGutter - 3 * scale, 2 * laneOffset) + 0.001 {
                lanes += [c.x + offset, c.maxX - offset]
                offset += laneOffset
            }
        }
        return lanes
    }

    /// The box a branch label's text covers (baseline at `p`).
    func labelBox(_ text: String, at p: SOPFlowchartLayout.Point, anchor: SOPFlowchartLayout.TextAnchor, fontSize f: Double) -> SOPFlowchartLayout.Rect {
        let lf = f * 0.85
        let w = SVGText.width(text, fontSize: lf)
        let x: Double
        switch anchor {
        case .start: x = p.x
        case .middle: x = p.x - w / 2
        case .end: x = p.x - w
        }
        return SOPFlowchartLayout.Rect(x: x, y: p.y - 0.8 * lf, width: w, height: lf)
    }

    /// Where a branch label goes: beside the arrow's first segment, just outside the decision,
    /// on the side away from the arrow's next turn when the first segment is short.
    /// When the first segment is horizontal and too short for the label (it turns into a lane
    /// right beside the decision), the label goes above the line on the decision's side, clear
    /// of the diamond's edge, so it stays out of the gutter where lanes run.
    private func labelPlacement(_ pts: [SOPFlowchartLayout.Point], labelWidth: Double, fontSize f: Double,
                                source: SOPFlowchartLayout.Rect)
        -> (SOPFlowchartLayout.Point, SOPFlowchartLayout.TextAnchor)
    {
        let lf = f * 0.85
        let a = pts[0], b = pts[1]
        if abs(a.y - b.y) < 0.01 {
            let short = abs(b.x - a.x) < labelWidth + 6
            if short {
                // Above the diamond's upper edge, which rises by h/w per unit towards the centre.
                let slope = source.width > 0 ? source.height / source.width : 1
                let y = max(a.y - (1 + labelWidth) * slope - 1 - 0.2 * lf, source.minY + lf)
                if b.x >= a.x { return (.init(x: a.x - 1, y: y), .end) }
                return (.init(x: a.x + 1, y: y), .start)
            }
            if b.x >= a.x { return (.init(x: a.x + 3, y: a.y - 3), .start) }
            return (.init(x: a.x - 4, y: a.y - 3), .end)
        }
        let c = pts.count > 2 ? pts[2] : nil
        // Vertical first segment: label to the right, or to the left when the arrow turns right soon.
        let short = abs(b.y - a.y) < lf + 6
        let left = short && (c.map { $0.x > b.x } ?? false)
        let y = b.y > a.y ? a.y + lf + 1 : a.y - 3
        return left ? (.init(x: a.x - 3, y: y), .end) : (.init(x: a.x + 3, y: y), .start)
    }

    /// "A", "B", …, "Z", "AA", "AB", … for the n-th (0-based) off-page connector pair.
    static func connectorLabel(_ n: Int) -> String {
        var k = n
        var s = ""
        repeat {
            s = String(UnicodeScalar(UInt8(65 + k % 26))) + s
            k = k / 26 - 1
        } while k >= 0
        return s
    }
}
