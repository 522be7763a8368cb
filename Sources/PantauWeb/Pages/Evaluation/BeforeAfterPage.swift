import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

/// `/sops/:id/sebelum-sesudah` and `GET /api/v1/sops/:id/before-after`: the same measures of an
/// SOP before and after a revision (or any date), with the tests of `BeforeAfterStatistics`
/// (issue 9 item 8, `docs/before-after.md`).
enum BeforeAfterPage {
    /// What the request asks for, checked.
    struct Choice {
        var split: Date?
        var version: Int?
        var date: CivilDate?
        var window: Int
        var unitID: Int64?
        var visible: Set<Int64>?
        /// The split is the default (the version in force against the one before).
        var isDefault: Bool
    }

    static let defaultWindow = 90

    /// The choice of a request: `version` (its effective date is the split) or `date`
    /// (YYYY-MM-DD, WIB; wins over `version`), `unit_id`, `window` (days on each side). Without
    /// either, the latest approved revision (a version in force, or once in force, after the
    /// first). Every problem at once, as field codes.
    static func choice(_ req: Request, rec: SOPRecord, versions: [SOPVersionRecord], identity: Identity, tree: OrgTree,
                       range: ClosedRange<Date>?) throws -> Choice {
        let q = req.uri.queryParameters
        var problems: [InputProblem] = []
        var window = defaultWindow
        if let v = q.get("window"), !v.isEmpty {
            if let w = Int(v.trimmingCharacters(in: .whitespaces)) {
                if (1...PantauStore.beforeAfterMaxWindowDays).contains(w) { window = w }
                else { problems.append(InputProblem("window", "window_range", ["1", String(PantauStore.beforeAfterMaxWindowDays)])) }
            } else {
                problems.append(InputProblem("window", "not_a_number"))
            }
        }
        var unit: Int64?
        if let v = q.get("unit_id") ?? q.get("unit"), !v.isEmpty {
            if let u = Int64(v), tree.unit(u) != nil { unit = u } else { problems.append(InputProblem("unit_id", "unknown_unit", [v])) }
        }
        let visible = Scope.units(identity, tree: tree)
        if let u = unit, let visible, !visible.contains(u) { throw AppError.forbidden }
        var split: Date?
        var date: CivilDate?
        var version: Int?
        var isDefault = false
        if let v = q.get("date"), !v.isEmpty {
            if let d = CivilDate(v) {
                date = d
                split = d.startOfDay()
                // A day after the first case's and not after the last's: both sides have cases.
                if let range, d <= CivilDate(range.lowerBound) || d > CivilDate(range.upperBound) {
                    problems.append(InputProblem("date", "ba_date_outside",
                                                 [CivilDate(range.lowerBound.addingTimeInterval(86_400)).description, CivilDate(range.upperBound).description]))
                } else if range == nil {
                    problems.append(InputProblem("date", "ba_no_cases"))
                }
            } else {
                problems.append(InputProblem("date", "date_invalid", [v]))
            }
        } else if let v = q.get("version"), !v.isEmpty {
            if let n = Int(v), let rv = revisions(versions).first(where: { $0.version == n }), let f = rv.effectiveFrom {
                version = n
                split = f.startOfDay()
            } else {
                problems.append(InputProblem("version", "ba_version_unknown", [v]))
            }
        } else if let rv = defaultVersion(rec, versions), let f = rv.effectiveFrom {
            version = rv.version
            split = f.startOfDay()
            isDefault = true
        }
        if !problems.isEmpty { throw AppError.rejected(problems) }
        return Choice(split: split, version: version, date: date, window: window, unitID: unit, visible: visible, isDefault: isDefault)
    }

    /// The latest approved revision: the version in force when it has a predecessor, else the
    /// newest version after the first that has taken effect.
    static func defaultVersion(_ rec: SOPRecord, _ versions: [SOPVersionRecord], now: Date = Date()) -> SOPVersionRecord? {
        let usable = revisions(versions, now: now)
        if let e = rec.effectiveVersion, let v = usable.first(where: { $0.version == e }) { return v }
        return usable.first
    }

