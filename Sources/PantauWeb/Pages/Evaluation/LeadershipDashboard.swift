import Foundation
import Hummingbird
import PantauCore
import PantauStore

/// `/dasbor-pimpinan`: every unit and SOP in the reader's scope at a glance (issue 9 item 9):
/// indicators red/amber/green in their latest period, overdue follow-up actions, the latest IKM
/// and the compliance of the last four quarters, each linking to the page behind it.
enum LeadershipDashboard {
    struct Tally {
        var green = 0, amber = 0, red = 0, none = 0
        mutating func add(_ s: IndicatorStatus?) {
            switch s {
            case .green?: green += 1
            case .amber?: amber += 1
            case .red?: red += 1
            case nil: none += 1
            }
        }
        static func + (a: Tally, b: Tally) -> Tally {
            Tally(green: a.green + b.green, amber: a.amber + b.amber, red: a.red + b.red, none: a.none + b.none)
        }
    }

    struct Trend {
        let period: String
        let share: String
        let cases: Int
    }

    struct SOPRow {
        let title: String
        let number: String
        let unit: String
        let monitoringHref: String
        let findingsHref: String
        let monevHref: String
        let evaluationHref: String
        let beforeAfterHref: String
        let reportHref: String
        let trend: [Trend]
        let direction: String
        let indicators: Tally
        let overdue: Int
    }

    struct UnitRow {
        let name: String
        let depth: Int
        let indent: String
        let sops: Int
        let indicators: Tally
        let overdue: Int
        let actionsHref: String
        let ikm: String
        let ikmPeriod: String
        let reportHref: String
    }

    struct Model {
        let totals: Tally
        let overdue: Int
        let sopsInForce: Int
        let periods: [String]
        let units: [UnitRow]
        let sops: [SOPRow]
        let indicatorsHref = SiteURL.indicators.path
        let asOf: String
    }

    /// "↑", "↓" or "→" from the first to the last quarter with cases (a change under one point is flat).
    static func direction(_ shares: [Double?]) -> String {
        let known = shares.compactMap { $0 }
        guard let first = known.first, let last = known.last, known.count > 1 else { return "–" }
        if last - first > 0.01 { return "↑" }
        if first - last > 0.01 { return "↓" }
        return "→"
    }

    static func model(_ s: AppServices, _ ctx: UserContext) async throws -> Model {
        let lang = ctx.language
        let tree = try await s.store.orgTree()
        let visible = Scope.units(ctx.identity, tree: tree)
        let today = CivilDate(Date())
        let quarters = PantauStore.recentPeriods(kind: .quarter, count: 4, today: today)
        let sops = try await IndicatorPages.sopsByID(s, visible).values.filter { $0.effectiveVersion != nil }
            .sorted { ($0.number, $0.id) < ($1.number, $1.id) }
        let compliance = try await s.indicatorCache.compliance(s.store, quarters, unitIDs: visible)
        // Indicators: the status of each one's latest period with a target and a value.
        var bySOP: [Int64: Tally] = [:], byUnit: [Int64: Tally] = [:]
        var totals = Tally()
        for i in try await s.store.indicators(unitIDs: visible) {
            let rs = try await s.indicatorCache.realisations(s.store, i, periods: PantauStore.recentPeriods(kind: i.periodKind, count: 2, today: today), tree: tree)
            let status = IndicatorPages.headline(rs)?.status
            totals.add(status)
            byUnit[i.unitID, default: Tally()].add(status)
            if let sid = i.sopID { bySOP[sid, default: Tally()].add(status) }
        }
        let actions = try await s.store.followUpActions(unitIDs: visible).filter { $0.isOverdue(today: today) }
        var overdueBySOP: [Int64: Int] = [:], overdueByUnit: [Int64: Int] = [:]
        for a in actions {
            overdueBySOP[a.sopID, default: 0] += 1
            overdueByUnit[a.unitID, default: 0] += 1
        }
        var latestIKM: [Int64: (Double, SurveyPeriod)] = [:]
        for o in try await s.store.surveyOverviews(unitIDs: visible) {
            guard let ikm = o.latestResult?.ikm, let p = o.latestPeriod else { continue }
            if let old = latestIKM[o.survey.unitID], old.1 >= p { continue }
            latestIKM[o.survey.unitID] = (ikm, p)
        }
        let sopRows = sops.map { sop -> SOPRow in
            let counts = quarters.map { compliance[$0]?[sop.id] }
            return SOPRow(
                title: sop.title, number: sop.number, unit: tree.unit(sop.unitID)?.name ?? "", monitoringHref: SiteURL.sopMonitoring(sop.id).path,
                findingsHref: SiteURL.sopFindings(sop.id).path, monevHref: SiteURL.sopMonevMonitoring(sop.id).path,
                evaluationHref: SiteURL.sopMonevEvaluation(sop.id).path, beforeAfterHref: SiteURL.sopBeforeAfter(sop.id).path,
                reportHref: SiteURL.sopMonevReport(sop.id).path,
                trend: zip(quarters, counts).map { p, c in
                    Trend(period: p.label(lang.survey), share: c?.share.map { SKMFormat.percent($0, lang) } ?? "–", cases: c?.cases ?? 0)
                },
                direction: direction(counts.map { $0?.share }), indicators: bySOP[sop.id] ?? Tally(), overdue: overdueBySOP[sop.id] ?? 0)
        }
        let sopsByUnit = Dictionary(grouping: sops, by: \.unitID).mapValues(\.count)
        let unitRows = tree.flattened().filter { visible?.contains($0.unit.id) ?? true }.map { u, depth -> UnitRow in
            let sub = tree.subtree(of: u.id)
            let ikm = latestIKM[u.id]
            return UnitRow(name: u.name, depth: depth, indent: String(repeating: "— ", count: depth),
                           sops: sub.reduce(0) { $0 + (sopsByUnit[$1] ?? 0) },
                           indicators: sub.reduce(Tally()) { $0 + (byUnit[$1] ?? Tally()) },
                           overdue: sub.reduce(0) { $0 + (overdueByUnit[$1] ?? 0) }, actionsHref: SiteURL.unitActions(u.id).path,
                           ikm: ikm.map { SKMFormat.number($0.0, 2, lang) } ?? "–", ikmPeriod: ikm?.1.label(lang.survey) ?? "",
                           reportHref: SiteURL.unitMonevReport(u.id).path)
        }
        return Model(totals: totals, overdue: actions.count, sopsInForce: sops.count, periods: quarters.map { $0.label(lang.survey) },
                     units: unitRows, sops: sopRows, asOf: SKMFormat.date(today, lang))
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .leadership, .evaluationRead,
               "Leadership dashboard: every unit and SOP in scope with indicators (red/amber/green), overdue actions, latest IKM and the compliance trend") { _, ctx in
            let t = s.views.strings(ctx.language)
            return .html(s.views.render("leadership", title: t["lead_title"], page: try await model(s, ctx), context: ctx, active: .leadership))
        }
    }
}
