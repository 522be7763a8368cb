import Foundation
import PantauCore
import Testing

private func exampleSOP(_ name: String) throws -> SOPDocument {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let text = try String(contentsOf: root.appendingPathComponent("docs/examples/\(name).yaml"), encoding: .utf8)
    return try SOPFile.decode(text, format: .yaml)
}

@Suite("Staff quiz drafted from an SOP")
struct SOPQuizDraftTests {
    /// The right answer of each question is what the SOP says, read from the document directly.
    func expectedAnswer(_ q: SOPQuizQuestion, _ doc: SOPDocument) -> String? {
        guard let id = q.stepID, let step = doc.step(id: id) else { return nil }
        switch q.kind {
        case .actor: return doc.actor(id: step.actor)?.name
        case .nextStep: return doc.successors(of: step).first.flatMap { doc.step(id: $0.target) }?.activity
        case .timeStandard: return step.standard.time?.description
        case .decisionNo: return step.no.flatMap { doc.step(id: $0) }?.activity
        case .custom: return nil
        }
    }

    @Test(arguments: ["sop-pelayanan-imunisasi", "sop-penerbitan-izin-usaha", "sop-penerbitan-izin-keputusan"])
    func everyQuestionIsRightAboutItsStepAndHasDistinctChoices(_ name: String) throws {
        let doc = try exampleSOP(name)
        let quiz = SOPQuizDraft.draft(doc)
        #expect(quiz.count >= doc.steps.count, "\(name): \(quiz.count) questions for \(doc.steps.count) steps")
        for q in quiz {
            let id = try #require(q.stepID)
            #expect(q.stepNumber == doc.number(ofStep: id))
            #expect(q.stepText == doc.step(id: id)?.activity)
            #expect((2...SOPQuizDraft.optionCount).contains(q.options.count))
            #expect(Set(q.options.map { $0.lowercased() }).count == q.options.count, "\(q.kind) of step \(id): \(q.options)")
            #expect(q.options.indices.contains(q.correctIndex))
            #expect(q.correctOption == expectedAnswer(q, doc), "\(q.kind) of step \(id)")
            // A "what follows" question never offers the step itself.
            if q.kind == .nextStep || q.kind == .decisionNo { #expect(!q.options.contains(q.stepText)) }
        }
        // Every kind the SOP allows is asked: these SOPs have several actors, times and a decision.
        #expect(Set(quiz.map(\.kind)) == [.actor, .nextStep, .timeStandard, .decisionNo])
    }

    @Test func theImmunisationSOPGivesFourChoicesWhereItHasEnoughValues() throws {
        let doc = try exampleSOP("sop-pelayanan-imunisasi")
        let quiz = SOPQuizDraft.draft(doc)
        // Three actors: three choices for "who"; four distinct times and ten activities: four choices.
        #expect(Set(doc.steps.map(\.actor)).count == 3)
        #expect(quiz.filter { $0.kind == .actor }.allSatisfy { $0.options.count == 3 })
        #expect(quiz.filter { $0.kind != .actor }.allSatisfy { $0.options.count == 4 })
        // One "who" and one "time" question per step; "what follows" for start and process steps.
        #expect(quiz.filter { $0.kind == .actor }.count == doc.steps.count)
        #expect(quiz.filter { $0.kind == .nextStep }.count == doc.steps.filter { $0.kind == .start || $0.kind == .process }.count)
        // The Tidak branch of "Buku KIA lengkap?" leads to the replacement book; its Ya target is the first distractor offered.
        let kia = try #require(quiz.first { $0.kind == .decisionNo && $0.stepID == "cek-kia" })
        #expect(kia.decisionQuestion == "Buku KIA lengkap?")
        #expect(kia.correctOption.hasPrefix("Menerbitkan buku KIA pengganti"))
        #expect(kia.options.contains { $0.hasPrefix("Menimbang") })
        // Not every right answer sits at the same position.
        #expect(Set(quiz.map(\.correctIndex)).count >= 3)
    }

    @Test func theSameDocumentAlwaysGivesTheSameQuiz() throws {
        let doc = try exampleSOP("sop-penerbitan-izin-usaha")
        let a = SOPQuizDraft.draft(doc)
        // Through JSON and back (as the store keeps it): same content, same quiz.
        let copy = try JSONDecoder().decode(SOPDocument.self, from: JSONEncoder().encode(doc))
        #expect(SOPQuizDraft.draft(copy) == a)
        #expect(SOPQuizDraft.draft(doc) == a)
        // Questions follow the table order.
        let numbers = a.compactMap(\.stepNumber)
        #expect(numbers == numbers.sorted())
    }

    @Test func aQuestionWithoutAnyOtherValueIsLeftOut() {
        // One actor and one time standard: nothing to choose from for "who" and "how long".
        let doc = SOPDocument(
            identity: SOPIdentity(unitName: "Seksi", number: "1", title: "SOP teknis"),
            actors: [SOPActor(id: "petugas", name: "Petugas")],
            steps: [
                SOPStep(id: "a", kind: .start, activity: "Menyiapkan alat", actor: "petugas", standard: QualityStandard(time: .minutes(5))),
                SOPStep(id: "b", activity: "Memeriksa alat", actor: "petugas", standard: QualityStandard(time: .minutes(5))),
                SOPStep(id: "c", kind: .end, activity: "Menyimpan alat", actor: "petugas"),
            ])
        let quiz = SOPQuizDraft.draft(doc)
        #expect(!quiz.contains { $0.kind == .actor || $0.kind == .timeStandard })
        // "What follows" still works: two other activities to choose from.
        let first = quiz.first { $0.stepID == "a" }
        #expect(first?.kind == .nextStep && first?.correctOption == "Memeriksa alat" && first?.options.count == 2)
    }
}
