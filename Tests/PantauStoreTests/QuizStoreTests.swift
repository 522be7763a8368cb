import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

@Suite("Staff understanding: quizzes, attempts, acknowledgements, reminders")
struct QuizStoreTests {
    struct Fixture {
        var sop: Int64
        var unit: Int64
        var sub: Int64
        var other: Int64
        /// Officers of the unit (a, b), of its sub-unit (c), the unit manager, and staff outside.
        var a: Int64, b: Int64, c: Int64, mgr: Int64, outsider: Int64, evaluator: Int64
    }

    static func seed(_ store: PantauStore, approve: Bool = true) async throws -> Fixture {
        let root = try await store.createUnit(UnitInput(parentID: nil, code: "PEMKOT", name: "Pemerintah Kota", level: .instansi), by: .cli)
        let unit = try await store.createUnit(UnitInput(parentID: root.id, code: "PKM", name: "Puskesmas", level: .unitKerja), by: .cli)
        let sub = try await store.createUnit(UnitInput(parentID: unit.id, code: "PKM-IMN", name: "Ruang Imunisasi", level: .subUnit), by: .cli)
        let other = try await store.createUnit(UnitInput(parentID: root.id, code: "DPM", name: "DPMPTSP", level: .unitKerja), by: .cli)
        let sop = try await store.createSOP(unitID: unit.id, document: DemoAgency.imunisasi, by: .cli)
        if approve {
            try await store.setStatus(sopID: sop.id, version: 1, to: .review, by: .cli)
            try await store.approve(sopID: sop.id, version: 1, effectiveFrom: CivilDate(year: 2026, month: 2, day: 2), by: .cli)
        }
        func user(_ name: String, _ role: Role, _ unit: Int64?) async throws -> Int64 {
            try await store.createUser(UserInput(username: name, displayName: name.capitalized, role: role, unitID: unit), passwordHash: "x", by: .cli).id
        }
        return Fixture(sop: sop.id, unit: unit.id, sub: sub.id, other: other.id,
                       a: try await user("ani", .officer, unit.id), b: try await user("budi", .officer, unit.id),
                       c: try await user("citra", .officer, sub.id), mgr: try await user("kapus", .unitManager, unit.id),
                       outsider: try await user("dodi", .officer, other.id), evaluator: try await user("eva", .evaluator, unit.id))
    }

    /// Answers every question right, except the questions at the given positions (0-based), which get a wrong choice.
    static func answers(_ quiz: QuizRecord, wrongAt: Set<Int> = []) -> [Int64: Int] {
        var out: [Int64: Int] = [:]
        for (i, q) in quiz.questions.enumerated() {
            out[q.id] = wrongAt.contains(i) ? (q.question.correctIndex + 1) % q.question.options.count : q.question.correctIndex
        }
        return out
    }