    /// Versions that can be compared against their predecessor: after the first, approved, and in
    /// force since a day that has begun (newest first).
    static func revisions(_ versions: [SOPVersionRecord], now: Date = Date()) -> [SOPVersionRecord] {
        versions.filter { v in v.version > 1 && (v.effectiveFrom.map { $0.startOfDay() < now } ?? false) }.sorted { $0.version > $1.version }
    }

    // MARK: Words

    /// A duration for a sentence: whole minutes under an hour, else at most two units.
    static func duration(_ seconds: Double, _ lang: Language) -> String {
        let s = abs(seconds)
        let rounded: Double
        if s < 60 { rounded = s.rounded() } else if s < 3600 { rounded = (s / 60).rounded() * 60 } else if s < 86_400 {
            rounded = (s / 60).rounded() * 60
        } else { rounded = (s / 3600).rounded() * 3600 }
        return MonitoringFormat.duration(seconds < 0 ? -rounded : rounded, lang)
    }

    /// "p < 0,001" or "p = 0,023".
    static func pText(_ p: Double, _ lang: Language) -> String {
        p < 0.001 ? "p < " + SKMFormat.number(0.001, 3, lang) : "p = " + SKMFormat.number(p, 3, lang)
    }

    struct StepLabel { let number: Int; let activity: String }

    static func metricName(_ m: BeforeAfterFinding.Metric, steps: [String: StepLabel], t: Strings) -> String {
        func step(_ id: String) -> (String, String) {
            if let s = steps[id] { return (String(s.number), s.activity) }
            return ("–", id.hasPrefix("?") ? String(id.dropFirst()) : id)
        }
        switch m {
        case .leadTime: return t["ba_metric_lead"]
        case .waitingTime: return t["ba_metric_wait"]
        case .compliance: return t["ba_metric_compliance"]
        case .ikm: return t["ba_metric_ikm"]
        case let .stepWaiting(id): let (n, a) = step(id); return t.format("ba_metric_step_wait", n, a)
        case let .stepDuration(id): let (n, a) = step(id); return t.format("ba_metric_step_time", n, a)
        }
    }

    static func value(_ v: Double, _ kind: BeforeAfterFinding.Kind, _ lang: Language) -> String {
        switch kind {
        case .seconds: return duration(v, lang)
        case .share: return SKMFormat.percent(v, lang)
        case .index: return SKMFormat.number(v, 2, lang)
        }
    }

    /// One finding in words, from the catalogs.
    static func sentence(_ f: BeforeAfterFinding, steps: [String: StepLabel], language lang: Language, t: Strings) -> String {
        let name = metricName(f.metric, steps: steps, t: t)
        let b = value(f.before, f.kind, lang), a = value(f.after, f.kind, lang)
        guard let p = f.p else {
            return t.format(f.direction == .down ? "ba_sentence_ikm_down" : f.direction == .up ? "ba_sentence_ikm_up" : "ba_sentence_ikm_same", name, b, a)
        }
        let key = f.direction == .down ? "ba_sentence_down" : f.direction == .up ? "ba_sentence_up" : "ba_sentence_same"
        return t.format(key, name, b, a, pText(p, lang))
    }

    // MARK: JSON

