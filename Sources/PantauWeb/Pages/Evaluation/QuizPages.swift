import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// Staff understanding of an SOP (issue 9 item 4, docs/staff-understanding.md):
/// `/sops/{id}/kuis` the quiz on a phone (and the score with the right answers after it),
/// `/sops/{id}/baca` "I have read and understood this version", `/sops/{id}/kuis/ubah` the unit
/// manager's quiz editor, `/sops/{id}/kuis/hasil` scores per person, per unit and per question,
/// and who has not acknowledged, with reminders; `GET /api/v1/sops/{id}/quiz-results`.
///
/// Every page is about the version staff read now: the version in force, otherwise the latest
/// approved one (``PantauStore/quizVersion(sopID:)``).
enum QuizPages {
    // MARK: Words

    /// The question as the page shows it: the manager's wording, or one built from the catalog and
    /// the step's own text.
    static func questionText(_ q: QuizQuestionRecord, _ t: Strings) -> String {
        q.prompt.isEmpty ? draftedText(q.question, t) : q.prompt
    }

    /// The question as drafted (catalog words around the step's own text); empty for a custom one.
    static func draftedText(_ q: SOPQuizQuestion, _ t: Strings) -> String {
        let n = q.stepNumber ?? 0
        let step = q.stepText
        switch q.kind {
        case .actor: return t.format("quiz_q_actor", n, step)
        case .nextStep: return t.format("quiz_q_next", n, step)
        case .timeStandard: return t.format("quiz_q_time", n, step)
        case .decisionNo: return t.format("quiz_q_decision_no", n, step, q.decisionQuestion)
        case .custom: return ""
        }
    }

    static func percent(_ share: Double?, _ lang: Language) -> String { share.map { SKMFormat.percent($0, lang) } ?? "–" }

    /// Officers take the quiz; the scores of colleagues are for managers, evaluators and auditors.
    static func mayReadResults(_ identity: Identity) -> Bool { identity.role != .officer }

    // MARK: The SOP detail page's box

    /// What the SOP detail page shows staff about the version they read now.
    struct DetailBox {
        let version: Int
        let acknowledged: String?
        let acknowledgeAction: String?
        let acknowledgeLabel: String
        let quizHref: String?
        let editorHref: String?
        let resultsHref: String?
    }

    /// The box for the SOP detail page, or nil when the viewer is not staff who read it or no
    /// version was ever approved.
    static func detailBox(_ s: AppServices, _ ctx: UserContext, _ rec: SOPRecord, _ t: Strings) async throws -> DetailBox? {
        let identity = ctx.identity
        let take = AccessRule.quizTake.allows(identity)
        // Staff of a unit below the SOP's (a Puskesmas under the Dinas that owns it) take the quiz;
        // its editor and results belong to the SOP's own unit.
        let own = Scope.covers(identity, unit: rec.unitID, tree: try await s.store.orgTree())
        let results = own && AccessRule.evaluationRead.allows(identity) && mayReadResults(identity)
        guard take || results, let version = try await s.store.quizVersion(sopID: rec.id) else { return nil }
        // The acknowledgement is offered to the SOP's staff: people whose unit is in its unit's subtree.
        var staff = false
        if take, let unit = ctx.user.unitID { staff = try await s.store.orgTree().contains(unit, inSubtreeOf: rec.unitID) }
        let ack = take ? try await s.store.acknowledgement(sopID: rec.id, version: version, userID: ctx.user.id) : nil
        return DetailBox(version: version, acknowledged: ack.map { t.format("quiz_ack_done", formatTime($0.acknowledgedAt, ctx.language)) },
                         acknowledgeAction: staff ? SiteURL.sopAcknowledge(rec.id).path : nil,
                         acknowledgeLabel: t.format("quiz_ack_button", version),
                         quizHref: take ? SiteURL.sopQuiz(rec.id).path : nil,
                         editorHref: own && AccessRule.quizManage.allows(identity) ? SiteURL.sopQuizEditor(rec.id).path : nil,
                         resultsHref: results ? SiteURL.sopQuizResults(rec.id).path : nil)
    }

    // MARK: The home page's banner

    struct ReminderBanner {
        struct Item { let label: String; let href: String }
        let items: [Item]
    }

