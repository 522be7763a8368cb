import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PantauCore
import PantauReports
import PantauStore

/// `/sops/:id/pemantauan`: how one SOP is carried out (cases, compliance, times against the
/// standard, deviations in words, bottleneck, variants, process map, overdue cases, units),
/// filtered by period, unit and actor; live through Server-Sent Events, a plain page without
/// JavaScript. Also the SOP's monitoring settings (activity aliases, steps not recorded).
struct MonitoringCacheKey: Hashable, Sendable {
    let sopID: Int64
    let filter: MonitoringFilter
}

typealias MonitoringFiguresCache = RefreshingCache<MonitoringCacheKey, MonitoringFigures>

enum MonitoringPage {
    struct Filter {
        var filter: MonitoringFilter
        var from: CivilDate?
        var to: CivilDate?
        var actor: String?
    }

    /// The filter of a request: `from`/`to` (YYYY-MM-DD, WIB, `to` inclusive), `unit` or
    /// `unit_id`, `actor`; always limited to the units the caller may see.
    static func filter(_ req: Request, identity: Identity, tree: OrgTree) throws -> Filter {
        let q = req.uri.queryParameters
        func date(_ name: String) throws -> CivilDate? {
            guard let v = q.get(name), !v.isEmpty else { return nil }
            guard let d = CivilDate(v) else { throw AppError.rejected([InputProblem(name, "date_invalid", [v])]) }
            return d
        }
        let from = try date("from"), to = try date("to")
        var unit: Int64?
        if let v = q.get("unit_id") ?? q.get("unit"), !v.isEmpty {
            guard let u = Int64(v), tree.unit(u) != nil else { throw AppError.rejected([InputProblem("unit_id", "unknown_unit", [v])]) }
            unit = u
        }
        let visible = Scope.units(identity, tree: tree)
        if let u = unit, let visible, !visible.contains(u) { throw AppError.forbidden }
        let f = MonitoringFilter(from: from.map { $0.startOfDay() }, to: to.map { $0.startOfDay().addingTimeInterval(86_400) },
                                 unitID: unit, visibleUnits: visible)
        let actor = q.get("actor").flatMap { $0.isEmpty ? nil : $0 }
        return Filter(filter: f, from: from, to: to, actor: actor)
    }

    /// The version whose steps label the figures: in force, else the latest.
    static func labellingVersion(_ s: AppServices, _ rec: SOPRecord) async throws -> SOPVersionRecord {
        try await s.store.version(sopID: rec.id, version: rec.effectiveVersion ?? rec.latestVersion)
    }

    static func report(_ s: AppServices, _ rec: SOPRecord, filter: MonitoringFilter, tree: OrgTree, language: Language,
                       from: CivilDate? = nil, to: CivilDate? = nil) async throws -> MonitoringReport {
        let v = try await labellingVersion(s, rec)
        let settings = try await s.store.monitoringSettings(sopID: rec.id)
        let figures = try await figures(s, rec.id, filter: filter)
        return MonitoringReport.build(sop: rec, version: v.version, document: v.document, settings: settings, figures: figures,
                                      filter: filter, from: from, to: to, now: Date(),
                                      unitName: { tree.unit($0)?.name ?? "#\($0)" }, t: s.views.strings(language))
    }

    /// The SOP's figures for a filter, through the instance's ``MonitoringFiguresCache``: recomputed
    /// only when the SOP's cases changed (the stamp is one indexed aggregate), once for all readers
    /// waiting, and not more often than the refresh window allows.
    static func figures(_ s: AppServices, _ sopID: Int64, filter: MonitoringFilter) async throws -> MonitoringFigures {
        try await cachedFigures(s, sopID, filter: filter).value
    }

    static func cachedFigures(_ s: AppServices, _ sopID: Int64, filter: MonitoringFilter) async throws -> MonitoringFiguresCache.Answer {
        let store = s.store
        return try await s.monitoringCache.value(
            MonitoringCacheKey(sopID: sopID, filter: filter), refresh: .milliseconds(Int64(s.config.monitoringRefresh * 1000)),
            // The minute too: open cases become overdue as time passes, without any new event.
            stamp: { try await stamp(s, sopID, filter) + "@" + String(Int(Date().timeIntervalSince1970 / 60)) },
            compute: { try await store.monitoring(sopID: sopID, filter: filter) })
    }

