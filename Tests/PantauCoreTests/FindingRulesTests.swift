import Foundation
import PantauCore
import Testing

@Suite("Findings drafted from monitoring, SKM, quiz, Tabel 7 and indicator figures")
struct FindingRulesTests {
    func step(_ id: String, skipping: Int, of total: Int, over: Int = 0, measured: Int = 0, standard: Double? = 600) -> StepFindingInput {
        StepFindingInput(stepID: id, number: 2, activity: "Skrining", totalCases: total, casesSkipping: skipping, measured: measured,
                         overStandard: over, standardSeconds: standard, skippingSample: (1...15).map { FindingCaseRef(id: Int64($0), reference: "K-\($0)") })
    }

    @Test("A step skipped in more than 10% of cases is a finding with its figures and a sample of cases; 10% exactly is not")
    func skippedStep() {
        let f = FindingRules.evaluate(FindingInputs(steps: [step("s2", skipping: 14, of: 100), step("s3", skipping: 10, of: 100)]))
        #expect(f.count == 1)
        let x = f[0]
        #expect(x.kind == .stepSkipped && x.ruleKey == "step_skipped:s2")
        #expect(x.evidence.figures["cases_skipping"] == 14 && x.evidence.figures["cases"] == 100)
        #expect(abs((x.evidence.figures["share"] ?? 0) - 0.14) < 1e-9)
        #expect(x.evidence.cases.count == 10 && x.evidence.stepID == "s2")
        #expect(x.impact == 14 && x.severity == .low)
        #expect(x.title.contains("14%") && x.title.contains("Skrining"))
        #expect(x.recommendation.category == .trainingAndSystemCheck)
    }

    @Test("Too few cases judge nothing; a step without standard is never over it")
    func minimums() {
        let few = FindingRules.evaluate(FindingInputs(steps: [step("s2", skipping: 3, of: 4, over: 4, measured: 4)]))
        #expect(few.isEmpty)
        let noStd = FindingRules.evaluate(FindingInputs(steps: [step("s4", skipping: 0, of: 50, over: 40, measured: 50, standard: nil)]))
        #expect(noStd.isEmpty)
    }

    @Test("A step over its standard in more than 20% of measured executions: a resource or flow change")
    func overStandard() {
        let f = FindingRules.evaluate(FindingInputs(steps: [step("s5", skipping: 0, of: 50, over: 25, measured: 50),
                                                            step("s6", skipping: 0, of: 50, over: 10, measured: 50)]))
        #expect(f.map(\.ruleKey) == ["step_over_standard:s5"])
        #expect(f[0].impact == 40 && f[0].severity == .high)
        #expect(f[0].recommendation.category == .resourceOrFlow)
        #expect(f[0].detail.contains("10 menit"))
    }

    @Test("An SKM unsur below NRR 3.0 draws that unsur's typical actions, keyed by regulation letter not position")
    func lowUnsur() {
        let inputs = FindingInputs(unsur: [
            UnsurFindingInput(surveyID: 7, period: "2026-Q1", code: "U8", regulationLetter: "i", name: "Sarana dan prasarana", nrr: 2.5, respondents: 40),
            UnsurFindingInput(surveyID: 7, period: "2026-Q1", code: "U1", regulationLetter: "a", name: "Persyaratan", nrr: 3.0, respondents: 40),
            UnsurFindingInput(surveyID: 7, period: "2026-Q1", code: "U2", regulationLetter: "b", name: "Prosedur", nrr: 1.5, respondents: 3),
        ])
        let f = FindingRules.evaluate(inputs)
        #expect(f.map(\.ruleKey) == ["unsur_low:7:U8"])
        #expect(f[0].recommendation.text == FindingRules.unsurCatalog["i"])
        #expect(f[0].evidence.figures["converted"] == 62.5 && f[0].evidence.surveyID == 7 && f[0].evidence.period == "2026-Q1")
        #expect(f[0].impact == 25)
        #expect(FindingRules.unsurCatalog.keys.sorted() == ["a", "b", "c", "d", "e", "f", "g", "h", "i"])
    }

    @Test("Quiz questions missed by more than half, Tabel 7 rows not good, indicators below target; ordered by impact")
    func otherSources() {
        let inputs = FindingInputs(
            steps: [step("s2", skipping: 30, of: 100)],
            quizQuestions: [QuizQuestionFindingInput(questionID: 4, text: "Siapa pelaksana langkah 2?", stepID: "s2", stepNumber: 2, answers: 10, wrong: 6),
                            QuizQuestionFindingInput(questionID: 5, text: "Apa langkah setelah 3?", answers: 10, wrong: 5)],
            monitoringRows: [MonitoringRowFindingInput(recordID: 3, row: 2, procedure: "Skrining", note: "", action: "Tambah bidan di meja skrining", period: "2026-Q1")],
            indicators: [IndicatorFindingInput(indicatorID: 9, code: "IKU-1", name: "Kepatuhan SOP", period: "2026-Q1", target: 90, realisation: 72,
                                               higherIsBetter: true, unitOfMeasure: "%"),
                         IndicatorFindingInput(indicatorID: 10, code: "IKU-2", name: "Waktu tunggu", period: "2026-Q1", target: 20, realisation: 15,
                                               higherIsBetter: false, unitOfMeasure: "menit")])
        let f = FindingRules.evaluate(inputs)
        #expect(Set(f.map(\.ruleKey)) == ["step_skipped:s2", "quiz_missed:4", "monitoring_row_not_good:3:2", "indicator_below_target:9"])
        #expect(f.map(\.impact) == f.map(\.impact).sorted(by: >))
        #expect(f.first { $0.kind == .monitoringRowNotGood }?.recommendation.text == "Tambah bidan di meja skrining")
        #expect(f.first { $0.kind == .quizMissed }?.recommendation.text.contains("langkah 2") == true)
        #expect(f.first { $0.kind == .indicatorBelowTarget }?.impact == 20)
    }

    @Test("Thresholds are configurable")
    func thresholds() {
        let t = FindingThresholds(stepSkippedShare: 0.2)
        #expect(FindingRules.evaluate(FindingInputs(steps: [step("s2", skipping: 14, of: 100)]), thresholds: t).isEmpty)
        #expect(FindingSeverity(impact: 39.9) == .medium && FindingSeverity(impact: 14.9) == .low && FindingSeverity(impact: 40) == .high)
    }
}