    /// The SOP versions the person was reminded to read and has not acknowledged (nil: none).
    static func reminderBanner(_ s: AppServices, user: UserRecord, _ t: Strings) async throws -> ReminderBanner? {
        guard AccessRule.quizTake.allows(.user(user)) else { return nil }
        let pending = try await s.store.pendingAcknowledgements(userID: user.id)
        guard !pending.isEmpty else { return nil }
        return ReminderBanner(items: pending.map {
            ReminderBanner.Item(label: t.format("quiz_reminder_item", $0.number, $0.title, $0.version),
                                href: SiteURL.sop($0.sopID).path(query: ["v": String($0.version)]))
        })
    }

    // MARK: Loading

    /// The SOP (in the caller's scope, 404 otherwise) and the version staff read now (404 when none
    /// was ever approved). `applying`: also an SOP of a unit above the caller's, whose staff they
    /// are (taking the quiz, acknowledging); editing and results stay with the SOP's own unit.
    static func load(_ s: AppServices, _ ctx: some RequestScope, applying: Bool = false) async throws -> (SOPRecord, OrgTree, Int) {
        let (rec, tree) = try await applying ? SOPPages.loadApplying(s, ctx) : SOPPages.loadScoped(s, ctx)
        guard let version = try await s.store.quizVersion(sopID: rec.id) else { throw AppError.notFound }
        return (rec, tree, version)
    }

    // MARK: Taking the quiz

    struct TakeModel {
        struct Choice { let id: String; let name: String; let value: Int; let label: String; let checked: Bool; let right: Bool; let wrongPick: Bool }
        struct Question {
            let field: String
            let number: Int
            let text: String
            let choices: [Choice]
            let invalid: Bool
            /// After submitting: whether the answer was right, and the right choice.
            let answeredRight: Bool
            let rightAnswer: String?
        }
        struct Result { let score: String; let passed: Bool; let verdict: String; let takenAt: String }
        let crumbHref: String
        let title: String
        let number: String
        let version: Int
        let action: String
        let questions: [Question]
        let errors: [FieldError]
        let result: Result?
        let retakeHref: String
        let empty: Bool
    }

    /// Pure: the quiz form (`chosen`: what was picked, by question id) or, with `attempt`, its review.
    static func takeModel(rec: SOPRecord, version: Int, title: String, quiz: QuizRecord, chosen: [Int64: Int], attempt: QuizAttemptRecord?,
                          questions reviewQuestions: [QuizQuestionRecord]?, errors: [FieldError], passThreshold: Double,
                          language lang: Language, t: Strings) -> TakeModel {
        let invalid = Set(errors.map(\.field))
        let answers = Dictionary((attempt?.answers ?? []).map { ($0.questionID, $0) }, uniquingKeysWith: { a, _ in a })
        // A review shows the questions the attempt answered (some may have been removed since).
        let shown = attempt != nil ? (reviewQuestions ?? quiz.questions).filter { answers[$0.id] != nil } : quiz.questions
        let questions = shown.enumerated().map { i, q in
            let field = "q\(q.id)"
            let picked: Int? = attempt != nil ? answers[q.id]?.chosen : chosen[q.id]
            let choices = q.question.options.enumerated().map { j, o in
                TakeModel.Choice(id: "\(field)-\(j)", name: field, value: j, label: o, checked: picked == j,
                                 right: attempt != nil && j == q.question.correctIndex,
                                 wrongPick: attempt != nil && picked == j && j != q.question.correctIndex)
            }
            let right = answers[q.id]?.correct ?? false
            return TakeModel.Question(field: field, number: i + 1, text: questionText(q, t), choices: choices, invalid: invalid.contains(field),
                                      answeredRight: right, rightAnswer: attempt != nil && !right ? q.question.correctOption : nil)
        }
        let result = attempt.map { a in
            let passed = a.score + 1e-9 >= passThreshold
            return TakeModel.Result(score: t.format("quiz_score", a.correct, a.total, SKMFormat.percent(a.score, lang)), passed: passed,
                                    verdict: t.format(passed ? "quiz_passed" : "quiz_not_passed", SKMFormat.percent(passThreshold, lang)),
                                    takenAt: formatTime(a.takenAt, lang))
        }
        return TakeModel(crumbHref: SiteURL.sop(rec.id).path(query: ["v": String(version)]), title: title, number: rec.number, version: version,
                         action: SiteURL.sopQuiz(rec.id).path, questions: questions, errors: errors, result: result,
                         retakeHref: SiteURL.sopQuiz(rec.id).path, empty: quiz.questions.isEmpty)
    }

