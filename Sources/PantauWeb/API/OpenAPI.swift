import Foundation
import HTTPTypes
import PantauCore
import PantauStore

/// What one API operation reads and answers, in Swift types that describe their own JSON
/// (`JSONSchemaDescribed`). Every `.api` route has one (`OpenAPIDocument.operation`); there is no
/// default, so a new route without one is left out of the document and fails the OpenAPI tests.
struct APIOperation {
    /// The JSON body the operation reads.
    struct RequestBody {
        var type: any JSONSchemaDescribed.Type
        /// false: the body may be left out (an empty body means "no options").
        var required: Bool = true
        /// A valid body on the demo database (documentation, and the examples schemathesis sends).
        var example: (any Encodable)?
    }
    struct Success {
        var status: Int
        var type: any JSONSchemaDescribed.Type
        var description: String
        static func ok(_ t: any JSONSchemaDescribed.Type, _ description: String = "OK") -> Success { Success(status: 200, type: t, description: description) }
        static func created(_ t: any JSONSchemaDescribed.Type, _ description: String = "Created") -> Success { Success(status: 201, type: t, description: description) }
    }
    struct Query {
        var name: String
        var schema: JSONSchema
    }

    var request: RequestBody?
    var responses: [Success]
    var query: [Query] = []
    /// The operation can answer 429 (rate-limited), with Retry-After.
    var rateLimited = false

    init(_ responses: [Success], request: RequestBody? = nil, query: [Query] = [], rateLimited: Bool = false) {
        self.responses = responses; self.request = request; self.query = query; self.rateLimited = rateLimited
    }
}

