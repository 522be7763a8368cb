import Foundation
import Logging
import PantauStore
import SQLKit

/// The engines store tests run on: SQLite always, PostgreSQL when `PANTAU_TEST_DATABASE_URL`
/// is set (`.ci/run` sets it). Use as `@Test(arguments: TestEngine.all)`.
public enum TestEngine: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public static var postgresURL: String? {
        let v = ProcessInfo.processInfo.environment["PANTAU_TEST_DATABASE_URL"] ?? ""
        return v.isEmpty ? nil : v
    }

    /// SQLite, plus PostgreSQL when configured.
    public static var all: [TestEngine] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    public var description: String { rawValue }
}

/// A fresh, empty database location for one test, removed afterwards.
///
/// SQLite: a new file in a temporary folder. PostgreSQL: a new schema in the test database
/// (`search_path` set on every pooled connection), dropped at the end.
public func withTestDatabase<T: Sendable>(_ engine: TestEngine, _ body: (DatabaseLocation) async throws -> T) async throws -> T {
    var logger = Logger(label: "pantau.test")
    logger.logLevel = .warning
    switch engine {
    case .sqlite:
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pantau-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try await body(.sqlite(path: dir.appendingPathComponent("test.sqlite").path))
    case .postgres:
        guard let url = TestEngine.postgresURL else { throw DatabaseError.badURL("PANTAU_TEST_DATABASE_URL not set") }
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try await Database.open(.postgres(url: url), logger: logger)
        do {
            try await admin.transaction { sql in try await sql.raw("CREATE SCHEMA \(unsafeRaw: schema)").run() }
            let sep = url.contains("?") ? "&" : "?"
            let r = try await body(.postgres(url: url + sep + "search_path=" + schema))
            try await admin.transaction { sql in try await sql.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
            await admin.shutdown()
            return r
        } catch {
            try? await admin.transaction { sql in try await sql.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
            await admin.shutdown()
            throw error
        }
    }
}

/// The fixed audit key of test stores and test apps (never used outside tests).
public let testAuditKeySecret = "pantau-test-audit-key-0123456789abcdef"
public let testAuditKey: AuditKey = {
    do { return try AuditKey(secret: testAuditKeySecret) } catch { fatalError("\(error)") }
}()

/// A fresh, migrated store for one test (audit entries keyed with ``testAuditKey``), closed and
/// removed afterwards.
public func withTestStore<T: Sendable>(
    _ engine: TestEngine, clock: TestClock? = nil,
    _ body: (PantauStore) async throws -> T
) async throws -> T {
    var logger = Logger(label: "pantau.test")
    logger.logLevel = .warning
    return try await withTestDatabase(engine) { location in
        let db = try await Database.open(location, logger: logger)
        return try await run(db, now: clock?.closure, body)
    }
}

private func run<T: Sendable>(_ db: Database, now: (@Sendable () -> Date)?, _ body: (PantauStore) async throws -> T) async throws -> T {
    do {
        try await Migrator(database: db).migrate()
        let store = now.map { PantauStore(database: db, now: $0, auditKey: testAuditKey) } ?? PantauStore(database: db, auditKey: testAuditKey)
        let r = try await body(store)
        await db.shutdown()
        return r
    } catch {
        await db.shutdown()
        throw error
    }
}

/// Runs raw SQL against a store's database (for tests that tamper with tables).
public func rawExecute(_ store: PantauStore, _ sql: String) async throws {
    try await store.database.transaction { db in try await db.raw(SQLQueryString(sql)).run() }
}

/// A settable clock for tests.
public final class TestClock: Sendable {
    private let value: LockedBox<Date>
    public init(_ start: Date = Date(timeIntervalSince1970: 1_780_000_000)) { value = LockedBox(start) }
    public var now: Date { value.get() }
    public func advance(_ seconds: TimeInterval) { value.mutate { $0 += seconds } }
    public var closure: @Sendable () -> Date { { [value] in value.get() } }
}

final class LockedBox<T: Sendable>: @unchecked Sendable {
    private var v: T
    private let lock = NSLock()
    init(_ v: T) { self.v = v }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return v }
    func mutate(_ f: (inout T) -> Void) { lock.lock(); defer { lock.unlock() }; f(&v) }
}

extension PantauStore {
    /// Marks a migration as not applied (tests of the readiness probe only; the schema is left as it is).
    public func forgetMigrationForTests(_ number: Int) async throws {
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM schema_migrations WHERE version = \(bind: number)").run()
        }
    }
}

/// Waits until `condition` holds, checking every 50 ms, for at most `seconds`; the caller then
/// checks the outcome. For things that happen in the background (a notification heard, a
/// checkpoint run): on an idle machine they take milliseconds, while the whole suite runs they
/// can take seconds, so the bound is generous and the wait ends as soon as the condition holds.
public func waitUntil(seconds: Double = 30, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while try await !condition(), ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(50))
    }
}
