import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
@testable import PantauWeb
import Testing

/// The OpenAPI document is built from typed schemas: every API route has its own request and
/// response schemas, each schema matches the Codable type it describes, and what the server
/// really answers conforms to the document (statuses, bodies, problem bodies, token security).
@Suite("OpenAPI from typed schemas")
struct OpenAPISchemaTests {
    // MARK: Every route is described

    @Test func everyAPIRouteHasItsOwnRequestAndResponseSchemas() async throws {
        try await withTestApp { fx, _ in
            let api = OpenAPIDocument.apiRoutes(fx.routes)
            #expect(api.count >= 18)
            #expect(OpenAPIDocument.undocumented(fx.routes).isEmpty, "API routes without a typed description: \(OpenAPIDocument.undocumented(fx.routes))")
            for r in api {
                guard let op = OpenAPIDocument.operation(r.method, r.path) else { continue }
                #expect(op.responses.contains { (200..<300).contains($0.status) }, "\(r.method) \(r.path): no success response")
                // Every body type has its own schema, not another route's by default.
                for s in op.responses { #expect(!s.type.schemaName.isEmpty) }
            }
            // The bodies a route reads are declared: every write that takes JSON names its type.
            let withBody = api.filter { OpenAPIDocument.operation($0.method, $0.path)?.request != nil }.map { "\($0.method.rawValue) \($0.path)" }
            #expect(Set(withBody) == ["POST /api/v1/units", "PUT /api/v1/units/:id", "POST /api/v1/sops", "PUT /api/v1/sops/:id",
                                      "POST /api/v1/sops/:id/versions", "POST /api/v1/sops/:id/versions/:version/approve",
                                      "POST /api/v1/surveys", "PUT /api/v1/surveys/:id",
                                      "POST /api/v1/surveys/:id/responses", "POST /api/v1/events", "POST /api/v1/actions/:id/status",
                                      "POST /api/v1/indicators/:id/periods", "POST /api/v1/sops/:id/findings"])
            // No two Swift types share a component name.
            let roots: [any JSONSchemaDescribed.Type] = api.compactMap { OpenAPIDocument.operation($0.method, $0.path) }
                .flatMap { op in op.responses.map(\.type) + (op.request.map { [$0.type] } ?? []) }
            #expect(JSONSchema.components(roots + [Problem.self]).conflicts.isEmpty)
        }
    }

    @Test func aRouteWithoutATypedDescriptionIsReportedAndNotGivenAnotherRoutesSchema() async throws {
        try await withTestApp { fx, _ in
            let stray = RouteSpec(method: .delete, path: "/api/v1/units/:id", rule: .admin, kind: .api, summary: "Delete a unit")
            #expect(OpenAPIDocument.undocumented(fx.routes + [stray]) == ["DELETE /api/v1/units/:id"])
            let doc = OpenAPIDocument.build(routes: fx.routes + [stray])
            #expect(doc.paths["/api/v1/units/{id}"]?["delete"] == nil)
            #expect(doc.paths["/api/v1/units/{id}"]?["get"] != nil)
        }
    }

    @Test func theDocumentDescribesProblemsAndSecurity() async throws {
        try await withTestApp { fx, client in
            let r = try await client.get("/api/v1/openapi.json")
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any])
            let components = try #require(doc["components"] as? [String: Any])
            let schemes = try #require(components["securitySchemes"] as? [String: [String: String]])
            #expect(schemes["bearerToken"]?["type"] == "http" && schemes["bearerToken"]?["scheme"] == "bearer")
            let schemas = try #require(components["schemas"] as? [String: Any])
            for name in ["Problem", "FieldError", "Unit", "UnitInput", "UnitList", "SOPSummaryPage", "SOPDetail", "SOPVersion", "SOPVersionList",
                         "SOPCreate", "SOPUpdate", "NewVersion", "Approve", "SOPDocument", "SurveySummaryList", "SurveyDetail",
                         "SurveyResults", "SurveyResponseInput", "SurveyResponseCreated"] {
                #expect(schemas[name] != nil, "missing schema \(name)")
            }
            let paths = try #require(doc["paths"] as? [String: [String: [String: Any]]])
            var seen = Set<String>()
            for (path, ops) in paths {
                for (method, op) in ops {
                    let responses = try #require(op["responses"] as? [String: [String: Any]])
                    for (status, resp) in responses {
                        seen.insert(status)
                        let content = try #require(resp["content"] as? [String: [String: [String: String]]], "\(method) \(path) \(status)")
                        let ref = content["application/json"]?["schema"]?["$ref"]
                        if status.hasPrefix("4") {
                            #expect(ref == nil, "\(method) \(path) \(status): problems are application/problem+json only")
                            #expect(content["application/problem+json"]?["schema"]?["$ref"] == "#/components/schemas/Problem")
                        } else {
                            #expect(ref != nil && ref != "#/components/schemas/Problem", "\(method) \(path) \(status)")
                        }
                    }
                    let security = try #require(op["security"] as? [[String: [String]]])
                    let route = try #require(fx.routes.first { OpenAPIDocument.openAPIPath($0.path) == path && $0.method.rawValue.lowercased() == method })
                    if route.rule == .anyone { #expect(security.isEmpty) } else {
                        #expect(responses["401"] != nil && responses["403"] != nil, "\(method) \(path)")
                        #expect(security.contains { $0["sessionCookie"] != nil })
                    }
                    if path.contains("{") { #expect(responses["404"] != nil, "\(method) \(path)") }
                }
            }
            #expect(seen.isSuperset(of: ["200", "201", "400", "401", "403", "404", "409", "429"]))
        }
    }

    // MARK: Each schema matches its Swift type

    /// A DTO decoded from `json`, its schema, and whether the sample fills every optional field.
    func sample<T: Codable & JSONSchemaDescribed>(_ type: T.Type, _ json: String) throws -> (T, [String]) {
        let value = try APIJSON.decoder.decode(T.self, from: Data(json.utf8))
        let encoded = try JSONValue.parse(try APIJSON.encoder.encode(value))
        return (value, T.jsonSchema.violations(of: encoded))
    }

    /// The stored properties of `value` (their names are the JSON keys of these DTOs), split into
    /// required (non-optional) and optional.
    func fields(_ value: Any) -> (required: Set<String>, optional: Set<String>, nilOptionals: Set<String>) {
        var req = Set<String>(), opt = Set<String>(), nils = Set<String>()
        for c in Mirror(reflecting: value).children {
            guard let label = c.label else { continue }
            let m = Mirror(reflecting: c.value)
            if m.displayStyle == .optional {
                opt.insert(label)
                if m.children.isEmpty { nils.insert(label) }
            } else {
                req.insert(label)
            }
        }
        return (req, opt, nils)
    }

    func expectMatches<T: Codable & JSONSchemaDescribed>(_ type: T.Type, full: String, minimal: String?, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (value, violations) = try sample(type, full)
        #expect(violations.isEmpty, "\(T.schemaName): \(violations)", sourceLocation: sourceLocation)
        var f = fields(value)
        // Properties a type declares as not part of the API (form-only) are not in its schema.
        let omitted = T.propertiesNotInTheAPI
        #expect(omitted.isDisjoint(with: f.required), "\(T.schemaName): a required property cannot stay out of the API", sourceLocation: sourceLocation)
        f = (f.required, f.optional.subtracting(omitted), f.nilOptionals.subtracting(omitted))
        #expect(f.nilOptionals.isEmpty, "\(T.schemaName): the full sample leaves \(f.nilOptionals) empty", sourceLocation: sourceLocation)
        let schema = T.jsonSchema
        #expect(Set(schema.properties?.keys.map { $0 } ?? []) == f.required.union(f.optional),
                "\(T.schemaName): schema properties \(schema.properties?.keys.sorted() ?? []) vs Swift \(f.required.union(f.optional).sorted())",
                sourceLocation: sourceLocation)
        #expect(Set(schema.required ?? []) == f.required, "\(T.schemaName): required \(schema.required ?? []) vs non-optional \(f.required.sorted())",
                sourceLocation: sourceLocation)
        if let minimal {
            let (_, v) = try sample(type, minimal)
            #expect(v.isEmpty, "\(T.schemaName) (minimal): \(v)", sourceLocation: sourceLocation)
        }
    }

    static let doc = #"{"identitas": {"unit": "Dinas Uji", "nomor": "SOP/UJI/1", "judul": "Uji", "tanggal_efektif": "2026-01-02", "disahkan_oleh": {"jabatan": "Kepala", "nama": "A", "nip": "1"}}, "pelaksana": [{"id": "a", "nama": "Petugas"}], "langkah": [{"id": "s1", "jenis": "mulai", "kegiatan": "Mulai", "pelaksana": "a", "mutu_baku": {"waktu": "5 menit"}, "berikutnya": "s2"}, {"id": "s2", "jenis": "selesai", "kegiatan": "Selesai", "pelaksana": "a"}]}"#
    static let time = "2026-07-01T02:03:04Z"

    @Test func everySchemaMatchesItsCodableType() throws {
        let d = Self.doc, t = Self.time
        try expectMatches(FieldError.self, full: #"{"field": "a", "message": "b"}"#, minimal: nil)
        try expectMatches(Problem.self, full: #"{"type": "about:blank", "title": "x", "status": 400, "detail": "d", "errors": [{"field": "a", "message": "b"}]}"#,
                          minimal: #"{"type": "about:blank", "title": "x", "status": 404}"#)
        try expectMatches(DTO.Unit.self, full: #"{"id": 2, "parent_id": 1, "code": "U", "name": "N", "level": "unit_kerja", "head_name": "", "head_nip": ""}"#,
                          minimal: #"{"id": 1, "code": "U", "name": "N", "level": "instansi", "head_name": "", "head_nip": ""}"#)
        try expectMatches(DTO.UnitInput.self, full: #"{"parent_id": 1, "code": "U", "name": "N", "level": "sub_unit", "head_name": "H", "head_nip": "1"}"#,
                          minimal: #"{"code": "U", "name": "N", "level": "instansi"}"#)
        let summary = #"{"id": 1, "unit_id": 2, "number": "N", "title": "T", "latest_version": 2, "latest_status": "draft", "effective_version": 1, "updated_at": "\#(t)"}"#
        try expectMatches(DTO.SOPSummary.self, full: summary,
                          minimal: #"{"id": 1, "unit_id": 2, "number": "N", "title": "T", "latest_version": 1, "latest_status": "draft", "updated_at": "\#(t)"}"#)
        let version = #"{"sop_id": 1, "version": 1, "status": "effective", "change_note": "", "created_at": "\#(t)", "updated_at": "\#(t)", "approved_at": "\#(t)", "effective_from": "2026-07-01", "document": \#(d)}"#
        let draft = #"{"sop_id": 1, "version": 2, "status": "draft", "change_note": "c", "created_at": "\#(t)", "updated_at": "\#(t)", "document": \#(d)}"#
        try expectMatches(DTO.Version.self, full: version, minimal: draft)
        try expectMatches(DTO.SOPDetail.self, full: #"{"sop": \#(summary), "latest": \#(draft), "effective": \#(version)}"#,
                          minimal: #"{"sop": \#(summary), "latest": \#(draft)}"#)
        try expectMatches(DTO.PageOf<DTO.SOPSummary>.self, full: #"{"items": [\#(summary)], "total": 1, "page": 1, "per_page": 25}"#, minimal: nil)
        try expectMatches(DTO.SOPCreate.self, full: #"{"unit_id": 1, "document": \#(d), "change_note": "c"}"#, minimal: #"{"unit_id": 1, "document": \#(d)}"#)
        try expectMatches(DTO.SOPUpdate.self, full: #"{"document": \#(d), "change_note": "c"}"#, minimal: #"{"document": \#(d)}"#)
        try expectMatches(DTO.NewVersion.self, full: #"{"change_note": "c"}"#, minimal: "{}")
        try expectMatches(DTO.Approve.self, full: #"{"effective_from": "2026-08-01"}"#, minimal: "{}")
        let survey = #"{"id": 1, "unit_id": 3, "sop_id": 1, "code": "abc", "name": "S", "period_kind": "quarter", "active": true, "public_url": "http://x/s/abc"}"#
        try expectMatches(SurveyDTO.Summary.self, full: survey,
                          minimal: #"{"id": 1, "unit_id": 3, "code": "abc", "name": "S", "period_kind": "year", "active": false, "public_url": "/s/abc"}"#)
        try expectMatches(SurveyDTO.ResponseInput.self,
                          full: #"{"answers": {"u1": 4}, "gender": "P", "age": 30, "education": "S1", "occupation": "PNS", "occupation_detail": "guru", "service_type": "imunisasi", "suggestion": "ok", "case_reference": "R-1", "channel": "kiosk", "date": "2026-07-01", "time": "09:30"}"#,
                          minimal: #"{"answers": {"u1": 1}}"#)
        let choice = #"{"code": "SMA", "label": "SMA/SMK", "label_en": "Senior secondary", "aliases": ["Aliyah"]}"#
        try expectMatches(SurveyDTO.ChoiceInput.self, full: choice, minimal: #"{"code": "SD"}"#)
        let profile = #"{"education_levels": [\#(choice)], "occupations": [\#(choice)], "service_types": [], "asks_age": true}"#
        try expectMatches(SurveyDTO.ProfileInput.self, full: profile, minimal: "{}")
        try expectMatches(SurveyDTO.SurveyWrite.self,
                          full: #"{"unit_id": 3, "sop_id": 1, "name": "S", "period_kind": "quarter", "active": true, "profile": \#(profile)}"#, minimal: "{}")
        try expectMatches(SurveyDTO.ResponseCreated.self,
                          full: #"{"id": 1, "survey_id": 1, "channel": "api", "date": "2026-07-01", "period": "2026-Q3", "submitted_at": "\#(t)"}"#, minimal: nil)
        let unsur = #"{"code": "u1", "name": "Persyaratan", "weight": "1/9", "answered": 3, "unanswered": 0, "answer_counts": [0, 0, 1, 2], "nrr": 3.67, "weighted_nrr": 0.41, "converted_nrr": 91.7, "grade": "A"}"#
        try expectMatches(SurveyDTO.UnsurResult.self, full: unsur,
                          minimal: #"{"code": "u1", "name": "P", "weight": "1/9", "answered": 0, "unanswered": 0, "answer_counts": [0, 0, 0, 0]}"#)
        let group = #"{"code": "L", "label": "Laki-laki", "respondents": 2, "share": 0.5, "ikm": 80.5, "grade": "B"}"#
        try expectMatches(SurveyDTO.Group.self, full: group, minimal: #"{"label": "x", "respondents": 0, "share": 0}"#)
        try expectMatches(SurveyDTO.Breakdown.self, full: #"{"dimension": "gender", "groups": [\#(group)]}"#, minimal: nil)
        let sample = #"{"population": 100, "required": 80, "collected": 3, "adequate": false, "shortfall": 77}"#
        try expectMatches(SurveyDTO.Sample.self, full: sample, minimal: nil)
        try expectMatches(SurveyDTO.Results.self,
                          full: #"{"survey_id": 1, "period": "2026-Q3", "period_label": "Triwulan III 2026", "respondents": 3, "index": 3.5, "ikm": 87.5, "grade": "B", "grade_label": "Baik", "unsur": [\#(unsur)], "priorities": ["u1"], "unsur_without_answers": [], "weights_renormalized": false, "sample": \#(sample), "profile": [{"dimension": "gender", "groups": [\#(group)]}], "published": true}"#,
                          minimal: #"{"survey_id": 1, "period": "2026", "period_label": "2026", "respondents": 0, "unsur": [], "priorities": [], "unsur_without_answers": [], "weights_renormalized": false, "profile": [], "published": false}"#)
        try expectMatches(FindingDTO.FindingCreate.self, full: #"{"period": "2026-S2", "title": "T", "detail": "D", "severity": "high"}"#,
                          minimal: #"{"period": "2026", "title": "T", "severity": "low"}"#)
        try expectMatches(AlertDTO.Alert.self,
                          full: #"{"id": 1, "rule_id": 2, "kind": "case_overdue", "sop_id": 3, "sop_number": "440/1", "sop_title": "Imunisasi", "unit_id": 4, "unit_code": "PKM", "case_id": 5, "case_reference": "IMN-1", "raised_at": "2026-11-30T02:00:00Z", "message": "Kasus IMN-1 sudah terbuka", "arguments": ["IMN-1", "7200", "3600"]}"#,
                          minimal: #"{"id": 1, "rule_id": 2, "kind": "compliance_below", "sop_id": 3, "sop_number": "440/1", "sop_title": "Imunisasi", "unit_id": 4, "unit_code": "PKM", "raised_at": "2026-11-30T02:00:00Z", "message": "m", "arguments": []}"#)
        // Indicators.
        let indicator = #"{"id": 1, "unit_id": 2, "sop_id": 3, "code": "IKU-1", "name": "Kepatuhan", "family": "quality", "metric": "unsur_nrr", "unsur": "waktu", "unit_of_measure": "indeks", "direction": "higher", "period_kind": "quarter", "description": "", "active": true}"#
        try expectMatches(IndicatorDTO.Summary.self, full: indicator,
                          minimal: #"{"id": 1, "unit_id": 2, "code": "D", "name": "Dampak", "family": "impact", "metric": "manual", "unit_of_measure": "dokumen", "direction": "lower", "period_kind": "year", "description": "x", "active": false}"#)
        let evidence = #"{"id": 4, "name": "ba.pdf", "size": 10, "sha256": "\#(String(repeating: "a", count: 64))", "url": "/bukti/4"}"#
        try expectMatches(IndicatorDTO.Evidence.self, full: evidence, minimal: nil)
        let period = #"{"period": "2026-Q3", "target": 80, "computed": 85.5, "basis": 40, "manual": 90, "manual_note": "audit", "explanation": "naik", "value": 90, "source": "manual", "achievement": 112.5, "status": "green", "evidence": [\#(evidence)]}"#
        try expectMatches(IndicatorDTO.Period.self, full: period,
                          minimal: #"{"period": "2026", "manual_note": "", "explanation": "", "source": "none", "evidence": []}"#)
        try expectMatches(IndicatorDTO.Detail.self, full: #"{"indicator": \#(indicator), "periods": [\#(period)]}"#, minimal: nil)
        try expectMatches(IndicatorDTO.PeriodInput.self, full: #"{"period": "2026-Q3", "target": 80, "manual_value": 81, "manual_note": "n", "explanation": "e"}"#,
                          minimal: #"{"period": "2026-Q3"}"#)
    }

    @Test func theSchemasRejectWhatTheTypesDoNotSend() throws {
        // The validator is strict where the types are: a missing required field, an unknown
        // field in what the server sends, a wrong type, a value outside an enum or a range.
        let unit = DTO.Unit.jsonSchema
        func v(_ s: JSONSchema, _ json: String) throws -> [String] { s.violations(of: try JSONValue.parse(Data(json.utf8))) }
        #expect(try v(unit, #"{"id": 1, "code": "U", "name": "N", "level": "instansi", "head_name": ""}"#) == ["$.head_nip: required"])
        #expect(try v(unit, #"{"id": 1, "code": "U", "name": "N", "level": "instansi", "head_name": "", "head_nip": "", "extra": 1}"#) == ["$.extra: not in the schema"])
        #expect(try v(unit, #"{"id": "1", "code": "U", "name": "N", "level": "instansi", "head_name": "", "head_nip": ""}"#) == ["$.id: expected integer, found string"])
        #expect(try v(unit, #"{"id": 1, "code": "U", "name": "N", "level": "dinas", "head_name": "", "head_nip": ""}"#).count == 1)
        #expect(try v(SurveyDTO.ResponseInput.jsonSchema, #"{"answers": {"u1": 5}}"#) == ["$.answers.u1: 5 is above 4.0"])
        #expect(try v(DTO.Version.jsonSchema, #"{"sop_id": 1, "version": 1, "status": "draft", "change_note": "", "created_at": "yesterday", "updated_at": "2026-07-01T00:00:00Z", "document": \#(Self.doc)}"#)
                == ["$.created_at: 'yesterday' is not an RFC 3339 date-time"])
        // A $ref is followed: a broken SOP document inside a version is found.
        #expect(try v(DTO.Version.jsonSchema, #"{"sop_id": 1, "version": 1, "status": "draft", "change_note": "", "created_at": "2026-07-01T00:00:00Z", "updated_at": "2026-07-01T00:00:00Z", "document": {"identitas": {}}}"#).count == 5)
    }

    @Test func theCoreDocumentsConformToTheirSchemas() throws {
        // The demo SOPs and survey, as the API encodes them.
        for d in DemoAgency.sops.map(\.sop) {
            let v = SOPDocument.jsonSchema.violations(of: try JSONValue.parse(try APIJSON.encoder.encode(d)))
            #expect(v.isEmpty, "\(d.identity.number): \(v)")
        }
        let s = SurveyDefinition.jsonSchema.violations(of: try JSONValue.parse(try APIJSON.encoder.encode(DemoAgency.surveyDefinition)))
        #expect(s.isEmpty, "\(s)")
    }

    // MARK: The server keeps the document

    @Test func whatTheServerAnswersConformsToTheDocument() async throws {
        try await withTestApp { fx, client in
            let doc = OpenAPIDocument.build(routes: fx.routes)
            let s = try await fx.session("admin")
            let admin = Req.headers(cookie: s.cookie, csrf: s.csrf, json: true)
            let token = Req.headers(bearer: fx.token, json: true)
            var checked: [String: Set<Int>] = [:]

            /// Sends a request, checks that its status is documented for the route and that the
            /// body conforms to that status' schema, and returns the parsed body.
            @discardableResult
            func call(_ method: HTTPRequest.Method, _ pattern: String, _ uri: String, _ headers: HTTPFields, _ body: String? = nil,
                      expect status: Int, or other: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
                let r = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
                #expect(Int(r.status.code) == status || Int(r.status.code) == other, "\(method) \(uri): \(r.status) \(r.text)", sourceLocation: sourceLocation)
                let op = try #require(OpenAPIDocument.operation(method, pattern), sourceLocation: sourceLocation)
                let documented = try #require(doc.paths[OpenAPIDocument.openAPIPath(pattern)]?[method.rawValue.lowercased()], sourceLocation: sourceLocation)
                let code = Int(r.status.code)
                #expect(documented.responses[String(code)] != nil, "\(method) \(pattern): \(code) is not documented", sourceLocation: sourceLocation)
                let schema: JSONSchema = op.responses.first { $0.status == code }.map { .ref($0.type) } ?? .ref(Problem.self)
                let value = try JSONValue.parse(Data(buffer: r.body))
                let violations = schema.violations(of: value)
                #expect(violations.isEmpty, "\(method) \(uri) \(code): \(violations)", sourceLocation: sourceLocation)
                let type = code >= 400 ? "application/problem+json" : "application/json"
                #expect(r.headers[.contentType]?.hasPrefix(type) == true, "\(method) \(uri) \(code): \(r.headers[.contentType] ?? "")", sourceLocation: sourceLocation)
                checked["\(method) \(pattern)", default: []].insert(code)
                return value
            }
            func int(_ v: JSONValue, _ keys: String...) -> Int64 {
                var cur = v
                for k in keys {
                    if case let .object(o) = cur, let n = o[k] { cur = n } else if case let .array(a) = cur, let i = Int(k), i < a.count { cur = a[i] } else { return -1 }
                }
                if case let .int(i) = cur { return i }
                return -1
            }

            try await call(.get, "/api/v1/openapi.json", "/api/v1/openapi.json", [:], expect: 200)
            // Units.
            let units = try await call(.get, "/api/v1/units", "/api/v1/units", token, expect: 200)
            let unitID = int(units, "0", "id")
            try await call(.get, "/api/v1/units/:id", "/api/v1/units/\(unitID)", token, expect: 200)
            try await call(.get, "/api/v1/units/:id", "/api/v1/units/999999", admin, expect: 404)
            let created = try await call(.post, "/api/v1/units", "/api/v1/units", admin,
                                         #"{"parent_id": \#(unitID), "code": "UJI-OA", "name": "Unit Uji", "level": "unit_kerja"}"#, expect: 201)
            // A duplicate code: 409 (or 400 where the store reports it as a field error).
            try await call(.post, "/api/v1/units", "/api/v1/units", admin,
                           #"{"parent_id": \#(unitID), "code": "UJI-OA", "name": "Unit Uji", "level": "unit_kerja"}"#, expect: 409, or: 400)
            try await call(.post, "/api/v1/units", "/api/v1/units", admin, #"{"code": "X", "name": "Y", "level": "dinas"}"#, expect: 400)
            try await call(.post, "/api/v1/units", "/api/v1/units", admin, "{not json", expect: 400)
            try await call(.post, "/api/v1/units", "/api/v1/units", token, #"{"code": "X", "name": "Y", "level": "instansi"}"#, expect: 403)
            try await call(.post, "/api/v1/units", "/api/v1/units", Req.headers(cookie: s.cookie, json: true),
                           #"{"code": "X", "name": "Y", "level": "instansi"}"#, expect: 403)
            try await call(.put, "/api/v1/units/:id", "/api/v1/units/\(int(created, "id"))", admin,
                           #"{"parent_id": \#(unitID), "code": "UJI-OA", "name": "Unit Uji", "level": "unit_kerja", "head_name": "Kepala"}"#, expect: 200)
            try await call(.get, "/api/v1/units", "/api/v1/units", [:], expect: 401)
            try await call(.get, "/api/v1/units", "/api/v1/units", Req.headers(bearer: "pnt_not_a_token"), expect: 401)

            // SOPs: list, read, create, edit, lifecycle.
            try await call(.get, "/api/v1/sops", "/api/v1/sops?per_page=2&status=effective", admin, expect: 200)
            try await call(.get, "/api/v1/sops", "/api/v1/sops?per_page=0", admin, expect: 400)
            let izin = try #require(fx.sops["izin"])
            let detail = try await call(.get, "/api/v1/sops/:id", "/api/v1/sops/\(izin)", admin, expect: 200)
            guard case let .object(d) = detail, case let .object(latest)? = d["latest"], let document = latest["document"] else {
                Issue.record("no document in \(detail)")
                return
            }
            let docJSON = String(decoding: try JSONEncoder().encode(document), as: UTF8.self)
            let newDoc = docJSON.replacingOccurrences(of: #""nomor":""#, with: #""nomor":"OA-"#)
            let sopUnit = int(detail, "sop", "unit_id")
            let sop = try await call(.post, "/api/v1/sops", "/api/v1/sops", admin, #"{"unit_id": \#(sopUnit), "document": \#(newDoc)}"#, expect: 201)
            let sopID = int(sop, "sop", "id")
            try await call(.post, "/api/v1/sops", "/api/v1/sops", admin, #"{"unit_id": \#(sopUnit), "document": {"identitas": {}}}"#, expect: 400)
            try await call(.put, "/api/v1/sops/:id", "/api/v1/sops/\(sopID)", admin, #"{"document": \#(newDoc), "change_note": "ubah"}"#, expect: 200)
            try await call(.get, "/api/v1/sops/:id/versions", "/api/v1/sops/\(sopID)/versions", admin, expect: 200)
            try await call(.get, "/api/v1/sops/:id/versions/:version", "/api/v1/sops/\(sopID)/versions/1", admin, expect: 200)
            try await call(.get, "/api/v1/sops/:id/versions/:version", "/api/v1/sops/\(sopID)/versions/9", admin, expect: 404)
            // Outside the token's units: not found, as if it did not exist.
            try await call(.get, "/api/v1/sops/:id/versions", "/api/v1/sops/\(sopID)/versions", token, expect: 404)
            try await call(.post, "/api/v1/sops/:id/versions/:version/approve", "/api/v1/sops/\(sopID)/versions/1/approve", admin, "", expect: 409)
            try await call(.post, "/api/v1/sops/:id/versions/:version/submit", "/api/v1/sops/\(sopID)/versions/1/submit", admin, expect: 200)
            try await call(.post, "/api/v1/sops/:id/versions/:version/approve", "/api/v1/sops/\(sopID)/versions/1/approve", admin,
                           #"{"effective_from": "2026-01-05"}"#, expect: 200)
            try await call(.post, "/api/v1/sops/:id/versions", "/api/v1/sops/\(sopID)/versions", admin, expect: 201)
            try await call(.put, "/api/v1/sops/:id", "/api/v1/sops/\(izin)", admin, #"{"document": \#(docJSON)}"#, expect: 201)

            // Surveys.
            let surveyID = try #require(fx.surveys["imunisasi"])
            try await call(.get, "/api/v1/surveys", "/api/v1/surveys", token, expect: 200)
            let survey = try await call(.get, "/api/v1/surveys/:id", "/api/v1/surveys/\(surveyID)", token, expect: 200)
            guard case let .object(sv) = survey, case let .object(def)? = sv["definition"], case let .array(items)? = def["items"],
                  case let .object(item)? = items.first, case let .object(unsur)? = item["unsur"], case let .string(code)? = unsur["code"] else {
                Issue.record("no unsur code in \(survey)")
                return
            }
            try await call(.post, "/api/v1/surveys/:id/responses", "/api/v1/surveys/\(surveyID)/responses", token,
                           #"{"answers": {"\#(code)": 4}, "gender": "P", "channel": "kiosk"}"#, expect: 201)
            try await call(.post, "/api/v1/surveys/:id/responses", "/api/v1/surveys/\(surveyID)/responses", token,
                           #"{"answers": {"\#(code)": 9}}"#, expect: 400)
            try await call(.get, "/api/v1/surveys/:id/results", "/api/v1/surveys/\(surveyID)/results", token, expect: 200)
            try await call(.get, "/api/v1/surveys/:id/results", "/api/v1/surveys/\(surveyID)/results?period=kemarin", token, expect: 400)
            // Survey set-up with profile lists and aliases (the documented example, then an update and refusals).
            let example = String(decoding: try APIJSON.encoder.encode(OpenAPIDocument.Examples.surveyCreate), as: UTF8.self)
                .replacingOccurrences(of: #""unit_id":1"#, with: #""unit_id":\#(unitID)"#)
            let newSurvey = try await call(.post, "/api/v1/surveys", "/api/v1/surveys", admin, example, expect: 201)
            let newSurveyID = int(newSurvey, "survey", "id")
            guard case let .object(ns) = newSurvey, case let .object(nd)? = ns["definition"], case let .object(profile)? = nd["profile"],
                  case let .array(edu)? = profile["educationLevels"], case let .object(sma)? = edu.dropFirst(2).first else {
                Issue.record("no profile in \(newSurvey)")
                return
            }
            #expect(sma["aliases"] == .array([.string("Aliyah")]))
            try await call(.put, "/api/v1/surveys/:id", "/api/v1/surveys/\(newSurveyID)", admin,
                           #"{"period_kind": "semester", "profile": {"service_types": [{"code": "DASAR", "label": "Imunisasi dasar", "aliases": ["bayi"]}]}}"#, expect: 200)
            try await call(.put, "/api/v1/surveys/:id", "/api/v1/surveys/\(newSurveyID)", admin,
                           #"{"period_kind": "minggu", "profile": {"occupations": [{"code": "PNS"}, {"code": "pns"}]}}"#, expect: 400)
            try await call(.put, "/api/v1/surveys/:id", "/api/v1/surveys/999999", admin, #"{"name": "X"}"#, expect: 404)
            try await call(.post, "/api/v1/surveys", "/api/v1/surveys", admin, #"{"name": "Tanpa unit"}"#, expect: 400)
            try await call(.post, "/api/v1/surveys", "/api/v1/surveys", token, example, expect: 403)

            // Monitoring: events in, figures and a case out.
            let imunisasi = try #require(fx.sops["imunisasi"])
            let events = try await call(.post, "/api/v1/events", "/api/v1/events", token,
                                        #"[{"event_id": "oa-1", "sop_id": \#(imunisasi), "case": "OA-1", "activity": "Menimbang", "timestamp": "2026-11-02T09:00:00+07:00"}, {"event_id": "oa-2"}]"#,
                                        expect: 200)
            let caseID = int(events, "results", "0", "case_id")
            try await call(.post, "/api/v1/events", "/api/v1/events", token, #"{"event_id": 5}"#, expect: 200)
            try await call(.post, "/api/v1/events", "/api/v1/events", token, "[1, 2", expect: 400)
            try await call(.get, "/api/v1/sops/:id/monitoring", "/api/v1/sops/\(imunisasi)/monitoring?from=2026-01-01", token, expect: 200)
            try await call(.get, "/api/v1/sops/:id/monitoring", "/api/v1/sops/\(imunisasi)/monitoring?from=kemarin", token, expect: 400)
            try await call(.get, "/api/v1/cases/:id", "/api/v1/cases/\(caseID)", token, expect: 200)
            try await call(.get, "/api/v1/cases/:id", "/api/v1/cases/999999", token, expect: 404)
            try await call(.get, "/api/v1/alerts", "/api/v1/alerts?sop_id=\(imunisasi)&limit=10", token, expect: 200)
            try await call(.get, "/api/v1/alerts", "/api/v1/alerts?since=kemarin", token, expect: 400)
            try await call(.get, "/api/v1/alerts", "/api/v1/alerts?limit=0", token, expect: 400)
            try await call(.get, "/api/v1/sops/:id/before-after", "/api/v1/sops/\(imunisasi)/before-after?window=x", token, expect: 400)
            // Tabel 7 and Tabel 8 records (the fixture holds one of each for the immunisation SOP).
            try await call(.get, "/api/v1/sops/:id/monitoring-records", "/api/v1/sops/\(imunisasi)/monitoring-records", token, expect: 200)
            try await call(.get, "/api/v1/sops/:id/evaluation-records", "/api/v1/sops/\(imunisasi)/evaluation-records", token, expect: 200)
            try await call(.get, "/api/v1/sops/:id/evaluation-records", "/api/v1/sops/999999/evaluation-records", token, expect: 404)

            // Findings and follow-up actions (the fixture holds a finding and an action of the immunisation SOP).
            try await call(.get, "/api/v1/sops/:id/findings", "/api/v1/sops/\(imunisasi)/findings", token, expect: 200)
            try await call(.post, "/api/v1/sops/:id/findings", "/api/v1/sops/\(imunisasi)/findings", admin,
                           #"{"period": "2026-S2", "title": "Loket skrining kosong", "detail": "Observasi", "severity": "medium"}"#, expect: 201)
            try await call(.post, "/api/v1/sops/:id/findings", "/api/v1/sops/\(imunisasi)/findings", admin, #"{"period": "2026-S9", "title": "", "severity": "x"}"#, expect: 400)
            try await call(.post, "/api/v1/sops/:id/findings", "/api/v1/sops/\(imunisasi)/findings", token, #"{"period": "2026-S2", "title": "x", "severity": "low"}"#, expect: 403)
            try await call(.get, "/api/v1/sops/:id/findings", "/api/v1/sops/\(imunisasi)/findings?period=kemarin", token, expect: 400)
            try await call(.get, "/api/v1/actions", "/api/v1/actions?open=true", token, expect: 200)
            try await call(.get, "/api/v1/actions", "/api/v1/actions?unit=999999", token, expect: 400)
            try await call(.post, "/api/v1/actions/:id/status", "/api/v1/actions/\(fx.actionID)/status", admin, #"{"status": "in_progress"}"#, expect: 200)
            try await call(.post, "/api/v1/actions/:id/status", "/api/v1/actions/\(fx.actionID)/status", admin, #"{"status": "verified"}"#, expect: 409, or: 400)

            // Staff quiz results of the immunisation SOP (no attempts yet: the quiz of the version in force).
            try await call(.get, "/api/v1/sops/:id/quiz-results", "/api/v1/sops/\(imunisasi)/quiz-results", token, expect: 200, or: 404)
            try await call(.get, "/api/v1/sops/:id/quiz-results", "/api/v1/sops/\(imunisasi)/quiz-results?period=kemarin", token, expect: 400)

            // Indicators: list, one, a period's target (the fixture holds IKU-1 of the immunisation SOP).
            let ind = try #require(fx.indicators["imunisasi"])
            try await call(.get, "/api/v1/indicators", "/api/v1/indicators", token, expect: 200)
            try await call(.get, "/api/v1/indicators", "/api/v1/indicators?period=2026-Q9", token, expect: 400)
            try await call(.get, "/api/v1/indicators/:id", "/api/v1/indicators/\(ind)?periods=4", token, expect: 200)
            try await call(.get, "/api/v1/indicators/:id", "/api/v1/indicators/\(ind)?periods=99", token, expect: 400)
            try await call(.post, "/api/v1/indicators/:id/periods", "/api/v1/indicators/\(ind)/periods", admin,
                           #"{"period": "2026-Q4", "target": 85, "explanation": "Target triwulan IV"}"#, expect: 200)
            try await call(.post, "/api/v1/indicators/:id/periods", "/api/v1/indicators/\(ind)/periods", admin,
                           #"{"period": "2026", "target": 85}"#, expect: 400)
            try await call(.post, "/api/v1/indicators/:id/periods", "/api/v1/indicators/\(ind)/periods", token, #"{"period": "2026-Q4"}"#, expect: 403)

            // The periodic report as JSON.
            try await call(.get, "/api/v1/sops/:id/report", "/api/v1/sops/\(imunisasi)/report?period=2026", token, expect: 200)
            try await call(.get, "/api/v1/sops/:id/report", "/api/v1/sops/\(imunisasi)/report?period=2026-Q9", token, expect: 400)

            // Every route was called at least once.
            let all = Set(OpenAPIDocument.apiRoutes(fx.routes).map { "\($0.method) \($0.path)" })
            #expect(all.subtracting(checked.keys).isEmpty, "not exercised: \(all.subtracting(checked.keys))")
        }
    }

    @Test func tokenSecurityInTheDocumentMatchesWhatTheServerAllows() async throws {
        try await withTestApp { fx, client in
            let doc = OpenAPIDocument.build(routes: fx.routes)
            for r in OpenAPIDocument.apiRoutes(fx.routes) where r.rule != .anyone {
                let op = try #require(doc.paths[OpenAPIDocument.openAPIPath(r.path)]?[r.method.rawValue.lowercased()])
                let documented = op.security.contains { $0["bearerToken"] != nil }
                let uri = r.path.replacingOccurrences(of: ":id", with: "1").replacingOccurrences(of: ":version", with: "1")
                let resp = try await client.execute(uri: uri, method: r.method, headers: Req.headers(bearer: fx.token, json: true), body: ByteBuffer(string: "{}"))
                // A token that may not call the route gets 403 before anything is read.
                #expect((resp.status == .forbidden) == !documented, "\(r.method) \(r.path): documented for tokens \(documented), answered \(resp.status)")
            }
        }
    }
}
