import Foundation
import PantauCore
import SQLKit

// MARK: - Staff understanding: records

/// One question of an SOP version's quiz as stored: the drafted (or added) question, the manager's
/// own wording if they gave one, and its place in the quiz.
public struct QuizQuestionRecord: Sendable, Hashable, Codable {
    public var id: Int64
    /// 1-based order in the quiz.
    public var position: Int
    public var question: SOPQuizQuestion
    /// The manager's wording of the question; empty: the page words it from the kind and the step.
    public var prompt: String
}

/// The comprehension quiz of one SOP version (only its current questions).
public struct QuizRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var sopID: Int64
    public var version: Int
    public var questions: [QuizQuestionRecord]
    public var createdAt: Date
    public var updatedAt: Date

    public func question(id: Int64) -> QuizQuestionRecord? { questions.first { $0.id == id } }
}

/// What a unit manager sets on a question: its wording, its choices and the right one.
public struct QuizQuestionInput: Sendable, Equatable {
    public var prompt: String
    public var options: [String]
    /// Index into ``options`` (nil: not chosen).
    public var correctIndex: Int?

    public init(prompt: String, options: [String], correctIndex: Int?) {
        self.prompt = prompt
        self.options = options
        self.correctIndex = correctIndex
    }

    public static let maxOptions = 6
    public static let maxPromptLength = 1000
    public static let maxOptionLength = 500

    /// The input with texts trimmed and empty choice rows left out (the correct index follows its row).
    public var normalized: QuizQuestionInput {
        var options: [String] = []
        var correct: Int?
        for (i, o) in self.options.enumerated() {
            let t = o.trimmingCharacters(in: .whitespacesAndNewlines)
            if t.isEmpty { continue }
            if i == correctIndex { correct = options.count }
            options.append(t)
        }
        return QuizQuestionInput(prompt: prompt.trimmingCharacters(in: .whitespacesAndNewlines), options: options, correctIndex: correct)
    }

    /// Every problem, as codes (`prompt` required for a question the manager writes; 2 to 6 distinct
    /// choices; the right one chosen among them). Call on ``normalized``.
    public func inputProblems(kind: SOPQuizQuestionKind) -> [InputProblem] {
        var p: [InputProblem] = []
        if kind == .custom && prompt.isEmpty { p.append(InputProblem("prompt", "required")) }
        if prompt.count > Self.maxPromptLength { p.append(InputProblem("prompt", "too_long", ["\(Self.maxPromptLength)"])) }
        if options.count < 2 { p.append(InputProblem("options", "quiz_options_too_few", ["2"])) }
        if options.count > Self.maxOptions { p.append(InputProblem("options", "too_many", ["\(Self.maxOptions)"])) }
        if options.contains(where: { $0.count > Self.maxOptionLength }) { p.append(InputProblem("options", "too_long", ["\(Self.maxOptionLength)"])) }
        if Set(options.map { $0.lowercased() }).count != options.count { p.append(InputProblem("options", "quiz_options_duplicate")) }
        if let c = correctIndex {
            if !options.indices.contains(c) { p.append(InputProblem("correct", "quiz_correct_missing")) }
        } else {
            p.append(InputProblem("correct", "quiz_correct_missing"))
        }
        return p
    }
}

/// One answer of an attempt.
public struct QuizAnswerRecord: Sendable, Hashable, Codable {
    public var questionID: Int64
    public var chosen: Int
    public var correct: Bool
}

/// One person's attempt at a quiz. A person may retake the quiz; their *latest* attempt counts
/// in the results (docs/staff-understanding.md).
public struct QuizAttemptRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var quizID: Int64
    public var sopID: Int64
    public var version: Int
    public var userID: Int64
    /// The person's unit when they took it (results per unit).
    public var unitID: Int64?
    public var correct: Int
    public var total: Int
    /// correct / total, 0...1.
    public var score: Double
    public var takenAt: Date
    public var answers: [QuizAnswerRecord]
}

/// A person's "I have read and understood this SOP (version N)".
public struct AcknowledgementRecord: Sendable, Hashable, Codable {
    public var sopID: Int64
    public var version: Int
    public var userID: Int64
    public var acknowledgedAt: Date
}

/// A member of staff, as the results and the acknowledgement list show them.
public struct StaffMember: Sendable, Hashable, Codable {
    public var userID: Int64
    public var username: String
    public var displayName: String
    public var role: Role
    public var unitID: Int64?
}

