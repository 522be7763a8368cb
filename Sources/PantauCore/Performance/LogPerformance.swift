import Foundation

/// All performance statistics of a log in one report: case durations, the performance DFG,
/// start/end activities, rework, per-activity times and variants.
///
/// Each number is defined by the type that computes it: ``CaseDurations``, ``PerformanceDFG``,
/// ``ReworkAnalysis``, ``ActivityTimes``, ``EventLog/variants()``.
///
/// - Complexity: O(E + D log D) for E events and D edge/activity durations, plus variant hashing.
public struct LogPerformance: Sendable {
    public struct Options: Hashable, Sendable, Codable {
        public var dfg: PerformanceDFG.Options
        public var caseDurations: CaseDurations.Options
        public var activityTimes: ActivityTimes.Options
        /// How many slowest edges ``LogPerformanceReport/slowestEdges`` lists.
        public var slowestEdgeCount: Int
        /// How many variants the report lists (most frequent first); nil = all.
        public var variantLimit: Int?

        public init(dfg: PerformanceDFG.Options = .init(), caseDurations: CaseDurations.Options = .init(),
                    activityTimes: ActivityTimes.Options = .init(), slowestEdgeCount: Int = 5,
                    variantLimit: Int? = nil) {
            self.dfg = dfg
            self.caseDurations = caseDurations
            self.activityTimes = activityTimes
            self.slowestEdgeCount = slowestEdgeCount
            self.variantLimit = variantLimit
        }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    public func analyze(_ log: EventLog) -> LogPerformanceReport {
        let dfg = PerformanceDFG(options: options.dfg).discover(in: log)
        let variants = log.variants()
        let listed = options.variantLimit.map { Array(variants.prefix($0)) } ?? variants
        let n = Double(max(log.caseCount, 1))
        return LogPerformanceReport(
            cases: log.caseCount, events: log.eventCount, activities: log.activityCount,
            variantCount: variants.count, hasTimestamps: log.hasTimestamps,
            startTimestampSource: log.startTimestampSource,
            caseDuration: CaseDurations(options: options.caseDurations).statistics(of: log),
            dfg: dfg, slowestEdges: dfg.slowestEdges(options.slowestEdgeCount),
            rework: ReworkAnalysis().analyze(log),
            activityTimes: ActivityTimes(options: options.activityTimes).analyze(log),
            variants: listed.map {
                LogPerformanceReport.VariantSummary(activities: log.names($0.activities), count: $0.count,
                                                    share: Double($0.count) / n)
            })
    }
}

/// The result of ``LogPerformance``; plain data for JSON/HTML reports and storage.
public struct LogPerformanceReport: Hashable, Sendable, Codable {
    public struct VariantSummary: Hashable, Sendable, Codable {
        public var activities: [String]
        public var count: Int
        /// count / number of cases.
        public var share: Double
    }

    public var cases: Int
    public var events: Int
    public var activities: Int
    public var variantCount: Int
    public var hasTimestamps: Bool
    public var startTimestampSource: StartTimestampSource
    /// Nil when no case has a timestamp.
    public var caseDuration: DurationStatistics?
    public var dfg: PerformanceDFG.Result
    /// Edges with the highest mean duration.
    public var slowestEdges: [PerformanceDFG.Edge]
    public var rework: ReworkAnalysis.Result
    public var activityTimes: ActivityTimes.Result
    /// Most frequent first (see ``LogPerformance/Options/variantLimit``).
    public var variants: [VariantSummary]
}
