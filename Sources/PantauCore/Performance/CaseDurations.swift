import Foundation

/// Case durations (throughput times).
///
/// Definition (``Measure/lastMinusFirst``, `pm4py.get_all_case_durations`): the completion time
/// of the case's last event minus that of its first event, in log order, skipping events without
/// completion time. In XES files whose events are not in time order this can differ from the span
/// (it can even be negative); ``Measure/span`` gives latest minus earliest timestamp instead
/// (start times included). A case with no timestamp has no duration (nil), a case with one
/// timestamp has 0.
///
/// - Complexity: O(E).
public struct CaseDurations: Sendable {
    public enum Measure: String, Hashable, Sendable, Codable {
        /// Last minus first completion time in log order (PM4Py).
        case lastMinusFirst
        /// Latest minus earliest of all start and completion times of the case.
        case span
    }

    public struct Options: Hashable, Sendable, Codable {
        public var measure: Measure
        public init(measure: Measure = .lastMinusFirst) { self.measure = measure }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    /// The duration of every case, by case index (nil when the case has no timestamp).
    public func durations(of log: EventLog) -> [Double?] {
        let t = log.completeTimes
        let st = log.startTimes
        var out: [Double?] = []
        out.reserveCapacity(log.caseCount)
        for c in 0..<log.caseCount {
            let r = log.events(ofCase: c)
            switch options.measure {
            case .lastMinusFirst:
                var first = Double.nan, last = Double.nan
                for e in r where !t[e].isNaN {
                    if first.isNaN { first = t[e] }
                    last = t[e]
                }
                out.append(first.isNaN ? nil : last - first)
            case .span:
                var lo = Double.infinity, hi = -Double.infinity
                for e in r {
                    if !t[e].isNaN { lo = min(lo, t[e]); hi = max(hi, t[e]) }
                    if !st.isEmpty && !st[e].isNaN { lo = min(lo, st[e]); hi = max(hi, st[e]) }
                }
                out.append(lo.isFinite ? hi - lo : nil)
            }
        }
        return out
    }

    /// Summary statistics of the case durations (nil when no case has one).
    public func statistics(of log: EventLog) -> DurationStatistics? {
        DurationStatistics(durations(of: log).compactMap { $0 })
    }
}
