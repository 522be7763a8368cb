import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
@testable import PantauWeb
import Testing

/// Staff understanding in the browser: an officer acknowledges the SOP and takes the quiz on a
/// phone, the unit manager edits the quiz, reads the results and reminds those who have not read
/// the version in force.
@Suite("Staff understanding: quiz and read-and-acknowledge pages")
struct QuizWebTests {
    typealias Session = (cookie: String, csrf: String)

    func post(_ client: any TestClientProtocol, _ path: String, _ s: Session, _ pairs: [(String, String)]) async throws -> TestResponse {
        try await client.post(path, Req.headers(cookie: s.cookie, csrf: s.csrf, form: true), Req.form([("_csrf", s.csrf)] + pairs))
    }

    /// Every question answered right except those at `wrongAt` (0-based).
    func answers(_ quiz: QuizRecord, wrongAt: Set<Int> = []) -> [(String, String)] {
        quiz.questions.enumerated().map { i, q in
            ("q\(q.id)", String(wrongAt.contains(i) ? (q.question.correctIndex + 1) % q.question.options.count : q.question.correctIndex))
        }
    }

    @Test(arguments: TestEngine.all)
    func anOfficerTakesTheQuizOnAPhoneAndSeesTheScoreAndTheRightAnswers(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let officer = try await fx.session("officer")
            // The SOP page offers the acknowledgement and the quiz to the unit's staff.
            let detail = try await client.get("/sops/\(sop)", Req.headers(cookie: officer.cookie))
            #expect(detail.status == .ok)
            #expect(detail.text.contains("Saya telah membaca dan memahami SOP ini (versi 1)"))
            #expect(detail.text.contains("href=\"/sops/\(sop)/kuis\"") && detail.text.contains("Kuis pemahaman"))
            // Officers do not see colleagues' results.
            #expect(!detail.text.contains("/sops/\(sop)/kuis/hasil"))

            let page = try await client.get("/sops/\(sop)/kuis", Req.headers(cookie: officer.cookie))
            #expect(page.status == .ok)
            let quiz = try #require(try await fx.store.quiz(sopID: sop, version: 1))
            let who = try #require(quiz.questions.first { $0.question.kind == .actor })
            // The question is worded from the catalog around the step's own (Indonesian) text; large radio choices, no script needed.
            #expect(page.text.contains("Siapa pelaksana langkah \(who.question.stepNumber!): &quot;\(who.question.stepText)&quot;?"))
            #expect(page.text.contains("class=\"choice\"") && page.text.contains("type=\"radio\""))
            #expect(page.text.contains("name=\"viewport\""))

            let wrong: Set<Int> = [0, 2]
            let r = try await post(client, "/sops/\(sop)/kuis", officer, answers(quiz, wrongAt: wrong))
            #expect(r.status == .seeOther)
            let location = try #require(r.headers[.location])
            #expect(location.hasPrefix("/sops/\(sop)/kuis?percobaan="))
            let result = try await client.get(location, Req.headers(cookie: officer.cookie))
            #expect(result.status == .ok)
            let n = quiz.questions.count
            let pct = SKMFormat.percent(Double(n - 2) / Double(n), .id)
            #expect(result.text.contains("\(n - 2) dari \(n) benar (\(pct))"))
            #expect(result.text.contains("Lulus (batas lulus 70,0%)"))
            // The right answer of a missed question is shown.
            #expect(result.text.contains("Jawaban benar: \(quiz.questions[0].question.correctOption.replacingOccurrences(of: "/", with: "&#x2F;"))")
                    || result.text.contains("Jawaban benar: \(quiz.questions[0].question.correctOption)"))
            #expect(result.text.components(separatedBy: "Salah.").count - 1 == 2)

