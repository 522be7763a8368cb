import Foundation

/// An event log in columnar form: one array per event property, activities and resources interned.
///
/// Events of a case are contiguous: case `c` owns events `caseStarts[c] ..< caseStarts[c + 1]`, in
/// log order. Log order is what the source said (see ``EventLog/Builder/Options/ordering``):
/// - XES: file order inside each trace (as `pm4py.read_xes`);
/// - CSV: sorted by completion timestamp inside each case, ties (and rows without timestamp,
///   which go last) in row order (as `pm4py.format_dataframe`).
///
/// Timestamps are `Double` seconds since 1970-01-01T00:00:00Z; a missing timestamp is `.nan`.
/// Per event the log keeps: case index, activity id, completion time, optional start time,
/// optional resource and unit (interned), and any other attributes sparsely in
/// ``eventAttributes``. Lifecycle transitions are resolved when the log is read (see
/// ``LifecycleHandling``); the log itself holds one event per completed activity instance.
///
/// Memory: 24 bytes per event for the fixed columns, plus 8 for start times, plus 4 each for
/// resource and unit when the log has them.
public struct EventLog: Sendable {
    /// Distinct activity names; an activity id indexes this array.
    public internal(set) var activities: [String]
    /// Case identifiers (XES trace `concept:name`, CSV case column), by case index.
    public internal(set) var caseIDs: [String]
    /// Event range of each case: `caseStarts[c] ..< caseStarts[c + 1]`; `caseStarts.count == caseCount + 1`.
    public internal(set) var caseStarts: [Int]
    /// Case index of each event.
    public internal(set) var eventCase: [Int32]
    /// Activity id of each event.
    public internal(set) var eventActivity: [Int32]
    /// Completion timestamp of each event (`.nan` when missing).
    public internal(set) var completeTimes: [Double]
    /// Start timestamp of each event (`.nan` when missing); empty when the log has none.
    public internal(set) var startTimes: [Double]
    /// Where the start timestamps came from.
    public internal(set) var startTimestampSource: StartTimestampSource
    /// Distinct resources (`org:resource`); a resource id indexes this array.
    public internal(set) var resources: [String]
    /// Resource id of each event (-1 = none); empty when no event has a resource.
    public internal(set) var eventResource: [Int32]
    /// Distinct organisational units (`org:group` or the mapped CSV column).
    public internal(set) var units: [String]
    /// Unit id of each event (-1 = none); empty when no event has a unit.
    public internal(set) var eventUnit: [Int32]
    /// Other case attributes (rows are case indices).
    public internal(set) var caseAttributes: AttributeTable
    /// Other event attributes (rows are event indices).
    public internal(set) var eventAttributes: AttributeTable
    /// Top-level attributes of an XES `<log>` (not nested ones).
    public internal(set) var logAttributes: [String: String]
    /// What reading dropped or paired.
    public internal(set) var readInfo: ReadInfo

    private let activityIndex: [String: Int32]

    init(activities: [String], caseIDs: [String], caseStarts: [Int], eventCase: [Int32], eventActivity: [Int32],
         completeTimes: [Double], startTimes: [Double], startTimestampSource: StartTimestampSource,
         resources: [String], eventResource: [Int32], units: [String], eventUnit: [Int32],
         caseAttributes: AttributeTable, eventAttributes: AttributeTable, logAttributes: [String: String],
         readInfo: ReadInfo) {
        self.activities = activities
        self.caseIDs = caseIDs
        self.caseStarts = caseStarts
        self.eventCase = eventCase
        self.eventActivity = eventActivity
        self.completeTimes = completeTimes
        self.startTimes = startTimes
        self.startTimestampSource = startTimestampSource
        self.resources = resources
        self.eventResource = eventResource
        self.units = units
        self.eventUnit = eventUnit
        self.caseAttributes = caseAttributes
        self.eventAttributes = eventAttributes
        self.logAttributes = logAttributes
        self.readInfo = readInfo
        var idx: [String: Int32] = [:]
        for (i, a) in activities.enumerated() { idx[a] = Int32(i) }
        self.activityIndex = idx
    }

    /// An empty log.
    public init() {
        self.init(activities: [], caseIDs: [], caseStarts: [0], eventCase: [], eventActivity: [], completeTimes: [],
                  startTimes: [], startTimestampSource: .none, resources: [], eventResource: [], units: [],
                  eventUnit: [], caseAttributes: AttributeTable(), eventAttributes: AttributeTable(),
                  logAttributes: [:], readInfo: ReadInfo())
    }

    // MARK: sizes

    public var caseCount: Int { caseIDs.count }
    public var eventCount: Int { eventActivity.count }
    public var activityCount: Int { activities.count }
    public var isEmpty: Bool { eventActivity.isEmpty }
    /// True when at least one event has a start timestamp.
    public var hasStartTimestamps: Bool { !startTimes.isEmpty }
    /// True when at least one event has a completion timestamp.
    public var hasTimestamps: Bool { completeTimes.contains { !$0.isNaN } }

    // MARK: lookup

    /// The id of an activity name (exact match), or nil.
    public func activityID(_ name: String) -> Int32? { activityIndex[name] }

    /// Event indices of case `c`.
    public func events(ofCase c: Int) -> Range<Int> { caseStarts[c] ..< caseStarts[c + 1] }

    /// The activity ids of case `c` in log order (the trace).
    public func trace(_ c: Int) -> ArraySlice<Int32> { eventActivity[caseStarts[c] ..< caseStarts[c + 1]] }

    /// All traces, by case index.
    public var traces: Traces { Traces(log: self) }