/// The results of a quiz over a period: the latest attempt of each person counts.
public struct QuizResults: Sendable, Hashable, Codable {
    public struct Person: Sendable, Hashable, Codable {
        public var staff: StaffMember
        /// The unit recorded with the attempt.
        public var unitID: Int64?
        public var correct: Int
        public var total: Int
        public var score: Double
        public var passed: Bool
        public var takenAt: Date
        /// Attempts by this person in the period (the latest one counts).
        public var attempts: Int
    }
    public struct UnitRow: Sendable, Hashable, Codable {
        public var unitID: Int64?
        public var people: Int
        public var averageScore: Double
        public var passing: Int
        public var passShare: Double
    }
    public struct Question: Sendable, Hashable, Codable {
        public var question: QuizQuestionRecord
        public var answered: Int
        public var wrong: Int
        /// wrong / answered; nil when nobody answered it.
        public var wrongShare: Double?
    }
    public var sopID: Int64
    public var version: Int
    public var quizID: Int64
    public var passThreshold: Double
    public var people: [Person]
    public var units: [UnitRow]
    public var questions: [Question]
    /// Average of the counted scores (0...1); nil without attempts.
    public var averageScore: Double?
    public var passing: Int
    /// Share of the people counted who passed; nil without attempts.
    public var passShare: Double?
}

/// Average score and share passing over several SOPs (a unit's indicator).
public struct QuizScoreSummary: Sendable, Hashable, Codable {
    /// Person × SOP pairs counted (each person's latest attempt at each SOP's quiz).
    public var counted: Int
    public var averageScore: Double?
    public var passing: Int
    public var passShare: Double?
    public var passThreshold: Double
}

/// Who of an SOP's staff has acknowledged a version.
public struct AcknowledgementStatus: Sendable, Hashable, Codable {
    public struct Done: Sendable, Hashable, Codable {
        public var staff: StaffMember
        public var at: Date
    }
    public var sopID: Int64
    public var version: Int
    /// Active officers and unit managers whose unit is in the subtree of the SOP's unit.
    public var staff: Int
    /// Staff who acknowledged it, by name.
    public var acknowledged: [Done]
    /// Staff who have not acknowledged it, by name.
    public var missing: [StaffMember]
    /// Acknowledged / staff; nil without staff.
    public var share: Double? { staff == 0 ? nil : Double(acknowledged.count) / Double(staff) }
}

/// Over several SOPs: pairs of (member of staff, SOP version in force) and how many are acknowledged.
public struct AcknowledgementSummary: Sendable, Hashable, Codable {
    public var required: Int
    public var acknowledged: Int
    public var share: Double? { required == 0 ? nil : Double(acknowledged) / Double(required) }
}

/// An SOP version a person has been reminded to read and has not acknowledged yet.
public struct PendingAcknowledgement: Sendable, Hashable, Codable {
    public var sopID: Int64
    public var number: String
    public var title: String
    public var version: Int
    public var remindedAt: Date
}

// MARK: - Store: quizzes, attempts, acknowledgements

extension PantauStore {
    /// The default pass mark: 70% of the questions right.
    public static let defaultQuizPassThreshold = 0.7

    /// The version staff are quizzed on and acknowledge: the version in force, otherwise the
    /// latest approved one (archived, no successor in force); nil when no version was ever approved.
    public func quizVersion(sopID: Int64) async throws -> Int? {
        try await read { sql in try await Self.quizVersion(sql, sopID: sopID) }
    }

    static func quizVersion(_ sql: any SQLDatabase, sopID: Int64) async throws -> Int? {
        guard let s = try await sql.raw("SELECT effective_version FROM sops WHERE id = \(bind: sopID)").first() else {
            throw StoreError.notFound(entity: "sop", id: "\(sopID)")
        }
        if let v = try s.decode(column: "effective_version", as: Int?.self) { return v }
        return try await sql.raw("""
            SELECT MAX(version) AS v FROM sop_versions WHERE sop_id = \(bind: sopID) AND approved_at IS NOT NULL
            """).first()?.decode(column: "v", as: Int?.self)
    }

    static func quizQuestion(from r: any SQLRow) throws -> QuizQuestionRecord {
        let id = try r.int64("id")
        let options = try decodeJSON([String].self, r, column: "options", table: "sop_quiz_questions", row: "\(id)")
        guard let kind = SOPQuizQuestionKind(rawValue: try r.string("kind")) else {
            throw StoreError.corrupt("sop_quiz_questions.kind of row \(id): \(try r.string("kind"))")
        }
        let q = SOPQuizQuestion(kind: kind, stepID: try r.optString("step_id"), stepNumber: try r.decode(column: "step_number", as: Int?.self),
                                stepText: try r.string("step_text"), decisionQuestion: try r.string("decision_question"),
                                options: options, correctIndex: try r.int("correct_index"))
        return QuizQuestionRecord(id: id, position: try r.int("position"), question: q, prompt: try r.string("prompt"))
    }

