import Foundation

/// The conformance check behind `pantau conformance`: a log against a model file with one
/// method, summarised in exactly the numbers PM4Py reports (`pm4py.fitness_alignments`,
/// `pm4py.fitness_token_based_replay`).
///
/// - Complexity: that of ``Alignments`` or ``TokenReplay``.
public struct ConformanceCheck: Sendable {
    /// Which conformance technique to run.
    public enum Method: String, Sendable, Hashable, Codable, CaseIterable {
        case alignments
        case tokenReplay = "token-replay"
    }

    public struct Options: Sendable, Hashable, Codable {
        public var method: Method
        public var alignment: Alignments.Options
        public var tokenReplay: TokenReplay.Options
        public init(method: Method = .alignments, alignment: Alignments.Options = Alignments.Options(keepMoves: false),
                    tokenReplay: TokenReplay.Options = TokenReplay.Options()) {
            self.method = method
            self.alignment = alignment
            self.tokenReplay = tokenReplay
        }
    }

    public var options: Options
    public init(options: Options = Options()) { self.options = options }

    /// Reads a model file: `.pnml` as PNML, `.bpmn` as BPMN 2.0 converted with
    /// ``BPMN/petriNet()``.
    /// - Throws: ``ProcessModelError`` (including an unknown extension).
    public static func loadModel(contentsOf url: URL) throws -> PetriNet {
        switch url.pathExtension.lowercased() {
        case "pnml": return try PNML.read(contentsOf: url)
        case "bpmn", "xml": return try BPMN.read(contentsOf: url).petriNet()
        default:
            throw ProcessModelError.invalidModel(file: url.path, reason: "unknown model format '.\(url.pathExtension)' (expected .pnml or .bpmn)")
        }
    }

    /// Checks `log` against `net`.
    /// - Parameter progress: called with (variants done, variants total).
    /// - Throws: ``ConformanceError`` (e.g. alignments on a net without final marking).
    public func run(_ log: TraceVariants, on net: PetriNet, modelName: String = "",
                    progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ConformanceSummary {
        let size = ConformanceSummary.NetSize(places: net.places.count, transitions: net.transitions.count,
                                              silentTransitions: net.silentTransitionCount, arcs: net.arcs.count)
        switch options.method {
        case .alignments:
            let r = try Alignments(options: options.alignment).align(log, to: net, progress: progress)
            return ConformanceSummary(
                model: modelName, method: .alignments, net: size, traces: r.traces, variants: log.variants.count,
                logFitness: r.logFitness, averageTraceFitness: r.averageTraceFitness,
                percentageOfFittingTraces: r.percentageOfFittingTraces, fittingTraces: r.fittingTraces,
                alignments: .init(totalCost: r.totalCost, totalBWC: r.totalBWC, unalignedTraces: r.unalignedTraces,
                                  moves: r.moveTotals, modelRunCost: r.modelRunCost),
                tokenReplay: nil)
        case .tokenReplay:
            let r = try TokenReplay(options: options.tokenReplay).replay(log, on: net, progress: progress)
            return ConformanceSummary(
                model: modelName, method: .tokenReplay, net: size, traces: r.traces, variants: log.variants.count,
                logFitness: r.logFitness, averageTraceFitness: r.averageTraceFitness,
                percentageOfFittingTraces: r.percentageOfFittingTraces, fittingTraces: r.fittingTraces,
                alignments: nil,
                tokenReplay: .init(missing: r.missing, consumed: r.consumed, remaining: r.remaining, produced: r.produced))
        }
    }

    /// Checks an event log against a model file (see ``loadModel(contentsOf:)``).
    public func run(_ log: EventLog, modelURL: URL,
                    progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ConformanceSummary {
        let net = try Self.loadModel(contentsOf: modelURL)
        return try run(TraceVariants(log), on: net, modelName: modelURL.lastPathComponent, progress: progress)
    }
}

/// The PM4Py-comparable numbers of one conformance check.
public struct ConformanceSummary: Sendable, Hashable, Codable {
    public struct NetSize: Sendable, Hashable, Codable {
        public var places: Int
        public var transitions: Int
        public var silentTransitions: Int
        public var arcs: Int
    }
    public struct AlignmentTotals: Sendable, Hashable, Codable {
        public var totalCost: Int
        public var totalBWC: Int
        /// Traces whose variant hit the state bound (excluded from the fitness numbers).
        public var unalignedTraces: Int
        public var moves: MoveCounts
        public var modelRunCost: Int
    }
    public struct TokenTotals: Sendable, Hashable, Codable {
        public var missing: Int
        public var consumed: Int
        public var remaining: Int
        public var produced: Int
    }
    public var model: String
    public var method: ConformanceCheck.Method
    public var net: NetSize
    public var traces: Int
    public var variants: Int
    /// Alignments: 1 − Σcost/Σbwc; token replay: ½(1 − Σm/Σc) + ½(1 − Σr/Σp).
    public var logFitness: Double
    public var averageTraceFitness: Double
    public var percentageOfFittingTraces: Double
    public var fittingTraces: Int
    public var alignments: AlignmentTotals?
    public var tokenReplay: TokenTotals?
}
