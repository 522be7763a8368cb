import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

/// The periodic monitoring and evaluation report of an SOP (issue 9 item 9, docs/monev-report.md):
/// `/sops/{id}/laporan-monev?periode=2026-S2` as an A4 document to print (`format=xlsx` and
/// `format=csv` for the same content as a workbook and a flat table), and the Zona Integritas
/// evidence pack `/sops/{id}/paket-zi?periode=2026`: one ZIP with the SOP (in force and the one
/// before), the monitoring and evaluation records, the follow-up actions with their evidence and
/// a manifest with the SHA-256 of every file.
///
/// The report gathers what the other pages record, for the period chosen: indicators (each
/// period of the indicator's kind that overlaps the report's), the Tabel 7 and Tabel 8 records
/// whose period overlaps it (their latest revision), findings of periods overlapping it with
/// their recommendations, the follow-up actions of those findings, and the before/after
/// comparison of the SOP's latest revision.
enum MonevReport {
    // MARK: Data

    struct Content {
        let sop: SOPRecord
        let version: SOPVersionRecord?
        let previous: SOPVersionRecord?
        let unitName: String
        let period: SurveyPeriod
        let indicators: [(IndicatorRecord, [IndicatorRealisation])]
        let monitoring: [MonitoringRecord]
        let evaluations: [EvaluationRecord]
        let findings: [FindingRecord]
        let recommendations: [Int64: [RecommendationRecord]]
        let actions: [FollowUpAction]
        let people: [Int64: String]
        let beforeAfter: [String]
        let beforeAfterLabel: String?
    }

    static func overlaps(_ a: SurveyPeriod, _ b: SurveyPeriod) -> Bool { a.firstDay <= b.lastDay && b.firstDay <= a.lastDay }

    /// The periods of `kind` that overlap `p`, oldest first.
    static func periods(of kind: SurveyPeriod.Kind, in p: SurveyPeriod) -> [SurveyPeriod] {
        var out: [SurveyPeriod] = []
        var q = SurveyPeriod(containing: p.firstDay, kind: kind)
        while q.firstDay <= p.lastDay, out.count < 24 {
            out.append(q)
            q = q.next
        }
        return out
    }

    /// The report's period from `periode=` (default: the current semester, the Permen's monitoring rhythm).
    static func period(_ req: Request, _ t: Strings) throws -> SurveyPeriod {
        guard let text = req.uri.queryParameters.get("periode"), !text.isEmpty else {
            return SurveyPeriod(containing: CivilDate(Date()), kind: .semester)
        }
        guard let p = SurveyPeriod(String(text)) else { throw AppError.invalid([FieldError(field: "periode", message: t["survey_err_period"])]) }
        return p
    }