    // MARK: Page model

    struct Model {
        struct Card { let label: String; let value: String; let note: String? }
        struct StepRow {
            let number: Int
            let activity: String
            let actor: String
            let standard: String
            let cases: Int
            let mean: String
            let waiting: String
            let within: String
            let skipped: Int
            let repeated: Int
            let outOfOrder: Int
            let overStandard: Bool
            let recorded: Bool
            let neverSeen: Bool
            let stepID: String
        }
        struct VariantRow { let cases: Int; let share: String; let compliant: Bool; let path: String }
        struct CaseRow { let reference: String; let unit: String; let opened: String; let age: String; let standard: String; let href: String }
        struct UnitRow { let unit: String; let cases: Int; let compliance: String; let median: String; let within: String; let href: String }
        let title: String
        let number: String
        let sopHref: String
        let casesHref: String
        let settingsHref: String
        let importHref: String
        /// Observation mode for this SOP (people who record events, SOPs in force).
        let observationHref: String?
        let liveHref: String
        let apiHref: String
        /// Before/after comparison of the SOP's revision (issue 9).
        let beforeAfterHref: String
        /// Tabel 7 and Tabel 8 records of the SOP (MonevRecordPages).
        var monev: MonevRecordPages.Links? = nil
        let action: String
        let from: String
        let to: String
        let units: [Option]
        let actors: [Option]
        let hasCases: Bool
        let cards: [Card]
        let deviations: [String]
        let bottleneck: String?
        let steps: [StepRow]
        let outside: [MonitoringReport.Outside]
        let variants: [VariantRow]
        let variantCount: Int
        let processMap: String
        let overdue: [CaseRow]
        let unitRows: [UnitRow]
        let lastEvent: String
        let canManage: Bool
        let stepAction: String
    }

