import Foundation
import PantauStore
import PantauTestSupport
import SQLKit
import Testing

/// Migrations when several instances start together (issue 7 §2.9), and numbering with gaps.
@Suite("Store: concurrent migrations")
struct MigrationLockTests {
    /// Four migrators, each with its own connection pool, on one fresh PostgreSQL database at
    /// once: all succeed and every migration is applied exactly once. This needs the advisory lock
    /// (without it, concurrent `CREATE TABLE`s fail on the catalog's unique index). SQLite is
    /// covered by concurrent `pantau migrate` processes in the CLI tests (in one process, several
    /// SQLite handles on one file would wait for each other on the shared thread pool).
    @Test(.enabled(if: TestEngine.postgresURL != nil))
    func concurrentMigratorsApplyEachMigrationOnce() async throws {
        try await withTestDatabase(.postgres) { location in
            var dbs: [Database] = []
            for _ in 0..<4 { dbs.append(try await Database.open(location)) }
            let databases = dbs
            do {
                let results = try await withThrowingTaskGroup(of: [Int].self) { group in
                    for db in databases { group.addTask { try await Migrator(database: db).migrate().map(\.number) } }
                    var all: [[Int]] = []
                    for try await r in group { all.append(r) }
                    return all
                }
                #expect(results.count == 4)
                #expect(results.flatMap { $0 }.sorted() == allMigrations.map(\.number).sorted(), "\(results)")
                let rows = try await databases[0].read { sql in
                    try await sql.raw("SELECT version FROM schema_migrations ORDER BY version").all().map { try $0.decode(column: "version", as: Int.self) }
                }
                #expect(rows == allMigrations.map(\.number).sorted())
                #expect(try await Migrator(database: databases[1]).isUpToDate())
                for db in databases { await db.shutdown() }
            } catch {
                for db in databases { await db.shutdown() }
                throw error
            }
        }
    }

    /// Numbers may have gaps and need not be listed in order: they run by number, and a pending
    /// lower number is still applied after higher ones.
    @Test(arguments: TestEngine.all)
    func migrationsRunByNumberAndToleratePartialRuns(_ engine: TestEngine) async throws {
        let numbers = allMigrations.map(\.number)
        #expect(Set(numbers).count == numbers.count, "migration numbers are unique")
        try await withTestDatabase(engine) { location in
            let db = try await Database.open(location)
            do {
                let m = Migrator(database: db)
                let first = try await m.migrate(through: 4)
                #expect(first.map(\.number) == numbers.sorted().filter { $0 <= 4 })
                #expect(try await m.pending().map(\.number) == numbers.sorted().filter { $0 > 4 })
                #expect(!(try await m.isUpToDate()))
                #expect(MigrationError.schemaBehind(pending: [8, 9]).description.contains("008, 009"))
                #expect(MigrationError.schemaBehind(pending: [8]).description.contains("pantau migrate"))
                let rest = try await m.migrate()
                #expect(rest.map(\.number) == numbers.sorted().filter { $0 > 4 })
                #expect(try await m.isUpToDate())
                #expect(try await m.pending().isEmpty)
                await db.shutdown()
            } catch {
                await db.shutdown()
                throw error
            }
        }
    }
}