    static func gather(_ s: AppServices, _ ctx: some RequestScope, sop: SOPRecord, tree: OrgTree, period: SurveyPeriod, t: Strings,
                       language: Language) async throws -> Content {
        let versions = try await s.store.versions(sopID: sop.id)
        let version = versions.first { $0.version == (sop.effectiveVersion ?? sop.latestVersion) }
        let previous = versions.filter { $0.version < (version?.version ?? 0) && $0.effectiveFrom != nil }.max { $0.version < $1.version }
        var indicators: [(IndicatorRecord, [IndicatorRealisation])] = []
        for i in try await s.store.indicators(sopID: sop.id) {
            indicators.append((i, try await s.store.realisations(i, periods: periods(of: i.periodKind, in: period), tree: tree)))
        }
        let monitoring = try await s.store.monitoringRecords(sopID: sop.id).filter { overlaps($0.period, period) }.sorted { $0.period < $1.period }
        let evaluations = try await s.store.evaluationRecords(sopID: sop.id).filter { overlaps($0.period, period) }.sorted { $0.period < $1.period }
        let findings = try await s.store.findings(sopID: sop.id).filter { overlaps($0.period, period) && $0.status != .dismissed }
            .sorted { ($0.impact, $1.id) > ($1.impact, $0.id) }
        let recs = try await s.store.recommendations(findingIDs: findings.map(\.id))
        let findingIDs = Set(findings.map(\.id))
        let actions = try await s.store.followUpActions(sopID: sop.id).filter { findingIDs.contains($0.findingID) }
        var people: [Int64: String] = [:]
        for u in try await s.store.users() { people[u.id] = u.displayName }
        // Before/after of the latest revision, over the cases the reader may see.
        var sentences: [String] = []
        var label: String?
        if let rev = BeforeAfterPage.defaultVersion(sop, versions), let from = rev.effectiveFrom, let identity = ctx.base.identity {
            let steps = Dictionary(uniqueKeysWithValues: rev.document.steps.enumerated().map { ($1.id, BeforeAfterPage.StepLabel(number: $0 + 1, activity: $1.activity)) })
            let c = try await s.store.beforeAfter(
                BeforeAfterQuery(sopID: sop.id, split: from.startOfDay(), windowDays: BeforeAfterPage.defaultWindow, visibleUnits: Scope.units(identity, tree: tree)),
                stepOrder: rev.document.steps.map(\.id))
            sentences = c.findings().map { BeforeAfterPage.sentence($0, steps: steps, language: language, t: t) }
            label = t.format("rep_before_after_label", String(rev.version), SKMFormat.date(from, language), String(BeforeAfterPage.defaultWindow))
        }
        return Content(sop: sop, version: version, previous: previous, unitName: tree.unit(sop.unitID)?.name ?? "", period: period,
                    indicators: indicators, monitoring: monitoring, evaluations: evaluations, findings: findings,
                    recommendations: Dictionary(grouping: recs, by: \.findingID), actions: actions, people: people,
                    beforeAfter: sentences, beforeAfterLabel: label)
    }

    // MARK: Rows (shared by the print view, the workbook and the CSV)

    /// One period of an indicator as a report row (the SOP report and the unit report).
    static func indicatorRow(_ i: IndicatorRecord, _ r: IndicatorRealisation, lang: Language, t: Strings) -> [String] {
        [i.code, i.name, r.period.label(lang.survey), IndicatorPages.value(r.target, i.unitOfMeasure, lang),
         IndicatorPages.value(r.value, i.unitOfMeasure, lang), t["ind_source_\(r.source.rawValue)"],
         r.achievement.map { SKMFormat.number($0, 1, lang) + "%" } ?? "–", t["ind_status_\(r.status?.rawValue ?? "none")"], r.explanation]
    }

    static func indicatorRows(_ d: Content, lang: Language, t: Strings) -> [[String]] {
        d.indicators.flatMap { i, rs in rs.map { indicatorRow(i, $0, lang: lang, t: t) } }
    }

    static func assessment(_ a: MonitoringAssessment?, _ t: Strings) -> String {
        switch a {
        case .good?: return t["rep_good"]
        case .notGood?: return t["rep_not_good"]
        case nil: return "–"
        }
    }

    static func signature(_ sig: MonevSignature?, _ lang: Language) -> String {
        guard let sig else { return "–" }
        return sig.name + ", " + formatTime(sig.at, lang)
    }

    static func monitoringRows(_ d: Content, lang: Language, t: Strings) -> [[String]] {
        d.monitoring.flatMap { rec in
            rec.content.rows.map { row in
                [rec.period.label(lang.survey), String(row.number), row.procedure, assessment(row.assessment, t), row.note, row.action,
                 rec.evaluator.map { $0.name } ?? "–"]
            }
        }
    }

    static func evaluationRows(_ d: Content, lang: Language, t: Strings) -> [[String]] {
        d.evaluations.flatMap { rec in
            rec.content.answers.map { a in
                [rec.period.label(lang.survey), String(a.number), t["monev_criterion_\(a.number)"], a.yes.map { $0 ? t["yes"] : t["no"] } ?? "–", a.note]
            }
        }
    }

    static func findingRows(_ d: Content, lang: Language, t: Strings) -> [[String]] {
        d.findings.map { f in
            [f.period.label(lang.survey), f.title, t["fd_severity_\(f.severity.rawValue)"], t["fd_status_\(f.status.rawValue)"], f.detail,
             (d.recommendations[f.id] ?? []).map(\.text).joined(separator: "\n")]
        }
    }

