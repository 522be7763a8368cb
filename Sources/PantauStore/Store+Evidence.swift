import Crypto
import Foundation
import PantauCore
import SQLKit

// MARK: - Evidence files (migration 16, docs/findings-actions.md)

/// The kind of record an evidence file belongs to.
public enum EvidenceOwner: String, Sendable, Codable, CaseIterable {
    case indicatorValue = "indicator_value"
    case action
    case finding
    case note
    case monitoringRecord = "monitoring_record"
    case evaluationRecord = "evaluation_record"
}

/// One stored evidence file (its bytes are read with ``PantauStore/evidence(id:)``).
public struct EvidenceFile: Sendable, Hashable, Codable {
    public var id: Int64
    public var owner: EvidenceOwner
    public var ownerID: Int64
    /// The file name as uploaded (path and control characters removed).
    public var name: String
    /// The type found from the file's bytes (never the type the client claimed).
    public var contentType: String
    public var size: Int
    /// Hex SHA-256 of the bytes.
    public var sha256: String
    /// The audit label of the uploader (`user:NAME`, `token:NAME`).
    public var uploadedBy: String
    public var uploadedAt: Date
}

/// A file to store as evidence, as uploaded.
public struct EvidenceUpload: Sendable, Equatable {
    public var name: String
    public var contentType: String
    public var data: [UInt8]

    public init(name: String, contentType: String = "", data: [UInt8]) {
        self.name = name
        self.contentType = contentType
        self.data = data
    }
}

/// The SOP and unit an evidence file's owning record belongs to (for scope checks).
public struct EvidenceScope: Sendable, Hashable {
    public var sopID: Int64?
    public var unitID: Int64

    public init(sopID: Int64?, unitID: Int64) {
        self.sopID = sopID
        self.unitID = unitID
    }
}

/// The types an evidence file may have, recognised by their bytes.
public enum EvidenceType: String, Sendable, CaseIterable {
    case pdf, png, jpeg, xlsx, docx, csv

    public var contentType: String {
        switch self {
        case .pdf: return "application/pdf"
        case .png: return "image/png"
        case .jpeg: return "image/jpeg"
        case .xlsx: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .docx: return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .csv: return "text/csv"
        }
    }

    /// File name extensions accepted for the type.
    public var extensions: [String] {
        switch self {
        case .pdf: return ["pdf"]
        case .png: return ["png"]
        case .jpeg: return ["jpg", "jpeg"]
        case .xlsx: return ["xlsx"]
        case .docx: return ["docx"]
        case .csv: return ["csv"]
        }
    }

    /// The type of `bytes` from their magic numbers (an Office file: a ZIP holding `xl/` or
    /// `word/`; CSV: UTF-8 text without NUL bytes, and only under a `.csv` name since text has no
    /// signature). Nil when the bytes are of no allowed type.
    public static func detect(_ bytes: [UInt8], name: String) -> EvidenceType? {
        func starts(_ m: [UInt8]) -> Bool { bytes.count >= m.count && Array(bytes.prefix(m.count)) == m }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x50, 0x4B, 0x03, 0x04]) {
            if contains(bytes, Array("xl/workbook".utf8)) { return .xlsx }
            if contains(bytes, Array("word/document".utf8)) { return .docx }
            return nil
        }
        let ext = (name as NSString).pathExtension.lowercased()
        if ext == "csv", !bytes.contains(0), String(validating: bytes, as: UTF8.self) != nil { return .csv }
        return nil
    }

    static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        Data(hay).range(of: Data(needle)) != nil
    }
}

extension PantauStore {
    /// The largest evidence file accepted (10 MiB); ``addEvidence(owner:ownerID:name:contentType:data:by:maxBytes:)`` takes another limit.
    public static let evidenceMaxBytes = 10 * 1024 * 1024

    static func evidenceFile(from r: any SQLRow) throws -> EvidenceFile {
        let kind = try r.string("owner_kind")
        guard let owner = EvidenceOwner(rawValue: kind) else { throw StoreError.corrupt("evidence_files.owner_kind '\(kind)'") }
        return EvidenceFile(id: try r.int64("id"), owner: owner, ownerID: try r.int64("owner_id"), name: try r.string("name"),
                            contentType: try r.string("content_type"), size: try r.int("size"), sha256: try r.string("sha256"),
                            uploadedBy: try r.string("uploaded_by"), uploadedAt: Date(timeIntervalSince1970: try r.double("uploaded_at")))
    }

