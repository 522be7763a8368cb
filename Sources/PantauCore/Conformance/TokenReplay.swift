import Foundation

/// Token-based replay (Rozinat & van der Aalst 2008) with PM4Py's counting conventions.
///
/// Per trace, starting in the initial marking with `p` = tokens of the initial marking and
/// `c = m = 0`, every event whose activity labels a transition is replayed:
/// - if a transition with that label is enabled, it fires;
/// - otherwise, when the net has silent transitions, the shortest sequence of silent firings
///   (breadth-first, at most ``Options/silentSearchLimit`` markings) that enables one of the
///   label's transitions is fired first;
/// - if no silent sequence enables it completely, each input place that lacks tokens is filled by
///   the shortest silent sequence that keeps the input places already filled (where one exists);
/// - then the tokens still missing are created (`m += missing`) and the transition fires.
/// Each firing adds its input weights to `c` and its output weights to `p`. Events whose
/// activity is not in the net are ignored (as PM4Py does). After the last event, silent
/// transitions are fired (shortest sequence) when that reaches the final marking exactly, or
/// else, place by place, to fill the final marking's places; then the final marking is consumed
/// (`c += |m_f|`, tokens it lacks count as missing) and the tokens left are remaining (`r`).
///
/// Numbers (PM4Py's definitions): trace fitness `f = ½(1 − m/c) + ½(1 − r/p)`; a trace fits
/// when `m = r = 0`; `logFitness = ½(1 − Σm/Σc) + ½(1 − Σr/Σp)`; `averageTraceFitness` = mean
/// `f`; `percentageOfFittingTraces` = 100 · fitting / traces.
///
/// On nets without silent transitions and without duplicate labels this equals PM4Py's replay
/// exactly. With silent transitions PM4Py uses its own shortest-path heuristic (over places,
/// not markings); on most shared models the counts still agree for every variant, on a few they
/// differ for some variants; see `docs/conformance.md`.
///
/// - Complexity: O(Σ_variants len · (|T| + |P|)) without silent transitions; with them each
///   non-enabled event may search up to ``Options/silentSearchLimit`` markings (memoised per
///   marking and label).
public struct TokenReplay: Sendable {
    public struct Options: Sendable, Hashable, Codable {
        /// Markings explored when looking for silent firings that enable a transition.
        public var silentSearchLimit: Int
        public init(silentSearchLimit: Int = 20_000) {
            self.silentSearchLimit = silentSearchLimit
        }
    }

    public var options: Options
    public init(options: Options = Options()) { self.options = options }

    /// Replays every variant.
    /// - Parameter progress: called after each variant with (done, total).
    /// - Throws: ``ConformanceError/tokenOverflow(place:)`` for nets with more than 255 tokens
    ///   in a place.
    public func replay(_ log: TraceVariants, on net: PetriNet,
                       progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> TokenReplayReport {
        guard options.silentSearchLimit >= 0 else {
            throw ConformanceError.invalidOption(field: "silentSearchLimit", value: "\(options.silentSearchLimit)")
        }
        let compiled = try CompiledNet(net)
        let replayer = Replayer(net: compiled, limit: options.silentSearchLimit)
        let toLabel = log.activities.map { compiled.labelIndex[$0] ?? -1 }
        var out: [VariantReplay] = []
        out.reserveCapacity(log.variants.count)
        for (i, v) in log.variants.enumerated() {
            let labels = v.activities.map { toLabel.indices.contains(Int($0)) ? toLabel[Int($0)] : -1 }
            let r = replayer.replay(labels)
            out.append(VariantReplay(variant: i, count: v.count, missing: r.m, consumed: r.c, remaining: r.r, produced: r.p))
            progress?(i + 1, log.variants.count)
        }
        return TokenReplayReport(variants: out)
    }
}

/// Replay counts of one variant.
public struct VariantReplay: Sendable, Hashable, Codable {
    public var variant: Int
    public var count: Int
    public var missing: Int
    public var consumed: Int
    public var remaining: Int
    public var produced: Int
    /// ½(1 − m/c) + ½(1 − r/p).
    public var fitness: Double {
        let a = consumed > 0 ? 1 - Double(missing) / Double(consumed) : 1
        let b = produced > 0 ? 1 - Double(remaining) / Double(produced) : 1
        return 0.5 * a + 0.5 * b
    }
    /// No missing and no remaining tokens.
    public var isFit: Bool { missing == 0 && remaining == 0 }
}

/// Token-replay results of a log.
public struct TokenReplayReport: Sendable, Hashable, Codable {
    public var logFitness: Double
    public var averageTraceFitness: Double
    public var percentageOfFittingTraces: Double
    public var traces: Int
    public var fittingTraces: Int
    public var missing: Int
    public var consumed: Int
    public var remaining: Int
    public var produced: Int
    public var variants: [VariantReplay]