    static func actionRows(_ d: Content, lang: Language, t: Strings) -> [[String]] {
        let today = CivilDate(Date())
        return d.actions.map { a in
            [a.title, d.people[a.ownerID] ?? "#\(a.ownerID)", SKMFormat.date(a.dueDate, lang), t["act_status_\(a.status.rawValue)"],
             a.isOverdue(today: today) ? t["rep_overdue"] : "", a.verifiedBy.map { (d.people[$0] ?? "") + ", " + formatTime(a.verifiedAt, lang) } ?? "–",
             a.progressNote]
        }
    }

    // MARK: Print view

    struct Section {
        let title: String
        let header: [String]
        let rows: [[String]]
        let empty: String
    }

    struct Model {
        let lang: String
        let title: String
        let sopNumber: String
        let sopTitle: String
        let unit: String
        let version: String
        let period: String
        let generated: String
        let generatedBy: String
        let sections: [Section]
        let evaluationSummaries: [String]
        let beforeAfter: [String]
        let beforeAfterLabel: String?
        let xlsxHref: String
        let csvHref: String
        let zipHref: String
        let backHref: String
    }

    static func model(_ d: Content, by who: String, lang: Language, t: Strings) -> Model {
        let q = d.period.description
        return Model(
            lang: lang.rawValue, title: t["rep_title"], sopNumber: d.sop.number, sopTitle: d.sop.title, unit: d.unitName,
            version: d.version.map { t.format("rep_version", String($0.version), SKMFormat.date($0.effectiveFrom, lang)) } ?? "–",
            period: d.period.label(lang.survey), generated: formatTime(Date(), lang), generatedBy: who,
            sections: [
                Section(title: t["rep_sec_indicators"], header: [t["ind_code"], t["ind_name"], t["survey_period"], t["ind_target"], t["ind_realisation"],
                                                                 t["lkj_source"], t["ind_achievement"], t["status"], t["ind_explanation"]],
                        rows: indicatorRows(d, lang: lang, t: t), empty: t["rep_none_indicators"]),
                Section(title: t["rep_sec_monitoring"], header: [t["survey_period"], t["rep_no"], t["rep_procedure"], t["rep_assessment"], t["rep_note"],
                                                                 t["rep_action_needed"], t["rep_evaluator"]],
                        rows: monitoringRows(d, lang: lang, t: t), empty: t["rep_none_monitoring"]),
                Section(title: t["rep_sec_evaluation"], header: [t["survey_period"], t["rep_no"], t["rep_criterion"], t["rep_answer"], t["rep_note"]],
                        rows: evaluationRows(d, lang: lang, t: t), empty: t["rep_none_evaluation"]),
                Section(title: t["rep_sec_findings"], header: [t["survey_period"], t["rep_finding"], t["rep_severity"], t["status"], t["rep_evidence"],
                                                               t["rep_recommendation"]],
                        rows: findingRows(d, lang: lang, t: t), empty: t["rep_none_findings"]),
                Section(title: t["rep_sec_actions"], header: [t["rep_action"], t["rep_owner"], t["rep_due"], t["status"], t["rep_overdue"],
                                                              t["rep_verified"], t["rep_progress"]],
                        rows: actionRows(d, lang: lang, t: t), empty: t["rep_none_actions"]),
            ],
            evaluationSummaries: d.evaluations.map { e in
                t.format("rep_eval_summary", e.period.label(lang.survey), SKMFormat.number(e.content.yesShare, 1, lang),
                         signature(e.executor, lang), signature(e.evaluator, lang))
                    + (e.content.activitiesWithoutSOP == true ? " " + t.format("rep_activities_without_sop", e.content.activitiesWithoutSOPList) : "")
            },
            beforeAfter: d.beforeAfter, beforeAfterLabel: d.beforeAfterLabel,
            xlsxHref: SiteURL.sopMonevReport(d.sop.id).path(query: ["periode": q, "format": "xlsx"]),
            csvHref: SiteURL.sopMonevReport(d.sop.id).path(query: ["periode": q, "format": "csv"]),
            zipHref: SiteURL.sopZIPack(d.sop.id).path(query: ["periode": q]), backHref: SiteURL.sop(d.sop.id).path)
    }

    // MARK: Workbook and CSV

