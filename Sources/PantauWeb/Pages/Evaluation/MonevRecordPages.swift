import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// PermenPANRB 35/2012 Tabel 7 ("Monitoring Pelaksanaan SOP AP") and Tabel 8 ("Evaluasi
/// Penerapan SOP AP") of an SOP: `/sops/{id}/monitoring-sop` (records per period, a new one
/// pre-filled from the analysis), `/sops/{id}/monitoring-sop/{record}` (the form, save, paraf
/// penilai, revisions), `/sops/{id}/evaluasi-sop[/{record}]` (the 7 criteria, both sign-offs),
/// each printable on A4 (`…/cetak`), and the JSON API (docs/sop-monev.md).
enum MonevRecordPages {
    // MARK: Shared

    /// The links the SOP page and the monitoring page show.
    struct Links {
        let monitoring: String
        let evaluation: String
        init(_ sopID: Int64) {
            monitoring = SiteURL.sopMonevMonitoring(sopID).path
            evaluation = SiteURL.sopMonevEvaluation(sopID).path
        }
    }

    /// Form field name → input id (`rows[3][note]` → `rows-3-note`).
    static func inputID(_ field: String) -> String {
        field.replacingOccurrences(of: "][", with: "-").replacingOccurrences(of: "[", with: "-").replacingOccurrences(of: "]", with: "")
    }

    /// The label of a form field as the form shows it (Bahasa Indonesia first).
    static func label(_ field: String, _ t: Strings) -> String? {
        let fixed = ["period": "monev_period", "methods": "monev_methods", "threshold_skipped": "monev_threshold_skipped",
                     "threshold_over_standard": "monev_threshold_over", "threshold_compliance": "monev_threshold_compliance",
                     "threshold_min_cases": "monev_threshold_min_cases", "threshold_ikm": "monev_threshold_ikm",
                     "general_note": "monev_general_note", "reason": "monev_reason", "evaluator_sign": "monev_evaluator_sign",
                     "executor_sign": "monev_executor_sign", "answers": "monev_criteria",
                     "activities_without_sop": "monev_activities_q", "activities_without_sop_list": "monev_activities_list"]
        if let k = fixed[field] { return t[k] }
        // rows[n][x] and answers[n][x]
        let parts = field.split(whereSeparator: { $0 == "[" || $0 == "]" }).map(String.init)
        guard parts.count >= 2, let n = Int(parts[1]) else { return nil }
        let part = parts.count > 2 ? parts[2] : ""
        switch (parts[0], part) {
        case ("rows", "assessment"): return t.format("monev_row_assessment_label", n)
        case ("rows", "note"): return t.format("monev_row_note_label", n)
        case ("rows", "action"): return t.format("monev_row_action_label", n)
        case ("rows", _): return t.format("monev_row_label", n)
        case ("answers", "note"): return t.format("monev_answer_note_label", n)
        case ("answers", _): return t.format("monev_answer_label", n)
        default: return nil
        }
    }

    /// Errors with the input id as `field` and the label as the form shows it.
    static func labelled(_ errors: [FieldError], _ t: Strings) -> [FieldError] {
        errors.map { FieldError(field: inputID($0.field), message: $0.message, label: $0.label ?? label($0.field, t)) }
    }

    static func invalid(_ errors: [FieldError]) -> [String: Bool] {
        Dictionary(errors.map { (inputID($0.field), true) }, uniquingKeysWith: { a, _ in a })
    }

    static func signature(_ s: MonevSignature?, _ lang: Language, _ t: Strings) -> SignatureModel? {
        s.map { SignatureModel(name: $0.name, role: t["role_\($0.role.rawValue)"], at: formatTime($0.at, lang)) }
    }

    struct SignatureModel { let name: String; let role: String; let at: String }

    struct RevisionLink { let label: String; let href: String; let current: Bool }

    static func periodChoices(kind: MonevKind, selected: String, t: Strings, lang: Language) -> [Option] {
        let today = CivilDate(Date())
        var periods: [SurveyPeriod] = []
        let order: [SurveyPeriod.Kind] = kind == .monitoring ? [.semester, .year, .quarter, .month] : [.year, .semester, .quarter, .month]
        for k in order {
            let current = SurveyPeriod(containing: today, kind: k)
            let back = k == .month ? 5 : (k == .year ? 2 : 3)
            periods += current.trendWindow(back + 1).reversed()
        }
        let chosen = selected.isEmpty ? SurveyPeriod(containing: today, kind: kind.defaultPeriodKind).description : selected
        var options = periods.map { Option(value: $0.description, label: $0.label(lang.survey), selected: $0.description == chosen) }
        if let p = SurveyPeriod(chosen), !periods.contains(p) { options.insert(Option(value: p.description, label: p.label(lang.survey), selected: true), at: 0) }
        return options
    }

    /// The record `:record` of the SOP `:id` within the caller's scope (another SOP's record: 404).
    static func loadMonitoring(_ s: AppServices, _ ctx: some RequestScope, revision: Int? = nil) async throws -> (SOPRecord, OrgTree, MonitoringRecord, [MonitoringRecord]) {
        let (sop, tree) = try await SOPPages.loadScoped(s, ctx)
        let all = try await s.store.monitoringRecordRevisions(id: try ctx.int64("record"))
        guard let latest = all.first, latest.sopID == sop.id else { throw AppError.notFound }
        guard let shown = revision.map({ n in all.first { $0.revision == n } }) ?? latest else { throw AppError.notFound }
        return (sop, tree, shown, all)
    }

    static func loadEvaluation(_ s: AppServices, _ ctx: some RequestScope, revision: Int? = nil) async throws -> (SOPRecord, OrgTree, EvaluationRecord, [EvaluationRecord]) {
        let (sop, tree) = try await SOPPages.loadScoped(s, ctx)
        let all = try await s.store.evaluationRecordRevisions(id: try ctx.int64("record"))
        guard let latest = all.first, latest.sopID == sop.id else { throw AppError.notFound }
        guard let shown = revision.map({ n in all.first { $0.revision == n } }) ?? latest else { throw AppError.notFound }
        return (sop, tree, shown, all)
    }

    static func revisionParameter(_ req: Request) -> Int? { req.uri.queryParameters.get("revisi").flatMap { Int($0) } }

