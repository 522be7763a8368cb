import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// `/sops/new` and `/sops/:id/edit`: the SOP editor, and saving it. A form with errors comes back
/// with everything typed, every error at once (linked to its input, named by its label) and the
/// inputs marked `aria-invalid`, in the signed-in layout.
enum SOPEditorPage {
    struct Model {
        let action: String
        let cancelHref: String
        let isNew: Bool
        let units: [Option]
        let identity: [String: String]
        /// Identity inputs with an error (by input id).
        let invalid: [String: Bool]
        let types: [Option]
        let classes: [Option]
        let actors: [SOPForm.ActorRow]
        let steps: [SOPForm.StepRow]
        let changeNote: String
        let errors: [FieldError]
        let newVersionNotice: Bool
        let yamlHref: String?
        let scriptHref = SiteURL.sopFormScript.path
    }

    /// The page model from the form (pure): `errors` are already labelled; the form's rows are
    /// marked from them and padded with blank rows.
    static func model(form f: SOPForm, sopID: Int64?, units: [Option], errors: [FieldError], newVersion: Bool, t: Strings) -> Model {
        var form = f
        form.mark(errors)
        form.padRows(t)
        let types = SOPType.allCases.map { Option(value: $0.rawValue, label: t["type_\($0.rawValue)"], selected: $0.rawValue == form.identity["jenis"]) }
        let classes = ActivityClass.allCases.map { Option(value: $0.rawValue, label: t["class_\($0.rawValue)"], selected: $0.rawValue == form.identity["kelas"]) }
        return Model(
            action: sopID.map { SiteURL.sop($0).path } ?? SiteURL.sops.path, cancelHref: sopID.map { SiteURL.sop($0).path } ?? SiteURL.sops.path,
            isNew: sopID == nil, units: units, identity: form.identity, invalid: form.invalidIdentity, types: types, classes: classes,
            actors: form.actors, steps: form.steps, changeNote: form.changeNote, errors: errors, newVersionNotice: newVersion,
            yamlHref: sopID.map { SiteURL.sopExport($0).path(query: ["format": "yaml"]) })
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .sopNew, .sopWrite, "New SOP form") { _, ctx in
            let t = s.views.strings(ctx.language)
            let blank = SOPDocument(identity: SOPIdentity(unitName: "", number: "", title: ""), actors: [], steps: [])
            let form = SOPForm(document: blank, unitID: ctx.user.unitID, t: t)
            return try await render(s, ctx, form: form, sopID: nil, errors: [], newVersion: false)
        }

        r.page(.post, .sops, .sopWrite, "Create SOP") { _, ctx in
            let t = s.views.strings(ctx.language)
            let form = SOPForm(form: ctx.formData, t: t)
            if let unitID = form.unitID { try await SOPPages.requireScope(s, ctx, unit: unitID) }
            switch form.document(t) {
            case let .failure(fe):
                return try await render(s, ctx, form: form, sopID: nil, errors: fe.list, newVersion: false, status: .badRequest)
            case let .success(doc):
                guard let unitID = form.unitID else { throw AppError.badRequest("unit_id") }
                do {
                    let rec = try await s.store.createSOP(unitID: unitID, document: doc, changeNote: form.changeNote, by: ctx.actor)
                    return .seeOther(.sop(rec.id), flash: t["saved"], secure: s.config.secureCookies)
                } catch let e as StoreError {
                    return try await render(s, ctx, form: form, sopID: nil, errors: SOPMessages.fieldErrors(e, document: doc, t: t),
                                            newVersion: false, status: .badRequest)
                }
            }
        }

        r.page(.get, .sopEdit(.key), .sopWrite, "Edit SOP form") { _, ctx in
            let (rec, _) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let v = try await s.store.version(sopID: rec.id, version: rec.latestVersion)
            guard v.status != .archived else { throw AppError.conflict([FieldError(field: "status", message: t["sop_archived_readonly"])]) }
            let form = SOPForm(document: v.document, unitID: rec.unitID, t: t)
            return try await render(s, ctx, form: form, sopID: rec.id, errors: [], newVersion: !v.status.isEditable)
        }

        r.page(.post, .sop(.key), .sopWrite, "Save SOP (edits a draft, or makes a new version of an effective SOP)") { _, ctx in
            let (rec, _) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            var form = SOPForm(form: ctx.formData, t: t)
            form.unitID = rec.unitID
            let latest = try await s.store.version(sopID: rec.id, version: rec.latestVersion)
            switch form.document(t) {
            case let .failure(fe):
                return try await render(s, ctx, form: form, sopID: rec.id, errors: fe.list, newVersion: !latest.status.isEditable, status: .badRequest)
            case let .success(doc):
                do {
                    let v = try await s.store.saveSOP(id: rec.id, document: doc, changeNote: form.changeNote, by: ctx.actor)
                    let msg = v.version != latest.version ? t.format("sop_new_version_made", v.version) : t["saved"]
                    return .seeOther(SiteURL.sop(rec.id).path(query: ["v": String(v.version)]), flash: msg, secure: s.config.secureCookies)
                } catch let e as StoreError {
                    return try await render(s, ctx, form: form, sopID: rec.id, errors: SOPMessages.fieldErrors(e, document: doc, t: t),
                                            newVersion: !latest.status.isEditable, status: .badRequest)
                }
            }
        }
    }

    static func render(_ s: AppServices, _ ctx: UserContext, form: SOPForm, sopID: Int64?, errors: [FieldError], newVersion: Bool,
                       status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let units = try await SOPPages.unitOptions(s, ctx, selected: form.unitID)
        let m = model(form: form, sopID: sopID, units: units, errors: errors, newVersion: newVersion, t: t)
        return .html(s.views.render("sop_form", title: t[sopID == nil ? "sop_new" : "sop_edit"], page: m, context: ctx, active: .sops),
                     status: status)
    }
}
