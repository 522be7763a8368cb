import Foundation
import Logging
import PostgresNIO
import SQLKit
import SQLiteNIO

// The statements that carry most of an ingestion batch (thousands of event, step and arc rows)
// go to the driver directly instead of through SQLKit: SQLKit serialises every fragment and bind
// as an existential and encodes each value through `Encodable`, which cost about a third of batch
// ingestion (perf, docs/monitoring.md "Kecepatan dan skala"). Everything else stays on SQLKit.

/// A value bound to a bulk statement, handed to the driver as it is.
enum BulkValue: Sendable, Equatable {
    case int(Int64?)
    case real(Double?)
    case text(String?)
    /// PostgreSQL only: a whole column of values of one kind, bound as one array (`unnest`, `= ANY`).
    case column(BulkColumn, [BulkValue])

    var columnKind: BulkColumn {
        switch self {
        case .int: return .int
        case .real: return .real
        case .text: return .text
        case let .column(kind, _): return kind
        }
    }
}

/// What a column of a bulk statement's result (or a bound array) holds.
enum BulkColumn: Sendable, Equatable {
    case int, real, text

    var sqlType: String {
        switch self {
        case .int: return "BIGINT"
        case .real: return "DOUBLE PRECISION"
        case .text: return "TEXT"
        }
    }
}

/// One statement for one engine: SQL text with placeholders (`?` on SQLite, numbered `$1` on
/// PostgreSQL) and their values. Only store code builds these: SQL text is appended as is, every
/// value a sender wrote goes through ``bind(_:)``.
struct BulkStatement: Sendable {
    let kind: DatabaseKind
    private(set) var sql: String
    private(set) var values: [BulkValue] = []

    init(_ kind: DatabaseKind, _ sql: String = "") {
        self.kind = kind
        self.sql = sql
    }

    /// SQL text written by the store (never a sender's text).
    mutating func append(_ raw: String) { sql += raw }

    mutating func bind(_ v: BulkValue) {
        values.append(v)
        if kind == .postgres {
            sql += "$"
            sql += String(values.count)
        } else {
            sql += "?"
        }
    }

    /// SQLite: `(?, ?, ...)` with `values` bound (PostgreSQL takes rows and lists as arrays:
    /// ``appendIn(_:)``, ``BulkRows``).
    mutating func append(row: [BulkValue]) {
        precondition(kind == .sqlite, "rows go as arrays on PostgreSQL")
        sql += sqlitePlaceholderRow(row.count)
        values += row
    }

    /// ` IN (?, ?, ...)` on SQLite, ` = ANY($n::TEXT[])` on PostgreSQL (one array instead of a
    /// parameter per value: PostgreSQL parses and plans it at a fraction of the cost).
    mutating func appendIn(_ texts: [String]) {
        if kind == .postgres {
            sql += " = ANY("
            bind(.column(.text, texts.map { .text($0) }))
            sql += "::TEXT[])"
        } else {
            sql += " IN "
            append(row: texts.map { .text($0) })
        }
    }
}

/// Runs bulk statements on the connection of a transaction (see ``WriteContext/bulk``).
protocol BulkExecutor: Sendable {
    func run(_ statement: BulkStatement) async throws
    /// The rows the statement returns, each as values of the given columns, in order.
    func rows(_ statement: BulkStatement, _ columns: [BulkColumn]) async throws -> [[BulkValue]]
}

/// `(?, ?, ..., ?)` for `n` values, built once per width.
private let sqlitePlaceholderRows: [String] = (0...40).map { n in "(" + Array(repeating: "?", count: n).joined(separator: ", ") + ")" }

private func sqlitePlaceholderRow(_ n: Int) -> String {
    n < sqlitePlaceholderRows.count ? sqlitePlaceholderRows[n] : "(" + Array(repeating: "?", count: n).joined(separator: ", ") + ")"
}

extension BulkValue {
    /// The value of a column read as ``BulkColumn/int`` that may not be NULL.
    var int64: Int64 {
        get throws {
            guard case let .int(v?) = self else { throw StoreError.corrupt("an integer column holds \(self)") }
            return v
        }
    }

