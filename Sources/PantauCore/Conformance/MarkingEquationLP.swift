import Foundation

/// The marking-equation relaxation used as the A* heuristic of ``Alignments``.
///
/// For a search state (marking `m`, remaining trace with label counts `k`) the LP is
///
///     minimise  Σ_τ x_t  +  10000 · Σ_a (u_a + v_a)
///     s.t.      m + C·x = m_f                      (one row per place)
///               Σ_{λ(t)=a} x_t − u_a + v_a = k_a   (one row per visible label)
///               x, u, v ≥ 0
///
/// (`x_t` = how often transition `t` fires, `u_a` = surplus model moves on `a`, `v_a` = log
/// moves on `a`). It is the state-equation relaxation of the synchronous product with the
/// trace's order ignored, aggregated per label, so its optimum is a lower bound on the remaining
/// alignment cost. Any *dual feasible* vector `(y, z)` — `C_t·y + z_λ(t) ≤ 0` for visible `t`,
/// `C_t·y ≤ 1` for silent `t`, `|z_a| ≤ 10000` — gives the bound `(m_f − m)·y + k·z` for *every*
/// state (weak duality), and that bound is consistent; this is what the pool of duals in the
/// search uses between exact LP solves.
///
/// The solver is a dense tableau simplex (two-phase primal once, then dual simplex warm-started
/// from the last optimal basis, since only the right-hand side changes between states).
struct MarkingEquationLP {
    let places: Int
    let labels: Int
    let transitions: Int
    /// Row count = places + labels; column count = transitions + 2·labels (+ rows artificials).
    let rows: Int
    let cols: Int            // original columns
    let width: Int           // cols + rows (artificials) + 1 (rhs)
    var tableau: [Double]    // rows × width
    var reduced: [Double]    // width (last entry = −objective)
    var basis: [Int]
    var artSign: [Double]
    let cost: [Double]
    let incidence: [[(Int, Double)]]    // per transition: (place, delta)
    let labelOf: [Int]                  // per transition: label or −1
    var ready = false
    static let eps = 1e-9

