/// Orthogonal arrow routing for the flowchart table.
///
/// Each arrow leaves its source through one of four ports (top, bottom, left, right: the
/// midpoints of a box, the vertices of a diamond) and enters its target through another. Candidate
/// paths are tried from the simplest (straight down, one elbow, two elbows) to paths through the
/// vertical lanes along the column boundaries; the first candidate that crosses no symbol, does not
/// run along an arrow with another target, and uses free ports wins. Loop-backs (target above the
/// source) always go through a lane, outer lanes first, so they run beside the symbols.
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
    private var portUse: [[Port: PortUse]]
    private var segments: [Segment] = []

    init(nodes: [Node], lanes: [Double], contentTop: Double, contentBottom: Double, clearance: Double) {
        self.nodes = nodes
        self.lanes = lanes
        self.contentTop = contentTop
        self.contentBottom = contentBottom
        self.clearance = clearance
        self.portUse = Array(repeating: [:], count: nodes.count)
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
    /// - Returns: the waypoints, from the source port to the target port.
    mutating func route(from s: Int, to t: Int, minHorizontalStart: Double = 0) -> [Point] {
        let candidates = self.candidates(from: s, to: t)
        func roomy(_ c: Candidate) -> Bool {
            let pts = Self.simplify(c.points)
            guard minHorizontalStart > 0, pts.count >= 2, abs(pts[0].y - pts[1].y) < 0.01 else { return true }
            return abs(pts[1].x - pts[0].x) >= minHorizontalStart
        }
        let chosen = candidates.first { roomy($0) && valid($0, from: s, to: t) }
            ?? candidates.first { valid($0, from: s, to: t) }
            ?? candidates.first { validGeometry($0, from: s, to: t) }
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
            // Loop-back (upwards) or same row: through a lane, outer lanes first.
            let lo = min(sf.minX, tf.minX), hi = max(sf.maxX, tf.maxX)
            func outside(_ x: Double) -> Bool { x < lo || x > hi }
            func distance(_ x: Double) -> Double { x < lo ? lo - x : (x > hi ? x - hi : 0) }
            let ordered = lanes.sorted { a, b in
                if outside(a) != outside(b) { return outside(a) }
                if distance(a) != distance(b) { return distance(a) < distance(b) }
                return a < b
            }
            let below = sf.maxY + gap
            for x in ordered {
                if let sp = side(sf, toward: x) {
                    let a = port(sp, of: s)
                    if let tp = side(tf, toward: x) {
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
        return out
    }

    // MARK: Checks

    private func valid(_ c: Candidate, from s: Int, to t: Int) -> Bool {
        guard validGeometry(c, from: s, to: t) else { return false }
        // Ports: an outgoing port must be free; an incoming port may be shared by incoming arrows.
        if portUse[s][c.outPort] != nil { return false }
        if s == t && c.outPort == c.inPort { return false }
        if portUse[t][c.inPort] == .outgoing { return false }
        // No running along an earlier arrow unless both go to the same target (they merge).
        let pts = Self.simplify(c.points)
        for k in 0..<max(pts.count - 1, 0) {
            let seg = Segment(a: pts[k], b: pts[k + 1], target: t)
            for old in segments where old.target != t && Self.overlaps(seg, old) { return false }
        }
        return true
    }

    private func validGeometry(_ c: Candidate, from s: Int, to t: Int) -> Bool {
        let pts = Self.simplify(c.points)
        guard pts.count >= 2 else { return false }
        for p in pts where p.y < contentTop + 1 || p.y > contentBottom - 1 { return false }
        let last = pts.count - 2
        for k in 0...last {
            let a = pts[k], b = pts[k + 1]
            guard abs(a.x - b.x) < 0.01 || abs(a.y - b.y) < 0.01 else { return false }
            for (n, node) in nodes.enumerated() {
                if n == s && k == 0 { continue }
                if n == t && k == last { continue }
                if Self.segment(a, b, crosses: node.frame.insetBy(-clearance)) { return false }
            }
            // The first segment must leave the source, the last must not pass through the target.
            if k == 0 && Self.segment(Self.nudge(a, toward: b), b, crosses: nodes[s].frame.insetBy(0.5)) { return false }
            if k == last && Self.segment(a, Self.nudge(b, toward: a), crosses: nodes[t].frame.insetBy(0.5)) { return false }
        }
        return true
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