    // MARK: Tabel 7: list and new

    struct MonitoringListModel {
        struct Row {
            let period: String; let revision: Int; let status: String; let signed: Bool; let notGood: Int; let corrected: Int
            let href: String; let printHref: String
        }
        let title: String
        let number: String
        let sopHref: String
        let monitoringHref: String
        let evaluationHref: String
        let rows: [Row]
        let canWrite: Bool
        let action: String
        let periods: [Option]
        let methods: [Option]
        let skipped: String
        let over: String
        let compliance: String
        let minCases: String
        let ikm: String
        let errors: [FieldError]
        let invalid: [String: Bool]
    }

    static func percentText(_ share: Double) -> String {
        let v = (share * 1000).rounded() / 10
        return v == v.rounded() ? String(Int(v)) : String(v).replacingOccurrences(of: ".", with: ",")
    }

    static func monitoringListModel(sop: SOPRecord, records: [MonitoringRecord], canWrite: Bool, form f: FormData, errors: [FieldError],
                                    language lang: Language, t: Strings) -> MonitoringListModel {
        let d = MonitoringThresholds()
        let chosenMethods = Set(f.all("methods"))
        func v(_ key: String, _ fallback: String) -> String { f[key] ?? fallback }
        return MonitoringListModel(
            title: sop.title, number: sop.number, sopHref: SiteURL.sop(sop.id).path, monitoringHref: SiteURL.sopMonitoring(sop.id).path,
            evaluationHref: SiteURL.sopMonevEvaluation(sop.id).path,
            rows: records.map { r in
                MonitoringListModel.Row(
                    period: r.period.label(lang.survey), revision: r.revision,
                    status: r.evaluator.map { t.format("monev_signed_by", $0.name, formatTime($0.at, lang)) } ?? t["monev_status_draft"],
                    signed: r.isFrozen, notGood: r.content.rows.filter { $0.assessment == .notGood }.count,
                    corrected: r.content.rows.filter(\.corrected).count,
                    href: SiteURL.sopMonevMonitoringRecord(sop.id, record: r.id).path,
                    printHref: SiteURL.sopMonevMonitoringPrint(sop.id, record: r.id).path)
            },
            canWrite: canWrite, action: SiteURL.sopMonevMonitoring(sop.id).path,
            periods: periodChoices(kind: .monitoring, selected: f.text("period"), t: t, lang: lang),
            methods: MonitoringMethod.allCases.map { Option(value: $0.rawValue, label: t["monev_method_\($0.rawValue)"], selected: chosenMethods.contains($0.rawValue)) },
            skipped: v("threshold_skipped", percentText(d.skippedShare)), over: v("threshold_over_standard", percentText(d.overStandardShare)),
            compliance: v("threshold_compliance", percentText(d.complianceShare)), minCases: v("threshold_min_cases", String(d.minimumCases)),
            ikm: v("threshold_ikm", String(d.minimumIKM).replacingOccurrences(of: ".", with: ",")),
            errors: labelled(errors, t), invalid: invalid(errors))
    }

    /// A number typed with a decimal comma or point.
    static func number(_ text: String) -> Double? {
        let s = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        guard !s.isEmpty, let v = Double(s), v.isFinite else { return nil }
        return v
    }

