/// Orthogonal arrow routing for the flowchart table.
///
/// Each arrow leaves its source through one of four ports (top, bottom, left, right: the
/// midpoints of a box, the vertices of a diamond) and enters its target through another. Candidate
/// paths are tried from the simplest (straight down, one elbow, two elbows) to paths through the
/// vertical lanes in the gutters beside the column boundaries; the first candidate that crosses no
/// symbol and no text (branch labels), does not run along an arrow with another target, and uses
/// free ports wins. Loop-backs (target above the source) always go through a lane: they leave the
/// source's row sideways (or from below), climb in a gutter, where no symbol is, and enter the
/// target from the side or from just above. Lanes on the right of the two symbols are preferred,
/// so loop-backs stay away from the Kegiatan column.
struct SOPFlowchartRouter {
    typealias Point = SOPFlowchartLayout.Point
    typealias Rect = SOPFlowchartLayout.Rect

    struct Node {
        var frame: Rect
    }

    enum Port: Int, CaseIterable {
        case top, bottom, left, right
    }

    enum PortUse {
        case incoming, outgoing
    }

    private struct Segment {
        var a: Point
        var b: Point
        var target: Int
        var vertical: Bool { abs(a.x - b.x) < 0.01 }
    }

    private struct Candidate {
        var points: [Point]
        var outPort: Port
        var inPort: Port
    }

    var nodes: [Node]
    let lanes: [Double]
    let contentTop: Double
    let contentBottom: Double
    let clearance: Double
    /// The shortest last run of an arrow: its arrowhead's length and a little.
    let minLastRun: Double
    private var portUse: [[Port: PortUse]]
    private var segments: [Segment] = []
    /// Text boxes (branch labels) arrows keep clear of.
    private(set) var obstacles: [Rect] = []

    init(nodes: [Node], lanes: [Double], contentTop: Double, contentBottom: Double, clearance: Double, minLastRun: Double = 8) {
        self.nodes = nodes
        self.lanes = lanes
        self.contentTop = contentTop
        self.contentBottom = contentBottom
        self.clearance = clearance
        self.minLastRun = minLastRun
        self.portUse = Array(repeating: [:], count: nodes.count)
    }

    /// Adds a text box that later arrows keep clear of.
    mutating func addObstacle(_ r: Rect) {
        obstacles.append(r)
    }

    func port(_ p: Port, of n: Int) -> Point {
        let f = nodes[n].frame
        switch p {
        case .top: return Point(x: f.midX, y: f.minY)
        case .bottom: return Point(x: f.midX, y: f.maxY)
        case .left: return Point(x: f.minX, y: f.midY)
        case .right: return Point(x: f.maxX, y: f.midY)
        }
    }

    /// Routes an arrow from node `s` to node `t` and records it, so later arrows avoid it.
    /// - Parameter minHorizontalStart: when positive (a labelled branch), candidates whose first
    ///   segment is horizontal and shorter than this are used only if nothing else fits, so the
    ///   "Ya"/"Tidak" label has room beside the line.
    ///   - label: where the arrow's label would go for given waypoints; candidates whose label
    ///     would cover a symbol, another label or an earlier arrow are used only if nothing else fits.
    /// - Returns: the waypoints, from the source port to the target port.
    mutating func route(from s: Int, to t: Int, minHorizontalStart: Double = 0, label: (([Point]) -> Rect?)? = nil) -> [Point] {
        let candidates = self.candidates(from: s, to: t)
        func roomy(_ c: Candidate) -> Bool {
            let pts = Self.simplify(c.points)
            guard minHorizontalStart > 0, pts.count >= 2, abs(pts[0].y - pts[1].y) < 0.01 else { return true }
            return abs(pts[1].x - pts[0].x) >= minHorizontalStart
        }
        func labelFree(_ c: Candidate) -> Bool {
            guard let label, let box = label(Self.simplify(c.points)) else { return true }
            let r = box.insetBy(-clearance)
            for (n, node) in nodes.enumerated() where n != s {
                if Self.rects(r, node.frame) { return false }
            }
            for o in obstacles where Self.rects(r, o) { return false }
            for seg in segments where Self.segment(seg.a, seg.b, crosses: r) { return false }
            return true
        }
        let chosen = candidates.first { roomy($0) && labelFree($0) && valid($0, from: s, to: t) }
            ?? candidates.first { labelFree($0) && valid($0, from: s, to: t) }
            ?? candidates.first { valid($0, from: s, to: t) }
            ?? candidates.first { valid($0, from: s, to: t, ports: false) }
            // Better over a label than along another arrow, which would make the two ambiguous.
            ?? candidates.first { valid($0, from: s, to: t, ports: false, strict: false) }
            ?? candidates.first { validGeometry($0, from: s, to: t) }
            ?? candidates.first { validGeometry($0, from: s, to: t, strict: false) }
            ?? candidates.first
        guard let c = chosen else { return [] }
        portUse[s][c.outPort] = .outgoing
        if portUse[t][c.inPort] == nil { portUse[t][c.inPort] = .incoming }
        let pts = Self.simplify(c.points)
        for k in 0..<max(pts.count - 1, 0) {
            segments.append(Segment(a: pts[k], b: pts[k + 1], target: t))
        }
        return pts
    }

