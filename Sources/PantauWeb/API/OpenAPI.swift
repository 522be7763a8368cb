import Foundation

/// The OpenAPI 3.1 document of `/api/v1`, generated from the same route table that registers the
/// routes, so the two cannot drift apart.
enum OpenAPIDocument {
    struct Doc: Encodable {
        let openapi = "3.1.0"
        let info: [String: String]
        let servers: [[String: String]]
        let paths: [String: [String: Operation]]
        let components: Components
    }
    struct Operation: Encodable {
        let summary: String
        let operationId: String
        let tags: [String]
        let parameters: [Parameter]?
        let requestBody: Body?
        let responses: [String: Resp]
        let security: [[String: [String]]]?
    }
    struct Parameter: Encodable {
        let name: String
        let `in`: String
        let required: Bool
        let schema: [String: String]
        let description: String?
    }
    struct Body: Encodable {
        let required: Bool
        let content: [String: [String: Ref]]
    }
    struct Resp: Encodable {
        let description: String
        let content: [String: [String: Ref]]?
    }
    struct Ref: Encodable {
        let ref: String
        enum CodingKeys: String, CodingKey { case ref = "$ref" }
    }
    struct Components: Encodable {
        let schemas: [String: Schema]
        let securitySchemes: [String: [String: String]]
    }
    final class Schema: Encodable {
        var type: String?
        var properties: [String: Schema]?
        var required: [String]?
        var items: Schema?
        var ref: String?
        var format: String?
        var `enum`: [String]?
        var description: String?
        var additionalProperties: Bool?
        init(type: String? = nil, properties: [String: Schema]? = nil, required: [String]? = nil, items: Schema? = nil,
             ref: String? = nil, format: String? = nil, enum e: [String]? = nil, description: String? = nil) {
            self.type = type; self.properties = properties; self.required = required; self.items = items
            self.ref = ref; self.format = format; self.enum = e; self.description = description
        }
        enum CodingKeys: String, CodingKey { case type, properties, required, items, ref = "$ref", format, `enum`, description, additionalProperties }
        static func str(_ d: String? = nil) -> Schema { Schema(type: "string", description: d) }
        static func int() -> Schema { Schema(type: "integer", format: "int64") }
        static func ref(_ n: String) -> Schema { Schema(ref: "#/components/schemas/\(n)") }
        static func arr(_ s: Schema) -> Schema { Schema(type: "array", items: s) }
        static func obj(_ p: [String: Schema], _ req: [String]) -> Schema { Schema(type: "object", properties: p, required: req) }
    }

    /// Which schema each operation takes and returns.
    static func shapes(_ method: String, _ path: String) -> (request: String?, response: String, status: String) {
        switch (method, path) {
        case ("GET", "/api/v1/openapi.json"): return (nil, "OpenAPI", "200")
        case ("GET", "/api/v1/units"): return (nil, "UnitList", "200")
        case ("GET", "/api/v1/units/{id}"), ("PUT", "/api/v1/units/{id}"): return (method == "PUT" ? "UnitInput" : nil, "Unit", "200")
        case ("POST", "/api/v1/units"): return ("UnitInput", "Unit", "201")
        case ("GET", "/api/v1/sops"): return (nil, "SOPPage", "200")
        case ("POST", "/api/v1/sops"): return ("SOPCreate", "SOPDetail", "201")
        case ("GET", "/api/v1/sops/{id}"): return (nil, "SOPDetail", "200")
        case ("PUT", "/api/v1/sops/{id}"): return ("SOPUpdate", "SOPVersion", "200")
        case ("GET", "/api/v1/sops/{id}/versions"): return (nil, "SOPVersionList", "200")
        case ("POST", "/api/v1/sops/{id}/versions"): return ("NewVersion", "SOPVersion", "201")
        case ("POST", "/api/v1/sops/{id}/versions/{version}/approve"): return ("Approve", "SOPVersion", "200")
        case ("GET", "/api/v1/surveys"): return (nil, "SurveyList", "200")
        case ("GET", "/api/v1/surveys/{id}"): return (nil, "SurveyDetail", "200")
        case ("GET", "/api/v1/surveys/{id}/results"): return (nil, "SurveyResults", "200")
        case ("POST", "/api/v1/surveys/{id}/responses"): return ("SurveyResponseInput", "SurveyResponseCreated", "201")
        default: return (nil, "SOPVersion", "200")
        }
    }

