import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// `/sops/import`: an SOP file (YAML or JSON) pasted or chosen. Errors name the line and the
/// field by its label, in the reader's language. A file whose SOP number already exists in the unit
/// is not registered twice: the page says so and offers to import it as a new version of that SOP.
enum SOPImportPage {
    struct Model {
        /// The SOP of the unit with the same number, when the import was refused for it.
        struct Existing { let number: String; let title: String; let href: String }
        let action = SiteURL.sopImport.path
        let cancelHref = SiteURL.sops.path
        let units: [Option]
        let text: String
        let formats: [Option]
        let errors: [FieldError]
        let existing: Existing?
        let asVersion: Bool
    }

    /// The page model (pure).
    static func model(units: [Option], text: String, format: SOPFileFormat, errors: [FieldError], existing: SOPRecord?,
                      asVersion: Bool) -> Model {
        let formats = SOPFileFormat.allCases.map { Option(value: $0.rawValue, label: $0.rawValue.uppercased(), selected: $0 == format) }
        return Model(units: units, text: text, formats: formats, errors: errors,
                     existing: existing.map { Model.Existing(number: $0.number, title: $0.title, href: SiteURL.sop($0.id).path) },
                     asVersion: asVersion)
    }

    /// The refusal shown when the unit already has an SOP with this number (pure).
    static func duplicateError(_ existing: SOPRecord, t: Strings) -> FieldError {
        FieldError(field: "as_version", message: t.format("sop_import_exists", existing.number, existing.title), label: t["sop_number"])
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .sopImport, .sopWrite, "Import SOP file form") { _, ctx in
            try await render(s, ctx, unitID: ctx.user.unitID, text: "", format: .yaml, errors: [])
        }

        r.page(.post, .sopImport, .sopWrite, "Import SOP file (refused when the number exists in the unit, unless imported as a new version)") { _, ctx in
            let t = s.views.strings(ctx.language)
            let f = ctx.formData
            let text = f["document"] ?? ""
            let format = SOPFileFormat(rawValue: f.text("format")) ?? .yaml
            let asVersion = f.text("as_version") == "1"
            let unitID = Int64(f.text("unit_id"))
            var errors: [FieldError] = []
            if unitID == nil { errors.append(FieldError(field: "unit_id", message: t["err_required"], label: t["unit"])) }
            if let unitID { try await SOPPages.requireScope(s, ctx, unit: unitID) }
            let doc: SOPDocument
            do throws(SOPFileError) {
                doc = try SOPFile.decode(text, format: format)
            } catch {
                errors += SOPMessages.fieldErrors(error, t: t)
                return try await render(s, ctx, unitID: unitID, text: text, format: format, errors: errors, status: .badRequest)
            }
            guard let unitID else { return try await render(s, ctx, unitID: nil, text: text, format: format, errors: errors, status: .badRequest) }
            do {
                if let existing = try await s.store.sop(unitID: unitID, number: doc.identity.number) {
                    guard asVersion else {
                        return try await render(s, ctx, unitID: unitID, text: text, format: format, errors: [duplicateError(existing, t: t)],
                                                existing: existing, status: .conflict)
                    }
                    let v = try await s.store.saveSOP(id: existing.id, document: doc, changeNote: t["sop_imported"], by: ctx.actor)
                    return .seeOther(SiteURL.sop(existing.id).path(query: ["v": String(v.version)]),
                                     flash: t.format("sop_import_as_version_done", v.version), secure: s.config.secureCookies)
                }
                let rec = try await s.store.createSOP(unitID: unitID, document: doc, changeNote: t["sop_imported"], by: ctx.actor)
                return .seeOther(.sop(rec.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                // A race with another import of the same number lands here.
                var existing: SOPRecord?
                if case let .conflict(field, _) = e, field == "identitas.nomor" {
                    existing = try await s.store.sop(unitID: unitID, number: doc.identity.number)
                }
                let errs = existing.map { [duplicateError($0, t: t)] } ?? SOPMessages.fieldErrors(e, document: doc, t: t)
                return try await render(s, ctx, unitID: unitID, text: text, format: format, errors: errs, existing: existing, status: .conflict)
            }
        }
    }

    static func render(_ s: AppServices, _ ctx: UserContext, unitID: Int64?, text: String, format: SOPFileFormat, errors: [FieldError],
                       existing: SOPRecord? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let m = model(units: try await SOPPages.unitOptions(s, ctx, selected: unitID), text: text, format: format, errors: errors,
                      existing: existing, asVersion: false)
        return .html(s.views.render("sop_import", title: t["sop_import"], page: m, context: ctx, active: .sops), status: status)
    }
}