    /// The page model (pure).
    static func model(_ r: MonitoringReport, rec: SOPRecord, filter: Filter, unitOptions: [Option], canManage: Bool,
                      canObserve: Bool = false, language: Language, t: Strings) -> Model {
        let lang = language
        let dur = { (x: Double?) in MonitoringFormat.duration(x, lang) }
        let pct = { (x: Double?) in MonitoringFormat.percent(x, lang) }
        var cards = [
            Model.Card(label: t["mon_cases"], value: SKMFormat.number(Double(r.cases), 0, lang),
                       note: t.format("mon_cases_note", r.closed_cases, r.open_cases)),
            Model.Card(label: t["mon_compliance"], value: pct(r.compliance), note: t.format("mon_compliance_note", r.compliant_cases)),
            Model.Card(label: t["mon_lead_median"], value: dur(r.median_lead_seconds),
                       note: r.total_standard_seconds.map { t.format("mon_standard_is", dur($0)) }),
            Model.Card(label: t["mon_lead_p90"], value: dur(r.p90_lead_seconds), note: nil),
            Model.Card(label: t["mon_within_total"], value: pct(r.within_total_standard_share), note: nil),
            Model.Card(label: t["mon_rework"], value: pct(r.rework_share), note: t.format("mon_rework_note", r.rework_cases)),
        ]
        if r.total_standard_seconds == nil { cards.remove(at: 4) }
        let actorFilter = filter.actor
        let steps = r.steps.filter { actorFilter == nil || $0.actor == actorFilter }.map { st in
            Model.StepRow(number: st.number, activity: st.activity, actor: st.actor, standard: dur(st.standard_seconds), cases: st.cases,
                          mean: dur(st.mean_seconds), waiting: dur(st.mean_waiting_seconds), within: pct(st.within_standard_share),
                          skipped: st.skipped, repeated: st.repeated, outOfOrder: st.out_of_order, overStandard: st.over_standard,
                          recorded: st.recorded, neverSeen: st.never_seen, stepID: st.id)
        }
        let actors = Array(Set(r.steps.map(\.actor))).sorted().map { Option(value: $0, label: $0, selected: $0 == actorFilter) }
        let map = ProcessMap(
            nodes: r.steps.map { st in
                ProcessMap.Node(id: st.id, label: st.activity, number: st.number, occurrences: st.occurrences, cases: st.cases,
                                meanSeconds: st.mean_seconds, standardSeconds: st.standard_seconds,
                                shareWithinStandard: st.within_standard_share, recorded: st.recorded)
            } + r.outside_sop.map { o in
                ProcessMap.Node(id: "?" + o.activity, label: o.activity, number: nil, occurrences: o.events, cases: o.cases)
            },
            arcs: r.arcs.map { ProcessMap.Arc(from: $0.source, to: $0.target, count: $0.count, meanSeconds: $0.mean_seconds) },
            cases: r.cases)
        let svg = r.cases > 0 ? ProcessMapSVG(options: .init(language: lang, title: t["mon_process_map"])).render(map) : ""
        let linkQuery = { (unit: Int64?) -> KeyValuePairs<String, String?> in
            ["from": filter.from?.description, "to": filter.to?.description, "unit_id": unit.map(String.init)]
        }
        return Model(
            title: rec.title, number: rec.number, sopHref: SiteURL.sop(rec.id).path,
            casesHref: SiteURL.sopCases(rec.id).path(query: linkQuery(filter.filter.unitID)),
            settingsHref: SiteURL.sopMonitoringSettings(rec.id).path, importHref: SiteURL.sopEventImport(rec.id).path,
            observationHref: canObserve && rec.effectiveVersion != nil ? SiteURL.observationStart(rec.id).path : nil,
            liveHref: SiteURL.sopMonitoringLive(rec.id).path(query: linkQuery(filter.filter.unitID)),
            apiHref: SiteURL.api(.sopMonitoring(rec.id)).path(query: linkQuery(filter.filter.unitID)),
            beforeAfterHref: SiteURL.sopBeforeAfter(rec.id).path(query: ["unit_id": filter.filter.unitID.map(String.init)]),
            monev: MonevRecordPages.Links(rec.id),
            action: SiteURL.sopMonitoring(rec.id).path, from: filter.from?.description ?? "", to: filter.to?.description ?? "",
            units: unitOptions, actors: actors, hasCases: r.cases > 0, cards: cards,
            deviations: r.deviations.prefix(8).map(\.text), bottleneck: r.bottleneck?.text, steps: steps, outside: r.outside_sop,
            variants: r.variants.map {
                Model.VariantRow(cases: $0.cases, share: pct($0.share), compliant: $0.compliant, path: $0.labels.joined(separator: " → "))
            },
            variantCount: r.variant_count, processMap: svg,
            overdue: r.overdue_cases.map {
                Model.CaseRow(reference: $0.reference, unit: $0.unit, opened: $0.opened_at.map { formatTime($0, lang) } ?? "–",
                              age: dur($0.age_seconds), standard: dur($0.standard_seconds), href: SiteURL.serviceCase($0.id).path)
            },
            unitRows: r.units.map {
                Model.UnitRow(unit: $0.unit, cases: $0.cases, compliance: pct($0.compliance), median: dur($0.median_lead_seconds),
                              within: pct($0.within_standard_share), href: SiteURL.sopMonitoring(rec.id).path(query: linkQuery($0.unit_id)))
            },
            lastEvent: r.last_event_at.map { formatTime($0, lang) } ?? "–", canManage: canManage,
            stepAction: SiteURL.sopMonitoringStep(rec.id).path)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .sopMonitoring(.key), .monitoringRead, "Monitoring of an SOP's execution (period, unit, actor)") { req, ctx in
            let (rec, tree) = try await SOPPages.loadApplying(s, ctx)
            return try await render(s, req, ctx, rec, tree)
        }

        r.page(.get, .sopMonitoringLive(.key), .monitoringRead, "Live updates of the monitoring page (Server-Sent Events)") { req, ctx in
            let (rec, tree) = try await SOPPages.loadApplying(s, ctx)
            let filter = try filter(req, identity: ctx.identity, tree: tree)
            return live(s, rec.id, filter.filter)
        }