    @Test("The quiz is drafted once from the version in force, and edits are validated and audited", arguments: TestEngine.all)
    func draftedOnceAndEdited(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            #expect(try await store.quizVersion(sopID: fx.sop) == 1)
            #expect(try await store.quiz(sopID: fx.sop, version: 1) == nil)
            let quiz = try await store.quizForUse(sopID: fx.sop, version: 1, by: .cli)
            #expect(quiz.questions.map(\.question) == SOPQuizDraft.draft(DemoAgency.imunisasi))
            #expect(quiz.questions.map(\.position) == Array(1...quiz.questions.count))
            // A second use finds it; nothing is drafted twice.
            let again = try await store.quizForUse(sopID: fx.sop, version: 1, by: .cli)
            #expect(again == quiz)
            #expect(try await store.auditEntries(entity: "sop_quiz").items.count == 1)

            // Edit the first question: wording, choices (empty rows dropped), right answer.
            let first = quiz.questions[0]
            let edited = try await store.saveQuizQuestion(quizID: quiz.id, questionID: first.id,
                                                          QuizQuestionInput(prompt: " Siapa yang mendaftar? ", options: ["Bidan", "", "Petugas Pendaftaran", "Dokter"], correctIndex: 2),
                                                          by: AuditActor(userID: fx.mgr, label: "user:kapus"))
            let q = try #require(edited.question(id: first.id))
            #expect(q.prompt == "Siapa yang mendaftar?" && q.question.options == ["Bidan", "Petugas Pendaftaran", "Dokter"] && q.question.correctIndex == 1)
            // Bad input: every problem at once, nothing written.
            do {
                try await store.saveQuizQuestion(quizID: quiz.id, questionID: first.id,
                                                 QuizQuestionInput(prompt: "", options: ["Sama", "sama"], correctIndex: nil), by: .cli)
                Issue.record("duplicate choices accepted")
            } catch let StoreError.rejected(p) {
                #expect(Set(p.map(\.code)) == ["quiz_options_duplicate", "quiz_correct_missing"])
            }
            do {
                try await store.saveQuizQuestion(quizID: quiz.id, questionID: nil, QuizQuestionInput(prompt: "", options: ["Ya"], correctIndex: 0), by: .cli)
                Issue.record("a question without text accepted")
            } catch let StoreError.rejected(p) {
                #expect(Set(p.map(\.field)) == ["prompt", "options"])
            }
            #expect(try await store.quiz(id: quiz.id).question(id: first.id) == q)
            // Add one, remove one.
            let added = try await store.saveQuizQuestion(quizID: quiz.id, questionID: nil,
                                                         QuizQuestionInput(prompt: "Suhu penyimpanan vaksin?", options: ["2-8°C", "10-15°C"], correctIndex: 0), by: .cli)
            #expect(added.questions.count == quiz.questions.count + 1)
            #expect(added.questions.last?.question.kind == .custom && added.questions.last?.position == quiz.questions.count + 1)
            let removed = try await store.removeQuizQuestion(quizID: quiz.id, questionID: quiz.questions[1].id, by: .cli)
            #expect(removed.questions.count == quiz.questions.count && removed.question(id: quiz.questions[1].id) == nil)
            let actions = try await store.auditEntries(entity: "sop_quiz").items.map(\.action)
            #expect(actions.sorted() == ["add_question", "create", "remove_question", "update_question"])
        }
    }

    @Test("Attempts are graded, the latest counts, and results per person, unit and question", arguments: TestEngine.all)
    func attemptsAndResults(_ engine: TestEngine) async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_780_000_000))
        try await withTestStore(engine, clock: clock) { store in
            let fx = try await Self.seed(store)
            let quiz = try await store.quizForUse(sopID: fx.sop, version: 1, by: .cli)
            let n = quiz.questions.count
            #expect(n >= 10)
            // Unanswered and out-of-range answers are refused, naming each question; nothing stored.
            var partial = Self.answers(quiz)
            partial[quiz.questions[0].id] = nil
            partial[quiz.questions[1].id] = 99
            do {
                try await store.submitQuizAttempt(quizID: quiz.id, userID: fx.a, answers: partial, by: .cli)
                Issue.record("incomplete attempt accepted")
            } catch let StoreError.rejected(p) {
                #expect(p == [InputProblem("q\(quiz.questions[0].id)", "quiz_answer_required"), InputProblem("q\(quiz.questions[1].id)", "quiz_answer_invalid")])
            }
            #expect(try await store.quizResults(sopID: fx.sop)?.people.isEmpty == true)

            // Ani: first all wrong on the first half, then everything right (the latest counts).
            let half = Set(0..<(n / 2))
            let first = try await store.submitQuizAttempt(quizID: quiz.id, userID: fx.a, answers: Self.answers(quiz, wrongAt: half), by: .cli)
            #expect(first.correct == n - n / 2 && first.total == n && abs(first.score - Double(n - n / 2) / Double(n)) < 1e-12)
            #expect(first.unitID == fx.unit)
            clock.advance(3600)
            let second = try await store.submitQuizAttempt(quizID: quiz.id, userID: fx.a, answers: Self.answers(quiz), by: .cli)
            #expect(second.score == 1)
            // Budi misses question 1 and half; Citra (sub-unit) misses question 1 only.
            try await store.submitQuizAttempt(quizID: quiz.id, userID: fx.b, answers: Self.answers(quiz, wrongAt: half), by: .cli)
            try await store.submitQuizAttempt(quizID: quiz.id, userID: fx.c, answers: Self.answers(quiz, wrongAt: [0]), by: .cli)
            let back = try await store.quizAttempt(id: second.id)
            #expect(back == second)

            let r = try #require(try await store.quizResults(sopID: fx.sop))
            #expect(r.people.count == 3)
            let ani = try #require(r.people.first { $0.staff.userID == fx.a })
            #expect(ani.score == 1 && ani.attempts == 2 && ani.passed)
            let budi = try #require(r.people.first { $0.staff.userID == fx.b })
            #expect(!budi.passed)
            let citra = try #require(r.people.first { $0.staff.userID == fx.c })
            #expect(citra.passed == (Double(n - 1) / Double(n) >= 0.7) && citra.unitID == fx.sub)
            let expectedAverage = (1 + Double(n - n / 2) / Double(n) + Double(n - 1) / Double(n)) / 3
            #expect(abs((r.averageScore ?? 0) - expectedAverage) < 1e-9)
            #expect(r.passing == 2 && abs((r.passShare ?? 0) - 2.0 / 3) < 1e-9)
            // Per unit: Ani and Budi in the Puskesmas, Citra in its sub-unit.
            #expect(r.units.map(\.unitID) == [fx.unit, fx.sub] && r.units.map(\.people) == [2, 1])
            #expect(r.units.first { $0.unitID == fx.unit }?.passing == 1)
            // Question 1: Budi and Citra missed it (Ani's first, wrong, attempt does not count).
            #expect(r.questions[0].answered == 3 && r.questions[0].wrong == 2 && abs((r.questions[0].wrongShare ?? 0) - 2.0 / 3) < 1e-9)
            #expect(r.questions[n - 1].wrong == 0)
            // A higher pass mark changes who passes, not the scores.
            let strict = try #require(try await store.quizResults(sopID: fx.sop, passThreshold: 1))
            #expect(strict.passing == 1 && strict.averageScore == r.averageScore)
            // A period before the first attempt holds nothing; Ani's first attempt alone in a narrow window.
            let before = clock.now.addingTimeInterval(-100 * 86_400)
            #expect(try await store.quizResults(sopID: fx.sop, period: before..<before.addingTimeInterval(86_400))?.people.isEmpty == true)
            let start = Date(timeIntervalSince1970: 1_780_000_000)
            let early = try #require(try await store.quizResults(sopID: fx.sop, period: start..<start.addingTimeInterval(60)))
            #expect(early.people.map(\.staff.userID) == [fx.a] && early.people[0].score == first.score)
            // The unit's indicator covers its subtree; the other unit has none.
            let unit = try await store.quizScoreSummary(unitID: fx.unit)
            #expect(unit.counted == 3 && unit.passing == 2 && unit.passThreshold == 0.7)
            #expect(try await store.quizScoreSummary(unitID: fx.other).counted == 0)
            #expect(try await store.auditEntries(entity: "sop_quiz_attempt").items.count == 4)
        }
    }

    @Test("Acknowledgement is idempotent; staff who have not are listed and reminded", arguments: TestEngine.all)
    func acknowledgementsAndReminders(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            let status0 = try #require(try await store.acknowledgementStatus(sopID: fx.sop))
            // Staff: officers and the unit manager of the unit's subtree (not the evaluator, not the other unit).
            #expect(status0.staff == 4 && status0.acknowledged.isEmpty && status0.share == 0)
            #expect(Set(status0.missing.map(\.userID)) == [fx.a, fx.b, fx.c, fx.mgr])

            let (rec, created) = try await store.acknowledge(sopID: fx.sop, version: 1, userID: fx.a, by: .cli)
            #expect(created)
            let (again, createdAgain) = try await store.acknowledge(sopID: fx.sop, version: 1, userID: fx.a, by: .cli)
            // The first record is returned (its time as read back from the column).
            #expect(!createdAgain && again.userID == rec.userID && again.version == 1 && abs(again.acknowledgedAt.timeIntervalSince(rec.acknowledgedAt)) < 0.001)
            #expect(try await store.auditEntries(entity: "sop_acknowledgement").items.count == 1)
            #expect(try await store.acknowledgement(sopID: fx.sop, version: 1, userID: fx.a) == again)
            #expect(try await store.acknowledgement(sopID: fx.sop, version: 1, userID: fx.b) == nil)

            let status = try #require(try await store.acknowledgementStatus(sopID: fx.sop))
            #expect(status.acknowledged.map(\.staff.userID) == [fx.a] && status.share == 0.25)
            #expect(status.missing.map(\.displayName) == ["Budi", "Citra", "Kapus"])
            // Nothing acknowledged before it happened.
            #expect(try await store.acknowledgementStatus(sopID: fx.sop, asOf: rec.acknowledgedAt.addingTimeInterval(-1))?.acknowledged.isEmpty == true)
            let summary = try await store.acknowledgementSummary(unitID: fx.unit)
            #expect(summary.required == 4 && summary.acknowledged == 1)

            // Reminders go to the three who have not; they see it until they acknowledge.
            #expect(try await store.pendingAcknowledgements(userID: fx.b).isEmpty)
            let sent = try await store.sendAcknowledgementReminders(sopID: fx.sop, version: 1, by: AuditActor(userID: fx.mgr, label: "user:kapus"))
            #expect(sent == 3)
            let pending = try await store.pendingAcknowledgements(userID: fx.b)
            #expect(pending.map(\.sopID) == [fx.sop] && pending.first?.version == 1 && pending.first?.number == DemoAgency.imunisasi.identity.number)
            #expect(try await store.pendingAcknowledgements(userID: fx.a).isEmpty)
            #expect(try await store.pendingAcknowledgements(userID: fx.outsider).isEmpty)
            try await store.acknowledge(sopID: fx.sop, version: 1, userID: fx.b, by: .cli)
            #expect(try await store.pendingAcknowledgements(userID: fx.b).isEmpty)
            #expect(try await store.auditEntries(entity: "sop_acknowledgement").items.map(\.action).sorted() == ["create", "create", "remind"])

            // A new version in force: the old acknowledgement no longer counts, old reminders lapse.
            try await store.newVersion(sopID: fx.sop, by: .cli)
            try await store.setStatus(sopID: fx.sop, version: 2, to: .review, by: .cli)
            try await store.approve(sopID: fx.sop, version: 2, effectiveFrom: CivilDate(year: 2026, month: 6, day: 1), by: .cli)
            #expect(try await store.quizVersion(sopID: fx.sop) == 2)
            #expect(try await store.acknowledgementStatus(sopID: fx.sop)?.acknowledged.isEmpty == true)
            #expect(try await store.pendingAcknowledgements(userID: fx.c).isEmpty)
        }
    }

    @Test("An SOP never approved has no quiz version; an unknown version is not found", arguments: TestEngine.all)
    func draftsHaveNoQuiz(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store, approve: false)
            #expect(try await store.quizVersion(sopID: fx.sop) == nil)
            #expect(try await store.quizResults(sopID: fx.sop) == nil)
            #expect(try await store.acknowledgementStatus(sopID: fx.sop) == nil)
            await #expect(throws: StoreError.notFound(entity: "sop_version", id: "\(fx.sop) v7")) {
                try await store.quizForUse(sopID: fx.sop, version: 7, by: .cli)
            }
            await #expect(throws: StoreError.notFound(entity: "sop_version", id: "\(fx.sop) v7")) {
                try await store.acknowledge(sopID: fx.sop, version: 7, userID: fx.a, by: .cli)
            }
        }
    }
}
