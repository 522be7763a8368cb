import Foundation

/// PM4Py's standard alignment cost function.
public enum AlignmentCosts {
    /// A synchronous move (log and model agree).
    public static let syncMove = 0
    /// A move on log only (the event has no counterpart in the model run).
    public static let logMove = 10_000
    /// A move on model only of a visible transition.
    public static let modelMove = 10_000
    /// A move on model only of a silent (τ) transition.
    public static let silentMove = 1
}

/// The result of aligning one trace (internal, before labels are attached).
struct RawAlignment {
    enum Status { case optimal, stateLimit }
    var status: Status
    var cost: Int
    /// Moves in order: kind 0 sync, 1 log, 2 visible model move, 3 silent; `transition` for
    /// 0/2/3, `event` index for 0/1.
    var moves: [(kind: UInt8, transition: Int32, event: Int32)]
    var expanded: Int
    var generated: Int
}

/// A* over the synchronous product of a trace and a compiled net, explored on the fly.
///
/// One engine is used by one thread at a time; it keeps caches that are valid for every trace
/// of the same net (interned markings, enabled transitions and successors per marking, the LP
/// tableau and a pool of dual bounds), so aligning many variants gets faster as it goes.
final class AlignmentEngine {
    let net: CompiledNet
    let useLP: Bool
    let maxExpanded: Int

    // Interned markings.
    @exclusivity(unchecked) private var arena: [UInt8] = []
    @exclusivity(unchecked) private var table: [Int32] = Array(repeating: -1, count: 1 << 12)
    @exclusivity(unchecked) private(set) var markingCount = 0
    @exclusivity(unchecked) private var finalMid: Int32 = -1
    // Successor cache per marking: start into succData (pairs t, mid) and count; -1 = unknown.
    @exclusivity(unchecked) private var succStart: [Int32] = []
    @exclusivity(unchecked) private var succCount: [Int32] = []
    @exclusivity(unchecked) private var succData: [Int32] = []

    // Heuristic.
    @exclusivity(unchecked) private var lp: MarkingEquationLP
    @exclusivity(unchecked) private var pool: [DualBound] = []
    @exclusivity(unchecked) private var poolWins: [Int] = []
    private let poolLimit = 8
    /// A solved LP's dual joins the pool when it beats the pool by this much at its state.
    private let poolAddThreshold = 1
    @exclusivity(unchecked) private(set) var lpSolves = 0

    // Per-trace search state.
    @exclusivity(unchecked) private var keys: [UInt64] = []
    @exclusivity(unchecked) private var gs: [Int32] = []
    @exclusivity(unchecked) private var hs: [Int32] = []
    @exclusivity(unchecked) private var parents: [Int32] = []
    @exclusivity(unchecked) private var moveCodes: [Int32] = []
    @exclusivity(unchecked) private var flags: [UInt8] = []   // bit0 closed, bit1 exact (LP solved or derived)
    /// Per state: offset of its LP primal solution in `sols` (−1 = none).
    @exclusivity(unchecked) private var solIndex: [Int32] = []
    @exclusivity(unchecked) private var sols: [Double] = []
    @exclusivity(unchecked) private var stateTable: [Int32] = Array(repeating: -1, count: 1 << 12)
    @exclusivity(unchecked) private var heap = StateHeap()

    /// Memory guards: stored search states per trace (a multiple of the expansion bound),
    /// LP solution values kept for derivation per trace (32 MB), interned markings per engine.
    let maxStored: Int
    static let maxSolutionValues = 4_000_000
    static let maxCachedMarkings = 2_000_000

    init(net: CompiledNet, useLP: Bool, maxExpanded: Int) {
        self.net = net
        self.useLP = useLP
        self.maxExpanded = maxExpanded
        self.maxStored = maxExpanded > Int.max / 8 ? Int.max : maxExpanded * 8
        self.lp = MarkingEquationLP(net: net)
        if net.hasFinalMarking {
            finalMid = net.final.withUnsafeBufferPointer { intern($0) }
        }
    }

    // MARK: markings

