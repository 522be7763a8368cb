import Foundation

/// Performance of a log in the terms of an SOP: per step, the time taken against the step's time
/// standard (mutu baku "waktu"), rework, bottlenecks, and aggregates per resource and unit.
///
/// **Mapping.** An event belongs to the step whose ``SOPStep/allLogNames`` contains its activity
/// (``SOPDocument/stepIndexByLogName()``: case and surrounding spaces ignored). Other activities
/// are reported in ``SOPPerformanceReport/unmappedActivities`` and otherwise ignored (they still
/// count as "previous event" for time measures).
///
/// **Time of an occurrence** (``Measure``), for an event e of a case in log order:
/// - service time: `complete(e) − start(e)`; events without start time have no measure;
/// - time since previous event: `complete(e) − complete(previous event of the case)`; the
///   case's first event has no measure. This includes the wait before the step: the best
///   proxy when a log has only completion times.
/// ``Measure/automatic`` takes the service time when the log has start times, else the time
/// since the previous event.
///
/// **Per step** (``StepPerformance``): occurrences, cases; statistics of the time
/// (mean, p50, p90, p95; percentiles by linear interpolation, see ``DurationStatistics``); with a
/// standard: occurrences within it (time ≤ standard) and their share of the measured ones, and the
/// excess `Σ max(0, time − standard)`; where the log has start times: service time
/// `complete − start` and waiting time `start(e) − complete(previous event of the case)`.
///
/// **Rework** (``StepRework``): a case repeats a step when it has two or more occurrences of it.
/// The 2nd and later occurrences are the repetitions; their time (by the measure above, summed)
/// is the rework time. Its share of case time is rework time / Σ case time of the cases that
/// repeat the step, where case time is the span from the earliest to the latest timestamp of the
/// case (start times included). The log-level share divides all rework time by the time of all cases.
///
/// **Bottlenecks** rank the steps by ``BottleneckCriterion`` (descending; ties by table order):
/// total excess over the standard (default; steps without a standard are not ranked), total
/// waiting time (logs with start times), or mean time.
///
/// **Resources and units**: the same measures grouped by the event's resource (`org:resource`)
/// or unit, for mapped events, with a per-step breakdown.
///
/// - Complexity: O(E + D log D) for E events and D measured occurrences.
public struct SOPPerformance: Sendable {
    /// Which time of an occurrence is compared with the standard.
    public enum Measure: String, Hashable, Sendable, Codable {
        case automatic
        case serviceTime
        case sincePreviousEvent
    }

    /// How bottleneck steps are ranked.
    public enum BottleneckCriterion: String, Hashable, Sendable, Codable {
        /// Total time beyond the standard, Σ max(0, time − standard).
        case excessOverStandard
        /// Total waiting time before the step (needs start times).
        case waitingTime
        /// Mean time of an occurrence.
        case meanTime
    }

    public struct Options: Hashable, Sendable, Codable {
        public var measure: Measure
        public var bottleneckCriterion: BottleneckCriterion
        /// How many bottleneck steps the report lists.
        public var bottleneckCount: Int

        public init(measure: Measure = .automatic, bottleneckCriterion: BottleneckCriterion = .excessOverStandard,
                    bottleneckCount: Int = 5) {
            self.measure = measure
            self.bottleneckCriterion = bottleneckCriterion
            self.bottleneckCount = bottleneckCount
        }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    /// The measure `options.measure` resolves to for `log`.
    public func resolvedMeasure(for log: EventLog) -> Measure {
        switch options.measure {
        case .automatic: return log.hasStartTimestamps ? .serviceTime : .sincePreviousEvent
        default: return options.measure
        }
    }

    // Accumulators for one step or one (group, step) pair.
    private struct Acc {
        var occurrences = 0
        var cases = 0
        var lastCase = -1
        var times: [Double] = []
        var within = 0
        var excess = 0.0
        var service: [Double] = []
        var waiting: [Double] = []

        mutating func add(case c: Int, time: Double?, standard: Double?) {
            occurrences += 1
            if lastCase != c { cases += 1; lastCase = c }
            if let t = time {
                times.append(t)
                if let s = standard {
                    if t <= s { within += 1 } else { excess += t - s }
                }
            }
        }
    }

