import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// JSON shapes of the indicator API (snake_case keys).
enum IndicatorDTO {
    struct Summary: Codable, Sendable {
        var id: Int64
        var unit_id: Int64
        var sop_id: Int64?
        var code: String
        var name: String
        var family: String
        var metric: String
        var unsur: String?
        var unit_of_measure: String
        var direction: String
        var period_kind: String
        var description: String
        var active: Bool
    }

    struct Evidence: Codable, Sendable {
        var id: Int64
        var name: String
        var size: Int
        var sha256: String
        var url: String
    }

    struct Period: Codable, Sendable {
        var period: String
        var target: Double?
        /// The value computed from the data.
        var computed: Double?
        /// Cases, respondents or staff the computed value rests on.
        var basis: Int?
        var manual: Double?
        var manual_note: String
        var explanation: String
        /// The value that counts: the manual one when entered, else the computed one.
        var value: Double?
        var source: String
        var achievement: Double?
        var status: String?
        var evidence: [Evidence]
    }

    struct Detail: Codable, Sendable {
        var indicator: Summary
        var periods: [Period]
    }

    /// A period's target, manual value and explanation, as `POST /indicators/{id}/periods` reads it.
    struct PeriodInput: Codable, Sendable {
        var period: String
        var target: Double?
        var manual_value: Double?
        var manual_note: String?
        var explanation: String?
    }

    static func summary(_ i: IndicatorRecord) -> Summary {
        Summary(id: i.id, unit_id: i.unitID, sop_id: i.sopID, code: i.code, name: i.name, family: i.family.rawValue, metric: i.metric.rawValue,
                unsur: i.unsur?.rawValue, unit_of_measure: i.unitOfMeasure, direction: i.direction.rawValue, period_kind: i.periodKind.rawValue,
                description: i.description, active: i.active)
    }

    static func period(_ r: IndicatorRealisation, files: [EvidenceFile]) -> Period {
        Period(period: r.period.description, target: r.target, computed: r.computed, basis: r.basis, manual: r.manual, manual_note: r.manualNote,
               explanation: r.explanation, value: r.value, source: r.source.rawValue, achievement: r.achievement, status: r.status?.rawValue,
               evidence: files.map { Evidence(id: $0.id, name: $0.name, size: $0.size, sha256: $0.sha256, url: SiteURL.evidence($0.id).path) })
    }
}

/// `/api/v1/indicators`: indicators with their realisations, and the targets of a period.
enum IndicatorAPI {
    static func detail(_ s: AppServices, _ i: IndicatorRecord, periods: [SurveyPeriod]) async throws -> IndicatorDTO.Detail {
        try await detail(s, i, realisations: try await s.store.realisations(i, periods: periods))
    }

    static func detail(_ s: AppServices, _ i: IndicatorRecord, realisations rs: [IndicatorRealisation]) async throws -> IndicatorDTO.Detail {
        let files = try await s.store.evidenceFiles(owner: .indicatorValue, ownerIDs: rs.compactMap(\.periodID))
        return IndicatorDTO.Detail(indicator: IndicatorDTO.summary(i),
                                   periods: rs.map { IndicatorDTO.period($0, files: $0.periodID.flatMap { files[$0] } ?? []) })
    }