    // MARK: Candidates

    private func candidates(from s: Int, to t: Int) -> [Candidate] {
        let sf = nodes[s].frame, tf = nodes[t].frame
        var out: [Candidate] = []
        let gap = 8.0
        func side(_ f: Rect, toward x: Double) -> Port? {
            if x < f.minX - 0.5 { return .left }
            if x > f.maxX + 0.5 { return .right }
            return nil
        }
        let above = tf.minY - gap // just above the target, inside its row
        if tf.midY > sf.midY + 0.5 {
            // Forward (downwards).
            if abs(sf.midX - tf.midX) < 0.5 {
                out.append(.init(points: [port(.bottom, of: s), port(.top, of: t)], outPort: .bottom, inPort: .top))
            }
            if let sp = side(sf, toward: tf.midX) {
                let a = port(sp, of: s)
                out.append(.init(points: [a, Point(x: tf.midX, y: a.y), port(.top, of: t)], outPort: sp, inPort: .top))
            }
            if let tp = side(tf, toward: sf.midX) {
                let b = port(tp, of: t)
                out.append(.init(points: [port(.bottom, of: s), Point(x: sf.midX, y: b.y), b], outPort: .bottom, inPort: tp))
            }
            if abs(sf.midX - tf.midX) >= 0.5 {
                out.append(.init(points: [port(.bottom, of: s), Point(x: sf.midX, y: above), Point(x: tf.midX, y: above), port(.top, of: t)],
                                 outPort: .bottom, inPort: .top))
            }
            let mid = (sf.midX + tf.midX) / 2
            for x in lanes.sorted(by: { abs($0 - mid) < abs($1 - mid) || (abs($0 - mid) == abs($1 - mid) && $0 < $1) }) {
                if let sp = side(sf, toward: x) {
                    let a = port(sp, of: s)
                    out.append(.init(points: [a, Point(x: x, y: a.y), Point(x: x, y: above), Point(x: tf.midX, y: above), port(.top, of: t)],
                                     outPort: sp, inPort: .top))
                    if let tp = side(tf, toward: x) {
                        let b = port(tp, of: t)
                        out.append(.init(points: [a, Point(x: x, y: a.y), Point(x: x, y: b.y), b], outPort: sp, inPort: tp))
                    }
                }
                let below = sf.maxY + gap
                out.append(.init(points: [port(.bottom, of: s), Point(x: sf.midX, y: below), Point(x: x, y: below),
                                          Point(x: x, y: above), Point(x: tf.midX, y: above), port(.top, of: t)],
                                 outPort: .bottom, inPort: .top))
            }
        } else {
            // Loop-back (upwards) or same row: through a lane beside both symbols, nearest first,
            // lanes on the right preferred (a lane on the left costs one gutter more).
            let lo = min(sf.minX, tf.minX), hi = max(sf.maxX, tf.maxX)
            func outside(_ x: Double) -> Bool { x < lo || x > hi }
            let leftPenalty = 2 * rightPreference
            func cost(_ x: Double) -> Double { x < lo ? lo - x + leftPenalty : (x > hi ? x - hi : 0) }
            let ordered = lanes.sorted { a, b in
                if outside(a) != outside(b) { return outside(a) }
                if cost(a) != cost(b) { return cost(a) < cost(b) }
                return a > b
            }
            // Second choices for the runs below the source and above the target, so two loop-backs
            // leaving one connector band (or entering one row) need not share a run.
            for (below, above) in [(sf.maxY + gap, above), (sf.maxY + gap / 2, tf.minY - gap * 1.5)] {
                for x in ordered {
                    if let sp = side(sf, toward: x) {
                        let a = port(sp, of: s)
                        if let tp = side(tf, toward: x), below == sf.maxY + gap {
                            let b = port(tp, of: t)
                            out.append(.init(points: [a, Point(x: x, y: a.y), Point(x: x, y: b.y), b], outPort: sp, inPort: tp))
                        }
                        out.append(.init(points: [a, Point(x: x, y: a.y), Point(x: x, y: above), Point(x: tf.midX, y: above), port(.top, of: t)],
                                         outPort: sp, inPort: .top))
                    }
                    if let tp = side(tf, toward: x) {
                        let b = port(tp, of: t)
                        out.append(.init(points: [port(.bottom, of: s), Point(x: sf.midX, y: below), Point(x: x, y: below), Point(x: x, y: b.y), b],
                                         outPort: .bottom, inPort: tp))
                    }
                    out.append(.init(points: [port(.bottom, of: s), Point(x: sf.midX, y: below), Point(x: x, y: below),
                                              Point(x: x, y: above), Point(x: tf.midX, y: above), port(.top, of: t)],
                                     outPort: .bottom, inPort: .top))
                }
            }
        }
        return out
    }