    static func renderTake(_ s: AppServices, _ ctx: UserContext, _ rec: SOPRecord, version: Int, quiz: QuizRecord, chosen: [Int64: Int] = [:],
                           attempt: QuizAttemptRecord? = nil, errors: [FieldError] = [], status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let title = try await s.store.version(sopID: rec.id, version: version).document.identity.title
        let review = attempt != nil ? try await s.store.quizQuestionsIncludingRemoved(quizID: quiz.id) : nil
        let m = takeModel(rec: rec, version: version, title: title, quiz: quiz, chosen: chosen, attempt: attempt, questions: review, errors: errors,
                          passThreshold: PantauStore.defaultQuizPassThreshold, language: ctx.language, t: t)
        return .html(s.views.render("quiz_take", title: t["quiz_title"] + " · " + title, page: m, context: ctx, active: .sops), status: status)
    }

    /// The answers of the form (`q<id>` → index); a value that is not a number is a field error.
    static func answers(_ f: FormData, _ quiz: QuizRecord, _ t: Strings) -> ([Int64: Int], [FieldError]) {
        var out: [Int64: Int] = [:]
        var errors: [FieldError] = []
        for (i, q) in quiz.questions.enumerated() {
            let v = f.text("q\(q.id)")
            if v.isEmpty { continue }
            if let n = Int(v) { out[q.id] = n } else {
                errors.append(FieldError(field: "q\(q.id)", message: t["store_quiz_answer_invalid"], label: t.format("quiz_question_n", i + 1)))
            }
        }
        return (out, errors)
    }

    /// Store problems of an attempt, labelled "Pertanyaan N" as the form shows them.
    static func attemptErrors(_ e: StoreError, _ quiz: QuizRecord, _ t: Strings) -> [FieldError] {
        let numbers = Dictionary(quiz.questions.enumerated().map { ("q\($1.id)", $0 + 1) }, uniquingKeysWith: { a, _ in a })
        return fieldErrors(e, t).map { e in
            var e = e
            if let n = numbers[e.field] { e.label = t.format("quiz_question_n", n) }
            return e
        }
    }

    // MARK: The editor

    struct EditorModel {
        struct QuestionForm {
            let key: String
            let questionID: String
            let number: Int
            let kind: String
            let step: String?
            /// The drafted wording (nil for a question the manager wrote).
            let drafted: String?
            let prompt: String
            let options: [Option]
            let errors: [FieldError]
            let invalid: [String: Bool]
            let removable: Bool
        }
        struct Option { let index: Int; let id: String; let value: String; let correct: Bool }
        let crumbHref: String
        let title: String
        let version: Int
        let saveAction: String
        let removeAction: String
        let resultsHref: String
        let questions: [QuestionForm]
        let newQuestion: QuestionForm
        let errors: [FieldError]
    }

    static let maxOptions = QuizQuestionInput.maxOptions

    /// Pure: one question's form; `typed` is what was typed when the save was refused.
    static func questionForm(_ q: QuizQuestionRecord?, number: Int, typed: FormData?, errors: [FieldError], t: Strings) -> EditorModel.QuestionForm {
        let key = q.map { "qe-\($0.id)" } ?? "qe-new"
        let options: [String] = typed.map { f in (0..<maxOptions).map { f["option\($0)"] ?? "" } } ?? (q?.question.options ?? [])
        let correct: Int? = typed.map { Int($0.text("correct")) } ?? q.map { $0.question.correctIndex }
        let padded = (0..<maxOptions).map { $0 < options.count ? options[$0] : "" }
        let prompt = typed.map { $0["prompt"] ?? "" } ?? (q?.prompt ?? "")
        let kind = q?.question.kind ?? .custom
        return EditorModel.QuestionForm(
            key: key, questionID: q.map { String($0.id) } ?? "", number: number, kind: t["quiz_kind_\(kind.rawValue)"],
            step: q?.question.stepNumber.map { t.format("quiz_step_n", $0, q?.question.stepText ?? "") },
            drafted: q.map { draftedText($0.question, t) }.flatMap { $0.isEmpty ? nil : $0 },
            prompt: prompt,
            options: padded.enumerated().map { EditorModel.Option(index: $0, id: "\(key)-option\($0)", value: $1, correct: correct == $0) },
            errors: errors, invalid: Dictionary(errors.map { ($0.field, true) }, uniquingKeysWith: { a, _ in a }), removable: q != nil)
    }

