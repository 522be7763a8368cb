import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// Findings, recommendations, interview/observation notes and evidence downloads of an SOP
/// (issue 9 items 5 and 6, docs/findings-actions.md):
/// - `/sops/{id}/temuan`: the findings of a period (filters, "generate from the data", add by hand);
/// - `/temuan/{id}`: one finding with its evidence, notes, recommendation(s) and actions;
/// - `/sops/{id}/catatan-evaluasi`: interview and observation notes with their evidence files.
enum FindingPages {
    // MARK: Shared

    struct Link { let label: String; let href: String }

    /// The links of an SOP's page to its findings and notes.
    struct Links {
        let findings: String
        let notes: String
        init(_ sop: Int64) {
            findings = SiteURL.sopFindings(sop).path
            notes = SiteURL.sopNotes(sop).path
        }
    }

    static func canWrite(_ ctx: some RequestScope) -> Bool { ctx.base.identity.map { AccessRule.evaluationWrite.allows($0) } ?? false }
    static func canManageActions(_ ctx: some RequestScope) -> Bool { ctx.base.identity.map { AccessRule.actionManage.allows($0) } ?? false }

    /// A finding whose SOP is in the caller's scope (404 otherwise), with the SOP.
    static func loadFinding(_ s: AppServices, _ ctx: some RequestScope, id: Int64) async throws -> (FindingRecord, SOPRecord) {
        let f = try await s.store.finding(id: id)
        let sop = try await s.store.sop(id: f.sopID)
        guard let identity = ctx.base.identity, Scope.covers(identity, unit: sop.unitID, tree: try await s.store.orgTree()) else { throw AppError.notFound }
        return (f, sop)
    }

