import Foundation
import PantauCore
import SQLKit

/// An SOP in the register (its identity across versions).
public struct SOPRecord: Sendable, Codable, Hashable {
    public var id: Int64
    public var unitID: Int64
    public var number: String
    public var title: String
    public var latestVersion: Int
    /// The version currently in force, if any has been approved.
    public var effectiveVersion: Int?
    /// Status of the latest version.
    public var latestStatus: SOPStatus
    public var updatedAt: Date

    /// The SOP's status in the register: in force while a version is in force, even when a newer
    /// version is being drafted or reviewed; otherwise its latest version's status.
    public var registerStatus: SOPStatus { effectiveVersion != nil ? .effective : latestStatus }

    public init(id: Int64, unitID: Int64, number: String, title: String, latestVersion: Int, effectiveVersion: Int?,
                latestStatus: SOPStatus, updatedAt: Date) {
        self.id = id
        self.unitID = unitID
        self.number = number
        self.title = title
        self.latestVersion = latestVersion
        self.effectiveVersion = effectiveVersion
        self.latestStatus = latestStatus
        self.updatedAt = updatedAt
    }
}

/// One version of an SOP: its content and where it is in the lifecycle.
public struct SOPVersionRecord: Sendable, Codable, Hashable {
    public var sopID: Int64
    public var version: Int
    public var status: SOPStatus
    public var document: SOPDocument
    public var changeNote: String
    public var createdBy: Int64?
    public var createdAt: Date
    public var updatedAt: Date
    public var submittedAt: Date?
    public var approvedBy: Int64?
    public var approvedAt: Date?
    public var effectiveFrom: CivilDate?
    public var archivedAt: Date?

    public init(sopID: Int64, version: Int, status: SOPStatus, document: SOPDocument, changeNote: String = "", createdBy: Int64? = nil,
                createdAt: Date, updatedAt: Date, submittedAt: Date? = nil, approvedBy: Int64? = nil, approvedAt: Date? = nil,
                effectiveFrom: CivilDate? = nil, archivedAt: Date? = nil) {
        self.sopID = sopID
        self.version = version
        self.status = status
        self.document = document
        self.changeNote = changeNote
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.submittedAt = submittedAt
        self.approvedBy = approvedBy
        self.approvedAt = approvedAt
        self.effectiveFrom = effectiveFrom
        self.archivedAt = archivedAt
    }
}

/// Filters for the SOP list.
public struct SOPQuery: Sendable, Equatable {
    /// Matches number or title (case-insensitive substring).
    public var text: String
    /// Only SOPs of these units (nil: all).
    public var unitIDs: Set<Int64>?
    /// Only SOPs with this register status (``SOPRecord/registerStatus``).
    public var status: SOPStatus?
    public var page: Int
    public var perPage: Int

    public init(text: String = "", unitIDs: Set<Int64>? = nil, status: SOPStatus? = nil, page: Int = 1, perPage: Int = 25) {
        self.text = text
        self.unitIDs = unitIDs
        self.status = status
        self.page = max(1, page)
        self.perPage = min(max(1, perPage), 200)
    }
}

extension PantauStore {
    static func sop(from r: any SQLRow) throws -> SOPRecord {
        SOPRecord(id: try r.int64("id"), unitID: try r.int64("unit_id"), number: try r.string("number"), title: try r.string("title"),
                  latestVersion: try r.int("latest_version"), effectiveVersion: try r.decode(column: "effective_version", as: Int?.self),
                  latestStatus: SOPStatus(rawValue: try r.string("latest_status")) ?? .draft,
                  updatedAt: Date(timeIntervalSince1970: try r.double("updated_at")))
    }

    static func version(from r: any SQLRow) throws -> SOPVersionRecord {
        let text = try r.string("document")
        let doc: SOPDocument
        do { doc = try JSONDecoder().decode(SOPDocument.self, from: Data(text.utf8)) }
        catch { throw StoreError.corrupt("sop_versions.document of SOP \(try r.int64("sop_id")) v\(try r.int("version")): \(error)") }
        return SOPVersionRecord(
            sopID: try r.int64("sop_id"), version: try r.int("version"), status: SOPStatus(rawValue: try r.string("status")) ?? .draft,
            document: doc, changeNote: try r.string("change_note"), createdBy: try r.optInt64("created_by"),
            createdAt: Date(timeIntervalSince1970: try r.double("created_at")), updatedAt: Date(timeIntervalSince1970: try r.double("updated_at")),
            submittedAt: try r.optDouble("submitted_at").date, approvedBy: try r.optInt64("approved_by"),
            approvedAt: try r.optDouble("approved_at").date, effectiveFrom: try r.optString("effective_from").flatMap(CivilDate.init),
            archivedAt: try r.optDouble("archived_at").date)
    }

