import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

extension EventDTO {
    struct EventOut: Codable, Sendable {
        var id: Int64
        var event_id: String
        var activity: String
        var lifecycle: String
        var start_timestamp: Date?
        var timestamp: Date
        var resource: String?
        var source: String
        var note: String?
    }
    struct DeviationOut: Codable, Sendable {
        /// skipped, unexpected, repeated or out_of_order.
        var kind: String
        var step_id: String?
        var activity: String
        /// Position of the event in the case's completed events (0-based); none for a skipped step.
        var event_index: Int?
    }
    struct CaseDetail: Codable, Sendable {
        var id: Int64
        var reference: String
        var unit_id: Int64
        var status: String
        var version: Int?
        var opened_at: Date?
        var last_event_at: Date?
        var compliant: Bool?
        var lead_seconds: Double?
        var standard_seconds: Double?
        var deviations: [DeviationOut]
        var events: [EventOut]

        init(_ c: CaseSummary, events: [PantauStore.ServiceEventRecord], analysis: CaseAnalysis?) {
            id = c.id; reference = c.reference; unit_id = c.unitID; status = c.status; version = c.version; opened_at = c.openedAt
            last_event_at = c.lastEventAt; compliant = c.compliant; lead_seconds = c.leadSeconds; standard_seconds = c.standardSeconds
            deviations = (analysis?.deviations ?? []).map {
                DeviationOut(kind: $0.kind == .outOfOrder ? "out_of_order" : $0.kind.rawValue, step_id: $0.stepID, activity: $0.activity,
                             event_index: $0.eventIndex)
            }
            self.events = events.map {
                EventOut(id: $0.id, event_id: $0.clientID, activity: $0.activity, lifecycle: $0.lifecycle.rawValue, start_timestamp: $0.startedAt,
                         timestamp: $0.at, resource: $0.resource, source: $0.source, note: $0.note)
            }
        }
    }
}

/// `/kasus/:id`: one service case drawn against its SOP (timeline SVG), its events and its
/// deviations; `/sops/:id/kasus`: the cases of an SOP.
enum CasePage {
    struct Loaded {
        var summary: CaseSummary
        var sop: SOPRecord
        var events: [PantauStore.ServiceEventRecord]
        var analysis: CaseAnalysis?
        var tree: OrgTree
    }

    /// Loads the case named by `:id` within the caller's scope (out of scope = not found).
    static func loadScoped(_ s: AppServices, _ ctx: some RequestScope) async throws -> Loaded {
        let c = try await s.store.serviceCase(id: try ctx.int64("id"))
        let tree = try await s.store.orgTree()
        guard let identity = ctx.base.identity, Scope.covers(identity, unit: c.summary.unitID, tree: tree) else { throw AppError.notFound }
        let sop = try await s.store.sop(id: c.sopID)
        return Loaded(summary: c.summary, sop: sop, events: c.events, analysis: c.analysis, tree: tree)
    }

    struct Model {
        struct EventRow { let at: String; let start: String; let activity: String; let step: String; let resource: String; let source: String; let note: String }
        let reference: String
        let sopTitle: String
        let monitoringHref: String
        let unit: String
        let status: String
        let open: Bool
        let version: String
        let opened: String
        let lead: String
        let standard: String
        let compliant: Bool?
        let deviations: [String]
        let timeline: String
        let events: [EventRow]
    }

