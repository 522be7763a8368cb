import Foundation

/// One event of a service case, as the monitoring store keeps it.
public struct CaseEvent: Sendable, Hashable, Codable {
    public var activity: String
    /// Start of the activity (seconds since 1970), when the source records one.
    public var start: Double?
    /// Completion of the activity (seconds since 1970).
    public var complete: Double
    public var resource: String?

    public init(activity: String, start: Double? = nil, complete: Double, resource: String? = nil) {
        self.activity = activity
        self.start = start
        self.complete = complete
        self.resource = resource
    }
}

/// The figures of one step within one case.
public struct CaseStepFigures: Sendable, Hashable, Codable {
    public var stepID: String
    /// Events of the step in the case.
    public var occurrences: Int
    /// Occurrences with a time measure (see ``SOPCaseAnalyzer``).
    public var measured: Int
    /// Of those, occurrences within the step's time standard.
    public var withinStandard: Int
    /// Σ measured time (seconds).
    public var seconds: Double
    /// Σ max(0, time − standard).
    public var excessSeconds: Double
    /// Occurrences with a waiting time, and its sum (start − completion of the previous event).
    public var waited: Int
    public var waitingSeconds: Double
    /// Time of the 2nd and later occurrences (rework).
    public var reworkSeconds: Double
    public var deviations: DeviationCounts

    public init(stepID: String) {
        self.stepID = stepID
        occurrences = 0; measured = 0; withinStandard = 0; seconds = 0; excessSeconds = 0
        waited = 0; waitingSeconds = 0; reworkSeconds = 0; deviations = DeviationCounts()
    }
}

/// The result of checking one case against its SOP version: what the monitoring pages read,
/// so they never re-read the raw events.
public struct CaseAnalysis: Sendable, Hashable, Codable {
    /// No log move and no visible model move in the case's optimal alignment.
    public var compliant: Bool
    /// Alignment fitness (nil when the alignment hit its state bound).
    public var fitness: Double?
    public var deviations: [Deviation]
    /// Steps with an event or a deviation, in SOP table order.
    public var steps: [CaseStepFigures]
    /// Activities that map to no step → number of events.
    public var outsideSOP: [String: Int]
    /// Latest minus earliest timestamp of the case (start times included); nil without events.
    public var leadSeconds: Double?
    public var firstAt: Double?
    public var lastAt: Double?
    /// The case's path: per event in order, its step id, or `"?" + activity` outside the SOP.
    public var path: [String]
    /// Σ over steps of the occurrences after the first.
    public var repeatedOccurrences: Int
    public var reworkSeconds: Double
    /// Σ time standard of the steps the case went through (first occurrence each), nil when none
    /// of them has a standard.
    public var pathStandardSeconds: Double?

    public init(compliant: Bool, fitness: Double?, deviations: [Deviation], steps: [CaseStepFigures], outsideSOP: [String: Int],
                leadSeconds: Double?, firstAt: Double?, lastAt: Double?, path: [String], repeatedOccurrences: Int,
                reworkSeconds: Double, pathStandardSeconds: Double?) {
        self.compliant = compliant
        self.fitness = fitness
        self.deviations = deviations
        self.steps = steps
        self.outsideSOP = outsideSOP
        self.leadSeconds = leadSeconds
        self.firstAt = firstAt
        self.lastAt = lastAt
        self.path = path
        self.repeatedOccurrences = repeatedOccurrences
        self.reworkSeconds = reworkSeconds
        self.pathStandardSeconds = pathStandardSeconds
    }

    public var deviationCounts: DeviationCounts {
        var d = DeviationCounts()
        for x in deviations { d.add(x.kind) }
        return d
    }
}

/// Checks one case at a time against an SOP version, for incremental monitoring: when a case's
/// events change, only that case is checked again.
///
/// The figures are those of the whole-log analysis (`pantau analyze`) restricted to one case, so
/// that summing per-case results gives the same totals:
/// - **conformance** is ``SOPConformance`` on the case's trace (same step mapping, same
///   alignment, same classification of skipped, unexpected, repeated and out-of-order steps);
///   results are cached per distinct trace, since most cases follow one of a few variants;
/// - **time of an occurrence** is ``SOPPerformance``'s: the service time `complete − start` when
///   the event has a start time, otherwise the time since the previous event of the case
///   (a log with start times throughout gives exactly `pantau analyze`'s service-time figures);
///   within standard when time ≤ the step's standard; waiting = start − previous completion;
/// - **rework**: occurrences of a step after its first; their time is rework time;
/// - **lead time**: latest minus earliest timestamp of the case (start times included).
///
/// Events are taken in the order given (the store orders them by completion time, then arrival).
public struct SOPCaseAnalyzer: Sendable {
    public let document: SOPDocument
    private let net: SOPNet
    private let byLogName: [String: String]
    private let stepPos: [String: Int]
    private let standard: [String: Double]
    private var cache: [[String]: (Bool, Double?, [Deviation])] = [:]
    /// Activity name as events carry it → step id ("" for none): names repeat across cases.
    private var activityCache: [String: String] = [:]
    /// Cache bound (distinct traces kept).
    public var cacheLimit = 10_000

