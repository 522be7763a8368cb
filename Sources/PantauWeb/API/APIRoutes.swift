import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PantauCore
import PantauStore

/// JSON shapes of the API (snake_case keys; SOP documents use the SOP file schema).
enum DTO {
    struct Unit: Codable, Sendable {
        var id: Int64
        var parent_id: Int64?
        var code: String
        var name: String
        var level: String
        var head_name: String
        var head_nip: String
        init(_ u: OrgUnit) {
            id = u.id; parent_id = u.parentID; code = u.code; name = u.name; level = u.level.rawValue; head_name = u.headName; head_nip = u.headNIP
        }
    }
    struct UnitInput: Codable, Sendable {
        var parent_id: Int64?
        var code: String
        var name: String
        var level: String
        var head_name: String?
        var head_nip: String?
    }
    struct SOPSummary: Codable, Sendable {
        var id: Int64
        var unit_id: Int64
        var number: String
        var title: String
        var latest_version: Int
        var latest_status: String
        var effective_version: Int?
        var updated_at: Date
        init(_ r: SOPRecord) {
            id = r.id; unit_id = r.unitID; number = r.number; title = r.title; latest_version = r.latestVersion
            latest_status = r.latestStatus.rawValue; effective_version = r.effectiveVersion; updated_at = r.updatedAt
        }
    }
    struct Version: Codable, Sendable {
        var sop_id: Int64
        var version: Int
        var status: String
        var change_note: String
        var created_at: Date
        var updated_at: Date
        var approved_at: Date?
        var effective_from: String?
        var document: SOPDocument
        init(_ v: SOPVersionRecord) {
            sop_id = v.sopID; version = v.version; status = v.status.rawValue; change_note = v.changeNote; created_at = v.createdAt
            updated_at = v.updatedAt; approved_at = v.approvedAt; effective_from = v.effectiveFrom?.description; document = v.document
        }
    }
    struct SOPDetail: Codable, Sendable {
        var sop: SOPSummary
        var latest: Version
        var effective: Version?
    }
    struct PageOf<T: Codable & Sendable>: Codable, Sendable {
        var items: [T]
        var total: Int
        var page: Int
        var per_page: Int
    }
    struct SOPCreate: Codable, Sendable {
        var unit_id: Int64
        var document: SOPDocument
        var change_note: String?
    }
    struct SOPUpdate: Codable, Sendable {
        var document: SOPDocument
        var change_note: String?
    }
    struct NewVersion: Codable, Sendable {
        var change_note: String?
    }
    struct Approve: Codable, Sendable {
        var effective_from: String?
    }
}