    static let sopSelect = """
        SELECT s.id, s.unit_id, s.number, s.title, s.latest_version, s.effective_version, s.updated_at, v.status AS latest_status
        FROM sops s JOIN sop_versions v ON v.sop_id = s.id AND v.version = s.latest_version
        """

    /// ``SOPRecord/registerStatus`` in SQL (over `sops s` joined with its latest version `v`).
    static let registerStatusSQL = "(CASE WHEN s.effective_version IS NOT NULL THEN 'effective' ELSE v.status END)"

    /// How many SOPs of these units (nil: all) have each register status.
    public func sopStatusCounts(unitIDs: Set<Int64>?) async throws -> [SOPStatus: Int] {
        if let u = unitIDs, u.isEmpty { return [:] }
        return try await read { sql in
            var q: SQLQueryString = """
                SELECT \(unsafeRaw: Self.registerStatusSQL) AS st, COUNT(*) AS n
                FROM sops s JOIN sop_versions v ON v.sop_id = s.id AND v.version = s.latest_version
                """
            if let u = unitIDs { q = q + " WHERE s.unit_id IN (\(unsafeRaw: u.sorted().map(String.init).joined(separator: ",")))" }
            q = q + " GROUP BY \(unsafeRaw: Self.registerStatusSQL)"
            var counts: [SOPStatus: Int] = [:]
            for r in try await sql.raw(q).all() {
                if let st = SOPStatus(rawValue: try r.string("st")) { counts[st] = try r.int("n") }
            }
            return counts
        }
    }

    /// Lists SOPs with search, unit and status filters, ordered by number.
    public func sops(_ q: SOPQuery) async throws -> Page<SOPRecord> {
        try await read { sql in
            var conds: [SQLQueryString] = []
            if !q.text.isEmpty {
                // Escape LIKE wildcards so user text matches literally.
                let esc = q.text.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
                let pat = "%\(esc)%"
                conds.append("(LOWER(s.number) LIKE \(bind: pat) ESCAPE '\\' OR LOWER(s.title) LIKE \(bind: pat) ESCAPE '\\')")
            }
            if let units = q.unitIDs {
                if units.isEmpty { return Page(items: [], total: 0, page: q.page, perPage: q.perPage) }
                let list = units.sorted().map(String.init).joined(separator: ",")
                conds.append("s.unit_id IN (\(unsafeRaw: list))")
            }
            if let st = q.status { conds.append("\(unsafeRaw: Self.registerStatusSQL) = \(bind: st.rawValue)") }
            var whereClause: SQLQueryString = ""
            if !conds.isEmpty {
                whereClause = " WHERE "
                for (i, c) in conds.enumerated() {
                    if i > 0 { whereClause = whereClause + " AND " }
                    whereClause = whereClause + c
                }
            }
            let countQ: SQLQueryString = "SELECT COUNT(*) AS n FROM sops s JOIN sop_versions v ON v.sop_id = s.id AND v.version = s.latest_version" + whereClause
            let total = try await sql.raw(countQ).first()?.int("n") ?? 0
            let listQ: SQLQueryString = "\(unsafeRaw: Self.sopSelect)" + whereClause
                + " ORDER BY s.number, s.id LIMIT \(bind: q.perPage) OFFSET \(bind: (q.page - 1) * q.perPage)"
            let items = try await sql.raw(listQ).all().map(Self.sop(from:))
            return Page(items: items, total: total, page: q.page, perPage: q.perPage)
        }
    }

    public func sop(id: Int64) async throws -> SOPRecord {
        try await read { sql in
            guard let r = try await sql.raw("\(unsafeRaw: Self.sopSelect) WHERE s.id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "sop", id: "\(id)")
            }
            return try Self.sop(from: r)
        }
    }

    /// The SOP of a unit with this number, if any (numbers are unique within a unit).
    public func sop(unitID: Int64, number: String) async throws -> SOPRecord? {
        try await read { sql in
            try await sql.raw("\(unsafeRaw: Self.sopSelect) WHERE s.unit_id = \(bind: unitID) AND s.number = \(bind: number)").first()
                .map(Self.sop(from:))
        }
    }

    /// Every version of an SOP, newest first.
    public func versions(sopID: Int64) async throws -> [SOPVersionRecord] {
        try await read { sql in
            try await sql.raw("SELECT * FROM sop_versions WHERE sop_id = \(bind: sopID) ORDER BY version DESC").all().map(Self.version(from:))
        }
    }

