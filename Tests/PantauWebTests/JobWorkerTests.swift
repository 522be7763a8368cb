import Foundation
import PantauStore
import PantauTestSupport
import PantauWeb
import Testing

@Suite("Background jobs: the worker service")
struct JobWorkerTests {
    @Test("Two workers on one database run a queued re-check once; the case is re-checked to the same result", arguments: TestEngine.all)
    func workerRunsQueuedJobOnce(_ engine: TestEngine) async throws {
        // The app's own job worker is off: on PostgreSQL the change listener wakes it as soon as
        // the job is queued, and it would take the job before the two workers under test.
        try await withTestApp(engine, configure: { $0.jobInterval = 0 }) { fx, _ in
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

    @Test("The app runs its own job worker every PANTAU_JOB_INTERVAL seconds: a queued re-check is done without anyone asking")
    func appRunsItsJobWorker() async throws {
        try await withTestApp(.sqlite, configure: { $0.jobInterval = 0.2 }) { fx, _ in
            let sop = try #require(fx.sops["imunisasi"])
            let job = try await fx.store.requestReanalysis(sopID: sop, by: .system)
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(120)
            while clock.now < deadline, try await !fx.store.jobs(openOnly: true).isEmpty {
                try await Task.sleep(for: .milliseconds(50))
            }
            let done = try #require(try await fx.store.jobs().first { $0.id == job })
            #expect(done.doneAt != nil && done.lastError == nil)
        }
    }

    @Test("PANTAU_JOB_INTERVAL: 5 s by default, 0 runs no job worker, anything else is refused naming the setting")
    func jobIntervalSetting() throws {
        #expect(try AppConfig.fromEnvironment([:]).jobInterval == 5)
        #expect(try AppConfig.fromEnvironment(["PANTAU_JOB_INTERVAL": "0"]).jobInterval == 0)
        #expect(try AppConfig.fromEnvironment(["PANTAU_JOB_INTERVAL": "30"]).jobInterval == 30)
        for bad in ["-1", "lima", "4000"] {
            #expect { try AppConfig.fromEnvironment(["PANTAU_JOB_INTERVAL": bad]) } throws: { error in
                String(describing: error).contains("PANTAU_JOB_INTERVAL")
            }
        }
    }
}
