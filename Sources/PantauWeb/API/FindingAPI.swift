import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// JSON shapes of findings and follow-up actions (snake_case keys, docs/findings-actions.md).
enum FindingDTO {
    struct CaseRef: Codable, Sendable { var id: Int64; var reference: String }
    struct File: Codable, Sendable { var id: Int64; var name: String; var content_type: String; var size: Int; var sha256: String; var url: String }
    struct Recommendation: Codable, Sendable { var id: Int64; var category: String; var text: String; var priority: Double; var edited: Bool }

    struct Finding: Codable, Sendable {
        var id: Int64
        var sop_id: Int64
        var period: String
        var rule_key: String?
        var kind: String
        var title: String
        var detail: String
        var severity: String
        var impact: Double
        var status: String
        var status_reason: String
        var edited: Bool
        var figures: [String: Double]
        var cases: [CaseRef]
        var evidence_files: [File]
        var recommendations: [Recommendation]
    }

    struct Action: Codable, Sendable {
        var id: Int64
        var recommendation_id: Int64
        var finding_id: Int64
        var sop_id: Int64
        var unit_id: Int64
        var kind: String
        var title: String
        var owner_id: Int64
        var due_date: String
        var status: String
        var overdue: Bool
        var progress_note: String
        var sop_version: Int?
        var verified_by: Int64?
        var verified_at: Date?
        var evidence_files: [File]
    }

    /// `POST /api/v1/actions/{id}/status`.
    /// A finding added by hand through the API (evaluators, unit managers, admins).
    struct FindingCreate: Codable, Sendable {
        var period: String
        var title: String
        var detail: String?
        /// `low`, `medium` or `high`.
        var severity: String
    }

    struct StatusInput: Codable, Sendable {
        var status: String
        var note: String?
    }

    static func file(_ f: EvidenceFile) -> File {
        File(id: f.id, name: f.name, content_type: f.contentType, size: f.size, sha256: f.sha256, url: SiteURL.evidence(f.id).path)
    }

    static func finding(_ f: FindingRecord, recs: [RecommendationRecord], files: [EvidenceFile]) -> Finding {
        Finding(id: f.id, sop_id: f.sopID, period: f.period.description, rule_key: f.ruleKey, kind: f.kind.rawValue, title: f.title, detail: f.detail,
                severity: f.severity.rawValue, impact: f.impact, status: f.status.rawValue, status_reason: f.statusReason, edited: f.edited,
                figures: f.evidence.figures, cases: f.evidence.cases.map { CaseRef(id: $0.id, reference: $0.reference) }, evidence_files: files.map(file),
                recommendations: recs.map { Recommendation(id: $0.id, category: $0.category.rawValue, text: $0.text, priority: $0.priority, edited: $0.edited) })
    }

    static func action(_ a: FollowUpAction, files: [EvidenceFile], today: CivilDate) -> Action {
        Action(id: a.id, recommendation_id: a.recommendationID, finding_id: a.findingID, sop_id: a.sopID, unit_id: a.unitID, kind: a.kind.rawValue,
               title: a.title, owner_id: a.ownerID, due_date: a.dueDate.description, status: a.status.rawValue, overdue: a.isOverdue(today: today),
               progress_note: a.progressNote, sop_version: a.sopVersion, verified_by: a.verifiedBy, verified_at: a.verifiedAt, evidence_files: files.map(file))
    }
}

extension FindingDTO.CaseRef: JSONSchemaDescribed {
    static var schemaName: String { "FindingCase" }
    static var jsonSchema: JSONSchema { .object(required: ["id": .id, "reference": .string], closed: true) }
}

extension FindingDTO.File: JSONSchemaDescribed {
    static var schemaName: String { "EvidenceFile" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "name": .string, "content_type": .string, "size": .count, "sha256": .string("Hex SHA-256 of the bytes"),
                           "url": .string("Download link (session)")], closed: true)
    }
}

extension FindingDTO.Recommendation: JSONSchemaDescribed {
    static var schemaName: String { "Recommendation" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "category": .oneOf(RecommendationCategory.allCases.map(\.rawValue)), "text": .string,
                           "priority": .number("Higher first, 0-100"), "edited": .boolean], closed: true)
    }
}

extension FindingDTO.Finding: JSONSchemaDescribed {
    static var schemaName: String { "Finding" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "sop_id": .id, "period": .string, "kind": .oneOf(FindingKind.allCases.map(\.rawValue)), "title": .string,
                           "detail": .string, "severity": .oneOf(FindingSeverity.allCases.map(\.rawValue)), "impact": .number("0-100"),
                           "status": .oneOf(FindingStatus.allCases.map(\.rawValue)), "status_reason": .string, "edited": .boolean,
                           "figures": .map(.number(), "The figures behind the finding (shares as fractions 0-1)"),
                           "cases": .array(.ref(FindingDTO.CaseRef.self)), "evidence_files": .array(.ref(FindingDTO.File.self)),
                           "recommendations": .array(.ref(FindingDTO.Recommendation.self))],
                optional: ["rule_key": .string("The rule that drafted it; absent for a finding added by hand")], closed: true)
    }
}