    static func workbook(_ m: Model) -> XLSXWorkbook {
        var sheets = [XLSXSheet(name: m.title.prefix(31).description, rows: [
            [.boldText(m.title)], [.text(m.sopNumber + " " + m.sopTitle)], [.text(m.unit)], [.text(m.version)], [.text(m.period)],
            [.text(m.generated + " · " + m.generatedBy)], [],
        ] + m.evaluationSummaries.map { [.text($0)] } + [[]] + (m.beforeAfterLabel.map { [[.boldText($0)]] } ?? []) + m.beforeAfter.map { [.text($0)] },
                                headerRows: 0, freezeHeader: false, columnWidths: [120])]
        for (n, sec) in m.sections.enumerated() {
            let name = "\(n + 1) " + sec.title
            sheets.append(XLSXSheet(name: String(name.prefix(31)), header: sec.header, rows: sec.rows.map { $0.map { XLSXCell.text($0) } },
                                    columnWidths: sec.header.map { _ in 24 }))
        }
        return XLSXWorkbook(sheets: sheets, title: m.title, creator: "Pantau")
    }

    static func csv(_ m: Model, t: Strings) -> Data {
        var w = CSVWriter(options: .excelIndonesia)
        w.writeRow([t["rep_section"]] + Array(repeating: "", count: 9))
        for sec in m.sections {
            w.writeRow([sec.title] + sec.header)
            for r in sec.rows { w.writeRow([sec.title] + r) }
        }
        for line in m.beforeAfter { w.writeRow([t["rep_sec_before_after"], line]) }
        return w.data
    }

    // MARK: Zona Integritas evidence pack

