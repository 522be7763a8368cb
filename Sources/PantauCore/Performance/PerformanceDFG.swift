import Foundation

/// The performance directly-follows graph: for every pair of activities (a, b) where b directly
/// follows a in some case, how often, and how much time lies between them.
///
/// Definition (identical to `pm4py.discover_performance_dfg`, no business hours):
/// 1. Each case's events are ordered by a sort key — the start time when the edge timing is
///    ``EdgeTiming/waiting`` (an event without start time uses its completion time), else the
///    completion time — then by completion time; stable (ties keep log order); events whose key is
///    missing go last.
/// 2. For each pair of consecutive events (a, b) of that order the edge a→b counts one occurrence
///    with duration `start(b) − complete(a)` (``EdgeTiming/waiting``: the wait between the steps,
///    negative when they overlap) or `complete(b) − complete(a)` (``EdgeTiming/completeToComplete``).
/// 3. Per edge: count (all occurrences) and ``DurationStatistics`` over the occurrences with both
///    timestamps (stdev is the sample standard deviation, nil for one occurrence).
///
/// Start and end activities are the first and last activity of each case in log order (not the
/// re-sorted order; PM4Py computes them on the data frame as it is).
///
/// - Complexity: O(E) plus O(k log k) for each case of k events that is out of order, plus
///   O(D log D) for the D edge durations (medians and percentiles).
public struct PerformanceDFG: Sendable {
    /// Which time an edge measures.
    public enum EdgeTiming: String, Hashable, Sendable, Codable {
        /// ``waiting`` when the log's start timestamps come from an attribute or column (PM4Py's
        /// interval logs), else ``completeToComplete``. Logs whose start times were paired from
        /// lifecycle events use complete-to-complete, as PM4Py does for them.
        case automatic
        /// `complete(b) − complete(a)`.
        case completeToComplete
        /// `start(b) − complete(a)`, events ordered by start time.
        case waiting
    }

    public struct Options: Hashable, Sendable, Codable {
        public var timing: EdgeTiming
        public init(timing: EdgeTiming = .automatic) { self.timing = timing }
    }

    /// One edge a→b.
    public struct Edge: Hashable, Sendable, Codable {
        public var from: String
        public var to: String
        public var fromID: Int32
        public var toID: Int32
        /// Number of times b directly follows a.
        public var count: Int
        /// Durations of the occurrences with both timestamps; nil when there are none.
        public var duration: DurationStatistics?
    }

    /// The graph.
    public struct Result: Hashable, Sendable, Codable {
        /// The timing actually used (never `.automatic`).
        public var timing: EdgeTiming
        /// Edges sorted by (from, to) activity name.
        public var edges: [Edge]
        /// Activity name -> number of cases that start with it (log order).
        public var startActivities: [String: Int]
        /// Activity name -> number of cases that end with it (log order).
        public var endActivities: [String: Int]

        /// The `n` edges with the highest mean duration (ties by name order), as PM4Py's
        /// `bottleneck_edges_by_mean`.
        public func slowestEdges(_ n: Int) -> [Edge] {
            let timed = edges.filter { $0.duration != nil }
            let sorted = timed.enumerated().sorted { a, b in
                let ma = a.element.duration!.mean, mb = b.element.duration!.mean
                return ma != mb ? ma > mb : a.offset < b.offset
            }
            return sorted.prefix(n).map(\.element)
        }

        /// The edge a→b, if present.
        public func edge(from a: String, to b: String) -> Edge? { edges.first { $0.from == a && $0.to == b } }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    /// The timing `options.timing` resolves to for `log`.
    public func resolvedTiming(for log: EventLog) -> EdgeTiming {
        switch options.timing {
        case .automatic: return log.startTimestampSource == .attribute ? .waiting : .completeToComplete
        case .waiting: return log.hasStartTimestamps ? .waiting : .completeToComplete
        case .completeToComplete: return .completeToComplete
        }
    }

    /// Discovers the graph of `log`.
    public func discover(in log: EventLog) -> Result {
        let timing = resolvedTiming(for: log)
        let useStart = timing == .waiting
        let nAct = log.activityCount
        // edge slots: a dense nAct x nAct table for usual logs, a dictionary for huge alphabets
        let dense = nAct <= 2048
        var table = [Int32](repeating: -1, count: dense ? nAct * nAct : 0)
        var sparse: [Int: Int32] = [:]
        var pairs: [(Int32, Int32)] = []
        var counts: [Int] = []
        var values: [[Double]] = []
        var starts = [Int](repeating: 0, count: nAct)
        var ends = [Int](repeating: 0, count: nAct)
        let complete = log.completeTimes
        let start = log.startTimes
        let act = log.eventActivity
        var order: [Int] = []
        @inline(__always) func key(_ e: Int) -> Double {
            if useStart { let s = start[e]; return s.isNaN ? complete[e] : s }
            return complete[e]
        }
        @inline(__always) func before(_ a: Int, _ b: Int) -> Bool {
            let ka = key(a), kb = key(b)
            if ka.isNaN || kb.isNaN {
                if ka.isNaN && kb.isNaN { return a < b }
                return kb.isNaN
            }
            if ka != kb { return ka < kb }
            let ca = complete[a], cb = complete[b]
            if ca.isNaN || cb.isNaN {
                if ca.isNaN && cb.isNaN { return a < b }
                return cb.isNaN
            }
            return ca != cb ? ca < cb : a < b
        }
        for c in 0..<log.caseCount {
            let r = log.events(ofCase: c)
            guard !r.isEmpty else { continue }
            order.removeAll(keepingCapacity: true)
            order.append(contentsOf: r)
            var sorted = true
            for i in order.indices.dropFirst() where !before(order[i - 1], order[i]) { sorted = false; break }
            if !sorted { order.sort(by: before) }
            starts[Int(act[r.lowerBound])] += 1
            ends[Int(act[r.upperBound - 1])] += 1
            for i in order.indices.dropFirst() {
                let a = order[i - 1], b = order[i]
                let pair = Int(act[a]) * nAct + Int(act[b])
                var slot = dense ? table[pair] : (sparse[pair] ?? -1)
                if slot < 0 {
                    slot = Int32(counts.count)
                    if dense { table[pair] = slot } else { sparse[pair] = slot }
                    pairs.append((act[a], act[b]))
                    counts.append(0)
                    values.append([])
                }
                let k = Int(slot)
                counts[k] += 1
                let tb = useStart ? key(b) : complete[b]
                let d = tb - complete[a]
                if !d.isNaN { values[k].append(d) }
            }
        }
        var edges: [Edge] = []
        for (k, (a, b)) in pairs.enumerated() {
            var v = values[k]
            values[k] = []
            DurationStatistics.sort(&v)
            edges.append(Edge(from: log.activities[Int(a)], to: log.activities[Int(b)], fromID: a, toID: b,
                              count: counts[k], duration: v.isEmpty ? nil : DurationStatistics(sorted: v)))
        }
        edges.sort { ($0.from, $0.to) < ($1.from, $1.to) }
        var sa: [String: Int] = [:], ea: [String: Int] = [:]
        for a in 0..<nAct {
            if starts[a] > 0 { sa[log.activities[a]] = starts[a] }
            if ends[a] > 0 { ea[log.activities[a]] = ends[a] }
        }
        return Result(timing: timing, edges: edges, startActivities: sa, endActivities: ea)
    }
}
