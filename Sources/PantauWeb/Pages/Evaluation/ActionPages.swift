import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// Follow-up actions (CAPA, issue 9 item 7, docs/findings-actions.md):
/// - `POST /rekomendasi/{id}/tindak-lanjut`: a recommendation becomes an action (owner, due date;
///   "revise the SOP" opens a draft version);
/// - `/tindak-lanjut/{id}`: one action, its progress (owner or manager, with evidence files) and
///   its verification (evaluator or admin);
/// - `/units/{id}/tindak-lanjut`: the actions of a unit subtree ("Tindak lanjut"), overdue first;
/// - `/tindak-lanjut`: the signed-in person's own actions.
enum ActionPages {
    struct Row {
        let id: Int64; let href: String; let title: String; let kind: String; let owner: String; let due: String
        let status: String; let statusKey: String; let overdue: Bool; let version: String
    }

    struct NewForm {
        let action: String
        let owners: [Option]
        let kinds: [Option]
        let title: String
        let due: String
        let errors: [FieldError]
        let invalid: [String: Bool]
    }

    static func row(_ a: FollowUpAction, users: [UserRecord], today: CivilDate, t: Strings) -> Row {
        Row(id: a.id, href: SiteURL.action(a.id).path, title: a.title, kind: t["act_kind_\(a.kind.rawValue)"],
            owner: users.first { $0.id == a.ownerID }?.displayName ?? "#\(a.ownerID)", due: SKMFormat.date(a.dueDate, t.language),
            status: t["act_status_\(a.status.rawValue)"], statusKey: a.status.rawValue, overdue: a.isOverdue(today: today),
            version: a.sopVersion.map { "v\($0)" } ?? "")
    }

    /// The form of a new action: owners are the active users whose scope covers the SOP's unit.
    static func newForm(recommendation: Int64, unitID: Int64, users: [UserRecord], tree: OrgTree, form f: FormData, errors: [FieldError] = [], t: Strings) -> NewForm {
        let owners = users.filter { u in u.active && u.role != .auditor && (u.unitID.map { tree.contains(unitID, inSubtreeOf: $0) } ?? true) }
        let e = errors.labelled(labels, t).map { FieldError(field: "act-" + $0.field, message: $0.message, label: $0.label) }
        return NewForm(action: SiteURL.recommendationActions(recommendation).path,
                       owners: [Option(value: "", label: t["act_choose_owner"], selected: f.text("owner_id").isEmpty)]
                           + owners.map { Option(value: "\($0.id)", label: "\($0.displayName) (\(t["role_\($0.role.rawValue)"]))", selected: f.text("owner_id") == "\($0.id)") },
                       kinds: ActionKind.allCases.map { Option(value: $0.rawValue, label: t["act_kind_\($0.rawValue)"], selected: f.text("kind") == $0.rawValue) },
                       title: f.text("title"), due: f.text("due_date"), errors: e,
                       invalid: Dictionary(errors.map { ($0.field, true) }, uniquingKeysWith: { a, _ in a }))
    }

    static let labels = ["title": "act_title", "owner_id": "act_owner", "due_date": "act_due", "kind": "act_kind", "status": "act_status",
                         "progress_note": "act_progress_note", "evidence": "ev_file", "verified_by": "act_verified_by"]

    /// An action whose unit is in the caller's scope (404 otherwise).
    static func load(_ s: AppServices, _ ctx: some RequestScope, id: Int64) async throws -> FollowUpAction {
        let a = try await s.store.followUpAction(id: id)
        guard let identity = ctx.base.identity, Scope.covers(identity, unit: a.unitID, tree: try await s.store.orgTree()) else { throw AppError.notFound }
        return a
    }

    /// The owner, or someone who may manage actions (in scope: checked by ``load``).
    static func mayReport(_ a: FollowUpAction, _ ctx: UserContext) -> Bool {
        a.ownerID == ctx.user.id || AccessRule.actionManage.allows(ctx.identity)
    }

    static func mayVerify(_ ctx: UserContext) -> Bool { ctx.user.role == .evaluator || ctx.user.role == .admin }

    // MARK: Detail

    struct DetailModel {
        let row: Row
        let findingTitle: String
        let findingHref: String
        let recommendation: String
        /// Nil when empty (a section on an empty string would still show its label).
        let progressNote: String?
        let verified: String?
        let files: [EvidencePage.Item]
        let versionHref: String?
        let canReport: Bool
        let canVerify: Bool
        let statuses: [Option]
        let reportAction: String
        let verifyAction: String
        let note: String
        let errors: [FieldError]
        let invalid: [String: Bool]
        let maxMB: Int
    }

    static func renderDetail(_ s: AppServices, _ ctx: UserContext, _ a: FollowUpAction, form: FormData = FormData(""), errors: [FieldError] = [],
                             status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let users = try await s.store.users()
        let f = try await s.store.finding(id: a.findingID)
        let rec = try await s.store.recommendation(id: a.recommendationID)
        let files = try await s.store.evidenceFiles(owner: .action, ownerID: a.id).map(EvidencePage.Item.init)
        let verifier = a.verifiedBy.flatMap { id in users.first { $0.id == id }?.displayName }
        let m = DetailModel(
            row: row(a, users: users, today: CivilDate(Date()), t: t), findingTitle: f.title, findingHref: SiteURL.finding(f.id).path,
            recommendation: rec.text, progressNote: a.progressNote.isEmpty ? nil : a.progressNote,
            verified: verifier.map { t.format("act_verified_text", $0, formatTime(a.verifiedAt, t.language)) },
            files: files, versionHref: a.sopVersion.map { _ in SiteURL.sop(a.sopID).path }, canReport: mayReport(a, ctx) && a.status != .verified,
            canVerify: mayVerify(ctx) && a.status == .done,
            statuses: ([a.status] + a.status.reportable).map { Option(value: $0.rawValue, label: t["act_status_\($0.rawValue)"], selected: $0 == a.status) },
            reportAction: SiteURL.action(a.id).path, verifyAction: SiteURL.actionVerify(a.id).path, note: form["progress_note"] ?? "",
            errors: errors.labelled(labels, t), invalid: Dictionary(errors.map { ($0.field, true) }, uniquingKeysWith: { a, _ in a }),
            maxMB: PantauStore.evidenceMaxBytes / 1_048_576)
        return .html(s.views.render("action-detail", title: a.title, page: m, context: ctx, active: .sops), status: status)
    }