        r.page(.post, .sopMonitoringStep(.key), .monitoringManage, "Mark a step as not recorded (or recorded again); every case is re-checked") { _, ctx in
            let (rec, _) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let step = ctx.formData.text("step")
            let recorded = ctx.formData.text("recorded") == "1"
            do {
                try await s.store.setStepRecorded(sopID: rec.id, stepID: step, recorded: recorded, by: ctx.actor)
            } catch let e as StoreError {
                throw AppError.invalid(fieldErrors(e, t))
            }
            s.monitoringChanged()
            let back = ctx.formData.text("back") == "settings" ? SiteURL.sopMonitoringSettings(rec.id) : SiteURL.sopMonitoring(rec.id)
            return .seeOther(back, flash: t[recorded ? "mon_step_recorded_done" : "mon_step_not_recorded_done"], secure: s.config.secureCookies)
        }

        MonitoringSettingsPage.register(r, s)
        CasePage.register(r, s)
    }

    static func render(_ s: AppServices, _ req: Request, _ ctx: UserContext, _ rec: SOPRecord, _ tree: OrgTree) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let f = try filter(req, identity: ctx.identity, tree: tree)
        let report = try await report(s, rec, filter: f.filter, tree: tree, language: ctx.language, from: f.from, to: f.to)
        let visible = Scope.units(ctx.identity, tree: tree)
        let options = [Option(value: "", label: t["all_units"], selected: f.filter.unitID == nil)]
            + Option.units(tree, selected: f.filter.unitID) { visible?.contains($0) ?? true }
        let m = model(report, rec: rec, filter: f, unitOptions: options,
                      canManage: AccessRule.monitoringManage.allows(ctx.identity) && Scope.covers(ctx.identity, unit: rec.unitID, tree: tree),
                      canObserve: AccessRule.eventWrite.allows(ctx.identity), language: ctx.language, t: t)
        return .html(s.views.render("monitoring", title: t["mon_title"] + " · " + rec.title, page: m, context: ctx, active: .sops))
    }

    /// Server-Sent Events: an `update` event whenever the SOP's figures change. Checked each second
    /// while this instance's change counter has moved (it also moves when the change listener hears
    /// another instance's write on PostgreSQL, ChangeListener.swift) and until the figures were
    /// checked against the store after that move, and every five seconds as a safety net; the
    /// figures come from the cache, so the page asked to reload finds them ready, and many
    /// watchers cost one computation. A comment every 15 s keeps proxies from closing the stream.
    static func live(_ s: AppServices, _ sopID: Int64, _ filter: MonitoringFilter) -> Response {
        let body = ResponseBody { writer in
            var lastLocal = s.monitoringVersion.withLockedValue { $0 }
            var lastStamp = try await cachedFigures(s, sopID, filter: filter).stamp
            var pending = false
            var tick = 0
            try await writer.write(ByteBuffer(string: "retry: 3000\n\n"))
            while !Task.isCancelled, tick < s.config.liveStreamSeconds {
                try await Task.sleep(for: .seconds(1))
                tick += 1
                let local = s.monitoringVersion.withLockedValue { $0 }
                if local != lastLocal { lastLocal = local; pending = true }
                if pending || tick % 5 == 0 {
                    let now = try await cachedFigures(s, sopID, filter: filter)
                    if now.stamp != lastStamp {
                        lastStamp = now.stamp
                        pending = false
                        try await writer.write(ByteBuffer(string: "event: update\ndata: \(now.stamp)\n\n"))
                    } else if now.verified {
                        pending = false
                    }
                }
                if tick % 15 == 0 { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
            }
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: body)
    }

    static func stamp(_ s: AppServices, _ sopID: Int64, _ filter: MonitoringFilter) async throws -> String {
        let c = try await s.store.monitoringStamp(sopID: sopID, filter: filter)
        return "\(c.cases)-\(c.lastEventAt?.timeIntervalSince1970 ?? 0)-\(c.analysedAt?.timeIntervalSince1970 ?? 0)"
    }
}