    /// The JSON answer of the API (snake_case; seconds; shares 0–1).
    struct Report: Codable, Sendable {
        struct Measure: Codable, Sendable {
            var n_before: Int
            var n_after: Int
            var median_before_seconds: Double?
            var median_after_seconds: Double?
            var difference_seconds: Double?
            var ci_lower_seconds: Double?
            var ci_upper_seconds: Double?
            var u: Double?
            var z: Double?
            var p: Double?
            var exact: Bool?
            init(_ c: DurationComparison) {
                n_before = c.nBefore; n_after = c.nAfter; median_before_seconds = c.medianBefore; median_after_seconds = c.medianAfter
                difference_seconds = c.difference; ci_lower_seconds = c.interval?.lower; ci_upper_seconds = c.interval?.upper
                u = c.test?.u; z = c.test?.z; p = c.test?.p; exact = c.test?.exact
            }
        }
        struct Step: Codable, Sendable {
            var step_id: String
            var number: Int?
            var activity: String
            var duration: Measure
            var waiting: Measure
        }
        struct Compliance: Codable, Sendable {
            var cases_before: Int
            var compliant_before: Int
            var cases_after: Int
            var compliant_after: Int
            var share_before: Double?
            var share_after: Double?
            var z: Double?
            var p: Double?
        }
        struct IKMPeriod: Codable, Sendable {
            var survey_id: Int64
            var survey: String
            var period: String
            var from: String
            var to: String
            var respondents: Int
            var ikm: Double
            init(_ f: IKMPeriodFigure) {
                survey_id = f.surveyID; survey = f.survey; period = f.period; from = f.from.description; to = f.to.description
                respondents = f.respondents; ikm = f.ikm
            }
        }
        struct IKM: Codable, Sendable {
            var before: [IKMPeriod]
            var after: [IKMPeriod]
            var mean_before: Double?
            var mean_after: Double?
            var difference: Double?
        }
        struct Sentence: Codable, Sendable {
            var metric: String
            var step_id: String?
            var direction: String
            var before: Double
            var after: Double
            var p: Double?
            var text: String
        }
        var sop_id: Int64
        var sop_number: String
        var sop_title: String
        var version: Int?
        var split: Date
        var before_from: Date
        var after_to: Date
        var window_days: Int
        var unit_id: Int64?
        var confidence_level: Double
        var resamples: Int
        var lead_time: Measure
        var waiting_time: Measure
        var steps: [Step]
        var compliance: Compliance
        var ikm: IKM
        var sentences: [Sentence]
    }

    static func report(_ c: BeforeAfterComparison, rec: SOPRecord, choice: Choice, steps: [String: StepLabel], language: Language, t: Strings) -> Report {
        let findings = c.findings()
        return Report(
            sop_id: rec.id, sop_number: rec.number, sop_title: rec.title, version: choice.date == nil ? choice.version : nil,
            split: c.split, before_from: c.beforeFrom, after_to: c.afterTo, window_days: choice.window, unit_id: choice.unitID,
            confidence_level: c.level, resamples: c.resamples, lead_time: .init(c.leadTime), waiting_time: .init(c.waitingTime),
            steps: c.steps.map { s in
                Report.Step(step_id: s.stepID, number: steps[s.stepID]?.number,
                            activity: steps[s.stepID]?.activity ?? (s.stepID.hasPrefix("?") ? String(s.stepID.dropFirst()) : s.stepID),
                            duration: .init(s.duration), waiting: .init(s.waiting))
            },
            compliance: .init(cases_before: c.compliance.casesBefore, compliant_before: c.compliance.compliantBefore,
                              cases_after: c.compliance.casesAfter, compliant_after: c.compliance.compliantAfter,
                              share_before: c.compliance.shareBefore, share_after: c.compliance.shareAfter,
                              z: c.compliance.test?.z, p: c.compliance.test?.p),
            ikm: .init(before: c.ikm.before.map(Report.IKMPeriod.init), after: c.ikm.after.map(Report.IKMPeriod.init),
                       mean_before: c.ikm.meanBefore, mean_after: c.ikm.meanAfter, difference: c.ikm.difference),
            sentences: findings.map { f in
                let (metric, step): (String, String?) = {
                    switch f.metric {
                    case .leadTime: return ("lead_time", nil)
                    case .waitingTime: return ("waiting_time", nil)
                    case .compliance: return ("compliance", nil)
                    case .ikm: return ("ikm", nil)
                    case let .stepWaiting(id): return ("step_waiting", id)
                    case let .stepDuration(id): return ("step_duration", id)
                    }
                }()
                return Report.Sentence(metric: metric, step_id: step, direction: f.direction.rawValue, before: f.before, after: f.after, p: f.p,
                                       text: sentence(f, steps: steps, language: language, t: t))
            })
    }

    // MARK: Loading

    struct Loaded {
        let rec: SOPRecord
        let tree: OrgTree
        let versions: [SOPVersionRecord]
        let choice: Choice
        let comparison: BeforeAfterComparison?
        let steps: [String: StepLabel]
        let stepOrder: [String]
    }