    static func build(routes: [RouteSpec]) -> Doc {
        var paths: [String: [String: Operation]] = [:]
        for r in routes where r.kind == .api && r.path.hasPrefix("/api/v1/") {
            let oaPath = openAPIPath(r.path)
            let params = r.path.split(separator: "/").filter { $0.hasPrefix(":") }.map {
                Parameter(name: String($0.dropFirst()), in: "path", required: true, schema: ["type": "integer"], description: nil)
            }
            var query: [Parameter] = []
            if r.method == .get && (oaPath == "/api/v1/surveys/{id}/results") {
                query = [Parameter(name: "period", in: "query", required: false, schema: ["type": "string"],
                                   description: "Period: 2026, 2026-S1, 2026-Q3 or 2026-07 (default: the current quarter)")]
            }
            if r.method == .get && oaPath == "/api/v1/sops" {
                query = [
                    Parameter(name: "q", in: "query", required: false, schema: ["type": "string"], description: "Search in number and title"),
                    Parameter(name: "unit_id", in: "query", required: false, schema: ["type": "integer"], description: "Only this unit and its sub-units"),
                    Parameter(name: "status", in: "query", required: false, schema: ["type": "string"], description: "draft, review, effective or archived"),
                    Parameter(name: "page", in: "query", required: false, schema: ["type": "integer"], description: nil),
                    Parameter(name: "per_page", in: "query", required: false, schema: ["type": "integer"], description: "1-200, default 25"),
                ]
            }
            let m = r.method.rawValue
            let shape = shapes(m, oaPath)
            var responses: [String: Resp] = [
                shape.status: Resp(description: "OK", content: ["application/json": ["schema": Ref(ref: "#/components/schemas/\(shape.response)")]]),
            ]
            let problem = ["application/problem+json": ["schema": Ref(ref: "#/components/schemas/Problem")]]
            if r.rule != .anyone {
                responses["401"] = Resp(description: "Not signed in / bad token", content: problem)
                responses["403"] = Resp(description: "Not allowed for this role", content: problem)
            }
            if !params.isEmpty { responses["404"] = Resp(description: "Not found (or outside the caller's units)", content: problem) }
            if shape.request != nil || m == "POST" || m == "PUT" {
                responses["400"] = Resp(description: "Invalid input, with an error per field", content: problem)
                responses["409"] = Resp(description: "Conflict (duplicate or wrong status)", content: problem)
            }
            let op = Operation(
                summary: r.summary, operationId: operationID(m, r.path), tags: [oaPath.contains("/units") ? "units" : (oaPath.contains("/sops") ? "sops" : (oaPath.contains("/surveys") ? "surveys" : "meta"))],
                parameters: (params + query).isEmpty ? nil : params + query,
                requestBody: shape.request.map { Body(required: m != "POST" || !oaPath.hasSuffix("/versions"), content: ["application/json": ["schema": Ref(ref: "#/components/schemas/\($0)")]]) },
                responses: responses,
                security: r.rule == .anyone ? [] : [["bearerToken": []], ["sessionCookie": []]])
            paths[oaPath, default: [:]][m.lowercased()] = op
        }
        return Doc(info: ["title": "Pantau API", "version": "1.0.0",
                          "description": "Units and SOPs (PermenPANRB 35/2012) for other government systems. Errors are RFC 9457 problem bodies with an `errors` list of {field, message}. Writes with a session cookie need the X-CSRF-Token header."],
                   servers: [["url": "/"]], paths: paths, components: components())
    }

