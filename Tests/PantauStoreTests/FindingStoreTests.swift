import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

@Suite("Findings, recommendations, notes, follow-up actions, evidence files, notices")
struct FindingStoreTests {
    struct Fixture {
        var sop: Int64
        var unit: Int64
        var evaluator: Int64
        var officer: Int64
    }

    static let doc = DemoAgency.imunisasi
    /// 2026-02-02 08:00 WIB, inside 2026-Q1.
    static let base = Date(timeIntervalSince1970: 1_769_994_000)
    static let q1 = SurveyPeriod("2026-Q1")!

    static func seed(_ store: PantauStore) async throws -> Fixture {
        let unit = try await store.createUnit(UnitInput(parentID: nil, code: "PKM", name: "Puskesmas", level: .instansi), by: .cli)
        let sop = try await store.createSOP(unitID: unit.id, document: doc, by: .cli)
        // A setting of this test's own, so the process-wide analyser cache never mixes documents.
        try await store.setActivityAlias(sopID: sop.id, activity: "finding-test-\(UUID().uuidString)", stepID: "daftar", by: .cli)
        let ev = try await store.createUser(UserInput(username: "evaluator", displayName: "Tim Evaluasi", role: .evaluator, unitID: unit.id), passwordHash: "x", by: .cli)
        let off = try await store.createUser(UserInput(username: "bidan", displayName: "Bidan", role: .officer, unitID: unit.id), passwordHash: "x", by: .cli)
        return Fixture(sop: sop.id, unit: unit.id, evaluator: ev.id, officer: off.id)
    }

    /// One closed case along the SOP's main path: `skipScreening` leaves out skrining; `slowInjection`
    /// makes the injection take 20 minutes (standard 5).
    static func ingestCase(_ store: PantauStore, _ sop: Int64, _ n: Int, skipScreening: Bool, slowInjection: Bool) async throws {
        var ids = ["daftar", "cek-kia", "timbang", "skrining", "siap-vaksin", "suntik", "catat", "observasi"]
        if skipScreening { ids.removeAll { $0 == "skrining" } }
        var t = base.addingTimeInterval(Double(n) * 86_400)
        var inputs: [EventInput] = []
        for (i, id) in ids.enumerated() {
            let step = doc.step(id: id)!
            let dur: Double = id == "suntik" && slowInjection ? 1200 : 120
            inputs.append(EventInput(clientID: "c\(n)-\(i)", sopID: sop, caseReference: "IMN-\(n)", activity: step.activity, at: t.addingTimeInterval(dur),
                                     startedAt: t, closesCase: i == ids.count - 1))
            t = t.addingTimeInterval(dur + 60)
        }
        let out = try await store.ingestEvents(inputs, scope: IngestScope(allowedUnits: nil, source: .api, receivedBy: "test"), by: .cli)
        #expect(out.allSatisfy { $0.isAcknowledged }, "\(out)")
    }

    static func evaluator(_ fx: Fixture) -> AuditActor { AuditActor(userID: fx.evaluator, label: "user:evaluator") }