    /// The SOP (in the caller's scope), the checked choice and, when there is a split, the
    /// comparison.
    static func load(_ s: AppServices, _ req: Request, _ ctx: some RequestScope) async throws -> Loaded {
        let (rec, tree) = try await SOPPages.loadScoped(s, ctx)
        guard let identity = ctx.base.identity else { throw AppError.unauthorized }
        let versions = try await s.store.versions(sopID: rec.id)
        let visible = Scope.units(identity, tree: tree)
        let range = try await s.store.caseRange(sopID: rec.id, filter: MonitoringFilter(visibleUnits: visible))
        let choice = try choice(req, rec: rec, versions: versions, identity: identity, tree: tree, range: range)
        // Steps are labelled by the chosen version (the one after the split), else the one in force.
        let labelling = versions.first { $0.version == (choice.version ?? rec.effectiveVersion ?? rec.latestVersion) } ?? versions.last
        var steps: [String: StepLabel] = [:]
        for (i, st) in (labelling?.document.steps ?? []).enumerated() { steps[st.id] = StepLabel(number: i + 1, activity: st.activity) }
        let order = labelling?.document.steps.map(\.id) ?? []
        var comparison: BeforeAfterComparison?
        if let split = choice.split {
            do {
                comparison = try await s.store.beforeAfter(
                    BeforeAfterQuery(sopID: rec.id, split: split, windowDays: choice.window, unitID: choice.unitID, visibleUnits: visible),
                    stepOrder: order)
            } catch let e as StoreError {
                throw e.appError
            }
        }
        return Loaded(rec: rec, tree: tree, versions: versions, choice: choice, comparison: comparison, steps: steps, stepOrder: order)
    }

    // MARK: Page model

    struct Model {
        struct Row {
            let metric: String
            let before: String
            let after: String
            let difference: String
            let interval: String
            let p: String
            let n: String
            let significant: Bool
        }
        let title: String
        let number: String
        let sopHref: String
        let monitoringHref: String
        let apiHref: String
        let action: String
        let versions: [Option]
        let date: String
        let window: String
        let units: [Option]
        let errors: [FieldError]
        let invalid: [String: Bool]
        let hasComparison: Bool
        let noSplit: Bool
        let period: String
        let sentences: [String]
        let rows: [Row]
        let stepRows: [Row]
        let ikmBefore: [String]
        let ikmAfter: [String]
        let chart: String
        let stepChart: String
        let method: String
    }

    static let fieldLabels: [String: String] = ["version": "ba_version", "date": "ba_date", "window": "ba_window", "unit_id": "unit"]