    /// Drops all interned markings and their caches (when the engine has seen too many).
    private func resetMarkingCache() {
        arena = []
        table = Array(repeating: -1, count: 1 << 12)
        markingCount = 0
        succStart = []
        succCount = []
        succData = []
        markTermFlat = []
        if net.hasFinalMarking {
            finalMid = net.final.withUnsafeBufferPointer { intern($0) }
        }
    }

    @inline(__always)
    private func hashBytes(_ m: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in m {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// Interns a marking, returning its id.
    private func intern(_ m: UnsafeBufferPointer<UInt8>) -> Int32 {
        let P = net.placeCount
        if markingCount * 2 >= table.count { growMarkingTable() }
        let mask = table.count - 1
        var slot = hashBytes(m) & mask
        while true {
            let id = table[slot]
            if id < 0 { break }
            let base = Int(id) * P
            var equal = true
            arena.withUnsafeBufferPointer { a in
                for p in 0..<P where a[base + p] != m[p] { equal = false; break }
            }
            if equal { return id }
            slot = (slot + 1) & mask
        }
        let id = Int32(markingCount)
        arena.append(contentsOf: m)
        table[slot] = id
        markingCount += 1
        succStart.append(-1)
        succCount.append(0)
        return id
    }

    private func growMarkingTable() {
        let P = net.placeCount
        var t = Array(repeating: Int32(-1), count: table.count * 2)
        let mask = t.count - 1
        arena.withUnsafeBufferPointer { a in
            for id in 0..<markingCount {
                let m = UnsafeBufferPointer(rebasing: a[(id * P)..<(id * P + P)])
                var slot = hashBytes(m) & mask
                while t[slot] >= 0 { slot = (slot + 1) & mask }
                t[slot] = Int32(id)
            }
        }
        table = t
    }

    /// Enabled transitions of marking `mid` with their successor markings.
    private func successors(_ mid: Int32) throws -> Range<Int> {
        let i = Int(mid)
        if succStart[i] >= 0 {
            let s = Int(succStart[i])
            return s..<(s + Int(succCount[i]))
        }
        let P = net.placeCount
        var buf = [UInt8](repeating: 0, count: P)
        var found: [(Int32, Int32)] = []
        for t in 0..<net.transitionCount {
            let enabled = arena.withUnsafeBufferPointer { a in
                net.isEnabled(t, UnsafeBufferPointer(rebasing: a[(i * P)..<(i * P + P)]))
            }
            if !enabled { continue }
            for p in 0..<P { buf[p] = arena[i * P + p] }
            let ok = buf.withUnsafeMutableBufferPointer { net.fire(t, $0) }
            guard ok else {
                throw ConformanceError.tokenOverflow(place: "of transition \(net.transitionIDs[t])")
            }
            let nid = buf.withUnsafeBufferPointer { intern($0) }
            found.append((Int32(t), nid))
        }
        let start = succData.count / 2
        for (t, m) in found { succData.append(t); succData.append(m) }
        succStart[i] = Int32(start)
        succCount[i] = Int32(found.count)
        return start..<(start + found.count)
    }

    // MARK: heuristic

    @exclusivity(unchecked) private var suffixCounts: [Int32] = []   // (n+1) × labels
    @exclusivity(unchecked) private var unknownSuffix: [Int32] = []
    /// Per position and pool slot: z·k(pos) − ... (flat, stride poolLimit).
    @exclusivity(unchecked) private var suffixTermFlat: [Double] = []
    /// Per marking and pool slot: y·m (flat, stride poolLimit), kept for all interned markings.
    @exclusivity(unchecked) private var markTermFlat: [Double] = []
    private var traceLength = 0

    private func prepareTrace(_ events: [Int32]) {
        let A = net.labelNames.count
        let n = events.count
        traceLength = n
        suffixCounts = Array(repeating: 0, count: (n + 1) * A)
        unknownSuffix = Array(repeating: 0, count: n + 1)
        if n > 0 {
            for pos in stride(from: n - 1, through: 0, by: -1) {
                for a in 0..<A { suffixCounts[pos * A + a] = suffixCounts[(pos + 1) * A + a] }
                unknownSuffix[pos] = unknownSuffix[pos + 1]
                let e = events[pos]
                if e >= 0 { suffixCounts[pos * A + Int(e)] += 1 } else { unknownSuffix[pos] += 1 }
            }
        }
        suffixTermFlat = Array(repeating: 0, count: (n + 1) * poolLimit)
        for j in pool.indices { fillSuffixTerm(j) }
    }

    /// suffixTermFlat[pos, j] = yFinal_j + z_j·k(pos)  (the marking part is subtracted later).
    private func fillSuffixTerm(_ j: Int) {
        let A = net.labelNames.count
        let d = pool[j]
        for pos in 0...traceLength {
            var s = d.yFinal
            for a in 0..<A where suffixCounts[pos * A + a] != 0 { s += d.z[a] * Double(suffixCounts[pos * A + a]) }
            suffixTermFlat[pos * poolLimit + j] = s
        }
    }

    private func markingTerm(_ j: Int, _ i: Int) -> Double {
        let P = net.placeCount
        let y = pool[j].y
        var s = 0.0
        for p in 0..<P {
            let c = arena[i * P + p]
            if c != 0 { s += y[p] * Double(c) }
        }
        return s
    }

    /// Extends the marking terms to newly interned markings.
    @inline(__always)
    private func ensureMarkTerms() {
        let have = markTermFlat.count / poolLimit
        if have >= markingCount { return }
        markTermFlat.append(contentsOf: repeatElement(0, count: (markingCount - have) * poolLimit))
        for i in have..<markingCount {
            for j in pool.indices { markTermFlat[i * poolLimit + j] = markingTerm(j, i) }
        }
    }

    /// Pool bound for (mid, pos), without the unknown-label term.
    @inline(__always)
    private func poolBound(_ mid: Int32, _ pos: Int) -> (Int32, Int) {
        ensureMarkTerms()
        var best = 0.0
        var arg = -1
        let mb = Int(mid) * poolLimit
        let sb = pos * poolLimit
        for j in 0..<pool.count {
            let v = suffixTermFlat[sb + j] - markTermFlat[mb + j]
            if v > best { best = v; arg = j }
        }
        let f = (best + 1e-6).rounded(.down)
        return (Int32(min(f, 1e9)), arg)
    }

    @inline(__always)
    private func heuristic(_ mid: Int32, _ pos: Int) -> Int32 {
        let u = unknownSuffix[pos] * Int32(AlignmentCosts.logMove)
        guard useLP else { return u }
        let (b, arg) = poolBound(mid, pos)
        if arg >= 0 { poolWins[arg] &+= 1 }
        return u + b
    }

    private func addToPool(_ d: DualBound) {
        let j: Int
        if pool.count < poolLimit {
            pool.append(d)
            poolWins.append(1)
            j = pool.count - 1
        } else {
            j = poolWins.indices.min { poolWins[$0] < poolWins[$1] } ?? 0
            pool[j] = d
            poolWins[j] = 1
            for k in poolWins.indices { poolWins[k] /= 2 }   // age so new entries can compete
        }
        ensureMarkTerms()
        for i in 0..<markingCount { markTermFlat[i * poolLimit + j] = markingTerm(j, i) }
        fillSuffixTerm(j)
    }

    /// Solves the LP for (mid, pos). Returns nil when the LP failed, .max when infeasible; the
    /// primal solution is left in `lastPrimal`.
    @exclusivity(unchecked) private var lastPrimal: [Double] = []
    private func exactBound(_ mid: Int32, _ pos: Int) -> Int32? {
        let P = net.placeCount
        let A = net.labelNames.count
        var rhs = Array(repeating: 0.0, count: P + A)
        let i = Int(mid)
        for p in 0..<P { rhs[p] = Double(Int(net.final[p]) - Int(arena[i * P + p])) }
        for a in 0..<A { rhs[P + a] = Double(suffixCounts[pos * A + a]) }
        var infeasible = false
        lpSolves += 1
        guard let (value, dual, primal) = lp.solve(rhs: rhs, infeasible: &infeasible) else {
            return infeasible ? Int32.max : nil
        }
        lastPrimal = primal
        let bound = DualBound(dual: dual, net: net, lp: lp)
        // The repaired dual's value at this state is what we may use (≤ LP value).
        var v = bound.yFinal
        for p in 0..<P { v -= bound.y[p] * Double(arena[i * P + p]) }
        for a in 0..<A { v += bound.z[a] * Double(suffixCounts[pos * A + a]) }
        let f = min((min(v, value) + 1e-6).rounded(.down), 1e9)
        let current = poolBound(mid, pos).0
        if Int32(f) >= current + Int32(poolAddThreshold) || (pos == 0 && Int32(f) > current) { addToPool(bound) }
        return Int32(max(f, 0)) + unknownSuffix[pos] * Int32(AlignmentCosts.logMove)
    }

    // MARK: search

    @inline(__always)
    private func stateKey(_ mid: Int32, _ pos: Int, _ afterLog: Bool) -> UInt64 {
        UInt64(UInt32(bitPattern: mid)) << 22 | UInt64(pos) << 1 | (afterLog ? 1 : 0)
    }

    private func resetSearch() {
        keys.removeAll(keepingCapacity: true)
        gs.removeAll(keepingCapacity: true)
        hs.removeAll(keepingCapacity: true)
        parents.removeAll(keepingCapacity: true)
        moveCodes.removeAll(keepingCapacity: true)
        flags.removeAll(keepingCapacity: true)
        solIndex.removeAll(keepingCapacity: true)
        sols.removeAll(keepingCapacity: true)
        if stateTable.count > 1 << 16 {
            stateTable = Array(repeating: -1, count: 1 << 12)
        } else {
            for i in stateTable.indices { stateTable[i] = -1 }
        }
        heap.removeAll()
    }

    @inline(__always)
    private func findState(_ key: UInt64) -> (found: Int32, slot: Int) {
        let mask = stateTable.count - 1
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 31
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = stateTable[slot]
            if s < 0 { return (-1, slot) }
            if keys[Int(s)] == key { return (s, slot) }
            slot = (slot + 1) & mask
        }
    }

    private func growStateTable() {
        var t = Array(repeating: Int32(-1), count: stateTable.count * 2)
        let mask = t.count - 1
        for (i, key) in keys.enumerated() {
            var h = key &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 31
            var slot = Int(truncatingIfNeeded: h) & mask
            while t[slot] >= 0 { slot = (slot + 1) & mask }
            t[slot] = Int32(i)
        }
        stateTable = t
    }

    /// Lower is better: f, then trace progress (larger position first), then smaller h
    /// (= larger g at equal f).
    @inline(__always)
    private func priority(_ f: Int32, _ pos: Int, _ h: Int32) -> UInt64 {
        UInt64(UInt32(max(f, 0))) << 36 | UInt64(0xF_FFFF - min(pos, 0xF_FFFF)) << 16 | UInt64(min(max(h, 0), 0xFFFF))
    }

    /// Aligns one trace (label ids of the compiled net; −1 = activity not in the net).
    /// - Throws: ``ConformanceError`` for a net without final marking, token overflow, or an
    ///   unreachable final marking.
    func align(_ events: [Int32]) throws -> RawAlignment {
        guard net.hasFinalMarking else { throw ConformanceError.noFinalMarking }
        guard events.count < (1 << 20) else {
            throw ConformanceError.invalidOption(field: "trace length", value: "\(events.count)")
        }
        if markingCount > Self.maxCachedMarkings { resetMarkingCache() }
        prepareTrace(events)
        resetSearch()
        let n = events.count
        let T = net.transitionCount
        let cols = lp.cols
        let startMid = net.initial.withUnsafeBufferPointer { intern($0) }
        var generated = 0
        var expanded = 0

        /// The child's LP solution when it follows from the parent's: the parent's primal
        /// minus the move's column(s), if those are ≥ 1 (then the child's LP value is exactly
        /// the parent's minus the move cost). Returns the new solution offset or −1.
        func derive(_ from: Int32, _ code: Int32) -> Int32 {
            guard useLP, from >= 0, sols.count < Self.maxSolutionValues else { return -1 }
            let base = Int(solIndex[Int(from)])
            guard base >= 0 else { return -1 }
            let kind = code & 3
            var dec1 = -1, dec2 = -1
            if kind == 1 {
                // log move: v_a of the event's label (unknown labels: nothing changes in the LP)
                let p = Int((keys[Int(from)] >> 1) & 0xF_FFFF)
                let e = events[p]
                if e < 0 { return Int32(base) }
                dec1 = T + 2 * Int(e) + 1
            } else {
                let t = Int(code >> 2)
                dec1 = t
                if kind == 2 { dec2 = T + 2 * Int(net.label[t]) }   // surplus model move u_a
            }
            guard sols[base + dec1] >= 1 - 1e-9 else { return -1 }
            if dec2 >= 0 && sols[base + dec2] < 1 - 1e-9 { return -1 }
            let nb = sols.count
            for k in 0..<cols { sols.append(sols[base + k]) }
            sols[nb + dec1] -= 1
            if dec2 >= 0 { sols[nb + dec2] -= 1 }
            return Int32(nb)
        }

        func relax(_ from: Int32, _ mid: Int32, _ pos: Int, _ afterLog: Bool, _ cost: Int32, _ code: Int32) {
            let key = stateKey(mid, pos, afterLog)
            let g = (from >= 0 ? gs[Int(from)] : 0) + cost
            let (s, slot) = findState(key)
            if s >= 0 {
                let si = Int(s)
                if g < gs[si] {
                    gs[si] = g
                    parents[si] = from
                    moveCodes[si] = code
                    flags[si] &= ~1
                    heap.insert(priority(g + hs[si], pos, hs[si]), s)
                }
                return
            }
            var h = heuristic(mid, pos)
            var fl: UInt8 = 0
            var sol: Int32 = -1
            if from >= 0 && flags[Int(from)] & 2 != 0 {
                sol = derive(from, code)
                if sol >= 0 {
                    h = max(h, hs[Int(from)] - cost)
                    fl = 2
                }
            }
            let id = Int32(keys.count)
            keys.append(key)
            gs.append(g)
            hs.append(h)
            parents.append(from)
            moveCodes.append(code)
            flags.append(fl)
            solIndex.append(sol)
            stateTable[slot] = id
            if keys.count * 2 >= stateTable.count { growStateTable() }
            generated += 1
            heap.insert(priority(g + h, pos, h), id)
        }

        func generateExpensive(_ st: Int32) throws {
            let key = keys[Int(st)]
            let mid = Int32(truncatingIfNeeded: key >> 22)
            let pos = Int((key >> 1) & 0xF_FFFF)
            if pos < n { relax(st, mid, pos + 1, true, Int32(AlignmentCosts.logMove), 1) }
            if key & 1 == 0 {
                let succ = try successors(mid)
                for k in succ {
                    let t = succData[2 * k]
                    if net.label[Int(t)] >= 0 {
                        relax(st, succData[2 * k + 1], pos, false, Int32(AlignmentCosts.modelMove), t << 2 | 2)
                    }
                }
            }
        }

        relax(-1, startMid, 0, false, 0, -1)
        while let top = heap.popMin() {
            if top.state < 0 {
                // Deferred expensive moves of a closed state (see below).
                let s = Int(-(top.state + 1))
                if flags[s] & 1 == 0 { continue }   // reopened: its re-expansion defers again
                try generateExpensive(Int32(s))
                continue
            }
            let s = Int(top.state)
            if flags[s] & 1 != 0 { continue }
            let key = keys[s]
            let mid = Int32(truncatingIfNeeded: key >> 22)
            let pos = Int((key >> 1) & 0xF_FFFF)
            let afterLog = key & 1 == 1
            if top.priority != priority(gs[s] + hs[s], pos, hs[s]) { continue }   // stale entry
            if mid == finalMid && pos == n {
                return RawAlignment(status: .optimal, cost: Int(gs[s]), moves: reconstruct(s),
                                    expanded: expanded, generated: generated)
            }
            // The LP is solved exactly at the root and at states entered by a synchronous move
            // (unless their bound is already exact by derivation); elsewhere the derived or
            // pooled bounds are used. Measured on bpic2012 and a32f0n10 this solves ~2% of the
            // expanded states and keeps most of the LP's pruning.
            if useLP && flags[s] & 2 == 0 && (s == 0 || moveCodes[s] & 3 == 0) {
                flags[s] |= 2
                if let exact = exactBound(mid, pos) {
                    if exact == Int32.max {
                        flags[s] |= 1   // final marking unreachable from here: prune
                        continue
                    }
                    solIndex[s] = Int32(sols.count)
                    sols.append(contentsOf: lastPrimal)
                    if exact > hs[s] {
                        hs[s] = exact
                        heap.insert(priority(gs[s] + exact, pos, exact), top.state)
                        continue
                    }
                    hs[s] = max(hs[s], exact)
                } else {
                    flags[s] &= ~2
                }
            }
            if expanded >= maxExpanded || keys.count >= maxStored {
                return RawAlignment(status: .stateLimit, cost: -1, moves: [], expanded: expanded, generated: generated)
            }
            flags[s] |= 1
            expanded += 1
            let st = Int32(s)
            // Cheap moves (sync 0, silent 1) are generated now. The expensive ones (log move and
            // visible model moves, 10000 each) are deferred: one heap entry for this state whose
            // priority is the smallest f among them (computed with the pooled bound, a lower bound
            // of each child's f); they are generated only if the search gets that far, which it
            // never does for a trace that fits up to silent moves.
            if pos < n {
                let e = events[pos]
                if e >= 0 {
                    let succ = try successors(mid)
                    for k in succ where net.label[Int(succData[2 * k])] == e {
                        relax(st, succData[2 * k + 1], pos + 1, false, Int32(AlignmentCosts.syncMove), succData[2 * k] << 2)
                    }
                }
            }
            var fmin = Int32.max
            if pos < n { fmin = gs[s] + Int32(AlignmentCosts.logMove) + heuristic(mid, pos + 1) }
            if !afterLog {
                let succ = try successors(mid)
                for k in succ {
                    let t = succData[2 * k]
                    if net.label[Int(t)] < 0 {
                        relax(st, succData[2 * k + 1], pos, false, Int32(AlignmentCosts.silentMove), t << 2 | 3)
                    } else {
                        fmin = min(fmin, gs[s] + Int32(AlignmentCosts.modelMove) + heuristic(succData[2 * k + 1], pos))
                    }
                }
            }
            if fmin < Int32.max { heap.insert(priority(fmin, pos, 0xFFFF), -(st + 1)) }
        }
        throw ConformanceError.finalMarkingUnreachable(expandedStates: expanded)
    }

    private func reconstruct(_ goal: Int) -> [(kind: UInt8, transition: Int32, event: Int32)] {
        var out: [(kind: UInt8, transition: Int32, event: Int32)] = []
        var s = goal
        while parents[s] >= 0 {
            let code = moveCodes[s]
            let kind = UInt8(code & 3)
            let p = Int(parents[s])
            let pos = Int32((keys[p] >> 1) & 0xF_FFFF)
            switch kind {
            case 0: out.append((0, code >> 2, pos))
            case 1: out.append((1, -1, pos))
            default: out.append((kind, code >> 2, -1))
            }
            s = p
        }
        return out.reversed()
    }
}

/// A binary min-heap of (priority, state) for the A* open list; ties pop the newer state first.
struct StateHeap {
    private var prio: [UInt64] = []
    private var state: [Int32] = []

    mutating func removeAll() {
        prio.removeAll(keepingCapacity: true)
        state.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    private func less(_ i: Int, _ j: Int) -> Bool {
        prio[i] != prio[j] ? prio[i] < prio[j] : state[i] > state[j]
    }

    mutating func insert(_ p: UInt64, _ s: Int32) {
        prio.append(p)
        state.append(s)
        var i = prio.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if !less(i, parent) { break }
            prio.swapAt(i, parent)
            state.swapAt(i, parent)
            i = parent
        }
    }

    mutating func popMin() -> (priority: UInt64, state: Int32)? {
        guard let p0 = prio.first, let s0 = state.first else { return nil }
        let last = prio.count - 1
        prio.swapAt(0, last)
        state.swapAt(0, last)
        prio.removeLast()
        state.removeLast()
        var i = 0
        let n = prio.count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var c = l
            if l + 1 < n && less(l + 1, l) { c = l + 1 }
            if !less(c, i) { break }
            prio.swapAt(i, c)
            state.swapAt(i, c)
            i = c
        }
        return (p0, s0)
    }
}