    public func version(sopID: Int64, version: Int) async throws -> SOPVersionRecord {
        try await read { sql in
            guard let r = try await sql.raw("SELECT * FROM sop_versions WHERE sop_id = \(bind: sopID) AND version = \(bind: version)").first() else {
                throw StoreError.notFound(entity: "sop_version", id: "\(sopID) v\(version)")
            }
            return try Self.version(from: r)
        }
    }

    /// The version that was in force on the date of `instant` (WIB): the one a case that ran then is judged by.
    public func versionInForce(sopID: Int64, at instant: Date) async throws -> SOPVersionRecord? {
        let all = try await versions(sopID: sopID)
        let periods = all.compactMap { v -> SOPVersionPeriod? in
            guard v.status == .effective || (v.status == .archived && v.approvedAt != nil), let f = v.effectiveFrom else { return nil }
            return SOPVersionPeriod(version: v.version, effectiveFrom: f)
        }
        guard let n = SOPVersionPeriod.versionInForce(on: CivilDate(instant), among: periods) else { return nil }
        return all.first { $0.version == n }
    }

    private static func checkDocument(_ doc: SOPDocument) throws {
        let issues = doc.validate()
        if !issues.isEmpty { throw StoreError.validation(issues) }
    }

    private static func checkNumberFree(_ sql: any SQLDatabase, unitID: Int64, number: String, except: Int64?) async throws {
        if let r = try await sql.raw("SELECT id FROM sops WHERE unit_id = \(bind: unitID) AND number = \(bind: number)").first(),
           try r.int64("id") != except {
            throw StoreError.conflict(field: "identitas.nomor", message: "Nomor SOP '\(number)' sudah dipakai di unit ini")
        }
    }

