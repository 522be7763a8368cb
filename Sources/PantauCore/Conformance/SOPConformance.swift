import Foundation

/// One case to check against an SOP: its id, optional organisational unit, and the activity
/// names of its events in order.
public struct SOPCaseTrace: Sendable, Hashable, Codable {
    public var caseID: String
    public var unit: String?
    public var activities: [String]
    public init(caseID: String, unit: String? = nil, activities: [String]) {
        self.caseID = caseID
        self.unit = unit
        self.activities = activities
    }
}

/// Deviations from an SOP, found with alignments on the SOP's compiled net (``SOPNet``).
///
/// Event activities are mapped to steps with ``SOPDocument/stepIndexByLogName()`` (activity or
/// any log name, case-insensitive, trimmed). Each case's optimal alignment is then summarised per
/// step S — `syncs` (sync moves on S), `logs` (log moves of S's activity), `models` (model moves
/// on S's transition), `pairs = min(logs, models)` — and classified without depending on how the
/// alignment orders equally cheap moves:
/// - **out of order**: `pairs` deviations — the step was done, but not where the SOP puts it
///   (a log move of S and a model move of S in the same alignment);
/// - **repeated** (rework): every execution after the first: syncs after the first one (even
///   when the SOP's loop allows them), and the unpaired log moves of S when S also occurred by a
///   sync or an out-of-order execution (or an earlier unpaired log move);
/// - **unexpected**: a log move of an activity that maps to no step (``Deviation/inSOP`` false),
///   or the first unpaired log move of a step that has no sync and no pair (the step was done
///   although the SOP's path did not call for it);
/// - **skipped**: `models − pairs` — the SOP needed the step, the case did not do it.
/// Silent moves are ignored.
///
/// A case *reaches* a step when its alignment has any move on that step (done or required).
/// Step compliance rate = cases reaching the step with no deviation on it / cases reaching it.
/// A case is compliant when its alignment has no log or visible model move (alignment fitness 1).
/// Counts are summed per step, per actor (the step's ``SOPStep/actor``; unexpected activities
/// outside the SOP have no actor) and per unit (cases with a unit).
///
/// - Complexity: one alignment per distinct trace (see ``Alignments``) plus O(Σ len) to classify.
public struct SOPConformance: Sendable {
    public struct Options: Sendable, Hashable, Codable {
        public var alignment: Alignments.Options
        /// Include the per-case results in the report (false for very large logs).
        public var includeCases: Bool
        public init(alignment: Alignments.Options = Alignments.Options(), includeCases: Bool = true) {
            self.alignment = alignment
            self.includeCases = includeCases
        }
    }

    public var options: Options
    public init(options: Options = Options()) { self.options = options }