    init(net: CompiledNet) {
        places = net.placeCount
        labels = net.labelNames.count
        transitions = net.transitionCount
        rows = places + labels
        cols = transitions + 2 * labels
        width = cols + rows + 1
        tableau = Array(repeating: 0, count: rows * width)
        reduced = Array(repeating: 0, count: width)
        basis = Array(repeating: -1, count: rows)
        artSign = Array(repeating: 1, count: rows)
        var c = Array(repeating: 0.0, count: cols)
        var inc: [[(Int, Double)]] = []
        var lab: [Int] = []
        for t in 0..<net.transitionCount {
            var delta: [Int: Double] = [:]
            for (p, w) in net.pre(t) { delta[p, default: 0] -= Double(w) }
            for (p, w) in net.post(t) { delta[p, default: 0] += Double(w) }
            inc.append(delta.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            let l = Int(net.label[t])
            lab.append(l)
            if l < 0 { c[t] = Double(AlignmentCosts.silentMove) }
        }
        for a in 0..<labels {
            c[transitions + 2 * a] = Double(AlignmentCosts.modelMove)      // u_a: surplus model moves
            c[transitions + 2 * a + 1] = Double(AlignmentCosts.logMove)    // v_a: log moves
        }
        cost = c
        incidence = inc
        labelOf = lab
    }

    /// Column `j` of the constraint matrix as (row, value) pairs.
    private func column(_ j: Int) -> [(Int, Double)] {
        if j < transitions {
            var out = incidence[j]
            if labelOf[j] >= 0 { out.append((places + labelOf[j], 1)) }
            return out
        }
        let a = (j - transitions) / 2
        return [(places + a, (j - transitions) % 2 == 0 ? -1 : 1)]
    }

    /// Solves for right-hand side `b` (places: m_f − m; labels: k). Returns the optimal value
    /// and the dual vector (length `rows`), or nil when the LP is infeasible or the pivot limit
    /// is hit. `infeasible` is set when infeasibility is proven.
    mutating func solve(rhs b: [Double], infeasible: inout Bool) -> (value: Double, dual: [Double], primal: [Double])? {
        infeasible = false
        if !ready {
            guard coldStart(b, infeasible: &infeasible) else { return nil }
            ready = true
        } else {
            guard warmStart(b, infeasible: &infeasible) else {
                if infeasible { return nil }
                ready = false
                guard coldStart(b, infeasible: &infeasible) else { return nil }
                ready = true
                return extract()
            }
        }
        return extract()
    }

    private func extract() -> (value: Double, dual: [Double], primal: [Double]) {
        var y = Array(repeating: 0.0, count: rows)
        for i in 0..<rows { y[i] = -artSign[i] * reduced[cols + i] }
        var x = Array(repeating: 0.0, count: cols)
        for i in 0..<rows where basis[i] < cols { x[basis[i]] = tableau[i * width + width - 1] }
        return (-reduced[width - 1], y, x)
    }

    private mutating func pivot(_ r: Int, _ j: Int) {
        let w = width
        let pv = tableau[r * w + j]
        let inv = 1 / pv
        tableau.withUnsafeMutableBufferPointer { T in
            let rowBase = r * w
            for k in 0..<w { T[rowBase + k] *= inv }
            T[rowBase + j] = 1
            for i in 0..<rows where i != r {
                let f = T[i * w + j]
                if f == 0 { continue }
                let base = i * w
                for k in 0..<w {
                    let v = T[rowBase + k]
                    if v != 0 { T[base + k] -= f * v }
                }
                T[base + j] = 0
            }
            let f = reduced[j]
            if f != 0 {
                for k in 0..<w {
                    let v = T[rowBase + k]
                    if v != 0 { reduced[k] -= f * v }
                }
                reduced[j] = 0
            }
        }
        basis[r] = j
    }

    private mutating func computeReduced(phase1: Bool) {
        for k in 0..<width { reduced[k] = 0 }
        if phase1 {
            for i in 0..<rows where basis[i] >= cols {
                for k in 0..<width { reduced[k] -= tableau[i * width + k] }
            }
            for i in 0..<rows { reduced[cols + i] += 1 }
            for i in 0..<rows where basis[i] >= cols { reduced[basis[i]] = 0 }
        } else {
            for j in 0..<cols { reduced[j] = cost[j] }
            for i in 0..<rows {
                let bj = basis[i]
                let cb = bj < cols ? cost[bj] : 0
                if cb == 0 { continue }
                for k in 0..<width { reduced[k] -= cb * tableau[i * width + k] }
            }
        }
    }

    /// Primal simplex on the current reduced-cost row; entering columns < `limit`.
    private mutating func primalIterate(limit: Int) -> Bool {
        var pivots = 0
        while pivots < 5000 {
            var enter = -1
            var best = -Self.eps
            for j in 0..<limit where reduced[j] < best {
                best = reduced[j]
                enter = j
            }
            if enter < 0 { return true }
            var leave = -1
            var ratio = Double.infinity
            for i in 0..<rows {
                let a = tableau[i * width + enter]
                if a > Self.eps {
                    let q = tableau[i * width + width - 1] / a
                    if q < ratio - 1e-12 || (abs(q - ratio) <= 1e-12 && leave >= 0 && basis[i] < basis[leave]) {
                        ratio = q
                        leave = i
                    }
                }
            }
            if leave < 0 { return false }   // unbounded (cannot happen: costs ≥ 0)
            pivot(leave, enter)
            pivots += 1
        }
        return false
    }

    private mutating func coldStart(_ b: [Double], infeasible: inout Bool) -> Bool {
        for k in 0..<tableau.count { tableau[k] = 0 }
        for j in 0..<cols {
            for (i, v) in column(j) { tableau[i * width + j] = v }
        }
        for i in 0..<rows {
            let s: Double = b[i] < 0 ? -1 : 1
            artSign[i] = s
            // Row i multiplied by s so the rhs is ≥ 0; the artificial column is then +e_i.
            if s < 0 { for j in 0..<cols { tableau[i * width + j] = -tableau[i * width + j] } }
            tableau[i * width + cols + i] = 1
            tableau[i * width + width - 1] = abs(b[i])
            basis[i] = cols + i
        }
        computeReduced(phase1: true)
        guard primalIterate(limit: cols) else { return false }
        if -reduced[width - 1] > 1e-7 {
            infeasible = true
            return false
        }
        // Drive artificials out of the basis where possible.
        for i in 0..<rows where basis[i] >= cols {
            if let j = (0..<cols).first(where: { abs(tableau[i * width + $0]) > 1e-7 }) {
                pivot(i, j)
            }
        }
        computeReduced(phase1: false)
        return primalIterate(limit: cols)
    }

    /// Dual simplex from the current (dual feasible) basis with a new right-hand side.
    private mutating func warmStart(_ b: [Double], infeasible: inout Bool) -> Bool {
        // x_B = B^{-1} b; the artificial columns hold B^{-1}·diag(artSign).
        var obj = 0.0
        for i in 0..<rows {
            var v = 0.0
            let base = i * width + cols
            for k in 0..<rows {
                let a = tableau[base + k]
                if a != 0 { v += a * artSign[k] * b[k] }
            }
            tableau[i * width + width - 1] = v
            let bj = basis[i]
            if bj < cols { obj += cost[bj] * v }
            else if abs(v) > 1e-7 { return false }    // a redundant row became inconsistent
        }
        reduced[width - 1] = -obj
        var pivots = 0
        while pivots < 5000 {
            var leave = -1
            var worst = -1e-9
            for i in 0..<rows {
                let v = tableau[i * width + width - 1]
                if v < worst {
                    worst = v
                    leave = i
                }
            }
            if leave < 0 { return true }
            var enter = -1
            var ratio = Double.infinity
            let base = leave * width
            for j in 0..<cols {
                let a = tableau[base + j]
                if a < -Self.eps {
                    let q = max(reduced[j], 0) / -a
                    if q < ratio - 1e-12 {
                        ratio = q
                        enter = j
                    }
                }
            }
            if enter < 0 {
                infeasible = true
                return false
            }
            pivot(leave, enter)
            pivots += 1
        }
        return false
    }
}

/// A dual-feasible vector of ``MarkingEquationLP``: a consistent lower bound for every state.
struct DualBound {
    /// Per place: y_p (applied to m_f − m).
    var y: [Double]
    /// Per label: z_a (applied to the remaining count of a).
    var z: [Double]
    /// Constant y·m_f.
    var yFinal: Double

