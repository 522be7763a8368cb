import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

/// `/sops/:id`: the official document of one version, its lifecycle buttons and the version
/// history; and the lifecycle actions themselves (submit, return, archive, approve, new version).
enum SOPDetailPage {
    /// What the viewer may do with the version shown (pure, from role, status and authorship).
    struct Buttons: Equatable {
        var edit = false
        var submit = false
        var returnToDraft = false
        var approve = false
        var archive = false
        var newVersion = false
        /// The viewer would approve but wrote this version, and the two-person rule is on.
        var authorMayNotApprove = false
    }

    /// The buttons for a version (pure).
    /// - Parameters:
    ///   - author: who created the version (nil when unknown, e.g. imported by the CLI).
    ///   - twoPersonRule: `PANTAU_SOP_TWO_PERSON_RULE`: the author of a version may not approve it.
    static func buttons(status: SOPStatus, version: Int, isLatest: Bool, author: Int64?, viewer: Int64,
                        canWrite: Bool, canApprove: Bool, twoPersonRule: Bool) -> Buttons {
        var b = Buttons()
        b.edit = canWrite && isLatest && status != .archived
        b.submit = canWrite && isLatest && status == .draft
        b.returnToDraft = canApprove && isLatest && status == .review
        let wouldApprove = canApprove && isLatest && status == .review
        let isAuthor = author != nil && author == viewer
        b.approve = wouldApprove && !(twoPersonRule && isAuthor)
        b.authorMayNotApprove = wouldApprove && twoPersonRule && isAuthor
        b.archive = canApprove && (status == .effective || (isLatest && status == .draft && version > 1))
        b.newVersion = canWrite && isLatest && status == .effective
        return b
    }

    struct Model {
        struct VersionRow {
            let version: Int
            let status: String
            let statusKey: String
            let note: String
            let updated: String
            /// The date it took effect; nil for versions never in force (drafts show no empty date).
            let effectiveFrom: String?
            let current: Bool
            let href: String
            let diffHref: String?
        }
        struct Export { let label: String; let href: String }
        let sopsHref = SiteURL.sops.path
        let number: String
        let title: String
        let unit: String
        let version: Int
        let status: String
        let statusKey: String
        let isLatest: Bool
        /// "Berlaku sejak" of the version shown, only when it has been in force.
        let effectiveFrom: String?
        /// When a draft or an old version is shown while another is in force: which one, since when.
        let inForce: String?
        let inForceHref: String?
        let documentHTML: String
        let versions: [VersionRow]
        let buttons: Buttons
        let editNotice: Bool
        let today: String
        let editHref: String
        let printHref: String
        let monitoringHref: String
        let alertRulesHref: String
        let exports: [Export]
        let statusAction: String
        let approveAction: String
        let newVersionAction: String
        /// A refused action (e.g. the two-person rule), shown above the document.
        var errors: [FieldError] = []
        /// Staff understanding: acknowledge the version staff read now, its quiz (QuizPages).
        var quiz: QuizPages.DetailBox? = nil
        /// Tabel 7 and Tabel 8 records of the SOP (MonevRecordPages).
        var monev: MonevRecordPages.Links? = nil
        /// Findings, notes and follow-up actions of the SOP (FindingPages).
        var findings: FindingPages.Links? = nil
        /// The periodic monitoring and evaluation report (and from it the ZI evidence pack).
        var reportHref: String? = nil
    }

    /// The page model (pure): `versions` newest first, `shown` one of them.
    static func model(record rec: SOPRecord, versions: [SOPVersionRecord], shown v: SOPVersionRecord, unitName: String,
                      documentHTML: String, buttons: Buttons, today: CivilDate, language: Language, t: Strings) -> Model {
        func inForceDate(_ x: SOPVersionRecord) -> String? {
            guard x.status == .effective || (x.status == .archived && x.approvedAt != nil) else { return nil }
            return x.effectiveFrom?.description
        }
        let rows = versions.map { x in
            Model.VersionRow(version: x.version, status: SOPPages.statusLabel(x.status, t), statusKey: x.status.rawValue,
                             note: x.changeNote, updated: formatTime(x.updatedAt, language), effectiveFrom: inForceDate(x),
                             current: x.version == v.version, href: SiteURL.sop(rec.id).path(query: ["v": String(x.version)]),
                             diffHref: x.version > 1 ? SiteURL.sopDiff(rec.id).path(query: ["from": String(x.version - 1), "to": String(x.version)]) : nil)
        }
        var inForce: String?
        var inForceHref: String?
        if let e = rec.effectiveVersion, e != v.version, let ev = versions.first(where: { $0.version == e }) {
            inForce = t.format("sop_in_force_version", e, ev.effectiveFrom?.description ?? "–")
            inForceHref = SiteURL.sop(rec.id).path(query: ["v": String(e)])
        }
        let export = SiteURL.sopExport(rec.id)
        return Model(
            number: v.document.identity.number, title: v.document.identity.title, unit: unitName, version: v.version,
            status: SOPPages.statusLabel(v.status, t), statusKey: v.status.rawValue, isLatest: v.version == rec.latestVersion,
            effectiveFrom: inForceDate(v), inForce: inForce, inForceHref: inForceHref, documentHTML: documentHTML, versions: rows,
            buttons: buttons, editNotice: v.status == .effective, today: today.description,
            editHref: SiteURL.sopEdit(rec.id).path, printHref: SiteURL.sopPrint(rec.id).path(query: ["v": String(v.version)]),
            monitoringHref: SiteURL.sopMonitoring(rec.id).path, alertRulesHref: SiteURL.sopAlertRules(rec.id).path,
            exports: [("YAML", "yaml"), ("JSON", "json"), ("BPMN 2.0", "bpmn")].map {
                Model.Export(label: $0.0, href: export.path(query: ["v": String(v.version), "format": $0.1]))
            },
            statusAction: SiteURL.sopVersionStatus(rec.id, version: v.version).path,
            approveAction: SiteURL.sopVersionApprove(rec.id, version: v.version).path,
            newVersionAction: SiteURL.sopNewVersion(rec.id).path, monev: MonevRecordPages.Links(rec.id), findings: FindingPages.Links(rec.id),
            reportHref: SiteURL.sopMonevReport(rec.id).path)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .sop(.key), .sopRead, "SOP detail: the official document") { req, ctx in
            let (rec, tree) = try await SOPPages.loadApplying(s, ctx)
            return try await render(s, ctx, rec, tree, version: req.uri.queryParameters.get("v").flatMap { Int($0) } ?? rec.latestVersion)
        }

