import Foundation
import PantauStore
import PantauTestSupport
import PantauWeb
import Testing

@Suite("Background jobs: the worker service")
struct JobWorkerTests {
    @Test("Two workers on one database run a queued re-check once; the case is re-checked to the same result", arguments: TestEngine.all)
    func workerRunsQueuedJobOnce(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, _ in
            let sop = try #require(fx.sops["imunisasi"])
            let caseID = try #require(fx.cases["imunisasi"])
            let before = try await fx.store.serviceCase(id: caseID).summary
            let job = try await fx.store.requestReanalysis(sopID: sop, by: .system)
            #expect(try await fx.store.jobs(openOnly: true).map(\.id) == [job])
            let a = JobWorker(store: fx.store, worker: "A", policy: JobPolicy(lease: 60, chunk: 1))
            let b = JobWorker(store: fx.store, worker: "B", policy: JobPolicy(lease: 60, chunk: 1))
            async let ra = a.runOnce()
            async let rb = b.runOnce()
            let finished = await ra + rb
            #expect(finished == 1)
            #expect(try await fx.store.jobs(openOnly: true).isEmpty)
            let done = try #require(try await fx.store.jobs().first { $0.id == job })
            #expect(done.doneAt != nil && done.lastError == nil && done.claimedBy == nil)
            let after = try await fx.store.serviceCase(id: caseID).summary
            #expect(after == before)
            let entries = try await fx.store.auditEntries(AuditQuery(entity: "sop", action: "monitoring.reanalysed")).items
            #expect(entries.count == 1 && entries.first?.newValue?.contains("\"cases\":\"1\"") == true)
            // Nothing left: another round finds no work.
            #expect(await a.runOnce() == 0)
        }
    }
}
