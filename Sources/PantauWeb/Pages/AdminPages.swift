import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

struct UnitListModel {
    struct Row { let id: Int64; let code: String; let name: String; let level: String; let head: String; let indent: Int; let editable: Bool }
    let rows: [Row]
    let canEdit: Bool
}

struct Option {
    let value: String
    let label: String
    let selected: Bool

    /// The organisation tree as indented `<select>` options ("— " per level), optionally limited
    /// to `visible` units.
    static func units(_ tree: OrgTree, selected: Int64?, visible: (Int64) -> Bool = { _ in true }) -> [Option] {
        tree.flattened().filter { visible($0.unit.id) }.map { u, d in
            Option(value: "\(u.id)", label: String(repeating: "— ", count: d) + u.name, selected: u.id == selected)
        }
    }
}

struct UnitFormModel {
    let action: String
    let isNew: Bool
    let code: String
    let name: String
    let headName: String
    let headNIP: String
    let parents: [Option]
    let levels: [Option]
    let errors: [FieldError]
}

struct UserListModel {
    struct Row { let id: Int64; let username: String; let name: String; let role: String; let unit: String; let active: Bool; let lastLogin: String }
    let rows: [Row]
}

struct UserFormModel {
    let action: String
    let isNew: Bool
    let id: Int64
    let username: String
    let displayName: String
    let roles: [Option]
    let units: [Option]
    let languages: [Option]
    let active: Bool
    let errors: [FieldError]
    /// Shown once after creating a user or resetting a password.
    let oneTimePassword: String?
}

struct TokenListModel {
    struct Row { let id: Int64; let name: String; let prefix: String; let unit: String; let created: String; let lastUsed: String; let revoked: Bool }
    let rows: [Row]
    let units: [Option]
    let newToken: String?
    let errors: [FieldError]
}

struct AuditListModel {
    struct Row { let seq: Int64; let at: String; let actor: String; let action: String; let entity: String; let entityID: String; let old: String; let new: String }
    let rows: [Row]
    let entity: String
    let page: Int
    let pageCount: Int
    let prevHref: String?
    let nextHref: String?
    let verification: String?
    let verificationOK: Bool
}

func formatTime(_ d: Date?, _ lang: Language) -> String {
    guard let d else { return "–" }
    let f = DateFormatter()
    f.locale = Locale(identifier: lang == .id ? "id_ID" : "en_GB")
    f.timeZone = .wib
    f.dateFormat = "dd-MM-yyyy HH:mm"
    return f.string(from: d) + " WIB"
}

