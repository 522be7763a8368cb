import Foundation

/// What a comprehension question asks about an SOP step (issue 9, "staff understanding").
public enum SOPQuizQuestionKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// "Who carries out step N?": the step's pelaksana.
    case actor
    /// "What follows step N?": the activity of the step that comes next.
    case nextStep = "next_step"
    /// "What is the time standard of step N?": the step's mutu baku waktu.
    case timeStandard = "time_standard"
    /// "What does decision N's Tidak (No) branch lead to?": the activity of the Tidak target.
    case decisionNo = "decision_no"
    /// Written by the unit manager (not drafted): the question text is theirs.
    case custom
}

/// One multiple-choice question drafted from an SOP version, without words of its own: the web
/// layer builds the question from the kind and the step's own text (the SOP's text is in Bahasa
/// Indonesia; the words around it come from the catalogs).
public struct SOPQuizQuestion: Hashable, Sendable, Codable {
    public var kind: SOPQuizQuestionKind
    /// The step the question concerns (its stable id and its table number "No").
    public var stepID: String?
    public var stepNumber: Int?
    /// The step's activity (Kegiatan), as the SOP words it.
    public var stepText: String
    /// For a decision: its question (e.g. "Buku KIA lengkap?"); empty otherwise.
    public var decisionQuestion: String
    /// The choices, in the order shown; the SOP's own texts (actor names, activities, times).
    public var options: [String]
    /// Index of the right choice in ``options``.
    public var correctIndex: Int

    public init(kind: SOPQuizQuestionKind, stepID: String?, stepNumber: Int?, stepText: String, decisionQuestion: String = "",
                options: [String], correctIndex: Int) {
        self.kind = kind
        self.stepID = stepID
        self.stepNumber = stepNumber
        self.stepText = stepText
        self.decisionQuestion = decisionQuestion
        self.options = options
        self.correctIndex = correctIndex
    }

    /// The right choice's text.
    public var correctOption: String { options.indices.contains(correctIndex) ? options[correctIndex] : "" }
}

/// Drafts a comprehension quiz from an SOP version.
///
/// For each step in table order: who carries it out (when the SOP has at least two actors), what
/// follows it (start and process steps), its time standard (when it has one and the SOP has at
/// least two distinct times), and for a decision what its Tidak branch leads to. Each question has
/// up to ``optionCount`` choices: the right one and distractors drawn from the SOP's other actors,
/// activities or times, the nearest steps in table order first (the most plausible confusions); a
/// question that would have fewer than two choices is left out. The right choice's position comes
/// from a fixed hash of the step id and kind, so the same document always gives the same quiz.
public enum SOPQuizDraft {
    /// Choices per question when the SOP has enough distinct values.
    public static let optionCount = 4

    public static func draft(_ doc: SOPDocument) -> [SOPQuizQuestion] {
        var out: [SOPQuizQuestion] = []
        let steps = doc.steps
        let distinctActors = Set(steps.compactMap { doc.actor(id: $0.actor)?.name })
        let distinctTimes = Set(steps.compactMap { $0.standard.time?.description })
        for (i, step) in steps.enumerated() {
            let number = i + 1
            // Who carries it out.
            if distinctActors.count >= 2, let actor = doc.actor(id: step.actor) {
                let pool = nearest(to: i, in: steps).compactMap { doc.actor(id: steps[$0].actor)?.name }
                    + doc.actors.map(\.name)
                if let q = question(.actor, step, number, correct: actor.name, pool: pool) { out.append(q) }
            }
            // What follows it.
            if step.kind == .start || step.kind == .process, let next = doc.successors(of: step).first, let target = doc.step(id: next.target),
               let targetIndex = steps.firstIndex(where: { $0.id == target.id }) {
                let pool = nearest(to: targetIndex, in: steps).filter { $0 != i }.map { steps[$0].activity }
                if let q = question(.nextStep, step, number, correct: target.activity, pool: pool, excluding: [step.activity]) { out.append(q) }
            }
            // Its time standard.
            if distinctTimes.count >= 2, let time = step.standard.time {
                let pool = nearest(to: i, in: steps).compactMap { steps[$0].standard.time?.description }
                if let q = question(.timeStandard, step, number, correct: time.description, pool: pool) { out.append(q) }
            }
            // Where the decision's Tidak branch leads.
            if step.kind == .decision, let no = step.no, let target = doc.step(id: no),
               let targetIndex = steps.firstIndex(where: { $0.id == target.id }) {
                let yes = step.yes.flatMap { doc.step(id: $0) }.map { [$0.activity] } ?? []
                let pool = yes + nearest(to: targetIndex, in: steps).filter { $0 != i }.map { steps[$0].activity }
                if let q = question(.decisionNo, step, number, correct: target.activity, pool: pool, excluding: [step.activity]) { out.append(q) }
            }
        }
        return out
    }

    /// Indexes of the other steps, nearest to `index` first (the earlier one on a tie).
    static func nearest(to index: Int, in steps: [SOPStep]) -> [Int] {
        steps.indices.filter { $0 != index }.sorted { a, b in
            let da = abs(a - index), db = abs(b - index)
            return da != db ? da < db : a < b
        }
    }

    /// The question with the right choice placed among up to three distinct distractors from
    /// `pool` (in pool order), or nil when there is no distractor.
    static func question(_ kind: SOPQuizQuestionKind, _ step: SOPStep, _ number: Int, correct: String, pool: [String],
                         excluding: [String] = []) -> SOPQuizQuestion? {
        let key = normalized(correct)
        guard !key.isEmpty else { return nil }
        var seen: Set<String> = [key]
        for e in excluding { seen.insert(normalized(e)) }
        var distractors: [String] = []
        for candidate in pool where distractors.count < optionCount - 1 {
            let k = normalized(candidate)
            if k.isEmpty || !seen.insert(k).inserted { continue }
            distractors.append(candidate.trimmedOfWhitespace)
        }
        guard !distractors.isEmpty else { return nil }
        let count = distractors.count + 1
        let position = Int(fnv1a(step.id + "|" + kind.rawValue) % UInt64(count))
        var options = distractors
        options.insert(correct.trimmedOfWhitespace, at: position)
        return SOPQuizQuestion(kind: kind, stepID: step.id, stepNumber: number, stepText: step.activity,
                               decisionQuestion: kind == .decisionNo ? step.question : "", options: options, correctIndex: position)
    }

    static func normalized(_ s: String) -> String { s.trimmedOfWhitespace.lowercased() }

    /// 64-bit FNV-1a of the UTF-8 bytes: a hash that is the same in every run (Swift's `Hasher` is
    /// seeded per process).
    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}