/// `/api/v1`: units and SOPs for other government systems (SPBE).
enum APIRoutes {
    static func register(_ r: RouteRegistrar, _ s: AppServices, openAPI: @escaping @Sendable () -> Response) {
        r.open(.get, .api(.openAPI), "This OpenAPI 3.1 document", kind: .api) { _, _ in openAPI() }

        r.api(.get, .api(.units), .unitRead, "List units (tokens: their subtree)") { _, ctx in
            let tree = try await s.store.orgTree()
            let scope: Set<Int64>? = if case .token = ctx.identity { Scope.units(ctx.identity, tree: tree) } else { nil }
            return try .json(tree.flattened().map(\.unit).filter { scope?.contains($0.id) ?? true }.map(DTO.Unit.init))
        }
        r.api(.get, .api(.unit(.key)), .unitRead, "Get a unit") { _, ctx in
            let u = try await s.store.unit(id: try ctx.int64("id"))
            if case .token = ctx.identity, !Scope.covers(ctx.identity, unit: u.id, tree: try await s.store.orgTree()) { throw AppError.notFound }
            return try .json(DTO.Unit(u))
        }
        r.api(.post, .api(.units), .admin, "Create a unit") { req, ctx in
            let body = try await decode(DTO.UnitInput.self, req, ctx)
            let u = try await s.store.createUnit(try unitInput(body), by: ctx.actor)
            return try .json(DTO.Unit(u), status: .created)
        }
        r.api(.put, .api(.unit(.key)), .admin, "Update a unit") { req, ctx in
            let id = try ctx.int64("id")
            let body = try await decode(DTO.UnitInput.self, req, ctx)
            let u = try await s.store.updateUnit(id: id, try unitInput(body), by: ctx.actor)
            return try .json(DTO.Unit(u))
        }

        r.api(.get, .api(.sops), .sopRead, "List SOPs (q, unit_id, status, page, per_page): the caller's units' and those of the units above, which apply to them") { req, ctx in
            let tree = try await s.store.orgTree()
            var unitIDs = Scope.sopUnits(ctx.identity, tree: tree)
            let qp = req.uri.queryParameters
            if let u = qp.get("unit_id") {
                guard let id = Int64(u) else { throw AppError.invalid([FieldError(field: "unit_id", message: "must be an integer")]) }
                let sub = tree.subtree(of: id)
                unitIDs = unitIDs.map { $0.intersection(sub) } ?? sub
            }
            var status: SOPStatus?
            if let st = qp.get("status") {
                guard let v = SOPStatus(rawValue: st) else {
                    throw AppError.invalid([FieldError(field: "status", message: "one of draft, review, effective, archived")])
                }
                status = v
            }
            let page = try intParam(qp.get("page"), "page", default: 1, range: 1...1_000_000)
            let per = try intParam(qp.get("per_page"), "per_page", default: 25, range: 1...200)
            let p = try await s.store.sops(SOPQuery(text: qp.get("q") ?? "", unitIDs: unitIDs, status: status, page: page, perPage: per))
            return try .json(DTO.PageOf(items: p.items.map(DTO.SOPSummary.init), total: p.total, page: p.page, per_page: p.perPage))
        }
        r.api(.post, .api(.sops), .sopWrite, "Register an SOP (first version is a draft)") { req, ctx in
            let body = try await decode(DTO.SOPCreate.self, req, ctx)
            try await SOPPages.requireScope(s, ctx, unit: body.unit_id)
            let rec = try await s.store.createSOP(unitID: body.unit_id, document: body.document, changeNote: body.change_note ?? "", by: ctx.actor)
            return try .json(try await detail(s, rec.id), status: .created)
        }
        r.api(.get, .api(.sop(.key)), .sopRead, "Get an SOP with its latest and effective versions (also an SOP of a unit above the caller's, which applies to it)") { _, ctx in
            let (rec, _) = try await SOPPages.loadApplying(s, ctx)
            return try .json(try await detail(s, rec.id))
        }
        r.api(.put, .api(.sop(.key)), .sopWrite, "Update an SOP (a draft in place; an effective SOP gets a new version)") { req, ctx in
            let (rec, _) = try await SOPPages.loadScoped(s, ctx)
            let body = try await decode(DTO.SOPUpdate.self, req, ctx)
            let v = try await s.store.saveSOP(id: rec.id, document: body.document, changeNote: body.change_note ?? "", by: ctx.actor)
            return try .json(DTO.Version(v), status: v.version == rec.latestVersion ? .ok : .created)
        }
        r.api(.get, .api(.sopVersions(.key)), .sopRead, "List versions, newest first") { _, ctx in
            let (rec, _) = try await SOPPages.loadScoped(s, ctx)
            return try .json(try await s.store.versions(sopID: rec.id).map(DTO.Version.init))
        }
        r.api(.post, .api(.sopVersions(.key)), .sopWrite, "Start a new version (copy of the latest)") { req, ctx in
            let (rec, _) = try await SOPPages.loadScoped(s, ctx)
            let body = try await decodeOptional(DTO.NewVersion.self, req, ctx) ?? DTO.NewVersion(change_note: nil)
            let v = try await s.store.newVersion(sopID: rec.id, changeNote: body.change_note ?? "", by: ctx.actor)
            return try .json(DTO.Version(v), status: .created)
        }
        r.api(.get, .api(.sopVersion(.key, version: .key)), .sopRead, "Get one version") { _, ctx in
            let (rec, _) = try await SOPPages.loadScoped(s, ctx)
            return try .json(DTO.Version(try await s.store.version(sopID: rec.id, version: try ctx.int("version"))))
        }
        r.api(.post, .api(.sopVersionSubmit(.key, version: .key)), .sopWrite, "Submit a draft for review") { _, ctx in
            let (rec, _) = try await SOPPages.loadScoped(s, ctx)
            let v = try await s.store.setStatus(sopID: rec.id, version: try ctx.int("version"), to: .review, by: ctx.actor)
            return try .json(DTO.Version(v))
        }
        r.api(.post, .api(.sopVersionApprove(.key, version: .key)), .sopApprove, "Approve a version under review") { req, ctx in
            let (rec, _) = try await SOPPages.loadScoped(s, ctx)
            let body = try await decodeOptional(DTO.Approve.self, req, ctx) ?? DTO.Approve(effective_from: nil)
            let date: CivilDate
            if let t = body.effective_from {
                guard let d = CivilDate(t) else { throw AppError.invalid([FieldError(field: "effective_from", message: "expected YYYY-MM-DD")]) }
                date = d
            } else {
                date = CivilDate(Date())
            }
            let v = try await s.store.approve(sopID: rec.id, version: try ctx.int("version"), effectiveFrom: date, by: ctx.actor,
                                              twoPersonRule: s.config.sopTwoPersonRule)
            s.indicatorCache.changed()
            return try .json(DTO.Version(v))
        }
    }

