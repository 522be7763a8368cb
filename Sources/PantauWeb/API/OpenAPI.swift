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
                summary: r.summary, operationId: operationID(m, r.path), tags: [oaPath.contains("/units") ? "units" : (oaPath.contains("/sops") ? "sops" : "meta")],
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
        return Components(schemas: [
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
