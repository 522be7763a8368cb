import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// `/tokens`: API tokens of integrations, each limited to a unit subtree, optionally read-only
/// and with an expiry date. A new token is shown once, after the redirect that follows the POST.
enum TokenPage {
    struct Model {
        struct Row {
            let name: String; let prefix: String; let unit: String; let created: String; let lastUsed: String
            let expires: String; let access: String; let state: String; let revokeAction: String?
        }
        let action = SiteURL.tokens.path
        let rows: [Row]
        let units: [Option]
        let newToken: String?
        let errors: [FieldError]
        let name: String
        let expiresOn: String
        let readOnly: Bool
    }

    static let labels = ["name": "token_name", "unit_id": "token_unit", "expires_on": "token_expires", "read_only": "token_read_only"]

    /// Pure.
    static func model(tokens: [APITokenRecord], tree: OrgTree, now: Date, form: FormData?, newToken: String?, errors: [FieldError], t: Strings) -> Model {
        let lang = t.language
        let rows = tokens.map { tk in
            let expired = tk.expiresAt.map { $0 <= now } ?? false
            let state = tk.revokedAt != nil ? t["token_revoked"] : expired ? t["token_expired"] : t["token_active"]
            return Model.Row(name: tk.name, prefix: tk.prefix, unit: tree.unit(tk.unitID)?.name ?? "?", created: formatTime(tk.createdAt, lang),
                             lastUsed: formatTime(tk.lastUsedAt, lang), expires: tk.expiresAt.map { CivilDate($0).description } ?? t["token_no_expiry"],
                             access: tk.readOnly ? t["token_read_only"] : t["token_read_write"], state: state,
                             revokeAction: tk.revokedAt == nil && !expired ? SiteURL.tokenRevoke(tk.id).path : nil)
        }
        let selected = form.flatMap { Int64($0.text("unit_id")) }
        return Model(rows: rows, units: Option.units(tree, selected: selected), newToken: newToken, errors: errors.labelled(labels, t),
                     name: form?.text("name") ?? "", expiresOn: form?.text("expires_on") ?? "", readOnly: form?["read_only"] == "1")
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .tokens, .admin, "API tokens") { req, ctx in
            let secret = RevealOnce.take(req)
            var resp = try await render(s, ctx, form: nil, newToken: secret, errors: [])
            if secret != nil { RevealOnce.clear(&resp, path: .tokens, secure: s.config.secureCookies) }
            return resp
        }
        r.page(.post, .tokens, .admin, "Create API token") { _, ctx in
            let form = ctx.formData
            let t = s.views.strings(ctx.language)
            var errors: [FieldError] = []
            let unit = Int64(form.text("unit_id"))
            if unit == nil { errors.append(FieldError(field: "unit_id", message: t["err_required"])) }
            var expires: Date?
            let expiresText = form.text("expires_on")
            if !expiresText.isEmpty {
                if let d = CivilDate(expiresText) {
                    // The token works through the whole chosen day (WIB).
                    expires = d.startOfDay(in: .wib).addingTimeInterval(86_400)
                } else {
                    errors.append(FieldError(field: "expires_on", message: t["err_date"]))
                }
            }
            guard errors.isEmpty, let unit else { return try await render(s, ctx, form: form, newToken: nil, errors: errors, status: .badRequest) }
            let token = "pnt_" + Secrets.randomToken()
            do {
                _ = try await s.store.createAPIToken(name: form.text("name"), prefix: String(token.prefix(10)), tokenHash: Secrets.sha256(token),
                                                     unitID: unit, expiresAt: expires, readOnly: form["read_only"] == "1", by: ctx.actor)
            } catch let e as StoreError {
                return try await render(s, ctx, form: form, newToken: nil, errors: fieldErrors(e, t), status: .badRequest)
            }
            return RevealOnce.redirect(to: .tokens, secret: token, flash: t["token_created"], secure: s.config.secureCookies)
        }
        r.page(.post, .tokenRevoke(.key), .admin, "Revoke API token") { _, ctx in
            try await s.store.revokeAPIToken(id: try ctx.int64("id"), by: ctx.actor)
            return .seeOther(.tokens, flash: s.views.strings(ctx.language)["token_revoked"], secure: s.config.secureCookies)
        }
    }

    static func render(_ s: AppServices, _ ctx: UserContext, form: FormData?, newToken: String?, errors: [FieldError],
                       status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let m = model(tokens: try await s.store.apiTokens(), tree: try await s.store.orgTree(), now: Date(), form: form,
                      newToken: newToken, errors: errors, t: t)
        return .html(s.views.render("tokens", title: t["nav_tokens"], page: m, context: ctx, active: .tokens), status: status)
    }
}
