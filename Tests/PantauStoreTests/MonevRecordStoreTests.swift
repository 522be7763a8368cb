import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

/// Tabel 7 (monitoring) and Tabel 8 (evaluation) records: pre-fill from posted events, sign-off
/// rules, frozen after the evaluator's sign-off, overlapping periods, nothing half-written.
@Suite("Monev records: Tabel 7 and Tabel 8")
struct MonevRecordStoreTests {
    /// A linear SOP: s1 (start) → s2 → s3 → s4 (end), 10 minutes standard each.
    static let sopJSON = #"""
    {"identitas": {"unit": "Puskesmas Uji", "nomor": "SOP/UJI/7", "judul": "Pelayanan Uji", "tanggal_efektif": "2026-01-02",
      "disahkan_oleh": {"jabatan": "Kepala", "nama": "A", "nip": "197001012000031001"}},
     "pelaksana": [{"id": "a", "nama": "Petugas"}],
     "langkah": [
      {"id": "s1", "jenis": "mulai", "kegiatan": "Menerima pendaftaran", "pelaksana": "a", "mutu_baku": {"waktu": "10 menit"}, "berikutnya": "s2"},
      {"id": "s2", "jenis": "proses", "kegiatan": "Skrining", "pelaksana": "a", "mutu_baku": {"waktu": "10 menit"}, "berikutnya": "s3"},
      {"id": "s3", "jenis": "proses", "kegiatan": "Pelayanan", "pelaksana": "a", "mutu_baku": {"waktu": "10 menit"}, "berikutnya": "s4"},
      {"id": "s4", "jenis": "selesai", "kegiatan": "Mencatat hasil", "pelaksana": "a", "mutu_baku": {"waktu": "10 menit"}}]}
    """#

    struct World: Sendable {
        let sop: Int64
        let unit: Int64
        let users: [String: Int64]
    }

    /// Units (Dinas → Puskesmas, and another Puskesmas), the SOP at the Puskesmas, one user per role,
    /// and 10 cases in March 2026: step 2 skipped in cases 0–3, step 3 taking 20 minutes in cases 0–5.
    static func world(_ store: PantauStore) async throws -> World {
        let dinas = try await store.createUnit(UnitInput(parentID: nil, code: "DINKES", name: "Dinas Kesehatan", level: .instansi), by: .cli)
        let pkm = try await store.createUnit(UnitInput(parentID: dinas.id, code: "PKM", name: "Puskesmas Uji", level: .unitKerja), by: .cli)
        let other = try await store.createUnit(UnitInput(parentID: dinas.id, code: "PKM2", name: "Puskesmas Lain", level: .unitKerja), by: .cli)
        let doc = try SOPFile.decode(sopJSON, format: .json)
        let sop = try await store.createSOP(unitID: pkm.id, document: doc, by: .cli)
        var users: [String: Int64] = [:]
        for (name, role, unit) in [("admin", Role.admin, Int64?.none), ("eval", .evaluator, dinas.id), ("mgr", .unitManager, pkm.id),
                                   ("officer", .officer, pkm.id), ("officerOther", .officer, other.id), ("auditor", .auditor, Int64?.none)] {
            users[name] = try await store.createUser(UserInput(username: name, displayName: "Nama \(name)", role: role, unitID: unit),
                                                     passwordHash: "x", by: .cli).id
        }
        var events: [EventInput] = []
        let base = try #require(CivilDate("2026-03-02")).startOfDay()
        for c in 0..<10 {
            var t = base.addingTimeInterval(Double(c) * 86_400 + 8 * 3600)
            for step in ["Menerima pendaftaran", "Skrining", "Pelayanan", "Mencatat hasil"] {
                if step == "Skrining" && c < 4 { continue }
                let minutes: Double = step == "Pelayanan" && c < 6 ? 20 : 5
                events.append(EventInput(clientID: "c\(c)-\(step)", sopID: sop.id, caseReference: "K-\(c)", activity: step,
                                         at: t.addingTimeInterval(minutes * 60), startedAt: t, resource: "Petugas"))
                t = t.addingTimeInterval(minutes * 60 + 60)
            }
        }
        let out = try await store.ingestEvents(events, scope: IngestScope(allowedUnits: nil, source: .api, receivedBy: "test"), by: .cli)
        #expect(out.allSatisfy { if case .stored = $0 { return true } else { return false } })
        return World(sop: sop.id, unit: pkm.id, users: users)
    }

    static func actor(_ w: World, _ name: String) -> AuditActor { AuditActor(userID: w.users[name], label: "user:\(name)") }

    static func problems(_ body: () async throws -> Void) async -> [InputProblem] {
        do { try await body(); return [] }
        catch let StoreError.rejected(p) { return p }
        catch { return [InputProblem("?", "\(error)")] }
    }

    static let s1 = SurveyPeriod("2026-S1")!

    @Test("Tabel 7 is pre-filled from the posted events: skipped and over-standard steps proposed as not working well, with the figures", arguments: TestEngine.all)
    func prefillFromEvents(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let w = try await Self.world(store)
            let rec = try await store.createMonitoringRecord(sopID: w.sop, period: Self.s1, by: Self.actor(w, "eval"))
            let rows = rec.content.rows
            #expect(rows.map(\.number) == [0, 1, 2, 3, 4])
            #expect(rec.content.figures.cases == 10 && rec.content.figures.compliantCases == 6)
            let skrining = try #require(rows.first { $0.stepID == "s2" })
            #expect(skrining.figures?.casesSkipping == 4)
            #expect(skrining.proposedAssessment == .notGood && skrining.assessment == .notGood)
            #expect(skrining.proposedNote.contains("Dilewati pada 40% kasus (4 dari 10)"), "\(skrining.proposedNote)")
            #expect(skrining.proposedAction.contains("pelatihan"))
            let layanan = try #require(rows.first { $0.stepID == "s3" })
            #expect(layanan.proposedAssessment == .notGood)
            #expect(layanan.proposedNote.contains("60% melebihi standar waktu 10 menit (6 dari 10 pelaksanaan)"), "\(layanan.proposedNote)")
            #expect(layanan.proposedAction.contains("sumber daya"))
            let daftar = try #require(rows.first { $0.stepID == "s1" })
            #expect(daftar.proposedAssessment == .good)
            #expect(daftar.proposedNote.contains("Dilewati pada 0% kasus (0 dari 10)"))
            #expect(rows[0].proposedAssessment == .notGood)
            #expect(rows[0].proposedNote.contains("60% sesuai SOP (6 dari 10)"))
            #expect(rows[0].proposedAction.contains("langkah 2, 3"))
            #expect(!rows.contains { $0.corrected })

            // Thresholds change the proposal: skipping up to 50% tolerated, over standard up to 70%.
            let lax = try await store.proposeMonitoring(sopID: w.sop, period: Self.s1,
                                                        thresholds: MonitoringThresholds(skippedShare: 0.5, overStandardShare: 0.7, complianceShare: 0.5))
            #expect(lax.rows.allSatisfy { $0.proposedAssessment == .good })
            // Too few cases: no proposal, the evaluator decides.
            let few = try await store.proposeMonitoring(sopID: w.sop, period: Self.s1, thresholds: MonitoringThresholds(minimumCases: 11))
            #expect(few.rows.allSatisfy { $0.proposedAssessment == nil })
            // A period without cases.
            let empty = try await store.proposeMonitoring(sopID: w.sop, period: SurveyPeriod("2025-S2")!)
            #expect(empty.figures.cases == 0 && empty.rows.allSatisfy { $0.proposedAssessment == nil })

            // Bad thresholds: a field error each, nothing written.
            let p = await Self.problems {
                try await store.createMonitoringRecord(sopID: w.sop, period: SurveyPeriod("2026-S2")!,
                                                       thresholds: MonitoringThresholds(skippedShare: 1.5, minimumCases: 0), by: .cli)
            }
            #expect(p.map(\.field) == ["threshold_skipped", "threshold_min_cases"])
            #expect(try await store.monitoringRecords(sopID: w.sop).count == 1)
        }
    }

    @Test("Tabel 7 sign-off: only an evaluator or admin, every row decided; then frozen, a change is a new audited revision", arguments: TestEngine.all)
    func monitoringSignAndRevise(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let w = try await Self.world(store)
            let rec = try await store.createMonitoringRecord(sopID: w.sop, period: Self.s1, by: Self.actor(w, "mgr"))
            // The evaluator corrects one row and decides.
            let edit = MonitoringEdit(methods: [.observation, .executorInterview],
                                      rows: [MonitoringRowDecision(number: 1, assessment: .notGood, note: "Antrean pendaftaran panjang", action: "Tambah loket")])
            let saved = try await store.updateMonitoringRecord(id: rec.id, edit, by: Self.actor(w, "eval"))
            #expect(saved.revision == 1 && saved.content.rows[1].assessmentCorrected && saved.content.rows[1].corrected)
            #expect(saved.content.rows[1].proposedAssessment == .good)
            #expect(saved.content.methods == [.observation, .executorInterview])

            // Roles that may not sign get a field error naming the paraf field.
            for who in ["mgr", "officer", "auditor"] {
                let p = await Self.problems { try await store.signMonitoringRecord(id: rec.id, userID: w.users[who]!, by: Self.actor(w, who)) }
                #expect(p == [InputProblem("evaluator_sign", "monev_sign_role_evaluator")], "\(who)")
            }
            #expect(try await store.monitoringRecord(id: rec.id).evaluator == nil)

            let signed = try await store.signMonitoringRecord(id: rec.id, userID: w.users["eval"]!, by: Self.actor(w, "eval"))
            #expect(signed.isFrozen && signed.evaluator?.name == "Nama eval" && signed.evaluator?.role == .evaluator)
            let again = await Self.problems { try await store.signMonitoringRecord(id: rec.id, userID: w.users["admin"]!, by: .cli) }
            #expect(again == [InputProblem("evaluator_sign", "monev_already_signed")])

            // Frozen: a change without a reason is refused, with a reason it is revision 2.
            var change = MonitoringEdit(methods: [.observation], rows: [MonitoringRowDecision(number: 4, assessment: .notGood, note: "x", action: "y")])
            let noReason = await Self.problems { try await store.updateMonitoringRecord(id: rec.id, change, by: Self.actor(w, "eval")) }
            #expect(noReason == [InputProblem("reason", "monev_reason_required")])
            #expect(try await store.monitoringRecordRevisions(id: rec.id).count == 1)
            change.reason = "Temuan wawancara tambahan"
            let r2 = try await store.updateMonitoringRecord(id: rec.id, change, by: Self.actor(w, "eval"))
            #expect(r2.revision == 2 && r2.latestRevision == 2 && !r2.isFrozen && r2.reason == "Temuan wawancara tambahan")
            let revisions = try await store.monitoringRecordRevisions(id: rec.id)
            #expect(revisions.map(\.revision) == [2, 1])
            let old = try await store.monitoringRecord(id: rec.id, revision: 1)
            #expect(old.isFrozen && old.content.rows[4].assessment == .good && old.content.methods == [.observation, .executorInterview])
            #expect(try await store.monitoringRecords(sopID: w.sop).map(\.revision) == [2])
            let audit = try await store.auditEntries(entity: "sop_monev_record").items.map(\.action)
            #expect(Set(audit) == ["create", "update", "sign_evaluator", "revise"])

            // Rows marked "tidak berjalan dengan baik" of the latest revision, a finding source.
            let findings = try await store.monitoringRowsNotGood(period: SurveyPeriod("2026")!, sopID: w.sop)
            #expect(findings.map(\.row.number) == [0, 1, 2, 3, 4])
            #expect(findings.allSatisfy { $0.revision == 2 && !$0.signed })
            #expect(try await store.monitoringRowsNotGood(period: SurveyPeriod("2026-S2")!).isEmpty)
            #expect(try await store.monitoringRowsNotGood(period: Self.s1, unitIDs: [w.unit + 100]).isEmpty)
        }
    }

    @Test("Overlapping periods of the same SOP and form are refused with a field error; nothing half-written", arguments: TestEngine.all)
    func overlapRefused(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let w = try await Self.world(store)
            try await store.createMonitoringRecord(sopID: w.sop, period: Self.s1, by: .cli)
            let auditBefore = try await store.auditHead()
            for text in ["2026", "2026-Q2", "2026-03", "2026-S1"] {
                let p = await Self.problems { try await store.createMonitoringRecord(sopID: w.sop, period: SurveyPeriod(text)!, by: .cli) }
                #expect(p == [InputProblem("period", "monev_period_overlap", ["2026-S1"])], "\(text)")
            }
            #expect(try await store.auditHead() == auditBefore)
            #expect(try await store.monitoringRecords(sopID: w.sop).count == 1)
            // The next semester and the other form are free.
            try await store.createMonitoringRecord(sopID: w.sop, period: SurveyPeriod("2026-S2")!, by: .cli)
            let e = try await store.createEvaluationRecord(sopID: w.sop, period: SurveyPeriod("2026")!, by: .cli)
            #expect(e.content.answers.count == 7 && e.content.yesCount == 0)
            let p = await Self.problems { try await store.createEvaluationRecord(sopID: w.sop, period: SurveyPeriod("2026-S2")!, by: .cli) }
            #expect(p.map(\.field) == ["period"])
            #expect(try await store.monitoringRecords(sopID: w.sop).map(\.period.description) == ["2026-S2", "2026-S1"])
            #expect(try await store.evaluationRecords(sopID: w.sop).count == 1)
        }
    }

    @Test("Tabel 8: the executor (staff of the SOP's unit) signs first, then the evaluator; all 7 answered; share of Ya; frozen", arguments: TestEngine.all)
    func evaluationSignRules(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let w = try await Self.world(store)
            let rec = try await store.createEvaluationRecord(sopID: w.sop, period: SurveyPeriod("2026")!, by: Self.actor(w, "eval"))

            // Wrong executors: an evaluator, an auditor, an officer of another unit.
            #expect(await Self.problems { try await store.signEvaluationRecord(id: rec.id, as: .executor, userID: w.users["eval"]!, by: .cli) }
                    == [InputProblem("executor_sign", "monev_sign_role_executor")])
            #expect(await Self.problems { try await store.signEvaluationRecord(id: rec.id, as: .executor, userID: w.users["auditor"]!, by: .cli) }
                    == [InputProblem("executor_sign", "monev_sign_role_executor")])
            #expect(await Self.problems { try await store.signEvaluationRecord(id: rec.id, as: .executor, userID: w.users["officerOther"]!, by: .cli) }
                    == [InputProblem("executor_sign", "monev_sign_unit")])
            // The evaluator cannot sign before the executor; a unit manager cannot sign as evaluator.
            #expect(await Self.problems { try await store.signEvaluationRecord(id: rec.id, as: .evaluator, userID: w.users["eval"]!, by: .cli) }
                    == [InputProblem("evaluator_sign", "monev_executor_first")])
            #expect(await Self.problems { try await store.signEvaluationRecord(id: rec.id, as: .evaluator, userID: w.users["mgr"]!, by: .cli) }
                    == [InputProblem("evaluator_sign", "monev_sign_role_evaluator")])

            _ = try await store.signEvaluationRecord(id: rec.id, as: .executor, userID: w.users["officer"]!, by: Self.actor(w, "officer"))
            // Unanswered criteria: one field error each.
            let unanswered = await Self.problems { try await store.signEvaluationRecord(id: rec.id, as: .evaluator, userID: w.users["eval"]!, by: .cli) }
            #expect(unanswered.count == 8 && unanswered.first == InputProblem("answers[1][answer]", "monev_answer_required", ["1"]))

            // Answering changes what the executor signed: the executor signs again.
            var content = EvaluationContent(answers: (1...7).map { EvaluationAnswer(number: $0, yes: $0 != 7, note: $0 == 7 ? "Tugas loket dan skrining tumpang tindih" : "") },
                                            activitiesWithoutSOP: true, activitiesWithoutSOPList: "Pelayanan imunisasi di posyandu", generalNote: "Baik")
            let answered = try await store.updateEvaluationRecord(id: rec.id, EvaluationEdit(content: content), by: Self.actor(w, "eval"))
            #expect(answered.executor == nil)
            #expect(answered.content.yesCount == 6 && abs(answered.content.yesShare - 600.0 / 7) < 1e-9)
            _ = try await store.signEvaluationRecord(id: rec.id, as: .executor, userID: w.users["mgr"]!, by: Self.actor(w, "mgr"))
            let signed = try await store.signEvaluationRecord(id: rec.id, as: .evaluator, userID: w.users["admin"]!, by: .cli)
            #expect(signed.isFrozen && signed.executor?.role == .unitManager && signed.evaluator?.role == .admin)
            #expect(await Self.problems { try await store.signEvaluationRecord(id: rec.id, as: .executor, userID: w.users["officer"]!, by: .cli) }
                    == [InputProblem("executor_sign", "monev_already_signed")])

            // Frozen: a new revision with a reason; the signed one stays as it was.
            content.answers[6].yes = true
            #expect(await Self.problems { try await store.updateEvaluationRecord(id: rec.id, EvaluationEdit(content: content), by: .cli) }
                    == [InputProblem("reason", "monev_reason_required")])
            let r2 = try await store.updateEvaluationRecord(id: rec.id, EvaluationEdit(content: content, reason: "Pembagian tugas sudah diperbaiki"), by: .cli)
            #expect(r2.revision == 2 && r2.executor == nil && r2.evaluator == nil && r2.content.yesCount == 7)
            let r1 = try await store.evaluationRecord(id: rec.id, revision: 1)
            #expect(r1.isFrozen && r1.content.yesCount == 6 && r1.executor != nil)

            // Bad input: a list although the answer is No, too long a note; a Tabel 7 id is not a Tabel 8 record.
            content.activitiesWithoutSOP = false
            content.answers[0].note = String(repeating: "x", count: 2001)
            let bad = await Self.problems { try await store.updateEvaluationRecord(id: rec.id, EvaluationEdit(content: content), by: .cli) }
            #expect(Set(bad.map(\.field)) == ["answers[1][note]", "activities_without_sop_list"])
            #expect(try await store.evaluationRecord(id: rec.id).content.activitiesWithoutSOP == true)
            let t7 = try await store.createMonitoringRecord(sopID: w.sop, period: Self.s1, by: .cli)
            await #expect(throws: StoreError.self) { try await store.evaluationRecord(id: t7.id) }
            #expect(await Self.problems { try await store.signEvaluationRecord(id: t7.id, as: .executor, userID: w.users["officer"]!, by: .cli) }
                    == [InputProblem("?", "\(StoreError.notFound(entity: "sop_monev_record", id: "\(t7.id)"))")])
        }
    }
}
