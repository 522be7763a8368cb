import Foundation
import PantauCore
import SQLKit

/// Fields of a unit that a user sets.
public struct UnitInput: Sendable, Codable, Equatable {
    public var parentID: Int64?
    public var code: String
    public var name: String
    public var level: UnitLevel
    public var headName: String
    public var headNIP: String

    public init(parentID: Int64?, code: String, name: String, level: UnitLevel, headName: String = "", headNIP: String = "") {
        self.parentID = parentID
        self.code = code
        self.name = name
        self.level = level
        self.headName = headName
        self.headNIP = headNIP
    }

    /// Field errors (field name → message in Bahasa Indonesia).
    /// Every problem of the fields alone (uniqueness and references are checked by the store).
    public func problems() -> [InputProblem] {
        var p: [InputProblem] = []
        let c = code.trimmingCharacters(in: .whitespaces)
        if c.isEmpty { p.append(InputProblem("code", "required")) }
        else if c.count > 40 || !c.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) {
            p.append(InputProblem("code", "unit_code_format", ["40"]))
        }
        if name.trimmingCharacters(in: .whitespaces).isEmpty { p.append(InputProblem("name", "required")) }
        else if name.count > 200 { p.append(InputProblem("name", "too_long", ["200"])) }
        let nip = headNIP.filter { $0 != " " }
        if !nip.isEmpty && !(nip.count == 18 && nip.allSatisfy { $0.isASCII && $0.isNumber }) {
            p.append(InputProblem("head_nip", "nip_format"))
        }
        return p
    }
}

extension PantauStore {
    static func unit(from r: any SQLRow) throws -> OrgUnit {
        OrgUnit(id: try r.int64("id"), parentID: try r.optInt64("parent_id"), code: try r.string("code"),
                name: try r.string("name"), level: UnitLevel(rawValue: try r.string("level")) ?? .unitKerja,
                headName: try r.string("head_name"), headNIP: try r.string("head_nip"))
    }

    public func units() async throws -> [OrgUnit] {
        try await read { sql in
            try await sql.raw("SELECT * FROM units ORDER BY code").all().map(Self.unit(from:))
        }
    }

    public func orgTree() async throws -> OrgTree { OrgTree(try await units()) }

    public func unit(id: Int64) async throws -> OrgUnit {
        try await read { sql in
            guard let r = try await sql.raw("SELECT * FROM units WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "unit", id: "\(id)")
            }
            return try Self.unit(from: r)
        }
    }

    public func unit(code: String) async throws -> OrgUnit? {
        try await read { sql in
            try await sql.raw("SELECT * FROM units WHERE code = \(bind: code)").first().map(Self.unit(from:))
        }
    }

    /// Every problem of a unit input at once: its fields, a taken code, a missing parent or a
    /// parent under the unit itself.
    private static func checkUnit(_ input: UnitInput, id: Int64?, _ sql: any SQLDatabase) async throws {
        var problems = input.problems()
        if let dup = try await sql.raw("SELECT id FROM units WHERE code = \(bind: input.code)").first(),
           try dup.int64("id") != id {
            problems.append(InputProblem("code", "unit_code_taken", [input.code]))
        }
        if let p = input.parentID {
            if try await sql.raw("SELECT id FROM units WHERE id = \(bind: p)").first() == nil {
                problems.append(InputProblem("parent_id", "unit_parent_missing"))
            } else if let id {
                // Reject cycles: the new parent must not lie under this unit.
                let all = try await sql.raw("SELECT * FROM units").all().map(Self.unit(from:))
                if OrgTree(all).contains(p, inSubtreeOf: id) { problems.append(InputProblem("parent_id", "unit_parent_cycle")) }
            }
        }
        if !problems.isEmpty { throw StoreError.rejected(problems) }
    }

    @discardableResult
    public func createUnit(_ input: UnitInput, by actor: AuditActor) async throws -> OrgUnit {
        try await write { w in
            try await Self.checkUnit(input, id: nil, w.sql)
            guard let r = try await w.sql.raw("""
                INSERT INTO units (parent_id, code, name, level, head_name, head_nip, created_at, updated_at)
                VALUES (\(bind: input.parentID), \(bind: input.code), \(bind: input.name), \(bind: input.level.rawValue),
                        \(bind: input.headName), \(bind: input.headNIP), \(bind: w.t), \(bind: w.t))
                RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let u = OrgUnit(id: try r.int64("id"), parentID: input.parentID, code: input.code, name: input.name,
                            level: input.level, headName: input.headName, headNIP: input.headNIP)
            try await w.audit(actor, "create", "unit", u.id, new: u)
            return u
        }
    }

    @discardableResult
    public func updateUnit(id: Int64, _ input: UnitInput, by actor: AuditActor) async throws -> OrgUnit {
        try await write { w in
            guard let r = try await w.sql.raw("SELECT * FROM units WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "unit", id: "\(id)")
            }
            let old = try Self.unit(from: r)
            try await Self.checkUnit(input, id: id, w.sql)
            try await w.sql.raw("""
                UPDATE units SET parent_id = \(bind: input.parentID), code = \(bind: input.code), name = \(bind: input.name),
                  level = \(bind: input.level.rawValue), head_name = \(bind: input.headName), head_nip = \(bind: input.headNIP),
                  updated_at = \(bind: w.t) WHERE id = \(bind: id)
                """).run()
            let u = OrgUnit(id: id, parentID: input.parentID, code: input.code, name: input.name, level: input.level,
                            headName: input.headName, headNIP: input.headNIP)
            try await w.audit(actor, "update", "unit", id, old: old, new: u)
            return u
        }
    }
}
