import Foundation
import PantauCore
import PantauStore

/// The monitoring figures of one SOP in SOP terms: what the monitoring page shows and
/// `GET /api/v1/sops/{id}/monitoring` answers (snake_case keys). Built from the stored case
/// results (``MonitoringFigures``) and the SOP version in force, by ``build``, a pure function.
struct MonitoringReport: Codable, Sendable {
    struct Step: Codable, Sendable {
        var id: String
        var number: Int
        var activity: String
        var actor: String
        var recorded: Bool
        var standard_seconds: Double?
        /// Cases with an event of the step or a deviation on it.
        var cases: Int
        var occurrences: Int
        var mean_seconds: Double?
        var within_standard: Int
        var measured: Int
        var within_standard_share: Double?
        var mean_waiting_seconds: Double?
        var excess_seconds: Double
        var rework_seconds: Double
        var skipped: Int
        var unexpected: Int
        var repeated: Int
        var out_of_order: Int
        /// Mean time over the standard.
        var over_standard: Bool
        /// Recorded per the SOP, yet no event of it in any case: probably not recorded at all.
        var never_seen: Bool
    }
    struct Outside: Codable, Sendable {
        var activity: String
        var cases: Int
        var events: Int
    }
    struct DeviationLine: Codable, Sendable {
        /// skipped, repeated, out_of_order, unexpected.
        var kind: String
        var step_id: String?
        var step_number: Int?
        var activity: String
        var cases: Int
        var share: Double
        var text: String
    }
    struct Variant: Codable, Sendable {
        var cases: Int
        var share: Double
        var compliant: Bool
        var path: [String]
        var labels: [String]
    }
    struct Arc: Codable, Sendable {
        var source: String
        var target: String
        var count: Int
        var mean_seconds: Double?
    }
    struct CaseRow: Codable, Sendable {
        var id: Int64
        var reference: String
        var unit: String
        var status: String
        var opened_at: Date?
        var age_seconds: Double?
        var standard_seconds: Double?
        var compliant: Bool?
    }
    struct UnitRow: Codable, Sendable {
        var unit_id: Int64
        var unit: String
        var cases: Int
        var compliance: Double?
        var median_lead_seconds: Double?
        var within_standard_share: Double?
    }

    var sop_id: Int64
    var sop_number: String
    var sop_title: String
    /// The version whose steps label the figures (in force, else the latest).
    var version: Int
    var from: String?
    var to: String?
    var unit_id: Int64?
    var cases: Int
    var closed_cases: Int
    var open_cases: Int
    var compliant_cases: Int
    var compliance: Double?
    var median_lead_seconds: Double?
    var p90_lead_seconds: Double?
    var total_standard_seconds: Double?
    var within_total_standard_share: Double?
    var rework_cases: Int
    var rework_share: Double?
    var steps: [Step]
    var outside_sop: [Outside]
    var deviations: [DeviationLine]
    var bottleneck: DeviationLine?
    var variants: [Variant]
    var variant_count: Int
    var arcs: [Arc]
    var overdue_cases: [CaseRow]
    var units: [UnitRow]
    var last_event_at: Date?