    /// Field → the id of its input in the question's form and the catalog key of its label.
    static func labelled(_ errors: [FieldError], key: String, _ t: Strings) -> [FieldError] {
        let fields = ["prompt": ("prompt", "quiz_prompt"), "options": ("option0", "quiz_options"), "correct": ("correct0", "quiz_correct")]
        return errors.map { e in
            guard let (input, label) = fields[e.field] else { return e }
            return FieldError(field: "\(key)-\(input)", message: e.message, label: t[label])
        }
    }

    static func renderEditor(_ s: AppServices, _ ctx: UserContext, _ rec: SOPRecord, version: Int, quiz: QuizRecord,
                             failed: (questionID: Int64?, form: FormData, errors: [FieldError])? = nil,
                             status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let title = try await s.store.version(sopID: rec.id, version: version).document.identity.title
        let forms = quiz.questions.enumerated().map { i, q in
            let mine = failed.flatMap { $0.questionID == q.id ? $0 : nil }
            return questionForm(q, number: i + 1, typed: mine?.form, errors: mine?.errors ?? [], t: t)
        }
        let newMine = failed.flatMap { $0.questionID == nil ? $0 : nil }
        let m = EditorModel(crumbHref: SiteURL.sop(rec.id).path(query: ["v": String(version)]), title: title, version: version,
                            saveAction: SiteURL.sopQuizQuestion(rec.id).path, removeAction: SiteURL.sopQuizQuestionRemove(rec.id).path,
                            resultsHref: SiteURL.sopQuizResults(rec.id).path, questions: forms,
                            newQuestion: questionForm(nil, number: quiz.questions.count + 1, typed: newMine?.form, errors: newMine?.errors ?? [], t: t),
                            errors: failed?.errors ?? [])
        return .html(s.views.render("quiz_editor", title: t["quiz_editor_title"] + " · " + title, page: m, context: ctx, active: .sops), status: status)
    }

    // MARK: Results

    struct ResultsModel {
        struct PersonRow { let name: String; let unit: String; let score: String; let passed: Bool; let takenAt: String; let attempts: Int }
        struct UnitRow { let unit: String; let people: Int; let average: String; let passShare: String }
        struct QuestionRow { let number: Int; let text: String; let answered: Int; let wrongShare: String; let mostMiss: Bool }
        struct StaffRow { let name: String; let unit: String }
        let crumbHref: String
        let title: String
        let version: Int
        let action: String
        let period: String
        let threshold: String
        let average: String
        let passShare: String
        let people: [PersonRow]
        let units: [UnitRow]
        let questions: [QuestionRow]
        let ackShare: String
        let ackCount: String
        let missing: [StaffRow]
        let canManage: Bool
        let editorHref: String
        let remindAction: String
        let errors: [FieldError]
    }

    /// The period (`periode`: 2026, 2026-S1, 2026-Q3, 2026-07; empty: all time) and pass mark
    /// (`ambang`: percent, default 70) of the results page and API, or the field errors.
    static func filter(period text: String, threshold thresholdText: String, periodField: String, thresholdField: String,
                       t: Strings) -> (period: SurveyPeriod?, threshold: Double, errors: [FieldError]) {
        var errors: [FieldError] = []
        var period: SurveyPeriod?
        if !text.isEmpty {
            period = SurveyPeriod(text)
            if period == nil { errors.append(FieldError(field: periodField, message: t["survey_err_period"], label: t["quiz_period"])) }
        }
        var threshold = PantauStore.defaultQuizPassThreshold
        if !thresholdText.isEmpty {
            if let p = Double(thresholdText.replacingOccurrences(of: ",", with: ".")), p.isFinite, p > 0, p <= 100 { threshold = p / 100 } else {
                errors.append(FieldError(field: thresholdField, message: t.format("quiz_err_threshold", 1, 100), label: t["quiz_threshold"]))
            }
        }
        return (period, threshold, errors)
    }

