import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit
import SQLiteNIO

/// Which engine a store runs on.
public enum DatabaseKind: String, Sendable {
    case sqlite
    case postgres
}

/// Where the database is: an embedded SQLite file or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    /// `postgres://user:password@host:port/database?sslmode=disable|prefer|require`
    /// and optionally `search_path=schema` (used by tests to isolate runs).
    case postgres(url: String)

    /// Reads `PANTAU_DATABASE_URL`-style text: a postgres URL, `sqlite:PATH` or a plain path.
    public init(parsing text: String) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else if text.hasPrefix("sqlite://") {
            self = .sqlite(path: String(text.dropFirst("sqlite://".count)))
        } else if text.hasPrefix("sqlite:") {
            self = .sqlite(path: String(text.dropFirst("sqlite:".count)))
        } else {
            self = .sqlite(path: text)
        }
    }

    public var kind: DatabaseKind {
        switch self {
        case .sqlite: return .sqlite
        case .postgres: return .postgres
        }
    }

    /// Without the password.
    public var description: String {
        switch self {
        case let .sqlite(path): return "sqlite:\(path)"
        case let .postgres(url):
            guard var c = URLComponents(string: url) else { return "postgres://…" }
            if c.password != nil { c.password = "***" }
            return c.string ?? "postgres://…"
        }
    }
}

/// Errors opening or using the database.
public enum DatabaseError: Error, CustomStringConvertible, Sendable {
    case badURL(String)
    case closed
    /// The database server cannot be reached (stopped, restarting, network down, no connection
    /// within the wait): the operation did not run, or (a connection lost at `COMMIT`) its outcome
    /// is unknown. Nothing is half-applied: a transaction is committed whole or not at all.
    case unavailable(String)
    /// The disk holding the database is full (or a file size limit, `ulimit -f`, is reached): the
    /// write was refused and rolled back; reads go on.
    case storageFull(String)

    public var description: String {
        switch self {
        case let .badURL(u): return "invalid database URL: \(u)"
        case .closed: return "the database has been shut down"
        case let .unavailable(why): return "the database cannot be reached: \(why)"
        case let .storageFull(why): return "the database storage is full: \(why)"
        }
    }

    /// The fault an engine's error stands for, if it is one: a connection refused, lost or not
    /// granted in time (``unavailable(_:)``), a full disk or file size limit (``storageFull(_:)``),
    /// the connection pool shut down (``closed``: the process is stopping). Other errors
    /// (constraints, syntax, data) are not faults and give nil.
    public static func fault(in error: any Error) -> DatabaseError? {
        switch error {
        case let e as DatabaseError:
            switch e {
            case .unavailable, .storageFull: return e
            case .badURL, .closed: return nil
            }
        case let e as PostgresTransactionError:
            for inner in [e.beginError, e.closureError, e.commitError, e.rollbackError] {
                if let inner, let f = fault(in: inner) { return f }
            }
            return nil
        case let e as PSQLError:
            switch e.code {
            case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
                return .unavailable("connection \(e.code)")
            case .poolClosed: return .closed
            case .server:
                let state = e.serverInfo?[.sqlState] ?? ""
                if state == "53100" { return .storageFull("PostgreSQL: disk full (SQLSTATE 53100)") }
                // 08: connection exception; 57P01-57P03: the server is shutting down, crashed or starting.
                if state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state) {
                    return .unavailable("PostgreSQL SQLSTATE \(state)")
                }
                return nil
            default: return nil
            }
        // The pool's own error type is not exported by PostgresNIO: known by its name. Its
        // circuit breaker opens after 60 s without a connection and then fails requests at once.
        case _ where String(describing: type(of: error)) == "ConnectionPoolError":
            let what = String(reflecting: error)
            if what.contains("CircuitBreaker") { return .unavailable("no connection could be opened") }
            return what.contains("poolShutdown") ? .closed : nil
        case let e as SQLiteError:
            switch e.reason {
            // A write that does not fit: SQLITE_FULL for a full disk, an I/O write error for a file
            // size limit (EFBIG) or a file that cannot grow.
            case .full, .ioErrorFailedWrite, .ioErrorFailedTruncate, .ioErrorFailedSharedMemSize:
                return .storageFull("SQLite: \(e.message)")
            default: return nil
            }
        default: return nil
        }
    }
}