    /// Registers a new SOP; its first version is a draft.
    @discardableResult
    public func createSOP(unitID: Int64, document: SOPDocument, changeNote: String = "", by actor: AuditActor) async throws -> SOPRecord {
        try Self.checkDocument(document)
        return try await write { w in
            guard try await w.sql.raw("SELECT id FROM units WHERE id = \(bind: unitID)").first() != nil else {
                throw StoreError.rejected([InputProblem("unit_id", "unit_missing")])
            }
            try await Self.checkNumberFree(w.sql, unitID: unitID, number: document.identity.number, except: nil)
            guard let r = try await w.sql.raw("""
                INSERT INTO sops (unit_id, number, title, latest_version, created_at, updated_at)
                VALUES (\(bind: unitID), \(bind: document.identity.number), \(bind: document.identity.title), 1, \(bind: w.t), \(bind: w.t))
                RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let id = try r.int64("id")
            try await Self.insertVersion(w, sopID: id, version: 1, document: document, note: changeNote, by: actor)
            try await w.audit(actor, "create", "sop", id, new: document)
            try await Self.notify(w, .sop, sopID: id, unitID: unitID)
            return SOPRecord(id: id, unitID: unitID, number: document.identity.number, title: document.identity.title,
                             latestVersion: 1, effectiveVersion: nil, latestStatus: .draft, updatedAt: w.at)
        }
    }

    private static func insertVersion(_ w: WriteContext, sopID: Int64, version: Int, document: SOPDocument, note: String, by actor: AuditActor) async throws {
        try await w.sql.raw("""
            INSERT INTO sop_versions (sop_id, version, status, document, change_note, created_by, created_at, updated_at)
            VALUES (\(bind: sopID), \(bind: version), 'draft', \(bind: jsonText(document)), \(bind: note), \(bind: actor.userID), \(bind: w.t), \(bind: w.t))
            """).run()
    }

    private static func lockedVersion(_ w: WriteContext, sopID: Int64, version: Int) async throws -> SOPVersionRecord {
        let lock = w.kind == .postgres ? " FOR UPDATE" : ""
        guard let r = try await w.sql.raw("SELECT * FROM sop_versions WHERE sop_id = \(bind: sopID) AND version = \(bind: version)\(unsafeRaw: lock)").first() else {
            throw StoreError.notFound(entity: "sop_version", id: "\(sopID) v\(version)")
        }
        return try Self.version(from: r)
    }

    private static func lockedSOP(_ w: WriteContext, id: Int64) async throws -> (unitID: Int64, latest: Int, effective: Int?) {
        let lock = w.kind == .postgres ? " FOR UPDATE" : ""
        guard let r = try await w.sql.raw("SELECT unit_id, latest_version, effective_version FROM sops WHERE id = \(bind: id)\(unsafeRaw: lock)").first() else {
            throw StoreError.notFound(entity: "sop", id: "\(id)")
        }
        return (try r.int64("unit_id"), try r.int("latest_version"), try r.decode(column: "effective_version", as: Int?.self))
    }

    /// Saves new content. A draft or review version of the latest version is changed in place;
    /// an effective (or archived) latest version is never changed: a new draft version is made.
    /// - Returns: the version that now holds the content.
    @discardableResult
    public func saveSOP(id: Int64, document: SOPDocument, changeNote: String = "", by actor: AuditActor) async throws -> SOPVersionRecord {
        try Self.checkDocument(document)
        return try await write { w in
            let s = try await Self.lockedSOP(w, id: id)
            try await Self.checkNumberFree(w.sql, unitID: s.unitID, number: document.identity.number, except: id)
            let latest = try await Self.lockedVersion(w, sopID: id, version: s.latest)
            let target: Int
            if latest.status.isEditable {
                target = s.latest
                try await w.sql.raw("""
                    UPDATE sop_versions SET document = \(bind: jsonText(document)), change_note = \(bind: changeNote), updated_at = \(bind: w.t)
                    WHERE sop_id = \(bind: id) AND version = \(bind: target)
                    """).run()
                try await w.audit(actor, "update", "sop_version", "\(id)/v\(target)", old: latest.document, new: document)
            } else {
                target = s.latest + 1
                try await Self.insertVersion(w, sopID: id, version: target, document: document, note: changeNote, by: actor)
                try await w.audit(actor, "new_version", "sop_version", "\(id)/v\(target)", old: latest.document, new: document)
            }
            try await w.sql.raw("""
                UPDATE sops SET number = \(bind: document.identity.number), title = \(bind: document.identity.title),
                  latest_version = \(bind: target), updated_at = \(bind: w.t) WHERE id = \(bind: id)
                """).run()
            try await Self.notify(w, .sop, sopID: id, unitID: s.unitID)
            return try await Self.lockedVersion(w, sopID: id, version: target)
        }
    }

    /// Starts a revision: copies the latest version into a new draft (only when the latest is not already a draft or in review).
    @discardableResult
    public func newVersion(sopID: Int64, changeNote: String = "", by actor: AuditActor) async throws -> SOPVersionRecord {
        try await write { w in
            let s = try await Self.lockedSOP(w, id: sopID)
            let latest = try await Self.lockedVersion(w, sopID: sopID, version: s.latest)
            guard !latest.status.isEditable else {
                throw StoreError.rejected([InputProblem("version", "version_still_open", [String(s.latest), latest.status.rawValue])])
            }
            let n = s.latest + 1
            try await Self.insertVersion(w, sopID: sopID, version: n, document: latest.document, note: changeNote, by: actor)
            try await w.sql.raw("UPDATE sops SET latest_version = \(bind: n), updated_at = \(bind: w.t) WHERE id = \(bind: sopID)").run()
            try await w.audit(actor, "new_version", "sop_version", "\(sopID)/v\(n)", new: ["from_version": s.latest])
            try await Self.notify(w, .sop, sopID: sopID, unitID: s.unitID)
            return try await Self.lockedVersion(w, sopID: sopID, version: n)
        }
    }

    /// Moves a version through the lifecycle (draft ⇄ review, → archived). Approval is ``approve``.
    @discardableResult
    public func setStatus(sopID: Int64, version: Int, to status: SOPStatus, by actor: AuditActor) async throws -> SOPVersionRecord {
        guard status != .effective else { throw StoreError.invalidTransition(from: "?", to: "effective (use approve)") }
        return try await write { w in
            let s = try await Self.lockedSOP(w, id: sopID)
            let v = try await Self.lockedVersion(w, sopID: sopID, version: version)
            guard v.status.allowedTransitions.contains(status) else {
                throw StoreError.invalidTransition(from: v.status.rawValue, to: status.rawValue)
            }
            switch status {
            case .review:
                try await w.sql.raw("UPDATE sop_versions SET status = 'review', submitted_at = \(bind: w.t), updated_at = \(bind: w.t) WHERE sop_id = \(bind: sopID) AND version = \(bind: version)").run()
            case .draft:
                try await w.sql.raw("UPDATE sop_versions SET status = 'draft', updated_at = \(bind: w.t) WHERE sop_id = \(bind: sopID) AND version = \(bind: version)").run()
            case .archived:
                try await w.sql.raw("UPDATE sop_versions SET status = 'archived', archived_at = \(bind: w.t), updated_at = \(bind: w.t) WHERE sop_id = \(bind: sopID) AND version = \(bind: version)").run()
                if s.effective == version {
                    try await w.sql.raw("UPDATE sops SET effective_version = NULL WHERE id = \(bind: sopID)").run()
                }
            case .effective: break
            }
            try await w.sql.raw("UPDATE sops SET updated_at = \(bind: w.t) WHERE id = \(bind: sopID)").run()
            try await w.audit(actor, "status", "sop_version", "\(sopID)/v\(version)", old: ["status": v.status.rawValue], new: ["status": status.rawValue])
            try await Self.notify(w, .sop, sopID: sopID, unitID: s.unitID)
            return try await Self.lockedVersion(w, sopID: sopID, version: version)
        }
    }

    /// The field of the ``StoreError/conflict(field:message:)`` thrown when the two-person rule
    /// refuses an approval (the web layer words it from its catalog).
    public static let twoPersonRuleField = "two_person_rule"

    /// Approves a version under review: it becomes effective from `effectiveFrom`, the previously
    /// effective version is archived, and the document's "tanggal efektif" is set if empty.
    /// - Parameter twoPersonRule: when true, the person who created the version may not approve it
    ///   (checked under the same lock as the approval).
    @discardableResult
    public func approve(sopID: Int64, version: Int, effectiveFrom: CivilDate, by actor: AuditActor,
                        twoPersonRule: Bool = false) async throws -> SOPVersionRecord {
        try await write { w in
            let s = try await Self.lockedSOP(w, id: sopID)
            var v = try await Self.lockedVersion(w, sopID: sopID, version: version)
            guard v.status == .review else { throw StoreError.invalidTransition(from: v.status.rawValue, to: "effective") }
            if twoPersonRule, let author = v.createdBy, author == actor.userID {
                throw StoreError.conflict(field: Self.twoPersonRuleField,
                                          message: "the author of version \(version) may not approve it (two-person rule)")
            }
            // The identity block's dates: a revision copied from the version in force still carries
            // that version's dates, which the printed document would show as its own. The effective
            // date becomes the approved one, and the revision date the day of approval, unless the
            // author set them to something of their own.
            var previousIdentity: SOPIdentity?
            if let prev = s.effective, prev != version {
                previousIdentity = try await Self.lockedVersion(w, sopID: sopID, version: prev).document.identity
                try await w.sql.raw("UPDATE sop_versions SET status = 'archived', archived_at = \(bind: w.t), updated_at = \(bind: w.t) WHERE sop_id = \(bind: sopID) AND version = \(bind: prev)").run()
            }
            let identity = v.document.identity
            if identity.effectiveOn == nil || (previousIdentity != nil && identity.effectiveOn == previousIdentity?.effectiveOn) {
                v.document.identity.effectiveOn = effectiveFrom
            }
            if let previousIdentity, identity.revisedOn == nil || identity.revisedOn == previousIdentity.revisedOn {
                v.document.identity.revisedOn = CivilDate(w.at)
            }
            try await w.sql.raw("""
                UPDATE sop_versions SET status = 'effective', approved_by = \(bind: actor.userID), approved_at = \(bind: w.t),
                  effective_from = \(bind: effectiveFrom.description), document = \(bind: jsonText(v.document)), updated_at = \(bind: w.t)
                WHERE sop_id = \(bind: sopID) AND version = \(bind: version)
                """).run()
            try await w.sql.raw("UPDATE sops SET effective_version = \(bind: version), updated_at = \(bind: w.t) WHERE id = \(bind: sopID)").run()
            // "Revise the SOP" follow-up actions linked to this version are done (docs/findings-actions.md).
            try await Self.closeRevisionActions(w, sopID: sopID, version: version, by: actor)
            try await w.audit(actor, "approve", "sop_version", "\(sopID)/v\(version)",
                              old: ["status": v.status.rawValue], new: ["status": "effective", "effective_from": effectiveFrom.description])
            // Cases that began on or after the effective date are checked against this version now
            // (a background job: the SOP may have many cases; Store+Jobs.swift).
            if try await w.sql.raw("SELECT 1 AS x FROM service_cases WHERE sop_id = \(bind: sopID) LIMIT 1").first() != nil {
                try await Self.enqueueReanalysis(w, sopID: sopID)
            }
            try await Self.notify(w, .sop, sopID: sopID, unitID: s.unitID)
            return try await Self.lockedVersion(w, sopID: sopID, version: version)
        }
    }
}