    /// - Parameters:
    ///   - aliases: extra activity names per step id (the per-SOP alias table), added to the
    ///     steps' own log names.
    ///   - notRecorded: step ids that leave no event (see ``SOPStep/recorded``).
    /// - Throws: ``ProcessModelError/invalidSOP(reason:)`` when the SOP cannot be compiled.
    public init(document: SOPDocument, aliases: [String: [String]] = [:], notRecorded: Set<String> = []) throws {
        var doc = document
        for i in doc.steps.indices {
            if let extra = aliases[doc.steps[i].id] { doc.steps[i].logNames += extra }
            if notRecorded.contains(doc.steps[i].id) { doc.steps[i].recorded = false }
        }
        self.document = doc
        self.net = try SOPNet(compiling: doc)
        self.byLogName = doc.stepIndexByLogName()
        var pos: [String: Int] = [:]
        for (i, s) in doc.steps.enumerated() where pos[s.id] == nil { pos[s.id] = i }
        self.stepPos = pos
        var std: [String: Double] = [:]
        for s in doc.steps { if let t = s.standard.time?.seconds { std[s.id] = t } }
        self.standard = std
    }

    /// The step an activity name maps to, if any.
    public func step(forActivity name: String) -> String? { byLogName[SOPDocument.normalizeLogName(name)] }

    /// Checks one case.
    /// - Throws: ``ConformanceError`` from the alignment.
    public mutating func analyze(_ events: [CaseEvent]) throws -> CaseAnalysis {
        let activities = events.map(\.activity)
        var mapped: [String?] = []
        mapped.reserveCapacity(events.count)
        for a in activities {
            if let hit = activityCache[a] { mapped.append(hit.isEmpty ? nil : hit); continue }
            let sid = step(forActivity: a)
            if activityCache.count < 10_000 { activityCache[a] = sid ?? "" }
            mapped.append(sid)
        }
        let key = zip(activities, mapped).map { a, s in s ?? "?" + a }
        let (compliant, fitness, deviations): (Bool, Double?, [Deviation])
        if let hit = cache[key] {
            (compliant, fitness, deviations) = hit
        } else {
            var options = SOPConformance.Options()
            options.includeCases = true
            let report = try SOPConformance(options: options)
                .check([SOPCaseTrace(caseID: "", activities: activities)], against: document, net: net)
            let r = report.caseResults.first
            let value = (r?.compliant ?? true, r?.fitness, r?.deviations ?? [])
            if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[key] = value
            (compliant, fitness, deviations) = value
        }

        var figures: [String: CaseStepFigures] = [:]
        var outside: [String: Int] = [:]
        var first: Double? = nil, last: Double? = nil
        var repeated = 0
        var rework = 0.0
        var pathStandard: Double? = nil
        for (i, e) in events.enumerated() {
            for t in [e.start, e.complete].compactMap({ $0 }) where !t.isNaN {
                first = min(first ?? t, t)
                last = max(last ?? t, t)
            }
            guard let sid = mapped[i] else {
                outside[e.activity, default: 0] += 1
                continue
            }
            var f = figures[sid] ?? CaseStepFigures(stepID: sid)
            f.occurrences += 1
            var time: Double? = nil
            if let s = e.start {
                let d = e.complete - s
                if !d.isNaN { time = d }
                if i > 0 {
                    let w = s - events[i - 1].complete
                    if !w.isNaN { f.waited += 1; f.waitingSeconds += w }
                }
            } else if i > 0 {
                let d = e.complete - events[i - 1].complete
                if !d.isNaN { time = d }
            }
            if let time {
                f.measured += 1
                f.seconds += time
                if let std = standard[sid] {
                    if time <= std { f.withinStandard += 1 } else { f.excessSeconds += time - std }
                }
            }
            if f.occurrences > 1 {
                repeated += 1
                if let time { f.reworkSeconds += time; rework += time }
            } else if let std = standard[sid] {
                pathStandard = (pathStandard ?? 0) + std
            }
            figures[sid] = f
        }
        for d in deviations {
            guard let sid = d.stepID else { continue }
            var f = figures[sid] ?? CaseStepFigures(stepID: sid)
            f.deviations.add(d.kind)
            figures[sid] = f
        }
        let steps = figures.values.sorted { (stepPos[$0.stepID] ?? 0) < (stepPos[$1.stepID] ?? 0) }
        return CaseAnalysis(
            compliant: compliant, fitness: fitness, deviations: deviations, steps: steps, outsideSOP: outside,
            leadSeconds: first.flatMap { f in last.map { $0 - f } }, firstAt: first, lastAt: last,
            path: key, repeatedOccurrences: repeated, reworkSeconds: rework, pathStandardSeconds: pathStandard)
    }
}

extension SOPDocument {
    /// The standard time of the whole service: the largest sum of step time standards along a
    /// path from the start step to an end step, taking each loop at most once through (back arcs
    /// are ignored). Nil when no step has a time standard.
    public var totalTimeStandard: Double? {
        guard let start = startStep, steps.contains(where: { $0.standard.time != nil }) else { return nil }
        var best: [String: Double] = [:]
        var onStack = Set<String>()
        func longest(_ id: String) -> Double {
            if let b = best[id] { return b }
            guard let s = step(id: id) else { return 0 }
            onStack.insert(id)
            var tail = 0.0
            for (target, _) in successors(of: s) where !onStack.contains(target) {
                tail = max(tail, longest(target))
            }
            onStack.remove(id)
            let v = (s.standard.time?.seconds ?? 0) + tail
            best[id] = v
            return v
        }
        return longest(start.id)
    }
}
