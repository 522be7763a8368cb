import Foundation
import PantauCore

/// What a process map shows: the SOP's steps (and activities outside the SOP) with how often and
/// how long they ran, and the arcs between them (how often one directly followed another, and the
/// mean time between them). Built by the caller from stored results; drawn by ``ProcessMapSVG``.
public struct ProcessMap: Sendable, Hashable {
    /// Id of the "Mulai" (start) pseudo-node: an arc from it counts cases that begin with its target.
    public static let startID = "^"
    /// Id of the "Selesai" (end) pseudo-node: an arc to it counts cases that end with its source.
    public static let endID = "$"

    /// One step of the SOP or one activity outside it.
    public struct Node: Sendable, Hashable {
        /// Unique id (the SOP step id, or the activity name for an activity outside the SOP).
        /// Must not be ``ProcessMap/startID`` or ``ProcessMap/endID``.
        public var id: String
        /// The step's activity (or the activity name).
        public var label: String
        /// The SOP step number ("No"); nil for an activity outside the SOP.
        public var number: Int?
        /// A decision step (drawn as a hexagon instead of a box).
        public var isDecision: Bool
        /// Times the step was carried out in the selection.
        public var occurrences: Int
        /// Cases in which it was carried out at least once.
        public var cases: Int
        /// Mean time of the step, in seconds.
        public var meanSeconds: Double?
        /// The step's time standard (mutu baku waktu), in seconds.
        public var standardSeconds: Double?
        /// Share (0...1) of the measured occurrences within the standard.
        public var shareWithinStandard: Double?
        /// Marked as over its standard (distinct outline and the words "melebihi baku").
        public var overStandard: Bool
        /// An activity that matches no SOP step: drawn dashed in a second column.
        public var outsideSOP: Bool
        /// False for a step marked as not recorded (tercatat: false); shown grey and, when it has
        /// no occurrences, "tidak tercatat" instead of counts.
        public var recorded: Bool

        /// - Parameters:
        ///   - overStandard: nil marks the node when `meanSeconds > standardSeconds`.
        ///   - outsideSOP: nil means `number == nil`.
        public init(
            id: String, label: String, number: Int?, isDecision: Bool = false, occurrences: Int, cases: Int,
            meanSeconds: Double? = nil, standardSeconds: Double? = nil, shareWithinStandard: Double? = nil,
            overStandard: Bool? = nil, outsideSOP: Bool? = nil, recorded: Bool = true
        ) {
            self.id = id
            self.label = label
            self.number = number
            self.isDecision = isDecision
            self.occurrences = occurrences
            self.cases = cases
            self.meanSeconds = meanSeconds
            self.standardSeconds = standardSeconds
            self.shareWithinStandard = shareWithinStandard
            if let overStandard {
                self.overStandard = overStandard
            } else if let m = meanSeconds, let s = standardSeconds, m.isFinite, s.isFinite {
                self.overStandard = m > s
            } else {
                self.overStandard = false
            }
            self.outsideSOP = outsideSOP ?? (number == nil)
            self.recorded = recorded
        }
    }

    /// `to` directly followed `from` `count` times.
    public struct Arc: Sendable, Hashable {
        /// A node id or ``ProcessMap/startID``.
        public var from: String
        /// A node id or ``ProcessMap/endID``.
        public var to: String
        /// Number of times the arc was taken.
        public var count: Int
        /// Cases in which it was taken at least once (for ``ProcessMapSVG/Options/minCaseShare``);
        /// nil uses `count`.
        public var cases: Int?
        /// Mean time between the two steps, in seconds.
        public var meanSeconds: Double?

        public init(from: String, to: String, count: Int, cases: Int? = nil, meanSeconds: Double? = nil) {
            self.from = from
            self.to = to
            self.count = count
            self.cases = cases
            self.meanSeconds = meanSeconds
        }
    }

    /// Nodes in SOP order; activities outside the SOP in the order they should be listed.
    public var nodes: [Node]
    public var arcs: [Arc]
    /// Cases in the selection (the base of ``ProcessMapSVG/Options/minCaseShare``); nil uses the
    /// number of cases leaving "Mulai" (or the largest arc count when there is none).
    public var cases: Int?

    public init(nodes: [Node], arcs: [Arc], cases: Int? = nil) {
        self.nodes = nodes
        self.arcs = arcs
        self.cases = cases
    }

    /// Cases that start somewhere: the sum of the arcs leaving ``startID``.
    public var startCount: Int { arcs.filter { $0.from == Self.startID }.reduce(0) { $0 + max($1.count, 0) } }
    /// Cases that end somewhere: the sum of the arcs entering ``endID``.
    public var endCount: Int { arcs.filter { $0.to == Self.endID }.reduce(0) { $0 + max($1.count, 0) } }
}

