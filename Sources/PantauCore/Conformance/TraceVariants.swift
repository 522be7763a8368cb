import Foundation

/// The input of the conformance algorithms: an activity-name table and the distinct traces
/// (variants) as sequences of activity indices, each with the number of cases that follow it.
///
/// Every algorithm works per variant and weights results by ``Variant/count``, so a log is
/// aligned or replayed once per distinct trace.
public struct TraceVariants: Sendable, Hashable, Codable {
    /// One distinct trace.
    public struct Variant: Sendable, Hashable, Codable {
        /// Activity indices into ``TraceVariants/activities``.
        public var activities: [Int32]
        /// Number of cases with exactly this trace (≥ 1).
        public var count: Int
        public init(activities: [Int32], count: Int) {
            self.activities = activities
            self.count = count
        }
    }

    public var activities: [String]
    public var variants: [Variant]

    public init(activities: [String], variants: [Variant]) {
        self.activities = activities
        self.variants = variants
    }

    /// Groups traces given by activity names into variants (first-seen order).
    public init(traces: [[String]]) {
        var names: [String] = []
        var nameIndex: [String: Int32] = [:]
        var variantIndex: [[Int32]: Int] = [:]
        var vs: [Variant] = []
        for trace in traces {
            let seq: [Int32] = trace.map { name in
                if let i = nameIndex[name] { return i }
                let i = Int32(names.count)
                names.append(name)
                nameIndex[name] = i
                return i
            }
            if let v = variantIndex[seq] {
                vs[v].count += 1
            } else {
                variantIndex[seq] = vs.count
                vs.append(Variant(activities: seq, count: 1))
            }
        }
        activities = names
        variants = vs
    }

    /// Total number of traces (cases).
    public var traceCount: Int { variants.reduce(0) { $0 + $1.count } }

    /// The activity names of variant `i`.
    public func names(ofVariant i: Int) -> [String] {
        variants[i].activities.map { activities.indices.contains(Int($0)) ? activities[Int($0)] : "" }
    }
}