    init(variants: [VariantReplay]) {
        self.variants = variants
        var t = 0, fit = 0, m = 0, c = 0, r = 0, p = 0
        var fsum = 0.0
        for v in variants {
            t += v.count
            if v.isFit { fit += v.count }
            m += v.missing * v.count
            c += v.consumed * v.count
            r += v.remaining * v.count
            p += v.produced * v.count
            fsum += v.fitness * Double(v.count)
        }
        traces = t
        fittingTraces = fit
        missing = m
        consumed = c
        remaining = r
        produced = p
        let a = c > 0 ? 1 - Double(m) / Double(c) : 1
        let b = p > 0 ? 1 - Double(r) / Double(p) : 1
        logFitness = 0.5 * a + 0.5 * b
        averageTraceFitness = t > 0 ? fsum / Double(t) : 0
        percentageOfFittingTraces = t > 0 ? 100 * Double(fit) / Double(t) : 0
    }
}

/// The replay of one trace on a compiled net (markings as `Int32` counts: replay may pile up
/// tokens without bound).
final class Replayer {
    let net: CompiledNet
    let limit: Int
    let initial: [Int32]
    let final: [Int32]
    /// Memo: (marking, label or −1 for "reach final") → silent firing sequence (nil = none).
    private var memo: [MemoKey: [Int]?] = [:]

    struct MemoKey: Hashable {
        var marking: [Int32]
        var label: Int32
    }

    init(net: CompiledNet, limit: Int) {
        self.net = net
        self.limit = limit
        initial = net.initial.map { Int32($0) }
        final = net.final.map { Int32($0) }
    }

    private func enabled(_ t: Int, _ m: [Int32]) -> Bool {
        var k = net.preStart[t]
        while k < net.preStart[t + 1] {
            if m[net.prePlace[k]] < Int32(net.preWeight[k]) { return false }
            k += 1
        }
        return true
    }

    private func fire(_ t: Int, _ m: inout [Int32], _ c: inout Int, _ p: inout Int) {
        for k in net.preStart[t]..<net.preStart[t + 1] {
            m[net.prePlace[k]] -= Int32(net.preWeight[k])
            c += Int(net.preWeight[k])
        }
        for k in net.postStart[t]..<net.postStart[t + 1] {
            m[net.postPlace[k]] = m[net.postPlace[k]] &+ Int32(net.postWeight[k])
            p += Int(net.postWeight[k])
        }
    }

    /// Shortest silent sequence from `m` after which `goal` holds.
    private func silentPath(from m: [Int32], key: Int32, goal: ([Int32]) -> Bool) -> [Int]? {
        let mk = MemoKey(marking: m, label: key)
        if let hit = memo[mk] { return hit }
        var result: [Int]?
        if !net.silentTransitions.isEmpty && limit > 0 {
            var seen: Set<[Int32]> = [m]
            var queue: [([Int32], Int)] = [(m, -1)]   // marking, index of parent entry
            var moves: [Int] = [-1]
            var head = 0
            search: while head < queue.count && seen.count <= limit {
                let cur = queue[head].0
                for t in net.silentTransitions where enabled(t, cur) {
                    var next = cur
                    var c = 0, p = 0
                    fire(t, &next, &c, &p)
                    if !seen.insert(next).inserted { continue }
                    queue.append((next, head))
                    moves.append(t)
                    if goal(next) {
                        var path: [Int] = []
                        var i = queue.count - 1
                        while i > 0 { path.append(moves[i]); i = queue[i].1 }
                        result = path.reversed()
                        break search
                    }
                }
                head += 1
            }
        }
        if memo.count > 100_000 { memo.removeAll(keepingCapacity: true) }
        memo[mk] = result
        return result
    }