    /// A text column that may not be NULL.
    var string: String {
        get throws {
            guard case let .text(v?) = self else { throw StoreError.corrupt("a text column holds \(self)") }
            return v
        }
    }

    var optString: String? { if case let .text(v) = self { return v } else { return nil } }
    var optDouble: Double? { if case let .real(v) = self { return v } else { return nil } }
}

extension WriteContext {
    /// The bulk path of this transaction's connection (both engines provide one).
    var bulk: any BulkExecutor {
        get throws {
            guard let b = sql as? any BulkExecutor else { throw StoreError.corrupt("the write connection has no bulk path") }
            return b
        }
    }
}

// MARK: SQLite

/// A connection wrapper that is an `SQLDatabase` by handing SQLKit's properties to `base` (the
/// connection's own `sql()`); each wrapper decides how statements run.
protocol ConnectionSQL: SQLDatabase {
    var base: any SQLDatabase { get }
}

extension ConnectionSQL {
    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }
}

/// The SQLite writer connection as an `SQLDatabase` (SQLKit, as `connection.sql()` gives it) that
/// also runs bulk statements with native binds.
struct SQLiteWriterSQL: ConnectionSQL, BulkExecutor {
    let base: any SQLDatabase
    let connection: SQLiteConnection

    init(_ connection: SQLiteConnection) {
        self.connection = connection
        self.base = connection.sql()
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await base.execute(sql: query, onRow)
    }

    private static func data(_ values: [BulkValue]) throws -> [SQLiteData] {
        try values.map { v in
            switch v {
            case let .int(i): return i.map { .integer(Int($0)) } ?? .null
            case let .real(d): return d.flatMap { $0.isFinite ? .float($0) : nil } ?? .null
            case let .text(t): return t.map { .text($0) } ?? .null
            case .column: throw StoreError.corrupt("an array bound to a SQLite statement")
            }
        }
    }

    func run(_ statement: BulkStatement) async throws {
        _ = try await connection.query(statement.sql, try Self.data(statement.values))
    }

    func rows(_ statement: BulkStatement, _ columns: [BulkColumn]) async throws -> [[BulkValue]] {
        try await connection.query(statement.sql, try Self.data(statement.values)).map { row in
            let cells = row.columns
            guard cells.count >= columns.count else { throw StoreError.corrupt("a bulk statement returned \(cells.count) columns, not \(columns.count)") }
            return try columns.indices.map { i in
                switch (columns[i], cells[i].data) {
                case let (.int, .integer(v)): return .int(Int64(v))
                case let (.real, .float(v)): return .real(v)
                case let (.real, .integer(v)): return .real(Double(v))
                case (.real, .null): return .real(nil)
                case let (.text, .text(v)): return .text(v)
                case (.text, .null): return .text(nil)
                case let (_, other): throw StoreError.corrupt("column \(cells[i].name) of a bulk statement holds \(other)")
                }
            }
        }
    }
}

// MARK: PostgreSQL

extension PostgresConnection {
    func runBulk(_ statement: BulkStatement, logger: Logger) async throws -> PostgresRowSequence {
        var binds = PostgresBindings(capacity: statement.values.count)
        for v in statement.values {
            switch v {
            case let .int(i): if let i { binds.append(i) } else { binds.appendNull() }
            case let .real(d): if let d, d.isFinite { binds.append(d) } else { binds.appendNull() }
            case let .text(t): if let t { binds.append(t) } else { binds.appendNull() }
            case let .column(kind, values): binds.append(PostgresBulkArray(kind: kind, values: values))
            }
        }
        return try await query(PostgresQuery(unsafeSQL: statement.sql, binds: binds), logger: logger)
    }

    func bulkRows(_ statement: BulkStatement, _ columns: [BulkColumn], logger: Logger) async throws -> [[BulkValue]] {
        var out: [[BulkValue]] = []
        for try await row in try await runBulk(statement, logger: logger) {
            var values: [BulkValue] = []
            values.reserveCapacity(columns.count)
            var cells = row.makeIterator()
            for c in columns {
                guard let cell = cells.next() else { throw StoreError.corrupt("a bulk statement returned fewer columns than \(columns.count)") }
                switch c {
                case .int: values.append(.int(try cell.decode(Int64.self)))
                case .real: values.append(.real(try cell.decode(Double?.self)))
                case .text: values.append(.text(try cell.decode(String?.self)))
                }
            }
            out.append(values)
        }
        return out
    }
}