    /// Pure: the results page.
    static func resultsModel(rec: SOPRecord, version: Int, title: String, results: QuizResults?, ack: AcknowledgementStatus?, tree: OrgTree,
                             period: String, threshold: Double, canManage: Bool, errors: [FieldError], language lang: Language, t: Strings) -> ResultsModel {
        func unitName(_ id: Int64?) -> String { id.flatMap { tree.unit($0)?.name } ?? "–" }
        let people = (results?.people ?? []).map { p in
            ResultsModel.PersonRow(name: p.staff.displayName, unit: unitName(p.unitID), score: "\(p.correct)/\(p.total) (\(SKMFormat.percent(p.score, lang)))",
                                   passed: p.passed, takenAt: formatTime(p.takenAt, lang), attempts: p.attempts)
        }
        let units = (results?.units ?? []).map { u in
            ResultsModel.UnitRow(unit: unitName(u.unitID), people: u.people, average: SKMFormat.percent(u.averageScore, lang), passShare: SKMFormat.percent(u.passShare, lang))
        }
        let numbered = Dictionary((results?.questions ?? []).enumerated().map { ($1.question.id, $0 + 1) }, uniquingKeysWith: { a, _ in a })
        let questions = (results?.questions ?? []).sorted { ($0.wrongShare ?? -1) > ($1.wrongShare ?? -1) }.map { q in
            ResultsModel.QuestionRow(number: numbered[q.question.id] ?? 0, text: questionText(q.question, t), answered: q.answered,
                                     wrongShare: percent(q.wrongShare, lang), mostMiss: (q.wrongShare ?? 0) > 0.5)
        }
        return ResultsModel(
            crumbHref: SiteURL.sop(rec.id).path(query: ["v": String(version)]), title: title, version: version, action: SiteURL.sopQuizResults(rec.id).path,
            period: period, threshold: SKMFormat.number(threshold * 100, 0, lang), average: percent(results?.averageScore, lang),
            passShare: percent(results?.passShare, lang), people: people, units: units, questions: questions,
            ackShare: percent(ack?.share, lang), ackCount: ack.map { "\($0.acknowledged.count)/\($0.staff)" } ?? "–",
            missing: (ack?.missing ?? []).map { ResultsModel.StaffRow(name: $0.displayName, unit: unitName($0.unitID)) },
            canManage: canManage, editorHref: SiteURL.sopQuizEditor(rec.id).path, remindAction: SiteURL.sopQuizReminders(rec.id).path, errors: errors)
    }