    /// When no silent sequence enables `t` completely: for each input place of `t` that lacks
    /// tokens, fire the shortest silent sequence that fills it while keeping the input places
    /// already filled, so fewer tokens are counted missing (and fewer left behind).
    private func enablePartially(_ t: Int, _ mk: inout [Int32], _ c: inout Int, _ p: inout Int) {
        let P = net.placeCount
        for k in net.preStart[t]..<net.preStart[t + 1] {
            let q = net.prePlace[k]
            let need = Int32(net.preWeight[k])
            if mk[q] >= need { continue }
            let satisfied = (net.preStart[t]..<net.preStart[t + 1]).filter { mk[net.prePlace[$0]] >= Int32(net.preWeight[$0]) }
            let key = Int32(-2 - (t * P + q))
            let goal: ([Int32]) -> Bool = { mm in
                mm[q] >= need && satisfied.allSatisfy { mm[self.net.prePlace[$0]] >= Int32(self.net.preWeight[$0]) }
            }
            if let path = silentPath(from: mk, key: key, goal: goal) {
                for u in path { fire(u, &mk, &c, &p) }
            }
        }
    }

    /// When the final marking cannot be reached exactly: fill each of its places that lacks
    /// tokens by the shortest silent sequence that keeps the places already filled.
    private func fillFinalPartially(_ mk: inout [Int32], _ c: inout Int, _ p: inout Int) {
        let P = net.placeCount
        let T = net.transitionCount
        for q in 0..<P where final[q] > 0 && mk[q] < final[q] {
            let satisfied = (0..<P).filter { final[$0] > 0 && mk[$0] >= final[$0] }
            let key = Int32(-2 - (T * P + q))
            let goal: ([Int32]) -> Bool = { mm in
                mm[q] >= self.final[q] && satisfied.allSatisfy { mm[$0] >= self.final[$0] }
            }
            if let path = silentPath(from: mk, key: key, goal: goal) {
                for u in path { fire(u, &mk, &c, &p) }
            }
        }
    }

    func replay(_ events: [Int32]) -> (m: Int, c: Int, r: Int, p: Int) {
        var mk = initial
        var c = 0, m = 0
        var p = initial.reduce(0) { $0 + Int($1) }
        for e in events where e >= 0 {
            let candidates = net.transitionsByLabel[Int(e)]
            var chosen = candidates.first { enabled($0, mk) }
            if chosen == nil, !net.silentTransitions.isEmpty,
               let path = silentPath(from: mk, key: e, goal: { mm in candidates.contains { self.enabled($0, mm) } }) {
                for t in path { fire(t, &mk, &c, &p) }
                chosen = candidates.first { enabled($0, mk) }
            }
            let t = chosen ?? candidates[0]
            if chosen == nil, !net.silentTransitions.isEmpty { enablePartially(t, &mk, &c, &p) }
            for k in net.preStart[t]..<net.preStart[t + 1] {
                let need = Int32(net.preWeight[k])
                let have = mk[net.prePlace[k]]
                if have < need {
                    m += Int(need - have)
                    mk[net.prePlace[k]] = need
                }
            }
            fire(t, &mk, &c, &p)
        }
        if mk != final, !net.silentTransitions.isEmpty {
            if let path = silentPath(from: mk, key: -1, goal: { $0 == self.final }) {
                for t in path { fire(t, &mk, &c, &p) }
            } else {
                fillFinalPartially(&mk, &c, &p)
            }
        }
        var r = 0
        for pl in 0..<net.placeCount {
            let f = Int(final[pl]), have = Int(mk[pl])
            c += f
            if have < f { m += f - have } else { r += have - f }
        }
        return (m, c, r, p)
    }
}