/// Draws a ``ProcessMap`` as one standalone, accessible SVG.
///
/// The SOP's steps stand top to bottom in SOP order in one column, between "Mulai" and
/// "Selesai"; activities outside the SOP stand, dashed, in a second column to the right, each near
/// the step it is most often linked with. Arcs: between neighbours in a column a straight arrow;
/// forward (to a later step) a curve on the right of the column; backward (rework loops back to an
/// earlier step, and a step repeated directly) a curve on the left; to and from activities
/// outside the SOP a curve across. Each arc's stroke width grows with its count (linear, 1.2 to
/// 8 units) and each carries its count and mean time ("120 · 2 jam 5 menit"). A step over its
/// standard gets a thick dark-red double outline and the words "melebihi baku" ("over standard"),
/// so the mark never depends on colour. Arcs below ``Options/minCaseShare`` of the cases and
/// beyond the ``Options/maxArcs`` most frequent are left out; the caption says how many.
///
/// The `<svg>` has `role="img"`, a `<title>` and a `<desc>` (the most frequent path, the steps
/// over their standard), `width="100%"` with a `viewBox`, so it fits a 960-pixel page and scales
/// down. Output is deterministic: nodes in input order, arcs sorted by (count descending, source
/// and target position), never by dictionary order. Every text is escaped with ``HTMLEscape``.
/// Classes and `data-*` attributes for styling and tests: `pm-node` (`data-node`, `data-no`,
/// `data-column`, `data-over`), `pm-arc` (`data-from`, `data-to`, `data-count`, `data-side`:
/// `straight`, `left`, `right`, `cross`, `outer`, `self`), `pm-over-marker`, `pm-caption`.
/// Arcs naming an unknown node, or with a count below 1, are ignored.
public struct ProcessMapSVG: Sendable {
    /// Rendering options.
    public struct Options: Sendable, Hashable {
        public var language: Language
        /// Accessible title; nil gives "Peta proses" / "Process map".
        public var title: String?
        /// Width of the drawing in user units (CSS pixels at full size; it scales down with the page).
        public var width: Double
        /// Node text size (at least 12).
        public var fontSize: Double
        /// Arcs taken in fewer than this share (0...1) of the cases are hidden.
        public var minCaseShare: Double
        /// At most this many arcs (the most frequent) are drawn.
        public var maxArcs: Int
        /// CSS font-family; should start with an Arial-metric font (see ``SVGText``).
        public var fontFamily: String
        /// Prefix for element ids; make it unique when several drawings share one HTML page.
        public var idPrefix: String

        public init(
            language: Language = .id, title: String? = nil, width: Double = 960, fontSize: Double = 13,
            minCaseShare: Double = 0, maxArcs: Int = 40,
            fontFamily: String = "Arial, 'Liberation Sans', Arimo, Helvetica, sans-serif",
            idPrefix: String = "process-map"
        ) {
            self.language = language
            self.title = title
            self.width = width
            self.fontSize = fontSize
            self.minCaseShare = minCaseShare
            self.maxArcs = maxArcs
            self.fontFamily = fontFamily
            self.idPrefix = idPrefix
        }
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    // MARK: Words

    struct Labels {
        let title, start, end, times, cases, mean, standard, within, over, outside, notRecorded, hidden, belowShare,
            beyondMax, or, caption, path, overSteps, noArcs, step: String
        init(_ l: Language) {
            switch l {
            case .id:
                title = "Peta proses"; start = "Mulai"; end = "Selesai"; times = "kali"; cases = "kasus"
                mean = "rata-rata"; standard = "baku"; within = "dalam baku"; over = "melebihi baku"
                outside = "di luar SOP"; notRecorded = "tidak tercatat"
                hidden = "{0} panah disembunyikan"; belowShare = "dipakai di bawah {0} kasus"
                beyondMax = "di luar {0} panah terbanyak"; or = "atau"
                caption = "Tebal panah sebanding dengan jumlah; label panah: jumlah · rata-rata waktu antarlangkah. Panah di kiri: kembali ke langkah sebelumnya (pengulangan)."
                path = "Jalur paling sering"; overSteps = "Melebihi baku"; noArcs = "Belum ada data perpindahan."
                step = "Langkah"
            case .en:
                title = "Process map"; start = "Start"; end = "End"; times = "times"; cases = "cases"
                mean = "mean"; standard = "standard"; within = "within standard"; over = "over standard"
                outside = "outside the SOP"; notRecorded = "not recorded"
                hidden = "{0} arcs hidden"; belowShare = "taken in fewer than {0} of cases"
                beyondMax = "beyond the {0} most frequent"; or = "or"
                caption = "Arc width is proportional to its count; arc labels: count · mean time between the steps. Arcs on the left go back to an earlier step (rework)."
                path = "Most frequent path"; overSteps = "Over standard"; noArcs = "No transitions recorded yet."
                step = "Step"
            }
        }
    }

    // MARK: Geometry

    private enum Kind { case start, end, step(ProcessMap.Node) }

    private struct Line {
        var text: String
        var cls: String
        var bold: Bool = false
        var italic: Bool = false
    }

    private struct Box {
        var id: String
        var kind: Kind
        var column: Int
        var x = 0.0, y = 0.0, w = 0.0, h = 0.0
        var lines: [Line] = []
        var midX: Double { x + w / 2 }
        var midY: Double { y + h / 2 }
        var maxX: Double { x + w }
        var maxY: Double { y + h }
    }

    private enum Side: String { case straight, left, right, cross, outer, `self` }

