import Foundation

/// Rework per activity: in how many cases an activity is done more than once.
///
/// Definition (`pm4py.get_rework_cases_per_activity`): for activity a, `reworkCases` = number of
/// cases in which a occurs at least twice; `casesWithActivity` = number of cases in which it occurs
/// at all; `share` = reworkCases / casesWithActivity. `casesWithAnyRework` counts cases in which
/// some activity occurs at least twice; its share is over all cases.
///
/// - Complexity: O(E) time, O(A) extra memory for A activities.
public struct ReworkAnalysis: Sendable {
    public struct Options: Hashable, Sendable, Codable {
        public init() {}
    }

    /// Rework of one activity.
    public struct ActivityRework: Hashable, Sendable, Codable {
        public var activity: String
        public var reworkCases: Int
        public var casesWithActivity: Int
        /// reworkCases / casesWithActivity.
        public var share: Double
        /// Occurrences beyond the first, summed over cases.
        public var extraOccurrences: Int
    }

    public struct Result: Hashable, Sendable, Codable {
        /// One entry per activity, sorted by activity name.
        public var activities: [ActivityRework]
        public var casesWithAnyRework: Int
        /// casesWithAnyRework / number of cases (0 for an empty log).
        public var casesWithAnyReworkShare: Double

        public func activity(_ name: String) -> ActivityRework? { activities.first { $0.activity == name } }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    public func analyze(_ log: EventLog) -> Result {
        let nAct = log.activityCount
        var seen = [Int32](repeating: 0, count: nAct)  // occurrences in the current case
        var touched: [Int32] = []
        var withActivity = [Int](repeating: 0, count: nAct)
        var rework = [Int](repeating: 0, count: nAct)
        var extra = [Int](repeating: 0, count: nAct)
        var anyRework = 0
        let act = log.eventActivity
        for c in 0..<log.caseCount {
            var repeated = false
            for e in log.events(ofCase: c) {
                let a = Int(act[e])
                if seen[a] == 0 { touched.append(Int32(a)) }
                seen[a] += 1
            }
            for a in touched {
                let k = Int(a)
                withActivity[k] += 1
                if seen[k] > 1 {
                    rework[k] += 1
                    extra[k] += Int(seen[k]) - 1
                    repeated = true
                }
                seen[k] = 0
            }
            touched.removeAll(keepingCapacity: true)
            if repeated { anyRework += 1 }
        }
        var out: [ActivityRework] = []
        for a in 0..<nAct where withActivity[a] > 0 {
            out.append(ActivityRework(activity: log.activities[a], reworkCases: rework[a],
                                      casesWithActivity: withActivity[a],
                                      share: Double(rework[a]) / Double(withActivity[a]),
                                      extraOccurrences: extra[a]))
        }
        out.sort { $0.activity < $1.activity }
        return Result(activities: out, casesWithAnyRework: anyRework,
                      casesWithAnyReworkShare: log.caseCount > 0 ? Double(anyRework) / Double(log.caseCount) : 0)
    }
}