    /// The page model (pure).
    static func model(rec: SOPRecord, versions: [SOPVersionRecord], choice: Choice?, comparison c: BeforeAfterComparison?,
                      steps: [String: StepLabel], query: (version: String, date: String, window: String, unit: String),
                      unitOptions: [Option], errors: [FieldError], language lang: Language, t: Strings) -> Model {
        let revs = revisions(versions)
        let chosenVersion = query.version.isEmpty ? (choice?.isDefault == true ? choice?.version.map(String.init) ?? "" : "") : query.version
        let versionOptions = [Option(value: "", label: t["ba_version_default"], selected: chosenVersion.isEmpty)]
            + revs.map { v in
                Option(value: String(v.version), label: t.format("ba_version_option", v.version, SKMFormat.date(v.effectiveFrom, lang)),
                       selected: String(v.version) == chosenVersion)
            }
        var rows: [Model.Row] = [], stepRows: [Model.Row] = []
        var sentences: [String] = []
        var chart = "", stepChart = ""
        var period = ""
        var ikmBefore: [String] = [], ikmAfter: [String] = []
        func pt(_ p: Double?) -> String { p.map { pText($0, lang) } ?? "–" }
        func durationRow(_ name: String, _ d: DurationComparison, level: Double = 0.05) -> Model.Row {
            let dur = { (x: Double?) in x.map { duration($0, lang) } ?? "–" }
            return Model.Row(metric: name, before: dur(d.medianBefore), after: dur(d.medianAfter), difference: dur(d.difference),
                             interval: d.interval.map { dur($0.lower) + " … " + dur($0.upper) } ?? "–", p: pt(d.test?.p),
                             n: "\(d.nBefore) / \(d.nAfter)", significant: (d.test?.p ?? 1) < level)
        }
        if let c = c {
            period = t.format("ba_period_text", formatTime(c.beforeFrom, lang), formatTime(c.split, lang), formatTime(c.afterTo, lang))
            sentences = c.findings().map { sentence($0, steps: steps, language: lang, t: t) }
            rows.append(durationRow(t["ba_metric_lead"], c.leadTime))
            rows.append(durationRow(t["ba_metric_wait"], c.waitingTime))
            let cp = c.compliance
            let pct = { (x: Double?) in x.map { SKMFormat.percent($0, lang) } ?? "–" }
            rows.append(Model.Row(metric: t["ba_metric_compliance"], before: pct(cp.shareBefore), after: pct(cp.shareAfter),
                                  difference: cp.shareBefore.flatMap { b in cp.shareAfter.map { SKMFormat.number(($0 - b) * 100, 1, lang) + " " + t["ba_points"] } } ?? "–",
                                  interval: "–", p: pt(cp.test?.p), n: "\(cp.casesBefore) / \(cp.casesAfter)", significant: (cp.test?.p ?? 1) < 0.05))
            let num = { (x: Double?) in x.map { SKMFormat.number($0, 2, lang) } ?? "–" }
            rows.append(Model.Row(metric: t["ba_metric_ikm"], before: num(c.ikm.meanBefore), after: num(c.ikm.meanAfter),
                                  difference: num(c.ikm.difference), interval: "–", p: "–",
                                  n: "\(c.ikm.before.count) / \(c.ikm.after.count) " + t["ba_periods"], significant: false))
            let ikmLine = { (f: IKMPeriodFigure) in
                t.format("ba_ikm_period", f.survey, SurveyPeriod(f.period)?.label(lang.survey) ?? f.period, SKMFormat.number(f.ikm, 2, lang), f.respondents)
            }
            ikmBefore = c.ikm.before.map(ikmLine); ikmAfter = c.ikm.after.map(ikmLine)
            // Step rows are marked at the corrected level (Bonferroni over the steps' tests).
            let stepLevel = c.stepAlpha()
            for s in c.steps {
                if s.waiting.nBefore + s.waiting.nAfter > 0 {
                    stepRows.append(durationRow(metricName(.stepWaiting(s.stepID), steps: steps, t: t), s.waiting, level: stepLevel))
                }
                if s.duration.nBefore + s.duration.nAfter > 0 {
                    stepRows.append(durationRow(metricName(.stepDuration(s.stepID), steps: steps, t: t), s.duration, level: stepLevel))
                }
            }
            func chartRow(_ name: String, _ d: DurationComparison, sublabel: String? = nil, level: Double = 0.05) -> BeforeAfterChart.Row {
                BeforeAfterChart.Row(label: name, sublabel: sublabel, before: d.medianBefore, after: d.medianAfter, beforeText: d.medianBefore.map { duration($0, lang) },
                                     afterText: d.medianAfter.map { duration($0, lang) }, significant: (d.test?.p ?? 1) < level)
            }
            let words = (t["ba_before"], t["ba_after"], t["ba_changed"])
            chart = BeforeAfterChartSVG(options: .init(idPrefix: "ba-lead")).render(BeforeAfterChart(
                title: t["ba_chart_lead"], beforeLabel: words.0, afterLabel: words.1, changedText: words.2,
                rows: [chartRow(t["ba_metric_lead"], c.leadTime), chartRow(t["ba_metric_wait"], c.waitingTime)]))
            let perStep = c.steps.filter { steps[$0.stepID] != nil }.flatMap { s -> [BeforeAfterChart.Row] in
                let label = steps[s.stepID].map { "\($0.number). \($0.activity)" } ?? s.stepID
                var out: [BeforeAfterChart.Row] = []
                if s.waiting.nBefore > 0 || s.waiting.nAfter > 0 { out.append(chartRow(label, s.waiting, sublabel: t["ba_wait_short"], level: stepLevel)) }
                if s.duration.nBefore > 0 || s.duration.nAfter > 0 { out.append(chartRow(label, s.duration, sublabel: t["ba_time_short"], level: stepLevel)) }
                return out
            }
            if !perStep.isEmpty {
                stepChart = BeforeAfterChartSVG(options: .init(idPrefix: "ba-steps")).render(BeforeAfterChart(
                    title: t["ba_chart_steps"], beforeLabel: words.0, afterLabel: words.1, changedText: words.2, rows: perStep))
            }
        }
        return Model(
            title: rec.title, number: rec.number, sopHref: SiteURL.sop(rec.id).path, monitoringHref: SiteURL.sopMonitoring(rec.id).path,
            apiHref: SiteURL.api(.sopBeforeAfter(rec.id)).path(query: ["version": query.version, "date": query.date, "window": query.window,
                                                                       "unit_id": query.unit]),
            action: SiteURL.sopBeforeAfter(rec.id).path, versions: versionOptions, date: query.date,
            window: query.window.isEmpty ? String(defaultWindow) : query.window, units: unitOptions,
            errors: errors.map { e in FieldError(field: e.field, message: e.message, label: fieldLabels[e.field].map { t[$0] }) },
            invalid: Dictionary(errors.map { ($0.field, true) }, uniquingKeysWith: { a, _ in a }),
            hasComparison: c != nil, noSplit: c == nil && errors.isEmpty, period: period, sentences: sentences, rows: rows,
            stepRows: stepRows, ikmBefore: ikmBefore, ikmAfter: ikmAfter, chart: chart, stepChart: stepChart,
            method: t.format("ba_method", c?.resamples ?? 2000, SKMFormat.number(c?.stepAlpha() ?? 0.05, 4, lang)))
    }