    /// File name safe in a ZIP on every system: letters, digits, `-`, `_` and `.`.
    static func safe(_ s: String) -> String {
        let mapped = s.unicodeScalars.map { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) ? Character($0) : "_" }
        let out = String(mapped).trimmingCharacters(in: CharacterSet(charactersIn: "._"))
        return out.isEmpty ? "berkas" : String(out.prefix(80))
    }

    static func pack(_ s: AppServices, _ ctx: UserContext, _ d: Content, tree: OrgTree) async throws -> [UInt8] {
        let t = s.views.strings(ctx.language)
        let lang = ctx.language
        var files: [(String, [UInt8], String)] = []
        func add(_ name: String, _ bytes: [UInt8], _ what: String) { files.append((name, bytes, what)) }
        let html = SOPDocumentHTML(options: .init(language: lang, agencyName: tree.path(to: d.sop.unitID).first?.name.uppercased()))
        if let v = d.version { add("1-sop/sop-versi-\(v.version)-berlaku.html", Array(html.renderPage(v.document).utf8), t["zi_sop_in_force"]) }
        if let p = d.previous { add("1-sop/sop-versi-\(p.version)-sebelumnya.html", Array(html.renderPage(p.document).utf8), t["zi_sop_previous"]) }
        for r in d.monitoring {
            let page = s.views.render("monev-print-monitoring", title: t["monev_monitoring_form_title"],
                                      page: MonevRecordPages.monitoringPrint(sop: d.sop, record: r, tree: tree, language: lang, t: t), context: ctx)
            add("2-monitoring/tabel7-\(r.period.description)-rev\(r.revision).html", Array(page.utf8), t["zi_monitoring"])
        }
        for r in d.evaluations {
            let page = s.views.render("monev-print-evaluation", title: t["monev_evaluation_form_title"],
                                      page: MonevRecordPages.evaluationPrint(sop: d.sop, record: r, tree: tree, language: lang, t: t), context: ctx)
            add("3-evaluasi/tabel8-\(r.period.description)-rev\(r.revision).html", Array(page.utf8), t["zi_evaluation"])
        }
        let m = model(d, by: ctx.user.displayName, lang: lang, t: t)
        add("4-tindak-lanjut/laporan-monev-\(d.period.description).html",
            Array(s.views.render("monev_report", title: m.title, page: m, context: ctx).utf8), t["zi_report"])
        add("4-tindak-lanjut/laporan-monev-\(d.period.description).xlsx", [UInt8](try XLSXWriter().write(workbook(m))), t["zi_report"])
        for a in d.actions {
            for f in try await s.store.evidenceFiles(owner: .action, ownerID: a.id) {
                let (_, bytes) = try await s.store.evidence(id: f.id)
                add("4-tindak-lanjut/bukti/tindak-lanjut-\(a.id)-\(f.id)-\(safe(f.name))", bytes, t.format("zi_action_evidence", a.title))
            }
        }
        for f in d.findings {
            for e in try await s.store.evidenceFiles(owner: .finding, ownerID: f.id) {
                let (_, bytes) = try await s.store.evidence(id: e.id)
                add("4-tindak-lanjut/bukti/temuan-\(f.id)-\(e.id)-\(safe(e.name))", bytes, t.format("zi_finding_evidence", f.title))
            }
        }
        for r in d.monitoring {
            for f in try await s.store.evidenceFiles(owner: .monitoringRecord, ownerID: r.id) {
                let (_, bytes) = try await s.store.evidence(id: f.id)
                add("2-monitoring/bukti/\(f.id)-\(safe(f.name))", bytes, t["zi_monitoring"])
            }
        }
        for r in d.evaluations {
            for f in try await s.store.evidenceFiles(owner: .evaluationRecord, ownerID: r.id) {
                let (_, bytes) = try await s.store.evidence(id: f.id)
                add("3-evaluasi/bukti/\(f.id)-\(safe(f.name))", bytes, t["zi_evaluation"])
            }
        }
        // The manifest: what each file is, its size and SHA-256, and the LKE items it answers.
        var manifest = CSVWriter(options: .excelIndonesia)
        manifest.writeRow([t["zi_file"], t["zi_what"], t["zi_bytes"], "SHA-256"])
        for (name, bytes, what) in files {
            manifest.writeRow([name, what, String(bytes.count), SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()])
        }
        let readme = t.format("zi_readme", d.sop.number, d.sop.title, d.unitName, d.period.label(lang.survey), formatTime(Date(), lang),
                              ctx.user.displayName, String(d.monitoring.count), String(d.evaluations.count), String(d.actions.count),
                              String(d.actions.filter { $0.status == .verified || $0.status == .done }.count),
                              d.actions.contains { $0.kind == .reviseSOP && ($0.status == .done || $0.status == .verified) } || d.previous != nil
                                ? t["yes"] : t["no"])
        var zip = ZipArchiveWriter(modified: Date(), timeZone: .wib)
        try zip.add(name: "BACA-SAYA.txt", data: Array(readme.utf8))
        try zip.add(name: "manifest-sha256.csv", data: [UInt8](manifest.data))
        for (name, bytes, _) in files { try zip.add(name: name, data: bytes) }
        return try zip.finish()
    }

    // MARK: Routes

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        ReportDTO.register(r, s)
        MonevUnitReport.register(r, s)
        r.page(.get, .sopMonevReport(.key), .evaluationRead,
               "Periodic monitoring and evaluation report of an SOP (A4 print; format=xlsx or csv): indicators, Tabel 7, Tabel 8, findings, actions, before/after") { req, ctx in
            let (sop, tree) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let period = try period(req, t)
            let d = try await gather(s, ctx, sop: sop, tree: tree, period: period, t: t, language: ctx.language)
            let m = model(d, by: ctx.user.displayName, lang: ctx.language, t: t)
            let base = "laporan-monev-\(safe(sop.number))-\(period.description)"
            switch req.uri.queryParameters.get("format") ?? "" {
            case "xlsx": return .download(try XLSXWriter().write(workbook(m)), contentType: ExportType.xlsx, filename: base + ".xlsx")
            case "csv": return .download(csv(m, t: t), contentType: ExportType.csv, filename: base + ".csv")
            case "", "html": return .html(s.views.render("monev_report", title: m.title, page: m, context: ctx))
            default: throw AppError.invalid([FieldError(field: "format", message: t["err_invalid"])])
            }
        }

        r.page(.get, .sopZIPack(.key), .evaluationRead,
               "Zona Integritas evidence pack of an SOP and period (ZIP with the SOP, Tabel 7 and 8, actions and evidence, SHA-256 manifest)") { req, ctx in
            let (sop, tree) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let period = try period(req, t)
            let d = try await gather(s, ctx, sop: sop, tree: tree, period: period, t: t, language: ctx.language)
            let bytes = try await pack(s, ctx, d, tree: tree)
            return .download(Data(bytes), contentType: "application/zip", filename: "paket-zi-\(safe(sop.number))-\(period.description).zip")
        }
    }
}

