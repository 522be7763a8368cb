import Foundation
import Logging
import PantauCore
import PantauStore
import PantauTestSupport
import SQLKit
import Testing

/// Faults the database layer turns into ``DatabaseError``s (docs/operations.md#faults): a full disk
/// on SQLite (made with `PRAGMA max_page_count`, which SQLite answers with SQLITE_FULL exactly as
/// it does for a full disk) and a PostgreSQL server that does not answer. scripts/fault-test.py
/// makes the same faults for real against a running server.
@Suite("Database faults: full disk, unreachable server")
struct DatabaseFaultTests {
    /// A batch of `n` new events for `sop`.
    static func batch(_ prefix: String, sop: Int64, n: Int) -> [EventInput] {
        let start = Date().addingTimeInterval(-5 * 86400)
        return (0..<n).map { i in
            EventInput(clientID: "\(prefix)-\(i)", sopID: sop, caseReference: "\(prefix)-C\(i / 4)", activity: "Pendaftaran Permohonan \(i % 4)",
                       at: start.addingTimeInterval(Double(i) * 60), startedAt: nil, closesCase: false)
        }
    }

    static func count(_ store: PantauStore, _ table: String) async throws -> Int {
        try await store.database.read { sql in
            try #require(try await sql.raw(SQLQueryString("SELECT COUNT(*) AS n FROM \(table)")).first()).decode(column: "n", as: Int.self)
        }
    }

    static func setMaxPages(_ store: PantauStore, _ pages: Int) async throws {
        // The writer connection's limit (PRAGMA max_page_count is per connection): writes go there.
        try await rawExecute(store, "PRAGMA max_page_count = \(pages)")
    }

    @Test("SQLite with a full disk: storageFull, nothing of the batch stored, reads go on, writes work again once there is room")
    func sqliteFullDisk() async throws {
        try await withTestStore(.sqlite) { store in
            _ = try await DemoAgency.seed(into: store)
            let sop = try await store.database.read { sql in
                try #require(try await sql.raw("SELECT id FROM sops ORDER BY id LIMIT 1").first()).decode(column: "id", as: Int64.self)
            }
            let scope = IngestScope(allowedUnits: nil, source: .api, receivedBy: "test")
            let pages = try await store.database.read { sql in
                try #require(try await sql.raw("PRAGMA page_count").first()).decode(column: "page_count", as: Int.self)
            }
            let events = try await Self.count(store, "service_events")
            let audit = try await Self.count(store, "audit_log")
            try await Self.setMaxPages(store, pages)
            let big = Self.batch("full", sop: sop, n: 400)
            do {
                _ = try await store.ingestEvents(big, scope: scope, by: .cli)
                Issue.record("a batch that does not fit was stored")
            } catch let e as DatabaseError {
                guard case let .storageFull(why) = e else {
                    Issue.record("expected storageFull, got \(e)")
                    return
                }
                #expect(why.contains("SQLite"), "\(why)")
                #expect(e.description.contains("storage is full"))
            }
            // Nothing of it: no event, no audit entry; reads answer.
            #expect(try await Self.count(store, "service_events") == events)
            #expect(try await Self.count(store, "audit_log") == audit)
            #expect(try await store.userCount() >= 0)
            // Room again: the same batch is stored whole, once.
            try await Self.setMaxPages(store, 1_073_741_823)
            let out = try await store.ingestEvents(big, scope: scope, by: .cli)
            #expect(out.allSatisfy { if case .stored = $0 { return true } else { return false } })
            #expect(try await Self.count(store, "service_events") == events + big.count)
            #expect(try await store.verifyAudit().ok)
        }
    }

    // "Not a hang" is the time limit; that the configured 1 s wait is what answered (the pool used
    // to wait 60 s) is read from the error, not from a clock: on a loaded CI machine the whole
    // test took 13.7 s and once 45 s while the timer waited for a thread.
    @Test("A PostgreSQL server that is not there: unavailable within the connection wait (connect_timeout), not a hang",
          .timeLimit(.minutes(3)))
    func postgresNotThere() async throws {
        // A port nothing listens on.
        let port = try freePort()
        var logger = Logger(label: "pantau.test")
        logger.logLevel = .critical
        do {
            let db = try await Database.open(.postgres(url: "postgres://postgres@127.0.0.1:\(port)/pantau?sslmode=disable&connect_timeout=1"), logger: logger)
            await db.shutdown()
            Issue.record("opened a database on a port nobody listens on")
        } catch let e as DatabaseError {
            guard case .unavailable = e else {
                Issue.record("expected unavailable, got \(e)")
                return
            }
            #expect(e.description.contains("cannot be reached"))
            #expect(e.description.contains("within 1.0 seconds"), "the configured wait answered: \(e)")
        }
    }

    @Test("Engine errors that are not faults stay what they are")
    func notFaults() {
        #expect(DatabaseError.fault(in: DatabaseError.badURL("x")) == nil)
        #expect(DatabaseError.fault(in: CancellationError()) == nil)
        if case .storageFull = DatabaseError.fault(in: DatabaseError.storageFull("disk")) {} else { Issue.record("storageFull is a fault") }
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on (bound and closed again).
private func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}