/// A column of values bound as one PostgreSQL array in the binary format, NULL elements
/// included (PostgresNIO's arrays take no optionals).
struct PostgresBulkArray: PostgresDynamicTypeEncodable {
    let kind: BulkColumn
    let values: [BulkValue]

    var psqlType: PostgresDataType {
        switch kind {
        case .int: return .int8Array
        case .real: return .float8Array
        case .text: return .textArray
        }
    }

    var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        let element: PostgresDataType
        switch kind {
        case .int: element = .int8
        case .real: element = .float8
        case .text: element = .text
        }
        let hasNull = values.contains { v in
            switch v {
            case .int(nil), .real(nil), .text(nil): return true
            case let .real(d?): return !d.isFinite
            default: return false
            }
        }
        buffer.writeInteger(values.isEmpty ? 0 : 1, as: Int32.self)   // dimensions
        buffer.writeInteger(hasNull ? 1 : 0, as: Int32.self)          // has NULLs
        buffer.writeInteger(element.rawValue)                          // element type
        guard !values.isEmpty else { return }
        buffer.writeInteger(Int32(values.count))                       // length
        buffer.writeInteger(1, as: Int32.self)                         // lower bound
        for v in values {
            switch (kind, v) {
            case let (.int, .int(i?)):
                buffer.writeInteger(8, as: Int32.self)
                buffer.writeInteger(i)
            case let (.real, .real(d?)) where d.isFinite:
                buffer.writeInteger(8, as: Int32.self)
                buffer.writeInteger(d.bitPattern)
            case let (.text, .text(t?)):
                buffer.writeInteger(Int32(t.utf8.count))
                buffer.writeString(t)
            default:
                // NULL (and, by construction never, a value of another kind).
                buffer.writeInteger(-1, as: Int32.self)
            }
        }
    }
}

/// The rows of multi-row statements, `prefix`, the rows, `suffix`. On SQLite the rows are a
/// `VALUES (?, ...), (...)` list, a new statement every `perStatement` rows; on PostgreSQL they
/// are one array per column, `SELECT * FROM unnest($1::BIGINT[], ...)`: a short statement whatever
/// the number of rows, so the server parses and plans it once instead of per value.
struct BulkRows: Sendable {
    let kind: DatabaseKind
    let prefix: String
    let suffix: String
    let perStatement: Int
    private var building: [BulkStatement] = []
    private var rowsInLast = 0
    private var postgresRows: [[BulkValue]] = []

    /// Rows per PostgreSQL statement (each column one array).
    static let postgresRowsPerStatement = 20_000

    init(_ kind: DatabaseKind, prefix: String, suffix: String = "", perStatement: Int) {
        self.kind = kind
        self.prefix = prefix
        self.suffix = suffix
        self.perStatement = perStatement
    }

    mutating func row(_ values: [BulkValue]) {
        if kind == .postgres {
            postgresRows.append(values)
            return
        }
        if building.isEmpty || rowsInLast == perStatement {
            building.append(BulkStatement(kind, prefix + " VALUES "))
            rowsInLast = 0
        } else {
            building[building.count - 1].append(", ")
        }
        building[building.count - 1].append(row: values)
        rowsInLast += 1
    }

    var statements: [BulkStatement] {
        if kind == .postgres {
            guard let width = postgresRows.first?.count else { return [] }
            return stride(from: 0, to: postgresRows.count, by: Self.postgresRowsPerStatement).map { start in
                let rows = postgresRows[start..<min(start + Self.postgresRowsPerStatement, postgresRows.count)]
                var st = BulkStatement(kind, prefix + " SELECT * FROM unnest(")
                for c in 0..<width {
                    if c > 0 { st.append(", ") }
                    let kind = rows.first![c].columnKind
                    st.bind(.column(kind, rows.map { $0[c] }))
                    st.append("::" + kind.sqlType + "[]")
                }
                st.append(")" + suffix)
                return st
            }
        }
        return building.map { s in
            var s = s
            s.append(suffix)
            return s
        }
    }
}
