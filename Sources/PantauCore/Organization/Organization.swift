import Foundation

/// Level of a unit in the organisation tree (instansi > unit kerja > sub-unit).
public enum UnitLevel: String, Hashable, Sendable, Codable, CaseIterable {
    /// The agency, e.g. "Pemerintah Kota Surabaya" or "Dinas Kesehatan".
    case instansi
    /// A work unit, e.g. "Bidang Pelayanan" or "Puskesmas Ketabang".
    case unitKerja = "unit_kerja"
    /// A sub-unit, e.g. "Seksi Imunisasi".
    case subUnit = "sub_unit"

    /// The level a child of this level has, or nil when it cannot have children.
    public var childLevel: UnitLevel? {
        switch self {
        case .instansi: return .unitKerja
        case .unitKerja: return .subUnit
        case .subUnit: return nil
        }
    }
}

/// A node of the organisation tree.
public struct OrgUnit: Hashable, Sendable, Codable, Identifiable {
    public var id: Int64
    public var parentID: Int64?
    /// Short code, unique across the tree (e.g. "DINKES", "DINKES-PKM-KTB").
    public var code: String
    public var name: String
    public var level: UnitLevel
    /// Name of the head of the unit (kepala unit).
    public var headName: String
    /// NIP of the head (optional).
    public var headNIP: String

    public init(id: Int64, parentID: Int64?, code: String, name: String, level: UnitLevel, headName: String = "", headNIP: String = "") {
        self.id = id
        self.parentID = parentID
        self.code = code
        self.name = name
        self.level = level
        self.headName = headName
        self.headNIP = headNIP
    }
}

/// The organisation tree, for subtree checks and display.
public struct OrgTree: Sendable {
    public let units: [OrgUnit]
    private let byID: [Int64: OrgUnit]
    private let children: [Int64: [Int64]]

    public init(_ units: [OrgUnit]) {
        self.units = units
        var byID: [Int64: OrgUnit] = [:]
        var children: [Int64: [Int64]] = [:]
        for u in units {
            byID[u.id] = u
            if let p = u.parentID { children[p, default: []].append(u.id) }
        }
        self.byID = byID
        self.children = children
    }

    public func unit(_ id: Int64) -> OrgUnit? { byID[id] }

    /// The unit and all its descendants.
    /// - Complexity: O(size of the subtree).
    public func subtree(of id: Int64) -> Set<Int64> {
        guard byID[id] != nil else { return [] }
        var out: Set<Int64> = [id]
        var stack = [id]
        while let x = stack.popLast() {
            for c in children[x] ?? [] where out.insert(c).inserted { stack.append(c) }
        }
        return out
    }

    /// Whether `unit` is `root` or lies under it.
    public func contains(_ unit: Int64, inSubtreeOf root: Int64) -> Bool {
        var cur: Int64? = unit
        var guardCount = 0
        while let c = cur, guardCount <= units.count {
            if c == root { return true }
            cur = byID[c]?.parentID
            guardCount += 1
        }
        return false
    }

    /// Path from the root to `id`, e.g. [Pemkot, Dinkes, Puskesmas].
    public func path(to id: Int64) -> [OrgUnit] {
        var out: [OrgUnit] = []
        var cur = byID[id]
        while let u = cur, out.count <= units.count {
            out.insert(u, at: 0)
            cur = u.parentID.flatMap { byID[$0] }
        }
        return out
    }

    /// Units in depth-first order with their depth, for indented lists.
    public func flattened() -> [(unit: OrgUnit, depth: Int)] {
        var out: [(OrgUnit, Int)] = []
        let roots = units.filter { $0.parentID == nil || byID[$0.parentID!] == nil }.sorted { $0.code < $1.code }
        func visit(_ u: OrgUnit, _ d: Int) {
            out.append((u, d))
            for c in (children[u.id] ?? []).compactMap({ byID[$0] }).sorted(by: { $0.code < $1.code }) {
                visit(c, d + 1)
            }
        }
        for r in roots { visit(r, 0) }
        return out
    }
}

/// What a user may do (ARCHITECTURE.md, Roles).
public enum Role: String, Hashable, Sendable, Codable, CaseIterable {
    /// Everything: users, units, settings.
    case admin
    /// Kepala unit / SOP owner: SOPs, indicators, actions of their unit subtree.
    case unitManager = "unit_manager"
    /// Tim evaluasi: monitoring, evaluation, findings, recommendations in assigned units.
    case evaluator
    /// Pelaksana: record events and observations, take quizzes, acknowledge SOPs, in their unit.
    case officer
    /// APIP / Inspektorat: read everything in scope, the audit trail, exports; change nothing.
    case auditor
}