    private struct Placed {
        var arc: ProcessMap.Arc
        var from: Int
        var to: Int
        var side: Side
        var lane = 0
        var p0 = (x: 0.0, y: 0.0)
        var p1 = (x: 0.0, y: 0.0)
    }

    private struct Rect {
        var x, y, w, h: Double
        func intersects(_ o: Rect) -> Bool { x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h }
    }

    /// The map as an `<svg>` document.
    /// - Complexity: O(n + a²) for n nodes and a drawn arcs (lane and label placement).
    public func render(_ map: ProcessMap) -> String {
        let o = options
        let lang = o.language
        let L = Labels(lang)
        let n = SVGFormat.number
        let W = max(o.width.isFinite ? o.width : 960, 480)
        let f = max(o.fontSize.isFinite ? o.fontSize : 13, 12)
        let af = max(f - 1, 12) // arc labels and caption
        let lh = f * 1.25
        let alh = af * 1.25
        let pad = 8.0

        // Boxes: 0 = Mulai, main column, Selesai, then the second column.
        var seen: Set<String> = [ProcessMap.startID, ProcessMap.endID]
        var inputs: [ProcessMap.Node] = []
        for node in map.nodes where !seen.contains(node.id) {
            seen.insert(node.id)
            inputs.append(node)
        }
        let mainNodes = inputs.filter { !$0.outsideSOP }
        let outsideNodes = inputs.filter(\.outsideSOP)
        var boxes: [Box] = [Box(id: ProcessMap.startID, kind: .start, column: 0)]
        boxes += mainNodes.map { Box(id: $0.id, kind: .step($0), column: 0) }
        boxes.append(Box(id: ProcessMap.endID, kind: .end, column: 0))
        let endIndex = boxes.count - 1
        boxes += outsideNodes.map { Box(id: $0.id, kind: .step($0), column: 1) }
        var index: [String: Int] = [:]
        for (i, b) in boxes.enumerated() { index[b.id] = i }

        // Columns.
        let hasOutside = !outsideNodes.isEmpty
        let leftArea = (W * 0.2).rounded()
        let mainX = leftArea
        let mainW = (W * (hasOutside ? 0.3 : 0.38)).rounded()
        let col1W = hasOutside ? (W * 0.24).rounded() : 0
        let col1X = hasOutside ? (W - (W * 0.04).rounded() - col1W) : W
        let rightAreaEnd = hasOutside ? col1X : W - 4

        // Arcs: valid ones, sorted, filtered.
        let startCount = map.startCount
        var valid: [(arc: ProcessMap.Arc, from: Int, to: Int)] = []
        for a in map.arcs where a.count > 0 {
            guard let i = index[a.from], let j = index[a.to], i != endIndex, j != 0 else { continue }
            valid.append((a, i, j))
        }
        valid.sort { x, y in
            if x.arc.count != y.arc.count { return x.arc.count > y.arc.count }
            if x.from != y.from { return x.from < y.from }
            return x.to < y.to
        }
        let maxArcCount = valid.first?.arc.count ?? 0
        let total = max(map.cases ?? (startCount > 0 ? startCount : maxArcCount), 1)
        let minShare = o.minCaseShare.isFinite ? max(o.minCaseShare, 0) : 0
        let frequent = valid.filter { minShare <= 0 || Double($0.arc.cases ?? $0.arc.count) / Double(total) >= minShare }
        let shownArcs = Array(frequent.prefix(max(o.maxArcs, 0)))
        let hiddenCount = valid.count - shownArcs.count
        let shownMax = Double(shownArcs.first?.arc.count ?? 1)

        // Node texts and sizes.
        for i in boxes.indices {
            let w = boxes[i].column == 0 ? mainW : col1W
            boxes[i].w = w
            let tw = w - 2 * pad
            var lines: [Line] = []
            func add(_ text: String, _ cls: String, bold: Bool = false, italic: Bool = false, maxLines: Int = 2) {
                for t in SVGText.wrap(text, maxWidth: tw, fontSize: f, bold: bold, maxLines: maxLines) {
                    lines.append(Line(text: t, cls: cls, bold: bold, italic: italic))
                }
            }
            switch boxes[i].kind {
            case .start:
                add(L.start + (startCount > 0 ? " · \(MonitoringFormat.count(startCount, lang)) \(L.cases)" : ""), "pm-node-title", bold: true)
            case .end:
                let c = map.endCount
                add(L.end + (c > 0 ? " · \(MonitoringFormat.count(c, lang)) \(L.cases)" : ""), "pm-node-title", bold: true)
            case .step(let node):
                add(node.number.map { "\($0). \(node.label)" } ?? node.label, "pm-node-title", bold: true)
                if node.outsideSOP { add(L.outside, "pm-outside-marker", italic: true, maxLines: 1) }
                if !node.recorded && node.occurrences == 0 {
                    add(L.notRecorded, "pm-not-recorded", italic: true, maxLines: 1)
                } else {
                    var s = "\(MonitoringFormat.count(node.occurrences, lang)) \(L.times) · \(MonitoringFormat.count(node.cases, lang)) \(L.cases)"
                    if let share = node.shareWithinStandard, share.isFinite {
                        s += " · \(MonitoringFormat.percent(share, lang)) \(L.within)"
                    }
                    add(s, "pm-node-counts")
                }
                var times: [String] = []
                if let m = node.meanSeconds, m.isFinite { times.append("\(L.mean) \(MonitoringFormat.duration(m, lang))") }
                if let s = node.standardSeconds, s.isFinite { times.append("\(L.standard) \(MonitoringFormat.duration(s, lang))") }
                if !times.isEmpty { add(times.joined(separator: " · "), "pm-node-times") }
                if node.overStandard { add(L.over, "pm-over-marker", bold: true, maxLines: 1) }
            }
            boxes[i].lines = lines
            boxes[i].h = Double(max(lines.count, 1)) * lh + (boxes[i].column == 0 && (i == 0 || i == endIndex) ? 10 : 14)
        }

        // Vertical placement: the main column.
        let top = 14.0
        let gap = max(46.0, alh + 28)
        var y = top
        for i in 0...endIndex {
            boxes[i].x = mainX
            boxes[i].y = y
            y += boxes[i].h + gap
        }
        let mainBottom = boxes[endIndex].maxY
        // The second column: each activity near the main box it is linked with most.
        var col1Order: [Int] = []
        if hasOutside {
            var desired: [(Int, Double)] = []
            for i in (endIndex + 1)..<boxes.count {
                var best: (count: Int, j: Int)?
                for a in valid where (a.from == i && a.to <= endIndex) || (a.to == i && a.from <= endIndex) {
                    let j = a.from == i ? a.to : a.from
                    if best == nil || a.arc.count > best!.count || (a.arc.count == best!.count && j < best!.j) { best = (a.arc.count, j) }
                }
                desired.append((i, best.map { boxes[$0.j].midY } ?? mainBottom))
            }
            desired.sort { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
            var floor = top
            for (i, d) in desired {
                boxes[i].x = col1X
                boxes[i].y = max(d - boxes[i].h / 2, floor)
                floor = boxes[i].maxY + gap
                col1Order.append(i)
            }
        }
        let col1Position = Dictionary(uniqueKeysWithValues: col1Order.enumerated().map { ($0.element, $0.offset) })
        func rowPosition(_ i: Int) -> Int { boxes[i].column == 0 ? i : col1Position[i] ?? 0 }

        // Arc kinds.
        var placed: [Placed] = shownArcs.map { a in
            let (i, j) = (a.from, a.to)
            let side: Side
            if i == j {
                side = .self
            } else if boxes[i].column != boxes[j].column {
                side = .cross
            } else if rowPosition(j) == rowPosition(i) + 1 {
                side = .straight
            } else if boxes[i].column == 1 {
                side = .outer
            } else {
                side = rowPosition(j) > rowPosition(i) ? .right : .left
            }
            return Placed(arc: a.arc, from: i, to: j, side: side)
        }

        // Lanes: nested arcs side by side, shortest innermost.
        var laneCount: [Side: Int] = [:]
        for side in [Side.left, .right, .outer] {
            let ids = placed.indices.filter { placed[$0].side == side }.sorted { a, b in
                let pa = placed[a], pb = placed[b]
                let sa = abs(rowPosition(pa.to) - rowPosition(pa.from)), sb = abs(rowPosition(pb.to) - rowPosition(pb.from))
                return sa != sb ? sa < sb : a < b
            }
            var lanes: [[(Int, Int)]] = []
            for k in ids {
                let lo = min(rowPosition(placed[k].from), rowPosition(placed[k].to))
                let hi = max(rowPosition(placed[k].from), rowPosition(placed[k].to))
                var lane = 0
                while lane < lanes.count && lanes[lane].contains(where: { lo <= $0.1 && $0.0 <= hi }) { lane += 1 }
                if lane == lanes.count { lanes.append([]) }
                lanes[lane].append((lo, hi))
                placed[k].lane = lane
            }
            laneCount[side] = lanes.count
        }
        func laneOffset(_ side: Side, _ lane: Int) -> Double {
            let count = laneCount[side] ?? 1
            let room: Double
            switch side {
            case .left: room = leftArea * 0.8 - 22
            case .right: room = (rightAreaEnd - mainX - mainW) * (hasOutside ? 0.45 : 0.7) - 22
            default: room = max(W - col1X - col1W - 8, 12) - 4
            }
            let step = count > 1 ? min(26, max(room, 0) / Double(count - 1)) : 0
            return (side == .outer ? 8 : 22) + Double(lane) * step
        }

        // Ports: arcs attached to a box's side, spread over its height, upward ones higher.
        enum PortSide: Hashable { case left, right }
        var attachments: [Int: [PortSide: [(key: Double, tie: Int, arc: Int, end: Int)]]] = [:]
        func attach(_ box: Int, _ side: PortSide, key: Double, tie: Int, arc: Int, end: Int) {
            attachments[box, default: [:]][side, default: []].append((key, tie, arc, end))
        }
        for (k, p) in placed.enumerated() {
            switch p.side {
            case .left:
                attach(p.from, .left, key: boxes[p.to].midY, tie: k, arc: k, end: 0)
                attach(p.to, .left, key: boxes[p.from].midY, tie: k, arc: k, end: 1)
            case .right, .outer:
                attach(p.from, .right, key: boxes[p.to].midY, tie: k, arc: k, end: 0)
                attach(p.to, .right, key: boxes[p.from].midY, tie: k, arc: k, end: 1)
            case .cross:
                attach(p.from, boxes[p.from].column == 0 ? .right : .left, key: boxes[p.to].midY + (boxes[p.from].column == 0 ? -0.5 : 0.5), tie: k, arc: k, end: 0)
                attach(p.to, boxes[p.to].column == 0 ? .right : .left, key: boxes[p.from].midY + (boxes[p.to].column == 0 ? 0.5 : -0.5), tie: k, arc: k, end: 1)
            case .self:
                attach(p.from, .left, key: boxes[p.from].midY - 0.25, tie: k, arc: k, end: 0)
                attach(p.to, .left, key: boxes[p.from].midY + 0.25, tie: k, arc: k, end: 1)
            case .straight:
                placed[k].p0 = (boxes[p.from].midX, boxes[p.from].maxY)
                placed[k].p1 = (boxes[p.to].midX, boxes[p.to].y)
            }
        }
        for box in attachments.keys.sorted() {
            for (side, list) in attachments[box]!.sorted(by: { $0.key == .left && $1.key == .right }) {
                let sorted = list.sorted { $0.key != $1.key ? $0.key < $1.key : ($0.tie != $1.tie ? $0.tie < $1.tie : $0.end < $1.end) }
                let b = boxes[box]
                for (m, a) in sorted.enumerated() {
                    let py = b.y + b.h * Double(m + 1) / Double(sorted.count + 1)
                    var inset = 0.0
                    if case .step(let nd) = b.kind, nd.isDecision {
                        // On the hexagon's slanted edge.
                        inset = min(b.h / 2, 18) * abs(py - b.midY) / (b.h / 2)
                    }
                    let px = side == .left ? b.x + inset : b.maxX - inset
                    if a.end == 0 { placed[a.arc].p0 = (px, py) } else { placed[a.arc].p1 = (px, py) }
                }
            }
        }

        // Obstacles for label placement: the boxes.
        var taken: [Rect] = boxes.map { Rect(x: $0.x - 2, y: $0.y - 2, w: $0.w + 4, h: $0.h + 4) }
        func placeLabel(_ text: String, cx: Double, cy: Double, minX: Double, maxX: Double) -> (x: Double, y: Double) {
            let w = SVGText.width(text, fontSize: af)
            let lo = minX + w / 2 + 2, hi = maxX - w / 2 - 2
            var x = lo <= hi ? min(max(cx, lo), hi) : (minX + maxX) / 2
            x = min(max(x, w / 2 + 2), W - w / 2 - 2)
            let step = alh
            for k in [0, 1, -1, 2, -2, 3, -3, 4, -4] {
                let yy = cy + Double(k) * step
                let r = Rect(x: x - w / 2 - 2, y: yy - alh / 2, w: w + 4, h: alh)
                if !taken.contains(where: { $0.intersects(r) }) {
                    taken.append(r)
                    return (x, yy)
                }
            }
            taken.append(Rect(x: x - w / 2 - 2, y: cy - alh / 2, w: w + 4, h: alh))
            return (x, cy)
        }

        // Drawing.
        var s = ""
        let titleID = o.idPrefix + "-title", descID = o.idPrefix + "-desc"
        let title = o.title ?? L.title

        // Caption.
        var captionText = L.caption
        if hiddenCount > 0 {
            var reasons: [String] = []
            if frequent.count < valid.count { reasons.append(MonitoringFormat.fill(L.belowShare, [MonitoringFormat.percent(minShare, lang)])) }
            if shownArcs.count < frequent.count { reasons.append(MonitoringFormat.fill(L.beyondMax, [MonitoringFormat.count(max(o.maxArcs, 0), lang)])) }
            captionText += " " + MonitoringFormat.fill(L.hidden, [MonitoringFormat.count(hiddenCount, lang)])
                + " (" + reasons.joined(separator: " \(L.or) ") + ")."
        }
        if valid.isEmpty { captionText = L.noArcs + " " + captionText }
        let contentBottom = max(mainBottom, boxes.last.map(\.maxY) ?? mainBottom, col1Order.map { boxes[$0].maxY }.max() ?? 0)
        let captionLines = SVGText.wrap(captionText, maxWidth: W - 16, fontSize: af)
        let captionTop = contentBottom + 22
        let H = (captionTop + Double(captionLines.count) * alh + 8).rounded(.up)

        s += "<svg" + SVGFormat.attributes([
            ("xmlns", "http://www.w3.org/2000/svg"), ("class", "process-map"),
            ("width", "100%"), ("viewBox", "0 0 \(n(W)) \(n(H))"), ("preserveAspectRatio", "xMidYMin meet"),
            ("style", "max-width:\(n(W))px;height:auto"),
            ("role", "img"), ("aria-labelledby", "\(titleID) \(descID)"),
            ("font-family", o.fontFamily), ("font-size", n(f)),
            ("data-arcs", String(placed.count)), ("data-hidden-arcs", String(hiddenCount)),
        ]) + ">\n"
        s += "<title" + SVGFormat.attributes([("id", titleID)]) + ">\(HTMLEscape.text(title))</title>\n"
        s += "<desc" + SVGFormat.attributes([("id", descID)]) + ">\(HTMLEscape.text(description(boxes: boxes, arcs: shownArcs, endIndex: endIndex, hidden: hiddenCount, total: total, labels: L)))</desc>\n"
        s += "<rect class=\"pm-background\" x=\"0\" y=\"0\" width=\"\(n(W))\" height=\"\(n(H))\" fill=\"#ffffff\"/>\n"

        // Nodes.
        s += "<g class=\"pm-nodes\">\n"
        for (i, b) in boxes.enumerated() {
            var node: ProcessMap.Node?
            if case .step(let nd) = b.kind { node = nd }
            let over = node?.overStandard ?? false
            let grey = node.map { !$0.recorded } ?? false
            var attrs: [(String, String)] = [("class", "pm-node" + (over ? " pm-over" : "") + (node?.outsideSOP == true ? " pm-outside" : "") + (grey ? " pm-unrecorded" : "")), ("data-node", b.id), ("data-column", String(b.column))]
            if let no = node?.number { attrs.append(("data-no", String(no))) }
            attrs.append(("data-over", over ? "true" : "false"))
            s += "<g" + SVGFormat.attributes(attrs) + ">"
            s += "<title>\(HTMLEscape.text(b.lines.map(\.text).joined(separator: " ")))</title>"
            let stroke = over ? "#8b1a1a" : (grey ? "#8a8a8a" : "#333333")
            let sw = over ? 3.0 : 1.2
            let fill = grey ? "#eeeeee" : (i == 0 || i == endIndex ? "#eef3f8" : "#ffffff")
            var shapeAttrs: [(String, String)] = [("fill", fill), ("stroke", stroke), ("stroke-width", n(sw))]
            if node?.outsideSOP == true { shapeAttrs.append(("stroke-dasharray", "6 4")) }
            let sa = SVGFormat.attributes(shapeAttrs)
            if case .step(let nd) = b.kind, nd.isDecision {
                let c = min(b.h / 2, 18)
                s += "<path class=\"pm-shape\" d=\"\(SVGFormat.polygonPath([(b.x + c, b.y), (b.maxX - c, b.y), (b.maxX, b.midY), (b.maxX - c, b.maxY), (b.x + c, b.maxY), (b.x, b.midY)]))\"\(sa)/>"
                if over {
                    let e = 4.0
                    s += "<path class=\"pm-over-outline\" d=\"\(SVGFormat.polygonPath([(b.x + c - e, b.y - e), (b.maxX - c + e, b.y - e), (b.maxX + e, b.midY), (b.maxX - c + e, b.maxY + e), (b.x + c - e, b.maxY + e), (b.x - e, b.midY)]))\" fill=\"none\" stroke=\"#8b1a1a\" stroke-width=\"1\"/>"
                }
            } else {
                let r = (i == 0 || i == endIndex) ? b.h / 2 : 6
                s += "<rect class=\"pm-shape\" x=\"\(n(b.x))\" y=\"\(n(b.y))\" width=\"\(n(b.w))\" height=\"\(n(b.h))\" rx=\"\(n(r))\"\(sa)/>"
                if over {
                    s += "<rect class=\"pm-over-outline\" x=\"\(n(b.x - 4))\" y=\"\(n(b.y - 4))\" width=\"\(n(b.w + 8))\" height=\"\(n(b.h + 8))\" rx=\"\(n(r + 4))\" fill=\"none\" stroke=\"#8b1a1a\" stroke-width=\"1\"/>"
                }
            }
            let blockH = Double(b.lines.count) * lh
            let firstBaseline = b.y + (b.h - blockH) / 2 + (lh - f) / 2 + f * 0.82
            let isDecision: Bool = { if case .step(let nd) = b.kind { return nd.isDecision } ; return false }()
            for (k, line) in b.lines.enumerated() {
                var ta: [(String, String)] = [("class", line.cls), ("x", n(b.midX)), ("y", n(firstBaseline + Double(k) * lh)), ("text-anchor", "middle")]
                if line.bold { ta.append(("font-weight", "bold")) }
                if line.italic { ta.append(("font-style", "italic")) }
                let color = line.cls == "pm-over-marker" ? "#8b1a1a" : (grey || line.cls == "pm-not-recorded" ? "#555555" : "#1a1a1a")
                ta.append(("fill", color))
                if isDecision {
                    // Keep text clear of the hexagon's points.
                    let wd = SVGText.width(line.text, fontSize: f, bold: line.bold)
                    if wd > b.w - 2 * min(b.h / 2, 18) - 4 {
                        ta.append(("textLength", n(b.w - 2 * min(b.h / 2, 18) - 4)))
                        ta.append(("lengthAdjust", "spacingAndGlyphs"))
                    }
                }
                s += "<text" + SVGFormat.attributes(ta) + ">\(HTMLEscape.text(line.text))</text>"
            }
            s += "</g>\n"
        }
        s += "</g>\n"

        // Arcs, thin ones first so thick ones stay on top.
        s += "<g class=\"pm-arcs\" fill=\"none\">\n"
        var labelsSVG = ""
        for p in placed.reversed() {
            let a = p.arc
            let sw = 1.2 + 6.8 * Double(a.count) / shownMax
            let len = 7 + sw * 0.9, half = 3.5 + sw * 0.6
            let color: String
            switch p.side {
            case .left, .self: color = "#9c4a12"
            case .cross, .outer: color = "#5f5f5f"
            default: color = "#2a5788"
            }
            // Control points; the curve ends `len` before the tip, along its last tangent.
            var c1 = p.p0, c2 = p.p1
            switch p.side {
            case .straight:
                c2 = p.p0 // the tangent runs from source to target
            case .left:
                let d = laneOffset(.left, p.lane)
                c1 = (p.p0.x - d / 0.75, p.p0.y); c2 = (p.p1.x - d / 0.75, p.p1.y)
            case .right, .outer:
                let d = laneOffset(p.side, p.lane)
                c1 = (p.p0.x + d / 0.75, p.p0.y); c2 = (p.p1.x + d / 0.75, p.p1.y)
            case .cross:
                let dx = abs(p.p1.x - p.p0.x) * 0.5
                c1 = (p.p0.x + (p.p1.x > p.p0.x ? dx : -dx), p.p0.y)
                c2 = (p.p1.x + (p.p1.x > p.p0.x ? -dx : dx), p.p1.y)
            case .self:
                c1 = (p.p0.x - 34, p.p0.y - 10); c2 = (p.p1.x - 34, p.p1.y + 10)
            }
            let tx = p.p1.x - c2.x, ty = p.p1.y - c2.y
            let tl = max((tx * tx + ty * ty).squareRoot(), 0.0001)
            let (ux, uy) = (tx / tl, ty / tl)
            let end = (x: p.p1.x - ux * len, y: p.p1.y - uy * len)
            let d: String
            if p.side == .straight {
                d = "M\(n(p.p0.x)) \(n(p.p0.y)) L\(n(end.x)) \(n(end.y))"
            } else {
                d = "M\(n(p.p0.x)) \(n(p.p0.y)) C\(n(c1.x)) \(n(c1.y)) \(n(c2.x)) \(n(c2.y)) \(n(end.x)) \(n(end.y))"
            }
            let bx = p.p1.x - ux * len, by = p.p1.y - uy * len
            let head = SVGFormat.polygonPath([(p.p1.x, p.p1.y), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)])
            let fromName = boxName(boxes[p.from], L), toName = boxName(boxes[p.to], L)
            let text = arcText(a, lang)
            s += "<g" + SVGFormat.attributes([
                ("class", "pm-arc pm-arc-\(p.side.rawValue)"), ("data-from", a.from), ("data-to", a.to),
                ("data-count", String(a.count)), ("data-side", p.side.rawValue),
            ]) + ">"
            s += "<title>\(HTMLEscape.text("\(fromName) → \(toName): \(text)"))</title>"
            s += "<path class=\"pm-arc-line\" d=\"\(d)\" stroke=\"\(color)\" stroke-width=\"\(n(sw))\" stroke-opacity=\"0.85\"" + (p.side == .cross || p.side == .outer ? " stroke-dasharray=\"7 4\"" : "") + "/>"
            s += "<path class=\"pm-arrowhead\" d=\"\(head)\" fill=\"\(color)\"/>"
            s += "</g>\n"
        }
        // Labels after all arcs, most frequent first (they get the best places), on a white halo.
        for p in placed {
            let a = p.arc
            let sw = 1.2 + 6.8 * Double(a.count) / shownMax
            let text = arcText(a, lang)
            let tw = SVGText.width(text, fontSize: af)
            var at: (x: Double, y: Double)
            var lo = 0.0, hi = W
            switch p.side {
            case .straight:
                at = (p.p0.x + sw / 2 + 6 + tw / 2, (p.p0.y + p.p1.y) / 2)
                lo = p.p0.x + sw / 2 + 4
            case .left:
                at = (p.p0.x - laneOffset(.left, p.lane), (p.p0.y + p.p1.y) / 2)
                hi = mainX
            case .right, .outer:
                at = (p.p0.x + laneOffset(p.side, p.lane), (p.p0.y + p.p1.y) / 2)
                if p.side == .right { lo = mainX + mainW; hi = rightAreaEnd } else { lo = col1X + col1W }
            case .cross:
                at = ((p.p0.x + p.p1.x) / 2, (p.p0.y + p.p1.y) / 2)
                lo = mainX + mainW; hi = col1X
            case .self:
                at = (p.p0.x - 30 - tw / 2, (p.p0.y + p.p1.y) / 2)
                hi = mainX - 26
            }
            let pos = placeLabel(text, cx: at.x, cy: at.y, minX: lo, maxX: hi)
            labelsSVG += "<text" + SVGFormat.attributes([
                ("class", "pm-arc-label"), ("data-from", a.from), ("data-to", a.to),
                ("x", n(pos.x)), ("y", n(pos.y + af * 0.35)), ("text-anchor", "middle"), ("font-size", n(af)),
                ("fill", "#1a1a1a"), ("stroke", "#ffffff"), ("stroke-width", "3"), ("paint-order", "stroke"),
                ("stroke-linejoin", "round"),
            ]) + ">\(HTMLEscape.text(text))</text>\n"
        }
        s += "</g>\n"
        s += "<g class=\"pm-arc-labels\">\n" + labelsSVG + "</g>\n"

        // Caption.
        s += "<g class=\"pm-caption\" font-size=\"\(n(af))\" fill=\"#333333\">"
        for (k, line) in captionLines.enumerated() {
            s += "<text x=\"8\" y=\"\(n(captionTop + Double(k) * alh + af * 0.9))\">\(HTMLEscape.text(line))</text>"
        }
        s += "</g>\n"
        s += "</svg>\n"
        return s
    }

