import Foundation
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

/// The IKU table for the Laporan Kinerja (LKj, SAKIP, Perpres 29/2014) of one year, as XLSX:
/// `/indikator/lkj?tahun=2026&unit=12` (docs/indicators.md, "LKj input").
///
/// Sheet "IKU" has one row per indicator in the usual layout of the LKj's pengukuran kinerja
/// table: No | Kode | Indikator kinerja | SOP / unit | Satuan | Target | Realisasi | Capaian (%) |
/// Sumber data | Penjelasan. The year's figures: the target of the last period of the year that
/// has one (the end-of-year target); the realisation computed over the whole year's data, or,
/// without data, the manual value of the last period that has one (a yearly indicator: its
/// period's value, manual first, as everywhere); the
/// explanation of the last period that has one. Sheet "Per periode" lists every period of the
/// year with its own target, realisation, achievement and source, so the year's figures can be
/// checked against them.
enum IndicatorLKj {
    struct YearFigures {
        var target: Double?
        var value: Double?
        var source: RealisationSource
        var achievement: Double?
        var explanation: String
    }

    /// The year's figures of an indicator from its periods of the year (oldest first) and its
    /// realisation over the whole year (computed from the year's data).
    static func year(_ i: IndicatorRecord, periods: [IndicatorRealisation], whole: IndicatorRealisation?, policy: AchievementPolicy = .standard) -> YearFigures {
        let target = periods.last(where: { $0.target != nil })?.target ?? whole?.target
        var value: Double?
        var source = RealisationSource.none
        if i.periodKind == .year, let whole {
            // A yearly indicator: its one period, manual value first.
            value = whole.value
            source = whole.source
        } else if let computed = whole?.computed {
            value = computed
            source = .computed
        } else if let manual = periods.last(where: { $0.manual != nil })?.manual {
            value = manual
            source = .manual
        }
        let achievement = value.flatMap { v in target.flatMap { policy.achievement(realisation: v, target: $0, direction: i.direction) } }
        let explanation = periods.last(where: { !$0.explanation.isEmpty })?.explanation ?? whole?.explanation ?? ""
        return YearFigures(target: target, value: value, source: source, achievement: achievement, explanation: explanation)
    }

    static func workbook(_ s: AppServices, indicators: [IndicatorRecord], year: Int, unitName: String, tree: OrgTree, lang: Language) async throws -> XLSXWorkbook {
        let t = s.views.strings(lang)
        func num(_ v: Double?) -> XLSXCell { v.map { .number($0, .twoDecimals) } ?? .empty }
        var main: [[XLSXCell]] = [
            [.boldText(t.format("lkj_title", String(year)))],
            [.text(unitName)],
            [],
            [.boldText(t["lkj_no"]), .boldText(t["ind_code"]), .boldText(t["lkj_indicator"]), .boldText(t["ind_scope"]), .boldText(t["ind_unit_of_measure"]),
             .boldText(t["ind_target"]), .boldText(t["ind_realisation"]), .boldText(t["lkj_achievement"]), .boldText(t["lkj_source"]),
             .boldText(t["ind_explanation"])],
        ]
        var detail: [[XLSXCell]] = [[.boldText(t["ind_code"]), .boldText(t["lkj_indicator"]), .boldText(t["survey_period"]), .boldText(t["ind_target"]),
                                     .boldText(t["ind_computed"]), .boldText(t["ind_manual_value"]), .boldText(t["ind_realisation"]),
                                     .boldText(t["lkj_achievement"]), .boldText(t["lkj_source"]), .boldText(t["ind_explanation"])]]
        guard let yearPeriod = SurveyPeriod(kind: .year, year: year) else { throw AppError.notFound }
        var sopNames: [Int64: String] = [:]
        for (n, i) in indicators.enumerated() {
            let periods = (1...i.periodKind.perYear).compactMap { SurveyPeriod(kind: i.periodKind, year: year, index: $0) }
            // The year's periods and, for a finer kind, the whole year, in one pass.
            var rs = try await s.store.realisations(i, periods: i.periodKind == .year ? periods : periods + [yearPeriod], tree: tree)
            let whole = i.periodKind == .year ? rs.first : rs.popLast()
            let y = Self.year(i, periods: rs, whole: whole)
            var scope = tree.unit(i.unitID)?.name ?? ""
            if let sid = i.sopID {
                if sopNames[sid] == nil {
                    let sop = try await s.store.sop(id: sid)
                    sopNames[sid] = sop.number + " " + sop.title
                }
                scope = sopNames[sid] ?? scope
            }
            main.append([.integer(n + 1), .text(i.code), .text(i.name), .text(scope), .text(i.unitOfMeasure), num(y.target), num(y.value),
                         num(y.achievement), .text(t["ind_source_\(y.source.rawValue)"]), .text(y.explanation)])
            for r in rs {
                detail.append([.text(i.code), .text(i.name), .text(r.period.label(lang.survey)), num(r.target), num(r.computed), num(r.manual), num(r.value),
                               num(r.achievement), .text(t["ind_source_\(r.source.rawValue)"]), .text(r.explanation)])
            }
        }
        return XLSXWorkbook(sheets: [
            XLSXSheet(name: "IKU", rows: main, headerRows: 4, columnWidths: [5, 12, 48, 36, 10, 10, 12, 12, 14, 60]),
            XLSXSheet(name: t["lkj_sheet_periods"], rows: detail, headerRows: 1, columnWidths: [12, 48, 18, 10, 12, 12, 12, 12, 14, 60]),
        ], title: t.format("lkj_title", String(year)), creator: "Pantau")
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .indicatorsLKj, .evaluationRead, "The IKU table of a year for the LKj (XLSX), for the reader's units or one unit subtree") { req, ctx in
            let t = s.views.strings(ctx.language)
            let tree = try await s.store.orgTree()
            var units = Scope.units(ctx.identity, tree: tree)
            var unitName = t["all_units"]
            if let text = req.uri.queryParameters.get("unit"), !text.isEmpty {
                guard let u = Int64(String(text)), let unit = tree.unit(u) else { throw AppError.invalid([FieldError(field: "unit", message: t["err_invalid"])]) }
                guard Scope.covers(ctx.identity, unit: u, tree: tree) else { throw AppError.notFound }
                units = tree.subtree(of: u)
                unitName = unit.name
            } else if let root = ctx.identity.scopeUnit, let unit = tree.unit(root) {
                unitName = unit.name
            }
            let thisYear = CivilDate(Date()).year
            var year = thisYear
            if let text = req.uri.queryParameters.get("tahun"), !text.isEmpty {
                guard let y = Int(String(text)), (2000...(thisYear + 1)).contains(y) else {
                    throw AppError.invalid([FieldError(field: "tahun", message: t["lkj_err_year"])])
                }
                year = y
            }
            let list = try await s.store.indicators(unitIDs: units)
            let book = try await workbook(s, indicators: list, year: year, unitName: unitName, tree: tree, lang: ctx.language)
            let data = try XLSXWriter().write(book)
            return .download(data, contentType: ExportType.xlsx, filename: "iku-lkj-\(year).xlsx")
        }
    }
}
