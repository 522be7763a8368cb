import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

struct SOPListModel {
    struct Row { let id: Int64; let number: String; let title: String; let unit: String; let status: String; let statusKey: String; let version: Int; let effective: String; let updated: String }
    let rows: [Row]
    let q: String
    let units: [Option]
    let statuses: [Option]
    let total: Int
    let page: Int
    let pageCount: Int
    let prevHref: String?
    let nextHref: String?
    let canCreate: Bool
}

struct SOPDetailModel {
    struct VersionRow { let version: Int; let status: String; let statusKey: String; let note: String; let updated: String; let effectiveFrom: String; let current: Bool; let href: String; let diffHref: String? }
    let id: Int64
    let number: String
    let title: String
    let unit: String
    let version: Int
    let status: String
    let statusKey: String
    let isLatest: Bool
    let effectiveFrom: String
    let documentHTML: String
    let versions: [VersionRow]
    let canEdit: Bool
    let canSubmit: Bool
    let canReturn: Bool
    let canApprove: Bool
    let canArchive: Bool
    let canNewVersion: Bool
    let editNotice: Bool
    let today: String
    let exportBase: String
}

struct SOPFormModel {
    let action: String
    let isNew: Bool
    let units: [Option]
    let identity: [String: String]
    let types: [Option]
    let classes: [Option]
    let actors: [SOPForm.ActorRow]
    let steps: [SOPForm.StepRow]
    let kindsTemplate: [Option]
    let changeNote: String
    let errors: [FieldError]
    let newVersionNotice: Bool
    let yamlHref: String?
}

struct SOPImportModel {
    let units: [Option]
    let text: String
    let formats: [Option]
    let errors: [FieldError]
}

struct SOPDiffModel {
    struct Row { let field: String; let kind: String; let kindKey: String; let old: String; let new: String }
    let id: Int64
    let title: String
    let from: Int
    let to: Int
    let rows: [Row]
    let versions: [Option]
    let versionsTo: [Option]
}