    /// The page model (pure): `doc` is the SOP version the case was checked against.
    static func model(_ c: Loaded, document doc: SOPDocument, notRecorded: Set<String>, now: Date, language: Language, t: Strings) -> Model {
        let lang = language
        let byName = doc.stepIndexByLogName()
        let steps = doc.steps.enumerated().map { i, st in
            CaseTimeline.Step(id: st.id, number: i + 1, label: st.activity, standardSeconds: st.standard.time?.seconds,
                              recorded: st.recorded && !notRecorded.contains(st.id))
        }
        // Completed activities with their starts paired, as the analysis sees them.
        var occ = PantauStore.ServiceEventRecord.completedActivities(c.events).map { e in
            CaseTimeline.Occurrence(stepID: byName[SOPDocument.normalizeLogName(e.activity)], activity: e.activity,
                                    start: e.start.map { Date(timeIntervalSince1970: $0) }, complete: Date(timeIntervalSince1970: e.complete),
                                    resource: e.resource)
        }
        // The stored path says which step each completed event was checked as.
        if let path = c.analysis?.path, path.count == occ.count {
            for i in occ.indices where !path[i].hasPrefix("?") { occ[i].stepID = path[i] }
        }
        let skipped = Set((c.analysis?.deviations ?? []).filter { $0.kind == .skipped }.compactMap(\.stepID))
        let open = c.summary.status != "closed"
        let svg = CaseTimelineSVG(options: .init(language: lang, title: t.format("mon_case_timeline", c.summary.reference)))
            .render(CaseTimeline(caseLabel: c.summary.reference, steps: steps, occurrences: occ, skippedStepIDs: skipped, now: open ? now : nil))
        let devs = (c.analysis?.deviations ?? []).map { d -> String in
            let n = d.stepID.flatMap { doc.number(ofStep: $0) }
            let kind: String = switch d.kind {
            case .skipped: "skipped"; case .repeated: "repeated"; case .outOfOrder: "out_of_order"; case .unexpected: "unexpected"
            }
            if let n { return t.format("mon_case_dev_\(kind)", n, d.activity) }
            return t.format("mon_case_dev_outside", d.activity)
        }
        return Model(
            reference: c.summary.reference, sopTitle: c.sop.title, monitoringHref: SiteURL.sopMonitoring(c.sop.id).path,
            unit: c.tree.unit(c.summary.unitID)?.name ?? "", status: t["mon_status_\(c.summary.status)"], open: open,
            version: c.summary.version.map(String.init) ?? "–", opened: c.summary.openedAt.map { formatTime($0, lang) } ?? "–",
            lead: MonitoringFormat.duration(open ? c.summary.openedAt.map { now.timeIntervalSince($0) } : c.summary.leadSeconds, lang),
            standard: MonitoringFormat.duration(c.summary.standardSeconds, lang), compliant: c.summary.compliant, deviations: devs,
            timeline: svg,
            events: c.events.map { e in
                let sid = byName[SOPDocument.normalizeLogName(e.activity)]
                return Model.EventRow(at: formatTime(e.at, lang), start: e.startedAt.map { formatTime($0, lang) } ?? "",
                                      activity: e.activity + (e.lifecycle == .start ? " (" + t["mon_lifecycle_start"] + ")" : ""),
                                      step: sid.flatMap { doc.number(ofStep: $0) }.map(String.init) ?? t["mon_outside_sop"],
                                      resource: e.resource ?? "", source: t["mon_source_\(e.source)"], note: e.note ?? "")
            })
    }

    struct ListModel {
        struct Row { let reference: String; let href: String; let unit: String; let status: String; let opened: String; let lead: String; let compliant: Bool? }
        let title: String
        let monitoringHref: String
        let rows: [Row]
        let total: Int
        let page: Int
        let pageCount: Int
        let previousHref: String?
        let nextHref: String?
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .serviceCase(.key), .monitoringRead, "One service case against its SOP: timeline, deviations, events") { _, ctx in
            let c = try await loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let v = try await s.store.version(sopID: c.sop.id, version: c.summary.version ?? c.sop.effectiveVersion ?? c.sop.latestVersion)
            let settings = try await s.store.monitoringSettings(sopID: c.sop.id)
            var doc = v.document
            for (a, sid) in settings.aliases { if let i = doc.steps.firstIndex(where: { $0.id == sid }) { doc.steps[i].logNames.append(a) } }
            let m = model(c, document: doc, notRecorded: settings.notRecorded, now: Date(), language: ctx.language, t: t)
            return .html(s.views.render("service_case", title: t["mon_case"] + " " + c.summary.reference, page: m, context: ctx, active: .sops))
        }

        r.page(.get, .sopCases(.key), .monitoringRead, "The service cases of an SOP (period and unit filter), newest first") { req, ctx in
            let (rec, tree) = try await SOPPages.loadApplying(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try MonitoringPage.filter(req, identity: ctx.identity, tree: tree)
            let page = try APIRoutes.intParam(req.uri.queryParameters.get("page"), "page", default: 1, range: 1...1_000_000)
            let cases = try await s.store.serviceCases(sopID: rec.id, filter: f.filter, page: page, perPage: 50)
            func link(_ p: Int) -> String {
                SiteURL.sopCases(rec.id).path(query: ["from": f.from?.description, "to": f.to?.description,
                                                      "unit_id": f.filter.unitID.map(String.init), "page": String(p)])
            }
            let lang = ctx.language
            let m = ListModel(
                title: rec.title, monitoringHref: SiteURL.sopMonitoring(rec.id).path,
                rows: cases.items.map { c in
                    ListModel.Row(reference: c.reference, href: SiteURL.serviceCase(c.id).path, unit: tree.unit(c.unitID)?.name ?? "",
                                  status: t["mon_status_\(c.status)"], opened: c.openedAt.map { formatTime($0, lang) } ?? "–",
                                  lead: MonitoringFormat.duration(c.leadSeconds, lang), compliant: c.compliant)
                },
                total: cases.total, page: cases.page, pageCount: cases.pageCount,
                previousHref: cases.hasPrevious ? link(cases.page - 1) : nil, nextHref: cases.hasNext ? link(cases.page + 1) : nil)
            return .html(s.views.render("sop_cases", title: t["mon_cases"] + " · " + rec.title, page: m, context: ctx, active: .sops))
        }
    }
}
