import Foundation
import NIOConcurrencyHelpers
import PantauCore
import PantauStore
import PantauTestSupport
@testable import PantauWeb
import SQLKit
import Testing

/// Group commit of `POST /api/v1/events` (EventIngestQueue): requests arriving while a
/// transaction runs are stored together, each answered with its own outcomes, nothing twice.
@Suite struct EventIngestQueueTests {
    static func events(_ prefix: String, sop: Int64, n: Int, case ref: String) -> [EventInput] {
        let start = Date().addingTimeInterval(-86_400)
        return (0..<n).map { i in
            EventInput(clientID: "\(prefix)-\(i)", sopID: sop, caseReference: ref, activity: "Pendaftaran Permohonan",
                       at: start.addingTimeInterval(Double(i) * 60), startedAt: nil, closesCase: false)
        }
    }

    static func count(_ store: PantauStore, _ q: String) async throws -> Int {
        try await store.database.read { sql in
            try #require(try await sql.raw(SQLQueryString(q)).first()).decode(column: "n", as: Int.self)
        }
    }

    @Test(arguments: TestEngine.all)
    func concurrentRequestsAreStoredOnceEachAndAnsweredWithTheirOwnOutcomes(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            _ = try await DemoAgency.seed(into: store)
            let sop = try await store.database.read { sql in
                try #require(try await sql.raw("SELECT id FROM sops ORDER BY id LIMIT 1").first()).decode(column: "id", as: Int64.self)
            }
            let queue = EventIngestQueue(store: store, concurrency: engine == .sqlite ? 1 : 4)
            let scope = IngestScope(allowedUnits: nil, source: .api, receivedBy: "token:antrean")
            let actor = AuditActor(userID: nil, label: "token:antrean")
            let auditBefore = try await Self.count(store, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'events.ingest'")
            // 40 requests at once: 30 single events, 5 of two events, and 5 repeating an id of the first 5.
            let answers = try await withThrowingTaskGroup(of: (Int, [EventOutcome]).self) { group in
                for r in 0..<40 {
                    group.addTask {
                        let inputs: [EventInput]
                        switch r {
                        case ..<30: inputs = Self.events("q\(r)", sop: sop, n: 1, case: "ANTRE-\(r % 7)")
                        case ..<35: inputs = Self.events("q\(r)", sop: sop, n: 2, case: "ANTRE-\(r % 7)")
                        default: inputs = Self.events("q\(r - 35)", sop: sop, n: 1, case: "ANTRE-\((r - 35) % 7)")
                        }
                        return (r, try await queue.ingest(inputs, scope: scope, by: actor))
                    }
                }
                return try await group.reduce(into: [Int: [EventOutcome]]()) { $0[$1.0] = $1.1 }
            }
            for r in 0..<35 {
                #expect(answers[r]?.count == (r < 30 ? 1 : 2))
            }
            // Each of the ids q0-0 … q4-0 was sent twice: stored once, acknowledged twice.
            for r in 0..<5 {
                let both = [answers[r]![0], answers[r + 35]![0]]
                #expect(both.filter { if case .stored = $0 { true } else { false } }.count == 1, "\(both)")
                #expect(both.allSatisfy { $0.isAcknowledged })
            }
            let stored = try await Self.count(store, "SELECT COUNT(*) AS n FROM service_events WHERE client_id LIKE 'q%'")
            #expect(stored == 30 + 10)
            let twice = try await Self.count(store, "SELECT COUNT(*) AS n FROM (SELECT client_id FROM service_events GROUP BY sop_id, client_id HAVING COUNT(*) > 1) d")
            #expect(twice == 0)
            // Fewer transactions than requests (they were grouped), each audited under the sender.
            let audits = try await Self.count(store, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'events.ingest'") - auditBefore
            #expect(audits >= 1 && audits < 40, "\(audits) transactions for 40 requests")
            let verified = try await store.verifyAudit()
            #expect(verified.ok)
        }
    }

    @Test func aFailedTransactionFailsTheRequestsItHeldAndTheQueueGoesOn() async throws {
        try await withTestStore(.sqlite) { store in
            _ = try await DemoAgency.seed(into: store)
            let sop = try await store.database.read { sql in
                try #require(try await sql.raw("SELECT id FROM sops ORDER BY id LIMIT 1").first()).decode(column: "id", as: Int64.self)
            }
            // A batch limit of 3 events: a request of 4 is taken alone and the store refuses it whole.
            let queue = EventIngestQueue(store: store, concurrency: 1, maxEvents: 3)
            let scope = IngestScope(allowedUnits: nil, source: .api, receivedBy: "test")
            let tooMany = Self.events("big", sop: sop, n: EventLimits.maxBatch + 1, case: "BESAR")
            await #expect(throws: StoreError.self) { _ = try await queue.ingest(tooMany, scope: scope, by: .cli) }
            let ok = try await queue.ingest(Self.events("after", sop: sop, n: 2, case: "SESUDAH"), scope: scope, by: .cli)
            #expect(ok.allSatisfy { if case .stored = $0 { true } else { false } })
        }
    }
}