    // MARK: Routes

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .sopQuiz(.key), .quizTake, "Comprehension quiz of the SOP version staff read now (phone-first); ?percobaan=ID reviews one's own attempt") { req, ctx in
            let (rec, _, version) = try await load(s, ctx, applying: true)
            let quiz = try await s.store.quizForUse(sopID: rec.id, version: version, by: ctx.actor)
            if let text = req.uri.queryParameters.get("percobaan") {
                guard let id = Int64(text) else { throw AppError.notFound }
                let attempt = try await s.store.quizAttempt(id: id)
                guard attempt.userID == ctx.user.id, attempt.sopID == rec.id else { throw AppError.notFound }
                return try await renderTake(s, ctx, rec, version: attempt.version, quiz: try await s.store.quiz(id: attempt.quizID), attempt: attempt)
            }
            return try await renderTake(s, ctx, rec, version: version, quiz: quiz)
        }

        r.page(.post, .sopQuiz(.key), .quizTake, "Submit quiz answers: graded at once, then the score and the right answers") { _, ctx in
            let (rec, _, version) = try await load(s, ctx, applying: true)
            let t = s.views.strings(ctx.language)
            let quiz = try await s.store.quizForUse(sopID: rec.id, version: version, by: ctx.actor)
            let (chosen, errors) = answers(ctx.formData, quiz, t)
            guard errors.isEmpty else { return try await renderTake(s, ctx, rec, version: version, quiz: quiz, chosen: chosen, errors: errors, status: .badRequest) }
            do {
                let a = try await s.store.submitQuizAttempt(quizID: quiz.id, userID: ctx.user.id, answers: chosen, by: ctx.actor)
                s.indicatorCache.changed()
                return .seeOther(SiteURL.sopQuiz(rec.id).path(query: ["percobaan": String(a.id)]), flash: t["quiz_submitted"], secure: s.config.secureCookies)
            } catch let e as StoreError {
                if case .notFound = e { throw e }
                return try await renderTake(s, ctx, rec, version: version, quiz: quiz, chosen: chosen, errors: attemptErrors(e, quiz, t), status: .badRequest)
            }
        }

        r.page(.post, .sopAcknowledge(.key), .quizTake, "I have read and understood this SOP (the version staff read now); idempotent") { _, ctx in
            let (rec, _, version) = try await load(s, ctx, applying: true)
            let t = s.views.strings(ctx.language)
            let (ack, created) = try await s.store.acknowledge(sopID: rec.id, version: version, userID: ctx.user.id, by: ctx.actor)
            s.indicatorCache.changed()
            let flash = created ? t.format("quiz_ack_saved", version) : t.format("quiz_ack_done", formatTime(ack.acknowledgedAt, ctx.language))
            return .seeOther(SiteURL.sop(rec.id).path(query: ["v": String(version)]), flash: flash, secure: s.config.secureCookies)
        }

        r.page(.get, .sopQuizEditor(.key), .quizManage, "Quiz editor of the SOP version staff read now: wording, choices, right answer, add or remove questions") { _, ctx in
            let (rec, _, version) = try await load(s, ctx)
            let quiz = try await s.store.quizForUse(sopID: rec.id, version: version, by: ctx.actor)
            return try await renderEditor(s, ctx, rec, version: version, quiz: quiz)
        }

        r.page(.post, .sopQuizQuestion(.key), .quizManage, "Save a quiz question (question_id empty: add one)") { _, ctx in
            let (rec, _, version) = try await load(s, ctx)
            let t = s.views.strings(ctx.language)
            let quiz = try await s.store.quizForUse(sopID: rec.id, version: version, by: ctx.actor)
            let f = ctx.formData
            let idText = f.text("question_id")
            var questionID: Int64?
            if !idText.isEmpty {
                guard let id = Int64(idText), quiz.question(id: id) != nil else { throw AppError.notFound }
                questionID = id
            }
            let key = questionID.map { "qe-\($0)" } ?? "qe-new"
            var correct: Int?
            var errors: [FieldError] = []
            let c = f.text("correct")
            if !c.isEmpty {
                correct = Int(c)
                if correct == nil { errors.append(FieldError(field: "\(key)-correct0", message: t["err_invalid"], label: t["quiz_correct"])) }
            }
            let input = QuizQuestionInput(prompt: f["prompt"] ?? "", options: (0..<maxOptions).map { f["option\($0)"] ?? "" }, correctIndex: correct)
            if errors.isEmpty {
                do {
                    try await s.store.saveQuizQuestion(quizID: quiz.id, questionID: questionID, input, by: ctx.actor)
                    return .seeOther(SiteURL.sopQuizEditor(rec.id).path + "#" + key, flash: t["saved"], secure: s.config.secureCookies)
                } catch let e as StoreError {
                    if case .notFound = e { throw e }
                    errors = labelled(fieldErrors(e, t), key: key, t)
                }
            }
            return try await renderEditor(s, ctx, rec, version: version, quiz: quiz, failed: (questionID, f, errors), status: .badRequest)
        }

        r.page(.post, .sopQuizQuestionRemove(.key), .quizManage, "Remove a quiz question (answers already given stay with their attempts)") { _, ctx in
            let (rec, _, version) = try await load(s, ctx)
            let t = s.views.strings(ctx.language)
            let quiz = try await s.store.quizForUse(sopID: rec.id, version: version, by: ctx.actor)
            guard let id = Int64(ctx.formData.text("question_id")), quiz.question(id: id) != nil else {
                throw AppError.invalid([FieldError(field: "question_id", message: t["err_invalid"])])
            }
            try await s.store.removeQuizQuestion(quizID: quiz.id, questionID: id, by: ctx.actor)
            return .seeOther(.sopQuizEditor(rec.id), flash: t["quiz_question_removed"], secure: s.config.secureCookies)
        }

        r.page(.get, .sopQuizResults(.key), .evaluationRead, "Quiz scores per person, per unit and per question, and who has not acknowledged the version (?periode, ?ambang)") { req, ctx in
            let (rec, tree, version) = try await load(s, ctx)
            guard mayReadResults(ctx.identity) else { throw AppError.forbidden }
            let t = s.views.strings(ctx.language)
            let periodText = req.uri.queryParameters.get("periode")?.trimmingCharacters(in: .whitespaces) ?? ""
            let f = filter(period: periodText, threshold: req.uri.queryParameters.get("ambang")?.trimmingCharacters(in: .whitespaces) ?? "",
                           periodField: "quiz-period", thresholdField: "quiz-threshold", t: t)
            let results = try await s.store.quizResults(sopID: rec.id, version: version, period: f.errors.isEmpty ? f.period?.interval() : nil,
                                                       passThreshold: f.errors.isEmpty ? f.threshold : PantauStore.defaultQuizPassThreshold)
            let ack = try await s.store.acknowledgementStatus(sopID: rec.id, version: version)
            let title = try await s.store.version(sopID: rec.id, version: version).document.identity.title
            let m = resultsModel(rec: rec, version: version, title: title, results: results, ack: ack, tree: tree, period: periodText,
                                 threshold: f.errors.isEmpty ? f.threshold : PantauStore.defaultQuizPassThreshold,
                                 canManage: AccessRule.quizManage.allows(ctx.identity), errors: f.errors, language: ctx.language, t: t)
            return .html(s.views.render("quiz_results", title: t["quiz_results_title"] + " · " + title, page: m, context: ctx, active: .sops),
                         status: f.errors.isEmpty ? .ok : .badRequest)
        }

        r.page(.post, .sopQuizReminders(.key), .quizManage, "Remind the staff who have not acknowledged the version (banner on their home page)") { _, ctx in
            let (rec, _, version) = try await load(s, ctx)
            let t = s.views.strings(ctx.language)
            let n = try await s.store.sendAcknowledgementReminders(sopID: rec.id, version: version, by: ctx.actor)
            return .seeOther(.sopQuizResults(rec.id), flash: t.format("quiz_reminders_sent", n), secure: s.config.secureCookies)
        }

        r.api(.get, .api(.sopQuizResults(.key)), .evaluationRead,
              "Quiz results of the SOP version staff read now (query period, pass_threshold in percent): scores per person and unit, wrong answers per question, acknowledgements") { req, ctx in
            let (rec, _, version) = try await load(s, ctx)
            guard mayReadResults(ctx.identity) else { throw AppError.forbidden }
            let t = s.views.strings(ctx.language)
            let periodText = req.uri.queryParameters.get("period")?.trimmingCharacters(in: .whitespaces) ?? ""
            let f = filter(period: periodText, threshold: req.uri.queryParameters.get("pass_threshold") ?? "",
                           periodField: "period", thresholdField: "pass_threshold", t: t)
            guard f.errors.isEmpty else { throw AppError.invalid(f.errors.map { FieldError(field: $0.field, message: $0.message) }) }
            let results = try await s.store.quizResults(sopID: rec.id, version: version, period: f.period?.interval(), passThreshold: f.threshold)
            let ack = try await s.store.acknowledgementStatus(sopID: rec.id, version: version)
            return try .json(QuizDTO.Results(sopID: rec.id, version: version, period: f.period, threshold: f.threshold, results: results, ack: ack, t: t))
        }
    }
}

