import Foundation
import Logging
import PantauCore
import SQLKit

/// What went wrong in the store, with the entity or field concerned.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(entity: String, id: String)
    /// A unique value is taken or a reference is missing: `field` names the form/API field.
    case conflict(field: String, message: String)
    case invalidTransition(from: String, to: String)
    case notEditable(status: String)
    case invalid(field: String, message: String)
    case validation([SOPValidationIssue])
    case corrupt(String)
    /// Every problem of an input at once, as codes with arguments (the web layer words them from
    /// its catalogs as `store_<code>`; ``description`` is the English form for logs and the CLI).
    case rejected([InputProblem])

    public var description: String {
        switch self {
        case let .notFound(e, id): return "\(e) \(id) tidak ditemukan (not found)"
        case let .conflict(f, m): return "\(f): \(m)"
        case let .invalidTransition(a, b): return "status tidak dapat diubah dari \(a) ke \(b)"
        case let .notEditable(s): return "versi berstatus \(s) tidak dapat diubah; buat versi baru"
        case let .invalid(f, m): return "\(f): \(m)"
        case let .validation(issues): return issues.map(\.description).joined(separator: "; ")
        case let .corrupt(m): return "data rusak: \(m)"
        case let .rejected(problems): return problems.map(\.description).joined(separator: "; ")
        }
    }
}

/// One problem of an input, without words: the field (as the form and API name it), a code and
/// its arguments. `store_<code>` in the web catalogs words it; `{0}`, `{1}` are the arguments.
public struct InputProblem: Sendable, Equatable, Codable, CustomStringConvertible {
    public var field: String
    public var code: String
    public var arguments: [String]

    public init(_ field: String, _ code: String, _ arguments: [String] = []) {
        self.field = field
        self.code = code
        self.arguments = arguments
    }

    /// English, for logs and the command line.
    public var description: String {
        "\(field): \(code.replacingOccurrences(of: "_", with: " "))" + (arguments.isEmpty ? "" : " (\(arguments.joined(separator: ", ")))")
    }
}

/// A page of results.
public struct Page<T: Sendable>: Sendable {
    public var items: [T]
    public var total: Int
    public var page: Int
    public var perPage: Int

    public var pageCount: Int { max(1, (total + perPage - 1) / perPage) }
    public var hasNext: Bool { page < pageCount }
    public var hasPrevious: Bool { page > 1 }
}

/// Pantau's central store: repositories over one ``Database``. Every write runs in a
/// transaction that also appends its audit entry.
public struct PantauStore: Sendable {
    public let database: Database
    let now: @Sendable () -> Date
    /// Keys the audit chain (HMAC). Without it the store can read, but every audited write fails
    /// with ``AuditKeyError/missingForWrite``.
    public let auditKey: AuditKey?

    public init(database: Database, now: @escaping @Sendable () -> Date = { Date() }, auditKey: AuditKey? = nil) {
        self.database = database
        self.now = now
        self.auditKey = auditKey
    }

    /// Opens the database and applies pending migrations.
    ///
    /// `newKeyFile`: the audit key file when it was created just now (``ResolvedAuditKey/createdFile``);
    /// if the chain already has keyed entries, that key cannot be theirs: the file is removed and
    /// ``AuditKeyError/keyFileLost(path:)`` thrown.
    public static func open(_ location: DatabaseLocation, migrate: Bool = true, auditKey: AuditKey? = nil, newKeyFile: String? = nil,
                            logger: Logger = Logger(label: "pantau.store")) async throws -> PantauStore {
        let db = try await Database.open(location, logger: logger)
        do {
            if migrate { try await Migrator(database: db).migrate() }
            if let newKeyFile {
                let keyed = try await db.read { sql -> Bool in
                    guard let h = try await sql.raw("SELECT * FROM audit_head WHERE id = 1").first(),
                          h.contains(column: "keyed_from"), let from = try h.optInt64("keyed_from") else { return false }
                    return try h.int64("seq") >= from
                }
                if keyed {
                    try? FileManager.default.removeItem(atPath: newKeyFile)
                    throw AuditKeyError.keyFileLost(path: newKeyFile)
                }
            }
        } catch {
            await db.shutdown()
            throw error
        }
        return PantauStore(database: db, auditKey: auditKey)
    }

    public func shutdown() async { await database.shutdown() }

    /// A write: the body and its audit entries commit together or not at all.
    func write<T: Sendable>(_ body: @Sendable (WriteContext) async throws -> T) async throws -> T {
        let kind = database.kind
        let at = now()
        let key = auditKey
        return try await database.transaction { sql in
            try await body(WriteContext(sql: sql, kind: kind, at: at, auditKey: key))
        }
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await database.read(body)
    }
}

/// The connection and clock of one write transaction.
struct WriteContext: Sendable {
    let sql: any SQLDatabase
    let kind: DatabaseKind
    let at: Date
    var auditKey: AuditKey? = nil

    var t: Double { at.timeIntervalSince1970 }

    func audit(_ actor: AuditActor, _ action: String, _ entity: String, _ id: some CustomStringConvertible,
               old: (some Encodable)? = String?.none, new: (some Encodable)? = String?.none) async throws {
        let seq = try await AuditChain.append(sql, kind: kind, key: auditKey, at: at, actor: actor, action: action, entity: entity,
                                              entityID: id.description, old: old.map(jsonText), new: new.map(jsonText))
        // The unit the entry concerns, for auditors scoped to a unit subtree (same transaction).
        try await AuditScope.record(sql, seq: seq, entity: entity, entityID: id.description)
    }
}

let jsonEncoder: JSONEncoder = {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return e
}()

func jsonText(_ v: some Encodable) -> String {
    (try? String(decoding: jsonEncoder.encode(v), as: UTF8.self)) ?? "null"
}

extension SQLRow {
    func int64(_ c: String) throws -> Int64 { try decode(column: c, as: Int64.self) }
    func optInt64(_ c: String) throws -> Int64? { try decode(column: c, as: Int64?.self) }
    func int(_ c: String) throws -> Int { try decode(column: c, as: Int.self) }
    func string(_ c: String) throws -> String { try decode(column: c, as: String.self) }
    func optString(_ c: String) throws -> String? { try decode(column: c, as: String?.self) }
    func double(_ c: String) throws -> Double { try decode(column: c, as: Double.self) }
    func optDouble(_ c: String) throws -> Double? { try decode(column: c, as: Double?.self) }
    func bool(_ c: String) throws -> Bool { try decode(column: c, as: Int.self) != 0 }
}

extension Optional where Wrapped == Double {
    var date: Date? { self.map { Date(timeIntervalSince1970: $0) } }
}