/// The OpenAPI 3.1 document of `/api/v1`, generated from the route table that registers the
/// routes and from the schemas of the Codable body types, so neither can drift from the code.
enum OpenAPIDocument {
    /// The typed description of each API route (Hummingbird path pattern). No default.
    static func operation(_ method: HTTPRequest.Method, _ path: String) -> APIOperation? {
        typealias O = APIOperation
        // Patterns from the typed route list, so a renamed route is a renamed case here too.
        func api(_ route: SiteURL.API) -> String { SiteURL.api(route).pattern }
        switch (method, path) {
        case (.get, api(.openAPI)): return O([.ok(OpenAPIDocumentBody.self)])
        case (.get, api(.units)): return O([.ok([DTO.Unit].self)])
        case (.get, api(.unit(.key))): return O([.ok(DTO.Unit.self)])
        case (.post, api(.units)): return O([.created(DTO.Unit.self)], request: .init(type: DTO.UnitInput.self, example: Examples.unit))
        case (.put, api(.unit(.key))): return O([.ok(DTO.Unit.self)], request: .init(type: DTO.UnitInput.self, example: Examples.unit))
        case (.get, api(.sops)):
            return O([.ok(DTO.PageOf<DTO.SOPSummary>.self)], query: [
                .init(name: "q", schema: .string("Search in number and title")),
                .init(name: "unit_id", schema: .integer("Only this unit and its sub-units")),
                .init(name: "status", schema: .oneOf(SOPStatus.allCases.map(\.rawValue), "Latest version's status")),
                .init(name: "page", schema: .integer("Default 1", minimum: 1, maximum: 1_000_000, int64: false)),
                .init(name: "per_page", schema: .integer("Default 25", minimum: 1, maximum: 200, int64: false)),
            ])
        case (.post, api(.sops)):
            return O([.created(DTO.SOPDetail.self)], request: .init(type: DTO.SOPCreate.self, example: Examples.sopCreate))
        case (.get, api(.sop(.key))): return O([.ok(DTO.SOPDetail.self)])
        case (.put, api(.sop(.key))):
            return O([.ok(DTO.Version.self, "The draft, edited in place"), .created(DTO.Version.self, "A new draft version of an SOP in force")],
                     request: .init(type: DTO.SOPUpdate.self, example: Examples.sopUpdate))
        case (.get, api(.sopVersions(.key))): return O([.ok([DTO.Version].self, "Versions, newest first")])
        case (.post, api(.sopVersions(.key))):
            return O([.created(DTO.Version.self)], request: .init(type: DTO.NewVersion.self, required: false, example: DTO.NewVersion(change_note: "Revisi tahunan")))
        case (.get, api(.sopVersion(.key, version: .key))): return O([.ok(DTO.Version.self)])
        case (.post, api(.sopVersionSubmit(.key, version: .key))): return O([.ok(DTO.Version.self, "The version, now under review")])
        case (.post, api(.sopVersionApprove(.key, version: .key))):
            return O([.ok(DTO.Version.self, "The version, now in force")], request: .init(type: DTO.Approve.self, required: false, example: DTO.Approve(effective_from: "2026-07-01")))
        case (.get, api(.surveys)): return O([.ok([SurveyDTO.Summary].self)])
        case (.get, api(.survey(.key))): return O([.ok(SurveyDTO.Detail.self)])
        case (.post, api(.surveys)):
            return O([.created(SurveyDTO.Detail.self)], request: .init(type: SurveyDTO.SurveyWrite.self, example: Examples.surveyCreate))
        case (.put, api(.survey(.key))):
            return O([.ok(SurveyDTO.Detail.self)], request: .init(type: SurveyDTO.SurveyWrite.self, example: Examples.surveyUpdate))
        case (.get, api(.surveyResults(.key))):
            return O([.ok(SurveyDTO.Results.self)], query: [
                .init(name: "period", schema: .string("2026, 2026-S1, 2026-Q3 or 2026-07 (default: the latest period with responses)",
                                                      pattern: "^[1-9][0-9]{3}(-(0[1-9]|1[0-2]|[QqTt][1-4]|[SsHh][12]))?$")),
            ])
        case (.post, api(.surveyResponses(.key))):
            return O([.created(SurveyDTO.ResponseCreated.self)], request: .init(type: SurveyDTO.ResponseInput.self, example: Examples.surveyResponse), rateLimited: true)
        case (.post, api(.events)):
            return O([.ok(EventDTO.Results.self, "Per event: stored, duplicate (acknowledged, not stored twice) or rejected with its errors")],
                     request: .init(type: [EventDTO.EventIn].self, example: Examples.events))
        case (.get, api(.sopMonitoring(.key))):
            return O([.ok(MonitoringReport.self)], query: [
                .init(name: "from", schema: .date("Cases opened on or after this day (WIB)")),
                .init(name: "to", schema: .date("Cases opened on or before this day (WIB)")),
                .init(name: "unit_id", schema: .integer("Only cases of this unit")),
            ])
        case (.get, api(.serviceCase(.key))): return O([.ok(EventDTO.CaseDetail.self)])
        case (.get, api(.alerts)):
            return O([.ok([AlertDTO.Alert].self, "Alerts, newest first")], query: [
                .init(name: "sop_id", schema: .integer("Only alerts of this SOP")),
                .init(name: "unit_id", schema: .integer("Only this unit and its sub-units")),
                .init(name: "kind", schema: .oneOf(AlertKind.allCases.map(\.rawValue), "Only alerts of this kind")),
                .init(name: "since", schema: .string("Only alerts raised at or after this moment (RFC 3339), e.g. the time of the last poll", format: "date-time")),
                .init(name: "limit", schema: .integer("At most this many (1-500, default 100)", minimum: 1, maximum: 500, int64: false)),
            ])
        case (.get, api(.indicators)):
            return O([.ok([IndicatorDTO.Detail].self, "Each indicator with one period: the latest with a target and a value, else the current one")], query: [
                .init(name: "unit_id", schema: .integer("Only this unit and its sub-units")),
                .init(name: "sop_id", schema: .integer("Only indicators of this SOP")),
                .init(name: "period", schema: .string("Only indicators of this period's kind, with this period: 2026, 2026-S1, 2026-Q3 or 2026-07",
                                                      pattern: "^[1-9][0-9]{3}(-(0[1-9]|1[0-2]|[QqTt][1-4]|[SsHh][12]))?$")),
            ])
        case (.get, api(.sopReport(.key))):
            return O([.ok(ReportDTO.Report.self)], query: [
                .init(name: "period", schema: .string("The report's period: 2026, 2026-S1, 2026-Q3 or 2026-07 (default: the current semester)",
                                                      pattern: "^[1-9][0-9]{3}(-(0[1-9]|1[0-2]|[QqTt][1-4]|[SsHh][12]))?$")),
            ])
        case (.get, api(.indicator(.key))):
            return O([.ok(IndicatorDTO.Detail.self)], query: [.init(name: "periods", schema: .integer("Recent periods (1-24, default 8)", minimum: 1, maximum: 24, int64: false))])
        case (.post, api(.indicatorPeriods(.key))):
            return O([.ok(IndicatorDTO.Detail.self, "The indicator with the period just set")],
                     request: .init(type: IndicatorDTO.PeriodInput.self, example: IndicatorDTO.PeriodInput(period: "2026-Q4", target: 85, manual_value: nil, manual_note: nil, explanation: "Target triwulan IV")))
        case (.get, api(.sopQuizResults(.key))):
            return O([.ok(QuizDTO.Results.self)], query: [
                .init(name: "period", schema: .string("Attempts in 2026, 2026-S1, 2026-Q3 or 2026-07 (default: all)",
                                                      pattern: "^[1-9][0-9]{3}(-(0[1-9]|1[0-2]|[QqTt][1-4]|[SsHh][12]))?$")),
                .init(name: "pass_threshold", schema: .number("Pass mark in percent, above 0 up to 100 (default 70)")),
            ])
        case (.get, api(.sopMonitoringRecords(.key))): return O([.ok([MonevDTO.MonitoringRecord].self, "Tabel 7 records, the latest revision of each, newest period first")])
        case (.get, api(.sopEvaluationRecords(.key))): return O([.ok([MonevDTO.EvaluationRecord].self, "Tabel 8 records, the latest revision of each, newest period first")])
        case (.get, api(.sopBeforeAfter(.key))):
            return O([.ok(BeforeAfterPage.Report.self)], query: [
                .init(name: "version", schema: .integer("Compare before and after the effective date of this version (default: the latest approved revision)", minimum: 2, int64: false)),
                .init(name: "date", schema: .date("Compare before and after this day (WIB); wins over version")),
                .init(name: "unit_id", schema: .integer("Only cases of this unit")),
                .init(name: "window", schema: .integer("Days on each side (default 90)", minimum: 1, maximum: 730, int64: false)),
            ])
        case (.post, api(.sopFindings(.key))):
            return O([.created(FindingDTO.Finding.self, "The finding, open, with an empty recommendation")],
                     request: .init(type: FindingDTO.FindingCreate.self,
                                    example: FindingDTO.FindingCreate(period: "2026-S2", title: "Loket skrining sering kosong", detail: "Hasil observasi 3 hari", severity: "medium")))
        case (.get, api(.sopFindings(.key))):
            return O([.ok([FindingDTO.Finding].self, "Findings, highest impact first")], query: [
                .init(name: "period", schema: .string("Only this period: 2026, 2026-S1, 2026-Q3 or 2026-07",
                                                      pattern: "^[1-9][0-9]{3}(-(0[1-9]|1[0-2]|[QqTt][1-4]|[SsHh][12]))?$")),
                .init(name: "status", schema: .oneOf(FindingStatus.allCases.map(\.rawValue), "Only findings in this status")),
            ])
        case (.get, api(.actions)):
            return O([.ok([FindingDTO.Action].self, "Follow-up actions, soonest due first")], query: [
                .init(name: "unit", schema: .integer("Only this unit and its sub-units")),
                .init(name: "open", schema: .oneOf(["true", "false"], "Only planned and in-progress actions")),
            ])
        case (.post, api(.actionStatus(.key))):
            return O([.ok(FindingDTO.Action.self, "The action with its new status")],
                     request: .init(type: FindingDTO.StatusInput.self, example: FindingDTO.StatusInput(status: "in_progress", note: "Pelatihan dijadwalkan")))
        default: return nil
        }
    }

