import Foundation
import PantauCore
import SQLKit

// MARK: - Survey records

/// A survey's id, last change and whether it is open (see ``PantauStore/surveyStamp(code:)``).
public struct SurveyStamp: Sendable, Equatable {
    public var id: Int64
    public var updatedAt: Date
    public var active: Bool
}

/// A citizen satisfaction survey (SKM) of one service: a unit and optionally one SOP.
public struct SurveyRecord: Sendable, Hashable {
    public var id: Int64
    public var unitID: Int64
    public var sopID: Int64?
    /// Short public code: the form is at `/s/{code}`.
    public var code: String
    /// Service name, e.g. "Pelayanan Imunisasi".
    public var name: String
    /// The period length results are reported for.
    public var periodKind: SurveyPeriod.Kind
    public var definition: SurveyDefinition
    /// Whether the public form accepts responses.
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// What a person sets up for a survey. The definition's `service` is filled from the other fields.
public struct SurveyInput: Sendable, Equatable {
    public var unitID: Int64
    public var sopID: Int64?
    public var name: String
    public var periodKind: SurveyPeriod.Kind
    public var definition: SurveyDefinition
    public var active: Bool

    public init(unitID: Int64, sopID: Int64? = nil, name: String, periodKind: SurveyPeriod.Kind,
                definition: SurveyDefinition, active: Bool = true) {
        self.unitID = unitID
        self.sopID = sopID
        self.name = name
        self.periodKind = periodKind
        self.definition = definition
        self.active = active
    }

    /// The definition with its service set to this input's unit, SOP and name.
    public var normalizedDefinition: SurveyDefinition {
        var d = definition
        d.service = SurveyService(unitID: "\(unitID)", sopID: sopID.map { "\($0)" }, name: name.trimmingCharacters(in: .whitespacesAndNewlines))
        return d
    }

    /// Every problem, field → message (Bahasa Indonesia; definition issues keep their own field paths).
    public func problems() -> [(field: String, message: String)] {
        var p: [(field: String, message: String)] = []
        let n = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if n.isEmpty { p.append(("name", "Nama layanan wajib diisi")) }
        if n.count > 200 { p.append(("name", "Nama layanan maks. 200 karakter")) }
        for issue in normalizedDefinition.issues() where issue.field != "service.unitID" {
            p.append((issue.field, issue.message))
        }
        return p
    }
}

// MARK: - Store

extension PantauStore {
    static let codeAlphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
    /// Longest saran, case reference and free-text profile answers stored (``SurveyResponse``'s limits).
    public static let saranMaxLength = SurveyResponse.saranMaxLength
    public static let shortTextMaxLength = SurveyResponse.shortTextMaxLength