    /// Start time of event `e`, or nil.
    public func startTime(ofEvent e: Int) -> Double? {
        guard !startTimes.isEmpty else { return nil }
        let t = startTimes[e]
        return t.isNaN ? nil : t
    }

    /// Completion time of event `e`, or nil.
    public func completeTime(ofEvent e: Int) -> Double? {
        let t = completeTimes[e]
        return t.isNaN ? nil : t
    }

    /// Resource name of event `e`, or nil.
    public func resource(ofEvent e: Int) -> String? {
        guard !eventResource.isEmpty else { return nil }
        let r = eventResource[e]
        return r >= 0 ? resources[Int(r)] : nil
    }

    /// Unit name of event `e`, or nil.
    public func unit(ofEvent e: Int) -> String? {
        guard !eventUnit.isEmpty else { return nil }
        let u = eventUnit[e]
        return u >= 0 ? units[Int(u)] : nil
    }

    /// One event with every property resolved (convenient, not for hot loops).
    public func event(_ e: Int) -> Event {
        Event(caseID: caseIDs[Int(eventCase[e])], activity: activities[Int(eventActivity[e])],
              complete: completeTime(ofEvent: e), start: startTime(ofEvent: e),
              resource: resource(ofEvent: e), unit: unit(ofEvent: e),
              attributes: eventAttributes.attributes(ofRow: e))
    }

    /// One event of a log, with names instead of ids.
    public struct Event: Hashable, Sendable, Codable {
        public var caseID: String
        public var activity: String
        /// Completion time, seconds since 1970.
        public var complete: Double?
        /// Start time, seconds since 1970.
        public var start: Double?
        public var resource: String?
        public var unit: String?
        public var attributes: [String: String]

        public init(caseID: String, activity: String, complete: Double?, start: Double? = nil,
                    resource: String? = nil, unit: String? = nil, attributes: [String: String] = [:]) {
            self.caseID = caseID
            self.activity = activity
            self.complete = complete
            self.start = start
            self.resource = resource
            self.unit = unit
            self.attributes = attributes
        }
    }

    /// The traces of a log as a random-access collection of activity-id slices.
    public struct Traces: RandomAccessCollection, Sendable {
        let log: EventLog
        public var startIndex: Int { 0 }
        public var endIndex: Int { log.caseCount }
        public subscript(c: Int) -> ArraySlice<Int32> { log.trace(c) }
    }

    // MARK: variants

    /// A distinct activity sequence and the cases that follow it.
    public struct Variant: Hashable, Sendable {
        /// Activity ids in order.
        public var activities: [Int32]
        /// Case indices with this sequence, ascending.
        public var cases: [Int32]
        public var count: Int { cases.count }
    }

    /// The trace variants, most frequent first; ties ordered by the activity-name sequence
    /// (lexicographic, as PM4Py's variants files). - Complexity: O(E + V log V) for E events and V variants
    /// (hashing each trace once).
    public func variants() -> [Variant] {
        var index: [ArraySlice<Int32>: Int] = [:]
        var out: [Variant] = []
        for c in 0..<caseCount {
            let t = trace(c)
            if let i = index[t] {
                out[i].cases.append(Int32(c))
            } else {
                index[t] = out.count
                out.append(Variant(activities: Array(t), cases: [Int32(c)]))
            }
        }
        let names = activities
        out.sort { a, b in
            if a.count != b.count { return a.count > b.count }
            return a.activities.lexicographicallyPrecedes(b.activities) { names[Int($0)] < names[Int($1)] }
        }
        return out
    }

    /// The activity names of a variant.
    public func names(_ ids: some Sequence<Int32>) -> [String] { ids.map { activities[Int($0)] } }
}

/// Where a log's start timestamps come from.
public enum StartTimestampSource: String, Hashable, Sendable, Codable {
    /// The log has no start timestamps.
    case none
    /// An event attribute or CSV column (`start_timestamp`): PM4Py's "interval log".
    case attribute
    /// Paired from `lifecycle:transition` start events (see ``LifecycleHandling/completeOnly``).
    case lifecycle
}

/// What happened to a log's raw events while it was read.
public struct ReadInfo: Hashable, Sendable, Codable {
    /// Events (XES `<event>`, CSV rows) in the source.
    public var sourceEvents = 0
    /// Events dropped because their lifecycle transition was not `complete` (start events included).
    public var droppedLifecycleEvents = 0
    /// Complete events that got their start timestamp from a paired `start` event.
    public var pairedStarts = 0
    /// Start events left without a matching complete event.
    public var unpairedStarts = 0
    /// Cases without any (kept) event, which are left out of the log.
    public var droppedEmptyCases = 0
    public init() {}
}

/// How `lifecycle:transition` values are treated when a log is read.
public enum LifecycleHandling: String, Hashable, Sendable, Codable {
    /// Keep only completed activity instances: events whose transition is `complete`
    /// (case-insensitive) or absent. `start` events are not kept as events but give their
    /// timestamp to a complete event as its start time (pairing rule: within a case, in log order,
    /// a complete event takes the earliest still-unused start event of the same activity, and the
    /// same `concept:instance` when events carry one, that came before it; first in, first out).
    /// Events with other transitions (schedule, suspend, resume, abort, ...) are dropped. An
    /// explicit `start_timestamp` attribute of a complete event wins over a paired one. This is
    /// the PM4Py preprocessing of the shared logs.
    case completeOnly
    /// Keep every event whatever its transition; the transition stays as the event attribute
    /// `lifecycle:transition`; no pairing.
    case keepAll
}