    /// How much nearer a lane on the left must be to be preferred to one on the right.
    var rightPreference: Double = 16

    // MARK: Checks

    private func valid(_ c: Candidate, from s: Int, to t: Int, ports: Bool = true, strict: Bool = true) -> Bool {
        guard validGeometry(c, from: s, to: t, strict: strict) else { return false }
        // Ports: an outgoing port must be free; an incoming port may be shared by incoming arrows.
        if s == t && c.outPort == c.inPort { return false }
        if ports {
            if portUse[s][c.outPort] != nil { return false }
            if portUse[t][c.inPort] == .outgoing { return false }
        }
        // No running along an earlier arrow unless both go to the same target (they merge).
        let pts = Self.simplify(c.points)
        for k in 0..<max(pts.count - 1, 0) {
            let seg = Segment(a: pts[k], b: pts[k + 1], target: t)
            for old in segments where old.target != t && Self.overlaps(seg, old) { return false }
        }
        return true
    }

    /// Whether a candidate stays inside the page, is orthogonal, crosses no node (other than
    /// leaving its source and entering its target) and, when `strict`, keeps `clearance` from
    /// the text boxes and has a last run long enough for the arrowhead.
    private func validGeometry(_ c: Candidate, from s: Int, to t: Int, strict: Bool = true) -> Bool {
        let pts = Self.simplify(c.points)
        guard pts.count >= 2 else { return false }
        for p in pts where p.y < contentTop + 1 || p.y > contentBottom - 1 { return false }
        let last = pts.count - 2
        if strict {
            let a = pts[last], b = pts[last + 1]
            if abs(a.x - b.x) + abs(a.y - b.y) < minLastRun - 0.01 { return false }
        }
        for k in 0...last {
            let a = pts[k], b = pts[k + 1]
            guard abs(a.x - b.x) < 0.01 || abs(a.y - b.y) < 0.01 else { return false }
            for (n, node) in nodes.enumerated() {
                if n == s && k == 0 { continue }
                if n == t && k == last { continue }
                if Self.segment(a, b, crosses: node.frame.insetBy(-clearance)) { return false }
            }
            if strict {
                for o in obstacles where Self.segment(a, b, crosses: o.insetBy(-clearance)) { return false }
            }
            // The first segment must leave the source, the last must not pass through the target.
            if k == 0 && Self.segment(Self.nudge(a, toward: b), b, crosses: nodes[s].frame.insetBy(0.5)) { return false }
            if k == last && Self.segment(a, Self.nudge(b, toward: a), crosses: nodes[t].frame.insetBy(0.5)) { return false }
        }
        return true
    }

    static func rects(_ a: Rect, _ b: Rect) -> Bool {
        a.minX < b.maxX && a.maxX > b.minX && a.minY < b.maxY && a.maxY > b.minY
    }

    private static func nudge(_ p: Point, toward q: Point) -> Point {
        let dx = q.x - p.x, dy = q.y - p.y
        let len = max(abs(dx) + abs(dy), 0.0001)
        let step = min(1.0, len)
        return Point(x: p.x + dx / len * step, y: p.y + dy / len * step)
    }

    /// Whether an axis-parallel segment passes through the inside of `r`.
    static func segment(_ a: Point, _ b: Point, crosses r: Rect) -> Bool {
        let minX = min(a.x, b.x), maxX = max(a.x, b.x)
        let minY = min(a.y, b.y), maxY = max(a.y, b.y)
        return minX < r.maxX && maxX > r.minX && minY < r.maxY && maxY > r.minY
    }

    private static func overlaps(_ p: Segment, _ q: Segment) -> Bool {
        let tol = 3.0
        if p.vertical && q.vertical {
            guard abs(p.a.x - q.a.x) < tol else { return false }
            let lo = max(min(p.a.y, p.b.y), min(q.a.y, q.b.y))
            let hi = min(max(p.a.y, p.b.y), max(q.a.y, q.b.y))
            return hi - lo > 0.5
        }
        if !p.vertical && !q.vertical {
            guard abs(p.a.y - q.a.y) < tol else { return false }
            let lo = max(min(p.a.x, p.b.x), min(q.a.x, q.b.x))
            let hi = min(max(p.a.x, p.b.x), max(q.a.x, q.b.x))
            return hi - lo > 0.5
        }
        return false
    }

    /// Drops repeated points and middle points of straight runs.
    static func simplify(_ points: [Point]) -> [Point] {
        var out: [Point] = []
        for p in points {
            if let last = out.last, abs(last.x - p.x) < 0.01 && abs(last.y - p.y) < 0.01 { continue }
            if out.count >= 2 {
                let a = out[out.count - 2], b = out[out.count - 1]
                let collinear = (abs(a.x - b.x) < 0.01 && abs(b.x - p.x) < 0.01) || (abs(a.y - b.y) < 0.01 && abs(b.y - p.y) < 0.01)
                if collinear { out[out.count - 1] = p; continue }
            }
            out.append(p)
        }
        return out
    }
}