    /// Request examples, valid on a database with the demo agency (`pantau serve --demo`).
    enum Examples {
        static var events: [EventDTO.EventIn] {
            let steps = DemoAgency.imunisasi.steps
            return [
                EventDTO.EventIn(event_id: "SIK-IMN-2026-0001-1", sop_id: 1, case: "IMN-2026-0001", activity: steps[0].activity,
                                 timestamp: "2026-11-30T08:12:00+07:00", start_timestamp: "2026-11-30T08:05:00+07:00",
                                 resource: "Petugas Pendaftaran", unit: "DINKES-PKM-KTB"),
                EventDTO.EventIn(event_id: "SIK-IMN-2026-0001-2", sop_id: 1, case: "IMN-2026-0001", activity: steps[1].activity,
                                 timestamp: "2026-11-30T08:30:00+07:00", resource: "Bidan", unit: "DINKES-PKM-KTB"),
            ]
        }
        static var unit: DTO.UnitInput {
            DTO.UnitInput(parent_id: 1, code: "BAGIAN-ORG", name: "Bagian Organisasi", level: "unit_kerja", head_name: "Drs. Contoh", head_nip: "197001012000031001")
        }
        static var sopDocument: SOPDocument {
            var d = DemoAgency.izinUsaha
            d.identity.number = "503/SOP-99/436.7.15/2026"
            d.identity.title = "Contoh SOP dari API"
            return d
        }
        static var sopCreate: DTO.SOPCreate { DTO.SOPCreate(unit_id: 1, document: sopDocument, change_note: "Didaftarkan lewat API") }
        static var sopUpdate: DTO.SOPUpdate { DTO.SOPUpdate(document: sopDocument, change_note: "Perbaikan lewat API") }
        static var surveyCreate: SurveyDTO.SurveyWrite {
            SurveyDTO.SurveyWrite(unit_id: 1, sop_id: nil, name: "Pelayanan Contoh dari API", period_kind: "quarter", active: true, profile: surveyProfile)
        }
        static var surveyUpdate: SurveyDTO.SurveyWrite {
            SurveyDTO.SurveyWrite(unit_id: nil, sop_id: nil, name: nil, period_kind: nil, active: nil, profile: surveyProfile)
        }
        /// The diploma list with its own aliases, the standard occupations with one more alias.
        static var surveyProfile: SurveyDTO.ProfileInput {
            let education = RespondentProfileSchema.educationWithDiploma.map {
                SurveyDTO.ChoiceInput(code: $0.code, label: $0.label.id, label_en: $0.label.en, aliases: $0.code == "SMA" ? ["Aliyah"] : nil)
            }
            let occupations = RespondentProfileSchema.standardOccupations.map {
                SurveyDTO.ChoiceInput(code: $0.code, label: $0.label.id, label_en: $0.label.en, aliases: $0.code == "LAINNYA" ? ["Honorer", "Petani"] : nil)
            }
            return SurveyDTO.ProfileInput(education_levels: education, occupations: occupations, service_types: nil, asks_age: true)
        }
        static var surveyResponse: SurveyDTO.ResponseInput {
            var answers: [String: Int] = [:]
            for (i, c) in DemoAgency.surveyDefinition.unsurCodes.enumerated() { answers[c.rawValue] = 3 + i % 2 }
            return SurveyDTO.ResponseInput(answers: answers, gender: "P", age: 31, education: nil, occupation: "SWASTA", occupation_detail: nil,
                                           service_type: "DASAR", suggestion: "Antrean sudah tertib", case_reference: "IMN-2026-0001",
                                           channel: "kiosk", date: nil, time: nil)
        }
    }

