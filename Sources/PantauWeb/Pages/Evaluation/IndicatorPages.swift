import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

/// Indicators (IKU) of SOPs and units (docs/indicators.md): `/indikator` lists them with the
/// current period's target, realisation and achievement; `/indikator/{id}` shows one over the
/// recent periods with its chart and the form for a period's target, manual value and evidence;
/// `/indikator/baru` and `/indikator/{id}/ubah` define one.
enum IndicatorPages {
    /// How many periods the detail page, its chart and the API show.
    static let trendPeriods = 8

    // MARK: Formatting

    /// A value in its unit: `87,5%`, `15,0 menit`, `82,40 indeks`, `1.250.000 Rp`.
    static func value(_ v: Double?, _ unit: String, _ lang: Language) -> String {
        guard let v else { return "–" }
        switch unit {
        case "%": return SKMFormat.number(v, 1, lang) + "%"
        case "indeks": return SKMFormat.number(v, 2, lang)
        default: return SKMFormat.number(v, v.rounded() == v ? 0 : 1, lang) + " " + unit
        }
    }

    /// A number typed in a form, with a decimal comma or point (`85,5`, `85.5`); thousands
    /// separators are not accepted (ambiguous). Nil for an empty field; `.nan` when not a number.
    static func decimal(_ text: String) -> Double? {
        let t = text.trimmedOfWhitespace
        guard !t.isEmpty else { return nil }
        let normal = t.replacingOccurrences(of: ",", with: ".")
        guard normal.filter({ $0 == "." }).count <= 1, normal.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-") }),
              let v = Double(normal), v.isFinite else { return .nan }
        return v
    }

    static func metricLabel(_ m: IndicatorMetric, _ t: Strings) -> String { t["ind_metric_\(m.rawValue)"] }
    static func familyLabel(_ f: IndicatorFamily, _ t: Strings) -> String { t["ind_family_\(f.rawValue)"] }

    // MARK: Models

    struct Row {
        let code: String
        let name: String
        let href: String
        let scope: String
        let family: String
        let period: String
        let target: String
        let value: String
        let manual: Bool
        let achievement: String
        let status: String
        let statusLabel: String
    }

    struct ListModel {
        let rows: [Row]
        let canManage: Bool
        let newHref = SiteURL.indicatorNew.path
        let units: [Option]
        let action = SiteURL.indicators.path
        let lkjAction = SiteURL.indicatorsLKj.path
        let years: [Option]
        let unit: String
    }

    struct PeriodRow {
        let period: String
        let target: String
        let computed: String
        let basis: String
        let manual: String
        let manualNote: String
        let value: String
        let source: String
        let achievement: String
        let status: String
        let statusLabel: String
        let explanation: String
        let evidence: [EvidencePage.Item]
    }

    struct DetailModel {
        let id: Int64
        let code: String
        let name: String
        let scope: String
        let sopHref: String?
        let family: String
        let metric: String
        let unitOfMeasure: String
        let direction: String
        let periodKind: String
        let description: String
        let active: Bool
        let rows: [PeriodRow]
        let chart: String
        let canManage: Bool
        let editHref: String
        let listHref = SiteURL.indicators.path
        let form: PeriodForm?
        let formula: String
    }

    struct PeriodForm {
        let action: String
        let periods: [Option]
        let target: String
        let manualValue: String
        let manualNote: String
        let explanation: String
        let errors: [FieldError]
        let invalid: [String: Bool]
        let unitOfMeasure: String
        let maxMB: Int
    }

    struct DefinitionForm {
        let action: String
        let isNew: Bool
        let units: [Option]
        let sops: [Option]
        let families: [FamilyGroup]
        let unsur: [Option]
        let directions: [Option]
        let periodKinds: [Option]
        let code: String
        let name: String
        let unitOfMeasure: String
        let description: String
        let active: Bool
        let errors: [FieldError]
        let invalid: [String: Bool]
        let backHref: String
    }

    struct FamilyGroup {
        let label: String
        let options: [Option]
    }