        r.page(.post, .sopVersionStatus(.key, version: .key), .sopWrite, "Submit for review, return to draft or archive") { _, ctx in
            let (rec, tree) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let version = try ctx.int("version")
            guard let to = SOPStatus(rawValue: ctx.formData.text("status")), to != .effective else {
                throw AppError.invalid([FieldError(field: "status", message: t["err_invalid"])])
            }
            // Returning a reviewed draft and archiving are approver decisions.
            if to == .archived || to == .draft {
                guard AccessRule.sopApprove.allows(ctx.identity) else { throw AppError.forbidden }
            }
            do {
                try await s.store.setStatus(sopID: rec.id, version: version, to: to, by: ctx.actor)
            } catch let e as StoreError {
                return try await render(s, ctx, rec, tree, version: version, errors: SOPMessages.fieldErrors(e, document: nil, t: t), status: .conflict)
            }
            return .seeOther(SiteURL.sop(rec.id).path(query: ["v": String(version)]), flash: t["status_changed"], secure: s.config.secureCookies)
        }

        r.page(.post, .sopVersionApprove(.key, version: .key), .sopApprove, "Approve a version (it takes effect; refused to its author under the two-person rule)") { _, ctx in
            let (rec, tree) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let version = try ctx.int("version")
            let text = ctx.formData.text("effective_from")
            guard let date = text.isEmpty ? CivilDate(Date()) : CivilDate(text) else {
                let e = FieldError(field: "effective_from", message: t.format("sop_file_invalidDate", text), label: t["sop_effective_from"])
                return try await render(s, ctx, rec, tree, version: version, errors: [e], status: .badRequest)
            }
            do {
                // The store checks the rule under the same lock as the approval.
                try await s.store.approve(sopID: rec.id, version: version, effectiveFrom: date, by: ctx.actor,
                                          twoPersonRule: s.config.sopTwoPersonRule)
                s.indicatorCache.changed()
            } catch let e as StoreError {
                if case .notFound = e { throw e }
                return try await render(s, ctx, rec, tree, version: version, errors: SOPMessages.fieldErrors(e, document: nil, t: t), status: .conflict)
            }
            return .seeOther(SiteURL.sop(rec.id).path(query: ["v": String(version)]), flash: t["sop_approved"], secure: s.config.secureCookies)
        }

        r.page(.post, .sopNewVersion(.key), .sopWrite, "Start a revision (new draft version)") { _, ctx in
            let (rec, _) = try await SOPPages.loadScoped(s, ctx)
            let v = try await s.store.newVersion(sopID: rec.id, changeNote: ctx.formData.text("change_note"), by: ctx.actor)
            return .seeOther(.sopEdit(rec.id), flash: s.views.strings(ctx.language).format("sop_new_version_made", v.version),
                             secure: s.config.secureCookies)
        }
    }

    /// Renders the detail page of one version, with the errors of a refused action (then `status`).
    static func render(_ s: AppServices, _ ctx: UserContext, _ rec: SOPRecord, _ tree: OrgTree, version wanted: Int,
                       errors: [FieldError] = [], status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let versions = try await s.store.versions(sopID: rec.id)
        guard let v = versions.first(where: { $0.version == wanted }) else { throw AppError.notFound }
        let html = SOPDocumentHTML(options: .init(language: ctx.language, agencyName: tree.path(to: rec.unitID).first?.name.uppercased()))
            .render(v.document)
        // An SOP of a unit above the caller's is read, not changed, by them.
        let own = Scope.covers(ctx.identity, unit: rec.unitID, tree: tree)
        let b = buttons(status: v.status, version: v.version, isLatest: v.version == rec.latestVersion, author: v.createdBy,
                        viewer: ctx.user.id, canWrite: own && AccessRule.sopWrite.allows(ctx.identity),
                        canApprove: own && AccessRule.sopApprove.allows(ctx.identity), twoPersonRule: s.config.sopTwoPersonRule)
        var m = model(record: rec, versions: versions, shown: v, unitName: tree.unit(rec.unitID)?.name ?? "", documentHTML: html,
                      buttons: b, today: CivilDate(Date()), language: ctx.language, t: t)
        m.errors = errors
        if !own {
            // The evaluation of an SOP (Tabel 7/8, findings, the report) belongs to its own unit.
            m.monev = nil
            m.findings = nil
            m.reportHref = nil
        }
        m.quiz = try await QuizPages.detailBox(s, ctx, rec, t)
        return .html(s.views.render("sop_detail", title: v.document.identity.title, page: m, context: ctx, active: .sops), status: status)
    }
}