    @Test("Findings from posted events: re-running never duplicates, updates generated ones, keeps hand edits", arguments: TestEngine.all)
    func generationIsIdempotent(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            // 10 cases: 3 skip screening (30% > 10%), 4 inject slowly (40% > 20%).
            for n in 0..<10 { try await Self.ingestCase(store, fx.sop, n, skipScreening: n < 3, slowInjection: n >= 6) }
            let first = try await store.generateFindings(sopID: fx.sop, period: Self.q1, by: Self.evaluator(fx))
            var all = try await store.findings(sopID: fx.sop, period: Self.q1)
            #expect(first.created.count == all.count)
            let skipped = try #require(all.first { $0.ruleKey == "step_skipped:skrining" })
            let slow = try #require(all.first { $0.ruleKey == "step_over_standard:suntik" })
            #expect(skipped.evidence.figures["cases_skipping"] == 3 && skipped.evidence.figures["cases"] == 10)
            #expect(Set(skipped.evidence.cases.map(\.reference)) == ["IMN-0", "IMN-1", "IMN-2"])
            #expect(slow.evidence.figures["over_standard"] == 4)
            #expect(skipped.impact == 30 && slow.impact == 32)
            let recs = try await store.recommendations(findingIDs: [skipped.id, slow.id])
            #expect(recs.map(\.category).sorted { $0.rawValue < $1.rawValue } == [.resourceOrFlow, .trainingAndSystemCheck])

            // Again: nothing new, nothing changed.
            let second = try await store.generateFindings(sopID: fx.sop, period: Self.q1, by: Self.evaluator(fx))
            #expect(second.created.isEmpty && second.updated.isEmpty)
            #expect(try await store.findings(sopID: fx.sop, period: Self.q1).count == all.count)

            // A person rewrites the slow-injection finding; one more case skips screening.
            try await store.updateFinding(id: slow.id, title: "Penyuntikan lama karena vaksin belum disiapkan", detail: "Hasil observasi", severity: "high",
                                          by: Self.evaluator(fx))
            try await Self.ingestCase(store, fx.sop, 10, skipScreening: true, slowInjection: true)
            let third = try await store.generateFindings(sopID: fx.sop, period: Self.q1, by: Self.evaluator(fx))
            #expect(third.created.isEmpty)
            #expect(third.updated == [skipped.id])
            #expect(third.kept == [slow.id])
            all = try await store.findings(sopID: fx.sop, period: Self.q1)
            #expect(all.first { $0.id == skipped.id }?.evidence.figures["cases_skipping"] == 4)
            let kept = try #require(all.first { $0.id == slow.id })
            #expect(kept.title == "Penyuntikan lama karena vaksin belum disiapkan" && kept.edited && kept.impact == 60)
            #expect(kept.evidence.figures["over_standard"] == 4)

            // A finding by hand, dismissed with a reason (without one: a field error).
            let manual = try await store.createFinding(sopID: fx.sop, FindingInput(period: "2026-Q1", title: "Antrean tidak tertib", detail: "", severity: "medium"),
                                                       by: Self.evaluator(fx))
            #expect(manual.ruleKey == nil && manual.kind == .manual)
            await #expect(throws: StoreError.rejected([InputProblem("reason", "required")])) {
                try await store.setFindingStatus(id: manual.id, .dismissed, reason: " ", by: Self.evaluator(fx))
            }
            let dismissed = try await store.setFindingStatus(id: manual.id, .dismissed, reason: "Sudah ditangani loket", by: Self.evaluator(fx))
            #expect(dismissed.status == .dismissed)
            // Bad input names its fields; nothing is stored.
            do {
                try await store.createFinding(sopID: fx.sop, FindingInput(period: "2026-Q9", title: "", detail: "", severity: "gawat"), by: Self.evaluator(fx))
                Issue.record("accepted a bad finding")
            } catch let StoreError.rejected(p) {
                #expect(p.map(\.field) == ["period", "title", "severity"])
            }
            #expect(try await store.findings(sopID: fx.sop).count == all.count + 1)
            let audit = try await store.auditEntries(AuditQuery(entity: "finding"))
            #expect(audit.items.contains { $0.action == "generate" } && audit.items.contains { $0.action == "update" })
        }
    }

    @Test("A Tabel 7 row marked not good becomes a finding whose recommendation is the row's action", arguments: TestEngine.all)
    func monitoringRowFinding(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            let rec = try await store.createMonitoringRecord(sopID: fx.sop, period: Self.q1, methods: [.observation], by: Self.evaluator(fx))
            var rows = rec.content.rows.map { MonitoringRowDecision(number: $0.number, assessment: .good, note: "", action: "") }
            let target = try #require(rec.content.rows.first { $0.stepID == "skrining" })
            rows = rows.map { $0.number == target.number ? MonitoringRowDecision(number: $0.number, assessment: .notGood, note: "Skrining sering dilewati",
                                                                                  action: "Tambah bidan di meja skrining") : $0 }
            try await store.updateMonitoringRecord(id: rec.id, MonitoringEdit(methods: [.observation], rows: rows), by: Self.evaluator(fx))
            let g = try await store.generateFindings(sopID: fx.sop, period: Self.q1, by: Self.evaluator(fx))
            let f = try #require(try await store.findings(sopID: fx.sop, period: Self.q1).first { $0.kind == .monitoringRowNotGood })
            #expect(g.created.contains(f.id))
            #expect(f.ruleKey == "monitoring_row_not_good:\(rec.id):\(target.number)" && f.evidence.recordID == rec.id && f.detail == "Skrining sering dilewati")
            #expect(try await store.recommendations(findingIDs: [f.id]).first?.text == "Tambah bidan di meja skrining")
        }
    }

    @Test("A quiz question most staff miss becomes a finding with a socialisation recommendation", arguments: TestEngine.all)
    func quizFinding(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            try await store.setStatus(sopID: fx.sop, version: 1, to: .review, by: .cli)
            try await store.approve(sopID: fx.sop, version: 1, effectiveFrom: CivilDate(year: 2026, month: 1, day: 5), by: .cli)
            let quiz = try await store.quizForUse(sopID: fx.sop, version: 1, by: .cli)
            let q = try #require(quiz.questions.first)
            var staff = [fx.officer, fx.evaluator]
            for n in 0..<2 {
                staff.append(try await store.createUser(UserInput(username: "staf\(n)", displayName: "Staf \(n)", role: .officer, unitID: fx.unit),
                                                        passwordHash: "x", by: .cli).id)
            }
            // Three of four answer the first question wrongly, everyone answers the rest rightly.
            for (i, user) in staff.enumerated() {
                var answers: [Int64: Int] = [:]
                for x in quiz.questions { answers[x.id] = x.question.correctIndex }
                if i < 3 { answers[q.id] = (q.question.correctIndex + 1) % q.question.options.count }
                try await store.submitQuizAttempt(quizID: quiz.id, userID: user, answers: answers, by: .cli)
            }
            let period = SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)
            try await store.generateFindings(sopID: fx.sop, period: period, by: Self.evaluator(fx))
            let found = try await store.findings(sopID: fx.sop, period: period).filter { $0.kind == .quizMissed }
            #expect(found.map(\.ruleKey) == ["quiz_missed:\(q.id)"])
            #expect(found.first?.evidence.figures["wrong"] == 3 && found.first?.evidence.figures["answers"] == 4)
            let rec = try await store.recommendations(findingIDs: found.map(\.id))
            #expect(rec.first?.category == .socialisation)
        }
    }

    @Test("Evidence files: stored with their hash, refused when too large or of a refused type (nothing stored)", arguments: TestEngine.all)
    func evidence(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            let f = try await store.createFinding(sopID: fx.sop, FindingInput(period: "2026-Q1", title: "Temuan", detail: "", severity: "low"), by: Self.evaluator(fx))
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 100)
            let stored = try await store.addFindingEvidence(findingID: f.id, [EvidenceUpload(name: "../foto.png", data: png)], by: Self.evaluator(fx))
            #expect(stored.count == 1 && stored[0].name == "foto.png" && stored[0].contentType == "image/png" && stored[0].size == 108)
            let (meta, bytes) = try await store.evidence(id: stored[0].id)
            #expect(bytes == png && meta.sha256.count == 64)
            #expect(try await store.evidenceScope(meta) == EvidenceScope(sopID: fx.sop, unitID: fx.unit))

            let exe = EvidenceUpload(name: "laporan.pdf", data: Array("MZ\u{90}binary".utf8))
            await #expect(throws: StoreError.rejected([InputProblem("evidence", "evidence_type_refused", ["laporan.pdf"])])) {
                try await store.addFindingEvidence(findingID: f.id, [EvidenceUpload(name: "ok.png", data: png), exe], by: Self.evaluator(fx))
            }
            // A PNG named .pdf is refused too: the name must match the bytes.
            await #expect(throws: StoreError.rejected([InputProblem("evidence", "evidence_type_refused", ["foto.pdf"])])) {
                try await store.addEvidence(owner: .finding, ownerID: f.id, name: "foto.pdf", contentType: "application/pdf", data: png, by: Self.evaluator(fx))
            }
            let big = Array("%PDF-1.4\n".utf8) + Array(repeating: 0x20, count: 2_000)
            await #expect(throws: StoreError.rejected([InputProblem("evidence", "evidence_too_large", ["0"])])) {
                try await store.addEvidence(owner: .finding, ownerID: f.id, name: "besar.pdf", contentType: "", data: big, by: Self.evaluator(fx), maxBytes: 1_000)
            }
            let csv = try await store.addEvidence(owner: .finding, ownerID: f.id, name: "rekap.csv", contentType: "text/csv", data: Array("a;b\n1;2\n".utf8), by: Self.evaluator(fx))
            #expect(csv.contentType == "text/csv")
            #expect(try await store.evidenceFiles(owner: .finding, ownerID: f.id).map(\.name) == ["foto.png", "rekap.csv"])
            // The entries are in the unit's part of the audit trail (auditors scoped to the unit see them).
            let scoped = try await store.auditEntries(AuditQuery(unitIDs: [fx.unit], perPage: 200)).items
            #expect(Set(scoped.map(\.entity)).isSuperset(of: ["finding", "recommendation", "evidence_file"]))
            #expect(try await store.auditEntries(AuditQuery(unitIDs: [fx.unit + 1000], perPage: 200)).items.isEmpty)
            await #expect(throws: StoreError.notFound(entity: "finding", id: "999999")) {
                try await store.addEvidence(owner: .finding, ownerID: 999_999, name: "x.png", contentType: "", data: png, by: Self.evaluator(fx))
            }
        }
    }

    @Test("Notes: fields checked (unknown step, method), evidence with the note, linked to findings", arguments: TestEngine.all)
    func notes(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            do {
                try await store.createEvaluationNote(sopID: fx.sop, EvaluationNoteInput(date: "2026-02-30", method: "ramal", respondent: "citizen", stepID: "nope", text: ""),
                                                     by: Self.evaluator(fx))
                Issue.record("accepted a bad note")
            } catch let StoreError.rejected(p) {
                #expect(p.map(\.field) == ["note_date", "method", "step_id", "text"])
            }
            let note = try await store.createEvaluationNote(
                sopID: fx.sop, EvaluationNoteInput(date: "2026-02-10", method: "executor_interview", respondent: "executor", stepID: "skrining",
                                                   text: "Skrining sering dilewati saat antrean panjang"),
                evidence: [EvidenceUpload(name: "wawancara.pdf", data: Array("%PDF-1.7 catatan".utf8))], by: Self.evaluator(fx))
            #expect(note.method == .executorInterview && note.stepID == "skrining")
            #expect(try await store.evidenceFiles(owner: .note, ownerID: note.id).count == 1)
            let f = try await store.createFinding(sopID: fx.sop, FindingInput(period: "2026-Q1", title: "Skrining dilewati", detail: "", severity: "high"), by: Self.evaluator(fx))
            try await store.linkNote(findingID: f.id, noteID: note.id, by: Self.evaluator(fx))
            try await store.linkNote(findingID: f.id, noteID: note.id, by: Self.evaluator(fx))
            #expect(try await store.finding(id: f.id).noteIDs == [note.id])
            #expect(try await store.evaluationNotes(sopID: fx.sop).map(\.id) == [note.id])
        }
    }

    @Test("A revise-the-SOP action opens a draft; approving that version closes the action; only evaluators verify", arguments: TestEngine.all)
    func reviseSOPAction(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            try await store.setStatus(sopID: fx.sop, version: 1, to: .review, by: .cli)
            try await store.approve(sopID: fx.sop, version: 1, effectiveFrom: CivilDate(year: 2026, month: 1, day: 5), by: .cli)
            let f = try await store.createFinding(sopID: fx.sop, FindingInput(period: "2026-Q1", title: "Alur skrining", detail: "", severity: "high"), by: Self.evaluator(fx))
            let rec = try #require(try await store.recommendations(findingIDs: [f.id]).first)
            do {
                try await store.createFollowUpAction(recommendationID: rec.id, FollowUpActionInput(kind: "revise_sop", title: "", ownerID: "999999", dueDate: "besok"),
                                                     by: Self.evaluator(fx))
                Issue.record("accepted a bad action")
            } catch let StoreError.rejected(p) {
                #expect(p.map(\.field) == ["title", "due_date", "owner_id"])
            }
            #expect(try await store.versions(sopID: fx.sop).count == 1)
            let action = try await store.createFollowUpAction(
                recommendationID: rec.id, FollowUpActionInput(kind: "revise_sop", title: "Revisi SOP: skrining wajib sebelum vaksin disiapkan",
                                                              ownerID: "\(fx.officer)", dueDate: "2026-03-31"), by: Self.evaluator(fx))
            #expect(action.sopVersion == 2 && action.status == .planned && action.findingID == f.id)
            #expect(try await store.version(sopID: fx.sop, version: 2).status == .draft)
            try await store.setStatus(sopID: fx.sop, version: 2, to: .review, by: .cli)
            try await store.approve(sopID: fx.sop, version: 2, effectiveFrom: CivilDate(year: 2026, month: 4, day: 1), by: .cli)
            #expect(try await store.followUpAction(id: action.id).status == .done)

            let officer = AuditActor(userID: fx.officer, label: "user:bidan")
            await #expect(throws: StoreError.rejected([InputProblem("verified_by", "action_verify_role")])) {
                try await store.verifyAction(id: action.id, by: officer)
            }
            let verified = try await store.verifyAction(id: action.id, by: Self.evaluator(fx))
            #expect(verified.status == .verified && verified.verifiedBy == fx.evaluator)
            await #expect(throws: StoreError.rejected([InputProblem("status", "status_transition", ["verified", "in_progress"])])) {
                try await store.updateFollowUpAction(id: action.id, status: "in_progress", note: "", by: officer)
            }
        }
    }

    @Test("Overdue actions raise one notice for their owner, once", arguments: TestEngine.all)
    func overdueNotices(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            let f = try await store.createFinding(sopID: fx.sop, FindingInput(period: "2026-Q1", title: "Temuan", detail: "", severity: "low"), by: Self.evaluator(fx))
            let rec = try #require(try await store.recommendations(findingIDs: [f.id]).first)
            let late = try await store.createFollowUpAction(recommendationID: rec.id, FollowUpActionInput(title: "Pelatihan skrining", ownerID: "\(fx.officer)",
                                                                                                         dueDate: "2026-01-10"), by: Self.evaluator(fx))
            let done = try await store.createFollowUpAction(recommendationID: rec.id, FollowUpActionInput(title: "Daftar periksa", ownerID: "\(fx.officer)",
                                                                                                         dueDate: "2026-01-10"), by: Self.evaluator(fx))
            try await store.updateFollowUpAction(id: done.id, status: "done", note: "Selesai",
                                                 evidence: [EvidenceUpload(name: "daftar.pdf", data: Array("%PDF-1.4 x".utf8))],
                                                 by: AuditActor(userID: fx.officer, label: "user:bidan"))
            _ = try await store.createFollowUpAction(recommendationID: rec.id, FollowUpActionInput(title: "Belum jatuh tempo", ownerID: "\(fx.officer)",
                                                                                               dueDate: "2026-12-31"), by: Self.evaluator(fx))
            let now = Date(timeIntervalSince1970: 1_770_000_000) // 2026-02-02
            #expect(late.isOverdue(today: CivilDate(now)))
            #expect(try await store.raiseOverdueActionNotices(now: now) == 1)
            #expect(try await store.raiseOverdueActionNotices(now: now.addingTimeInterval(86_400)) == 0)
            let n = try await store.notices(userID: fx.officer)
            #expect(n.map(\.refID) == [late.id] && n[0].kind == "action_overdue" && n[0].arguments == ["Pelatihan skrining", "2026-01-10"])
            #expect(try await store.unreadNoticeCount(userID: fx.officer) == 1)
            try await store.markNoticesRead(userID: fx.officer, at: now)
            #expect(try await store.unreadNoticeCount(userID: fx.officer) == 0)
            #expect(try await store.evidenceFiles(owner: .action, ownerID: done.id).count == 1)
            #expect(try await store.followUpActions(unitIDs: [fx.unit], openOnly: true).count == 2)
        }
    }
}