    static func loadQuiz(_ sql: any SQLDatabase, where condition: SQLQueryString, lock: Bool = false, kind: DatabaseKind = .sqlite) async throws -> QuizRecord? {
        let forUpdate = lock && kind == .postgres ? " FOR UPDATE" : ""
        guard let r = try await sql.raw("SELECT * FROM sop_quizzes WHERE " + condition + "\(unsafeRaw: forUpdate)").first() else { return nil }
        let id = try r.int64("id")
        let questions = try await sql.raw("""
            SELECT * FROM sop_quiz_questions WHERE quiz_id = \(bind: id) AND removed_at IS NULL ORDER BY position, id
            """).all().map(Self.quizQuestion(from:))
        return QuizRecord(id: id, sopID: try r.int64("sop_id"), version: try r.int("version"), questions: questions,
                          createdAt: Date(timeIntervalSince1970: try r.double("created_at")),
                          updatedAt: Date(timeIntervalSince1970: try r.double("updated_at")))
    }

    /// The quiz of a version, if it has been drafted.
    public func quiz(sopID: Int64, version: Int) async throws -> QuizRecord? {
        try await read { sql in try await Self.loadQuiz(sql, where: "sop_id = \(bind: sopID) AND version = \(bind: version)") }
    }

    public func quiz(id: Int64) async throws -> QuizRecord {
        try await read { sql in
            guard let q = try await Self.loadQuiz(sql, where: "id = \(bind: id)") else { throw StoreError.notFound(entity: "sop_quiz", id: "\(id)") }
            return q
        }
    }

    /// The quiz of a version, drafted from the version's document (``SOPQuizDraft``) the first
    /// time it is needed. Two first uses at once draft it once.
    public func quizForUse(sopID: Int64, version: Int, by actor: AuditActor) async throws -> QuizRecord {
        if let q = try await quiz(sopID: sopID, version: version) { return q }
        return try await write { w in
            guard let vr = try await w.sql.raw("SELECT * FROM sop_versions WHERE sop_id = \(bind: sopID) AND version = \(bind: version)").first() else {
                throw StoreError.notFound(entity: "sop_version", id: "\(sopID) v\(version)")
            }
            let doc = try Self.version(from: vr).document
            let inserted = try await w.sql.raw("""
                INSERT INTO sop_quizzes (sop_id, version, created_at, updated_at) VALUES (\(bind: sopID), \(bind: version), \(bind: w.t), \(bind: w.t))
                ON CONFLICT (sop_id, version) DO NOTHING RETURNING id
                """).first()
            if let inserted {
                let id = try inserted.int64("id")
                for (i, q) in SOPQuizDraft.draft(doc).enumerated() {
                    try await Self.insertQuestion(w, quizID: id, position: i + 1, q, prompt: "")
                }
                guard let quiz = try await Self.loadQuiz(w.sql, where: "id = \(bind: id)") else { throw StoreError.corrupt("quiz \(id) vanished") }
                try await w.audit(actor, "create", "sop_quiz", Self.quizEntity(sopID, version), new: quiz.questions)
                return quiz
            }
            guard let quiz = try await Self.loadQuiz(w.sql, where: "sop_id = \(bind: sopID) AND version = \(bind: version)") else {
                throw StoreError.corrupt("quiz of SOP \(sopID) v\(version) neither inserted nor found")
            }
            return quiz
        }
    }

    /// Audit ids start with the SOP's id, so the entries can be scoped to its unit.
    static func quizEntity(_ sopID: Int64, _ version: Int) -> String { "\(sopID)/v\(version)" }

    private static func insertQuestion(_ w: WriteContext, quizID: Int64, position: Int, _ q: SOPQuizQuestion, prompt: String) async throws {
        try await w.sql.raw("""
            INSERT INTO sop_quiz_questions (quiz_id, position, kind, step_id, step_number, step_text, decision_question, prompt, options, correct_index, updated_at)
            VALUES (\(bind: quizID), \(bind: position), \(bind: q.kind.rawValue), \(bind: q.stepID), \(bind: q.stepNumber), \(bind: q.stepText),
                    \(bind: q.decisionQuestion), \(bind: prompt), \(bind: jsonText(q.options)), \(bind: q.correctIndex), \(bind: w.t))
            """).run()
    }

    private static func lockedQuiz(_ w: WriteContext, id: Int64) async throws -> QuizRecord {
        guard let q = try await loadQuiz(w.sql, where: "id = \(bind: id)", lock: true, kind: w.kind) else {
            throw StoreError.notFound(entity: "sop_quiz", id: "\(id)")
        }
        return q
    }