    // MARK: Routes

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .sopBeforeAfter(.key), .evaluationRead,
               "Before/after comparison of an SOP revision or date: lead time, waits, step times, compliance, IKM") { req, ctx in
            try await render(s, req, ctx)
        }
        r.api(.get, .api(.sopBeforeAfter(.key)), .evaluationRead,
              "Before/after comparison of an SOP (query version or date YYYY-MM-DD, unit_id, window in days): medians, differences with bootstrap intervals, Mann-Whitney U, compliance z-test, IKM per period, sentences") { req, ctx in
            let l = try await load(s, req, ctx)
            guard let c = l.comparison else {
                throw AppError.rejected([InputProblem("version", "ba_no_revision")])
            }
            return try .json(report(c, rec: l.rec, choice: l.choice, steps: l.steps, language: ctx.language, t: s.views.strings(ctx.language)))
        }
    }

    static func render(_ s: AppServices, _ req: Request, _ ctx: UserContext) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let q = req.uri.queryParameters
        let query = (version: q.get("version") ?? "", date: q.get("date") ?? "", window: q.get("window") ?? "",
                     unit: q.get("unit_id") ?? q.get("unit") ?? "")
        let (rec, tree) = try await SOPPages.loadScoped(s, ctx)
        let visible = Scope.units(ctx.identity, tree: tree)
        let selectedUnit = Int64(query.unit)
        let options = [Option(value: "", label: t["all_units"], selected: selectedUnit == nil)]
            + Option.units(tree, selected: selectedUnit) { visible?.contains($0) ?? true }
        do {
            let l = try await load(s, req, ctx)
            let m = model(rec: l.rec, versions: l.versions, choice: l.choice, comparison: l.comparison, steps: l.steps, query: query,
                          unitOptions: options, errors: [], language: ctx.language, t: t)
            return .html(s.views.render("before-after", title: t["ba_title"] + " · " + rec.title, page: m, context: ctx, active: .sops))
        } catch let AppError.rejected(problems) where !problems.allSatisfy(\.isConflict) {
            let versions = try await s.store.versions(sopID: rec.id)
            let m = model(rec: rec, versions: versions, choice: nil, comparison: nil, steps: [:], query: query, unitOptions: options,
                          errors: problems.map { $0.fieldError(t) }, language: ctx.language, t: t)
            return .html(s.views.render("before-after", title: t["ba_title"] + " · " + rec.title, page: m, context: ctx, active: .sops),
                         status: .badRequest)
        }
    }
}

// MARK: - JSON schemas (OpenAPI)

private var baSeconds: JSONSchema { .number("Seconds") }
private var baShare: JSONSchema { .number("Share, 0-1") }