    // MARK: Lists

    struct ListModel {
        let heading: String
        let rows: [Row]
        let overdue: Int
        let overdueText: String
        let none: Bool
        let openOnly: Bool
        let toggleHref: String
        let toggleLabel: String
    }

    static func renderList(_ s: AppServices, _ ctx: UserContext, heading: String, actions: [FollowUpAction], openOnly: Bool, href: String) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let users = try await s.store.users()
        let today = CivilDate(Date())
        // Overdue first, then by due date.
        let rows = actions.map { row($0, users: users, today: today, t: t) }.enumerated()
            .sorted { ($0.element.overdue ? 0 : 1, $0.offset) < ($1.element.overdue ? 0 : 1, $1.offset) }.map(\.element)
        let overdue = rows.filter(\.overdue).count
        let m = ListModel(heading: heading, rows: rows, overdue: overdue, overdueText: t.format("act_overdue_count", overdue), none: rows.isEmpty,
                          openOnly: openOnly, toggleHref: openOnly ? href + "?semua=1" : href, toggleLabel: t[openOnly ? "act_show_all" : "act_show_open"])
        return .html(s.views.render("action-list", title: heading, page: m, context: ctx, active: .sops))
    }

    // MARK: Routes

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.post, .recommendationActions(.key), .actionManage, "Turn a recommendation into a follow-up action (owner, due date; revise-the-SOP opens a draft)") { req, ctx in
            let rec = try await s.store.recommendation(id: try ctx.int64("id"))
            let (f, sop) = try await FindingPages.loadFinding(s, ctx, id: rec.findingID)
            let t = s.views.strings(ctx.language)
            let form = try await submittedForm(req, ctx.base)
            do {
                let a = try await s.store.createFollowUpAction(recommendationID: rec.id, FollowUpActionInput(kind: form.text("kind").isEmpty ? "general" : form.text("kind"),
                                                                                                           title: form.text("title"), ownerID: form.text("owner_id"),
                                                                                                           dueDate: form.text("due_date")), by: ctx.actor)
                return .seeOther(.action(a.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch {
                return try await FindingPages.renderDetail(s, ctx, f, sop, actionForm: (rec.id, form, try FindingPages.storeErrors(error, t)), status: .badRequest)
            }
        }

        r.page(.get, .action(.key), .evaluationRead, "One follow-up action: progress, evidence, verification") { _, ctx in
            try await renderDetail(s, ctx, try await load(s, ctx, id: try ctx.int64("id")))
        }

        r.page(.post, .action(.key), .actionUpdate, "Report progress on a follow-up action (owner or manager): status, note, evidence (multipart)") { req, ctx in
            let a = try await load(s, ctx, id: try ctx.int64("id"))
            guard mayReport(a, ctx) else { throw AppError.forbidden }
            let t = s.views.strings(ctx.language)
            let (form, files) = try await EvidencePage.form(req, ctx)
            do {
                try await s.store.updateFollowUpAction(id: a.id, status: form.text("status"), note: form["progress_note"] ?? "",
                                                       evidence: FindingPages.uploads(files), by: ctx.actor)
                return .seeOther(.action(a.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch {
                return try await renderDetail(s, ctx, a, form: form, errors: try FindingPages.storeErrors(error, t), status: .badRequest)
            }
        }

        r.page(.post, .actionVerify(.key), .evaluationWrite, "Verify a done follow-up action (evaluator or admin)") { _, ctx in
            let a = try await load(s, ctx, id: try ctx.int64("id"))
            let t = s.views.strings(ctx.language)
            do {
                try await s.store.verifyAction(id: a.id, by: ctx.actor)
                return .seeOther(.action(a.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch {
                return try await renderDetail(s, ctx, a, errors: try FindingPages.storeErrors(error, t), status: .badRequest)
            }
        }

        r.page(.get, .unitActions(.key), .evaluationRead, "Follow-up actions of a unit and its sub-units, overdue first") { req, ctx in
            let unitID = try ctx.int64("id")
            let tree = try await s.store.orgTree()
            guard let unit = tree.unit(unitID), Scope.covers(ctx.identity, unit: unitID, tree: tree) else { throw AppError.notFound }
            let all = req.uri.queryParameters.get("semua") != nil
            let actions = try await s.store.followUpActions(unitIDs: tree.subtree(of: unitID), openOnly: !all)
            let t = s.views.strings(ctx.language)
            return try await renderList(s, ctx, heading: t["act_title_unit"] + " · " + unit.name, actions: actions, openOnly: !all,
                                        href: SiteURL.unitActions(unitID).path)
        }

        r.page(.get, .myActions, .evaluationRead, "The signed-in person's follow-up actions") { req, ctx in
            let all = req.uri.queryParameters.get("semua") != nil
            let actions = try await s.store.followUpActions(ownerID: ctx.user.id, openOnly: !all)
            let t = s.views.strings(ctx.language)
            return try await renderList(s, ctx, heading: t["act_title_mine"], actions: actions, openOnly: !all, href: SiteURL.myActions.path)
        }
    }
}