    /// The period, methods and thresholds of the "new record" form, or the field errors.
    static func newMonitoringInput(_ f: FormData, _ t: Strings) -> (SurveyPeriod?, Set<MonitoringMethod>, MonitoringThresholds, [FieldError]) {
        var errors: [FieldError] = []
        let period = SurveyPeriod(f.text("period"))
        if period == nil { errors.append(FieldError(field: "period", message: t["monev_err_period"])) }
        var methods = Set<MonitoringMethod>()
        for m in f.all("methods") {
            if let x = MonitoringMethod(rawValue: m) { methods.insert(x) } else { errors.append(FieldError(field: "methods", message: t["err_invalid"])) }
        }
        var th = MonitoringThresholds()
        func share(_ key: String, _ set: (Double) -> Void) {
            guard let raw = f[key], !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return }
            if let v = number(raw) { set(v / 100) } else { errors.append(FieldError(field: key, message: t["monev_err_number"])) }
        }
        share("threshold_skipped") { th.skippedShare = $0 }
        share("threshold_over_standard") { th.overStandardShare = $0 }
        share("threshold_compliance") { th.complianceShare = $0 }
        if let raw = f[ "threshold_min_cases"], !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            if let v = Int(raw.trimmingCharacters(in: .whitespaces)) { th.minimumCases = v } else { errors.append(FieldError(field: "threshold_min_cases", message: t["monev_err_number"])) }
        }
        if let raw = f["threshold_ikm"], !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            if let v = number(raw) { th.minimumIKM = v } else { errors.append(FieldError(field: "threshold_ikm", message: t["monev_err_number"])) }
        }
        let failed = Set(errors.map(\.field))
        errors += th.inputProblems().filter { !failed.contains($0.field) }.map { $0.fieldError(t) }
        return (period, methods, th, errors)
    }

    static func renderMonitoringList(_ s: AppServices, _ ctx: UserContext, _ sop: SOPRecord, form: FormData = FormData(""), errors: [FieldError] = [],
                                     status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let m = monitoringListModel(sop: sop, records: try await s.store.monitoringRecords(sopID: sop.id),
                                    canWrite: AccessRule.evaluationWrite.allows(ctx.identity), form: form, errors: errors, language: ctx.language, t: t)
        return .html(s.views.render("monev-monitoring-list", title: t["monev_monitoring_title"] + " · " + sop.title, page: m, context: ctx, active: .sops),
                     status: status)
    }

    // MARK: Tabel 7: one record

    struct MonitoringRecordModel {
        struct Row {
            let number: Int; let procedure: String
            let good: Bool; let notGood: Bool; let assessment: String
            let proposed: String; let corrected: Bool; let assessmentCorrected: Bool
            let proposedNote: String; let proposedAction: String
            let note: String; let action: String
            let assessmentName: String; let noteName: String; let actionName: String
            let goodID: String; let notGoodID: String; let noteID: String; let actionID: String
            let invalidAssessment: Bool; let invalidNote: Bool; let invalidAction: Bool
        }
        let title: String
        let number: String
        let sopHref: String
        let listHref: String
        let monitoringHref: String
        let period: String
        let revision: Int
        let latestRevision: Int
        let isLatest: Bool
        /// Nil when empty (a section on an empty string would still show its label).
        let reason: String?
        let frozen: Bool
        let evaluator: SignatureModel?
        let figures: [String]
        let methods: [Option]
        let methodsText: String
        let rows: [Row]
        let generalNote: String
        let editable: Bool
        let canSign: Bool
        let action: String
        let signAction: String
        let printHref: String
        let revisions: [RevisionLink]
        let thresholds: String
        let errors: [FieldError]
        let invalid: [String: Bool]
        let reasonText: String
    }

    static func monitoringRecordModel(sop: SOPRecord, record r: MonitoringRecord, revisions: [MonitoringRecord], canWrite: Bool, canSign: Bool,
                                      form f: FormData?, errors: [FieldError], language lang: Language, t: Strings) -> MonitoringRecordModel {
        let bad = Set(errors.map { inputID($0.field) })
        let c = r.content
        let editable = canWrite && r.isLatest
        let chosen = f.map { Set($0.all("methods")) } ?? Set(c.methods.map(\.rawValue))
        let rows = c.rows.map { row -> MonitoringRecordModel.Row in
            let base = "rows[\(row.number)]"
            let a = f.map { $0.text(base + "[assessment]") } ?? (row.assessment?.rawValue ?? "")
            func label(_ x: MonitoringAssessment?) -> String { x.map { t["monev_assessment_\($0.rawValue)"] } ?? t["monev_assessment_none"] }
            return MonitoringRecordModel.Row(
                number: row.number, procedure: row.procedure, good: a == "good", notGood: a == "not_good",
                assessment: label(MonitoringAssessment(rawValue: a)), proposed: label(row.proposedAssessment),
                corrected: row.corrected, assessmentCorrected: row.assessmentCorrected,
                proposedNote: row.proposedNote, proposedAction: row.proposedAction,
                note: f.map { $0[base + "[note]"] ?? row.note } ?? row.note, action: f.map { $0[base + "[action]"] ?? row.action } ?? row.action,
                assessmentName: base + "[assessment]", noteName: base + "[note]", actionName: base + "[action]",
                goodID: inputID(base + "[assessment]"), notGoodID: inputID(base + "[assessment]") + "-tidak",
                noteID: inputID(base + "[note]"), actionID: inputID(base + "[action]"),
                invalidAssessment: bad.contains(inputID(base + "[assessment]")), invalidNote: bad.contains(inputID(base + "[note]")),
                invalidAction: bad.contains(inputID(base + "[action]")))
        }
        var figures: [String] = []
        let fg = c.figures
        figures.append(t.format("monev_fig_cases", fg.cases, MonitoringPrefill.percent(fg.compliantCases, fg.cases)))
        if fg.closedWithStandard > 0 {
            figures.append(t.format("monev_fig_within", MonitoringPrefill.percent(fg.closedWithinStandard, fg.closedWithStandard)))
        }
        if let ikm = fg.ikm { figures.append(t.format("monev_fig_ikm", String(format: "%.2f", ikm).replacingOccurrences(of: ".", with: ","), fg.respondents ?? 0)) }
        figures.append(t.format("monev_fig_version", c.sopVersion))
        let th = c.thresholds
        let thresholds = t.format("monev_thresholds_text", MonitoringPrefill.percent(th.skippedShare), MonitoringPrefill.percent(th.overStandardShare),
                                  th.minimumCases, MonitoringPrefill.percent(th.complianceShare),
                                  String(format: "%.2f", th.minimumIKM).replacingOccurrences(of: ".", with: ","))
        return MonitoringRecordModel(
            title: sop.title, number: sop.number, sopHref: SiteURL.sop(sop.id).path, listHref: SiteURL.sopMonevMonitoring(sop.id).path,
            monitoringHref: SiteURL.sopMonitoring(sop.id).path,
            period: r.period.label(lang.survey), revision: r.revision, latestRevision: r.latestRevision, isLatest: r.isLatest, reason: r.reason.isEmpty ? nil : r.reason,
            frozen: r.isFrozen, evaluator: signature(r.evaluator, lang, t), figures: figures,
            methods: MonitoringMethod.allCases.map { Option(value: $0.rawValue, label: t["monev_method_\($0.rawValue)"], selected: chosen.contains($0.rawValue)) },
            methodsText: c.methods.map { t["monev_method_\($0.rawValue)"] }.joined(separator: ", "),
            rows: rows, generalNote: f.map { $0["general_note"] ?? "" } ?? c.generalNote, editable: editable,
            canSign: editable && canSign && !r.isFrozen,
            action: SiteURL.sopMonevMonitoringRecord(sop.id, record: r.id).path, signAction: SiteURL.sopMonevMonitoringSign(sop.id, record: r.id).path,
            printHref: SiteURL.sopMonevMonitoringPrint(sop.id, record: r.id).path(query: ["revisi": r.isLatest ? nil : String(r.revision)]),
            revisions: revisions.map {
                RevisionLink(label: t.format("monev_revision_n", $0.revision),
                             href: SiteURL.sopMonevMonitoringRecord(sop.id, record: r.id).path(query: ["revisi": String($0.revision)]),
                             current: $0.revision == r.revision)
            },
            thresholds: thresholds, errors: labelled(errors, t), invalid: invalid(errors), reasonText: f?["reason"] ?? "")
    }

    /// The evaluator's decisions of the record form, or the field errors.
    static func monitoringEdit(_ f: FormData, _ rec: MonitoringRecord, _ t: Strings) -> (MonitoringEdit, [FieldError]) {
        var errors: [FieldError] = []
        var methods = Set<MonitoringMethod>()
        for m in f.all("methods") {
            if let x = MonitoringMethod(rawValue: m) { methods.insert(x) } else { errors.append(FieldError(field: "methods", message: t["err_invalid"])) }
        }
        var rows: [MonitoringRowDecision] = []
        for row in rec.content.rows {
            let base = "rows[\(row.number)]"
            guard f[base + "[assessment]"] != nil || f[base + "[note]"] != nil || f[base + "[action]"] != nil else { continue }
            let raw = f.text(base + "[assessment]")
            var a: MonitoringAssessment?
            if !raw.isEmpty {
                a = MonitoringAssessment(rawValue: raw)
                if a == nil { errors.append(FieldError(field: base + "[assessment]", message: t["err_invalid"])) }
            }
            rows.append(MonitoringRowDecision(number: row.number, assessment: a, note: f[base + "[note]"] ?? row.note, action: f[base + "[action]"] ?? row.action))
        }
        let edit = MonitoringEdit(methods: methods, rows: rows, generalNote: f["general_note"] ?? rec.content.generalNote, reason: f["reason"] ?? "")
        return (edit, errors)
    }

    static func renderMonitoringRecord(_ s: AppServices, _ ctx: UserContext, _ sop: SOPRecord, _ rec: MonitoringRecord, _ all: [MonitoringRecord],
                                       form: FormData? = nil, errors: [FieldError] = [], status: HTTPResponse.Status = .ok) -> Response {
        let t = s.views.strings(ctx.language)
        let role = ctx.user.role
        let m = monitoringRecordModel(sop: sop, record: rec, revisions: all, canWrite: AccessRule.evaluationWrite.allows(ctx.identity),
                                      canSign: role == .admin || role == .evaluator, form: form, errors: errors, language: ctx.language, t: t)
        return .html(s.views.render("monev-monitoring-record", title: t["monev_monitoring_title"] + " · " + rec.period.label(ctx.language.survey),
                                    page: m, context: ctx, active: .sops), status: status)
    }

    // MARK: Tabel 8: list and record

    struct EvaluationListModel {
        struct Row { let period: String; let revision: Int; let share: String; let status: String; let signed: Bool; let href: String; let printHref: String }
        let title: String
        let number: String
        let sopHref: String
        let monitoringListHref: String
        let rows: [Row]
        let canWrite: Bool
        let action: String
        let periods: [Option]
        let errors: [FieldError]
        let invalid: [String: Bool]
    }

    static func evaluationStatus(_ r: EvaluationRecord, _ lang: Language, _ t: Strings) -> String {
        if let e = r.evaluator { return t.format("monev_signed_by", e.name, formatTime(e.at, lang)) }
        if let x = r.executor { return t.format("monev_executor_signed_by", x.name, formatTime(x.at, lang)) }
        return t["monev_status_draft"]
    }

    static func shareText(_ c: EvaluationContent) -> String {
        MonitoringPrefill.percent(c.yesShare / 100) + " (\(c.yesCount)/\(EvaluationCriteria.numbers.count))"
    }

    static func renderEvaluationList(_ s: AppServices, _ ctx: UserContext, _ sop: SOPRecord, form f: FormData = FormData(""), errors: [FieldError] = [],
                                     status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let lang = ctx.language
        let records = try await s.store.evaluationRecords(sopID: sop.id)
        let m = EvaluationListModel(
            title: sop.title, number: sop.number, sopHref: SiteURL.sop(sop.id).path, monitoringListHref: SiteURL.sopMonevMonitoring(sop.id).path,
            rows: records.map { r in
                EvaluationListModel.Row(period: r.period.label(lang.survey), revision: r.revision, share: shareText(r.content),
                                        status: evaluationStatus(r, lang, t), signed: r.isFrozen,
                                        href: SiteURL.sopMonevEvaluationRecord(sop.id, record: r.id).path,
                                        printHref: SiteURL.sopMonevEvaluationPrint(sop.id, record: r.id).path)
            },
            canWrite: AccessRule.evaluationWrite.allows(ctx.identity), action: SiteURL.sopMonevEvaluation(sop.id).path,
            periods: periodChoices(kind: .evaluation, selected: f.text("period"), t: t, lang: lang),
            errors: labelled(errors, t), invalid: invalid(errors))
        return .html(s.views.render("monev-evaluation-list", title: t["monev_evaluation_title"] + " · " + sop.title, page: m, context: ctx, active: .sops),
                     status: status)
    }

    struct EvaluationRecordModel {
        struct Criterion {
            let number: Int; let text: String; let yes: Bool; let no: Bool; let answer: String; let note: String
            let answerName: String; let noteName: String; let yesID: String; let noID: String; let noteID: String
            let invalidAnswer: Bool; let invalidNote: Bool
        }
        let title: String
        let number: String
        let sopHref: String
        let listHref: String
        let period: String
        let revision: Int
        let latestRevision: Int
        let isLatest: Bool
        /// Nil when empty (a section on an empty string would still show its label).
        let reason: String?
        let frozen: Bool
        let criteria: [Criterion]
        let share: String
        let activitiesYes: Bool
        let activitiesNo: Bool
        let activitiesAnswer: String
        let activitiesList: String
        let generalNote: String
        let executor: SignatureModel?
        let evaluator: SignatureModel?
        let editable: Bool
        let canSignExecutor: Bool
        let canSignEvaluator: Bool
        let action: String
        let signExecutorAction: String
        let signEvaluatorAction: String
        let printHref: String
        let revisions: [RevisionLink]
        let errors: [FieldError]
        let invalid: [String: Bool]
        let reasonText: String
    }

    static func yesNo(_ v: Bool?, _ t: Strings) -> String { v.map { $0 ? t["monev_yes"] : t["monev_no"] } ?? t["monev_unanswered"] }

    static func evaluationRecordModel(sop: SOPRecord, record r: EvaluationRecord, revisions: [EvaluationRecord], canWrite: Bool,
                                      canSignExecutor: Bool, canSignEvaluator: Bool, form f: FormData?, errors: [FieldError],
                                      language lang: Language, t: Strings) -> EvaluationRecordModel {
        let bad = Set(errors.map { inputID($0.field) })
        let c = r.content
        let editable = canWrite && r.isLatest
        let criteria = c.answers.map { a -> EvaluationRecordModel.Criterion in
            let base = "answers[\(a.number)]"
            let v = f.map { $0.text(base + "[answer]") } ?? (a.yes.map { $0 ? "ya" : "tidak" } ?? "")
            return EvaluationRecordModel.Criterion(
                number: a.number, text: t["monev_criterion_\(a.number)"], yes: v == "ya", no: v == "tidak",
                answer: yesNo(v == "ya" ? true : (v == "tidak" ? false : nil), t), note: f.map { $0[base + "[note]"] ?? a.note } ?? a.note,
                answerName: base + "[answer]", noteName: base + "[note]", yesID: inputID(base + "[answer]"), noID: inputID(base + "[answer]") + "-tidak",
                noteID: inputID(base + "[note]"), invalidAnswer: bad.contains(inputID(base + "[answer]")), invalidNote: bad.contains(inputID(base + "[note]")))
        }
        let act = f.map { $0.text("activities_without_sop") } ?? (c.activitiesWithoutSOP.map { $0 ? "ya" : "tidak" } ?? "")
        return EvaluationRecordModel(
            title: sop.title, number: sop.number, sopHref: SiteURL.sop(sop.id).path, listHref: SiteURL.sopMonevEvaluation(sop.id).path,
            period: r.period.label(lang.survey), revision: r.revision, latestRevision: r.latestRevision, isLatest: r.isLatest, reason: r.reason.isEmpty ? nil : r.reason,
            frozen: r.isFrozen, criteria: criteria, share: shareText(c),
            activitiesYes: act == "ya", activitiesNo: act == "tidak", activitiesAnswer: yesNo(act == "ya" ? true : (act == "tidak" ? false : nil), t),
            activitiesList: f.map { $0["activities_without_sop_list"] ?? "" } ?? c.activitiesWithoutSOPList,
            generalNote: f.map { $0["general_note"] ?? "" } ?? c.generalNote,
            executor: signature(r.executor, lang, t), evaluator: signature(r.evaluator, lang, t), editable: editable,
            canSignExecutor: r.isLatest && !r.isFrozen && r.executor == nil && canSignExecutor,
            canSignEvaluator: editable && !r.isFrozen && canSignEvaluator,
            action: SiteURL.sopMonevEvaluationRecord(sop.id, record: r.id).path,
            signExecutorAction: SiteURL.sopMonevEvaluationSignExecutor(sop.id, record: r.id).path,
            signEvaluatorAction: SiteURL.sopMonevEvaluationSign(sop.id, record: r.id).path,
            printHref: SiteURL.sopMonevEvaluationPrint(sop.id, record: r.id).path(query: ["revisi": r.isLatest ? nil : String(r.revision)]),
            revisions: revisions.map {
                RevisionLink(label: t.format("monev_revision_n", $0.revision),
                             href: SiteURL.sopMonevEvaluationRecord(sop.id, record: r.id).path(query: ["revisi": String($0.revision)]),
                             current: $0.revision == r.revision)
            },
            errors: labelled(errors, t), invalid: invalid(errors), reasonText: f?["reason"] ?? "")
    }

    static func evaluationEdit(_ f: FormData, _ rec: EvaluationRecord, _ t: Strings) -> (EvaluationEdit, [FieldError]) {
        var errors: [FieldError] = []
        func yesNo(_ key: String) -> Bool? {
            switch f.text(key) {
            case "": return nil
            case "ya": return true
            case "tidak": return false
            default: errors.append(FieldError(field: key, message: t["err_invalid"])); return nil
            }
        }
        let answers = EvaluationCriteria.numbers.map { n -> EvaluationAnswer in
            let base = "answers[\(n)]"
            let old = rec.content.answers.first { $0.number == n }
            guard f[base + "[answer]"] != nil || f[base + "[note]"] != nil else { return old ?? EvaluationAnswer(number: n, yes: nil) }
            return EvaluationAnswer(number: n, yes: yesNo(base + "[answer]"), note: f[base + "[note]"] ?? old?.note ?? "")
        }
        let content = EvaluationContent(
            answers: answers,
            activitiesWithoutSOP: f["activities_without_sop"] != nil ? yesNo("activities_without_sop") : rec.content.activitiesWithoutSOP,
            activitiesWithoutSOPList: f["activities_without_sop_list"] ?? rec.content.activitiesWithoutSOPList,
            generalNote: f["general_note"] ?? rec.content.generalNote)
        return (EvaluationEdit(content: content, reason: f["reason"] ?? ""), errors)
    }

    static func renderEvaluationRecord(_ s: AppServices, _ ctx: UserContext, _ sop: SOPRecord, _ rec: EvaluationRecord, _ all: [EvaluationRecord],
                                       form: FormData? = nil, errors: [FieldError] = [], status: HTTPResponse.Status = .ok) -> Response {
        let t = s.views.strings(ctx.language)
        let role = ctx.user.role
        let m = evaluationRecordModel(sop: sop, record: rec, revisions: all, canWrite: AccessRule.evaluationWrite.allows(ctx.identity),
                                      canSignExecutor: role == .officer || role == .unitManager, canSignEvaluator: role == .admin || role == .evaluator,
                                      form: form, errors: errors, language: ctx.language, t: t)
        return .html(s.views.render("monev-evaluation-record", title: t["monev_evaluation_title"] + " · " + rec.period.label(ctx.language.survey),
                                    page: m, context: ctx, active: .sops), status: status)
    }

    // MARK: Print (A4)

    struct PrintModel {
        struct Row { let number: String; let procedure: String; let good: Bool; let notGood: Bool; let note: String; let action: String; let paraf: String }
        struct Criterion { let number: Int; let text: String; let yes: Bool; let no: Bool; let note: String }
        let lang: String
        let agency: String
        let unit: String
        let sopNumber: String
        let sopTitle: String
        let period: String
        let revision: Int
        let methods: [Option]
        let rows: [Row]
        let criteria: [Criterion]
        let share: String
        let activitiesYes: Bool
        let activitiesNo: Bool
        let activitiesList: String
        let generalNote: String
        let executor: SignatureModel?
        let evaluator: SignatureModel?
        let draft: Bool
        let place: String
    }

    static func monitoringPrint(sop: SOPRecord, record r: MonitoringRecord, tree: OrgTree, language lang: Language, t: Strings) -> PrintModel {
        let paraf = r.evaluator.map { "\($0.name)\n\(formatTime($0.at, lang))" } ?? ""
        return PrintModel(
            lang: lang.rawValue, agency: tree.path(to: sop.unitID).first?.name.uppercased() ?? "", unit: tree.unit(sop.unitID)?.name ?? "",
            sopNumber: sop.number, sopTitle: sop.title, period: r.period.label(lang.survey), revision: r.revision,
            methods: MonitoringMethod.allCases.map { Option(value: $0.rawValue, label: t["monev_method_\($0.rawValue)"], selected: r.content.methods.contains($0)) },
            rows: r.content.rows.map {
                PrintModel.Row(number: $0.number == 0 ? "–" : String($0.number), procedure: $0.procedure, good: $0.assessment == .good,
                               notGood: $0.assessment == .notGood, note: $0.note, action: $0.action, paraf: paraf)
            },
            criteria: [], share: "", activitiesYes: false, activitiesNo: false, activitiesList: "", generalNote: r.content.generalNote,
            executor: nil, evaluator: signature(r.evaluator, lang, t), draft: !r.isFrozen, place: "")
    }

    static func evaluationPrint(sop: SOPRecord, record r: EvaluationRecord, tree: OrgTree, language lang: Language, t: Strings) -> PrintModel {
        PrintModel(
            lang: lang.rawValue, agency: tree.path(to: sop.unitID).first?.name.uppercased() ?? "", unit: tree.unit(sop.unitID)?.name ?? "",
            sopNumber: sop.number, sopTitle: sop.title, period: r.period.label(lang.survey), revision: r.revision, methods: [], rows: [],
            criteria: r.content.answers.map {
                PrintModel.Criterion(number: $0.number, text: t["monev_criterion_\($0.number)"], yes: $0.yes == true, no: $0.yes == false, note: $0.note)
            },
            share: shareText(r.content), activitiesYes: r.content.activitiesWithoutSOP == true, activitiesNo: r.content.activitiesWithoutSOP == false,
            activitiesList: r.content.activitiesWithoutSOPList, generalNote: r.content.generalNote,
            executor: signature(r.executor, lang, t), evaluator: signature(r.evaluator, lang, t), draft: !r.isFrozen, place: "")
    }

    // MARK: Routes

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        // Tabel 7
        r.page(.get, .sopMonevMonitoring(.key), .evaluationRead, "Tabel 7 monitoring records of an SOP, and the form for a new one") { _, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            return try await renderMonitoringList(s, ctx, sop)
        }

        r.page(.post, .sopMonevMonitoring(.key), .evaluationWrite, "New Tabel 7 monitoring record for a period, pre-filled from the analysis") { req, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try await submittedForm(req, ctx.base)
            let (period, methods, thresholds, errors) = newMonitoringInput(f, t)
            guard let period, errors.isEmpty else { return try await renderMonitoringList(s, ctx, sop, form: f, errors: errors, status: .badRequest) }
            do {
                let rec = try await s.store.createMonitoringRecord(sopID: sop.id, period: period, methods: methods, thresholds: thresholds, by: ctx.actor)
                return .seeOther(.sopMonevMonitoringRecord(sop.id, record: rec.id), flash: t["monev_created"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await renderMonitoringList(s, ctx, sop, form: f, errors: fieldErrors(e, t), status: .badRequest)
            }
        }

        r.page(.get, .sopMonevMonitoringRecord(.key, record: .key), .evaluationRead, "One Tabel 7 monitoring record (a revision with ?revisi=n)") { req, ctx in
            let (sop, _, rec, all) = try await loadMonitoring(s, ctx, revision: revisionParameter(req))
            return renderMonitoringRecord(s, ctx, sop, rec, all)
        }

        r.page(.post, .sopMonevMonitoringRecord(.key, record: .key), .evaluationWrite,
               "Save a Tabel 7 record: methods, assessment, catatan and tindakan per row (after the sign-off: a new revision with its reason)") { req, ctx in
            let (sop, _, rec, all) = try await loadMonitoring(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try await submittedForm(req, ctx.base)
            let (edit, errors) = monitoringEdit(f, rec, t)
            guard errors.isEmpty else { return renderMonitoringRecord(s, ctx, sop, rec, all, form: f, errors: errors, status: .badRequest) }
            do {
                let saved = try await s.store.updateMonitoringRecord(id: rec.id, edit, by: ctx.actor)
                let flash = saved.revision > rec.revision ? t.format("monev_revised", saved.revision) : t["saved"]
                return .seeOther(.sopMonevMonitoringRecord(sop.id, record: rec.id), flash: flash, secure: s.config.secureCookies)
            } catch let e as StoreError {
                return renderMonitoringRecord(s, ctx, sop, rec, all, form: f, errors: fieldErrors(e, t), status: .badRequest)
            }
        }

        r.page(.post, .sopMonevMonitoringSign(.key, record: .key), .evaluationWrite, "Paraf penilai on a Tabel 7 record (evaluator or admin); freezes it") { _, ctx in
            let (sop, _, rec, all) = try await loadMonitoring(s, ctx)
            let t = s.views.strings(ctx.language)
            do {
                try await s.store.signMonitoringRecord(id: rec.id, userID: ctx.user.id, by: ctx.actor)
                return .seeOther(.sopMonevMonitoringRecord(sop.id, record: rec.id), flash: t["monev_signed"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return renderMonitoringRecord(s, ctx, sop, rec, all, errors: fieldErrors(e, t), status: .badRequest)
            }
        }

        r.page(.get, .sopMonevMonitoringPrint(.key, record: .key), .evaluationRead, "Printable Tabel 7 (A4 landscape)") { req, ctx in
            let (sop, tree, rec, _) = try await loadMonitoring(s, ctx, revision: revisionParameter(req))
            let t = s.views.strings(ctx.language)
            return .html(s.views.render("monev-print-monitoring", title: t["monev_monitoring_form_title"], page: monitoringPrint(sop: sop, record: rec, tree: tree, language: ctx.language, t: t), context: ctx))
        }

        // Tabel 8
        r.page(.get, .sopMonevEvaluation(.key), .evaluationRead, "Tabel 8 evaluation records of an SOP, and the form for a new one") { _, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            return try await renderEvaluationList(s, ctx, sop)
        }

        r.page(.post, .sopMonevEvaluation(.key), .evaluationWrite, "New Tabel 8 evaluation record for a period (default a year)") { req, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try await submittedForm(req, ctx.base)
            guard let period = SurveyPeriod(f.text("period")) else {
                return try await renderEvaluationList(s, ctx, sop, form: f, errors: [FieldError(field: "period", message: t["monev_err_period"])], status: .badRequest)
            }
            do {
                let rec = try await s.store.createEvaluationRecord(sopID: sop.id, period: period, by: ctx.actor)
                return .seeOther(.sopMonevEvaluationRecord(sop.id, record: rec.id), flash: t["monev_created"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await renderEvaluationList(s, ctx, sop, form: f, errors: fieldErrors(e, t), status: .badRequest)
            }
        }

        r.page(.get, .sopMonevEvaluationRecord(.key, record: .key), .evaluationRead, "One Tabel 8 evaluation record (a revision with ?revisi=n)") { req, ctx in
            let (sop, _, rec, all) = try await loadEvaluation(s, ctx, revision: revisionParameter(req))
            return renderEvaluationRecord(s, ctx, sop, rec, all)
        }

        r.page(.post, .sopMonevEvaluationRecord(.key, record: .key), .evaluationWrite,
               "Save a Tabel 8 record: Ya/Tidak and a note per criterion, activities without an SOP (after the sign-off: a new revision)") { req, ctx in
            let (sop, _, rec, all) = try await loadEvaluation(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = try await submittedForm(req, ctx.base)
            let (edit, errors) = evaluationEdit(f, rec, t)
            guard errors.isEmpty else { return renderEvaluationRecord(s, ctx, sop, rec, all, form: f, errors: errors, status: .badRequest) }
            do {
                let saved = try await s.store.updateEvaluationRecord(id: rec.id, edit, by: ctx.actor)
                let flash = saved.revision > rec.revision ? t.format("monev_revised", saved.revision) : t["saved"]
                return .seeOther(.sopMonevEvaluationRecord(sop.id, record: rec.id), flash: flash, secure: s.config.secureCookies)
            } catch let e as StoreError {
                return renderEvaluationRecord(s, ctx, sop, rec, all, form: f, errors: fieldErrors(e, t), status: .badRequest)
            }
        }

        r.page(.post, .sopMonevEvaluationSign(.key, record: .key), .evaluationWrite, "The evaluator's sign-off on a Tabel 8 record (evaluator or admin); freezes it") { _, ctx in
            let (sop, _, rec, all) = try await loadEvaluation(s, ctx)
            let t = s.views.strings(ctx.language)
            do {
                try await s.store.signEvaluationRecord(id: rec.id, as: .evaluator, userID: ctx.user.id, by: ctx.actor)
                return .seeOther(.sopMonevEvaluationRecord(sop.id, record: rec.id), flash: t["monev_signed"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return renderEvaluationRecord(s, ctx, sop, rec, all, errors: fieldErrors(e, t), status: .badRequest)
            }
        }

        // Officers do not pass evaluationWrite: the executor's sign-off has its own route, open to
        // the staff (actionUpdate); the store admits only officers and unit managers of the SOP's unit.
        r.page(.post, .sopMonevEvaluationSignExecutor(.key, record: .key), .actionUpdate,
               "The executor's sign-off on a Tabel 8 record (an officer or unit manager of the SOP's unit)") { _, ctx in
            let (sop, _, rec, all) = try await loadEvaluation(s, ctx)
            let t = s.views.strings(ctx.language)
            do {
                try await s.store.signEvaluationRecord(id: rec.id, as: .executor, userID: ctx.user.id, by: ctx.actor)
                return .seeOther(.sopMonevEvaluationRecord(sop.id, record: rec.id), flash: t["monev_signed"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return renderEvaluationRecord(s, ctx, sop, rec, all, errors: fieldErrors(e, t), status: .badRequest)
            }
        }

        r.page(.get, .sopMonevEvaluationPrint(.key, record: .key), .evaluationRead, "Printable Tabel 8 (A4 portrait)") { req, ctx in
            let (sop, tree, rec, _) = try await loadEvaluation(s, ctx, revision: revisionParameter(req))
            let t = s.views.strings(ctx.language)
            return .html(s.views.render("monev-print-evaluation", title: t["monev_evaluation_form_title"], page: evaluationPrint(sop: sop, record: rec, tree: tree, language: ctx.language, t: t), context: ctx))
        }

        // JSON API
        r.api(.get, .api(.sopMonitoringRecords(.key)), .evaluationRead, "Tabel 7 monitoring records of an SOP: the latest revision per period") { _, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            return try .json(try await s.store.monitoringRecords(sopID: sop.id).map { MonevDTO.MonitoringRecord($0) })
        }

        r.api(.get, .api(.sopEvaluationRecords(.key)), .evaluationRead, "Tabel 8 evaluation records of an SOP: the latest revision per period") { _, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            return try .json(try await s.store.evaluationRecords(sopID: sop.id).map { MonevDTO.EvaluationRecord($0) })
        }
    }
}

// MARK: - API bodies

typealias MonevStoreRow = MonitoringRow
typealias MonevStoreMonitoringRecord = MonitoringRecord
typealias MonevStoreEvaluationRecord = EvaluationRecord


enum MonevDTO {
    struct Signature: Codable, Sendable {
        let user_id: Int64
        let name: String
        let role: String
        let signed_at: Date
        init(_ s: MonevSignature) { user_id = s.userID; name = s.name; role = s.role.rawValue; signed_at = s.at }
    }

    struct MonitoringRow: Codable, Sendable {
        let number: Int
        let step_id: String?
        let procedure: String
        let assessment: String?
        let proposed_assessment: String?
        let note: String
        let proposed_note: String
        let action: String
        let proposed_action: String
        let corrected: Bool
        init(_ r: MonevStoreRow) {
            number = r.number; step_id = r.stepID; procedure = r.procedure; assessment = r.assessment?.rawValue
            proposed_assessment = r.proposedAssessment?.rawValue; note = r.note; proposed_note = r.proposedNote; action = r.action
            proposed_action = r.proposedAction; corrected = r.corrected
        }
    }

    struct MonitoringRecord: Codable, Sendable {
        let id: Int64
        let sop_id: Int64
        let period: String
        let revision: Int
        let latest_revision: Int
        let reason: String
        let sop_version: Int
        let methods: [String]
        let cases: Int
        let compliant_cases: Int
        let ikm: Double?
        let rows: [MonitoringRow]
        let general_note: String
        let created_by: String
        let created_at: Date
        let updated_at: Date
        let frozen: Bool
        let evaluator: Signature?
        init(_ r: MonevStoreMonitoringRecord) {
            id = r.id; sop_id = r.sopID; period = r.period.description; revision = r.revision; latest_revision = r.latestRevision
            reason = r.reason; sop_version = r.content.sopVersion; methods = r.content.methods.map { $0.rawValue }; cases = r.content.figures.cases
            compliant_cases = r.content.figures.compliantCases; ikm = r.content.figures.ikm; rows = r.content.rows.map { MonitoringRow($0) }
            general_note = r.content.generalNote; created_by = r.createdBy; created_at = r.createdAt; updated_at = r.updatedAt
            frozen = r.isFrozen; evaluator = r.evaluator.map { Signature($0) }
        }
    }

    struct Answer: Codable, Sendable {
        let number: Int
        let answer: String?
        let note: String
        init(_ a: EvaluationAnswer) { number = a.number; answer = a.yes.map { $0 ? "ya" : "tidak" }; note = a.note }
    }

    struct EvaluationRecord: Codable, Sendable {
        let id: Int64
        let sop_id: Int64
        let period: String
        let revision: Int
        let latest_revision: Int
        let reason: String
        let answers: [Answer]
        let yes_count: Int
        let yes_share: Double
        let activities_without_sop: Bool?
        let activities_without_sop_list: String
        let general_note: String
        let created_by: String
        let created_at: Date
        let updated_at: Date
        let frozen: Bool
        let executor: Signature?
        let evaluator: Signature?
        init(_ r: MonevStoreEvaluationRecord) {
            id = r.id; sop_id = r.sopID; period = r.period.description; revision = r.revision; latest_revision = r.latestRevision
            reason = r.reason; answers = r.content.answers.map { Answer($0) }; yes_count = r.content.yesCount; yes_share = r.content.yesShare
            activities_without_sop = r.content.activitiesWithoutSOP; activities_without_sop_list = r.content.activitiesWithoutSOPList
            general_note = r.content.generalNote; created_by = r.createdBy; created_at = r.createdAt; updated_at = r.updatedAt
            frozen = r.isFrozen; executor = r.executor.map { Signature($0) }; evaluator = r.evaluator.map { Signature($0) }
        }
    }
}

private let periodPattern = "^[1-9][0-9]{3}(-(0[1-9]|1[0-2]|Q[1-4]|S[12]))?$"

extension MonevDTO.Signature: JSONSchemaDescribed {
    static var schemaName: String { "MonevSignature" }
    static var jsonSchema: JSONSchema {
        .object(required: ["user_id": .id, "name": .string, "role": .oneOf(Role.allCases.map(\.rawValue)), "signed_at": .dateTime], closed: true)
    }
}

extension MonevDTO.MonitoringRow: JSONSchemaDescribed {
    static var schemaName: String { "MonitoringRecordRow" }
    static var jsonSchema: JSONSchema {
        let states = MonitoringAssessment.allCases.map(\.rawValue)
        return .object(required: ["number": .integer("0: the SOP as a whole; n: step n", minimum: 0, int64: false), "procedure": .string("Prosedur"),
                                  "note": .string("Catatan hasil penilaian"), "proposed_note": .string, "action": .string("Tindakan yang harus diambil"),
                                  "proposed_action": .string, "corrected": .boolean],
                       optional: ["step_id": .string("The SOP step (absent on row 0)"),
                                  "assessment": .oneOf(states, "good: berjalan dengan baik; not_good: tidak berjalan dengan baik (absent: not decided)"),
                                  "proposed_assessment": .oneOf(states, "What the pre-fill proposed (absent: too few cases)")], closed: true)
    }
}

extension MonevDTO.MonitoringRecord: JSONSchemaDescribed {
    static var schemaName: String { "MonitoringRecord" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "sop_id": .id, "period": .string("2026-S1, 2026, 2026-Q3 or 2026-07", pattern: periodPattern),
                           "revision": .integer(minimum: 1, int64: false), "latest_revision": .integer(minimum: 1, int64: false),
                           "reason": .string("Why this revision was made (empty for revision 1)"), "sop_version": .integer(minimum: 1, int64: false),
                           "methods": .array(.oneOf(MonitoringMethod.allCases.map(\.rawValue))), "cases": .count, "compliant_cases": .count,
                           "rows": .array(.ref(MonevDTO.MonitoringRow.self)), "general_note": .string, "created_by": .string,
                           "created_at": .dateTime, "updated_at": .dateTime, "frozen": .boolean],
                optional: ["ikm": .number("IKM of the period (absent without responses)"),
                           "evaluator": .ref(MonevDTO.Signature.self, "Paraf penilai")], closed: true)
    }
}

extension MonevDTO.Answer: JSONSchemaDescribed {
    static var schemaName: String { "EvaluationAnswer" }
    static var jsonSchema: JSONSchema {
        .object(required: ["number": .integer("Criterion 1-7", minimum: 1, maximum: 7, int64: false), "note": .string],
                optional: ["answer": .oneOf(["ya", "tidak"], "Absent: not answered")], closed: true)
    }
}

extension MonevDTO.EvaluationRecord: JSONSchemaDescribed {
    static var schemaName: String { "EvaluationRecord" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "sop_id": .id, "period": .string("2026, 2026-S1, 2026-Q3 or 2026-07", pattern: periodPattern),
                           "revision": .integer(minimum: 1, int64: false), "latest_revision": .integer(minimum: 1, int64: false), "reason": .string,
                           "answers": .array(.ref(MonevDTO.Answer.self)), "yes_count": .count, "yes_share": .number("Ya / 7 × 100"),
                           "activities_without_sop_list": .string, "general_note": .string, "created_by": .string, "created_at": .dateTime,
                           "updated_at": .dateTime, "frozen": .boolean],
                optional: ["activities_without_sop": .boolean, "executor": .ref(MonevDTO.Signature.self, "Pelaksana SOP"),
                           "evaluator": .ref(MonevDTO.Signature.self, "Evaluator")], closed: true)
    }
}