extension BeforeAfterPage.Report.Measure: JSONSchemaDescribed {
    static var schemaName: String { "BeforeAfterMeasure" }
    static var jsonSchema: JSONSchema {
        .object(required: ["n_before": .count, "n_after": .count],
                optional: ["median_before_seconds": baSeconds, "median_after_seconds": baSeconds,
                           "difference_seconds": .number("Median after minus median before, seconds"),
                           "ci_lower_seconds": .number("Percentile bootstrap interval of the difference, lower end"),
                           "ci_upper_seconds": .number("Percentile bootstrap interval of the difference, upper end"),
                           "u": .number("Mann-Whitney U of the before sample"), "z": .number("Normal approximation (tie and continuity corrected)"),
                           "p": .number("Two-sided p-value"), "exact": .boolean],
                closed: true)
    }
}

extension BeforeAfterPage.Report.Step: JSONSchemaDescribed {
    static var schemaName: String { "BeforeAfterStep" }
    static var jsonSchema: JSONSchema {
        .object(required: ["step_id": .string, "activity": .string, "duration": .ref(BeforeAfterPage.Report.Measure.self),
                           "waiting": .ref(BeforeAfterPage.Report.Measure.self)],
                optional: ["number": .integer(minimum: 1, int64: false)], closed: true)
    }
}

extension BeforeAfterPage.Report.Compliance: JSONSchemaDescribed {
    static var schemaName: String { "BeforeAfterCompliance" }
    static var jsonSchema: JSONSchema {
        .object(required: ["cases_before": .count, "compliant_before": .count, "cases_after": .count, "compliant_after": .count],
                optional: ["share_before": baShare, "share_after": baShare, "z": .number("Pooled two-proportion z (after minus before)"),
                           "p": .number("Two-sided p-value")], closed: true)
    }
}

extension BeforeAfterPage.Report.IKMPeriod: JSONSchemaDescribed {
    static var schemaName: String { "BeforeAfterIKMPeriod" }
    static var jsonSchema: JSONSchema {
        .object(required: ["survey_id": .id, "survey": .string, "period": .string, "from": .date(), "to": .date(),
                           "respondents": .count, "ikm": .number("IKM, 25-100")], closed: true)
    }
}

extension BeforeAfterPage.Report.IKM: JSONSchemaDescribed {
    static var schemaName: String { "BeforeAfterIKM" }
    static var jsonSchema: JSONSchema {
        .object(required: ["before": .array(.ref(BeforeAfterPage.Report.IKMPeriod.self)), "after": .array(.ref(BeforeAfterPage.Report.IKMPeriod.self))],
                optional: ["mean_before": .number("Mean of the periods' IKM"), "mean_after": .number("Mean of the periods' IKM"),
                           "difference": .number("Mean after minus mean before")], closed: true)
    }
}

extension BeforeAfterPage.Report.Sentence: JSONSchemaDescribed {
    static var schemaName: String { "BeforeAfterSentence" }
    static var jsonSchema: JSONSchema {
        .object(required: ["metric": .oneOf(["lead_time", "waiting_time", "compliance", "ikm", "step_waiting", "step_duration"]),
                           "direction": .oneOf(["down", "up", "unchanged"], "unchanged: not significant at 5%"),
                           "before": .number("Seconds, share 0-1 or IKM by metric"), "after": .number("Seconds, share 0-1 or IKM by metric"),
                           "text": .string("The finding in words, in the request's language")],
                optional: ["step_id": .string, "p": .number("Two-sided p-value (none for IKM)")], closed: true)
    }
}

extension BeforeAfterPage.Report: JSONSchemaDescribed {
    static var schemaName: String { "BeforeAfter" }
    static var jsonSchema: JSONSchema {
        .object(required: ["sop_id": .id, "sop_number": .string, "sop_title": .string, "split": .dateTime, "before_from": .dateTime,
                           "after_to": .dateTime, "window_days": .integer(minimum: 1, maximum: 730, int64: false),
                           "confidence_level": .number("e.g. 0.95"), "resamples": .count,
                           "lead_time": .ref(Measure.self), "waiting_time": .ref(Measure.self), "steps": .array(.ref(Step.self)),
                           "compliance": .ref(Compliance.self), "ikm": .ref(IKM.self),
                           "sentences": .array(.ref(Sentence.self), "Lead time, waiting time, compliance, IKM, then steps that changed")],
                optional: ["version": .integer(minimum: 2, int64: false), "unit_id": .id], closed: true)
    }
}