    /// Checks the cases against the SOP.
    /// - Throws: ``ProcessModelError/invalidSOP(reason:)`` when the SOP cannot be compiled,
    ///   ``ConformanceError`` from the alignments.
    public func check(_ cases: [SOPCaseTrace], against doc: SOPDocument,
                      progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> SOPConformanceReport {
        try check(cases, against: doc, net: SOPNet(compiling: doc), progress: progress)
    }

    /// As ``check(_:against:progress:)`` with the SOP's net compiled once by the caller (for
    /// checking one case at a time, see ``SOPCaseAnalyzer``).
    public func check(_ cases: [SOPCaseTrace], against doc: SOPDocument, net sopNet: SOPNet,
                      progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> SOPConformanceReport {
        let byLogName = doc.stepIndexByLogName()
        var names: [String] = []
        var nameIndex: [String: Int32] = [:]
        var variantIndex: [[Int32]: Int32] = [:]
        var variants: [TraceVariants.Variant] = []
        var caseVariant: [Int32] = []
        caseVariant.reserveCapacity(cases.count)
        for c in cases {
            let seq: [Int32] = c.activities.map { a in
                var label = a
                if let sid = byLogName[SOPDocument.normalizeLogName(a)], let s = doc.step(id: sid) { label = s.activity }
                if let i = nameIndex[label] { return i }
                let i = Int32(names.count)
                names.append(label)
                nameIndex[label] = i
                return i
            }
            if let v = variantIndex[seq] {
                variants[Int(v)].count += 1
                caseVariant.append(v)
            } else {
                let v = Int32(variants.count)
                variantIndex[seq] = v
                variants.append(.init(activities: seq, count: 1))
                caseVariant.append(v)
            }
        }
        return try assemble(TraceVariants(activities: names, variants: variants), caseVariant: caseVariant,
                            caseIDs: cases.map(\.caseID), units: cases.map(\.unit), doc: doc, sopNet: sopNet,
                            progress: progress)
    }

    /// Checks every case of an event log against the SOP. A case's unit is the unit of its first
    /// event that has one.
    /// - Throws: as ``check(_:against:progress:)``.
    public func check(_ log: EventLog, against doc: SOPDocument,
                      progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> SOPConformanceReport {
        let byLogName = doc.stepIndexByLogName()
        let names = log.activities.map { a -> String in
            if let sid = byLogName[SOPDocument.normalizeLogName(a)], let s = doc.step(id: sid) { return s.activity }
            return a
        }
        var caseVariant = Array(repeating: Int32(0), count: log.caseCount)
        var variants: [TraceVariants.Variant] = []
        for (i, v) in log.variants().enumerated() {
            variants.append(.init(activities: v.activities, count: v.count))
            for c in v.cases { caseVariant[Int(c)] = Int32(i) }
        }
        var units: [String?] = []
        units.reserveCapacity(log.caseCount)
        for c in 0..<log.caseCount {
            units.append(log.events(ofCase: c).lazy.compactMap { log.unit(ofEvent: $0) }.first)
        }
        return try assemble(TraceVariants(activities: names, variants: variants), caseVariant: caseVariant,
                            caseIDs: log.caseIDs, units: units, doc: doc, sopNet: SOPNet(compiling: doc),
                            progress: progress)
    }

    private func assemble(_ log: TraceVariants, caseVariant: [Int32], caseIDs: [String], units: [String?],
                          doc: SOPDocument, sopNet: SOPNet,
                          progress: (@Sendable (Int, Int) -> Void)?) throws -> SOPConformanceReport {
        var alignOptions = options.alignment
        alignOptions.keepMoves = true
        let report = try Alignments(options: alignOptions).align(log, to: sopNet.net, progress: progress)

        // Classify each variant once.
        let stepIDs = doc.steps.map(\.id)
        let stepPos = Dictionary(stepIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let activityToStep: [String: String] = {
            var m: [String: String] = [:]
            for s in doc.steps where m[s.activity] == nil { m[s.activity] = s.id }
            return m
        }()
        struct VariantDeviations {
            var deviations: [Deviation]
            var reached: Set<String>
        }
        var perVariant: [VariantDeviations] = []
        for va in report.variants {
            var devs: [Deviation] = []
            var reached = Set<String>()
            var syncEvents: [String: [Int?]] = [:]   // step → event indices of its sync moves
            var logEvents: [String: [Int?]] = [:]    // step → event indices of its log moves
            var modelMoves: [String: Int] = [:]
            for mv in va.moves {
                switch mv.kind {
                case .silent:
                    continue
                case .sync:
                    guard let t = mv.transition, let sid = sopNet.stepOfTransition[t] else { continue }
                    syncEvents[sid, default: []].append(mv.eventIndex)
                case .log:
                    let name = mv.activity ?? ""
                    guard let sid = activityToStep[name] else {
                        devs.append(Deviation(kind: .unexpected, stepID: nil, activity: name, eventIndex: mv.eventIndex, inSOP: false))
                        continue
                    }
                    logEvents[sid, default: []].append(mv.eventIndex)
                case .model:
                    guard let t = mv.transition, let sid = sopNet.stepOfTransition[t] else { continue }
                    modelMoves[sid, default: 0] += 1
                }
            }
            let touched = Set(syncEvents.keys).union(logEvents.keys).union(modelMoves.keys)
            for sid in touched.sorted(by: { stepPos[$0, default: 0] < stepPos[$1, default: 0] }) {
                reached.insert(sid)
                let syncs = syncEvents[sid] ?? []
                let logs = logEvents[sid] ?? []
                let models = modelMoves[sid] ?? 0
                let pairs = min(logs.count, models)
                let activity = doc.step(id: sid)?.activity ?? sid
                func add(_ kind: Deviation.Kind, _ e: Int?) {
                    devs.append(Deviation(kind: kind, stepID: sid, activity: activity, eventIndex: e, inSOP: true))
                }
                // Executions after the first are rework: later syncs, and log moves once the step
                // occurred (by a sync or by an out-of-order execution).
                for e in syncs.dropFirst() { add(.repeated, e) }
                for (k, e) in logs.enumerated() {
                    if k < pairs { add(.outOfOrder, e) }
                    else if !syncs.isEmpty || pairs > 0 || k > 0 { add(.repeated, e) }
                    else { add(.unexpected, e) }
                }
                for _ in 0..<max(0, models - pairs) { add(.skipped, nil) }
            }
            perVariant.append(VariantDeviations(deviations: devs, reached: reached))
        }

        // Aggregate over cases.
        var stepDev: [String: DeviationCounts] = [:]
        var stepReach: [String: Int] = [:]
        var stepCompliant: [String: Int] = [:]
        var actorDev: [String: DeviationCounts] = [:]
        var unitDev: [String: DeviationCounts] = [:]
        var unitCases: [String: Int] = [:]
        var unitCompliant: [String: Int] = [:]
        var outside: [String: Int] = [:]
        var compliantCases = 0
        var caseResults: [CaseConformance] = []
        if options.includeCases { caseResults.reserveCapacity(caseVariant.count) }
        // Per variant pre-aggregation, then multiply by case counts per unit.
        var variantStepDev: [[String: DeviationCounts]] = []
        for pv in perVariant {
            var d: [String: DeviationCounts] = [:]
            for dv in pv.deviations { if let s = dv.stepID { d[s, default: DeviationCounts()].add(dv.kind) } }
            variantStepDev.append(d)
        }
        var variantCases = Array(repeating: 0, count: perVariant.count)
        for ci in caseVariant.indices {
            let v = Int(caseVariant[ci])
            variantCases[v] += 1
            let va = report.variants[v]
            let fitting = va.cost.map { $0 < AlignmentCosts.logMove } ?? false
            if fitting { compliantCases += 1 }
            if let u = units[ci] {
                unitCases[u, default: 0] += 1
                if fitting { unitCompliant[u, default: 0] += 1 }
                if !perVariant[v].deviations.isEmpty {
                    var counts = unitDev[u] ?? DeviationCounts()
                    for dv in perVariant[v].deviations { counts.add(dv.kind) }
                    unitDev[u] = counts
                }
            }
            if options.includeCases {
                caseResults.append(CaseConformance(caseID: caseIDs[ci], unit: units[ci], compliant: fitting,
                                                   alignmentCost: va.cost, fitness: va.fitness,
                                                   deviations: perVariant[v].deviations))
            }
        }
        for (v, pv) in perVariant.enumerated() where variantCases[v] > 0 {
            let n = variantCases[v]
            for sid in pv.reached {
                stepReach[sid, default: 0] += n
                if variantStepDev[v][sid] == nil { stepCompliant[sid, default: 0] += n }
            }
            for (sid, d) in variantStepDev[v] { stepDev[sid, default: DeviationCounts()].add(d, times: n) }
            for dv in pv.deviations where dv.stepID == nil { outside[dv.activity, default: 0] += n }
        }
        for s in doc.steps {
            if let d = stepDev[s.id] { actorDev[s.actor, default: DeviationCounts()].add(d, times: 1) }
        }
        let steps = doc.steps.map { s -> StepConformance in
            let reach = stepReach[s.id] ?? 0
            let ok = stepCompliant[s.id] ?? 0
            return StepConformance(stepID: s.id, activity: s.activity, actor: s.actor,
                                   deviations: stepDev[s.id] ?? DeviationCounts(),
                                   casesReaching: reach, compliantCases: ok,
                                   complianceRate: reach > 0 ? Double(ok) / Double(reach) : nil)
        }
        var unexpectedOutside = DeviationCounts()
        unexpectedOutside.unexpected = outside.values.reduce(0, +)
        return SOPConformanceReport(
            cases: caseVariant.count, compliantCases: compliantCases,
            caseComplianceRate: caseVariant.isEmpty ? nil : Double(compliantCases) / Double(caseVariant.count),
            alignmentLogFitness: report.logFitness, averageTraceFitness: report.averageTraceFitness,
            unalignedCases: report.unalignedTraces,
            steps: steps,
            actors: actorDev.keys.sorted().map { GroupConformance(key: $0, cases: nil, compliantCases: nil, deviations: actorDev[$0] ?? DeviationCounts()) },
            units: unitCases.keys.sorted().map { GroupConformance(key: $0, cases: unitCases[$0], compliantCases: unitCompliant[$0] ?? 0, deviations: unitDev[$0] ?? DeviationCounts()) },
            activitiesOutsideSOP: outside,
            caseResults: caseResults)
    }
}

/// A deviation of one case from the SOP.
public struct Deviation: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case skipped, unexpected, repeated, outOfOrder
    }
    public var kind: Kind
    /// The step concerned (nil for an activity that is not in the SOP).
    public var stepID: String?
    /// The step's activity, or the log's activity name when it is not in the SOP.
    public var activity: String
    /// Index of the event in the case (nil for skipped steps).
    public var eventIndex: Int?
    /// False when the activity maps to no SOP step.
    public var inSOP: Bool
}

/// Numbers of deviations by kind.
public struct DeviationCounts: Sendable, Hashable, Codable {
    public var skipped = 0
    public var unexpected = 0
    public var repeated = 0
    public var outOfOrder = 0
    public var total: Int { skipped + unexpected + repeated + outOfOrder }
    public init() {}
    mutating func add(_ k: Deviation.Kind) {
        switch k {
        case .skipped: skipped += 1
        case .unexpected: unexpected += 1
        case .repeated: repeated += 1
        case .outOfOrder: outOfOrder += 1
        }
    }
    mutating func add(_ o: DeviationCounts, times n: Int) {
        skipped += o.skipped * n
        unexpected += o.unexpected * n
        repeated += o.repeated * n
        outOfOrder += o.outOfOrder * n
    }
}

/// Conformance of one SOP step over all cases.
public struct StepConformance: Sendable, Hashable, Codable {
    public var stepID: String
    public var activity: String
    public var actor: String
    public var deviations: DeviationCounts
    /// Cases whose alignment has a move on this step (done or required).
    public var casesReaching: Int
    /// Of those, cases without a deviation on this step.
    public var compliantCases: Int
    /// compliantCases / casesReaching (nil when no case reaches the step).
    public var complianceRate: Double?
}

/// Deviations summed per actor or per unit.
public struct GroupConformance: Sendable, Hashable, Codable {
    public var key: String
    /// Cases of the unit (nil for actors).
    public var cases: Int?
    /// Compliant cases of the unit (nil for actors).
    public var compliantCases: Int?
    public var deviations: DeviationCounts
}

/// The result for one case.
public struct CaseConformance: Sendable, Hashable, Codable {
    public var caseID: String
    public var unit: String?
    /// No log move and no visible model move.
    public var compliant: Bool
    public var alignmentCost: Int?
    public var fitness: Double?
    public var deviations: [Deviation]
}

/// Deviations of a set of cases from an SOP.
public struct SOPConformanceReport: Sendable, Hashable, Codable {
    public var cases: Int
    public var compliantCases: Int
    /// compliantCases / cases (nil without cases).
    public var caseComplianceRate: Double?
    public var alignmentLogFitness: Double
    public var averageTraceFitness: Double
    /// Cases whose alignment hit the state bound (no deviations are reported for them).
    public var unalignedCases: Int
    /// Per step, in SOP table order.
    public var steps: [StepConformance]
    /// Per actor id (sorted).
    public var actors: [GroupConformance]
    /// Per unit (sorted; only cases with a unit).
    public var units: [GroupConformance]
    /// Activities that map to no step → number of log moves.
    public var activitiesOutsideSOP: [String: Int]
    /// Per case (empty when ``SOPConformance/Options/includeCases`` is false).
    public var caseResults: [CaseConformance]
}
