import Foundation
import Synchronization

/// Optimal alignments of traces to a Petri net with PM4Py's standard cost function
/// (``AlignmentCosts``: sync 0, log move 10000, visible model move 10000, silent move 1).
///
/// An alignment is a sequence of moves — synchronous (event and transition with the same
/// label), log only (an event the model cannot explain) and model only (a transition fired
/// without an event; "silent" when the transition is τ) — whose log part is the trace and whose
/// model part is a firing sequence from the initial to the final marking. An optimal alignment
/// minimises the summed cost.
///
/// Search: A* over the synchronous product of trace and net, generated on the fly (the product
/// net is never built). States are (marking, trace position). Model moves directly after a log
/// move are not generated (log and model moves commute, so some optimal alignment puts a run of
/// model moves before the adjacent log moves); log and visible model moves are generated lazily,
/// only when the search's f reaches their lower bound. The heuristic is the marking-equation LP
/// (see `MarkingEquationLP`), in three forms: (1) solved exactly (dual simplex warm-started from
/// the previous basis) at the start state and at states entered by a synchronous move; (2)
/// *derived*: when a move's column is ≥ 1 in the parent's LP solution, the child's LP value is
/// exactly the parent's minus the move cost (no solve); (3) otherwise the best of a small pool of
/// dual-feasible LP solutions, each a valid lower bound for every state. All three are
/// admissible; states whose g improves after expansion are reopened, so the result is optimal.
/// Markings, successors and the dual pool are cached per net and reused for all variants.
///
/// Per trace (PM4Py's definitions): `cost`; `bwc = 10000·len(trace) + cost of the cheapest
/// model run from the initial to the final marking`; `fitness = 1 − (cost ÷ 10000)/(bwc ÷ 10000)`
/// with integer division (silent moves ignored; 1 when `bwc ÷ 10000 = 0`).
/// Per log: `logFitness = 1 − Σcost/Σbwc` on raw costs; `averageTraceFitness` = mean trace
/// fitness; `percentageOfFittingTraces` = 100 · share of traces with fitness 1 — all over
/// traces (variants weighted by their count) that were aligned; traces that hit the state bound
/// are counted in ``AlignmentReport/unalignedTraces`` and left out of the three numbers.
///
/// - Complexity: worst case exponential in the trace length (the product state space is
///   |reachable markings| × (len + 1)); each expansion costs O(|T|) plus, once per expanded
///   state, a warm-started dual simplex on a (|P| + |labels|)-row tableau. Bounded by
///   ``Options/maxExpandedStates`` per trace.
public struct Alignments: Sendable {
    /// Options of the search.
    public struct Options: Sendable, Hashable, Codable {
        /// Expanded states per trace before giving up on it (its result is then
        /// ``VariantAlignment/Status/stateLimitReached``). The search also gives up when it
        /// stores 8× this many states, which bounds memory (about 50 bytes per stored state).
        public var maxExpandedStates: Int
        /// Parallel workers for ``align(_:to:progress:)`` (each with its own caches). 1 = one core.
        public var workers: Int
        /// Use the marking-equation heuristic (false = Dijkstra; for tests and comparison).
        public var markingEquationHeuristic: Bool
        /// Keep each variant's move list (false saves memory on large logs; counts are kept).
        public var keepMoves: Bool

