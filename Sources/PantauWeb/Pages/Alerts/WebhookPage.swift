import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// `/webhook` (admins): webhooks per unit (create: the signing secret is shown once; deactivate)
/// and, with `?id=`, one webhook's delivery log with a re-send button per delivery.
enum WebhookPage {
    struct Model {
        struct Row {
            let id: Int64; let name: String; let unit: String; let url: String; let kinds: String; let created: String
            let active: Bool; let logLink: String; let selected: Bool
        }
        struct Delivery {
            let id: Int64; let alertID: Int64; let status: String; let statusClass: String; let attempts: Int; let lastCode: String
            let lastError: String; let lastAttempt: String; let nextAttempt: String; let sent: String; let resentFrom: String
        }
        let action = SiteURL.webhooks.path
        let deactivateAction = SiteURL.webhookDeactivate.path
        let resendAction = SiteURL.webhookResend.path
        let rows: [Row]
        let units: [Option]
        let kinds: [KindOption]
        let newSecret: String?
        let errors: [FieldError]
        let name: String
        let url: String
        let log: Log?
        struct Log { let name: String; let webhookID: Int64; let deliveries: [Delivery]; let active: Bool }
        struct KindOption { let value: String; let label: String; let checked: Bool }
    }

    static let labels = ["name": "webhook_name", "unit_id": "webhook_unit", "url": "webhook_url", "kinds": "webhook_kinds"]

    /// Pure.
    static func model(hooks: [WebhookRecord], tree: OrgTree, selected: WebhookRecord?, deliveries: [WebhookDelivery], form: FormData?,
                      newSecret: String?, errors: [FieldError], t: Strings) -> Model {
        let lang = t.language
        let rows = hooks.map { h in
            Model.Row(id: h.id, name: h.name, unit: tree.unit(h.unitID)?.name ?? "?", url: h.url,
                      kinds: h.kinds.map { AlertText.kindLabel($0, t) }.joined(separator: ", "), created: formatTime(h.createdAt, lang),
                      active: h.active, logLink: SiteURL.webhooks.path(query: ["id": "\(h.id)"]), selected: h.id == selected?.id)
        }
        let chosen = form.map { Set($0.all("kinds")) } ?? Set(AlertKind.allCases.map(\.rawValue))
        let log = selected.map { h in
            Model.Log(name: h.name, webhookID: h.id, deliveries: deliveries.map { d in
                Model.Delivery(id: d.id, alertID: d.alertID, status: t["webhook_status_\(d.status.rawValue)"], statusClass: d.status.rawValue,
                               attempts: d.attempts, lastCode: d.lastStatusCode.map(String.init) ?? "–", lastError: d.lastError ?? "",
                               lastAttempt: formatTime(d.lastAttemptAt, lang), nextAttempt: d.status == .pending ? formatTime(d.nextAttemptAt, lang) : "–",
                               sent: formatTime(d.sentAt, lang), resentFrom: d.resentFrom.map { "#\($0)" } ?? "")
            }, active: h.active)
        }
        return Model(rows: rows, units: Option.units(tree, selected: form.flatMap { Int64($0.text("unit_id")) }),
                     kinds: AlertKind.allCases.map { Model.KindOption(value: $0.rawValue, label: AlertText.kindLabel($0, t), checked: chosen.contains($0.rawValue)) },
                     newSecret: newSecret, errors: errors.labelled(labels, t), name: form?.text("name") ?? "", url: form?.text("url") ?? "", log: log)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .webhooks, .admin, "Webhooks") { req, ctx in
            let secret = RevealOnce.take(req)
            var selected: Int64?
            if let q = req.uri.queryParameters.get("id") {
                guard let v = Int64(q) else { throw AppError.notFound }
                selected = v
            }
            var resp = try await render(s, ctx, selected: selected, form: nil, newSecret: secret, errors: [])
            if secret != nil { RevealOnce.clear(&resp, path: .webhooks, secure: s.config.secureCookies) }
            return resp
        }
        r.page(.post, .webhooks, .admin, "Create webhook") { _, ctx in
            let form = ctx.formData
            let t = s.views.strings(ctx.language)
            guard let unit = Int64(form.text("unit_id")) else {
                return try await render(s, ctx, selected: nil, form: form, newSecret: nil,
                                        errors: [FieldError(field: "unit_id", message: t["err_required"])], status: .badRequest)
            }
            let kinds = form.all("kinds").compactMap(AlertKind.init(rawValue:))
            let created: (webhook: WebhookRecord, secret: String)
            do {
                created = try await s.store.createWebhook(unitID: unit, name: form.text("name"), url: form.text("url"), kinds: kinds,
                                                          allowPrivate: s.config.webhookAllowPrivate, by: ctx.actor)
            } catch let e as StoreError {
                return try await render(s, ctx, selected: nil, form: form, newSecret: nil, errors: fieldErrors(e, t), status: .badRequest)
            }
            return RevealOnce.redirect(to: .webhooks, secret: created.secret, flash: t["webhook_created"], secure: s.config.secureCookies)
        }
        r.page(.post, .webhookDeactivate, .admin, "Deactivate webhook") { _, ctx in
            guard let id = Int64(ctx.formData.text("webhook_id")) else { throw AppError.badRequest("webhook_id") }
            try await s.store.deactivateWebhook(id: id, by: ctx.actor)
            return .seeOther(SiteURL.webhooks.path(query: ["id": "\(id)"]), flash: s.views.strings(ctx.language)["webhook_deactivated"],
                             secure: s.config.secureCookies)
        }
        r.page(.post, .webhookResend, .admin, "Re-send a webhook delivery") { _, ctx in
            guard let id = Int64(ctx.formData.text("delivery_id")) else { throw AppError.badRequest("delivery_id") }
            let d = try await s.store.resendDelivery(id: id, by: ctx.actor)
            return .seeOther(SiteURL.webhooks.path(query: ["id": "\(d.webhookID)"]), flash: s.views.strings(ctx.language)["webhook_resent"],
                             secure: s.config.secureCookies)
        }
    }

    static func render(_ s: AppServices, _ ctx: UserContext, selected: Int64?, form: FormData?, newSecret: String?, errors: [FieldError],
                       status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        var hook: WebhookRecord?
        var deliveries: [WebhookDelivery] = []
        if let selected {
            hook = try await s.store.webhook(id: selected)
            deliveries = try await s.store.webhookDeliveries(webhookID: selected, limit: 200)
        }
        let m = model(hooks: try await s.store.webhooks(), tree: try await s.store.orgTree(), selected: hook, deliveries: deliveries,
                      form: form, newSecret: newSecret, errors: errors, t: t)
        return .html(s.views.render("webhooks", title: t["webhooks_title"], page: m, context: ctx, active: .webhooks), status: status)
    }
}

/// Registers the alert pages.
enum AlertPages {
    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        AlertRulesPage.register(r, s)
        NotificationsPage.register(r, s)
        WebhookPage.register(r, s)
    }
}
