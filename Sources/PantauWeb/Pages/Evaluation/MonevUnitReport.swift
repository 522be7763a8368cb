import Foundation
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

/// The periodic monitoring and evaluation report of a unit (issue 9 item 9, docs/monev-report.md):
/// `/units/{id}/laporan-monev?periode=2026-S2` (A4 print; `format=xlsx`, `format=csv`): the unit
/// subtree's own indicators (those of no SOP), then for every SOP in force of the subtree the same
/// six sections as the SOP's report (``MonevReport``).
enum MonevUnitReport {
    struct SOPBlock {
        let heading: String
        let report: MonevReport.Model
    }

    struct Model {
        let lang: String
        let title: String
        let unit: String
        let period: String
        let generated: String
        let generatedBy: String
        let unitIndicators: MonevReport.Section
        let sops: [SOPBlock]
        let xlsxHref: String
        let csvHref: String
        let backHref: String
    }

    static func model(_ s: AppServices, _ ctx: UserContext, unit: OrgUnit, tree: OrgTree, period: SurveyPeriod) async throws -> Model {
        let t = s.views.strings(ctx.language)
        let lang = ctx.language
        let subtree = tree.subtree(of: unit.id)
        // The unit subtree's own indicators, each period overlapping the report's.
        var rows: [[String]] = []
        for i in try await s.store.indicators(unitIDs: subtree) where i.sopID == nil {
            let rs = try await s.store.realisations(i, periods: MonevReport.periods(of: i.periodKind, in: period), tree: tree)
            rows += rs.map { MonevReport.indicatorRow(i, $0, lang: lang, t: t) }
        }
        var blocks: [SOPBlock] = []
        let sops = try await IndicatorPages.sopsByID(s, subtree).values.filter { $0.effectiveVersion != nil }.sorted { ($0.number, $0.id) < ($1.number, $1.id) }
        for sop in sops {
            let d = try await MonevReport.gather(s, ctx, sop: sop, tree: tree, period: period, t: t, language: lang)
            blocks.append(SOPBlock(heading: sop.number + " · " + sop.title + " (" + d.unitName + ")",
                                   report: MonevReport.model(d, by: ctx.user.displayName, lang: lang, t: t)))
        }
        let q = period.description
        return Model(lang: lang.rawValue, title: t["rep_unit_title"], unit: unit.name, period: period.label(lang.survey),
                     generated: formatTime(Date(), lang), generatedBy: ctx.user.displayName,
                     unitIndicators: MonevReport.Section(title: t["rep_sec_unit_indicators"],
                                                         header: [t["ind_code"], t["ind_name"], t["survey_period"], t["ind_target"], t["ind_realisation"],
                                                                  t["lkj_source"], t["ind_achievement"], t["status"], t["ind_explanation"]],
                                                         rows: rows, empty: t["rep_none_indicators"]),
                     sops: blocks, xlsxHref: SiteURL.unitMonevReport(unit.id).path(query: ["periode": q, "format": "xlsx"]),
                     csvHref: SiteURL.unitMonevReport(unit.id).path(query: ["periode": q, "format": "csv"]), backHref: SiteURL.units.path)
    }

    static func workbook(_ m: Model, t: Strings) -> XLSXWorkbook {
        var cover: [[XLSXCell]] = [[.boldText(m.title)], [.text(m.unit)], [.text(m.period)], [.text(m.generated + " · " + m.generatedBy)], []]
        for b in m.sops {
            cover.append([.boldText(b.heading)])
            cover += b.report.evaluationSummaries.map { [.text($0)] }
            cover += b.report.beforeAfter.map { [.text($0)] }
        }
        var sheets = [XLSXSheet(name: String(m.title.prefix(31)), rows: cover, headerRows: 0, freezeHeader: false, columnWidths: [120]),
                      XLSXSheet(name: String(m.unitIndicators.title.prefix(31)), header: m.unitIndicators.header,
                                rows: m.unitIndicators.rows.map { $0.map { XLSXCell.text($0) } }, columnWidths: m.unitIndicators.header.map { _ in 24 })]
        // One sheet per section, every SOP's rows in it with the SOP in the first column.
        let count = m.sops.first?.report.sections.count ?? 0
        for k in 0..<count {
            guard let first = m.sops.first?.report.sections[k] else { continue }
            let rows = m.sops.flatMap { b in b.report.sections[k].rows.map { [XLSXCell.text(b.report.sopNumber)] + $0.map { XLSXCell.text($0) } } }
            sheets.append(XLSXSheet(name: String(first.title.prefix(31)), header: [t["rep_sop"]] + first.header, rows: rows,
                                    columnWidths: ([t["rep_sop"]] + first.header).map { _ in 24 }))
        }
        return XLSXWorkbook(sheets: sheets, title: m.title, creator: "Pantau")
    }

    static func csv(_ m: Model, t: Strings) -> Data {
        var w = CSVWriter(options: .excelIndonesia)
        w.writeRow([t["rep_sop"], t["rep_section"]])
        for r in m.unitIndicators.rows { w.writeRow(["", m.unitIndicators.title] + r) }
        for b in m.sops {
            for sec in b.report.sections { for r in sec.rows { w.writeRow([b.report.sopNumber, sec.title] + r) } }
            for line in b.report.beforeAfter { w.writeRow([b.report.sopNumber, t["rep_sec_before_after"], line]) }
        }
        return w.data
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .unitMonevReport(.key), .evaluationRead,
               "Periodic monitoring and evaluation report of a unit subtree (A4 print; format=xlsx or csv): unit indicators and every SOP in force") { req, ctx in
            let tree = try await s.store.orgTree()
            guard let unit = tree.unit(try ctx.int64("id")), Scope.covers(ctx.identity, unit: unit.id, tree: tree) else { throw AppError.notFound }
            let t = s.views.strings(ctx.language)
            let period = try MonevReport.period(req, t)
            let m = try await model(s, ctx, unit: unit, tree: tree, period: period)
            let base = "laporan-monev-\(MonevReport.safe(unit.code))-\(period.description)"
            switch req.uri.queryParameters.get("format") ?? "" {
            case "xlsx": return .download(try XLSXWriter().write(workbook(m, t: t)), contentType: ExportType.xlsx, filename: base + ".xlsx")
            case "csv": return .download(csv(m, t: t), contentType: ExportType.csv, filename: base + ".csv")
            case "", "html": return .html(s.views.render("monev_report_unit", title: m.title, page: m, context: ctx))
            default: throw AppError.invalid([FieldError(field: "format", message: t["err_invalid"])])
            }
        }
    }
}