        public init(maxExpandedStates: Int = 1_000_000, workers: Int = 1,
                    markingEquationHeuristic: Bool = true, keepMoves: Bool = true) {
            self.maxExpandedStates = maxExpandedStates
            self.workers = workers
            self.markingEquationHeuristic = markingEquationHeuristic
            self.keepMoves = keepMoves
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    private func validate(_ net: PetriNet) throws -> CompiledNet {
        guard options.maxExpandedStates >= 1 else {
            throw ConformanceError.invalidOption(field: "maxExpandedStates", value: "\(options.maxExpandedStates)")
        }
        guard options.workers >= 1 else {
            throw ConformanceError.invalidOption(field: "workers", value: "\(options.workers)")
        }
        guard net.finalMarking != nil else { throw ConformanceError.noFinalMarking }
        return try CompiledNet(net)
    }

    /// Aligns one trace given by activity names.
    /// - Throws: ``ConformanceError`` (no final marking, token overflow, final marking unreachable).
    public func align(trace: [String], to net: PetriNet) throws -> VariantAlignment {
        let log = TraceVariants(traces: [trace])
        return try align(log, to: net).variants[0]
    }

    /// Aligns every variant on the calling thread (ignores ``Options/workers``).
    /// - Parameter progress: called after each variant with (variants done, variants total).
    /// - Throws: ``ConformanceError`` (no final marking, token overflow, final marking unreachable).
    public func align(_ log: TraceVariants, to net: PetriNet,
                      progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> AlignmentReport {
        let compiled = try validate(net)
        let worker = AlignmentWorker(net: net, compiled: compiled, log: log, options: options)
        let modelRun = try worker.modelRunCost()
        var results: [VariantAlignment] = []
        results.reserveCapacity(log.variants.count)
        for i in log.variants.indices {
            results.append(try worker.alignVariant(i, modelRunCost: modelRun))
            progress?(i + 1, log.variants.count)
        }
        return AlignmentReport(variants: results, modelRunCost: modelRun)
    }

    /// Aligns every variant with ``Options/workers`` concurrent workers (variants are dealt out
    /// one at a time; results are in variant order).
    /// - Throws: ``ConformanceError``.
    public func alignConcurrently(_ log: TraceVariants, to net: PetriNet,
                                  progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> AlignmentReport {
        if options.workers == 1 { return try align(log, to: net, progress: progress) }
        let compiled = try validate(net)
        let modelRun = try AlignmentWorker(net: net, compiled: compiled, log: log, options: options).modelRunCost()
        let counters = WorkCounters()
        let total = log.variants.count
        let opts = options
        var results = [VariantAlignment?](repeating: nil, count: total)
        try await withThrowingTaskGroup(of: [(Int, VariantAlignment)].self) { group in
            for _ in 0..<opts.workers {
                group.addTask {
                    let worker = AlignmentWorker(net: net, compiled: compiled, log: log, options: opts)
                    var out: [(Int, VariantAlignment)] = []
                    while true {
                        let i = counters.next.withLock { v -> Int in
                            defer { v += 1 }
                            return v
                        }
                        if i >= total { break }
                        out.append((i, try worker.alignVariant(i, modelRunCost: modelRun)))
                        let d = counters.done.withLock { v -> Int in
                            v += 1
                            return v
                        }
                        progress?(d, total)
                    }
                    return out
                }
            }
            for try await part in group {
                for (i, r) in part { results[i] = r }
            }
        }
        return AlignmentReport(variants: results.compactMap { $0 }, modelRunCost: modelRun)
    }
}

/// Shared counters of concurrent workers.
final class WorkCounters: Sendable {
    let next = Mutex(0)
    let done = Mutex(0)
}

/// One worker: an engine plus the mapping from log activities to net labels.
final class AlignmentWorker {
    let net: PetriNet
    let compiled: CompiledNet
    let log: TraceVariants
    let options: Alignments.Options
    let engine: AlignmentEngine
    let activityToLabel: [Int32]

    init(net: PetriNet, compiled: CompiledNet, log: TraceVariants, options: Alignments.Options) {
        self.net = net
        self.compiled = compiled
        self.log = log
        self.options = options
        engine = AlignmentEngine(net: compiled, useLP: options.markingEquationHeuristic,
                                 maxExpanded: options.maxExpandedStates)
        activityToLabel = log.activities.map { compiled.labelIndex[$0] ?? -1 }
    }

    /// Cost of the cheapest run from the initial to the final marking (the empty trace's alignment).
    func modelRunCost() throws -> Int {
        let raw = try engine.align([])
        guard raw.status == .optimal else {
            throw ConformanceError.finalMarkingUnreachable(expandedStates: raw.expanded)
        }
        return raw.cost
    }

    func alignVariant(_ i: Int, modelRunCost: Int) throws -> VariantAlignment {
        let v = log.variants[i]
        let events = v.activities.map { a -> Int32 in
            activityToLabel.indices.contains(Int(a)) ? activityToLabel[Int(a)] : -1
        }
        let raw = try engine.align(events)
        let bwc = AlignmentCosts.logMove * v.activities.count + modelRunCost
        var counts = MoveCounts()
        var moves: [AlignmentMove] = []
        if options.keepMoves { moves.reserveCapacity(raw.moves.count) }
        for m in raw.moves {
            let kind: AlignmentMove.Kind
            switch m.kind {
            case 0: kind = .sync; counts.sync += 1
            case 1: kind = .log; counts.log += 1
            case 2: kind = .model; counts.model += 1
            default: kind = .silent; counts.silent += 1
            }
            if options.keepMoves {
                let t = m.transition >= 0 ? Int(m.transition) : nil
                let activity: String?
                if m.event >= 0 {
                    let a = Int(v.activities[Int(m.event)])
                    activity = log.activities.indices.contains(a) ? log.activities[a] : nil
                } else {
                    activity = t.flatMap { net.transitions[$0].label }
                }
                moves.append(AlignmentMove(kind: kind, activity: activity, transition: t,
                                           eventIndex: m.event >= 0 ? Int(m.event) : nil))
            }
        }
        if raw.status != .optimal {
            return VariantAlignment(variant: i, count: v.count, status: .stateLimitReached, cost: nil, bwc: bwc,
                                    fitness: nil, moveCounts: MoveCounts(), moves: [],
                                    expandedStates: raw.expanded)
        }
        let denom = bwc / AlignmentCosts.logMove
        let fitness = denom == 0 ? (raw.cost / AlignmentCosts.logMove == 0 ? 1.0 : 0.0)
            : 1.0 - Double(raw.cost / AlignmentCosts.logMove) / Double(denom)
        return VariantAlignment(variant: i, count: v.count, status: .optimal, cost: raw.cost, bwc: bwc,
                                fitness: fitness, moveCounts: counts, moves: moves,
                                expandedStates: raw.expanded)
    }
}

/// Numbers of moves by kind.
public struct MoveCounts: Sendable, Hashable, Codable {
    public var sync = 0
    public var log = 0
    /// Model moves on visible transitions.
    public var model = 0
    /// Model moves on silent transitions.
    public var silent = 0
    public init(sync: Int = 0, log: Int = 0, model: Int = 0, silent: Int = 0) {
        self.sync = sync
        self.log = log
        self.model = model
        self.silent = silent
    }
}

/// One move of an alignment.
public struct AlignmentMove: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Event and transition agree.
        case sync
        /// Event without a model counterpart.
        case log
        /// Visible transition fired without an event.
        case model
        /// Silent (τ) transition fired.
        case silent
    }
    public var kind: Kind
    /// The event's activity (sync, log) or the transition's label (model); nil for silent.
    public var activity: String?
    /// Transition index in the net (sync, model, silent).
    public var transition: Int?
    /// Index of the event in the trace (sync, log).
    public var eventIndex: Int?

    public init(kind: Kind, activity: String?, transition: Int?, eventIndex: Int?) {
        self.kind = kind
        self.activity = activity
        self.transition = transition
        self.eventIndex = eventIndex
    }
}

/// The alignment of one variant.
public struct VariantAlignment: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// An optimal alignment was found.
        case optimal
        /// The search hit ``Alignments/Options/maxExpandedStates``; no alignment.
        case stateLimitReached
    }
    /// Index into ``TraceVariants/variants``.
    public var variant: Int
    /// Number of traces of the variant.
    public var count: Int
    public var status: Status
    /// Alignment cost (nil when not aligned).
    public var cost: Int?
    /// Worst-case cost: 10000·len + cheapest model run.
    public var bwc: Int
    /// 1 − (cost ÷ 10000)/(bwc ÷ 10000), integer division (nil when not aligned).
    public var fitness: Double?
    public var moveCounts: MoveCounts
    /// The moves in order (empty when ``Alignments/Options/keepMoves`` is false).
    public var moves: [AlignmentMove]
    /// A* states expanded for this variant.
    public var expandedStates: Int
}