            // Someone else's attempt is not shown to another person.
            let attemptID = String(location.split(separator: "=").last!)
            let mgr = try await fx.session("mgr")
            #expect(try await client.get("/sops/\(sop)/kuis?percobaan=\(attemptID)", Req.headers(cookie: mgr.cookie)).status == .notFound)
        }
    }

    @Test func acknowledgingIsIdempotentAndShowsTheDate() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!
            let officer = try await fx.session("officer")
            let first = try await post(client, "/sops/\(sop)/baca", officer, [])
            #expect(first.status == .seeOther && first.headers[.location] == "/sops/\(sop)?v=1")
            let second = try await post(client, "/sops/\(sop)/baca", officer, [])
            #expect(second.status == .seeOther)
            let ack = try #require(try await fx.store.acknowledgement(sopID: sop, version: 1, userID: fx.users["officer"]!))
            #expect(try await fx.store.auditEntries(entity: "sop_acknowledgement").items.count == 1)
            let detail = try await client.get("/sops/\(sop)", Req.headers(cookie: officer.cookie))
            #expect(detail.text.contains("Sudah dibaca pada \(formatTime(ack.acknowledgedAt, .id))"))
            #expect(!detail.text.contains("id=\"ack-button\""))
        }
    }

    @Test func auditorsAndManagersOfAnotherUnitAreRefused() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!
            let auditor = try await fx.session("auditor")
            #expect(try await client.get("/sops/\(sop)/kuis", Req.headers(cookie: auditor.cookie)).status == .forbidden)
            #expect(try await post(client, "/sops/\(sop)/baca", auditor, []).status == .forbidden)
            #expect(try await post(client, "/sops/\(sop)/kuis/pertanyaan", auditor, [("prompt", "x")]).status == .forbidden)
            // Auditors read the results, read-only: no reminder button, no editor link.
            let results = try await client.get("/sops/\(sop)/kuis/hasil", Req.headers(cookie: auditor.cookie))
            #expect(results.status == .ok && !results.text.contains("id=\"send-reminders\"") && !results.text.contains("/kuis/ubah"))

            let other = try await fx.session("mgrOther")
            #expect(try await client.get("/sops/\(sop)/kuis/ubah", Req.headers(cookie: other.cookie)).status == .notFound)
            #expect(try await client.get("/sops/\(sop)/kuis", Req.headers(cookie: other.cookie)).status == .notFound)
            #expect(try await post(client, "/sops/\(sop)/kuis/pengingat", other, []).status == .notFound)
            #expect(try await fx.store.auditEntries(entity: "sop_acknowledgement").items.isEmpty)
            // Officers may not edit nor read colleagues' scores.
            let officer = try await fx.session("officer")
            #expect(try await client.get("/sops/\(sop)/kuis/ubah", Req.headers(cookie: officer.cookie)).status == .forbidden)
            #expect(try await client.get("/sops/\(sop)/kuis/hasil", Req.headers(cookie: officer.cookie)).status == .forbidden)
        }
    }

    @Test func fieldErrorsAreNamedAsTheFormLabelsThem() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!
            let officer = try await fx.session("officer")
            _ = try await client.get("/sops/\(sop)/kuis", Req.headers(cookie: officer.cookie))
            let quiz = try #require(try await fx.store.quiz(sopID: sop, version: 1))
            // Question 2 left unanswered, question 3 with a choice that does not exist; question 1 stays chosen.
            var pairs = answers(quiz)
            pairs.remove(at: 1)
            pairs[1].1 = "9"
            let r = try await post(client, "/sops/\(sop)/kuis", officer, pairs)
            #expect(r.status == .badRequest)
            #expect(r.text.contains("<a href=\"#q\(quiz.questions[1].id)\">Pertanyaan 2</a>: pilih salah satu jawaban"))
            #expect(r.text.contains("<a href=\"#q\(quiz.questions[2].id)\">Pertanyaan 3</a>: jawaban tidak ada di pilihan"))
            #expect(r.text.contains("id=\"q\(quiz.questions[0].id)-\(quiz.questions[0].question.correctIndex)\" name=\"q\(quiz.questions[0].id)\" value=\"\(quiz.questions[0].question.correctIndex)\" checked"))
            #expect(try await fx.store.quizResults(sopID: sop)?.people.isEmpty == true)

            // The manager's editor: duplicate choices and no right answer, each named by its label.
            let mgr = try await fx.session("mgr")
            let q = quiz.questions[0]
            let bad = try await post(client, "/sops/\(sop)/kuis/pertanyaan", mgr,
                                     [("question_id", "\(q.id)"), ("prompt", "<b>Siapa?</b>"), ("option0", "Bidan"), ("option1", "bidan")])
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("<a href=\"#qe-\(q.id)-option0\">Pilihan jawaban</a>: pilihan jawaban tidak boleh sama"))
            #expect(bad.text.contains("<a href=\"#qe-\(q.id)-correct0\">Jawaban benar</a>: pilih jawaban yang benar di antara pilihan yang diisi"))
            // What was typed is kept, escaped.
            #expect(bad.text.contains("&lt;b&gt;Siapa?&lt;&#x2F;b&gt;") || bad.text.contains("&lt;b&gt;Siapa?&lt;/b&gt;"))
            #expect(!bad.text.contains("<b>Siapa?</b>"))
            // A new question without text.
            let empty = try await post(client, "/sops/\(sop)/kuis/pertanyaan", mgr, [("question_id", ""), ("option0", "Ya"), ("option1", "Tidak"), ("correct", "0")])
            #expect(empty.status == .badRequest && empty.text.contains("<a href=\"#qe-new-prompt\">Teks pertanyaan</a>: wajib diisi"))
            #expect(try await fx.store.quiz(id: quiz.id) == quiz)
        }
    }

    @Test(arguments: TestEngine.all)
    func theManagerEditsReadsResultsAndRemindsWhoHasNotRead(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let mgr = try await fx.session("mgr")
            let editor = try await client.get("/sops/\(sop)/kuis/ubah", Req.headers(cookie: mgr.cookie))
            #expect(editor.status == .ok)
            var quiz = try #require(try await fx.store.quiz(sopID: sop, version: 1))
            // Reword the first question and make the second choice right; add one; remove the last drafted one.
            let q = quiz.questions[0]
            let saved = try await post(client, "/sops/\(sop)/kuis/pertanyaan", mgr,
                                       [("question_id", "\(q.id)"), ("prompt", "Siapa yang menerima pendaftaran?"), ("option0", "Petugas Pendaftaran"),
                                        ("option1", "Bidan"), ("option2", ""), ("correct", "0")])
            #expect(saved.status == .seeOther)
            let added = try await post(client, "/sops/\(sop)/kuis/pertanyaan", mgr,
                                       [("question_id", ""), ("prompt", "Suhu penyimpanan vaksin?"), ("option0", "2-8°C"), ("option1", "15-25°C"), ("correct", "0")])
            #expect(added.status == .seeOther)
            let removed = try await post(client, "/sops/\(sop)/kuis/pertanyaan/hapus", mgr, [("question_id", "\(quiz.questions.last!.id)")])
            #expect(removed.status == .seeOther)
            quiz = try #require(try await fx.store.quiz(sopID: sop, version: 1))
            #expect(quiz.questions[0].prompt == "Siapa yang menerima pendaftaran?" && quiz.questions[0].question.options == ["Petugas Pendaftaran", "Bidan"])
            #expect(quiz.questions.last?.prompt == "Suhu penyimpanan vaksin?")
            #expect(try await fx.store.auditEntries(entity: "sop_quiz").items.map(\.action).sorted() == ["add_question", "create", "remove_question", "update_question"])

            // The officer takes it (the first question wrong) and sees the reworded question.
            let officer = try await fx.session("officer")
            let take = try await client.get("/sops/\(sop)/kuis", Req.headers(cookie: officer.cookie))
            #expect(take.text.contains("Siapa yang menerima pendaftaran?"))
            #expect(try await post(client, "/sops/\(sop)/kuis", officer, answers(quiz, wrongAt: [0])).status == .seeOther)

            let results = try await client.get("/sops/\(sop)/kuis/hasil", Req.headers(cookie: mgr.cookie))
            #expect(results.status == .ok)
            let n = quiz.questions.count
            #expect(results.text.contains("officer") && results.text.contains("\(n - 1)/\(n)"))
            #expect(results.text.contains("sebagian besar salah"))
            // Who has not acknowledged: the officer and the manager of the Puskesmas.
            #expect(results.text.contains("id=\"send-reminders\""))
            #expect(results.text.contains("<li>officer (") && results.text.contains("<li>mgr ("))
            let bad = try await client.get("/sops/\(sop)/kuis/hasil?periode=2026-Q9&ambang=0", Req.headers(cookie: mgr.cookie))
            #expect(bad.status == .badRequest && bad.text.contains("<a href=\"#quiz-period\">Periode</a>") && bad.text.contains("<a href=\"#quiz-threshold\">Batas lulus (%)</a>"))

            // The reminder appears on the officer's home page until they acknowledge.
            let remind = try await post(client, "/sops/\(sop)/kuis/pengingat", mgr, [])
            #expect(remind.status == .seeOther && remind.headers[.location] == "/sops/\(sop)/kuis/hasil")
            #expect(try await fx.store.auditEntries(entity: "sop_acknowledgement").items.map(\.action) == ["remind"])
            let home = try await client.get("/", Req.headers(cookie: officer.cookie))
            #expect(home.text.contains("id=\"ack-reminders\"") && home.text.contains(DemoAgency.imunisasi.identity.title))
            #expect(try await post(client, "/sops/\(sop)/baca", officer, []).status == .seeOther)
            #expect(!(try await client.get("/", Req.headers(cookie: officer.cookie))).text.contains("id=\"ack-reminders\""))

            // The API (an integration token of the Dinkes) gives the same figures, as its schema says.
            let api = try await client.get("/api/v1/sops/\(sop)/quiz-results?period=\(SurveyPeriod(containing: CivilDate(Date()), kind: .year))", Req.headers(bearer: fx.token))
            #expect(api.status == .ok)
            let value = try JSONValue.parse(Data(buffer: api.body))
            #expect(QuizDTO.Results.jsonSchema.violations(of: value).isEmpty, "\(QuizDTO.Results.jsonSchema.violations(of: value))")
            let body = try APIJSON.decoder.decode(QuizDTO.Results.self, from: Data(buffer: api.body))
            #expect(body.people_counted == 1 && body.people.first?.username == "officer" && body.people.first?.correct == n - 1)
            #expect(body.acknowledgements?.acknowledged == 1 && body.acknowledgements?.missing.map(\.username) == ["mgr"])
            #expect(body.questions.first?.wrong == 1)
            #expect(try await client.get("/api/v1/sops/\(sop)/quiz-results?pass_threshold=abc", Req.headers(bearer: fx.token)).status == .badRequest)
            #expect(try await client.get("/api/v1/sops/\(sop)/quiz-results", Req.headers(cookie: officer.cookie)).status == .forbidden)
        }
    }
}
