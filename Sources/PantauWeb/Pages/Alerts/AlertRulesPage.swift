import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// `/sops/:id/aturan-peringatan`: an SOP's alert rules (list, add, deactivate) and its latest
/// alerts. Admins, and unit managers for SOPs in their subtree.
enum AlertRulesPage {
    struct Model {
        struct Row {
            let kind: String; let condition: String; let created: String; let createdBy: String; let alerts: Int
            let active: Bool; let deactivateAction: String?; let id: Int64
        }
        struct AlertRow { let raised: String; let message: String }
        let sopTitle: String
        let sopLink: String
        let action: String
        let rows: [Row]
        let alerts: [AlertRow]
        let kinds: [Option]
        let periods: [Option]
        let factor: String
        let threshold: String
        let minCases: String
        let errors: [FieldError]
    }

    static let labels = ["kind": "alert_rule_kind", "factor": "alert_rule_factor", "threshold": "alert_rule_threshold",
                         "period": "alert_rule_period", "min_cases": "alert_rule_min_cases"]

    /// Pure.
    static func model(sop: SOPRecord, rules: [AlertRuleRecord], alerts: [AlertRecord], form: FormData?, errors: [FieldError], t: Strings) -> Model {
        let lang = t.language
        let rows = rules.map { r in
            Model.Row(kind: AlertText.kindLabel(r.kind, t), condition: AlertText.condition(r, t), created: formatTime(r.createdAt, lang),
                      createdBy: r.createdBy, alerts: r.alerts, active: r.active,
                      deactivateAction: r.active ? SiteURL.sopAlertRuleDeactivate(sop.id).path : nil, id: r.id)
        }
        let kind = form?.text("kind") ?? AlertKind.caseOverdue.rawValue
        let period = form?.text("period") ?? AlertPeriod.month.rawValue
        return Model(sopTitle: "\(sop.number) \(sop.title)", sopLink: SiteURL.sop(sop.id).path, action: SiteURL.sopAlertRules(sop.id).path,
                     rows: rows,
                     alerts: alerts.map { Model.AlertRow(raised: formatTime($0.raisedAt, lang), message: AlertText.message($0, t)) },
                     kinds: AlertKind.allCases.map { Option(value: $0.rawValue, label: AlertText.kindLabel($0, t), selected: $0.rawValue == kind) },
                     periods: AlertPeriod.allCases.map { Option(value: $0.rawValue, label: t["alert_period_\($0.rawValue)"], selected: $0.rawValue == period) },
                     factor: form?.text("factor") ?? "1", threshold: form?.text("threshold") ?? "80", minCases: form?.text("min_cases") ?? "10",
                     errors: errors.labelled(labels, t))
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .sopAlertRules(.key), .sopWrite, "Alert rules of an SOP") { _, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            return try await render(s, ctx, sop, form: nil, errors: [])
        }
        r.page(.post, .sopAlertRules(.key), .sopWrite, "Add an alert rule") { _, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            let form = ctx.formData
            let t = s.views.strings(ctx.language)
            do {
                let input = try AlertRuleInput.parse(kind: form.text("kind"), factor: form.text("factor"), threshold: form.text("threshold"),
                                                     period: form.text("period"), minCases: form.text("min_cases"))
                try await s.store.createAlertRule(sopID: sop.id, input, by: ctx.actor)
            } catch let e as StoreError {
                return try await render(s, ctx, sop, form: form, errors: fieldErrors(e, t), status: .badRequest)
            }
            return .seeOther(.sopAlertRules(sop.id), flash: t["alert_rule_created"], secure: s.config.secureCookies)
        }
        r.page(.post, .sopAlertRuleDeactivate(.key), .sopWrite, "Deactivate an alert rule") { _, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            guard let rule = Int64(ctx.formData.text("rule_id")) else { throw AppError.badRequest("rule_id") }
            try await s.store.deactivateAlertRule(id: rule, sopID: sop.id, by: ctx.actor)
            return .seeOther(.sopAlertRules(sop.id), flash: s.views.strings(ctx.language)["alert_rule_deactivated"], secure: s.config.secureCookies)
        }
    }

    static func render(_ s: AppServices, _ ctx: UserContext, _ sop: SOPRecord, form: FormData?, errors: [FieldError],
                       status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let m = model(sop: sop, rules: try await s.store.alertRules(sopID: sop.id), alerts: try await s.store.alerts(sopID: sop.id, limit: 20),
                      form: form, errors: errors, t: t)
        return .html(s.views.render("alert_rules", title: t["alert_rules_title"], page: m, context: ctx, active: .sops), status: status)
    }
}
