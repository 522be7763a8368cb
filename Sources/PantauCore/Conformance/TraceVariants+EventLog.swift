import Foundation

extension TraceVariants {
    /// The variants of an event log (most frequent first, as ``EventLog/variants()`` orders
    /// them), sharing the log's activity table.
    /// - Complexity: O(E + V log V) for E events and V variants.
    public init(_ log: EventLog) {
        self.init(activities: log.activities,
                  variants: log.variants().map { Variant(activities: $0.activities, count: $0.count) })
    }
}