/// Units, users, API tokens and the audit trail.
enum AdminPages {
    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        // MARK: Units
        r.page(.get, "/units", .unitRead, "Organisation units") { _, ctx in
            let t = s.views.strings(ctx.language)
            let tree = try await s.store.orgTree()
            let isAdmin = ctx.user?.role == .admin
            let rows = tree.flattened().map { u, d in
                UnitListModel.Row(id: u.id, code: u.code, name: u.name, level: t["level_\(u.level.rawValue)"],
                                  head: u.headName, indent: d, editable: isAdmin)
            }
            return .html(s.views.render("units", title: t["nav_units"], page: UnitListModel(rows: rows, canEdit: isAdmin), context: ctx, active: .units))
        }
        r.page(.get, "/units/new", .admin, "New unit form") { req, ctx in
            let parent = req.uri.queryParameters.get("parent").flatMap { Int64($0) }
            return try await unitForm(s, ctx, id: nil, input: UnitInput(parentID: parent, code: "", name: "", level: .unitKerja), errors: [])
        }
        r.page(.post, "/units", .admin, "Create unit") { _, ctx in
            let input = unitInput(ctx.form ?? FormData(""))
            do {
                _ = try await s.store.createUnit(input, by: ctx.identity!.auditActor)
                return .seeOther("/units", flash: s.views.strings(ctx.language)["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await unitForm(s, ctx, id: nil, input: input, errors: fieldErrors(e), status: .badRequest)
            }
        }
        r.page(.get, "/units/:id/edit", .admin, "Edit unit form") { _, ctx in
            let id = try ctx.int64("id")
            let u = try await s.store.unit(id: id)
            return try await unitForm(s, ctx, id: id, input: UnitInput(parentID: u.parentID, code: u.code, name: u.name, level: u.level, headName: u.headName, headNIP: u.headNIP), errors: [])
        }
        r.page(.post, "/units/:id", .admin, "Update unit") { _, ctx in
            let id = try ctx.int64("id")
            _ = try await s.store.unit(id: id)
            let input = unitInput(ctx.form ?? FormData(""))
            do {
                _ = try await s.store.updateUnit(id: id, input, by: ctx.identity!.auditActor)
                return .seeOther("/units", flash: s.views.strings(ctx.language)["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await unitForm(s, ctx, id: id, input: input, errors: fieldErrors(e), status: .badRequest)
            }
        }

        // MARK: Users
        r.page(.get, "/users", .admin, "Users") { _, ctx in
            let t = s.views.strings(ctx.language)
            let tree = try await s.store.orgTree()
            let rows = try await s.store.users().map { u in
                UserListModel.Row(id: u.id, username: u.username, name: u.displayName, role: t["role_\(u.role.rawValue)"],
                                  unit: u.unitID.flatMap { tree.unit($0)?.name } ?? t["all_units"], active: u.active,
                                  lastLogin: formatTime(u.lastLoginAt, ctx.language))
            }
            return .html(s.views.render("users", title: t["nav_users"], page: UserListModel(rows: rows), context: ctx, active: .users))
        }
        r.page(.get, "/users/new", .admin, "New user form") { _, ctx in
            try await userForm(s, ctx, id: nil, input: UserInput(username: "", displayName: "", role: .officer, unitID: nil), errors: [])
        }
        r.page(.post, "/users", .admin, "Create user") { _, ctx in
            let input = userInput(ctx.form ?? FormData(""))
            let pw = Secrets.oneTimePassword()
            do {
                let u = try await s.store.createUser(input, passwordHash: Secrets.hashPassword(pw, cost: s.config.passwordCost),
                                                     mustChangePassword: true, by: ctx.identity!.auditActor)
                return try await userForm(s, ctx, id: u.id, input: input, errors: [], oneTimePassword: pw)
            } catch let e as StoreError {
                return try await userForm(s, ctx, id: nil, input: input, errors: fieldErrors(e), status: .badRequest)
            }
        }
        r.page(.get, "/users/:id/edit", .admin, "Edit user form") { _, ctx in
            let u = try await s.store.user(id: try ctx.int64("id"))
            return try await userForm(s, ctx, id: u.id, input: UserInput(username: u.username, displayName: u.displayName, role: u.role, unitID: u.unitID, language: u.language, active: u.active), errors: [])
        }
        r.page(.post, "/users/:id", .admin, "Update user") { _, ctx in
            let id = try ctx.int64("id")
            _ = try await s.store.user(id: id)
            let input = userInput(ctx.form ?? FormData(""))
            if id == ctx.user?.id && (!input.active || input.role != .admin) {
                return try await userForm(s, ctx, id: id, input: input, errors: [FieldError(field: "role", message: s.views.strings(ctx.language)["user_self_demote"])], status: .badRequest)
            }
            do {
                _ = try await s.store.updateUser(id: id, input, by: ctx.identity!.auditActor)
                return .seeOther("/users", flash: s.views.strings(ctx.language)["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await userForm(s, ctx, id: id, input: input, errors: fieldErrors(e), status: .badRequest)
            }
        }
        r.page(.post, "/users/:id/password", .admin, "Reset a user's password") { _, ctx in
            let u = try await s.store.user(id: try ctx.int64("id"))
            let pw = Secrets.oneTimePassword()
            try await s.store.setPassword(userID: u.id, passwordHash: Secrets.hashPassword(pw, cost: s.config.passwordCost), mustChange: true, by: ctx.identity!.auditActor)
            return try await userForm(s, ctx, id: u.id, input: UserInput(username: u.username, displayName: u.displayName, role: u.role, unitID: u.unitID, language: u.language, active: u.active), errors: [], oneTimePassword: pw)
        }

        // MARK: API tokens
        r.page(.get, "/tokens", .admin, "API tokens") { _, ctx in try await tokenPage(s, ctx, newToken: nil, errors: []) }
        r.page(.post, "/tokens", .admin, "Create API token") { _, ctx in
            let form = ctx.form ?? FormData("")
            guard let unit = Int64(form.text("unit_id")) else {
                return try await tokenPage(s, ctx, newToken: nil, errors: [FieldError(field: "unit_id", message: s.views.strings(ctx.language)["err_required"])], status: .badRequest)
            }
            let token = "pnt_" + Secrets.randomToken()
            do {
                _ = try await s.store.createAPIToken(name: form.text("name"), prefix: String(token.prefix(10)), tokenHash: Secrets.sha256(token), unitID: unit, by: ctx.identity!.auditActor)
            } catch let e as StoreError {
                return try await tokenPage(s, ctx, newToken: nil, errors: fieldErrors(e), status: .badRequest)
            }
            return try await tokenPage(s, ctx, newToken: token, errors: [])
        }
        r.page(.post, "/tokens/:id/revoke", .admin, "Revoke API token") { _, ctx in
            try await s.store.revokeAPIToken(id: try ctx.int64("id"), by: ctx.identity!.auditActor)
            return .seeOther("/tokens", flash: s.views.strings(ctx.language)["token_revoked"], secure: s.config.secureCookies)
        }

        // MARK: Audit trail
        r.page(.get, "/audit", .auditRead, "Audit trail") { req, ctx in
            let t = s.views.strings(ctx.language)
            let entity = req.uri.queryParameters.get("entity").flatMap { $0.isEmpty ? nil : $0 }
            let page = Int(req.uri.queryParameters.get("page") ?? "1") ?? 1
            let p = try await s.store.auditEntries(entity: entity, page: page, perPage: 50)
            var verification: String?
            var ok = true
            if req.uri.queryParameters.get("verify") == "1" {
                let v = try await s.store.verifyAudit()
                verification = v.description
                ok = v.ok
            }
            func short(_ s: String?) -> String {
                guard let s else { return "" }
                return s.count > 240 ? String(s.prefix(240)) + "…" : s
            }
            let rows = p.items.map {
                AuditListModel.Row(seq: $0.seq, at: formatTime(Date(timeIntervalSince1970: $0.at), ctx.language), actor: $0.actor,
                                   action: $0.action, entity: $0.entity, entityID: $0.entityID, old: short($0.oldValue), new: short($0.newValue))
            }
            let q = entity.map { "&entity=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? ""
            let model = AuditListModel(rows: rows, entity: entity ?? "", page: p.page, pageCount: p.pageCount,
                                       prevHref: p.hasPrevious ? "/audit?page=\(p.page - 1)\(q)" : nil,
                                       nextHref: p.hasNext ? "/audit?page=\(p.page + 1)\(q)" : nil,
                                       verification: verification, verificationOK: ok)
            return .html(s.views.render("audit", title: t["nav_audit"], page: model, context: ctx, active: .audit))
        }
    }

    static func unitInput(_ f: FormData) -> UnitInput {
        UnitInput(parentID: Int64(f.text("parent_id")), code: f.text("code"), name: f.text("name"),
                  level: UnitLevel(rawValue: f.text("level")) ?? .unitKerja, headName: f.text("head_name"), headNIP: f.text("head_nip"))
    }

    static func userInput(_ f: FormData) -> UserInput {
        UserInput(username: f.text("username"), displayName: f.text("display_name"), role: Role(rawValue: f.text("role")) ?? .officer,
                  unitID: Int64(f.text("unit_id")), language: Language(rawValue: f.text("language")) ?? .id, active: f["active"] == "1")
    }

    static func unitForm(_ s: AppServices, _ ctx: PantauRequestContext, id: Int64?, input: UnitInput, errors: [FieldError], status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let tree = try await s.store.orgTree()
        let excluded = id.map { tree.subtree(of: $0) } ?? []
        var parents = [Option(value: "", label: t["unit_no_parent"], selected: input.parentID == nil)]
        parents += Option.units(tree, selected: input.parentID) { !excluded.contains($0) }
        let levels = UnitLevel.allCases.map { Option(value: $0.rawValue, label: t["level_\($0.rawValue)"], selected: $0 == input.level) }
        let model = UnitFormModel(action: id.map { "/units/\($0)" } ?? "/units", isNew: id == nil, code: input.code, name: input.name,
                                  headName: input.headName, headNIP: input.headNIP, parents: parents, levels: levels, errors: errors)
        return .html(s.views.render("unit_form", title: t[id == nil ? "unit_new" : "unit_edit"], page: model, context: ctx, active: .units), status: status)
    }

    static func userForm(_ s: AppServices, _ ctx: PantauRequestContext, id: Int64?, input: UserInput, errors: [FieldError],
                         oneTimePassword: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let tree = try await s.store.orgTree()
        let roles = Role.allCases.map { Option(value: $0.rawValue, label: t["role_\($0.rawValue)"], selected: $0 == input.role) }
        var units = [Option(value: "", label: t["all_units"], selected: input.unitID == nil)]
        units += Option.units(tree, selected: input.unitID)
        let langs = Language.allCases.map { Option(value: $0.rawValue, label: $0 == .id ? "Bahasa Indonesia" : "English", selected: $0 == input.language) }
        let model = UserFormModel(action: id.map { "/users/\($0)" } ?? "/users", isNew: id == nil, id: id ?? 0, username: input.username,
                                  displayName: input.displayName, roles: roles, units: units, languages: langs, active: input.active,
                                  errors: errors, oneTimePassword: oneTimePassword)
        return .html(s.views.render("user_form", title: t[id == nil ? "user_new" : "user_edit"], page: model, context: ctx, active: .users), status: status)
    }

    static func tokenPage(_ s: AppServices, _ ctx: PantauRequestContext, newToken: String?, errors: [FieldError], status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let tree = try await s.store.orgTree()
        let rows = try await s.store.apiTokens().map { tk in
            TokenListModel.Row(id: tk.id, name: tk.name, prefix: tk.prefix, unit: tree.unit(tk.unitID)?.name ?? "?",
                               created: formatTime(tk.createdAt, ctx.language), lastUsed: formatTime(tk.lastUsedAt, ctx.language), revoked: tk.revokedAt != nil)
        }
        let units = Option.units(tree, selected: nil)
        return .html(s.views.render("tokens", title: t["nav_tokens"], page: TokenListModel(rows: rows, units: units, newToken: newToken, errors: errors), context: ctx, active: .tokens), status: status)
    }
}

/// Field errors for a form from a store error (other errors propagate).
func fieldErrors(_ e: StoreError) -> [FieldError] {
    switch e.appError {
    case let .invalid(f), let .conflict(f): return f
    default: return [FieldError(field: "", message: e.description)]
    }
}

extension PantauRequestContext {
    func int64(_ name: String) throws -> Int64 {
        guard let v = parameters.get(name), let n = Int64(v) else { throw AppError.notFound }
        return n
    }
    func int(_ name: String) throws -> Int {
        guard let v = parameters.get(name), let n = Int(v) else { throw AppError.notFound }
        return n
    }
}