    /// Saves a question's wording, choices and right answer (`questionID` nil: adds a question the
    /// manager writes, at the end). Refused with every field problem at once; audited.
    @discardableResult
    public func saveQuizQuestion(quizID: Int64, questionID: Int64?, _ input: QuizQuestionInput, by actor: AuditActor) async throws -> QuizRecord {
        let i = input.normalized
        return try await write { w in
            let quiz = try await Self.lockedQuiz(w, id: quizID)
            let entity = Self.quizEntity(quiz.sopID, quiz.version)
            if let questionID {
                guard let old = quiz.question(id: questionID) else { throw StoreError.notFound(entity: "sop_quiz_question", id: "\(questionID)") }
                let problems = i.inputProblems(kind: old.question.kind)
                if !problems.isEmpty { throw StoreError.rejected(problems) }
                try await w.sql.raw("""
                    UPDATE sop_quiz_questions SET prompt = \(bind: i.prompt), options = \(bind: jsonText(i.options)),
                      correct_index = \(bind: i.correctIndex ?? 0), updated_at = \(bind: w.t) WHERE id = \(bind: questionID)
                    """).run()
                var new = old
                new.prompt = i.prompt; new.question.options = i.options; new.question.correctIndex = i.correctIndex ?? 0
                try await w.audit(actor, "update_question", "sop_quiz", entity, old: old, new: new)
            } else {
                let problems = i.inputProblems(kind: .custom)
                if !problems.isEmpty { throw StoreError.rejected(problems) }
                let q = SOPQuizQuestion(kind: .custom, stepID: nil, stepNumber: nil, stepText: "", options: i.options, correctIndex: i.correctIndex ?? 0)
                let position = (quiz.questions.map(\.position).max() ?? 0) + 1
                try await Self.insertQuestion(w, quizID: quizID, position: position, q, prompt: i.prompt)
                try await w.audit(actor, "add_question", "sop_quiz", entity, new: QuizQuestionRecord(id: 0, position: position, question: q, prompt: i.prompt))
            }
            try await w.sql.raw("UPDATE sop_quizzes SET updated_at = \(bind: w.t) WHERE id = \(bind: quizID)").run()
            guard let saved = try await Self.loadQuiz(w.sql, where: "id = \(bind: quizID)") else { throw StoreError.corrupt("quiz \(quizID) vanished") }
            return saved
        }
    }

    /// Removes a question from the quiz (answers already given to it stay with their attempts).
    @discardableResult
    public func removeQuizQuestion(quizID: Int64, questionID: Int64, by actor: AuditActor) async throws -> QuizRecord {
        try await write { w in
            let quiz = try await Self.lockedQuiz(w, id: quizID)
            guard let old = quiz.question(id: questionID) else { throw StoreError.notFound(entity: "sop_quiz_question", id: "\(questionID)") }
            try await w.sql.raw("UPDATE sop_quiz_questions SET removed_at = \(bind: w.t), updated_at = \(bind: w.t) WHERE id = \(bind: questionID)").run()
            try await w.sql.raw("UPDATE sop_quizzes SET updated_at = \(bind: w.t) WHERE id = \(bind: quizID)").run()
            try await w.audit(actor, "remove_question", "sop_quiz", Self.quizEntity(quiz.sopID, quiz.version), old: old)
            guard let saved = try await Self.loadQuiz(w.sql, where: "id = \(bind: quizID)") else { throw StoreError.corrupt("quiz \(quizID) vanished") }
            return saved
        }
    }

