import Foundation
import Logging
import PantauStore
import PantauTestSupport
import SQLKit
import Testing

/// SQLite's write-ahead log is copied into the database file in the background, not by the commit
/// that happens to fill it (Database.swift, `SQLiteBackend.checkpoints()`), and emptied at shutdown.
@Suite struct SQLiteCheckpointTests {
    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    @Test func committedPagesReachTheDatabaseFileWhileItIsOpenAndTheLogIsEmptiedAtShutdown() async throws {
        try await withTestDatabase(.sqlite) { location in
            guard case let .sqlite(path) = location else { return }
            var logger = Logger(label: "pantau.test")
            logger.logLevel = .warning
            let db = try await Database.open(location, logger: logger)
            try await db.transaction { sql in try await sql.raw("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)").run() }
            // Let the table's creation be checkpointed, then measure.
            try await Task.sleep(for: .seconds(1))
            let before = Self.size(path)
            for i in 0..<200 {
                try await db.transaction { sql in
                    try await sql.raw("INSERT INTO t (v) VALUES (\(bind: String(repeating: "x", count: 2000) + String(i)))").run()
                }
            }
            #expect(Self.size(path + "-wal") > 0, "the commits went to the log")
            // No commit copies the log any more (the automatic checkpoint is off): the file grows
            // only through the background checkpoint.
            try await waitUntil { Self.size(path) > before + 200 * 2000 }
            let grown = Self.size(path) > before + 200 * 2000
            #expect(grown, "database file \(before) → \(Self.size(path)) bytes while open")
            let rows = try await db.read { sql in
                try #require(try await sql.raw("SELECT COUNT(*) AS n FROM t").first()).decode(column: "n", as: Int.self)
            }
            #expect(rows == 200)
            await db.shutdown()
            #expect(Self.size(path + "-wal") == 0, "the log is emptied at shutdown")
        }
    }
}