    /// The `.api` routes that have no typed description (must be none; the tests check).
    static func undocumented(_ routes: [RouteSpec]) -> [String] {
        apiRoutes(routes).filter { operation($0.method, $0.path) == nil }.map { "\($0.method.rawValue) \($0.path)" }
    }

    static func apiRoutes(_ routes: [RouteSpec]) -> [RouteSpec] {
        routes.filter { $0.kind == .api && $0.path.hasPrefix(SiteURL.apiBase + "/") }
    }

    /// Whether API tokens may call a route of this rule (mirrors `AccessRule.allows` for `.token`;
    /// OpenAPITests checks it against the server).
    static func tokensAllowed(_ rule: AccessRule) -> Bool {
        switch rule {
        case .sopRead, .unitRead, .surveyRead, .surveySubmit, .monitoringRead, .eventWrite, .evaluationRead: return true
        default: return false
        }
    }

    // MARK: The document

    struct Doc: Encodable {
        let openapi = "3.1.0"
        let info: Info
        let servers: [[String: String]]
        let paths: [String: [String: Operation]]
        let components: Components
    }
    struct Info: Encodable {
        let title: String
        let version: String
        let description: String
    }
    struct Operation: Encodable {
        let summary: String
        let operationId: String
        let tags: [String]
        let parameters: [Parameter]?
        let requestBody: Body?
        let responses: [String: Resp]
        let security: [[String: [String]]]
    }
    struct Parameter: Encodable {
        let name: String
        let `in`: String
        let required: Bool
        let schema: JSONSchema
        var example: JSONValue? = nil
    }
    struct Media: Encodable {
        let schema: JSONSchema
        var example: JSONValue? = nil
    }
    struct Body: Encodable {
        let required: Bool
        let content: [String: Media]
    }
    struct Header: Encodable {
        let description: String
        let schema: JSONSchema
    }
    struct Resp: Encodable {
        let description: String
        let content: [String: Media]?
        let headers: [String: Header]?
        init(_ description: String, _ content: [String: Media]?, headers: [String: Header]? = nil) {
            self.description = description; self.content = content; self.headers = headers
        }
    }
    struct SecurityScheme: Encodable {
        let type: String
        let scheme: String?
        let bearerFormat: String?
        let `in`: String?
        let name: String?
        let description: String
    }
    struct Components: Encodable {
        let schemas: [String: JSONSchema]
        let securitySchemes: [String: SecurityScheme]
    }