    /// Grades and records one attempt. `answers` maps question id → chosen index; every question of
    /// the quiz must be answered (field `q<id>`). Audited.
    @discardableResult
    public func submitQuizAttempt(quizID: Int64, userID: Int64, answers: [Int64: Int], by actor: AuditActor) async throws -> QuizAttemptRecord {
        try await write { w in
            let quiz = try await Self.lockedQuiz(w, id: quizID)
            guard !quiz.questions.isEmpty else { throw StoreError.rejected([InputProblem("quiz", "quiz_empty")]) }
            var problems: [InputProblem] = []
            var graded: [QuizAnswerRecord] = []
            for q in quiz.questions {
                guard let chosen = answers[q.id] else { problems.append(InputProblem("q\(q.id)", "quiz_answer_required")); continue }
                guard q.question.options.indices.contains(chosen) else { problems.append(InputProblem("q\(q.id)", "quiz_answer_invalid")); continue }
                graded.append(QuizAnswerRecord(questionID: q.id, chosen: chosen, correct: chosen == q.question.correctIndex))
            }
            if !problems.isEmpty { throw StoreError.rejected(problems) }
            guard let u = try await w.sql.raw("SELECT unit_id FROM users WHERE id = \(bind: userID)").first() else {
                throw StoreError.notFound(entity: "user", id: "\(userID)")
            }
            let unitID = try u.optInt64("unit_id")
            let correct = graded.filter(\.correct).count
            let score = Double(correct) / Double(graded.count)
            guard let r = try await w.sql.raw("""
                INSERT INTO sop_quiz_attempts (quiz_id, user_id, unit_id, correct, total, score, taken_at)
                VALUES (\(bind: quizID), \(bind: userID), \(bind: unitID), \(bind: correct), \(bind: graded.count), \(bind: score), \(bind: w.t))
                RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let id = try r.int64("id")
            for a in graded {
                try await w.sql.raw("""
                    INSERT INTO sop_quiz_answers (attempt_id, question_id, chosen, correct)
                    VALUES (\(bind: id), \(bind: a.questionID), \(bind: a.chosen), \(bind: a.correct ? 1 : 0))
                    """).run()
            }
            let rec = QuizAttemptRecord(id: id, quizID: quizID, sopID: quiz.sopID, version: quiz.version, userID: userID, unitID: unitID,
                                        correct: correct, total: graded.count, score: score, takenAt: w.at, answers: graded)
            try await w.audit(actor, "create", "sop_quiz_attempt", Self.quizEntity(quiz.sopID, quiz.version) + "/\(id)", new: rec)
            return rec
        }
    }

    public func quizAttempt(id: Int64) async throws -> QuizAttemptRecord {
        try await read { sql in
            guard let r = try await sql.raw("""
                SELECT t.*, q.sop_id, q.version FROM sop_quiz_attempts t JOIN sop_quizzes q ON q.id = t.quiz_id WHERE t.id = \(bind: id)
                """).first() else { throw StoreError.notFound(entity: "sop_quiz_attempt", id: "\(id)") }
            let answers = try await sql.raw("SELECT * FROM sop_quiz_answers WHERE attempt_id = \(bind: id) ORDER BY question_id").all().map {
                QuizAnswerRecord(questionID: try $0.int64("question_id"), chosen: try $0.int("chosen"), correct: try $0.bool("correct"))
            }
            return QuizAttemptRecord(id: id, quizID: try r.int64("quiz_id"), sopID: try r.int64("sop_id"), version: try r.int("version"),
                                     userID: try r.int64("user_id"), unitID: try r.optInt64("unit_id"), correct: try r.int("correct"),
                                     total: try r.int("total"), score: try r.double("score"),
                                     takenAt: Date(timeIntervalSince1970: try r.double("taken_at")), answers: answers)
        }
    }

    /// The questions of a quiz as they are now, including removed ones (for an attempt's review).
    public func quizQuestionsIncludingRemoved(quizID: Int64) async throws -> [QuizQuestionRecord] {
        try await read { sql in
            try await sql.raw("SELECT * FROM sop_quiz_questions WHERE quiz_id = \(bind: quizID) ORDER BY position, id").all().map(Self.quizQuestion(from:))
        }
    }

    static func staffMember(_ r: any SQLRow) throws -> StaffMember {
        StaffMember(userID: try r.int64("id"), username: try r.string("username"), displayName: try r.string("display_name"),
                    role: Role(rawValue: try r.string("role")) ?? .officer, unitID: try r.optInt64("unit_id"))
    }

    /// The latest attempt of each person at a quiz within `period` (`[start, end)`), with their count.
    static func latestAttempts(_ sql: any SQLDatabase, quizID: Int64, period: Range<Date>?) async throws -> [(row: any SQLRow, attempts: Int)] {
        var q: SQLQueryString = """
            SELECT t.id AS attempt_id, t.user_id, t.unit_id AS attempt_unit, t.correct, t.total, t.score, t.taken_at,
                   u.id, u.username, u.display_name, u.role, u.unit_id
            FROM sop_quiz_attempts t JOIN users u ON u.id = t.user_id WHERE t.quiz_id = \(bind: quizID)
            """
        if let period {
            q = q + " AND t.taken_at >= \(bind: period.lowerBound.timeIntervalSince1970) AND t.taken_at < \(bind: period.upperBound.timeIntervalSince1970)"
        }
        let rows = try await sql.raw(q + " ORDER BY t.user_id, t.taken_at DESC, t.id DESC").all()
        var out: [(row: any SQLRow, attempts: Int)] = []
        var last: Int64?
        for r in rows {
            let user = try r.int64("user_id")
            if user == last { out[out.count - 1].attempts += 1; continue }
            last = user
            out.append((r, 1))
        }
        return out
    }

    /// Results of an SOP's quiz over `period` (nil: all time): each person's latest attempt in the
    /// period counts; passed when its score is at least `passThreshold` (0...1). `version` nil: the
    /// version staff are quizzed on now (``quizVersion(sopID:)``). Nil when that version has no quiz yet.
    public func quizResults(sopID: Int64, version: Int? = nil, period: Range<Date>? = nil,
                            passThreshold: Double = PantauStore.defaultQuizPassThreshold) async throws -> QuizResults? {
        try await read { sql in
            var v = version
            if v == nil { v = try await Self.quizVersion(sql, sopID: sopID) }
            guard let v, let quiz = try await Self.loadQuiz(sql, where: "sop_id = \(bind: sopID) AND version = \(bind: v)") else { return nil }
            let latest = try await Self.latestAttempts(sql, quizID: quiz.id, period: period)
            var people: [QuizResults.Person] = []
            for (r, n) in latest {
                let score = try r.double("score")
                people.append(QuizResults.Person(staff: try Self.staffMember(r), unitID: try r.optInt64("attempt_unit"), correct: try r.int("correct"),
                                                 total: try r.int("total"), score: score, passed: score + 1e-9 >= passThreshold,
                                                 takenAt: Date(timeIntervalSince1970: try r.double("taken_at")), attempts: n))
            }
            people.sort { ($0.staff.displayName.lowercased(), $0.staff.userID) < ($1.staff.displayName.lowercased(), $1.staff.userID) }
            var byUnit: [Int64?: [QuizResults.Person]] = [:]
            for p in people { byUnit[p.unitID, default: []].append(p) }
            let units = byUnit.map { unit, ps in
                QuizResults.UnitRow(unitID: unit, people: ps.count, averageScore: ps.map(\.score).reduce(0, +) / Double(ps.count),
                                    passing: ps.filter(\.passed).count, passShare: Double(ps.filter(\.passed).count) / Double(ps.count))
            }.sorted { ($0.unitID ?? 0) < ($1.unitID ?? 0) }
            // Wrong answers per question, over the counted attempts only.
            let counted = Set(try latest.map { try $0.row.int64("attempt_id") })
            var answered: [Int64: Int] = [:]
            var wrong: [Int64: Int] = [:]
            var aq: SQLQueryString = """
                SELECT a.attempt_id, a.question_id, a.correct FROM sop_quiz_answers a JOIN sop_quiz_attempts t ON t.id = a.attempt_id
                WHERE t.quiz_id = \(bind: quiz.id)
                """
            if let period {
                aq = aq + " AND t.taken_at >= \(bind: period.lowerBound.timeIntervalSince1970) AND t.taken_at < \(bind: period.upperBound.timeIntervalSince1970)"
            }
            for r in try await sql.raw(aq).all() {
                guard counted.contains(try r.int64("attempt_id")) else { continue }
                let q = try r.int64("question_id")
                answered[q, default: 0] += 1
                if !(try r.bool("correct")) { wrong[q, default: 0] += 1 }
            }
            let questions = quiz.questions.map { q in
                let n = answered[q.id] ?? 0
                let x = wrong[q.id] ?? 0
                return QuizResults.Question(question: q, answered: n, wrong: x, wrongShare: n == 0 ? nil : Double(x) / Double(n))
            }
            let passing = people.filter(\.passed).count
            return QuizResults(sopID: sopID, version: v, quizID: quiz.id, passThreshold: passThreshold, people: people, units: units,
                               questions: questions,
                               averageScore: people.isEmpty ? nil : people.map(\.score).reduce(0, +) / Double(people.count),
                               passing: passing, passShare: people.isEmpty ? nil : Double(passing) / Double(people.count))
        }
    }

    /// The SOPs of a unit's subtree with the version their staff are quizzed on now.
    static func sopsWithQuizVersion(_ sql: any SQLDatabase, units: Set<Int64>) async throws -> [(sopID: Int64, unitID: Int64, version: Int)] {
        guard !units.isEmpty else { return [] }
        let list = units.sorted().map(String.init).joined(separator: ",")
        let rows = try await sql.raw("""
            SELECT s.id, s.unit_id, s.effective_version,
                   (SELECT MAX(v.version) FROM sop_versions v WHERE v.sop_id = s.id AND v.approved_at IS NOT NULL) AS approved
            FROM sops s WHERE s.unit_id IN (\(unsafeRaw: list)) ORDER BY s.id
            """).all()
        return try rows.compactMap { r in
            guard let v = try r.decode(column: "effective_version", as: Int?.self) ?? r.decode(column: "approved", as: Int?.self) else { return nil }
            return (try r.int64("id"), try r.int64("unit_id"), v)
        }
    }

    /// A unit's quiz indicator over `period`: for every SOP of the unit's subtree, each person's
    /// latest attempt at the quiz of the version staff are quizzed on; their average score and the
    /// share passing `passThreshold`.
    public func quizScoreSummary(unitID: Int64, period: Range<Date>? = nil,
                                 passThreshold: Double = PantauStore.defaultQuizPassThreshold) async throws -> QuizScoreSummary {
        let subtree = try await orgTree().subtree(of: unitID)
        var scores: [Double] = []
        for s in try await read({ sql in try await Self.sopsWithQuizVersion(sql, units: subtree) }) {
            guard let r = try await quizResults(sopID: s.sopID, version: s.version, period: period, passThreshold: passThreshold) else { continue }
            scores += r.people.map(\.score)
        }
        let passing = scores.filter { $0 + 1e-9 >= passThreshold }.count
        return QuizScoreSummary(counted: scores.count, averageScore: scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count),
                                passing: passing, passShare: scores.isEmpty ? nil : Double(passing) / Double(scores.count),
                                passThreshold: passThreshold)
    }

    // MARK: Acknowledgements

    /// Records "I have read and understood this SOP (version N)". Idempotent: a second call
    /// returns the first record and writes nothing. Audited when new.
    @discardableResult
    public func acknowledge(sopID: Int64, version: Int, userID: Int64, by actor: AuditActor) async throws -> (record: AcknowledgementRecord, created: Bool) {
        try await write { w in
            guard try await w.sql.raw("SELECT version FROM sop_versions WHERE sop_id = \(bind: sopID) AND version = \(bind: version)").first() != nil else {
                throw StoreError.notFound(entity: "sop_version", id: "\(sopID) v\(version)")
            }
            let inserted = try await w.sql.raw("""
                INSERT INTO sop_acknowledgements (sop_id, version, user_id, acknowledged_at) VALUES (\(bind: sopID), \(bind: version), \(bind: userID), \(bind: w.t))
                ON CONFLICT (sop_id, version, user_id) DO NOTHING RETURNING id
                """).first()
            if inserted != nil {
                let rec = AcknowledgementRecord(sopID: sopID, version: version, userID: userID, acknowledgedAt: Date(timeIntervalSince1970: w.t))
                try await w.audit(actor, "create", "sop_acknowledgement", Self.quizEntity(sopID, version) + "/\(userID)", new: rec)
                return (rec, true)
            }
            guard let r = try await w.sql.raw("""
                SELECT acknowledged_at FROM sop_acknowledgements WHERE sop_id = \(bind: sopID) AND version = \(bind: version) AND user_id = \(bind: userID)
                """).first() else { throw StoreError.corrupt("acknowledgement neither inserted nor found") }
            return (AcknowledgementRecord(sopID: sopID, version: version, userID: userID,
                                          acknowledgedAt: Date(timeIntervalSince1970: try r.double("acknowledged_at"))), false)
        }
    }

    public func acknowledgement(sopID: Int64, version: Int, userID: Int64) async throws -> AcknowledgementRecord? {
        try await read { sql in
            try await sql.raw("""
                SELECT acknowledged_at FROM sop_acknowledgements WHERE sop_id = \(bind: sopID) AND version = \(bind: version) AND user_id = \(bind: userID)
                """).first().map {
                AcknowledgementRecord(sopID: sopID, version: version, userID: userID, acknowledgedAt: Date(timeIntervalSince1970: try $0.double("acknowledged_at")))
            }
        }
    }

    /// The staff of an SOP: active officers and unit managers whose unit is in the subtree of the SOP's unit.
    static func sopStaff(_ sql: any SQLDatabase, unitID: Int64, tree: OrgTree) async throws -> [StaffMember] {
        let units = tree.subtree(of: unitID)
        guard !units.isEmpty else { return [] }
        let list = units.sorted().map(String.init).joined(separator: ",")
        return try await sql.raw("""
            SELECT id, username, display_name, role, unit_id FROM users
            WHERE active = 1 AND role IN ('officer', 'unit_manager') AND unit_id IN (\(unsafeRaw: list)) ORDER BY display_name, id
            """).all().map(Self.staffMember)
    }

    /// Who of the SOP's staff has acknowledged `version` (nil: the version staff read now), as of
    /// `asOf` (nil: now).
    public func acknowledgementStatus(sopID: Int64, version: Int? = nil, asOf: Date? = nil) async throws -> AcknowledgementStatus? {
        let tree = try await orgTree()
        return try await read { sql in
            var v = version
            if v == nil { v = try await Self.quizVersion(sql, sopID: sopID) }
            guard let v else { return nil }
            guard let s = try await sql.raw("SELECT unit_id FROM sops WHERE id = \(bind: sopID)").first() else {
                throw StoreError.notFound(entity: "sop", id: "\(sopID)")
            }
            let staff = try await Self.sopStaff(sql, unitID: try s.int64("unit_id"), tree: tree)
            var q: SQLQueryString = "SELECT user_id, acknowledged_at FROM sop_acknowledgements WHERE sop_id = \(bind: sopID) AND version = \(bind: v)"
            if let asOf { q = q + " AND acknowledged_at <= \(bind: asOf.timeIntervalSince1970)" }
            var at: [Int64: Date] = [:]
            for r in try await sql.raw(q).all() { at[try r.int64("user_id")] = Date(timeIntervalSince1970: try r.double("acknowledged_at")) }
            let done = staff.compactMap { m in at[m.userID].map { AcknowledgementStatus.Done(staff: m, at: $0) } }
            return AcknowledgementStatus(sopID: sopID, version: v, staff: staff.count, acknowledged: done,
                                         missing: staff.filter { at[$0.userID] == nil })
        }
    }

    /// A unit's acknowledgement indicator: over the SOPs of its subtree, the pairs (member of the
    /// SOP's staff, version they read now) and how many of them are acknowledged.
    public func acknowledgementSummary(unitID: Int64, asOf: Date? = nil) async throws -> AcknowledgementSummary {
        let subtree = try await orgTree().subtree(of: unitID)
        var total = AcknowledgementSummary(required: 0, acknowledged: 0)
        for s in try await read({ sql in try await Self.sopsWithQuizVersion(sql, units: subtree) }) {
            guard let st = try await acknowledgementStatus(sopID: s.sopID, version: s.version, asOf: asOf) else { continue }
            total.required += st.staff
            total.acknowledged += st.acknowledged.count
        }
        return total
    }

    /// Records a reminder to every member of the SOP's staff who has not acknowledged `version`;
    /// each sees it on their home page until they acknowledge. Audited. Returns how many were reminded.
    @discardableResult
    public func sendAcknowledgementReminders(sopID: Int64, version: Int, by actor: AuditActor) async throws -> Int {
        guard let status = try await acknowledgementStatus(sopID: sopID, version: version) else {
            throw StoreError.notFound(entity: "sop_version", id: "\(sopID) v\(version)")
        }
        let missing = status.missing
        return try await write { w in
            var reminded: [Int64] = []
            for m in missing {
                // Re-checked in the transaction: someone may have acknowledged meanwhile.
                let done = try await w.sql.raw("""
                    SELECT id FROM sop_acknowledgements WHERE sop_id = \(bind: sopID) AND version = \(bind: version) AND user_id = \(bind: m.userID)
                    """).first()
                if done != nil { continue }
                try await w.sql.raw("""
                    INSERT INTO sop_ack_reminders (sop_id, version, user_id, sent_by, sent_at)
                    VALUES (\(bind: sopID), \(bind: version), \(bind: m.userID), \(bind: actor.label), \(bind: w.t))
                    """).run()
                reminded.append(m.userID)
            }
            try await w.audit(actor, "remind", "sop_acknowledgement", Self.quizEntity(sopID, version), new: reminded)
            return reminded.count
        }
    }

    /// The SOP versions a person was reminded to read and has not acknowledged, while the version
    /// is still the one staff read; newest reminder first.
    public func pendingAcknowledgements(userID: Int64) async throws -> [PendingAcknowledgement] {
        let rows = try await read { sql in
            try await sql.raw("""
                SELECT r.sop_id, r.version, MAX(r.sent_at) AS sent_at, s.number, s.title FROM sop_ack_reminders r JOIN sops s ON s.id = r.sop_id
                WHERE r.user_id = \(bind: userID) AND NOT EXISTS (
                    SELECT 1 FROM sop_acknowledgements a WHERE a.sop_id = r.sop_id AND a.version = r.version AND a.user_id = r.user_id)
                GROUP BY r.sop_id, r.version, s.number, s.title ORDER BY sent_at DESC
                """).all().map { r in
                PendingAcknowledgement(sopID: try r.int64("sop_id"), number: try r.string("number"), title: try r.string("title"),
                                       version: try r.int("version"), remindedAt: Date(timeIntervalSince1970: try r.double("sent_at")))
            }
        }
        var out: [PendingAcknowledgement] = []
        for p in rows {
            if try await quizVersion(sopID: p.sopID) == p.version { out.append(p) }
        }
        return out
    }
}
