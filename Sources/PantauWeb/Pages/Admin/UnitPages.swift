import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// `/units`: the organisation tree (instansi › unit kerja › sub-unit).
enum UnitListPage {
    struct Model {
        struct Row { let code: String; let name: String; let level: String; let head: String; let indent: Int; let editHref: String?; let addChildHref: String? }
        let rows: [Row]
        let newHref: String?
    }

    /// Pure: the tree as rows; edit links only for admins.
    static func model(tree: OrgTree, canEdit: Bool, t: Strings) -> Model {
        let rows = tree.flattened().map { u, d in
            Model.Row(code: u.code, name: u.name, level: t["level_\(u.level.rawValue)"], head: u.headName, indent: d,
                      editHref: canEdit ? SiteURL.unitEdit(u.id).path : nil,
                      addChildHref: canEdit ? SiteURL.unitNew.path(query: ["parent": String(u.id)]) : nil)
        }
        return Model(rows: rows, newHref: canEdit ? SiteURL.unitNew.path : nil)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .units, .unitRead, "Organisation units") { _, ctx in
            let t = s.views.strings(ctx.language)
            let m = model(tree: try await s.store.orgTree(), canEdit: ctx.user.role == .admin, t: t)
            return .html(s.views.render("units", title: t["nav_units"], page: m, context: ctx, active: .units))
        }
    }
}

/// `/units/new`, `/units/{id}/edit`: create or change a unit (admins).
enum UnitFormPage {
    struct Model {
        let action: String
        let cancelHref = SiteURL.units.path
        let isNew: Bool
        let code: String
        let name: String
        let headName: String
        let headNIP: String
        let parents: [Option]
        let levels: [Option]
        let errors: [FieldError]
    }

    /// Form fields and the catalog keys of their labels.
    static let labels = ["code": "unit_code", "name": "unit_name", "parent_id": "unit_parent", "level": "unit_level",
                         "head_name": "unit_head", "head_nip": "unit_head_nip"]

    /// Pure: the form for `input` (a unit cannot move under itself or its own sub-units).
    static func model(id: Int64?, input: UnitInput, tree: OrgTree, errors: [FieldError], t: Strings) -> Model {
        let excluded = id.map { tree.subtree(of: $0) } ?? []
        var parents = [Option(value: "", label: t["unit_no_parent"], selected: input.parentID == nil)]
        parents += Option.units(tree, selected: input.parentID) { !excluded.contains($0) }
        let levels = UnitLevel.allCases.map { Option(value: $0.rawValue, label: t["level_\($0.rawValue)"], selected: $0 == input.level) }
        return Model(action: id.map { SiteURL.unit($0).path } ?? SiteURL.units.path, isNew: id == nil, code: input.code, name: input.name,
                     headName: input.headName, headNIP: input.headNIP, parents: parents, levels: levels,
                     errors: errors.labelled(labels, t))
    }

    static func input(_ f: FormData) -> UnitInput {
        UnitInput(parentID: Int64(f.text("parent_id")), code: f.text("code"), name: f.text("name"),
                  level: UnitLevel(rawValue: f.text("level")) ?? .unitKerja, headName: f.text("head_name"), headNIP: f.text("head_nip"))
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .unitNew, .admin, "New unit form") { req, ctx in
            let parent = req.uri.queryParameters.get("parent").flatMap { Int64($0) }
            return try await render(s, ctx, id: nil, input: UnitInput(parentID: parent, code: "", name: "", level: .unitKerja), errors: [])
        }
        r.page(.post, .units, .admin, "Create unit") { _, ctx in
            let input = input(ctx.formData)
            do {
                _ = try await s.store.createUnit(input, by: ctx.actor)
                return .seeOther(.units, flash: s.views.strings(ctx.language)["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await render(s, ctx, id: nil, input: input, errors: fieldErrors(e, s.views.strings(ctx.language)), status: .badRequest)
            }
        }
        r.page(.get, .unitEdit(.key), .admin, "Edit unit form") { _, ctx in
            let id = try ctx.int64("id")
            let u = try await s.store.unit(id: id)
            return try await render(s, ctx, id: id, input: UnitInput(parentID: u.parentID, code: u.code, name: u.name, level: u.level,
                                                                     headName: u.headName, headNIP: u.headNIP), errors: [])
        }
        r.page(.post, .unit(.key), .admin, "Update unit") { _, ctx in
            let id = try ctx.int64("id")
            _ = try await s.store.unit(id: id)
            let input = input(ctx.formData)
            do {
                _ = try await s.store.updateUnit(id: id, input, by: ctx.actor)
                return .seeOther(.units, flash: s.views.strings(ctx.language)["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await render(s, ctx, id: id, input: input, errors: fieldErrors(e, s.views.strings(ctx.language)), status: .badRequest)
            }
        }
    }

    static func render(_ s: AppServices, _ ctx: UserContext, id: Int64?, input: UnitInput, errors: [FieldError],
                       status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let m = model(id: id, input: input, tree: try await s.store.orgTree(), errors: errors, t: t)
        return .html(s.views.render("unit_form", title: t[id == nil ? "unit_new" : "unit_edit"], page: m, context: ctx, active: .units), status: status)
    }
}