    static func build(routes: [RouteSpec]) -> Doc {
        var paths: [String: [String: Operation]] = [:]
        var roots: [any JSONSchemaDescribed.Type] = [Problem.self]
        for r in apiRoutes(routes) {
            guard let op = operation(r.method, r.path) else { continue }
            let oaPath = openAPIPath(r.path)
            let pathParams = r.path.split(separator: "/").filter { $0.hasPrefix(":") }.map {
                Parameter(name: String($0.dropFirst()), in: "path", required: true,
                          schema: $0 == ":version" ? .integer(minimum: 1, int64: false) : .id, example: .int(1))
            }
            let query = op.query.map { Parameter(name: $0.name, in: "query", required: false, schema: $0.schema) }
            let json = { (t: any JSONSchemaDescribed.Type) in ["application/json": Media(schema: .ref(t))] }
            var responses: [String: Resp] = [:]
            for s in op.responses {
                responses[String(s.status)] = Resp(s.description, json(s.type))
                roots.append(s.type)
            }
            if let b = op.request { roots.append(b.type) }
            // Problem bodies (RFC 9457), labelled application/problem+json.
            let problem = ["application/problem+json": Media(schema: .ref(Problem.self))]
            let unsafe = r.method == .post || r.method == .put
            responses["401"] = Resp(r.rule == .anyone ? "The bearer token is unknown, expired or revoked" : "Not signed in, or the bearer token is unknown, expired or revoked",
                                    problem, headers: ["WWW-Authenticate": Header(description: "`Bearer realm=\"pantau\"`", schema: .string)])
            if r.rule != .anyone {
                responses["403"] = Resp(tokensAllowed(r.rule)
                                        ? "Not allowed for this role" + (unsafe ? ", or a session write without a valid X-CSRF-Token" : "")
                                        : "Not allowed for this role or for API tokens" + (unsafe ? ", or a session write without a valid X-CSRF-Token" : ""),
                                        problem)
            }
            if !pathParams.isEmpty { responses["404"] = Resp("Not found (or outside the caller's units)", problem) }
            if op.request != nil || !op.query.isEmpty || unsafe {
                responses["400"] = Resp("Invalid input, with an entry per field in `errors`", problem)
            }
            if op.request != nil || unsafe { responses["413"] = Resp("The body is larger than the route accepts", problem) }
            if unsafe { responses["409"] = Resp("Conflict (duplicate, or a lifecycle step the version's status does not allow)", problem) }
            if op.rateLimited {
                responses["429"] = Resp("Too many requests; retry after the given seconds", problem,
                                        headers: ["Retry-After": Header(description: "Seconds to wait", schema: .integer(minimum: 0, int64: false))])
            }
            // The tag is the route's first segment under the API base (units, sops, surveys, events,
            // cases); the document itself is "meta".
            let first = r.path.dropFirst(SiteURL.apiBase.count).split(separator: "/").first.map(String.init) ?? ""
            let tag = first.contains(".") || first.isEmpty ? "meta" : first
            var security: [[String: [String]]] = []
            if r.rule != .anyone {
                if tokensAllowed(r.rule) { security.append(["bearerToken": []]) }
                security.append(["sessionCookie": []])
            }
            paths[oaPath, default: [:]][r.method.rawValue.lowercased()] = Operation(
                summary: r.summary, operationId: operationID(r.method.rawValue, r.path), tags: [tag],
                parameters: (pathParams + query).isEmpty ? nil : pathParams + query,
                requestBody: op.request.map { b in
                    Body(required: b.required, content: ["application/json": Media(schema: .ref(b.type), example: b.example.flatMap(encodeExample))])
                },
                responses: responses, security: security)
        }
        let (schemas, _) = JSONSchema.components(roots)
        return Doc(info: Info(title: "Pantau API", version: "1.0.0",
                              description: "Units, SOPs (PermenPANRB 35/2012) and service-satisfaction surveys (SKM) for other government systems (SPBE). Errors are RFC 9457 problem bodies with an `errors` list of {field, message}. Integrations send an API token as `Authorization: Bearer pnt_…`; writes with a session cookie need the X-CSRF-Token header."),
                   servers: [["url": "/"]], paths: paths,
                   components: Components(schemas: schemas, securitySchemes: [
                       "bearerToken": SecurityScheme(type: "http", scheme: "bearer", bearerFormat: "pnt_…", in: nil, name: nil,
                                                     description: "API token created by an admin (Token API page), scoped to one unit and its sub-units; reads units, SOPs and surveys and submits survey responses"),
                       "sessionCookie": SecurityScheme(type: "apiKey", scheme: nil, bearerFormat: nil, in: "cookie", name: "pantau_session",
                                                       description: "The browser session of a signed-in user; writes also need the X-CSRF-Token header"),
                   ]))
    }

    static func encodeExample(_ value: any Encodable) -> JSONValue? {
        (try? APIJSON.encoder.encode(value)).flatMap { try? JSONValue.parse($0) }
    }

    static func openAPIPath(_ p: String) -> String {
        p.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }

    static func operationID(_ method: String, _ path: String) -> String {
        let parts = path.replacingOccurrences(of: SiteURL.apiBase + "/", with: "").split(separator: "/").map { $0.hasPrefix(":") ? "by_" + $0.dropFirst() : String($0) }
        return method.lowercased() + "_" + parts.joined(separator: "_").replacingOccurrences(of: ".", with: "_")
    }
}
