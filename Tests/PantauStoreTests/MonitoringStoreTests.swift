import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import SQLKit
import Testing

/// The shared synthetic permit log (`sop_izin_1k.csv`) beside this checkout.
private let izinLog: URL? = {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    if let d = ProcessInfo.processInfo.environment["PANTAU_SHARED_DIR"] {
        let u = URL(fileURLWithPath: d).appendingPathComponent("data/eventlogs/sop_izin_1k.csv")
        if FileManager.default.fileExists(atPath: u.path) { return u }
    }
    for _ in 0..<6 {
        dir = dir.deletingLastPathComponent()
        let u = dir.appendingPathComponent("shared/data/eventlogs/sop_izin_1k.csv")
        if FileManager.default.fileExists(atPath: u.path) { return u }
    }
    return nil
}()

private func exampleSOP() throws -> SOPDocument {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    dir = dir.deletingLastPathComponent().deletingLastPathComponent()
    let text = try String(contentsOf: dir.appendingPathComponent("docs/examples/sop-penerbitan-izin-usaha.yaml"), encoding: .utf8)
    return try SOPFile.decode(text, format: .yaml)
}

/// Events of a log as the ingestion API receives them (start and completion in one event).
func eventInputs(_ log: EventLog, sopID: Int64) -> [EventInput] {
    var out: [EventInput] = []
    for c in 0..<log.caseCount {
        for e in log.events(ofCase: c) {
            let ev = log.event(e)
            out.append(EventInput(clientID: "\(ev.caseID)#\(e)", sopID: sopID, caseReference: ev.caseID, activity: ev.activity,
                                  at: Date(timeIntervalSince1970: ev.complete ?? 0), startedAt: ev.start.map { Date(timeIntervalSince1970: $0) },
                                  resource: ev.resource))
        }
    }
    return out
}

@Suite("Monitoring store: cases, events, incremental analysis")
struct MonitoringStoreTests {
    static func seedSOP(_ store: PantauStore, _ doc: SOPDocument) async throws -> (sop: Int64, unit: Int64) {
        let unit = try await store.createUnit(UnitInput(parentID: nil, code: "DPMPTSP", name: "Dinas Penanaman Modal dan PTSP", level: .instansi), by: .cli)
        let sop = try await store.createSOP(unitID: unit.id, document: doc, by: .cli)
        return (sop.id, unit.id)
    }

    @Test("Stored per-case results sum to what pantau analyze reports on the same log", arguments: TestEngine.all)
    func figuresAgreeWithTheWholeLogAnalysis(_ engine: TestEngine) async throws {
        guard let url = izinLog else { Issue.record("shared/data/eventlogs missing"); return }
        let doc = try exampleSOP()
        let log = try CSVReader().read(contentsOf: url)
        let conformance = try SOPConformance(options: .init(includeCases: false)).check(log, against: doc)
        let performance = SOPPerformance().analyze(log, against: doc)
        try await withTestStore(engine) { store in
            let (sopID, _) = try await Self.seedSOP(store, doc)
            let inputs = eventInputs(log, sopID: sopID)
            let scope = IngestScope(allowedUnits: nil, source: .import, receivedBy: "test")
            for chunk in stride(from: 0, to: inputs.count, by: 2_000) {
                let out = try await store.ingestEvents(Array(inputs[chunk..<min(chunk + 2_000, inputs.count)]), scope: scope, by: .cli)
                #expect(out.allSatisfy { if case .stored = $0 { return true } else { return false } })
            }
            let m = try await store.monitoring(sopID: sopID, filter: MonitoringFilter())
            #expect(m.cases == log.caseCount)
            #expect(m.compliantCases == conformance.compliantCases)
            for s in conformance.steps {
                let t = m.steps.first { $0.key == s.stepID }
                #expect((t?.deviations ?? DeviationCounts()) == s.deviations, "step \(s.stepID)")
                #expect((t?.cases ?? 0) >= s.compliantCases)
            }
            for s in performance.steps {
                let t = m.steps.first { $0.key == s.stepID }
                #expect((t?.occurrences ?? 0) == s.occurrences, "step \(s.stepID)")
                #expect((t?.withinStandard ?? 0) == (s.withinStandard ?? 0), "step \(s.stepID)")
            }
            // Re-sending the whole log stores nothing twice.
            let again = try await store.ingestEvents(Array(inputs.prefix(500)), scope: scope, by: .cli)
            #expect(again.allSatisfy { if case .duplicate = $0 { return true } else { return false } })
            let m2 = try await store.monitoring(sopID: sopID, filter: MonitoringFilter())
            #expect(m2 == m)
        }
    }