    /// Makes `(y, z)` exactly dual feasible (scaling `y` down and lowering `z` where rounding
    /// left a small violation), so the bound stays admissible.
    init(dual: [Double], net: CompiledNet, lp: MarkingEquationLP) {
        var y = Array(dual[0..<net.placeCount])
        var z = Array(dual[net.placeCount...])
        func ct(_ t: Int) -> Double { lp.incidence[t].reduce(0) { $0 + $1.1 * y[$1.0] } }
        var alpha = 1.0
        for t in 0..<net.transitionCount {
            let s = ct(t)
            let cap = lp.labelOf[t] < 0 ? Double(AlignmentCosts.silentMove) : Double(AlignmentCosts.modelMove)
            if s > cap { alpha = min(alpha, cap / s) }
        }
        if alpha < 1 { for p in y.indices { y[p] *= alpha * (1 - 1e-12) } }
        let big = Double(AlignmentCosts.logMove)
        for a in z.indices { z[a] = min(max(z[a], -big), big) }
        for t in 0..<net.transitionCount where lp.labelOf[t] >= 0 {
            let a = lp.labelOf[t]
            z[a] = min(z[a], -ct(t))
        }
        for a in z.indices { z[a] = max(z[a], -big) }
        self.y = y
        self.z = z
        var yf = 0.0
        for p in 0..<net.placeCount { yf += y[p] * Double(net.final[p]) }
        yFinal = yf
    }
}