    private func arcText(_ a: ProcessMap.Arc, _ lang: Language) -> String {
        var t = MonitoringFormat.count(a.count, lang)
        if let m = a.meanSeconds, m.isFinite { t += " · " + MonitoringFormat.duration(m, lang) }
        return t
    }

    private func boxName(_ b: Box, _ L: Labels) -> String {
        switch b.kind {
        case .start: return L.start
        case .end: return L.end
        case .step(let nd): return nd.number.map { "\($0). \(nd.label)" } ?? nd.label
        }
    }

    /// Cases, the most frequent path (greedy from "Mulai", always along the most frequent arc not
    /// yet used), the steps over their standard, and hidden arcs.
    private func description(
        boxes: [Box], arcs: [(arc: ProcessMap.Arc, from: Int, to: Int)], endIndex: Int, hidden: Int, total: Int, labels L: Labels
    ) -> String {
        let lang = options.language
        var parts: [String] = []
        parts.append("\(MonitoringFormat.count(total, lang)) \(L.cases).")
        // `arcs` is sorted by count descending, so the first match is the most frequent.
        var path = [0]
        var visited: Set<Int> = [0]
        var current = 0
        while current != endIndex, let next = arcs.first(where: { $0.from == current && !visited.contains($0.to) }) {
            path.append(next.to)
            visited.insert(next.to)
            current = next.to
        }
        if path.count > 1 {
            parts.append("\(L.path): " + path.map { boxName(boxes[$0], L) }.joined(separator: " → ") + ".")
        } else {
            parts.append(L.noArcs)
        }
        let over = boxes.compactMap { b -> String? in
            guard case .step(let nd) = b.kind, nd.overStandard else { return nil }
            var t = boxName(b, L)
            var times: [String] = []
            if let m = nd.meanSeconds, m.isFinite { times.append("\(L.mean) \(MonitoringFormat.duration(m, lang))") }
            if let s = nd.standardSeconds, s.isFinite { times.append("\(L.standard) \(MonitoringFormat.duration(s, lang))") }
            if !times.isEmpty { t += " (" + times.joined(separator: ", ") + ")" }
            return t
        }
        if !over.isEmpty { parts.append("\(L.overSteps): " + over.joined(separator: "; ") + ".") }
        if hidden > 0 {
            parts.append(lang == .id ? "\(MonitoringFormat.count(hidden, lang)) panah jarang disembunyikan." : "\(MonitoringFormat.count(hidden, lang)) rare arcs hidden.")
        }
        return parts.joined(separator: " ")
    }
}

/// Number, share and duration wording shared by the monitoring drawings: deterministic (no
/// locale data), Indonesian thousands dot and decimal comma.
enum MonitoringFormat {
    /// `1.234` (id) or `1,234` (en).
    static func count(_ value: Int, _ lang: Language) -> String {
        let digits = String(abs(value))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += lang == .id ? "." : "," }
            out.append(ch)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// A share 0...1 as a percentage with at most one decimal: `85%`, `85,5%` (id), `85.5%` (en).
    static func percent(_ share: Double, _ lang: Language) -> String {
        guard share.isFinite else { return "–" }
        let tenths = Int((share * 1000).rounded())
        var s = String(abs(tenths) / 10)
        if tenths % 10 != 0 { s += (lang == .id ? "," : ".") + String(abs(tenths) % 10) }
        return (tenths < 0 ? "-" : "") + s + "%"
    }

    /// A duration in the report's words (``TimeStandard/format(seconds:language:)``), rounded so
    /// it stays short: whole seconds under ten minutes, whole minutes from ten minutes, whole
    /// hours from a day.
    static func duration(_ seconds: Double, _ lang: Language) -> String {
        guard seconds.isFinite else { return "–" }
        if seconds > 0 && seconds < 1 { return lang == .id ? "< 1 detik" : "< 1 s" }
        let unit: Double = seconds >= 86_400 ? 3600 : (seconds >= 600 ? 60 : 1)
        return TimeStandard.format(seconds: (seconds / unit).rounded() * unit, language: lang)
    }

    /// Replaces `{0}`, `{1}`, … in `template`.
    static func fill(_ template: String, _ args: [String]) -> String {
        var s = template
        for (i, a) in args.enumerated() { s = s.replacingOccurrences(of: "{\(i)}", with: a) }
        return s
    }
}