    /// Form fields: the id of their input and the catalog key of their label.
    static let definitionFields = ["unit": ("ind-unit", "unit"), "sop": ("ind-sop", "ind_sop"), "code": ("ind-code", "ind_code"),
                                   "name": ("ind-name", "ind_name"), "metric": ("ind-metric", "ind_metric"), "unsur": ("ind-unsur", "survey_unsur"),
                                   "unit_of_measure": ("ind-uom", "ind_unit_of_measure"), "direction": ("ind-direction", "ind_direction"),
                                   "period_kind": ("ind-period-kind", "ind_period_kind"), "description": ("ind-description", "ind_description")]
    static let periodFields = ["period": ("ip-period", "survey_period"), "target": ("ip-target", "ind_target"),
                               "manual_value": ("ip-manual", "ind_manual_value"), "manual_note": ("ip-note", "ind_manual_note"),
                               "explanation": ("ip-explanation", "ind_explanation"), "evidence": ("ip-evidence", "ind_evidence")]

    static func labelled(_ errors: [FieldError], _ fields: [String: (String, String)], _ t: Strings) -> [FieldError] {
        errors.map { e in
            guard let (id, label) = fields[e.field] else { return e }
            return FieldError(field: id, message: e.message, label: t[label])
        }
    }

    static func invalid(_ errors: [FieldError]) -> [String: Bool] { Dictionary(errors.map { ($0.field, true) }, uniquingKeysWith: { a, _ in a }) }

    /// The name of what an indicator measures: "SOP number title" or the unit's name.
    static func scopeName(_ i: IndicatorRecord, sops: [Int64: SOPRecord], tree: OrgTree) -> String {
        if let sid = i.sopID, let sop = sops[sid] { return sop.number + " " + sop.title }
        return tree.unit(i.unitID)?.name ?? "#\(i.unitID)"
    }

    static func row(_ i: IndicatorRecord, _ r: IndicatorRealisation?, scope: String, lang: Language, t: Strings) -> Row {
        Row(code: i.code, name: i.name, href: SiteURL.indicator(i.id).path, scope: scope, family: familyLabel(i.family, t),
            period: r.map { $0.period.label(lang.survey) } ?? "–", target: value(r?.target, i.unitOfMeasure, lang),
            value: value(r?.value, i.unitOfMeasure, lang), manual: r?.source == .manual,
            achievement: r?.achievement.map { SKMFormat.number($0, 1, lang) + "%" } ?? "–",
            status: r?.status?.rawValue ?? "none", statusLabel: t["ind_status_\(r?.status?.rawValue ?? "none")"])
    }

    /// The realisation a list shows: the latest of the recent periods with a target, else the current one.
    static func headline(_ rs: [IndicatorRealisation]) -> IndicatorRealisation? {
        rs.last(where: { $0.target != nil && $0.value != nil }) ?? rs.last
    }

    // MARK: Loading

    /// The indicator named by `:id`, within the caller's unit scope (else not found).
    static func loadScoped(_ s: AppServices, _ ctx: some RequestScope) async throws -> (IndicatorRecord, OrgTree) {
        let rec = try await s.store.indicator(id: try ctx.int64("id"))
        let tree = try await s.store.orgTree()
        guard let identity = ctx.base.identity, Scope.covers(identity, unit: rec.unitID, tree: tree) else { throw AppError.notFound }
        return (rec, tree)
    }

    static func sopsByID(_ s: AppServices, _ units: Set<Int64>?) async throws -> [Int64: SOPRecord] {
        var out: [Int64: SOPRecord] = [:]
        var q = SOPQuery(unitIDs: units, perPage: 200)
        while true {
            let page = try await s.store.sops(q)
            for sop in page.items { out[sop.id] = sop }
            if page.items.count < q.perPage { return out }
            q.page += 1
        }
    }

    // MARK: Rendering