// MARK: - API body

/// JSON shape of `GET /api/v1/sops/{id}/quiz-results` (snake_case keys).
enum QuizDTO {
    struct Person: Codable, Sendable {
        var user_id: Int64
        var username: String
        var name: String
        var unit_id: Int64?
        var correct: Int
        var total: Int
        var score: Double
        var passed: Bool
        var taken_at: Date
        var attempts: Int
    }
    struct UnitRow: Codable, Sendable {
        var unit_id: Int64?
        var people: Int
        var average_score: Double
        var passing: Int
        var pass_share: Double
    }
    struct Question: Codable, Sendable {
        var question_id: Int64
        var position: Int
        var kind: String
        var step_id: String?
        var step_number: Int?
        var text: String
        var answered: Int
        var wrong: Int
        var wrong_share: Double?
    }
    struct Staff: Codable, Sendable {
        var user_id: Int64
        var username: String
        var name: String
        var unit_id: Int64?
    }
    struct Acknowledgements: Codable, Sendable {
        var staff: Int
        var acknowledged: Int
        var share: Double?
        var missing: [Staff]
    }
    struct Results: Codable, Sendable {
        var sop_id: Int64
        var version: Int
        var period: String?
        var pass_threshold: Double
        var quiz_id: Int64?
        var people_counted: Int
        var average_score: Double?
        var passing: Int
        var pass_share: Double?
        var people: [Person]
        var units: [UnitRow]
        var questions: [Question]
        var acknowledgements: Acknowledgements?
    }
}