    @Test("Concurrent batches into one case: the stored analysis sees every event", arguments: TestEngine.all)
    func concurrentBatchesIntoOneCaseAreAllAnalysed(_ engine: TestEngine) async throws {
        let doc = try exampleSOP()
        try await withTestStore(engine) { store in
            let (sopID, _) = try await Self.seedSOP(store, doc)
            let scope = IngestScope(allowedUnits: nil, source: .api, receivedBy: "test")
            let start = Date().addingTimeInterval(-86_400)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for sender in 0..<4 {
                    group.addTask {
                        for round in 0..<5 {
                            let events = (0..<10).map { k in
                                EventInput(clientID: "s\(sender)-r\(round)-\(k)", sopID: sopID, caseReference: "SHARED-\(k % 2)",
                                           activity: doc.steps[1].activity,
                                           at: start.addingTimeInterval(Double(sender * 1000 + round * 10 + k)))
                            }
                            _ = try await store.ingestEvents(events, scope: scope, by: .cli)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let cases = try await store.serviceCases(sopID: sopID, filter: MonitoringFilter())
            #expect(cases.total == 2)
            for c in cases.items {
                let detail = try await store.serviceCase(id: c.id)
                #expect(detail.events.count == 100)
                #expect(c.events == 100, "case \(c.reference): analysis saw \(c.events) of 100 events")
                #expect(detail.analysis?.path.count == 100)
            }
        }
    }

    @Test("An activity outside the SOP is stored as its own row: occurrences and unexpected, nothing else; its arcs are kept", arguments: TestEngine.all)
    func activityOutsideTheSOPKeepsItsColumns(_ engine: TestEngine) async throws {
        let doc = try exampleSOP()
        try await withTestStore(engine) { store in
            let (sopID, _) = try await Self.seedSOP(store, doc)
            let scope = IngestScope(allowedUnits: nil, source: .api, receivedBy: "test")
            let start = Date().addingTimeInterval(-86_400)
            let first = doc.steps[0].activity
            let events = [
                EventInput(clientID: "o-1", sopID: sopID, caseReference: "LUAR-1", activity: first, at: start),
                EventInput(clientID: "o-2", sopID: sopID, caseReference: "LUAR-1", activity: "Minta tanda tangan lurah", at: start.addingTimeInterval(600)),
                EventInput(clientID: "o-3", sopID: sopID, caseReference: "LUAR-1", activity: "Minta tanda tangan lurah", at: start.addingTimeInterval(900)),
            ]
            let out = try await store.ingestEvents(events, scope: scope, by: .cli)
            #expect(out.allSatisfy { if case .stored = $0 { return true } else { return false } })
            let m = try await store.monitoring(sopID: sopID, filter: MonitoringFilter())
            let outside = try #require(m.steps.first { $0.key == "?Minta tanda tangan lurah" })
            var unexpected = DeviationCounts()
            unexpected.unexpected = 2
            #expect(outside.cases == 1 && outside.occurrences == 2 && outside.deviations == unexpected && outside.casesUnexpected == 1)
            #expect(outside.measured == 0 && outside.withinStandard == 0 && outside.seconds == 0 && outside.excessSeconds == 0
                && outside.waited == 0 && outside.waitingSeconds == 0 && outside.reworkSeconds == 0)
            #expect(outside.casesSkipping == 0 && outside.casesRepeating == 0 && outside.casesOutOfOrder == 0)
            let unmapped = try await store.unmappedActivities(sopID: sopID)
            #expect(unmapped.map(\.activity) == ["Minta tanda tangan lurah"] && unmapped.map(\.events) == [2])
            // The arcs from the first step into the unexpected activity and back to itself, with their waits.
            let stepID = doc.steps[0].id
            let into = try #require(m.arcs.first { $0.source == stepID && $0.target == "?Minta tanda tangan lurah" })
            #expect(into.count == 1 && into.seconds == 600)
        }
    }
}

@Suite("Monitoring store on PostgreSQL: the tables an ingestion writes")
struct MonitoringTablesTests {
    /// Tables of the test's schema with statistics (analysed by Pantau or by autovacuum).
    static func analysed(_ store: PantauStore) async throws -> Set<String> {
        try await store.database.read { sql in
            Set(try await sql.raw("""
                SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema()
                AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)
                """).all().map { try $0.decode(column: "relname", as: String.self) })
        }
    }

    @Test("A first large import gives PostgreSQL statistics on the tables it grew, so its lookups probe the indexes")
    func firstImportAnalysesTheTablesItGrew() async throws {
        guard TestEngine.postgresURL != nil, let url = izinLog else { return }
        let doc = try exampleSOP()
        let log = try CSVReader().read(contentsOf: url)
        try await withTestStore(.postgres) { store in
            let (sopID, _) = try await MonitoringStoreTests.seedSOP(store, doc)
            let grown: Set<String> = ["service_events", "case_steps", "case_arcs"]
            #expect(try await Self.analysed(store).isDisjoint(with: grown))
            let inputs = eventInputs(log, sopID: sopID)
            let scope = IngestScope(allowedUnits: nil, source: .import, receivedBy: "test")
            for chunk in stride(from: 0, to: inputs.count, by: 2_000) {
                _ = try await store.ingestEvents(Array(inputs[chunk..<min(chunk + 2_000, inputs.count)]), scope: scope, by: .cli)
            }
            // Tables are checked at most once a second, after a batch: later senders' batches
            // (here the first events again, acknowledged as duplicates) bring the check.
            try await waitUntil {
                _ = try await store.ingestEvents(Array(inputs.prefix(5)), scope: scope, by: .cli)
                return try await grown.isSubset(of: Self.analysed(store))
            }
            #expect(try await grown.isSubset(of: Self.analysed(store)))
        }
    }

    @Test("Foreign keys of events and derived rows: kept on SQLite, dropped on PostgreSQL (migration 18); a case keeps its keys to its SOP and unit", arguments: TestEngine.all)
    func derivedRowsHaveNoForeignKeysOnPostgres(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let keys = try await store.database.read { sql -> Set<String> in
                var out = Set<String>()
                for table in ["service_cases", "service_events", "case_steps", "case_arcs"] {
                    if engine == .postgres {
                        for r in try await sql.raw("""
                            SELECT a.attname FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
                            WHERE c.contype = 'f' AND c.conrelid = \(bind: table)::regclass
                            """).all() { out.insert(table + "." + (try r.decode(column: "attname", as: String.self))) }
                    } else {
                        for r in try await sql.raw(SQLQueryString("PRAGMA foreign_key_list(\(table))")).all() {
                            out.insert(table + "." + (try r.decode(column: "from", as: String.self)))
                        }
                    }
                }
                return out
            }
            let cases: Set<String> = ["service_cases.sop_id", "service_cases.unit_id"]
            if engine == .postgres {
                #expect(keys == cases)
            } else {
                #expect(keys == cases.union(["service_events.case_id", "service_events.sop_id", "case_steps.case_id", "case_arcs.case_id"]))
            }
        }
    }
}