    /// The report (pure). `document` gives step numbers, names, actors and standards; `settings`
    /// the steps marked not recorded; `unitName` names units.
    static func build(sop: SOPRecord, version: Int, document doc: SOPDocument, settings: SOPMonitoringSettings,
                      figures m: MonitoringFigures, filter: MonitoringFilter, from: CivilDate?, to: CivilDate?,
                      now: Date, unitName: (Int64) -> String, t: Strings) -> MonitoringReport {
        let byKey = Dictionary(m.steps.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        func share(_ a: Int, _ b: Int) -> Double? { b > 0 ? Double(a) / Double(b) : nil }
        let steps: [Step] = doc.steps.enumerated().map { i, s in
            let x = byKey[s.id]
            let recorded = s.recorded && !settings.notRecorded.contains(s.id)
            let std = s.standard.time?.seconds
            let mean = x.flatMap { $0.measured > 0 ? $0.seconds / Double($0.measured) : nil }
            return Step(
                id: s.id, number: i + 1, activity: s.activity, actor: doc.actor(id: s.actor)?.name ?? s.actor, recorded: recorded,
                standard_seconds: std, cases: x?.cases ?? 0, occurrences: x?.occurrences ?? 0, mean_seconds: mean,
                within_standard: x?.withinStandard ?? 0, measured: x?.measured ?? 0,
                within_standard_share: std == nil ? nil : share(x?.withinStandard ?? 0, x?.measured ?? 0),
                mean_waiting_seconds: x.flatMap { $0.waited > 0 ? $0.waitingSeconds / Double($0.waited) : nil },
                excess_seconds: x?.excessSeconds ?? 0, rework_seconds: x?.reworkSeconds ?? 0,
                skipped: x?.deviations.skipped ?? 0, unexpected: x?.deviations.unexpected ?? 0, repeated: x?.deviations.repeated ?? 0,
                out_of_order: x?.deviations.outOfOrder ?? 0,
                over_standard: mean != nil && std != nil && mean! > std!,
                never_seen: recorded && m.cases > 0 && (x?.occurrences ?? 0) == 0)
        }
        let outside = m.steps.filter { $0.key.hasPrefix("?") }
            .map { Outside(activity: String($0.key.dropFirst()), cases: $0.cases, events: $0.occurrences) }
            .sorted { ($0.events, $1.activity) > ($1.events, $0.activity) }
        // Deviations in words, most frequent first (share of all cases in the filter).
        var lines: [DeviationLine] = []
        let n = m.cases
        for st in steps {
            guard let x = byKey[st.id] else { continue }
            for (kind, cases) in [("skipped", x.casesSkipping), ("repeated", x.casesRepeating), ("out_of_order", x.casesOutOfOrder),
                                  ("unexpected", x.casesUnexpected)] where cases > 0 {
                let sh = Double(cases) / Double(max(n, 1))
                lines.append(DeviationLine(kind: kind, step_id: st.id, step_number: st.number, activity: st.activity, cases: cases, share: sh,
                                           text: t.format("mon_dev_\(kind)", st.number, st.activity, SKMFormat.percent(sh, t.language),
                                                         SKMFormat.number(Double(cases), 0, t.language))))
            }
        }
        for o in outside {
            let sh = Double(o.cases) / Double(max(n, 1))
            lines.append(DeviationLine(kind: "unexpected", step_id: nil, step_number: nil, activity: o.activity, cases: o.cases, share: sh,
                                       text: t.format("mon_dev_outside", o.activity, SKMFormat.percent(sh, t.language),
                                                     SKMFormat.number(Double(o.cases), 0, t.language))))
        }
        lines.sort { ($0.cases, $1.step_number ?? Int.max, $1.kind) > ($1.cases, $0.step_number ?? Int.max, $0.kind) }
        // The bottleneck: the step with the most time beyond its standard.
        let worst = steps.filter { $0.excess_seconds > 0 }.max { ($0.excess_seconds, $1.number) < ($1.excess_seconds, $0.number) }
        let bottleneck = worst.map { w in
            DeviationLine(kind: "bottleneck", step_id: w.id, step_number: w.number, activity: w.activity, cases: w.measured - w.within_standard,
                          share: Double(w.measured - w.within_standard) / Double(max(w.measured, 1)),
                          text: t.format("mon_bottleneck", w.number, w.activity, MonitoringFormat.duration(w.excess_seconds, t.language),
                                         SKMFormat.percent(Double(w.measured - w.within_standard) / Double(max(w.measured, 1)), t.language)))
        }
        func label(_ key: String) -> String {
            if key.hasPrefix("?") { return String(key.dropFirst()) }
            if let i = doc.steps.firstIndex(where: { $0.id == key }) { return "\(i + 1). \(doc.steps[i].activity)" }
            return key
        }
        let variants = m.variants.map {
            Variant(cases: $0.cases, share: Double($0.cases) / Double(max(n, 1)), compliant: $0.compliant, path: $0.path, labels: $0.path.map(label))
        }
        return MonitoringReport(
            sop_id: sop.id, sop_number: sop.number, sop_title: sop.title, version: version,
            from: from?.description, to: to?.description, unit_id: filter.unitID,
            cases: m.cases, closed_cases: m.closedCases, open_cases: m.cases - m.closedCases, compliant_cases: m.compliantCases,
            compliance: share(m.compliantCases, m.cases), median_lead_seconds: m.medianLeadSeconds, p90_lead_seconds: m.p90LeadSeconds,
            total_standard_seconds: doc.totalTimeStandard, within_total_standard_share: share(m.closedWithinStandard, m.closedWithStandard),
            rework_cases: m.casesWithRework, rework_share: share(m.casesWithRework, m.cases),
            steps: steps, outside_sop: outside, deviations: lines, bottleneck: bottleneck, variants: variants, variant_count: m.variantCount,
            arcs: m.arcs.map { Arc(source: $0.source, target: $0.target, count: $0.count, mean_seconds: $0.count > 0 ? $0.seconds / Double($0.count) : nil) },
            overdue_cases: m.overdueOpenCases.map {
                CaseRow(id: $0.id, reference: $0.reference, unit: unitName($0.unitID), status: $0.status, opened_at: $0.openedAt,
                        age_seconds: $0.openedAt.map { now.timeIntervalSince($0) }, standard_seconds: $0.standardSeconds, compliant: $0.compliant)
            },
            units: m.units.map {
                UnitRow(unit_id: $0.unitID, unit: unitName($0.unitID), cases: $0.cases, compliance: share($0.compliant, $0.cases),
                        median_lead_seconds: $0.medianLeadSeconds, within_standard_share: share($0.withinStandard, $0.closed))
            },
            last_event_at: m.lastEventAt)
    }
}

/// Short durations and shares for monitoring pages.
enum MonitoringFormat {
    /// At most two units, e.g. "2 jam 5 menit", "3 hari 4 jam", "45 detik".
    static func duration(_ seconds: Double?, _ lang: Language) -> String {
        guard let seconds, seconds.isFinite else { return "–" }
        let s = Int(seconds.rounded())
        let units: [(Int, String, String)] = [(86_400, "hari", "d"), (3_600, "jam", "h"), (60, "menit", "min"), (1, "detik", "s")]
        var parts: [String] = []
        var rest = abs(s)
        for (size, id, en) in units where parts.count < 2 {
            let q = rest / size
            if q > 0 || (size == 1 && parts.isEmpty) {
                parts.append("\(q) " + (lang == .id ? id : en))
                rest -= q * size
            } else if !parts.isEmpty { break }
        }
        return (s < 0 ? "−" : "") + parts.joined(separator: " ")
    }

    static func percent(_ share: Double?, _ lang: Language) -> String { share.map { SKMFormat.percent($0, lang) } ?? "–" }
}