// MARK: - API

/// `GET /api/v1/sops/{id}/report?period=2026-S2`: the periodic report's content as JSON, in the
/// shapes of the indicator, record, finding and action APIs.
enum ReportDTO {
    struct Report: Codable, Sendable {
        var sop_id: Int64
        var number: String
        var title: String
        var unit: String
        var period: String
        var version: Int?
        var indicators: [IndicatorDTO.Detail]
        var monitoring_records: [MonevDTO.MonitoringRecord]
        var evaluation_records: [MonevDTO.EvaluationRecord]
        var findings: [FindingDTO.Finding]
        var actions: [FindingDTO.Action]
        /// The before/after comparison of the latest revision, in words (the request's language).
        var before_after: [String]
    }

    static func report(_ s: AppServices, _ d: MonevReport.Content) async throws -> Report {
        var indicators: [IndicatorDTO.Detail] = []
        for (i, rs) in d.indicators { indicators.append(try await IndicatorAPI.detail(s, i, realisations: rs)) }
        let findingFiles = try await s.store.evidenceFiles(owner: .finding, ownerIDs: d.findings.map(\.id))
        let actionFiles = try await s.store.evidenceFiles(owner: .action, ownerIDs: d.actions.map(\.id))
        let today = CivilDate(Date())
        return Report(sop_id: d.sop.id, number: d.sop.number, title: d.sop.title, unit: d.unitName, period: d.period.description,
                      version: d.version?.version, indicators: indicators, monitoring_records: d.monitoring.map(MonevDTO.MonitoringRecord.init),
                      evaluation_records: d.evaluations.map(MonevDTO.EvaluationRecord.init),
                      findings: d.findings.map { FindingDTO.finding($0, recs: d.recommendations[$0.id] ?? [], files: findingFiles[$0.id] ?? []) },
                      actions: d.actions.map { FindingDTO.action($0, files: actionFiles[$0.id] ?? [], today: today) }, before_after: d.beforeAfter)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.api(.get, .api(.sopReport(.key)), .evaluationRead,
              "The periodic monitoring and evaluation report of an SOP (query period=2026-S2, default the current semester) as JSON") { req, ctx in
            let (sop, tree) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            var period = SurveyPeriod(containing: CivilDate(Date()), kind: .semester)
            if let text = req.uri.queryParameters.get("period") {
                guard let p = SurveyPeriod(String(text)) else { throw AppError.invalid([FieldError(field: "period", message: t["survey_err_period"])]) }
                period = p
            }
            let d = try await MonevReport.gather(s, ctx, sop: sop, tree: tree, period: period, t: t, language: ctx.language)
            return try .json(try await report(s, d))
        }
    }
}

extension ReportDTO.Report: JSONSchemaDescribed {
    static var schemaName: String { "MonevReport" }
    static var jsonSchema: JSONSchema {
        .object(required: ["sop_id": .id, "number": .string, "title": .string, "unit": .string,
                           "period": .string("2026, 2026-S1, 2026-Q3 or 2026-07"),
                           "indicators": .array(.ref(IndicatorDTO.Detail.self), "The SOP's indicators with their periods overlapping the report's"),
                           "monitoring_records": .array(.ref(MonevDTO.MonitoringRecord.self), "Tabel 7 records overlapping the period (latest revision)"),
                           "evaluation_records": .array(.ref(MonevDTO.EvaluationRecord.self), "Tabel 8 records overlapping the period (latest revision)"),
                           "findings": .array(.ref(FindingDTO.Finding.self), "Findings of periods overlapping the report's, not dismissed, highest impact first"),
                           "actions": .array(.ref(FindingDTO.Action.self), "Follow-up actions of those findings"),
                           "before_after": .array(.string, "The before/after comparison of the latest revision in words")],
                optional: ["version": .integer("The version in force", minimum: 1, int64: false)], closed: true)
    }
}