/// Alignment results of a log.
public struct AlignmentReport: Sendable, Hashable, Codable {
    /// 1 − Σcost/Σbwc over aligned traces (raw costs, silent moves included).
    public var logFitness: Double
    /// Mean per-trace fitness over aligned traces.
    public var averageTraceFitness: Double
    /// 100 · (traces with fitness 1) / (aligned traces).
    public var percentageOfFittingTraces: Double
    public var traces: Int
    public var fittingTraces: Int
    /// Traces whose variant hit the state bound (left out of the numbers above).
    public var unalignedTraces: Int
    public var totalCost: Int
    public var totalBWC: Int
    /// Move totals over traces (variants weighted by count).
    public var moveTotals: MoveCounts
    /// Cost of the cheapest model run from initial to final marking.
    public var modelRunCost: Int
    public var variants: [VariantAlignment]

    init(variants: [VariantAlignment], modelRunCost: Int) {
        self.variants = variants
        self.modelRunCost = modelRunCost
        var traces = 0, fitting = 0, unaligned = 0, cost = 0, bwc = 0
        var fitSum = 0.0
        var totals = MoveCounts()
        for v in variants {
            traces += v.count
            guard let c = v.cost, let f = v.fitness else {
                unaligned += v.count
                continue
            }
            cost += c * v.count
            bwc += v.bwc * v.count
            fitSum += f * Double(v.count)
            if f == 1.0 { fitting += v.count }
            totals.sync += v.moveCounts.sync * v.count
            totals.log += v.moveCounts.log * v.count
            totals.model += v.moveCounts.model * v.count
            totals.silent += v.moveCounts.silent * v.count
        }
        let aligned = traces - unaligned
        self.traces = traces
        self.fittingTraces = fitting
        self.unalignedTraces = unaligned
        self.totalCost = cost
        self.totalBWC = bwc
        self.moveTotals = totals
        self.logFitness = bwc > 0 ? 1.0 - Double(cost) / Double(bwc) : 1.0
        self.averageTraceFitness = aligned > 0 ? fitSum / Double(aligned) : 0
        self.percentageOfFittingTraces = aligned > 0 ? 100.0 * Double(fitting) / Double(aligned) : 0
    }
}
