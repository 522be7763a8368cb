import Foundation
import Hummingbird
import PantauCore
import PantauStore

/// `/sops/:id/pemantauan/pengaturan`: how events map to the SOP's steps: activity names outside
/// the SOP (with a step to map each to), the alias table, and which steps leave no event.
enum MonitoringSettingsPage {
    struct Model {
        struct Unmapped { let activity: String; let events: Int; let steps: [Option] }
        struct Alias { let activity: String; let step: String }
        struct StepRow { let id: String; let number: Int; let activity: String; let recordedInSOP: Bool; let recorded: Bool; let neverSeen: Bool }
        let title: String
        let number: String
        let monitoringHref: String
        let aliasAction: String
        let stepAction: String
        let unmapped: [Unmapped]
        let aliases: [Alias]
        let steps: [StepRow]
        let stepOptions: [Option]
        var errors: [FieldError] = []
    }

    /// The page model (pure).
    static func model(rec: SOPRecord, document doc: SOPDocument, settings: SOPMonitoringSettings,
                      unmapped: [(activity: String, events: Int)], neverSeen: Set<String>, t: Strings) -> Model {
        let options = [Option(value: "", label: t["mon_choose_step"], selected: true)]
            + doc.steps.enumerated().map { Option(value: $1.id, label: "\($0 + 1). \($1.activity)", selected: false) }
        return Model(
            title: rec.title, number: rec.number, monitoringHref: SiteURL.sopMonitoring(rec.id).path,
            aliasAction: SiteURL.sopMonitoringAlias(rec.id).path, stepAction: SiteURL.sopMonitoringStep(rec.id).path,
            unmapped: unmapped.map { Model.Unmapped(activity: $0.activity, events: $0.events, steps: options) },
            aliases: settings.aliases.sorted { $0.key < $1.key }.map { a, sid in
                let n = doc.number(ofStep: sid)
                return Model.Alias(activity: a, step: n.map { "\($0). \(doc.step(id: sid)?.activity ?? sid)" } ?? sid)
            },
            steps: doc.steps.enumerated().map { i, st in
                Model.StepRow(id: st.id, number: i + 1, activity: st.activity, recordedInSOP: st.recorded,
                              recorded: st.recorded && !settings.notRecorded.contains(st.id), neverSeen: neverSeen.contains(st.id))
            },
            stepOptions: options)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .sopMonitoringSettings(.key), .monitoringManage, "How events map to the SOP's steps (aliases, steps not recorded)") { _, ctx in
            let (rec, tree) = try await SOPPages.loadScoped(s, ctx)
            return try await render(s, ctx, rec, tree)
        }

        r.page(.post, .sopMonitoringAlias(.key), .monitoringManage, "Map an activity name to a step (or remove the mapping); every case is re-checked") { _, ctx in
            let (rec, tree) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let activity = ctx.formData.text("activity")
            let step = ctx.formData.text("step")
            let remove = ctx.formData.text("remove") == "1"
            if !remove && step.isEmpty {
                let e = FieldError(field: "step", message: t["store_required"], label: t["mon_step"])
                return try await render(s, ctx, rec, tree, errors: [e], status: .badRequest)
            }
            do {
                try await s.store.setActivityAlias(sopID: rec.id, activity: activity, stepID: remove ? nil : step, by: ctx.actor)
            } catch let e as StoreError {
                let errs = fieldErrors(e, t).labelled(["activity": "mon_activity", "step": "mon_step"], t)
                return try await render(s, ctx, rec, tree, errors: errs, status: .badRequest)
            }
            s.monitoringChanged()
            return .seeOther(.sopMonitoringSettings(rec.id), flash: t["mon_alias_saved"], secure: s.config.secureCookies)
        }
    }

    static func render(_ s: AppServices, _ ctx: UserContext, _ rec: SOPRecord, _ tree: OrgTree, errors: [FieldError] = [],
                       status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let v = try await MonitoringPage.labellingVersion(s, rec)
        let settings = try await s.store.monitoringSettings(sopID: rec.id)
        let unmapped = try await s.store.unmappedActivities(sopID: rec.id)
        let report = try await MonitoringPage.report(s, rec, filter: MonitoringFilter(visibleUnits: Scope.units(ctx.identity, tree: tree)),
                                                     tree: tree, language: ctx.language)
        var m = model(rec: rec, document: v.document, settings: settings, unmapped: unmapped,
                      neverSeen: Set(report.steps.filter(\.never_seen).map(\.id)), t: t)
        m.errors = errors
        return .html(s.views.render("monitoring_settings", title: t["mon_settings"] + " · " + rec.title, page: m, context: ctx, active: .sops),
                     status: status)
    }
}