    /// The period of a query or form (`periode`), else the current quarter.
    static func period(_ text: String?) -> SurveyPeriod {
        text.flatMap { SurveyPeriod($0.trimmingCharacters(in: .whitespaces)) } ?? SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)
    }

    /// The figures of a finding in words (catalog formats), e.g. "3 dari 10 kasus (30%); batas 10%".
    static func figures(_ f: FindingRecord, _ t: Strings) -> String {
        let x = f.evidence.figures
        let lang = t.language
        func pct(_ k: String) -> String { x[k].map { SKMFormat.percent($0, lang) } ?? "–" }
        func n(_ k: String) -> String { x[k].map { String(Int($0)) } ?? "–" }
        func d(_ k: String) -> String { x[k].map { SKMFormat.number($0, 2, lang) } ?? "–" }
        switch f.kind {
        case .stepSkipped: return t.format("fd_fig_skipped", n("cases_skipping"), n("cases"), pct("share"), pct("threshold"))
        case .stepOverStandard: return t.format("fd_fig_over", n("over_standard"), n("measured"), pct("share"), pct("threshold"))
        case .unsurLow: return t.format("fd_fig_unsur", d("nrr"), d("converted"), n("respondents"), d("threshold"))
        case .quizMissed: return t.format("fd_fig_quiz", n("wrong"), n("answers"), pct("share"))
        case .indicatorBelowTarget: return t.format("fd_fig_indicator", d("realisation"), d("target"))
        case .monitoringRowNotGood, .manual: return ""
        }
    }

    /// Links to what the figures rest on: the cases, the monitoring page, the survey.
    static func evidenceLinks(_ f: FindingRecord, _ t: Strings) -> [Link] {
        var out = f.evidence.cases.map { Link(label: $0.reference, href: SiteURL.serviceCase($0.id).path) }
        switch f.kind {
        case .stepSkipped, .stepOverStandard:
            let r = f.period.dateRange
            out.append(Link(label: t["fd_link_monitoring"], href: SiteURL.sopMonitoring(f.sopID).path(query: ["from": r.lowerBound.description, "to": r.upperBound.description])))
        case .unsurLow:
            if let sid = f.evidence.surveyID { out.append(Link(label: t["fd_link_survey"], href: SiteURL.surveyReport(sid).path(query: ["period": f.evidence.period]))) }
        default: break
        }
        return out
    }

    static func severityOptions(_ selected: String, _ t: Strings, any: Bool = false) -> [Option] {
        (any ? [Option(value: "", label: t["fd_all"], selected: selected.isEmpty)] : [])
            + FindingSeverity.allCases.reversed().map { Option(value: $0.rawValue, label: t["fd_severity_\($0.rawValue)"], selected: $0.rawValue == selected) }
    }

    /// Field errors with the labels of the form's fields.
    static let labels = ["period": "fd_period", "title": "fd_title", "detail": "fd_detail", "severity": "fd_severity", "reason": "fd_reason",
                         "note_id": "fd_note", "evidence": "ev_file", "text": "fd_rec_text", "priority": "fd_rec_priority",
                         "note_date": "note_date", "method": "note_method", "respondent": "note_respondent", "step_id": "note_step"]

    static func labelledErrors(_ e: [FieldError], _ t: Strings) -> (list: [FieldError], invalid: [String: Bool]) {
        (e.labelled(labels, t), Dictionary(e.map { ($0.field, true) }, uniquingKeysWith: { a, _ in a }))
    }

    static func storeErrors(_ error: any Error, _ t: Strings) throws -> [FieldError] {
        guard let e = error as? StoreError else { throw error }
        if case .notFound = e { throw error }
        return fieldErrors(e, t)
    }

    // MARK: List

    struct ListModel {
        struct Row {
            let id: Int64; let href: String; let title: String; let kind: String; let severity: String; let severityKey: String
            let status: String; let statusKey: String; let figures: String; let links: [Link]; let recommendation: String
            let actions: Int; let overdue: Int?; let edited: Bool
        }
        let sopTitle: String
        let sopHref: String
        let notesHref: String
        let actionsHref: String
        let filterAction: String
        let period: String
        let statusOptions: [Option]
        let severityOptions: [Option]
        let rows: [Row]
        let canWrite: Bool
        let generateAction: String
        let createAction: String
        let form: [String: String]
        let formSeverity: [Option]
        let errors: [FieldError]
        let invalid: [String: Bool]
    }

    static func renderList(_ s: AppServices, _ ctx: UserContext, _ sop: SOPRecord, query: FormData, form: FormData = FormData(""), errors: [FieldError] = [],
                           status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let period = period(query["periode"])
        let st = FindingStatus(rawValue: query.text("status"))
        let sev = FindingSeverity(rawValue: query.text("tingkat"))
        var items = try await s.store.findings(sopID: sop.id, period: period, status: st)
        if let sev { items = items.filter { $0.severity == sev } }
        let recs = try await s.store.recommendations(findingIDs: items.map(\.id))
        let actions = try await s.store.followUpActions(sopID: sop.id)
        let today = CivilDate(Date())
        let rows = items.map { f -> ListModel.Row in
            let mine = recs.filter { $0.findingID == f.id }
            let acts = actions.filter { $0.findingID == f.id }
            return ListModel.Row(id: f.id, href: SiteURL.finding(f.id).path, title: f.title, kind: t["fd_kind_\(f.kind.rawValue)"],
                                 severity: t["fd_severity_\(f.severity.rawValue)"], severityKey: f.severity.rawValue,
                                 status: t["fd_status_\(f.status.rawValue)"], statusKey: f.status.rawValue, figures: figures(f, t),
                                 links: evidenceLinks(f, t), recommendation: mine.first?.text ?? "", actions: acts.count,
                                 overdue: acts.contains { $0.isOverdue(today: today) } ? acts.filter { $0.isOverdue(today: today) }.count : nil, edited: f.edited)
        }
        let e = labelledErrors(errors, t)
        let m = ListModel(
            sopTitle: "\(sop.number) \(sop.title)", sopHref: SiteURL.sop(sop.id).path, notesHref: SiteURL.sopNotes(sop.id).path,
            actionsHref: SiteURL.unitActions(sop.unitID).path, filterAction: SiteURL.sopFindings(sop.id).path, period: period.description,
            statusOptions: [Option(value: "", label: t["fd_all"], selected: st == nil)]
                + FindingStatus.allCases.map { Option(value: $0.rawValue, label: t["fd_status_\($0.rawValue)"], selected: $0 == st) },
            severityOptions: severityOptions(sev?.rawValue ?? "", t, any: true), rows: rows, canWrite: canWrite(ctx),
            generateAction: SiteURL.sopFindingsGenerate(sop.id).path, createAction: SiteURL.sopFindings(sop.id).path,
            form: ["period": form["period"] ?? period.description, "title": form.text("title"), "detail": form["detail"] ?? ""],
            formSeverity: severityOptions(form.text("severity").isEmpty ? "medium" : form.text("severity"), t), errors: e.list, invalid: e.invalid)
        return .html(s.views.render("finding-list", title: t["fd_title_list"] + " · " + sop.title, page: m, context: ctx, active: .sops), status: status)
    }

    // MARK: Detail

    struct DetailModel {
        struct Rec { let id: Int64; let text: String; let category: String; let priority: String; let edited: Bool; let action: String
            let actions: [ActionPages.Row]; let newAction: ActionPages.NewForm? }
        struct Note { let date: String; let method: String; let respondent: String; let step: String; let text: String; let files: [EvidencePage.Item] }
        let id: Int64
        let title: String
        let detail: String
        let kind: String
        let period: String
        let severity: String
        let severityKey: String
        let status: String
        let statusKey: String
        /// Nil when empty (a section on an empty string would still show its label).
        let statusReason: String?
        let figures: String
        let links: [Link]
        let generated: Bool
        let edited: Bool
        let files: [EvidencePage.Item]
        let notes: [Note]
        let noteOptions: [Option]
        let recommendations: [Rec]
        let listHref: String
        let sopTitle: String
        let sopHref: String
        let canWrite: Bool
        let editAction: String
        let statusAction: String
        let noteAction: String
        let evidenceAction: String
        let form: [String: String]
        let formSeverity: [Option]
        let statusOptions: [Option]
        let errors: [FieldError]
        let invalid: [String: Bool]
        let maxMB: Int
    }

    static func noteLabel(_ n: EvaluationNote, _ doc: SOPDocument?, _ t: Strings) -> (method: String, respondent: String, step: String) {
        let step = n.stepID.map { id in doc?.number(ofStep: id).map { "\($0). " + (doc?.step(id: id)?.activity ?? id) } ?? id } ?? ""
        return (t["note_method_\(n.method.rawValue)"], t["note_respondent_\(n.respondent.rawValue)"], step)
    }

    static func renderDetail(_ s: AppServices, _ ctx: UserContext, _ f: FindingRecord, _ sop: SOPRecord, form: FormData? = nil, errors: [FieldError] = [],
                             actionForm: (Int64, FormData, [FieldError])? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let recs = try await s.store.recommendations(findingIDs: [f.id])
        let actions = try await s.store.followUpActions(recommendationIDs: recs.map(\.id))
        let users = try await s.store.users()
        let files = try await s.store.evidenceFiles(owner: .finding, ownerID: f.id).map(EvidencePage.Item.init)
        let notes = try await s.store.evaluationNotes(sopID: sop.id)
        let noteFiles = try await s.store.evidenceFiles(owner: .note, ownerIDs: f.noteIDs)
        let doc = try? await s.store.version(sopID: sop.id, version: sop.effectiveVersion ?? sop.latestVersion).document
        let today = CivilDate(Date())
        let tree = try await s.store.orgTree()
        let e = labelledErrors(errors, t)
        let manage = canManageActions(ctx)
        let recModels = recs.map { r in
            DetailModel.Rec(id: r.id, text: r.text, category: t["fd_rec_\(r.category.rawValue)"], priority: SKMFormat.number(r.priority, 1, t.language),
                            edited: r.edited, action: SiteURL.recommendation(r.id).path,
                            actions: actions.filter { $0.recommendationID == r.id }.map { ActionPages.row($0, users: users, today: today, t: t) },
                            newAction: manage ? ActionPages.newForm(recommendation: r.id, unitID: sop.unitID, users: users, tree: tree,
                                                                    form: actionForm?.0 == r.id ? actionForm!.1 : FormData(""),
                                                                    errors: actionForm?.0 == r.id ? actionForm!.2 : [], t: t) : nil)
        }
        let f0 = form ?? FormData(pairs: [("title", f.title), ("detail", f.detail), ("severity", f.severity.rawValue)])
        let m = DetailModel(
            id: f.id, title: f.title, detail: f.detail, kind: t["fd_kind_\(f.kind.rawValue)"], period: f.period.label(t.language.survey),
            severity: t["fd_severity_\(f.severity.rawValue)"], severityKey: f.severity.rawValue, status: t["fd_status_\(f.status.rawValue)"],
            statusKey: f.status.rawValue, statusReason: f.statusReason.isEmpty ? nil : f.statusReason, figures: figures(f, t), links: evidenceLinks(f, t), generated: f.ruleKey != nil,
            edited: f.edited, files: files,
            notes: notes.filter { f.noteIDs.contains($0.id) }.map { n in
                let l = noteLabel(n, doc, t)
                return DetailModel.Note(date: SKMFormat.date(n.date, t.language), method: l.method, respondent: l.respondent, step: l.step, text: n.text,
                                        files: (noteFiles[n.id] ?? []).map(EvidencePage.Item.init))
            },
            noteOptions: notes.filter { !f.noteIDs.contains($0.id) }.map { n in
                Option(value: "\(n.id)", label: "\(n.date) · \(t["note_method_\(n.method.rawValue)"]) · \(String(n.text.prefix(60)))", selected: false)
            },
            recommendations: recModels, listHref: SiteURL.sopFindings(sop.id).path(query: ["periode": f.period.description]),
            sopTitle: "\(sop.number) \(sop.title)", sopHref: SiteURL.sop(sop.id).path, canWrite: canWrite(ctx),
            editAction: SiteURL.finding(f.id).path, statusAction: SiteURL.findingStatus(f.id).path, noteAction: SiteURL.findingNotes(f.id).path,
            evidenceAction: SiteURL.findingEvidence(f.id).path,
            form: ["title": f0.text("title"), "detail": f0["detail"] ?? "", "reason": f0["reason"] ?? ""],
            formSeverity: severityOptions(f0.text("severity"), t),
            statusOptions: FindingStatus.allCases.filter { $0 != f.status }.map { Option(value: $0.rawValue, label: t["fd_status_\($0.rawValue)"], selected: false) },
            errors: e.list, invalid: e.invalid, maxMB: PantauStore.evidenceMaxBytes / 1_048_576)
        return .html(s.views.render("finding-detail", title: f.title, page: m, context: ctx, active: .sops), status: status)
    }

    // MARK: Notes

    struct NotesModel {
        struct Row { let date: String; let method: String; let respondent: String; let step: String; let text: String; let files: [EvidencePage.Item] }
        let sopTitle: String
        let sopHref: String
        let findingsHref: String
        let rows: [Row]
        let canWrite: Bool
        let action: String
        let form: [String: String]
        let methods: [Option]
        let respondents: [Option]
        let steps: [Option]
        let errors: [FieldError]
        let invalid: [String: Bool]
        let maxMB: Int
    }

    static func renderNotes(_ s: AppServices, _ ctx: UserContext, _ sop: SOPRecord, form: FormData = FormData(""), errors: [FieldError] = [],
                            status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let notes = try await s.store.evaluationNotes(sopID: sop.id)
        let files = try await s.store.evidenceFiles(owner: .note, ownerIDs: notes.map(\.id))
        let doc = try? await s.store.version(sopID: sop.id, version: sop.effectiveVersion ?? sop.latestVersion).document
        let e = labelledErrors(errors, t)
        let m = NotesModel(
            sopTitle: "\(sop.number) \(sop.title)", sopHref: SiteURL.sop(sop.id).path, findingsHref: SiteURL.sopFindings(sop.id).path,
            rows: notes.map { n in
                let l = noteLabel(n, doc, t)
                return NotesModel.Row(date: SKMFormat.date(n.date, t.language), method: l.method, respondent: l.respondent, step: l.step, text: n.text,
                                      files: (files[n.id] ?? []).map(EvidencePage.Item.init))
            },
            canWrite: canWrite(ctx), action: SiteURL.sopNotes(sop.id).path,
            form: ["note_date": form["note_date"] ?? CivilDate(Date()).description, "text": form["text"] ?? ""],
            methods: EvaluationNoteMethod.allCases.map { Option(value: $0.rawValue, label: t["note_method_\($0.rawValue)"], selected: form.text("method") == $0.rawValue) },
            respondents: RespondentType.allCases.map { Option(value: $0.rawValue, label: t["note_respondent_\($0.rawValue)"], selected: form.text("respondent") == $0.rawValue) },
            steps: [Option(value: "", label: t["note_no_step"], selected: form.text("step_id").isEmpty)]
                + (doc?.steps ?? []).enumerated().map { i, st in Option(value: st.id, label: "\(i + 1). \(st.activity)", selected: form.text("step_id") == st.id) },
            errors: e.list, invalid: e.invalid, maxMB: PantauStore.evidenceMaxBytes / 1_048_576)
        return .html(s.views.render("finding-notes", title: t["note_title"] + " · " + sop.title, page: m, context: ctx, active: .sops), status: status)
    }

    static func uploads(_ u: [EvidencePage.Upload]) -> [EvidenceUpload] { u.map { EvidenceUpload(name: $0.name, contentType: $0.contentType, data: $0.bytes) } }

    // MARK: Routes

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        EvidencePage.register(r, s)

        r.page(.get, .sopFindings(.key), .evaluationRead, "Findings of an SOP for a period, with filters, their figures and links") { req, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            return try await renderList(s, ctx, sop, query: FormData(req.uri.query ?? ""))
        }

        r.page(.post, .sopFindings(.key), .evaluationWrite, "Add a finding by hand") { req, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try await submittedForm(req, ctx.base)
            do {
                let rec = try await s.store.createFinding(sopID: sop.id, FindingInput(period: f.text("period"), title: f.text("title"), detail: f["detail"] ?? "",
                                                                                     severity: f.text("severity")), by: ctx.actor)
                return .seeOther(.finding(rec.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch {
                return try await renderList(s, ctx, sop, query: FormData(pairs: [("periode", f.text("period"))]), form: f,
                                            errors: try storeErrors(error, t), status: .badRequest)
            }
        }

        r.page(.post, .sopFindingsGenerate(.key), .evaluationWrite, "Draft the findings of a period from the data (idempotent)") { req, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try await submittedForm(req, ctx.base)
            guard let period = SurveyPeriod(f.text("period")) else {
                return try await renderList(s, ctx, sop, query: FormData(""), form: f,
                                            errors: [InputProblem("period", "period_format", [f.text("period")]).fieldError(t)], status: .badRequest)
            }
            let g = try await s.store.generateFindings(sopID: sop.id, period: period, by: ctx.actor)
            return .seeOther(SiteURL.sopFindings(sop.id).path(query: ["periode": period.description]),
                             flash: t.format("fd_generated", g.created.count, g.updated.count, g.kept.count), secure: s.config.secureCookies)
        }

        r.page(.get, .finding(.key), .evaluationRead, "One finding: evidence, notes, recommendations and follow-up actions") { _, ctx in
            let (f, sop) = try await loadFinding(s, ctx, id: try ctx.int64("id"))
            return try await renderDetail(s, ctx, f, sop)
        }

        r.page(.post, .finding(.key), .evaluationWrite, "Edit a finding (generation leaves it alone afterwards)") { req, ctx in
            let (f, sop) = try await loadFinding(s, ctx, id: try ctx.int64("id"))
            let t = s.views.strings(ctx.language)
            let form = try await submittedForm(req, ctx.base)
            do {
                try await s.store.updateFinding(id: f.id, title: form.text("title"), detail: form["detail"] ?? "", severity: form.text("severity"), by: ctx.actor)
                return .seeOther(.finding(f.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch {
                return try await renderDetail(s, ctx, f, sop, form: form, errors: try storeErrors(error, t), status: .badRequest)
            }
        }

        r.page(.post, .findingStatus(.key), .evaluationWrite, "Close, dismiss (with a reason) or re-open a finding") { req, ctx in
            let (f, sop) = try await loadFinding(s, ctx, id: try ctx.int64("id"))
            let t = s.views.strings(ctx.language)
            let form = try await submittedForm(req, ctx.base)
            do {
                guard let st = FindingStatus(rawValue: form.text("status")) else {
                    throw StoreError.rejected([InputProblem("status", "one_of", [FindingStatus.allCases.map(\.rawValue).joined(separator: ", ")])])
                }
                try await s.store.setFindingStatus(id: f.id, st, reason: form["reason"] ?? "", by: ctx.actor)
                return .seeOther(.finding(f.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch {
                return try await renderDetail(s, ctx, f, sop, form: form, errors: try storeErrors(error, t), status: .badRequest)
            }
        }

        r.page(.post, .findingNotes(.key), .evaluationWrite, "Link an interview or observation note to a finding") { req, ctx in
            let (f, sop) = try await loadFinding(s, ctx, id: try ctx.int64("id"))
            let t = s.views.strings(ctx.language)
            let form = try await submittedForm(req, ctx.base)
            do {
                guard let nid = Int64(form.text("note_id")) else { throw StoreError.rejected([InputProblem("note_id", "required")]) }
                try await s.store.linkNote(findingID: f.id, noteID: nid, by: ctx.actor)
                return .seeOther(.finding(f.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch {
                return try await renderDetail(s, ctx, f, sop, errors: try storeErrors(error, t), status: .badRequest)
            }
        }

        r.page(.post, .findingEvidence(.key), .evaluationWrite, "Attach evidence files to a finding (multipart, PDF/PNG/JPEG/XLSX/DOCX/CSV)") { req, ctx in
            let (f, sop) = try await loadFinding(s, ctx, id: try ctx.int64("id"))
            let t = s.views.strings(ctx.language)
            let (_, files) = try await EvidencePage.form(req, ctx)
            do {
                try await s.store.addFindingEvidence(findingID: f.id, uploads(files), by: ctx.actor)
                return .seeOther(.finding(f.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch {
                return try await renderDetail(s, ctx, f, sop, errors: try storeErrors(error, t), status: .badRequest)
            }
        }

        r.page(.post, .recommendation(.key), .evaluationWrite, "Rewrite a recommendation and its priority") { req, ctx in
            let rec = try await s.store.recommendation(id: try ctx.int64("id"))
            let (f, sop) = try await loadFinding(s, ctx, id: rec.findingID)
            let t = s.views.strings(ctx.language)
            let form = try await submittedForm(req, ctx.base)
            do {
                try await s.store.updateRecommendation(id: rec.id, text: form["text"] ?? "", priority: form.text("priority"), by: ctx.actor)
                return .seeOther(.finding(f.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch {
                return try await renderDetail(s, ctx, f, sop, errors: try storeErrors(error, t), status: .badRequest)
            }
        }

        r.page(.get, .sopNotes(.key), .evaluationRead, "Interview and observation notes of an SOP") { _, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            return try await renderNotes(s, ctx, sop)
        }

        r.page(.post, .sopNotes(.key), .evaluationWrite, "Add an interview or observation note with evidence files (multipart)") { req, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let (form, files) = try await EvidencePage.form(req, ctx)
            do {
                try await s.store.createEvaluationNote(sopID: sop.id, EvaluationNoteInput(date: form.text("note_date"), method: form.text("method"),
                                                                                          respondent: form.text("respondent"), stepID: form.text("step_id"),
                                                                                          text: form["text"] ?? ""),
                                                       evidence: uploads(files), by: ctx.actor)
                return .seeOther(.sopNotes(sop.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch {
                return try await renderNotes(s, ctx, sop, form: form, errors: try storeErrors(error, t), status: .badRequest)
            }
        }

        ActionPages.register(r, s)
        FindingAPI.register(r, s)
    }
}