extension QuizDTO.Results {
    init(sopID: Int64, version: Int, period: SurveyPeriod?, threshold: Double, results r: QuizResults?, ack: AcknowledgementStatus?, t: Strings) {
        func staff(_ m: StaffMember) -> QuizDTO.Staff { QuizDTO.Staff(user_id: m.userID, username: m.username, name: m.displayName, unit_id: m.unitID) }
        self.init(
            sop_id: sopID, version: version, period: period?.description, pass_threshold: threshold, quiz_id: r?.quizID,
            people_counted: r?.people.count ?? 0, average_score: r?.averageScore, passing: r?.passing ?? 0, pass_share: r?.passShare,
            people: (r?.people ?? []).map {
                QuizDTO.Person(user_id: $0.staff.userID, username: $0.staff.username, name: $0.staff.displayName, unit_id: $0.unitID,
                               correct: $0.correct, total: $0.total, score: $0.score, passed: $0.passed, taken_at: $0.takenAt, attempts: $0.attempts)
            },
            units: (r?.units ?? []).map { QuizDTO.UnitRow(unit_id: $0.unitID, people: $0.people, average_score: $0.averageScore, passing: $0.passing, pass_share: $0.passShare) },
            questions: (r?.questions ?? []).map { q in
                QuizDTO.Question(question_id: q.question.id, position: q.question.position, kind: q.question.question.kind.rawValue,
                                 step_id: q.question.question.stepID, step_number: q.question.question.stepNumber, text: QuizPages.questionText(q.question, t),
                                 answered: q.answered, wrong: q.wrong, wrong_share: q.wrongShare)
            },
            acknowledgements: ack.map { QuizDTO.Acknowledgements(staff: $0.staff, acknowledged: $0.acknowledged.count, share: $0.share, missing: $0.missing.map(staff)) })
    }
}

extension QuizDTO.Person: JSONSchemaDescribed {
    static var schemaName: String { "QuizPerson" }
    static var jsonSchema: JSONSchema {
        .object(required: ["user_id": .id, "username": .string, "name": .string, "correct": .count, "total": .count,
                           "score": .number("Share of right answers, 0 to 1"), "passed": .boolean, "taken_at": .dateTime,
                           "attempts": .integer("Attempts in the period; the latest counts", minimum: 1, int64: false)],
                optional: ["unit_id": .integer("The person's unit when they took the quiz", minimum: 1)], closed: true)
    }
}

extension QuizDTO.UnitRow: JSONSchemaDescribed {
    static var schemaName: String { "QuizUnitResult" }
    static var jsonSchema: JSONSchema {
        .object(required: ["people": .count, "average_score": .number("0 to 1"), "passing": .count, "pass_share": .number("0 to 1")],
                optional: ["unit_id": .integer(minimum: 1)], closed: true)
    }
}

extension QuizDTO.Question: JSONSchemaDescribed {
    static var schemaName: String { "QuizQuestionResult" }
    static var jsonSchema: JSONSchema {
        .object(required: ["question_id": .id, "position": .integer(minimum: 1, int64: false),
                           "kind": .oneOf(SOPQuizQuestionKind.allCases.map(\.rawValue)), "text": .string("The question in the caller's language"),
                           "answered": .count, "wrong": .count],
                optional: ["step_id": .string, "step_number": .integer(minimum: 1, int64: false),
                           "wrong_share": .number("Wrong answers / answers, 0 to 1; absent when nobody answered")], closed: true)
    }
}

extension QuizDTO.Staff: JSONSchemaDescribed {
    static var schemaName: String { "QuizStaff" }
    static var jsonSchema: JSONSchema {
        .object(required: ["user_id": .id, "username": .string, "name": .string], optional: ["unit_id": .integer(minimum: 1)], closed: true)
    }
}

extension QuizDTO.Acknowledgements: JSONSchemaDescribed {
    static var schemaName: String { "QuizAcknowledgements" }
    static var jsonSchema: JSONSchema {
        .object(required: ["staff": .count, "acknowledged": .count, "missing": .array(.ref(QuizDTO.Staff.self), "Staff who have not acknowledged")],
                optional: ["share": .number("0 to 1; absent without staff")], closed: true)
    }
}

extension QuizDTO.Results: JSONSchemaDescribed {
    static var schemaName: String { "QuizResults" }
    static var jsonSchema: JSONSchema {
        .object(required: ["sop_id": .id, "version": .integer(minimum: 1, int64: false), "pass_threshold": .number("0 to 1"),
                           "people_counted": .count, "passing": .count, "people": .array(.ref(QuizDTO.Person.self)),
                           "units": .array(.ref(QuizDTO.UnitRow.self)), "questions": .array(.ref(QuizDTO.Question.self))],
                optional: ["period": .string, "quiz_id": .id, "average_score": .number("0 to 1"), "pass_share": .number("0 to 1"),
                           "acknowledgements": .ref(QuizDTO.Acknowledgements.self)], closed: true,
                "Each person's latest attempt in the period counts")
    }
}
