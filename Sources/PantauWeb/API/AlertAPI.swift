import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// JSON shape of a raised alert (snake_case keys, docs/monitoring.md "Peringatan dan webhook").
enum AlertDTO {
    struct Alert: Codable, Sendable {
        var id: Int64
        var rule_id: Int64
        var kind: String
        var sop_id: Int64
        var sop_number: String
        var sop_title: String
        var unit_id: Int64
        var unit_code: String
        var case_id: Int64?
        var case_reference: String?
        var raised_at: Date
        /// The alert in one sentence, in the request's language.
        var message: String
        /// The message's figures (see the webhook payload in docs/monitoring.md).
        var arguments: [String]
    }

    static func alert(_ i: AlertListItem, _ t: Strings) -> Alert {
        let a = i.alert
        return Alert(id: a.id, rule_id: a.ruleID, kind: a.kind.rawValue, sop_id: a.sopID, sop_number: i.sopNumber, sop_title: i.sopTitle,
                     unit_id: a.unitID, unit_code: i.unitCode, case_id: a.caseID, case_reference: i.caseReference,
                     raised_at: a.raisedAt, message: AlertText.message(a, t), arguments: a.arguments)
    }
}

extension AlertDTO.Alert: JSONSchemaDescribed {
    static var schemaName: String { "Alert" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "rule_id": .id, "kind": .oneOf(AlertKind.allCases.map(\.rawValue)), "sop_id": .id, "sop_number": .string,
                           "sop_title": .string, "unit_id": .id, "unit_code": .string,
                           "raised_at": .string("When the rule's condition was met (RFC 3339)", format: "date-time"),
                           "message": .string("The alert in one sentence, in the request's language"),
                           "arguments": .array(.string, "The message's figures: case_overdue [reference, open seconds, limit seconds], step_over_standard [reference, step id, excess seconds], compliance_below [period, compliance %, threshold %, closed cases], action_overdue [title, due date]")],
                optional: ["case_id": .id, "case_reference": .string("The case's receipt or queue number")], closed: true)
    }
}

/// `GET /api/v1/alerts`: what the alert rules raised, for other government systems that poll
/// instead of (or besides) receiving webhooks.
enum AlertAPI {
    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.api(.get, .api(.alerts), .monitoringRead,
              "Alerts raised in the caller's units, newest first (query sop_id, unit_id, kind, since as RFC 3339, limit 1-500)") { req, ctx in
            let t = s.views.strings(ctx.language)
            let q = req.uri.queryParameters
            let tree = try await s.store.orgTree()
            var query = AlertQuery(unitIDs: Scope.units(ctx.identity, tree: tree))
            if let text = q.get("unit_id") {
                guard let u = Int64(String(text)), tree.unit(u) != nil else { throw AppError.invalid([FieldError(field: "unit_id", message: t["err_invalid"])]) }
                guard Scope.covers(ctx.identity, unit: u, tree: tree) else { throw AppError.forbidden }
                query.unitIDs = tree.subtree(of: u)
            }
            if let text = q.get("sop_id") {
                guard let v = Int64(String(text)) else { throw AppError.invalid([FieldError(field: "sop_id", message: t["err_invalid"])]) }
                query.sopID = v
            }
            if let text = q.get("kind") {
                guard let k = AlertKind(rawValue: String(text)) else { throw AppError.invalid([FieldError(field: "kind", message: t["err_invalid"])]) }
                query.kind = k
            }
            if let text = q.get("since") {
                let f = ISO8601DateFormatter()
                let g = ISO8601DateFormatter()
                g.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                guard let d = f.date(from: String(text)) ?? g.date(from: String(text)) else { throw AppError.invalid([FieldError(field: "since", message: t["err_invalid"])]) }
                query.since = d
            }
            query.limit = try APIRoutes.intParam(q.get("limit"), "limit", default: 100, range: 1...500)
            return try .json(try await s.store.alerts(query).map { AlertDTO.alert($0, t) })
        }
    }
}