    static func openAPIPath(_ p: String) -> String {
        p.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }

    static func operationID(_ method: String, _ path: String) -> String {
        let parts = path.replacingOccurrences(of: "/api/v1/", with: "").split(separator: "/").map { $0.hasPrefix(":") ? "by_" + $0.dropFirst() : String($0) }
        return method.lowercased() + "_" + parts.joined(separator: "_").replacingOccurrences(of: ".", with: "_")
    }

    static func components() -> Components {
        typealias S = Schema
        let unit = S.obj(["id": .int(), "parent_id": .int(), "code": .str(), "name": .str(),
                          "level": S(type: "string", enum: ["instansi", "unit_kerja", "sub_unit"]), "head_name": .str(), "head_nip": .str()],
                         ["id", "code", "name", "level"])
        let unitInput = S.obj(["parent_id": .int(), "code": .str(), "name": .str(),
                               "level": S(type: "string", enum: ["instansi", "unit_kerja", "sub_unit"]), "head_name": .str(), "head_nip": .str("18 digits")],
                              ["code", "name", "level"])
        let doc = S(type: "object", description: "An SOP in the Pantau SOP file schema (keys in Bahasa Indonesia): `identitas`, `pelaksana`, `langkah`. See docs/sop-format.md.")
        doc.required = ["identitas", "pelaksana", "langkah"]
        doc.properties = ["identitas": S(type: "object"), "pelaksana": S.arr(S(type: "object")), "langkah": S.arr(S(type: "object"))]
        let status = S(type: "string", enum: ["draft", "review", "effective", "archived"])
        let summary = S.obj(["id": .int(), "unit_id": .int(), "number": .str(), "title": .str(), "latest_version": .int(),
                             "latest_status": status, "effective_version": .int(), "updated_at": S(type: "string", format: "date-time")],
                            ["id", "unit_id", "number", "title", "latest_version", "latest_status"])
        let version = S.obj(["sop_id": .int(), "version": .int(), "status": status, "change_note": .str(),
                             "created_at": S(type: "string", format: "date-time"), "updated_at": S(type: "string", format: "date-time"),
                             "approved_at": S(type: "string", format: "date-time"), "effective_from": S(type: "string", format: "date"),
                             "document": .ref("SOPDocument")], ["sop_id", "version", "status", "document"])
        let problem = S.obj(["type": .str(), "title": .str(), "status": .int(), "detail": .str(),
                             "errors": .arr(.obj(["field": .str(), "message": .str()], ["field", "message"]))], ["title", "status"])
        let num = S(type: "number")
        let grade = S(type: "string", enum: ["A", "B", "C", "D"])
        let surveySummary = S.obj(["id": .int(), "unit_id": .int(), "sop_id": .int(), "code": .str("Short code of the public form /s/{code}"),
                                   "name": .str(), "period_kind": S(type: "string", enum: ["month", "quarter", "semester", "year"]),
                                   "active": S(type: "boolean"), "public_url": .str()],
                                  ["id", "unit_id", "code", "name", "period_kind", "active", "public_url"])
        let definition = S(type: "object", description: "The survey definition as Pantau stores it: `items` (each `unsur` with `code`, `name`, `question` and four `answerLabels` in id/en, and a `weight` such as 0.15 or \"1/9\"), `profile` (educationLevels, occupations, serviceTypes with codes, asksAge) and `title`.")
        let responseInput = S.obj([
            "answers": S(type: "object", description: "Score 1-4 per unsur code, e.g. {\"persyaratan\": 4, \"waktu\": 3}; an absent code is unanswered"),
            "gender": S(type: "string", enum: ["L", "P"]), "age": .int(), "education": .str("A code of the survey's education list"),
            "occupation": .str("PNS, TNI, POLRI, SWASTA, WIRAUSAHA or LAINNYA"), "occupation_detail": .str(),
            "service_type": .str("A code of the survey's service types, or free text when it has none"), "suggestion": .str("Saran, at most 2000 characters"),
            "case_reference": .str("The service case the response rates (e.g. the receipt number)"),
            "channel": S(type: "string", enum: ["kiosk", "api"]), "date": S(type: "string", format: "date"), "time": .str("HH:MM"),
        ], ["answers"])
        let created = S.obj(["id": .int(), "survey_id": .int(), "channel": .str(), "date": S(type: "string", format: "date"),
                             "period": .str(), "submitted_at": S(type: "string", format: "date-time")], ["id", "survey_id", "channel", "date", "period"])
        let unsurResult = S.obj(["code": .str(), "name": .str(), "weight": .str("Exact fraction, e.g. 1/9"), "answered": .int(), "unanswered": .int(),
                                 "answer_counts": .arr(.int()), "nrr": num, "weighted_nrr": num, "converted_nrr": num, "grade": grade],
                                ["code", "name", "weight", "answered", "unanswered", "answer_counts"])
        let group = S.obj(["code": .str(), "label": .str(), "respondents": .int(), "share": num, "ikm": num, "grade": grade], ["label", "respondents", "share"])
        let results = S.obj([
            "survey_id": .int(), "period": .str("2026-Q3, 2026-07, 2026-S1 or 2026"), "period_label": .str(), "respondents": .int(),
            "index": S(type: "number", description: "Σ NRR × weight (1-4)"), "ikm": S(type: "number", description: "IKM 25-100, rounded to 2 decimals"),
            "grade": grade, "grade_label": .str(), "unsur": .arr(unsurResult), "priorities": .arr(.str()), "unsur_without_answers": .arr(.str()),
            "weights_renormalized": S(type: "boolean"),
            "sample": .obj(["population": .int(), "required": .int(), "collected": .int(), "adequate": S(type: "boolean"), "shortfall": .int()],
                           ["population", "required", "collected", "adequate", "shortfall"]),
            "profile": .arr(.obj(["dimension": .str(), "groups": .arr(group)], ["dimension", "groups"])), "published": S(type: "boolean"),
        ], ["survey_id", "period", "respondents", "unsur", "priorities", "profile", "published"])
        return Components(schemas: [
            "SurveySummary": surveySummary, "SurveyList": .arr(.ref("SurveySummary")), "SurveyDefinition": definition,
            "SurveyDetail": .obj(["survey": .ref("SurveySummary"), "definition": .ref("SurveyDefinition")], ["survey", "definition"]),
            "SurveyResponseInput": responseInput, "SurveyResponseCreated": created, "SurveyResults": results,
            "Unit": unit, "UnitInput": unitInput, "UnitList": .arr(.ref("Unit")),
            "SOPDocument": doc, "SOPSummary": summary, "SOPVersion": version, "SOPVersionList": .arr(.ref("SOPVersion")),
            "SOPDetail": .obj(["sop": .ref("SOPSummary"), "latest": .ref("SOPVersion"), "effective": .ref("SOPVersion")], ["sop", "latest"]),
            "SOPPage": .obj(["items": .arr(.ref("SOPSummary")), "total": .int(), "page": .int(), "per_page": .int()], ["items", "total", "page", "per_page"]),
            "SOPCreate": .obj(["unit_id": .int(), "document": .ref("SOPDocument"), "change_note": .str()], ["unit_id", "document"]),
            "SOPUpdate": .obj(["document": .ref("SOPDocument"), "change_note": .str()], ["document"]),
            "NewVersion": .obj(["change_note": .str()], []),
            "Approve": .obj(["effective_from": S(type: "string", format: "date")], []),
            "Problem": problem, "OpenAPI": S(type: "object"),
        ], securitySchemes: [
            "bearerToken": ["type": "http", "scheme": "bearer", "description": "API token (pnt_…) created by an admin, scoped to a unit subtree"],
            "sessionCookie": ["type": "apiKey", "in": "cookie", "name": "pantau_session"],
        ])
    }
}