    public func analyze(_ log: EventLog, against doc: SOPDocument) -> SOPPerformanceReport {
        let measure = resolvedMeasure(for: log)
        let steps = doc.steps
        var stepPos: [String: Int] = [:]
        for (i, s) in steps.enumerated() where stepPos[s.id] == nil { stepPos[s.id] = i }
        let byName = doc.stepIndexByLogName()
        // activity id -> step index (-1 unmapped)
        let actStep: [Int] = log.activities.map { a in
            byName[SOPDocument.normalizeLogName(a)].flatMap { stepPos[$0] } ?? -1
        }
        let standard: [Double?] = steps.map { $0.standard.time?.seconds }
        let nSteps = steps.count
        var acc = [Acc](repeating: Acc(), count: nSteps)
        // rework
        var inCase = [Int](repeating: 0, count: nSteps)
        var touched: [Int] = []
        var casesRepeating = [Int](repeating: 0, count: nSteps)
        var repeatedOccurrences = [Int](repeating: 0, count: nSteps)
        var repeatSeconds = [Double](repeating: 0, count: nSteps)
        var repeatCaseTime = [Double](repeating: 0, count: nSteps)
        var totalRework = 0.0
        var casesWithRework = 0
        // groups
        var resAcc: [Int: Acc] = [:], resStep: [Int: [Int: Acc]] = [:], resEvents: [Int: Int] = [:]
        var unitAcc: [Int: Acc] = [:], unitStep: [Int: [Int: Acc]] = [:], unitEvents: [Int: Int] = [:]
        // unmapped
        var unmappedEvents = [Int](repeating: 0, count: log.activityCount)
        var unmappedCases = [Int](repeating: 0, count: log.activityCount)
        var unmappedLast = [Int](repeating: -1, count: log.activityCount)
        var mappedEvents = 0
        var caseSpans: [Double] = []
        let spans = CaseDurations(options: .init(measure: .span)).durations(of: log)
        let t = log.completeTimes
        let st = log.startTimes
        let hasStart = log.hasStartTimestamps
        let act = log.eventActivity
        for c in 0..<log.caseCount {
            let r = log.events(ofCase: c)
            let caseTime = spans[c]
            if let caseTime { caseSpans.append(caseTime) }
            var caseRework = false
            for e in r {
                let a = Int(act[e])
                let s = actStep[a]
                guard s >= 0 else {
                    unmappedEvents[a] += 1
                    if unmappedLast[a] != c { unmappedCases[a] += 1; unmappedLast[a] = c }
                    continue
                }
                mappedEvents += 1
                var time: Double? = nil
                switch measure {
                case .serviceTime, .automatic:
                    if hasStart { let d = t[e] - st[e]; if !d.isNaN { time = d } }
                case .sincePreviousEvent:
                    if e > r.lowerBound { let d = t[e] - t[e - 1]; if !d.isNaN { time = d } }
                }
                acc[s].add(case: c, time: time, standard: standard[s])
                if hasStart {
                    let d = t[e] - st[e]
                    if !d.isNaN { acc[s].service.append(d) }
                    if e > r.lowerBound {
                        let w = st[e] - t[e - 1]
                        if !w.isNaN { acc[s].waiting.append(w) }
                    }
                }
                if inCase[s] == 0 { touched.append(s) }
                inCase[s] += 1
                if inCase[s] > 1 {
                    repeatedOccurrences[s] += 1
                    if let time { repeatSeconds[s] += time; totalRework += time }
                    caseRework = true
                }
                if !log.eventResource.isEmpty {
                    let g = Int(log.eventResource[e])
                    if g >= 0 {
                        resEvents[g, default: 0] += 1
                        resAcc[g, default: Acc()].add(case: c, time: time, standard: standard[s])
                        resStep[g, default: [:]][s, default: Acc()].add(case: c, time: time, standard: standard[s])
                    }
                }
                if !log.eventUnit.isEmpty {
                    let g = Int(log.eventUnit[e])
                    if g >= 0 {
                        unitEvents[g, default: 0] += 1
                        unitAcc[g, default: Acc()].add(case: c, time: time, standard: standard[s])
                        unitStep[g, default: [:]][s, default: Acc()].add(case: c, time: time, standard: standard[s])
                    }
                }
            }
            for s in touched {
                if inCase[s] > 1 {
                    casesRepeating[s] += 1
                    repeatCaseTime[s] += caseTime ?? 0
                }
                inCase[s] = 0
            }
            touched.removeAll(keepingCapacity: true)
            if caseRework { casesWithRework += 1 }
        }

        func within(_ a: Acc, _ std: Bool) -> (Int?, Double?) {
            guard std else { return (nil, nil) }
            return (a.within, a.times.isEmpty ? nil : Double(a.within) / Double(a.times.count))
        }

        var stepResults: [StepPerformance] = []
        for (i, step) in steps.enumerated() {
            let a = acc[i]
            let std = standard[i]
            let (w, ws) = within(a, std != nil)
            let rework = StepRework(
                casesRepeating: casesRepeating[i],
                shareOfCasesWithStep: a.cases > 0 ? Double(casesRepeating[i]) / Double(a.cases) : 0,
                repeatedOccurrences: repeatedOccurrences[i],
                reworkSeconds: repeatSeconds[i],
                shareOfCaseTime: repeatCaseTime[i] > 0 ? repeatSeconds[i] / repeatCaseTime[i] : nil)
            stepResults.append(StepPerformance(
                stepID: step.id, activity: step.activity, actor: step.actor, standardSeconds: std,
                occurrences: a.occurrences, cases: a.cases, time: DurationStatistics(a.times),
                measuredOccurrences: a.times.count, withinStandard: w, withinStandardShare: ws,
                exceedingStandard: std == nil ? nil : a.times.count - a.within,
                excessSeconds: std == nil ? nil : a.excess,
                serviceTime: hasStart ? DurationStatistics(a.service) : nil,
                waitingTime: hasStart ? DurationStatistics(a.waiting) : nil,
                rework: rework))
        }

        // bottlenecks
        var ranked: [(Int, Double)] = []
        for (i, s) in stepResults.enumerated() {
            switch options.bottleneckCriterion {
            case .excessOverStandard:
                if let x = s.excessSeconds, s.measuredOccurrences > 0 { ranked.append((i, x)) }
            case .waitingTime:
                if let wt = s.waitingTime { ranked.append((i, wt.sum)) }
            case .meanTime:
                if let m = s.time { ranked.append((i, m.mean)) }
            }
        }
        ranked.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        let bottlenecks = ranked.prefix(max(0, options.bottleneckCount)).enumerated().map { k, p in
            SOPBottleneck(rank: k + 1, stepID: stepResults[p.0].stepID, activity: stepResults[p.0].activity,
                          criterion: options.bottleneckCriterion, value: p.1)
        }

        func groups(_ accs: [Int: Acc], _ perStep: [Int: [Int: Acc]], _ events: [Int: Int],
                    _ names: [String]) -> [GroupPerformance] {
            var out: [GroupPerformance] = []
            for (g, a) in accs {
                var breakdown: [GroupPerformance.Step] = []
                for (s, sa) in (perStep[g] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    let ws = within(sa, standard[s] != nil).1
                    breakdown.append(.init(stepID: steps[s].id, occurrences: sa.occurrences,
                                           time: DurationStatistics(sa.times), withinStandardShare: ws,
                                           excessSeconds: standard[s] == nil ? nil : sa.excess))
                }
                let measuredWithStandard = (perStep[g] ?? [:]).reduce(0) { $0 + (standard[$1.key] != nil ? $1.value.times.count : 0) }
                out.append(GroupPerformance(
                    name: names[g], events: events[g] ?? 0, cases: a.cases, time: DurationStatistics(a.times),
                    withinStandard: a.within,
                    withinStandardShare: measuredWithStandard > 0 ? Double(a.within) / Double(measuredWithStandard) : nil,
                    excessSeconds: a.excess, steps: breakdown))
            }
            out.sort { $0.events != $1.events ? $0.events > $1.events : $0.name < $1.name }
            return out
        }

        var unmapped: [UnmappedActivity] = []
        for a in 0..<log.activityCount where unmappedEvents[a] > 0 {
            unmapped.append(UnmappedActivity(name: log.activities[a], events: unmappedEvents[a], cases: unmappedCases[a]))
        }
        unmapped.sort { $0.events != $1.events ? $0.events > $1.events : $0.name < $1.name }
        let totalCaseTime = caseSpans.reduce(0, +)
        return SOPPerformanceReport(
            sopNumber: doc.identity.number, sopTitle: doc.identity.title, measure: measure,
            cases: log.caseCount, events: log.eventCount, mappedEvents: mappedEvents,
            unmappedActivities: unmapped, caseTime: DurationStatistics(caseSpans), steps: stepResults,
            bottleneckCriterion: options.bottleneckCriterion, bottlenecks: Array(bottlenecks),
            casesWithRework: casesWithRework,
            casesWithReworkShare: log.caseCount > 0 ? Double(casesWithRework) / Double(log.caseCount) : 0,
            reworkSeconds: totalRework,
            reworkShareOfCaseTime: totalCaseTime > 0 ? totalRework / totalCaseTime : nil,
            resources: groups(resAcc, resStep, resEvents, log.resources),
            units: groups(unitAcc, unitStep, unitEvents, log.units))
    }
}

/// Rework of one SOP step (see ``SOPPerformance``).
public struct StepRework: Hashable, Sendable, Codable {
    /// Cases with two or more occurrences of the step.
    public var casesRepeating: Int
    /// casesRepeating / cases with the step.
    public var shareOfCasesWithStep: Double
    /// Occurrences after a case's first one, summed over cases.
    public var repeatedOccurrences: Int
    /// Total time of the repeated occurrences (by the report's measure).
    public var reworkSeconds: Double
    /// reworkSeconds / total case time of the repeating cases; nil when that time is 0.
    public var shareOfCaseTime: Double?
}

/// One SOP step's performance (see ``SOPPerformance`` for every definition).
public struct StepPerformance: Hashable, Sendable, Codable {
    public var stepID: String
    public var activity: String
    /// The SOP actor (pelaksana) id.
    public var actor: String
    /// The step's time standard, seconds; nil when the SOP gives none.
    public var standardSeconds: Double?
    /// Events mapped to the step.
    public var occurrences: Int
    /// Cases with at least one occurrence.
    public var cases: Int
    /// Statistics of the measured time (mean, median/p50, p90, p95, ...); nil when none measured.
    public var time: DurationStatistics?
    /// Occurrences that have a measured time.
    public var measuredOccurrences: Int
    /// Measured occurrences with time ≤ standard; nil without a standard.
    public var withinStandard: Int?
    /// withinStandard / measuredOccurrences; nil without a standard or measurements.
    public var withinStandardShare: Double?
    /// Measured occurrences with time > standard; nil without a standard.
    public var exceedingStandard: Int?
    /// Σ max(0, time − standard) in seconds; nil without a standard.
    public var excessSeconds: Double?
    /// complete − start; nil when the log has no start times.
    public var serviceTime: DurationStatistics?
    /// start − completion of the previous event of the case; nil when the log has no start times.
    public var waitingTime: DurationStatistics?
    public var rework: StepRework
}

/// A ranked bottleneck step.
public struct SOPBottleneck: Hashable, Sendable, Codable {
    /// 1 = worst.
    public var rank: Int
    public var stepID: String
    public var activity: String
    public var criterion: SOPPerformance.BottleneckCriterion
    /// The criterion's value in seconds (total excess, total waiting, or mean time).
    public var value: Double
}

/// An activity of the log that no SOP step names.
public struct UnmappedActivity: Hashable, Sendable, Codable {
    public var name: String
    public var events: Int
    public var cases: Int
}

/// Performance of one resource or unit over the mapped events it handled.
public struct GroupPerformance: Hashable, Sendable, Codable {
    public struct Step: Hashable, Sendable, Codable {
        public var stepID: String
        public var occurrences: Int
        public var time: DurationStatistics?
        public var withinStandardShare: Double?
        public var excessSeconds: Double?
    }