    /// The file name without folders, control characters or surrounding blanks, at most 200 characters.
    public static func evidenceFileName(_ name: String) -> String {
        let base = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(String.UnicodeScalarView(base.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return String(clean.prefix(200))
    }

    /// The problem of an evidence file, if any, as a field error on `evidence`: empty (`required`),
    /// over the limit (`evidence_too_large` with the limit in MB), or of a refused type
    /// (`evidence_type_refused` with the name; also when the name's extension is not the type's).
    public static func evidenceProblem(name: String, data: [UInt8], maxBytes: Int = evidenceMaxBytes) -> (InputProblem?, EvidenceType?) {
        if data.isEmpty { return (InputProblem("evidence", "required"), nil) }
        if data.count > maxBytes {
            return (InputProblem("evidence", "evidence_too_large", [String(format: "%.0f", Double(maxBytes) / 1_048_576)]), nil)
        }
        let n = evidenceFileName(name)
        guard let type = EvidenceType.detect(data, name: n), type.extensions.contains((n as NSString).pathExtension.lowercased()) else {
            return (InputProblem("evidence", "evidence_type_refused", [n.isEmpty ? "?" : n]), nil)
        }
        return (nil, type)
    }

    /// Stores an evidence file within a write (the caller's transaction and audit).
    static func insertEvidence(_ w: WriteContext, owner: EvidenceOwner, ownerID: Int64, name: String, data: [UInt8],
                               by actor: AuditActor, maxBytes: Int = evidenceMaxBytes) async throws -> EvidenceFile {
        let (problem, type) = evidenceProblem(name: name, data: data, maxBytes: maxBytes)
        if let problem { throw StoreError.rejected([problem]) }
        guard let type else { throw StoreError.rejected([InputProblem("evidence", "evidence_type_refused", [name])]) }
        guard try await evidenceOwnerScope(w.sql, w.kind, owner: owner, id: ownerID) != nil else {
            throw StoreError.notFound(entity: owner.rawValue, id: "\(ownerID)")
        }
        let n = evidenceFileName(name)
        let hash = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        guard let r = try await w.sql.raw("""
            INSERT INTO evidence_files (owner_kind, owner_id, name, content_type, size, sha256, data, uploaded_by, uploaded_at)
            VALUES (\(bind: owner.rawValue), \(bind: ownerID), \(bind: n), \(bind: type.contentType), \(bind: data.count), \(bind: hash),
                    \(bind: Data(data)), \(bind: actor.label), \(bind: w.t))
            RETURNING id
            """).first() else { throw StoreError.corrupt("insert returned no id") }
        let file = EvidenceFile(id: try r.int64("id"), owner: owner, ownerID: ownerID, name: n, contentType: type.contentType, size: data.count,
                                sha256: hash, uploadedBy: actor.label, uploadedAt: w.at)
        try await w.audit(actor, "create", "evidence_file", file.id, new: file)
        return file
    }

    /// Stores an evidence file of a record (one transaction, audited without the bytes).
    /// `contentType` is what the client claimed; the stored type is the one found from the bytes.
    /// Throws ``StoreError/rejected(_:)`` naming field `evidence` when the file is empty, larger
    /// than `maxBytes` or of a refused type, ``StoreError/notFound(entity:id:)`` when the owner does not exist.
    @discardableResult
    public func addEvidence(owner: EvidenceOwner, ownerID: Int64, name: String, contentType: String, data: [UInt8], by actor: AuditActor,
                            maxBytes: Int = PantauStore.evidenceMaxBytes) async throws -> EvidenceFile {
        try await write { w in
            try await Self.insertEvidence(w, owner: owner, ownerID: ownerID, name: name, data: data, by: actor, maxBytes: maxBytes)
        }
    }

    /// The evidence files of a record, oldest first.
    public func evidenceFiles(owner: EvidenceOwner, ownerID: Int64) async throws -> [EvidenceFile] {
        try await read { sql in
            try await sql.raw("""
                SELECT id, owner_kind, owner_id, name, content_type, size, sha256, uploaded_by, uploaded_at FROM evidence_files
                WHERE owner_kind = \(bind: owner.rawValue) AND owner_id = \(bind: ownerID) ORDER BY id
                """).all().map(Self.evidenceFile(from:))
        }
    }

    /// The evidence files of several records of one kind, by owner id.
    public func evidenceFiles(owner: EvidenceOwner, ownerIDs: [Int64]) async throws -> [Int64: [EvidenceFile]] {
        guard !ownerIDs.isEmpty else { return [:] }
        let ids = Set(ownerIDs).sorted().map(String.init).joined(separator: ",")
        return try await read { sql in
            try await sql.raw("""
                SELECT id, owner_kind, owner_id, name, content_type, size, sha256, uploaded_by, uploaded_at FROM evidence_files
                WHERE owner_kind = \(bind: owner.rawValue) AND owner_id IN (\(unsafeRaw: ids)) ORDER BY id
                """).all().map(Self.evidenceFile(from:))
        }.reduce(into: [:]) { $0[$1.ownerID, default: []].append($1) }
    }

    /// One evidence file and its bytes.
    public func evidence(id: Int64) async throws -> (EvidenceFile, [UInt8]) {
        try await read { sql in
            guard let r = try await sql.raw("SELECT * FROM evidence_files WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "evidence_file", id: "\(id)")
            }
            let file = try Self.evidenceFile(from: r)
            let bytes = [UInt8](try r.decode(column: "data", as: Data.self))
            guard bytes.count == file.size else { throw StoreError.corrupt("evidence_files.data of row \(id): \(bytes.count) bytes, \(file.size) recorded") }
            return (file, bytes)
        }
    }

    /// The SOP and unit of the record an evidence file belongs to (nil: the record is gone).
    public func evidenceScope(_ file: EvidenceFile) async throws -> EvidenceScope? {
        let kind = database.kind
        return try await read { sql in try await Self.evidenceOwnerScope(sql, kind, owner: file.owner, id: file.ownerID) }
    }

    /// Where the owning record's unit is: findings, notes and actions directly; an indicator
    /// value is a row of `indicator_periods` (its indicator's SOP, or else its unit); a Tabel 7 or
    /// Tabel 8 record a row of `sop_monev_records` (its SOP). Those tables belong to other parts
    /// (migrations 13 and 14): their existence is checked first, so that a missing table never
    /// aborts the caller's transaction.
    static func evidenceOwnerScope(_ sql: any SQLDatabase, _ kind: DatabaseKind, owner: EvidenceOwner, id: Int64) async throws -> EvidenceScope? {
        func sopScope(_ sopID: Int64) async throws -> EvidenceScope? {
            guard let r = try await sql.raw("SELECT unit_id FROM sops WHERE id = \(bind: sopID)").first() else { return nil }
            return EvidenceScope(sopID: sopID, unitID: try r.int64("unit_id"))
        }
        func tableExists(_ t: String) async throws -> Bool {
            switch kind {
            case .sqlite:
                return try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name = \(bind: t)").first() != nil
            case .postgres:
                return try await sql.raw("SELECT 1 AS x FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = \(bind: t)").first() != nil
            }
        }
        func rowScope(_ table: String, _ id: Int64) async throws -> EvidenceScope? {
            guard try await tableExists(table),
                  let r = try await sql.raw("SELECT * FROM \(ident: table) WHERE id = \(bind: id)").first() else { return nil }
            if r.contains(column: "sop_id"), let s = try r.optInt64("sop_id") { return try await sopScope(s) }
            if r.contains(column: "unit_id"), let u = try r.optInt64("unit_id") { return EvidenceScope(sopID: nil, unitID: u) }
            if table != "indicators", r.contains(column: "indicator_id"), let i = try r.optInt64("indicator_id") { return try await rowScope("indicators", i) }
            return nil
        }
        switch owner {
        case .finding:
            guard let r = try await sql.raw("SELECT sop_id FROM findings WHERE id = \(bind: id)").first() else { return nil }
            return try await sopScope(try r.int64("sop_id"))
        case .note:
            guard let r = try await sql.raw("SELECT sop_id FROM eval_notes WHERE id = \(bind: id)").first() else { return nil }
            return try await sopScope(try r.int64("sop_id"))
        case .action:
            guard let r = try await sql.raw("SELECT sop_id, unit_id FROM followup_actions WHERE id = \(bind: id)").first() else { return nil }
            return EvidenceScope(sopID: try r.int64("sop_id"), unitID: try r.int64("unit_id"))
        case .indicatorValue:
            return try await rowScope("indicator_periods", id)
        case .monitoringRecord, .evaluationRecord:
            return try await rowScope("sop_monev_records", id)
        }
    }
}