    static func detail(_ s: AppServices, _ id: Int64) async throws -> DTO.SOPDetail {
        let rec = try await s.store.sop(id: id)
        let latest = try await s.store.version(sopID: id, version: rec.latestVersion)
        var effective: SOPVersionRecord?
        if let e = rec.effectiveVersion { effective = try await s.store.version(sopID: id, version: e) }
        return DTO.SOPDetail(sop: DTO.SOPSummary(rec), latest: DTO.Version(latest), effective: effective.map(DTO.Version.init))
    }

    static func unitInput(_ b: DTO.UnitInput) throws -> UnitInput {
        guard let level = UnitLevel(rawValue: b.level) else {
            throw AppError.invalid([FieldError(field: "level", message: "one of instansi, unit_kerja, sub_unit")])
        }
        return UnitInput(parentID: b.parent_id, code: b.code, name: b.name, level: level, headName: b.head_name ?? "", headNIP: b.head_nip ?? "")
    }

    static func intParam(_ v: String?, _ name: String, default d: Int, range: ClosedRange<Int>) throws -> Int {
        guard let v else { return d }
        guard let n = Int(v), range.contains(n) else {
            throw AppError.invalid([FieldError(field: name, message: "must be an integer in \(range.lowerBound)...\(range.upperBound)")])
        }
        return n
    }

    /// Decodes a JSON body, turning decoding errors into field errors that name the path.
    static func decode<T: Decodable>(_ type: T.Type, _ req: Request, _ ctx: some RequestScope) async throws -> T {
        guard let v = try await decodeOptional(type, req, ctx) else {
            throw AppError.invalid([FieldError(field: "", message: "a JSON body is required")])
        }
        return v
    }

    static func decodeOptional<T: Decodable>(_ type: T.Type, _ req: Request, _ ctx: some RequestScope) async throws -> T? {
        var req = req
        let buf = try await req.collectBody(upTo: ctx.maxUploadSize)
        if buf.readableBytes == 0 { return nil }
        do {
            return try APIJSON.decoder.decode(T.self, from: Data(buffer: buf))
        } catch let e as DecodingError {
            throw AppError.invalid([decodingFieldError(e)])
        }
    }

    static func decodingFieldError(_ e: DecodingError) -> FieldError {
        func path(_ p: [any CodingKey]) -> String {
            var s = ""
            for k in p {
                if let i = k.intValue { s += "[\(i + 1)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
            }
            return s
        }
        switch e {
        case let .keyNotFound(k, c):
            let p = path(c.codingPath)
            return FieldError(field: p.isEmpty ? k.stringValue : p + "." + k.stringValue, message: "required")
        case let .typeMismatch(t, c): return FieldError(field: path(c.codingPath), message: "expected \(t)")
        case let .valueNotFound(t, c): return FieldError(field: path(c.codingPath), message: "expected \(t), found null")
        case let .dataCorrupted(c): return FieldError(field: path(c.codingPath), message: c.debugDescription)
        @unknown default: return FieldError(field: "", message: "\(e)")
        }
    }
}