    /// Decodes a stored JSON column. A value that does not decode is damage, never "empty":
    /// - Throws: ``StoreError/corrupt(_:)`` naming the table, the row and the column
    ///   (`survey_imports.report of row 7: …`).
    static func decodeJSON<T: Decodable>(_ type: T.Type, _ r: any SQLRow, column: String, table: String, row: @autoclosure () throws -> String) throws -> T {
        let text = try r.string(column)
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) }
        catch { throw StoreError.corrupt("\(table).\(column) of row \((try? row()) ?? "?"): \(error)") }
    }

    static func survey(from r: any SQLRow) throws -> SurveyRecord {
        let def = try decodeJSON(SurveyDefinition.self, r, column: "definition", table: "surveys", row: "\(try r.int64("id"))")
        return SurveyRecord(
            id: try r.int64("id"), unitID: try r.int64("unit_id"), sopID: try r.optInt64("sop_id"), code: try r.string("code"),
            name: try r.string("name"), periodKind: SurveyPeriod.Kind(rawValue: try r.string("period_kind")) ?? .quarter,
            definition: def, active: try r.bool("active"),
            createdAt: Date(timeIntervalSince1970: try r.double("created_at")), updatedAt: Date(timeIntervalSince1970: try r.double("updated_at")))
    }

    /// Surveys of these units (nil: all), by unit then name.
    public func surveys(unitIDs: Set<Int64>? = nil) async throws -> [SurveyRecord] {
        try await read { sql in
            var q: SQLQueryString = "SELECT * FROM surveys"
            if let units = unitIDs {
                if units.isEmpty { return [] }
                q = q + " WHERE unit_id IN (\(unsafeRaw: units.sorted().map(String.init).joined(separator: ",")))"
            }
            return try await sql.raw(q + " ORDER BY unit_id, name, id").all().map(Self.survey(from:))
        }
    }

    public func survey(id: Int64) async throws -> SurveyRecord {
        try await read { sql in
            guard let r = try await sql.raw("SELECT * FROM surveys WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "survey", id: "\(id)")
            }
            return try Self.survey(from: r)
        }
    }

    /// The survey with this public code (case-insensitive), or nil.
    public func survey(code: String) async throws -> SurveyRecord? {
        let c = code.lowercased()
        guard !c.isEmpty, c.count <= 40 else { return nil }
        return try await read { sql in
            try await sql.raw("SELECT * FROM surveys WHERE code = \(bind: c)").first().map(Self.survey(from:))
        }
    }

    /// Which survey a public code names, when it last changed and whether it takes answers, without
    /// decoding its definition (what the public form needs to find its cached page).
    public func surveyStamp(code: String) async throws -> SurveyStamp? {
        let c = code.lowercased()
        guard !c.isEmpty, c.count <= 40 else { return nil }
        return try await read { sql in
            guard let r = try await sql.raw("SELECT id, updated_at, active FROM surveys WHERE code = \(bind: c)").first() else { return nil }
            return SurveyStamp(id: try r.int64("id"), updatedAt: Date(timeIntervalSince1970: try r.double("updated_at")), active: try r.bool("active"))
        }
    }

    private static func checkSurvey(_ input: SurveyInput, _ sql: any SQLDatabase) async throws {
        if let p = input.problems().first { throw StoreError.invalid(field: p.field, message: p.message) }
        guard try await sql.raw("SELECT id FROM units WHERE id = \(bind: input.unitID)").first() != nil else {
            throw StoreError.rejected([InputProblem("unit_id", "unit_missing")])
        }
        if let sop = input.sopID {
            guard let r = try await sql.raw("SELECT unit_id FROM sops WHERE id = \(bind: sop)").first() else {
                throw StoreError.conflict(field: "sop_id", message: "SOP tidak ada")
            }
            if try r.int64("unit_id") != input.unitID {
                throw StoreError.invalid(field: "sop_id", message: "SOP ini bukan milik unit yang dipilih")
            }
        }
    }

    private static func newCode(_ sql: any SQLDatabase) async throws -> String {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let c = String((0..<7).map { _ in codeAlphabet[Int.random(in: 0..<codeAlphabet.count, using: &g)] })
            if try await sql.raw("SELECT id FROM surveys WHERE code = \(bind: c)").first() == nil { return c }
        }
        throw StoreError.corrupt("no free survey code found")
    }

    /// Sets up a survey; a short public code is generated.
    @discardableResult
    public func createSurvey(_ input: SurveyInput, by actor: AuditActor) async throws -> SurveyRecord {
        try await write { w in
            try await Self.checkSurvey(input, w.sql)
            let code = try await Self.newCode(w.sql)
            let def = input.normalizedDefinition
            let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let r = try await w.sql.raw("""
                INSERT INTO surveys (unit_id, sop_id, code, name, period_kind, definition, active, created_at, updated_at)
                VALUES (\(bind: input.unitID), \(bind: input.sopID), \(bind: code), \(bind: name), \(bind: input.periodKind.rawValue),
                        \(bind: jsonText(def)), \(bind: input.active ? 1 : 0), \(bind: w.t), \(bind: w.t))
                RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let rec = SurveyRecord(id: try r.int64("id"), unitID: input.unitID, sopID: input.sopID, code: code, name: name,
                                   periodKind: input.periodKind, definition: def, active: input.active, createdAt: w.at, updatedAt: w.at)
            try await w.audit(actor, "create", "survey", rec.id, new: AuditSurvey(rec))
            return rec
        }
    }

    /// Changes a survey's set-up. Stored answers stay keyed by unsur: an unsur removed from the
    /// definition is no longer counted; an added one is unanswered in older responses.
    @discardableResult
    public func updateSurvey(id: Int64, _ input: SurveyInput, by actor: AuditActor) async throws -> SurveyRecord {
        try await write { w in
            guard let r = try await w.sql.raw("SELECT * FROM surveys WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "survey", id: "\(id)")
            }
            let old = try Self.survey(from: r)
            try await Self.checkSurvey(input, w.sql)
            let def = input.normalizedDefinition
            let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
            try await w.sql.raw("""
                UPDATE surveys SET unit_id = \(bind: input.unitID), sop_id = \(bind: input.sopID), name = \(bind: name),
                  period_kind = \(bind: input.periodKind.rawValue), definition = \(bind: jsonText(def)), active = \(bind: input.active ? 1 : 0),
                  updated_at = \(bind: w.t) WHERE id = \(bind: id)
                """).run()
            var rec = old
            rec.unitID = input.unitID; rec.sopID = input.sopID; rec.name = name; rec.periodKind = input.periodKind
            rec.definition = def; rec.active = input.active; rec.updatedAt = w.at
            try await w.audit(actor, "update", "survey", id, old: AuditSurvey(old), new: AuditSurvey(rec))
            return rec
        }
    }

    /// The survey row, locked for the rest of the write transaction (PostgreSQL `FOR UPDATE`; SQLite writes are serialised).
    static func lockedSurvey(_ w: WriteContext, id: Int64) async throws -> SurveyRecord {
        let lock = w.kind == .postgres ? " FOR UPDATE" : ""
        guard let r = try await w.sql.raw("SELECT * FROM surveys WHERE id = \(bind: id)\(unsafeRaw: lock)").first() else {
            throw StoreError.notFound(entity: "survey", id: "\(id)")
        }
        return try Self.survey(from: r)
    }
}

// MARK: Audit shapes

struct AuditSurvey: Codable, Sendable {
    var id: Int64
    var unit_id: Int64
    var sop_id: Int64?
    var code: String
    var name: String
    var period_kind: String
    var active: Bool
    var definition: SurveyDefinition
    init(_ s: SurveyRecord) {
        id = s.id; unit_id = s.unitID; sop_id = s.sopID; code = s.code; name = s.name; period_kind = s.periodKind.rawValue
        active = s.active; definition = s.definition
    }
}