/// The SOP register: list, detail (the official document), editor, import, export, lifecycle
/// actions, version history and diff.
enum SOPPages {
    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, "/sops", .sopRead, "SOP list") { req, ctx in
            let t = s.views.strings(ctx.language)
            let identity = ctx.identity!
            let tree = try await s.store.orgTree()
            let scope = Scope.units(identity, tree: tree)
            let qp = req.uri.queryParameters
            let text = (qp.get("q") ?? "").trimmed
            let unitFilter = qp.get("unit").flatMap { Int64($0) }
            let status = qp.get("status").flatMap { SOPStatus(rawValue: $0) }
            let page = max(1, Int(qp.get("page") ?? "1") ?? 1)
            var unitIDs = scope
            if let u = unitFilter {
                let sub = tree.subtree(of: u)
                unitIDs = scope.map { $0.intersection(sub) } ?? sub
            }
            let result = try await s.store.sops(SOPQuery(text: text, unitIDs: unitIDs, status: status, page: page, perPage: 20))
            let rows = result.items.map { rec in
                SOPListModel.Row(id: rec.id, number: rec.number, title: rec.title, unit: tree.unit(rec.unitID)?.name ?? "",
                                 status: t["status_\(rec.latestStatus.rawValue)"], statusKey: rec.latestStatus.rawValue,
                                 version: rec.latestVersion, effective: rec.effectiveVersion.map { "v\($0)" } ?? "–",
                                 updated: formatTime(rec.updatedAt, ctx.language))
            }
            var units = [Option(value: "", label: t["all_units"], selected: unitFilter == nil)]
            units += Option.units(tree, selected: unitFilter) { scope?.contains($0) ?? true }
            var statuses = [Option(value: "", label: t["all_statuses"], selected: status == nil)]
            statuses += SOPStatus.allCases.map { Option(value: $0.rawValue, label: t["status_\($0.rawValue)"], selected: $0 == status) }
            func href(_ p: Int) -> String {
                var parts = ["page=\(p)"]
                if !text.isEmpty { parts.append("q=" + (text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")) }
                if let u = unitFilter { parts.append("unit=\(u)") }
                if let st = status { parts.append("status=\(st.rawValue)") }
                return "/sops?" + parts.joined(separator: "&")
            }
            let model = SOPListModel(rows: rows, q: text, units: units, statuses: statuses, total: result.total, page: result.page,
                                     pageCount: result.pageCount, prevHref: result.hasPrevious ? href(page - 1) : nil,
                                     nextHref: result.hasNext ? href(page + 1) : nil, canCreate: AccessRule.sopWrite.allows(identity))
            return .html(s.views.render("sops", title: t["nav_sops"], page: model, context: ctx, active: .sops))
        }

        r.page(.get, "/sops/new", .sopWrite, "New SOP form") { _, ctx in
            let t = s.views.strings(ctx.language)
            let blank = SOPDocument(identity: SOPIdentity(unitName: "", number: "", title: ""),
                                    actors: [], steps: [])
            let form = SOPForm(document: blank, unitID: ctx.user?.unitID, t: t)
            return try await formPage(s, ctx, form: form, sopID: nil, errors: [], newVersion: false)
        }

        r.page(.post, "/sops", .sopWrite, "Create SOP") { _, ctx in
            let t = s.views.strings(ctx.language)
            var form = SOPForm(form: ctx.form ?? FormData(""), t: t)
            guard let unitID = form.unitID else {
                form.padRows(t)
                return try await formPage(s, ctx, form: form, sopID: nil, errors: [FieldError(field: "unit_id", message: t["err_required"])], newVersion: false, status: .badRequest)
            }
            try await requireScope(s, ctx, unit: unitID)
            switch form.document() {
            case let .failure(fe):
                let errors = fe.list
                form.mark(errors)
                form.padRows(t)
                return try await formPage(s, ctx, form: form, sopID: nil, errors: errors, newVersion: false, status: .badRequest)
            case let .success(doc):
                do {
                    let rec = try await s.store.createSOP(unitID: unitID, document: doc, changeNote: form.changeNote, by: ctx.identity!.auditActor)
                    return .seeOther("/sops/\(rec.id)", flash: t["saved"], secure: s.config.secureCookies)
                } catch let e as StoreError {
                    form.padRows(t)
                    return try await formPage(s, ctx, form: form, sopID: nil, errors: fieldErrors(e), newVersion: false, status: .badRequest)
                }
            }
        }

        r.page(.get, "/sops/import", .sopWrite, "Import SOP file form") { _, ctx in
            try await importPage(s, ctx, unitID: ctx.user?.unitID, text: "", format: .yaml, errors: [])
        }

        r.page(.post, "/sops/import", .sopWrite, "Import SOP file") { _, ctx in
            let t = s.views.strings(ctx.language)
            let f = ctx.form ?? FormData("")
            let text = f["document"] ?? ""
            let format = SOPFileFormat(rawValue: f.text("format")) ?? .yaml
            guard let unitID = Int64(f.text("unit_id")) else {
                return try await importPage(s, ctx, unitID: nil, text: text, format: format, errors: [FieldError(field: "unit_id", message: t["err_required"])], status: .badRequest)
            }
            try await requireScope(s, ctx, unit: unitID)
            do {
                let doc = try SOPFile.decode(text, format: format)
                let rec = try await s.store.createSOP(unitID: unitID, document: doc, changeNote: t["sop_imported"], by: ctx.identity!.auditActor)
                return .seeOther("/sops/\(rec.id)", flash: t["saved"], secure: s.config.secureCookies)
            } catch let e as SOPFileError {
                var errs = [FieldError(field: e.field, message: e.description)]
                errs += e.issues.dropFirst().map { FieldError(field: $0.field, message: $0.message(ctx.language)) }
                return try await importPage(s, ctx, unitID: unitID, text: text, format: format, errors: errs, status: .badRequest)
            } catch let e as StoreError {
                return try await importPage(s, ctx, unitID: unitID, text: text, format: format, errors: fieldErrors(e), status: .badRequest)
            }
        }

        r.page(.get, "/sops/:id", .sopRead, "SOP detail: the official document") { req, ctx in
            let (rec, tree) = try await loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let versions = try await s.store.versions(sopID: rec.id)
            let wanted = req.uri.queryParameters.get("v").flatMap { Int($0) } ?? rec.latestVersion
            guard let v = versions.first(where: { $0.version == wanted }) else { throw AppError.notFound }
            let identity = ctx.identity!
            let write = AccessRule.sopWrite.allows(identity)
            let approve = AccessRule.sopApprove.allows(identity)
            let isLatest = v.version == rec.latestVersion
            let html = SOPDocumentHTML(options: .init(language: ctx.language, agencyName: tree.path(to: rec.unitID).first?.name.uppercased())).render(v.document)
            let rows = versions.map { x in
                SOPDetailModel.VersionRow(version: x.version, status: t["status_\(x.status.rawValue)"], statusKey: x.status.rawValue,
                                          note: x.changeNote, updated: formatTime(x.updatedAt, ctx.language),
                                          effectiveFrom: x.effectiveFrom?.description ?? "", current: x.version == v.version,
                                          href: "/sops/\(rec.id)?v=\(x.version)",
                                          diffHref: x.version > 1 ? "/sops/\(rec.id)/diff?from=\(x.version - 1)&to=\(x.version)" : nil)
            }
            let model = SOPDetailModel(
                id: rec.id, number: v.document.identity.number, title: v.document.identity.title, unit: tree.unit(rec.unitID)?.name ?? "",
                version: v.version, status: t["status_\(v.status.rawValue)"], statusKey: v.status.rawValue, isLatest: isLatest,
                effectiveFrom: v.effectiveFrom?.description ?? "", documentHTML: html, versions: rows,
                canEdit: write && isLatest && v.status != .archived, canSubmit: write && isLatest && v.status == .draft,
                canReturn: approve && isLatest && v.status == .review, canApprove: approve && isLatest && v.status == .review,
                canArchive: approve && (v.status == .effective || (isLatest && v.status == .draft && v.version > 1)),
                canNewVersion: write && isLatest && (v.status == .effective), editNotice: v.status == .effective,
                today: CivilDate(Date()).description, exportBase: "/sops/\(rec.id)/export?v=\(v.version)&format=")
            return .html(s.views.render("sop_detail", title: v.document.identity.title, page: model, context: ctx, active: .sops))
        }

        r.page(.get, "/sops/:id/print", .sopRead, "Printable SOP (A4 landscape)") { req, ctx in
            let (rec, tree) = try await loadScoped(s, ctx)
            let v = try await s.store.version(sopID: rec.id, version: req.uri.queryParameters.get("v").flatMap { Int($0) } ?? rec.latestVersion)
            return .html(SOPDocumentHTML(options: .init(language: ctx.language, agencyName: tree.path(to: rec.unitID).first?.name.uppercased())).renderPage(v.document))
        }

        r.page(.get, "/sops/:id/export", .sopRead, "Export SOP as YAML, JSON or BPMN 2.0") { req, ctx in
            let (rec, _) = try await loadScoped(s, ctx)
            let v = try await s.store.version(sopID: rec.id, version: req.uri.queryParameters.get("v").flatMap { Int($0) } ?? rec.latestVersion)
            let base = "sop-\(slug(rec.number))-v\(v.version)"
            switch req.uri.queryParameters.get("format") ?? "yaml" {
            case "yaml": return .text(try SOPFile.encode(v.document, format: .yaml), contentType: "application/yaml; charset=utf-8", filename: base + ".yaml")
            case "json": return .text(try SOPFile.encode(v.document, format: .json), contentType: "application/json; charset=utf-8", filename: base + ".json")
            case "bpmn": return .text(SOPBPMNExporter(options: .init(language: ctx.language)).export(v.document), contentType: "application/xml; charset=utf-8", filename: base + ".bpmn")
            default: throw AppError.badRequest("format must be yaml, json or bpmn")
            }
        }

        r.page(.get, "/sops/:id/edit", .sopWrite, "Edit SOP form") { _, ctx in
            let (rec, _) = try await loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let v = try await s.store.version(sopID: rec.id, version: rec.latestVersion)
            guard v.status != .archived else { throw AppError.conflict([FieldError(field: "status", message: t["sop_archived_readonly"])]) }
            let form = SOPForm(document: v.document, unitID: rec.unitID, t: t)
            return try await formPage(s, ctx, form: form, sopID: rec.id, errors: [], newVersion: !v.status.isEditable)
        }

        r.page(.post, "/sops/:id", .sopWrite, "Save SOP (edits a draft, or makes a new version of an effective SOP)") { _, ctx in
            let (rec, _) = try await loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            var form = SOPForm(form: ctx.form ?? FormData(""), t: t)
            form.unitID = rec.unitID
            let latest = try await s.store.version(sopID: rec.id, version: rec.latestVersion)
            switch form.document() {
            case let .failure(fe):
                let errors = fe.list
                form.mark(errors)
                form.padRows(t)
                return try await formPage(s, ctx, form: form, sopID: rec.id, errors: errors, newVersion: !latest.status.isEditable, status: .badRequest)
            case let .success(doc):
                do {
                    let v = try await s.store.saveSOP(id: rec.id, document: doc, changeNote: form.changeNote, by: ctx.identity!.auditActor)
                    let msg = v.version != latest.version ? t.format("sop_new_version_made", v.version) : t["saved"]
                    return .seeOther("/sops/\(rec.id)?v=\(v.version)", flash: msg, secure: s.config.secureCookies)
                } catch let e as StoreError {
                    form.padRows(t)
                    return try await formPage(s, ctx, form: form, sopID: rec.id, errors: fieldErrors(e), newVersion: !latest.status.isEditable, status: .badRequest)
                }
            }
        }

        r.page(.post, "/sops/:id/versions/:version/status", .sopWrite, "Submit for review, return to draft or archive") { _, ctx in
            let (rec, _) = try await loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let version = try ctx.int("version")
            guard let to = SOPStatus(rawValue: (ctx.form ?? FormData("")).text("status")), to != .effective else {
                throw AppError.invalid([FieldError(field: "status", message: t["err_invalid"])])
            }
            // Returning a reviewed draft and archiving are approver decisions.
            if to == .archived || (to == .draft) {
                guard AccessRule.sopApprove.allows(ctx.identity) else { throw AppError.forbidden }
            }
            try await s.store.setStatus(sopID: rec.id, version: version, to: to, by: ctx.identity!.auditActor)
            return .seeOther("/sops/\(rec.id)?v=\(version)", flash: t["status_changed"], secure: s.config.secureCookies)
        }

        r.page(.post, "/sops/:id/versions/:version/approve", .sopApprove, "Approve a version (it takes effect)") { _, ctx in
            let (rec, _) = try await loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let version = try ctx.int("version")
            let text = (ctx.form ?? FormData("")).text("effective_from")
            guard let date = text.isEmpty ? CivilDate(Date()) : CivilDate(text) else {
                throw AppError.invalid([FieldError(field: "effective_from", message: t["err_date"])])
            }
            try await s.store.approve(sopID: rec.id, version: version, effectiveFrom: date, by: ctx.identity!.auditActor)
            return .seeOther("/sops/\(rec.id)?v=\(version)", flash: t["sop_approved"], secure: s.config.secureCookies)
        }

        r.page(.post, "/sops/:id/new-version", .sopWrite, "Start a revision (new draft version)") { _, ctx in
            let (rec, _) = try await loadScoped(s, ctx)
            let v = try await s.store.newVersion(sopID: rec.id, changeNote: (ctx.form ?? FormData("")).text("change_note"), by: ctx.identity!.auditActor)
            return .seeOther("/sops/\(rec.id)/edit", flash: s.views.strings(ctx.language).format("sop_new_version_made", v.version), secure: s.config.secureCookies)
        }

        r.page(.get, "/sops/:id/diff", .sopRead, "Differences between two versions") { req, ctx in
            let (rec, _) = try await loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let to = req.uri.queryParameters.get("to").flatMap { Int($0) } ?? rec.latestVersion
            let from = req.uri.queryParameters.get("from").flatMap { Int($0) } ?? max(1, to - 1)
            let a = try await s.store.version(sopID: rec.id, version: from)
            let b = try await s.store.version(sopID: rec.id, version: to)
            let rows = a.document.changes(to: b.document).map {
                SOPDiffModel.Row(field: $0.field, kind: t["diff_\($0.kind.rawValue)"], kindKey: $0.kind.rawValue, old: $0.old, new: $0.new)
            }
            let all = try await s.store.versions(sopID: rec.id).map(\.version).sorted()
            let model = SOPDiffModel(id: rec.id, title: b.document.identity.title, from: from, to: to, rows: rows,
                                     versions: all.map { Option(value: "\($0)", label: "v\($0)", selected: $0 == from) },
                                     versionsTo: all.map { Option(value: "\($0)", label: "v\($0)", selected: $0 == to) })
            return .html(s.views.render("sop_diff", title: t["sop_diff_title"], page: model, context: ctx, active: .sops))
        }

        r.add(.get, "/static/sop-document.css", .anyone, .asset, "SOP document stylesheet") { _, _ in
            var resp = Response.text(SOPDocumentHTML.printCSS, contentType: "text/css; charset=utf-8")
            resp.headers[.cacheControl] = "public, max-age=3600"
            return resp
        }
    }

    /// Loads the SOP named by `:id` and checks the caller's unit scope (out of scope = not found,
    /// so other units' SOPs are not even confirmed to exist).
    static func loadScoped(_ s: AppServices, _ ctx: PantauRequestContext) async throws -> (SOPRecord, OrgTree) {
        let rec = try await s.store.sop(id: try ctx.int64("id"))
        let tree = try await s.store.orgTree()
        guard let identity = ctx.identity, Scope.covers(identity, unit: rec.unitID, tree: tree) else { throw AppError.notFound }
        return (rec, tree)
    }

    static func requireScope(_ s: AppServices, _ ctx: PantauRequestContext, unit: Int64) async throws {
        let tree = try await s.store.orgTree()
        guard tree.unit(unit) != nil else { throw AppError.invalid([FieldError(field: "unit_id", message: "Unit tidak ada")]) }
        guard let identity = ctx.identity, Scope.covers(identity, unit: unit, tree: tree) else { throw AppError.forbidden }
    }

    static func unitOptions(_ s: AppServices, _ ctx: PantauRequestContext, selected: Int64?) async throws -> [Option] {
        let tree = try await s.store.orgTree()
        let scope = Scope.units(ctx.identity!, tree: tree)
        return Option.units(tree, selected: selected) { scope?.contains($0) ?? true }
    }

    static func formPage(_ s: AppServices, _ ctx: PantauRequestContext, form: SOPForm, sopID: Int64?, errors: [FieldError], newVersion: Bool,
                         status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let types = SOPType.allCases.map { Option(value: $0.rawValue, label: t["type_\($0.rawValue)"], selected: $0.rawValue == form.identity["jenis"]) }
        let classes = ActivityClass.allCases.map { Option(value: $0.rawValue, label: t["class_\($0.rawValue)"], selected: $0.rawValue == form.identity["kelas"]) }
        let model = SOPFormModel(
            action: sopID.map { "/sops/\($0)" } ?? "/sops", isNew: sopID == nil,
            units: try await unitOptions(s, ctx, selected: form.unitID), identity: form.identity, types: types, classes: classes,
            actors: form.actors, steps: form.steps, kindsTemplate: SOPForm.kindOptions("proses", t), changeNote: form.changeNote,
            errors: errors, newVersionNotice: newVersion, yamlHref: sopID.map { "/sops/\($0)/export?format=yaml" })
        return .html(s.views.render("sop_form", title: t[sopID == nil ? "sop_new" : "sop_edit"], page: model, context: ctx, active: .sops), status: status)
    }

    static func importPage(_ s: AppServices, _ ctx: PantauRequestContext, unitID: Int64?, text: String, format: SOPFileFormat, errors: [FieldError],
                           status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let formats = SOPFileFormat.allCases.map { Option(value: $0.rawValue, label: $0.rawValue.uppercased(), selected: $0 == format) }
        let model = SOPImportModel(units: try await unitOptions(s, ctx, selected: unitID), text: text, formats: formats, errors: errors)
        return .html(s.views.render("sop_import", title: t["sop_import"], page: model, context: ctx, active: .sops), status: status)
    }
}