    /// `period=` of a query: one period of the indicator's kind, or nil for the default.
    static func period(_ req: Request, _ t: Strings) throws -> SurveyPeriod? {
        guard let text = req.uri.queryParameters.get("period") else { return nil }
        guard let p = SurveyPeriod(String(text)) else { throw AppError.invalid([FieldError(field: "period", message: t["survey_err_period"])]) }
        return p
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.api(.get, .api(.indicators), .evaluationRead,
              "Indicators (IKU) in the caller's units, each with the latest period that has a target and a value (or the current one)") { req, ctx in
            let t = s.views.strings(ctx.language)
            let tree = try await s.store.orgTree()
            var units = Scope.units(ctx.identity, tree: tree)
            if let text = req.uri.queryParameters.get("unit_id") {
                guard let u = Int64(String(text)), tree.unit(u) != nil else { throw AppError.invalid([FieldError(field: "unit_id", message: t["err_invalid"])]) }
                guard Scope.covers(ctx.identity, unit: u, tree: tree) else { throw AppError.forbidden }
                units = tree.subtree(of: u)
            }
            var sopID: Int64?
            if let text = req.uri.queryParameters.get("sop_id") {
                guard let v = Int64(String(text)) else { throw AppError.invalid([FieldError(field: "sop_id", message: t["err_invalid"])]) }
                sopID = v
            }
            let chosen = try period(req, t)
            var out: [IndicatorDTO.Detail] = []
            for i in try await s.store.indicators(unitIDs: units, sopID: sopID) {
                if let chosen, chosen.kind != i.periodKind { continue }
                let periods = chosen.map { [$0] } ?? PantauStore.recentPeriods(kind: i.periodKind, count: 2)
                var rs = try await s.indicatorCache.realisations(s.store, i, periods: periods, tree: tree)
                if chosen == nil, let h = IndicatorPages.headline(rs) { rs = [h] }
                out.append(try await detail(s, i, realisations: rs))
            }
            return try .json(out)
        }

        r.api(.get, .api(.indicator(.key)), .evaluationRead, "One indicator with its recent periods (query periods=1..24, default 8)") { req, ctx in
            let (i, _) = try await IndicatorPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            var count = IndicatorPages.trendPeriods
            if let text = req.uri.queryParameters.get("periods") {
                guard let n = Int(String(text)), (1...24).contains(n) else {
                    throw AppError.invalid([FieldError(field: "periods", message: t["err_invalid"])])
                }
                count = n
            }
            return try .json(try await detail(s, i, periods: PantauStore.recentPeriods(kind: i.periodKind, count: count)))
        }

        r.api(.post, .api(.indicatorPeriods(.key)), .indicatorManage,
              "Set a period's target, manual value (with its note) and explanation; answers the indicator with that period") { req, ctx in
            let (i, _) = try await IndicatorPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            let body = try await APIRoutes.decode(IndicatorDTO.PeriodInput.self, req, ctx)
            guard let p = SurveyPeriod(body.period) else { throw AppError.invalid([FieldError(field: "period", message: t["survey_err_period"])]) }
            let input = IndicatorPeriodInput(period: p, target: body.target, manualValue: body.manual_value, manualNote: body.manual_note ?? "",
                                             explanation: body.explanation ?? "")
            do {
                try await s.store.setIndicatorPeriod(indicatorID: i.id, input, by: ctx.actor)
                s.indicatorCache.changed()
            } catch let e as StoreError {
                throw e.appError
            }
            return try .json(try await detail(s, i, periods: [p]))
        }
    }
}

// MARK: - Schemas

extension IndicatorDTO.Summary: JSONSchemaDescribed {
    static var schemaName: String { "Indicator" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "unit_id": .id, "code": .string, "name": .string,
                           "family": .oneOf(IndicatorFamily.allCases.map(\.rawValue)),
                           "metric": .oneOf(IndicatorMetric.allCases.map(\.rawValue), "Where the realisation comes from; `manual`: entered by hand"),
                           "unit_of_measure": .string("`%`, `menit`, `indeks`, or the unit's own"),
                           "direction": .oneOf(IndicatorDirection.allCases.map(\.rawValue), "`higher` or `lower` is better"),
                           "period_kind": .oneOf(SurveyPeriod.Kind.allCases.map(\.rawValue)), "description": .string, "active": .boolean],
                optional: ["sop_id": .integer("The SOP measured; absent for a unit indicator", minimum: 1),
                           "unsur": .string("The SKM unsur of an `unsur_nrr` indicator")], closed: true)
    }
}

extension IndicatorDTO.Evidence: JSONSchemaDescribed {
    static var schemaName: String { "IndicatorEvidence" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "name": .string, "size": .count, "sha256": .string("Hex SHA-256 of the file", pattern: "^[0-9a-f]{64}$"),
                           "url": .string("Download link (same session or token)")], closed: true)
    }
}

extension IndicatorDTO.Period: JSONSchemaDescribed {
    static var schemaName: String { "IndicatorPeriod" }
    static var jsonSchema: JSONSchema {
        .object(required: ["period": .string("2026, 2026-S1, 2026-Q3 or 2026-07"), "manual_note": .string, "explanation": .string("Penjelasan capaian (LKj)"),
                           "source": .oneOf(RealisationSource.allCases.map(\.rawValue), "`computed`, `manual` (entered by hand) or `none` (no data)"),
                           "evidence": .array(.ref(IndicatorDTO.Evidence.self))],
                optional: ["target": .number(), "computed": .number("Computed from cases, survey responses or quizzes"),
                           "basis": .count, "manual": .number("Entered by hand"), "value": .number("The value that counts"),
                           "achievement": .number("Capaian in percent"), "status": .oneOf(IndicatorStatus.allCases.map(\.rawValue))],
                closed: true)
    }
}

extension IndicatorDTO.Detail: JSONSchemaDescribed {
    static var schemaName: String { "IndicatorDetail" }
    static var jsonSchema: JSONSchema {
        .object(required: ["indicator": .ref(IndicatorDTO.Summary.self), "periods": .array(.ref(IndicatorDTO.Period.self), "Oldest first")], closed: true)
    }
}

extension IndicatorDTO.PeriodInput: JSONSchemaDescribed {
    static var schemaName: String { "IndicatorPeriodInput" }
    static var jsonSchema: JSONSchema {
        .object(required: ["period": .string("A period of the indicator's kind: 2026, 2026-S1, 2026-Q3 or 2026-07")],
                optional: ["target": .number(), "manual_value": .number("Replaces the computed value; needs manual_note"),
                           "manual_note": .string("Where the manual value comes from"), "explanation": .string("Penjelasan capaian (LKj)")],
                closed: false)
    }
}
