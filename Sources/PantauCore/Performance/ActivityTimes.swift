import Foundation

/// Per-activity times, each summarised with ``DurationStatistics``.
///
/// Definitions (events in log order; events with a missing timestamp contribute nothing):
/// - **time since previous event**: for each event except a case's first,
///   `complete(e) − complete(previous event of the case)`, grouped by e's activity;
/// - **service time**: `complete(e) − start(e)`, grouped by activity (`pm4py.get_service_time`).
///   Only for logs with start times. When the start times were paired from lifecycle events, a
///   complete event without a start counts as 0 s (``UnpairedServiceTime/zero``, PM4Py's
///   `to_interval`) or is skipped (``UnpairedServiceTime/excluded``); with start times from an
///   attribute such an event is always skipped;
/// - **waiting time**: `start(e) − complete(previous event of the case)`, grouped by e's activity,
///   not clamped (negative when steps overlap). Only for logs with start times.
///
/// - Complexity: O(E + D log D) for D durations.
public struct ActivityTimes: Sendable {
    /// Service time of a complete event that has no paired start event (lifecycle logs).
    public enum UnpairedServiceTime: String, Hashable, Sendable, Codable {
        case zero
        case excluded
    }

    public struct Options: Hashable, Sendable, Codable {
        public var unpairedServiceTime: UnpairedServiceTime
        public init(unpairedServiceTime: UnpairedServiceTime = .zero) {
            self.unpairedServiceTime = unpairedServiceTime
        }
    }

    public struct Result: Hashable, Sendable, Codable {
        /// Activity name -> time since the previous event of the case.
        public var sincePrevious: [String: DurationStatistics]
        /// Activity name -> service time; nil when the log has no start times.
        public var serviceTime: [String: DurationStatistics]?
        /// Activity name -> waiting time; nil when the log has no start times.
        public var waitingTime: [String: DurationStatistics]?
        /// Where the start times came from.
        public var startTimestampSource: StartTimestampSource
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    public func analyze(_ log: EventLog) -> Result {
        let nAct = log.activityCount
        var since = [[Double]](repeating: [], count: nAct)
        let hasStart = log.hasStartTimestamps
        var service = [[Double]](repeating: [], count: hasStart ? nAct : 0)
        var waiting = [[Double]](repeating: [], count: hasStart ? nAct : 0)
        let t = log.completeTimes
        let st = log.startTimes
        let act = log.eventActivity
        let unpairedZero = log.startTimestampSource == .lifecycle && options.unpairedServiceTime == .zero
        for c in 0..<log.caseCount {
            let r = log.events(ofCase: c)
            for e in r {
                let a = Int(act[e])
                if e > r.lowerBound {
                    let d = t[e] - t[e - 1]
                    if !d.isNaN { since[a].append(d) }
                }
                if hasStart {
                    let s = st[e]
                    if !s.isNaN {
                        let d = t[e] - s
                        if !d.isNaN { service[a].append(d) }
                        if e > r.lowerBound {
                            let w = s - t[e - 1]
                            if !w.isNaN { waiting[a].append(w) }
                        }
                    } else if unpairedZero && !t[e].isNaN {
                        service[a].append(0)
                    }
                }
            }
        }
        func summarise(_ v: [[Double]]) -> [String: DurationStatistics] {
            var out: [String: DurationStatistics] = [:]
            for (a, xs) in v.enumerated() {
                if let s = DurationStatistics(xs) { out[log.activities[a]] = s }
            }
            return out
        }
        return Result(sincePrevious: summarise(since),
                      serviceTime: hasStart ? summarise(service) : nil,
                      waitingTime: hasStart ? summarise(waiting) : nil,
                      startTimestampSource: log.startTimestampSource)
    }
}