/// Runs `body`, turning an engine's fault error into its ``DatabaseError``.
private func mappingFaults<T: Sendable>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw DatabaseError.fault(in: error) ?? error
    }
}

/// A FIFO async mutex: one holder at a time, waiters resumed in order.
actor AsyncMutex {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func lock() async {
        if !locked {
            locked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func unlock() {
        if waiters.isEmpty {
            locked = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}

/// One SQL layer over SQLite and PostgreSQL.
///
/// - SQLite: one writer connection (writes are queued, never spun on a busy lock) and a few
///   reader connections; WAL, `synchronous=NORMAL`, a busy timeout, foreign keys on.
/// - PostgreSQL: a `PostgresClient` pool; each transaction runs on one leased connection.
///
/// Call ``shutdown()`` when done: connections and pools are closed explicitly.
public final class Database: Sendable {
    public let kind: DatabaseKind
    public let location: DatabaseLocation
    let logger: Logger
    private let backend: Backend
    /// PostgreSQL: whether the monitoring tables have statistics, and when that was last checked
    /// (see `PantauStore.analyseMonitoringTablesIfNeeded`).
    let monitoringStatistics = NIOLockedValueBox<(present: Bool, checkedAt: Double)>((false, 0))

    private enum Backend: Sendable {
        case sqlite(SQLiteBackend)
        case postgres(PostgresBackend)
    }

    private init(kind: DatabaseKind, location: DatabaseLocation, logger: Logger, backend: Backend) {
        self.kind = kind
        self.location = location
        self.logger = logger
        self.backend = backend
    }

    /// Opens (and for SQLite creates) the database.
    public static func open(_ location: DatabaseLocation, logger: Logger = Logger(label: "pantau.db")) async throws -> Database {
        switch location {
        case let .sqlite(path):
            let b = try await SQLiteBackend.open(path: path, logger: logger)
            return Database(kind: .sqlite, location: location, logger: logger, backend: .sqlite(b))
        case let .postgres(url):
            let b = try PostgresBackend(url: url, logger: logger)
            let db = Database(kind: .postgres, location: location, logger: logger, backend: .postgres(b))
            // Fail fast with a clear error when the server is unreachable.
            _ = try await db.read { sql in try await sql.raw("SELECT 1 AS one").first() }
            return db
        }
    }

    /// Runs read-only work.
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await mappingFaults {
            switch backend {
            case let .sqlite(b): return try await b.read(body)
            case let .postgres(b): return try await b.read(body)
            }
        }
    }

    /// Runs read-only work that must see one moment of the database although others write meanwhile
    /// (a walk over many pages of rows): PostgreSQL `REPEATABLE READ READ ONLY`, a SQLite read
    /// transaction (one WAL snapshot from the first read to the end).
    public func snapshotRead<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let begin = kind == .postgres ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN DEFERRED"
        return try await read { sql in
            try await sql.raw(SQLQueryString(begin)).run()
            do {
                let r = try await body(sql)
                try await sql.raw("COMMIT").run()
                return r
            } catch {
                do { try await sql.raw("ROLLBACK").run() } catch { logger.error("rollback of a snapshot read failed: \(error)") }
                throw error
            }
        }
    }

    /// Runs `body` in one transaction: all of it is committed, or none of it (on any thrown error).
    /// A fault (the server gone, the disk full) is thrown as ``DatabaseError/unavailable(_:)`` or
    /// ``DatabaseError/storageFull(_:)``.
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await mappingFaults {
            switch backend {
            case let .sqlite(b): return try await b.transaction(body)
            case let .postgres(b): return try await b.transaction(body, logger: logger)
            }
        }
    }

    /// Closes every connection. Idempotent.
    public func shutdown() async {
        switch backend {
        case let .sqlite(b): await b.shutdown()
        case let .postgres(b): await b.shutdown()
        }
    }
}

// MARK: - SQLite

private final class SQLiteBackend: Sendable {
    let writer: SQLiteConnection
    let readers: [SQLiteConnection]
    /// Copies the write-ahead log into the database file in the background (see ``checkpoints()``).
    let checkpointer: SQLiteConnection
    let writeLock = AsyncMutex()
    let readLocks: [AsyncMutex]
    let checkpointLock = AsyncMutex()
    let nextReader = NIOLockedValueBox(0)
    let closed = NIOLockedValueBox(false)
    let checkpointTask = NIOLockedValueBox<Task<Void, Never>?>(nil)
    let logger: Logger
    /// How often the background checkpoint runs.
    static let checkpointInterval: Duration = .milliseconds(250)

    init(writer: SQLiteConnection, readers: [SQLiteConnection], checkpointer: SQLiteConnection, logger: Logger) {
        self.writer = writer
        self.readers = readers
        self.checkpointer = checkpointer
        self.readLocks = readers.map { _ in AsyncMutex() }
        self.logger = logger
    }

    /// Checkpoints off the commit path. With SQLite's automatic checkpoint, the commit that
    /// happens to push the write-ahead log past 1,000 pages copies them into the database file
    /// itself: one request in every few dozen writes waited ~10 ms longer (the p99 of single-event
    /// POSTs). The writer's automatic checkpoint is off (`wal_autocheckpoint=0`) and a connection
    /// of its own runs a PASSIVE checkpoint four times a second instead, which copies what it can
    /// without waiting for readers or blocking the writer. The log is truncated at shutdown.
    func checkpoints() async {
        while !Task.isCancelled, !closed.withLockedValue({ $0 }) {
            do { try await Task.sleep(for: Self.checkpointInterval) } catch { return }
            await checkpointLock.lock()
            if !closed.withLockedValue({ $0 }) {
                do { _ = try await checkpointer.query("PRAGMA wal_checkpoint(PASSIVE)") } catch {
                    logger.warning("background checkpoint failed: \(error)")
                }
            }
            await checkpointLock.unlock()
        }
    }

    static func open(path: String, logger: Logger) async throws -> SQLiteBackend {
        let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        do {
            // The busy timeout first: switching to WAL needs a lock that another process opening the
            // same new file (e.g. two instances migrating at once) may briefly hold.
            for pragma in ["PRAGMA busy_timeout=5000", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON",
                           "PRAGMA wal_autocheckpoint=0", "PRAGMA journal_size_limit=67108864"] {
                _ = try await writer.query(pragma)
            }
            var readers: [SQLiteConnection] = []
            for _ in 0..<2 {
                let r = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                for pragma in ["PRAGMA busy_timeout=5000", "PRAGMA foreign_keys=ON", "PRAGMA query_only=ON"] {
                    _ = try await r.query(pragma)
                }
                readers.append(r)
            }
            let checkpointer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            _ = try await checkpointer.query("PRAGMA busy_timeout=5000")
            let backend = SQLiteBackend(writer: writer, readers: readers, checkpointer: checkpointer, logger: logger)
            backend.checkpointTask.withLockedValue { $0 = Task { await backend.checkpoints() } }
            return backend
        } catch {
            try? await writer.close()
            throw error
        }
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard !closed.withLockedValue({ $0 }) else { throw DatabaseError.closed }
        let i = nextReader.withLockedValue { v -> Int in
            v = (v + 1) % readers.count
            return v
        }
        await readLocks[i].lock()
        // Closed while this read waited for its connection: never touch a closed connection.
        if closed.withLockedValue({ $0 }) {
            await readLocks[i].unlock()
            throw DatabaseError.closed
        }
        do {
            let r = try await body(readers[i].sql())
            await readLocks[i].unlock()
            return r
        } catch {
            await readLocks[i].unlock()
            throw error
        }
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard !closed.withLockedValue({ $0 }) else { throw DatabaseError.closed }
        await writeLock.lock()
        // Closed while this write waited for the writer: never touch a closed connection.
        if closed.withLockedValue({ $0 }) {
            await writeLock.unlock()
            throw DatabaseError.closed
        }
        let sql = SQLiteWriterSQL(writer)
        do {
            try await sql.raw("BEGIN IMMEDIATE").run()
        } catch {
            await writeLock.unlock()
            throw error
        }
        do {
            let r = try await body(sql)
            try await sql.raw("COMMIT").run()
            await writeLock.unlock()
            return r
        } catch {
            do { try await sql.raw("ROLLBACK").run() } catch {
                // After SQLITE_FULL or an I/O error SQLite may have rolled the transaction back itself.
                if !"\(error)".contains("no transaction is active") { logger.error("rollback failed: \(error)") }
            }
            await writeLock.unlock()
            throw error
        }
    }

    func shutdown() async {
        let already = closed.withLockedValue { v -> Bool in
            defer { v = true }
            return v
        }
        guard !already else { return }
        // Wait for the reads and the write in flight (a background job may be mid-query): closing
        // a connection while a statement runs on it fails and leaves it open.
        checkpointTask.withLockedValue { $0?.cancel() }
        await checkpointLock.lock()
        do { try await checkpointer.close() } catch { logger.error("closing the checkpoint connection failed: \(error)") }
        await checkpointLock.unlock()
        await writeLock.lock()
        for (i, r) in readers.enumerated() {
            await readLocks[i].lock()
            do { try await r.close() } catch { logger.error("closing a read connection failed: \(error)") }
            await readLocks[i].unlock()
        }
        // Everything into the database file, the log emptied (as the automatic checkpoint would
        // have done at the last connection's close).
        _ = try? await writer.query("PRAGMA wal_checkpoint(TRUNCATE)")
        do { try await writer.close() } catch { logger.error("closing the write connection failed: \(error)") }
        await writeLock.unlock()
    }
}

// MARK: - PostgreSQL

/// A pooled connection's SQL that refuses to send a statement once the server has closed the
/// connection (``DatabaseError/unavailable(_:)``): PostgresNIO writes a query to a closed channel
/// without noticing, and its answer never comes. A statement in flight when the connection drops
/// is failed by PostgresNIO itself.
private struct LiveConnectionSQL: ConnectionSQL {
    let base: any SQLDatabase
    let connection: PostgresConnection

    init(_ connection: PostgresConnection) {
        self.connection = connection
        self.base = connection.sql()
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        guard !connection.isClosed else { return eventLoop.makeFailedFuture(DatabaseError.unavailable("the connection was closed by the server")) }
        return base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        guard !connection.isClosed else { throw DatabaseError.unavailable("the connection was closed by the server") }
        try await base.execute(sql: query, onRow)
    }
}

extension LiveConnectionSQL: BulkExecutor {
    func run(_ statement: BulkStatement) async throws {
        guard !connection.isClosed else { throw DatabaseError.unavailable("the connection was closed by the server") }
        for try await _ in try await connection.runBulk(statement, logger: logger) {}
    }

    func rows(_ statement: BulkStatement, _ columns: [BulkColumn]) async throws -> [[BulkValue]] {
        guard !connection.isClosed else { throw DatabaseError.unavailable("the connection was closed by the server") }
        return try await connection.bulkRows(statement, columns, logger: logger)
    }
}

private final class PostgresBackend: Sendable {
    let client: PostgresClient
    let runTask: Task<Void, Never>
    /// How long an operation waits for a connection before it fails as ``DatabaseError/unavailable(_:)``:
    /// `connect_timeout` (seconds, as libpq names it) in the URL, 5 s by default. While the server is
    /// down the pool would otherwise queue every request until its circuit breaker opens (60 s).
    let leaseWait: Duration

    init(url: String, logger: Logger) throws {
        guard let c = URLComponents(string: url), let host = c.host, !host.isEmpty, let user = c.user else {
            throw DatabaseError.badURL(DatabaseLocation.postgres(url: url).description)
        }
        let items = c.queryItems ?? []
        let sslmode = items.last { ["sslmode", "tlsmode", "ssl"].contains($0.name.lowercased()) }?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch sslmode {
        case "disable", "false": tls = .disable
        case "prefer", "allow", "true": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw DatabaseError.badURL("sslmode=\(sslmode)")
        }
        let dbName = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        var config = PostgresClient.Configuration(
            host: host, port: c.port ?? 5432, username: user,
            password: c.password.map { $0.removingPercentEncoding ?? $0 },
            database: dbName.isEmpty ? nil : dbName, tls: tls)
        config.options.maximumConnections = 10
        let wait = items.last { $0.name == "connect_timeout" }?.value.flatMap { Int($0) }.map { max(1, $0) } ?? 5
        config.options.connectTimeout = .seconds(wait)
        self.leaseWait = .seconds(wait)
        if let sp = items.first(where: { $0.name == "search_path" })?.value {
            config.options.additionalStartupParameters = [("search_path", sp)]
        }
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        self.client = client
        self.runTask = Task { await client.run() }
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await leased { conn in try await body(LiveConnectionSQL(conn)) }
    }

    /// Runs `body` on a pooled connection, waiting at most ``leaseWait`` for one; the wait is cut
    /// short (the pool's request cancelled) and ``DatabaseError/unavailable(_:)`` thrown when the
    /// pool cannot hand one out in time. Once `body` has its connection it runs as long as it needs.
    private func leased<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let wait = leaseWait
        let state = NIOLockedValueBox(LeaseState.waiting)
        let client = self.client
        return try await withoutActuallyEscaping(body) { body in
            try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await client.withConnection { conn in
                        let go = state.withLockedValue { s -> Bool in
                            guard s == .waiting else { return false }
                            s = .leased
                            return true
                        }
                        guard go else { throw DatabaseError.unavailable("no connection within \(wait)") }
                        return try await body(conn)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: wait)
                    let late = state.withLockedValue { s -> Bool in
                        guard s == .waiting else { return false }
                        s = .timedOut
                        return true
                    }
                    if late { throw DatabaseError.unavailable("no connection within \(wait)") }
                    return nil
                }
                while let r = try await group.next() {
                    if let r {
                        group.cancelAll()
                        return r
                    }
                }
                throw DatabaseError.unavailable("no connection")
            }
        }
    }

    private enum LeaseState: Sendable { case waiting, leased, timedOut }

    /// `BEGIN`, `body`, `COMMIT`; on any error `ROLLBACK`, unless the connection is gone (the
    /// server then rolls the transaction back itself). Not PostgresNIO's `withTransaction`: it sends
    /// `ROLLBACK` on a connection the server has closed, and a query written to a closed channel is
    /// never answered (the request would hang; found by scripts/fault-test.py).
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T, logger: Logger) async throws -> T {
        try await leased { conn in
            let sql = LiveConnectionSQL(conn)
            try await sql.raw("BEGIN").run()
            do {
                let r = try await body(sql)
                try await sql.raw("COMMIT").run()
                return r
            } catch {
                if !conn.isClosed {
                    do { try await sql.raw("ROLLBACK").run() } catch { logger.error("rollback failed: \(String(reflecting: error))") }
                }
                throw error
            }
        }
    }

    func shutdown() async {
        runTask.cancel()
        await runTask.value
    }
}