    static func renderList(_ s: AppServices, _ req: Request, _ ctx: UserContext) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let tree = try await s.store.orgTree()
        let visible = Scope.units(ctx.identity, tree: tree)
        var units = visible
        if let u = req.uri.queryParameters.get("unit").flatMap({ Int64($0) }), visible?.contains(u) ?? (tree.unit(u) != nil) {
            units = tree.subtree(of: u)
        }
        let list = try await s.store.indicators(unitIDs: units)
        let sops = try await sopsByID(s, visible)
        var rows: [Row] = []
        for i in list {
            let rs = try await s.indicatorCache.realisations(s.store, i, periods: PantauStore.recentPeriods(kind: i.periodKind, count: 2), tree: tree)
            rows.append(row(i, headline(rs), scope: scopeName(i, sops: sops, tree: tree), lang: ctx.language, t: t))
        }
        let chosen = req.uri.queryParameters.get("unit").flatMap { Int64($0) }
        let options = [Option(value: "", label: t["all_units"], selected: chosen == nil)]
            + Option.units(tree, selected: chosen) { visible?.contains($0) ?? true }
        let year = CivilDate(Date()).year
        let m = ListModel(rows: rows, canManage: AccessRule.indicatorManage.allows(ctx.identity), units: options,
                          years: (year - 4...year).reversed().map { Option(value: String($0), label: String($0), selected: $0 == year) },
                          unit: chosen.map(String.init) ?? "")
        return .html(s.views.render("indicators", title: t["ind_title"], page: m, context: ctx, active: .indicators))
    }

    static func periodForm(_ i: IndicatorRecord, form f: FormData, errors: [FieldError], lang: Language, t: Strings) -> PeriodForm {
        let current = SurveyPeriod(containing: CivilDate(Date()), kind: i.periodKind)
        let chosen = f.text("period").isEmpty ? current.description : f.text("period")
        let choices = (-(trendPeriods - 1)...4).map { current.offset(by: $0) }
        return PeriodForm(action: SiteURL.indicatorPeriod(i.id).path,
                          periods: choices.map { Option(value: $0.description, label: $0.label(lang.survey), selected: $0.description == chosen) },
                          target: f.text("target"), manualValue: f.text("manual_value"), manualNote: f["manual_note"] ?? "",
                          explanation: f["explanation"] ?? "", errors: labelled(errors, periodFields, t), invalid: invalid(errors),
                          unitOfMeasure: i.unitOfMeasure, maxMB: PantauStore.evidenceMaxBytes / (1024 * 1024))
    }

    /// The period form filled with what is stored for the current period, so a change starts from it.
    static func storedForm(_ i: IndicatorRecord, _ rs: [IndicatorRealisation]) -> FormData {
        let current = SurveyPeriod(containing: CivilDate(Date()), kind: i.periodKind)
        guard let r = rs.first(where: { $0.period == current }), r.periodID != nil else { return FormData("") }
        func text(_ v: Double?) -> String { v.map { SKMFormat.number($0, $0.rounded() == $0 ? 0 : 2, .id) } ?? "" }
        return FormData(pairs: [("period", current.description), ("target", text(r.target)), ("manual_value", text(r.manual)),
                                ("manual_note", r.manualNote), ("explanation", r.explanation)])
    }

    static func renderDetail(_ s: AppServices, _ ctx: UserContext, _ i: IndicatorRecord, _ tree: OrgTree, form f: FormData? = nil,
                             errors: [FieldError] = [], status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let lang = ctx.language
        let rs = try await s.store.realisations(i, periods: PantauStore.recentPeriods(kind: i.periodKind, count: trendPeriods), tree: tree)
        let files = try await s.store.evidenceFiles(owner: .indicatorValue, ownerIDs: rs.compactMap(\.periodID))
        let rows = rs.reversed().map { r in
            PeriodRow(period: r.period.label(lang.survey), target: value(r.target, i.unitOfMeasure, lang),
                      computed: value(r.computed, i.unitOfMeasure, lang), basis: r.basis.map { "n = \($0)" } ?? "",
                      manual: value(r.manual, i.unitOfMeasure, lang), manualNote: r.manualNote, value: value(r.value, i.unitOfMeasure, lang),
                      source: t["ind_source_\(r.source.rawValue)"], achievement: r.achievement.map { SKMFormat.number($0, 1, lang) + "%" } ?? "–",
                      status: r.status?.rawValue ?? "none", statusLabel: t["ind_status_\(r.status?.rawValue ?? "none")"],
                      explanation: r.explanation, evidence: (r.periodID.flatMap { files[$0] } ?? []).map(EvidencePage.Item.init))
        }
        let chart = SVGBarChart(options: .init(title: t.format("ind_chart_title", i.name), width: 640, labelWidth: 150,
                                               higherIsBetter: i.direction == .higherIsBetter, idPrefix: "ind-chart"))
            .render(rs.map { r in
                SVGBarChart.Bar(label: r.period.label(lang.survey), value: r.value ?? 0, target: r.target,
                                valueText: r.value == nil ? "–" : value(r.value, i.unitOfMeasure, lang))
            })
        var sopName = tree.unit(i.unitID)?.name ?? ""
        if let sid = i.sopID {
            let sop = try await s.store.sop(id: sid)
            sopName = sop.number + " " + sop.title
        }
        let canManage = AccessRule.indicatorManage.allows(ctx.identity)
        let m = DetailModel(
            id: i.id, code: i.code, name: i.name, scope: sopName, sopHref: i.sopID.map { SiteURL.sop($0).path },
            family: familyLabel(i.family, t), metric: metricLabel(i.metric, t), unitOfMeasure: i.unitOfMeasure,
            direction: t["ind_direction_\(i.direction.rawValue)"], periodKind: t["ind_period_\(i.periodKind.rawValue)"],
            description: i.description, active: i.active, rows: rows, chart: chart, canManage: canManage,
            editHref: SiteURL.indicatorEdit(i.id).path,
            form: canManage ? periodForm(i, form: f ?? storedForm(i, rs), errors: errors, lang: lang, t: t) : nil,
            formula: t[i.direction == .higherIsBetter ? "ind_formula_higher" : "ind_formula_lower"])
        return .html(s.views.render("indicator", title: i.code + " · " + i.name, page: m, context: ctx, active: .indicators), status: status)
    }

    static func definitionForm(_ s: AppServices, _ ctx: UserContext, id: Int64?, form f: FormData, errors: [FieldError]) async throws -> DefinitionForm {
        let t = s.views.strings(ctx.language)
        let tree = try await s.store.orgTree()
        let visible = Scope.units(ctx.identity, tree: tree)
        let unit = Int64(f.text("unit"))
        let sops = try await sopsByID(s, visible).values.sorted { ($0.number, $0.id) < ($1.number, $1.id) }
        let metric = f.text("metric").isEmpty ? IndicatorMetric.complianceShare.rawValue : f.text("metric")
        let direction = f.text("direction").isEmpty ? (IndicatorMetric(rawValue: metric)?.defaultDirection.rawValue ?? "higher") : f.text("direction")
        let kind = f.text("period_kind").isEmpty ? SurveyPeriod.Kind.quarter.rawValue : f.text("period_kind")
        return DefinitionForm(
            action: id.map { SiteURL.indicator($0).path } ?? SiteURL.indicators.path, isNew: id == nil,
            units: Option.units(tree, selected: unit) { visible?.contains($0) ?? true },
            sops: [Option(value: "", label: t["ind_no_sop"], selected: f.text("sop").isEmpty)]
                + sops.map { Option(value: "\($0.id)", label: $0.number + " " + $0.title, selected: "\($0.id)" == f.text("sop")) },
            families: IndicatorFamily.allCases.map { fam in
                FamilyGroup(label: familyLabel(fam, t), options: IndicatorMetric.of(fam).map {
                    Option(value: $0.rawValue, label: metricLabel($0, t) + ($0.unitOfMeasure.map { " (\($0))" } ?? ""), selected: $0.rawValue == metric)
                })
            },
            unsur: [Option(value: "", label: "–", selected: f.text("unsur").isEmpty)]
                + SurveyUnsur.standard.enumerated().map { n, u in
                    Option(value: u.code.rawValue, label: "U\(n + 1) \(u.name.text(ctx.language.survey))", selected: u.code.rawValue == f.text("unsur"))
                },
            directions: IndicatorDirection.allCases.map { Option(value: $0.rawValue, label: t["ind_direction_\($0.rawValue)"], selected: $0.rawValue == direction) },
            periodKinds: SurveyPeriod.Kind.allCases.map { Option(value: $0.rawValue, label: t["ind_period_\($0.rawValue)"], selected: $0.rawValue == kind) },
            code: f.text("code"), name: f.text("name"), unitOfMeasure: f.text("unit_of_measure"), description: f["description"] ?? "",
            active: id == nil || f["active"] != nil, errors: labelled(errors, definitionFields, t), invalid: invalid(errors),
            backHref: id.map { SiteURL.indicator($0).path } ?? SiteURL.indicators.path)
    }

    static func renderDefinition(_ s: AppServices, _ ctx: UserContext, id: Int64?, form f: FormData, errors: [FieldError],
                                 status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let m = try await definitionForm(s, ctx, id: id, form: f, errors: errors)
        return .html(s.views.render("indicator_form", title: t[id == nil ? "ind_new" : "ind_edit"], page: m, context: ctx, active: .indicators),
                     status: status)
    }

    /// The input of a definition form, or its field problems (worded).
    static func definitionInput(_ f: FormData, fixedUnit: Int64?, fixedSOP: Int64??, t: Strings) -> (IndicatorInput?, [FieldError]) {
        var errors: [FieldError] = []
        let unit = fixedUnit ?? Int64(f.text("unit"))
        if unit == nil { errors.append(FieldError(field: "unit", message: t["err_required"])) }
        var sop: Int64? = nil
        if let fixedSOP { sop = fixedSOP } else if !f.text("sop").isEmpty {
            sop = Int64(f.text("sop"))
            if sop == nil { errors.append(FieldError(field: "sop", message: t["err_invalid"])) }
        }
        guard let metric = IndicatorMetric(rawValue: f.text("metric")) else {
            return (nil, errors + [FieldError(field: "metric", message: t["err_invalid"])])
        }
        guard let direction = IndicatorDirection(rawValue: f.text("direction")) else {
            return (nil, errors + [FieldError(field: "direction", message: t["err_invalid"])])
        }
        guard let kind = SurveyPeriod.Kind(rawValue: f.text("period_kind")) else {
            return (nil, errors + [FieldError(field: "period_kind", message: t["err_invalid"])])
        }
        let input = IndicatorInput(unitID: unit ?? 0, sopID: sop, code: f.text("code"), name: f.text("name"), metric: metric,
                                   unsur: f.text("unsur").isEmpty ? nil : UnsurCode(f.text("unsur")),
                                   unitOfMeasure: f.text("unit_of_measure").isEmpty ? (metric.unitOfMeasure ?? "") : f.text("unit_of_measure"),
                                   direction: direction, periodKind: kind, description: f["description"] ?? "")
        errors += input.normalized().inputProblems().map { $0.fieldError(t) }
        return (unit == nil ? nil : input, errors)
    }

    /// The period input of a form, or its field problems (worded).
    static func periodInput(_ f: FormData, _ i: IndicatorRecord, t: Strings) -> (IndicatorPeriodInput?, [FieldError]) {
        var errors: [FieldError] = []
        let period = SurveyPeriod(f.text("period"))
        if period == nil { errors.append(FieldError(field: "period", message: t["survey_err_period"])) }
        let target = decimal(f.text("target"))
        let manual = decimal(f.text("manual_value"))
        if let target, target.isNaN { errors.append(FieldError(field: "target", message: t["store_not_a_number"])) }
        if let manual, manual.isNaN { errors.append(FieldError(field: "manual_value", message: t["store_not_a_number"])) }
        guard let period, errors.isEmpty else { return (nil, errors) }
        let input = IndicatorPeriodInput(period: period, target: target, manualValue: manual, manualNote: f["manual_note"] ?? "",
                                         explanation: f["explanation"] ?? "")
        return (input, input.inputProblems(for: i).map { $0.fieldError(t) })
    }

    // MARK: Routes

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        IndicatorLKj.register(r, s)
        LeadershipDashboard.register(r, s)
        MonevReport.register(r, s)
        r.page(.get, .indicators, .evaluationRead, "Indicators (IKU) of SOPs and units in the reader's scope: target, realisation, achievement") { req, ctx in
            try await renderList(s, req, ctx)
        }

        r.page(.get, .indicatorNew, .indicatorManage, "Form for a new indicator (IKU)") { req, ctx in
            var pairs: [(String, String)] = []
            if let sop = req.uri.queryParameters.get("sop") { pairs.append(("sop", String(sop))) }
            if let unit = req.uri.queryParameters.get("unit") { pairs.append(("unit", String(unit))) }
            return try await renderDefinition(s, ctx, id: nil, form: FormData(pairs: pairs), errors: [])
        }

        r.page(.post, .indicators, .indicatorManage, "Create an indicator (IKU) of an SOP or unit in the manager's scope") { req, ctx in
            let t = s.views.strings(ctx.language)
            let f = ctx.formData
            let (input, errors) = definitionInput(f, fixedUnit: nil, fixedSOP: nil, t: t)
            guard let input, errors.isEmpty else { return try await renderDefinition(s, ctx, id: nil, form: f, errors: errors, status: .badRequest) }
            try await SOPPages.requireScope(s, ctx, unit: input.unitID)
            if let sop = input.sopID {
                // The SOP must be one the manager may see (its unit in scope); an unknown one and
                // one out of scope read the same.
                var rec: SOPRecord?
                do { rec = try await s.store.sop(id: sop) } catch StoreError.notFound { rec = nil }
                guard let rec, Scope.covers(ctx.identity, unit: rec.unitID, tree: try await s.store.orgTree()) else {
                    return try await renderDefinition(s, ctx, id: nil, form: f, errors: [FieldError(field: "sop", message: t["store_indicator_sop_unknown"])],
                                                      status: .badRequest)
                }
            }
            do {
                let rec = try await s.store.createIndicator(input, by: ctx.actor)
                return .seeOther(.indicator(rec.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await renderDefinition(s, ctx, id: nil, form: f, errors: fieldErrors(e, t), status: .badRequest)
            }
        }

        r.page(.get, .indicator(.key), .evaluationRead, "One indicator: target, realisation (computed or manual, with evidence), achievement and trend") { _, ctx in
            let (i, tree) = try await loadScoped(s, ctx)
            return try await renderDetail(s, ctx, i, tree)
        }

        r.page(.get, .indicatorEdit(.key), .indicatorManage, "Form to change an indicator's definition") { _, ctx in
            let (i, _) = try await loadScoped(s, ctx)
            let f = FormData(pairs: [
                ("unit", "\(i.unitID)"), ("sop", i.sopID.map { "\($0)" } ?? ""), ("code", i.code), ("name", i.name), ("metric", i.metric.rawValue),
                ("unsur", i.unsur?.rawValue ?? ""), ("unit_of_measure", i.unitOfMeasure), ("direction", i.direction.rawValue),
                ("period_kind", i.periodKind.rawValue), ("description", i.description),
            ] + (i.active ? [("active", "1")] : []))
            return try await renderDefinition(s, ctx, id: i.id, form: f, errors: [])
        }

        r.page(.post, .indicator(.key), .indicatorManage, "Save an indicator's definition (its unit and SOP stay)") { _, ctx in
            let (i, _) = try await loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = ctx.formData
            let (input, errors) = definitionInput(f, fixedUnit: i.unitID, fixedSOP: .some(i.sopID), t: t)
            guard let input, errors.isEmpty else { return try await renderDefinition(s, ctx, id: i.id, form: f, errors: errors, status: .badRequest) }
            do {
                try await s.store.updateIndicator(id: i.id, input, active: f["active"] != nil, by: ctx.actor)
                s.indicatorCache.changed()
                return .seeOther(.indicator(i.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await renderDefinition(s, ctx, id: i.id, form: f, errors: fieldErrors(e, t), status: .badRequest)
            }
        }

        r.page(.post, .indicatorPeriod(.key), .indicatorManage,
               "Set a period's target, manual value (with its note and evidence files) and explanation") { req, ctx in
            let (i, tree) = try await loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let (f, uploads) = try await EvidencePage.form(req, ctx)
            let (input, errors) = periodInput(f, i, t: t)
            guard let input, errors.isEmpty else { return try await renderDetail(s, ctx, i, tree, form: f, errors: errors, status: .badRequest) }
            do {
                try await s.store.setIndicatorPeriod(indicatorID: i.id, input, evidence: uploads.map { ($0.name, $0.bytes) }, by: ctx.actor)
                s.indicatorCache.changed()
                return .seeOther(.indicator(i.id), flash: t["saved"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                return try await renderDetail(s, ctx, i, tree, form: f, errors: fieldErrors(e, t), status: .badRequest)
            }
        }
    }
}