extension FindingDTO.Action: JSONSchemaDescribed {
    static var schemaName: String { "FollowUpAction" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "recommendation_id": .id, "finding_id": .id, "sop_id": .id, "unit_id": .id,
                           "kind": .oneOf(ActionKind.allCases.map(\.rawValue)), "title": .string, "owner_id": .id, "due_date": .date(),
                           "status": .oneOf(ActionStatus.allCases.map(\.rawValue)), "overdue": .boolean, "progress_note": .string,
                           "evidence_files": .array(.ref(FindingDTO.File.self))],
                optional: ["sop_version": .integer("The draft a revise-the-SOP action opened", minimum: 1, int64: false), "verified_by": .id,
                           "verified_at": .dateTime], closed: true)
    }
}

extension FindingDTO.FindingCreate: JSONSchemaDescribed {
    static var schemaName: String { "FindingCreate" }
    static var jsonSchema: JSONSchema {
        .object(required: ["period": .string("2026, 2026-S1, 2026-Q3 or 2026-07"), "title": .string("At most 300 characters"),
                           "severity": .oneOf(FindingSeverity.allCases.map(\.rawValue))],
                optional: ["detail": .string("At most 5,000 characters")], closed: false)
    }
}

extension FindingDTO.StatusInput: JSONSchemaDescribed {
    static var schemaName: String { "FollowUpActionStatusInput" }
    static var jsonSchema: JSONSchema {
        .object(required: ["status": .oneOf(ActionStatus.allCases.filter { $0 != .verified }.map(\.rawValue), "The new status (verification is on the web page)")],
                optional: ["note": .string("Progress note")], closed: false)
    }
}

/// `/api/v1/sops/{id}/findings`, `/api/v1/actions`, `/api/v1/actions/{id}/status`.
enum FindingAPI {
    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.api(.get, .api(.sopFindings(.key)), .evaluationRead, "Findings of an SOP (query period, status), with figures, evidence files and recommendations") { req, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            var period: SurveyPeriod?
            if let text = req.uri.queryParameters.get("period") {
                guard let p = SurveyPeriod(String(text)) else { throw AppError.invalid([FieldError(field: "period", message: t["survey_err_period"])]) }
                period = p
            }
            var status: FindingStatus?
            if let text = req.uri.queryParameters.get("status") {
                guard let st = FindingStatus(rawValue: String(text)) else { throw AppError.invalid([FieldError(field: "status", message: t["err_invalid"])]) }
                status = st
            }
            let items = try await s.store.findings(sopID: sop.id, period: period, status: status)
            let recs = try await s.store.recommendations(findingIDs: items.map(\.id))
            let files = try await s.store.evidenceFiles(owner: .finding, ownerIDs: items.map(\.id))
            return try .json(items.map { f in FindingDTO.finding(f, recs: recs.filter { $0.findingID == f.id }, files: files[f.id] ?? []) })
        }

        r.api(.post, .api(.sopFindings(.key)), .evaluationWrite, "Add a finding by hand (with an empty recommendation to write on the finding's page)") { req, ctx in
            let (sop, _) = try await SOPPages.loadScoped(s, ctx)
            let body = try await APIRoutes.decode(FindingDTO.FindingCreate.self, req, ctx)
            do {
                let f = try await s.store.createFinding(sopID: sop.id, FindingInput(period: body.period, title: body.title, detail: body.detail ?? "",
                                                                                     severity: body.severity), by: ctx.actor)
                let recs = try await s.store.recommendations(findingIDs: [f.id])
                return try .json(FindingDTO.finding(f, recs: recs, files: []), status: .created)
            } catch let e as StoreError {
                throw e.appError
            }
        }

        r.api(.get, .api(.actions), .evaluationRead, "Follow-up actions in the caller's units (query unit, open), soonest due first") { req, ctx in
            let t = s.views.strings(ctx.language)
            let tree = try await s.store.orgTree()
            var units = Scope.units(ctx.identity, tree: tree)
            if let text = req.uri.queryParameters.get("unit") {
                guard let u = Int64(String(text)), tree.unit(u) != nil else { throw AppError.invalid([FieldError(field: "unit", message: t["err_invalid"])]) }
                guard Scope.covers(ctx.identity, unit: u, tree: tree) else { throw AppError.forbidden }
                units = tree.subtree(of: u)
            }
            let open = req.uri.queryParameters.get("open").map { $0 == "true" || $0 == "1" } ?? false
            let actions = try await s.store.followUpActions(unitIDs: units, openOnly: open)
            let files = try await s.store.evidenceFiles(owner: .action, ownerIDs: actions.map(\.id))
            let today = CivilDate(Date())
            return try .json(actions.map { FindingDTO.action($0, files: files[$0.id] ?? [], today: today) })
        }

        r.api(.post, .api(.actionStatus(.key)), .actionUpdate, "Report progress on a follow-up action (its owner, or someone who may manage actions)") { req, ctx in
            let a = try await ActionPages.load(s, ctx, id: try ctx.int64("id"))
            guard let user = ctx.user, a.ownerID == user.id || AccessRule.actionManage.allows(ctx.identity) else { throw AppError.forbidden }
            let body = try await APIRoutes.decode(FindingDTO.StatusInput.self, req, ctx)
            let updated = try await s.store.updateFollowUpAction(id: a.id, status: body.status, note: body.note ?? "", by: ctx.actor)
            return try .json(FindingDTO.action(updated, files: try await s.store.evidenceFiles(owner: .action, ownerID: a.id), today: CivilDate(Date())))
        }
    }
}