    public var name: String
    public var events: Int
    public var cases: Int
    public var time: DurationStatistics?
    /// Measured occurrences within their step's standard.
    public var withinStandard: Int
    /// withinStandard / measured occurrences of steps that have a standard; nil when none.
    public var withinStandardShare: Double?
    /// Σ max(0, time − standard) over its occurrences.
    public var excessSeconds: Double
    /// Per-step breakdown, in SOP table order.
    public var steps: [Step]
}

/// The result of ``SOPPerformance``; plain data for JSON/HTML reports and storage.
public struct SOPPerformanceReport: Hashable, Sendable, Codable {
    public var sopNumber: String
    public var sopTitle: String
    /// The measure used (never `.automatic`).
    public var measure: SOPPerformance.Measure
    public var cases: Int
    public var events: Int
    /// Events mapped to a step.
    public var mappedEvents: Int
    /// Activities no step names, most events first.
    public var unmappedActivities: [UnmappedActivity]
    /// Case time: span from the earliest to the latest timestamp of each case.
    public var caseTime: DurationStatistics?
    /// One entry per SOP step, in table order (steps never seen have 0 occurrences).
    public var steps: [StepPerformance]
    public var bottleneckCriterion: SOPPerformance.BottleneckCriterion
    public var bottlenecks: [SOPBottleneck]
    /// Cases that repeat at least one step.
    public var casesWithRework: Int
    public var casesWithReworkShare: Double
    /// Total time of all repeated occurrences.
    public var reworkSeconds: Double
    /// reworkSeconds / total case time; nil when that is 0.
    public var reworkShareOfCaseTime: Double?
    /// Per resource (`org:resource`), most events first; empty when the log has none.
    public var resources: [GroupPerformance]
    /// Per unit, most events first; empty when the log has none.
    public var units: [GroupPerformance]

    public func step(_ id: String) -> StepPerformance? { steps.first { $0.stepID == id } }
}
