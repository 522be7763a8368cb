import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// `/users`: every account (admins).
enum UserListPage {
    struct Model {
        struct Row { let username: String; let name: String; let role: String; let unit: String; let active: Bool; let lastLogin: String; let editHref: String }
        let rows: [Row]
        let newHref = SiteURL.userNew.path
    }

    /// Pure.
    static func model(users: [UserRecord], tree: OrgTree, t: Strings) -> Model {
        Model(rows: users.map { u in
            Model.Row(username: u.username, name: u.displayName, role: t["role_\(u.role.rawValue)"],
                      unit: u.unitID.flatMap { tree.unit($0)?.name } ?? t["all_units"], active: u.active,
                      lastLogin: formatTime(u.lastLoginAt, t.language), editHref: SiteURL.userEdit(u.id).path)
        })
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .users, .admin, "Users") { _, ctx in
            let t = s.views.strings(ctx.language)
            let m = model(users: try await s.store.users(), tree: try await s.store.orgTree(), t: t)
            return .html(s.views.render("users", title: t["nav_users"], page: m, context: ctx, active: .users))
        }
    }
}

/// `/users/new`, `/users/{id}/edit`: create or change an account; reset its password. A new
/// account's one-time password is shown once, after the redirect that follows the POST.
enum UserFormPage {
    struct Model {
        let action: String
        let resetAction: String?
        let cancelHref = SiteURL.users.path
        let isNew: Bool
        let username: String
        let displayName: String
        let roles: [Option]
        let units: [Option]
        let languages: [Option]
        let active: Bool
        let errors: [FieldError]
        let invalid: [String: Bool]
        /// Shown once after creating a user or resetting a password.
        let oneTimePassword: String?
    }

    static let labels = ["username": "username", "display_name": "user_name", "role": "user_role", "unit_id": "user_unit",
                         "language": "user_language", "active": "user_active"]

    /// Pure.
    static func model(id: Int64?, input: UserInput, tree: OrgTree, errors: [FieldError], oneTimePassword: String?, t: Strings) -> Model {
        let roles = Role.allCases.map { Option(value: $0.rawValue, label: t["role_\($0.rawValue)"], selected: $0 == input.role) }
        var units = [Option(value: "", label: t["all_units"], selected: input.unitID == nil)]
        units += Option.units(tree, selected: input.unitID)
        let langs = Language.allCases.map { Option(value: $0.rawValue, label: $0 == .id ? "Bahasa Indonesia" : "English", selected: $0 == input.language) }
        return Model(action: id.map { SiteURL.user($0).path } ?? SiteURL.users.path, resetAction: id.map { SiteURL.userPassword($0).path },
                     isNew: id == nil, username: input.username, displayName: input.displayName, roles: roles, units: units,
                     languages: langs, active: input.active, errors: errors.labelled(labels, t),
                     invalid: Dictionary(errors.map { ($0.field, true) }, uniquingKeysWith: { a, _ in a }), oneTimePassword: oneTimePassword)
    }

    static func input(_ f: FormData) -> UserInput {
        UserInput(username: f.text("username"), displayName: f.text("display_name"), role: Role(rawValue: f.text("role")) ?? .officer,
                  unitID: Int64(f.text("unit_id")), language: Language(rawValue: f.text("language")) ?? .id, active: f["active"] == "1")
    }

    static func input(_ u: UserRecord) -> UserInput {
        UserInput(username: u.username, displayName: u.displayName, role: u.role, unitID: u.unitID, language: u.language, active: u.active)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .userNew, .admin, "New user form") { _, ctx in
            try await render(s, ctx, id: nil, input: UserInput(username: "", displayName: "", role: .officer, unitID: nil), errors: [])
        }
        r.page(.post, .users, .admin, "Create user") { _, ctx in
            let input = input(ctx.formData)
            let t = s.views.strings(ctx.language)
            let pw = Secrets.oneTimePassword()
            do {
                let u = try await s.store.createUser(input, passwordHash: try await Secrets.hashPassword(pw, cost: s.config.passwordCost),
                                                     mustChangePassword: true, by: ctx.actor)
                return RevealOnce.redirect(to: .userEdit(u.id), secret: pw, flash: t["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await render(s, ctx, id: nil, input: input, errors: fieldErrors(e, t), status: .badRequest)
            }
        }
        r.page(.get, .userEdit(.key), .admin, "Edit user form") { req, ctx in
            let u = try await s.store.user(id: try ctx.int64("id"))
            let secret = RevealOnce.take(req)
            var resp = try await render(s, ctx, id: u.id, input: input(u), errors: [], oneTimePassword: secret)
            if secret != nil { RevealOnce.clear(&resp, path: .userEdit(u.id), secure: s.config.secureCookies) }
            return resp
        }
        r.page(.post, .user(.key), .admin, "Update user") { _, ctx in
            let id = try ctx.int64("id")
            _ = try await s.store.user(id: id)
            let t = s.views.strings(ctx.language)
            let input = input(ctx.formData)
            if id == ctx.user.id && (!input.active || input.role != .admin) {
                return try await render(s, ctx, id: id, input: input, errors: [FieldError(field: "role", message: t["user_self_demote"])], status: .badRequest)
            }
            do {
                _ = try await s.store.updateUser(id: id, input, by: ctx.actor)
                return .seeOther(.users, flash: t["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await render(s, ctx, id: id, input: input, errors: fieldErrors(e, t), status: .badRequest)
            }
        }
        r.page(.post, .userPassword(.key), .admin, "Reset a user's password") { _, ctx in
            let u = try await s.store.user(id: try ctx.int64("id"))
            let pw = Secrets.oneTimePassword()
            try await s.store.setPassword(userID: u.id, passwordHash: try await Secrets.hashPassword(pw, cost: s.config.passwordCost), mustChange: true, by: ctx.actor)
            return RevealOnce.redirect(to: .userEdit(u.id), secret: pw, flash: s.views.strings(ctx.language)["user_password_reset"], secure: s.config.secureCookies)
        }
    }

    static func render(_ s: AppServices, _ ctx: UserContext, id: Int64?, input: UserInput, errors: [FieldError],
                       oneTimePassword: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let m = model(id: id, input: input, tree: try await s.store.orgTree(), errors: errors, oneTimePassword: oneTimePassword, t: t)
        return .html(s.views.render("user_form", title: t[id == nil ? "user_new" : "user_edit"], page: m, context: ctx, active: .users), status: status)
    }
}
