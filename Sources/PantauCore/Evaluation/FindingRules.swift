import Foundation

// MARK: - Findings drafted from the data (issue 9 item 6, docs/findings-actions.md)

/// What a finding is about.
public enum FindingKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// An SOP step skipped in more than the threshold share of cases.
    case stepSkipped = "step_skipped"
    /// An SOP step over its time standard in more than the threshold share of measured executions.
    case stepOverStandard = "step_over_standard"
    /// An SKM unsur whose NRR is below the threshold.
    case unsurLow = "unsur_low"
    /// A quiz question most staff answer wrongly.
    case quizMissed = "quiz_missed"
    /// A Tabel 7 (PermenPANRB 35/2012) row marked "tidak berjalan dengan baik".
    case monitoringRowNotGood = "monitoring_row_not_good"
    /// An indicator whose realisation misses its target.
    case indicatorBelowTarget = "indicator_below_target"
    /// Written by a person.
    case manual
}

/// How urgent a finding is, from its impact score (0–100): high from 40, medium from 15.
public enum FindingSeverity: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    case low, medium, high

    public init(impact: Double) {
        self = impact >= 40 ? .high : impact >= 15 ? .medium : .low
    }

    public static func < (a: FindingSeverity, b: FindingSeverity) -> Bool {
        let order: [FindingSeverity] = [.low, .medium, .high]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}

/// The thresholds of the rules. Defaults: a step skipped in more than 10% of the cases, over its
/// standard in more than 20% of its measured executions (each judged from at least 5 cases); an
/// SKM unsur with NRR below 3.0 (×25 = 75, grade C) from at least 5 respondents; a quiz question
/// answered wrongly by more than half of at least 3 answers.
public struct FindingThresholds: Hashable, Sendable, Codable {
    public var stepSkippedShare: Double
    public var stepOverStandardShare: Double
    public var minimumCases: Int
    public var unsurNRRBelow: Double
    public var minimumRespondents: Int
    public var quizWrongShare: Double
    public var minimumQuizAnswers: Int

    public init(stepSkippedShare: Double = 0.10, stepOverStandardShare: Double = 0.20, minimumCases: Int = 5, unsurNRRBelow: Double = 3.0,
                minimumRespondents: Int = 5, quizWrongShare: Double = 0.5, minimumQuizAnswers: Int = 3) {
        self.stepSkippedShare = stepSkippedShare
        self.stepOverStandardShare = stepOverStandardShare
        self.minimumCases = minimumCases
        self.unsurNRRBelow = unsurNRRBelow
        self.minimumRespondents = minimumRespondents
        self.quizWrongShare = quizWrongShare
        self.minimumQuizAnswers = minimumQuizAnswers
    }

    public static let `default` = FindingThresholds()
}

/// A case named in a finding's evidence.
public struct FindingCaseRef: Hashable, Sendable, Codable {
    public var id: Int64
    public var reference: String
    public init(id: Int64, reference: String) {
        self.id = id
        self.reference = reference
    }
}

/// The monitoring figures of one SOP step over a period (the store maps its `StepTotals`).
public struct StepFindingInput: Hashable, Sendable {
    public var stepID: String
    public var number: Int
    public var activity: String
    /// Cases analysed in the period (the denominator of the skip share).
    public var totalCases: Int
    /// Cases in which the conformance check found the step skipped.
    public var casesSkipping: Int
    /// Executions of the step with a measured duration, and of those, over the standard.
    public var measured: Int
    public var overStandard: Int
    /// The step's time standard (seconds), if the SOP gives one.
    public var standardSeconds: Double?
    /// Some cases behind the figures (skipping, or over the standard).
    public var skippingSample: [FindingCaseRef]
    public var overStandardSample: [FindingCaseRef]

    public init(stepID: String, number: Int, activity: String, totalCases: Int, casesSkipping: Int, measured: Int, overStandard: Int,
                standardSeconds: Double?, skippingSample: [FindingCaseRef] = [], overStandardSample: [FindingCaseRef] = []) {
        self.stepID = stepID
        self.number = number
        self.activity = activity
        self.totalCases = totalCases
        self.casesSkipping = casesSkipping
        self.measured = measured
        self.overStandard = overStandard
        self.standardSeconds = standardSeconds
        self.skippingSample = skippingSample
        self.overStandardSample = overStandardSample
    }
}

/// One unsur of an SKM result (NRR on the 1–4 scale).
public struct UnsurFindingInput: Hashable, Sendable {
    public var surveyID: Int64
    public var period: String
    public var code: String
    /// The regulation letter (a–i) of PermenPANRB 14/2017, which keys the typical actions.
    public var regulationLetter: String?
    public var name: String
    public var nrr: Double
    public var respondents: Int

    public init(surveyID: Int64, period: String, code: String, regulationLetter: String?, name: String, nrr: Double, respondents: Int) {
        self.surveyID = surveyID
        self.period = period
        self.code = code
        self.regulationLetter = regulationLetter
        self.name = name
        self.nrr = nrr
        self.respondents = respondents
    }
}

/// One quiz question with its answers (fed by the quiz part).
public struct QuizQuestionFindingInput: Hashable, Sendable {
    public var questionID: Int64
    public var text: String
    public var stepID: String?
    public var stepNumber: Int?
    public var answers: Int
    public var wrong: Int

    public init(questionID: Int64, text: String, stepID: String? = nil, stepNumber: Int? = nil, answers: Int, wrong: Int) {
        self.questionID = questionID
        self.text = text
        self.stepID = stepID
        self.stepNumber = stepNumber
        self.answers = answers
        self.wrong = wrong
    }
}

/// One Tabel 7 row marked "tidak berjalan dengan baik" (fed by the monitoring-record part).
public struct MonitoringRowFindingInput: Hashable, Sendable {
    public var recordID: Int64
    public var row: Int
    public var procedure: String
    public var note: String
    /// "Tindakan yang harus diambil" as the evaluator wrote it.
    public var action: String
    public var period: String

    public init(recordID: Int64, row: Int, procedure: String, note: String, action: String, period: String) {
        self.recordID = recordID
        self.row = row
        self.procedure = procedure
        self.note = note
        self.action = action
        self.period = period
    }
}

/// An indicator with its target and realisation for a period (fed by the indicator part).
public struct IndicatorFindingInput: Hashable, Sendable {
    public var indicatorID: Int64
    public var code: String
    public var name: String
    public var period: String
    public var target: Double
    public var realisation: Double
    public var higherIsBetter: Bool
    public var unitOfMeasure: String

    public init(indicatorID: Int64, code: String, name: String, period: String, target: Double, realisation: Double,
                higherIsBetter: Bool, unitOfMeasure: String) {
        self.indicatorID = indicatorID
        self.code = code
        self.name = name
        self.period = period
        self.target = target
        self.realisation = realisation
        self.higherIsBetter = higherIsBetter
        self.unitOfMeasure = unitOfMeasure
    }
}

/// Everything the rules look at for one SOP and period.
public struct FindingInputs: Hashable, Sendable {
    public var steps: [StepFindingInput]
    public var unsur: [UnsurFindingInput]
    public var quizQuestions: [QuizQuestionFindingInput]
    public var monitoringRows: [MonitoringRowFindingInput]
    public var indicators: [IndicatorFindingInput]

    public init(steps: [StepFindingInput] = [], unsur: [UnsurFindingInput] = [], quizQuestions: [QuizQuestionFindingInput] = [],
                monitoringRows: [MonitoringRowFindingInput] = [], indicators: [IndicatorFindingInput] = []) {
        self.steps = steps
        self.unsur = unsur
        self.quizQuestions = quizQuestions
        self.monitoringRows = monitoringRows
        self.indicators = indicators
    }
}

/// The evidence of a finding: its figures (name → value; shares as fractions) and where they come from.
public struct FindingEvidence: Hashable, Sendable, Codable {
    public var figures: [String: Double]
    public var cases: [FindingCaseRef]
    public var stepID: String?
    public var surveyID: Int64?
    public var period: String?
    public var unsur: String?
    public var questionID: Int64?
    public var recordID: Int64?
    public var row: Int?
    public var indicatorID: Int64?

    public init(figures: [String: Double] = [:], cases: [FindingCaseRef] = [], stepID: String? = nil, surveyID: Int64? = nil, period: String? = nil,
                unsur: String? = nil, questionID: Int64? = nil, recordID: Int64? = nil, row: Int? = nil, indicatorID: Int64? = nil) {
        self.figures = figures
        self.cases = cases
        self.stepID = stepID
        self.surveyID = surveyID
        self.period = period
        self.unsur = unsur
        self.questionID = questionID
        self.recordID = recordID
        self.row = row
        self.indicatorID = indicatorID
    }
}

/// What a recommendation proposes, by family.
public enum RecommendationCategory: String, Hashable, Sendable, Codable, CaseIterable {
    /// Training of the executors and a check in the system so the step cannot be skipped.
    case trainingAndSystemCheck = "training_system_check"
    /// More resources at the step or a change of the flow.
    case resourceOrFlow = "resource_flow"
    /// The typical actions of an SKM unsur.
    case unsurActions = "unsur_actions"
    /// Socialisation/briefing of the step the quiz question is about.
    case socialisation
    /// The action written on the Tabel 7 row.
    case monitoringAction = "monitoring_action"
    /// Review of the causes behind an indicator below target.
    case indicatorReview = "indicator_review"
    /// Written by a person.
    case manual
}

/// A recommendation as the rules draft it (Bahasa Indonesia; editable afterwards).
public struct DraftRecommendation: Hashable, Sendable, Codable {
    public var category: RecommendationCategory
    public var text: String

    public init(category: RecommendationCategory, text: String) {
        self.category = category
        self.text = text
    }
}

/// A finding as the rules draft it.
public struct DraftFinding: Hashable, Sendable, Codable {
    /// Stable per SOP and period: re-running the rules updates the finding with the same key.
    public var ruleKey: String
    public var kind: FindingKind
    /// Title in Bahasa Indonesia (the record's language; editable afterwards).
    public var title: String
    public var detail: String
    public var evidence: FindingEvidence
    /// 0–100: the share of cases, respondents or staff concerned, weighted by kind (see ``FindingRules``).
    public var impact: Double
    public var severity: FindingSeverity { FindingSeverity(impact: impact) }
    public var recommendation: DraftRecommendation
}

/// The rules that draft findings and their recommendations from plain figures (pure).
///
/// Impact (0–100), the order of priority: a skipped step 100 × the share of cases skipping it; a
/// step over standard 80 × the share over standard; an SKM unsur 100 × (threshold − NRR) ÷
/// (threshold − 1); a quiz question 60 × the share of wrong answers; a Tabel 7 row 50; an
/// indicator 100 × the shortfall relative to its target (at most 100).
public enum FindingRules {
    public static func evaluate(_ inputs: FindingInputs, thresholds t: FindingThresholds = .default) -> [DraftFinding] {
        var out: [DraftFinding] = []
        for s in inputs.steps {
            if s.totalCases >= t.minimumCases, s.casesSkipping > 0 {
                let share = Double(s.casesSkipping) / Double(s.totalCases)
                if share > t.stepSkippedShare {
                    out.append(DraftFinding(
                        ruleKey: "\(FindingKind.stepSkipped.rawValue):\(s.stepID)", kind: .stepSkipped,
                        title: "Langkah \(s.number) (\(s.activity)) dilewati pada \(percent(share)) kasus",
                        detail: "Langkah \(s.number) \"\(s.activity)\" tidak dilaksanakan pada \(s.casesSkipping) dari \(s.totalCases) kasus (\(percent(share))); batas \(percent(t.stepSkippedShare)).",
                        evidence: FindingEvidence(figures: ["cases": Double(s.totalCases), "cases_skipping": Double(s.casesSkipping), "share": share,
                                                            "threshold": t.stepSkippedShare],
                                                  cases: Array(s.skippingSample.prefix(10)), stepID: s.stepID),
                        impact: clamp(100 * share),
                        recommendation: DraftRecommendation(category: .trainingAndSystemCheck, text:
                            "Lakukan pelatihan ulang bagi pelaksana tentang langkah \(s.number) (\(s.activity)) dan pasang pemeriksaan pada sistem atau daftar periksa agar langkah ini tidak dapat dilewati.")))
                }
            }
            if let std = s.standardSeconds, s.measured >= t.minimumCases, s.overStandard > 0 {
                let share = Double(s.overStandard) / Double(s.measured)
                if share > t.stepOverStandardShare {
                    out.append(DraftFinding(
                        ruleKey: "\(FindingKind.stepOverStandard.rawValue):\(s.stepID)", kind: .stepOverStandard,
                        title: "Langkah \(s.number) (\(s.activity)) melebihi standar waktu pada \(percent(share)) pelaksanaan",
                        detail: "Langkah \(s.number) \"\(s.activity)\" melebihi standar waktu \(minutes(std)) pada \(s.overStandard) dari \(s.measured) pelaksanaan yang terukur (\(percent(share))); batas \(percent(t.stepOverStandardShare)).",
                        evidence: FindingEvidence(figures: ["measured": Double(s.measured), "over_standard": Double(s.overStandard), "share": share,
                                                            "threshold": t.stepOverStandardShare, "standard_seconds": std],
                                                  cases: Array(s.overStandardSample.prefix(10)), stepID: s.stepID),
                        impact: clamp(80 * share),
                        recommendation: DraftRecommendation(category: .resourceOrFlow, text:
                            "Tambah sumber daya (petugas, sarana) pada langkah \(s.number) (\(s.activity)) atau ubah alur kerjanya, misalnya dengan membagi antrean atau menjalankan kegiatan secara paralel; bila standar waktunya tidak realistis, revisi SOP.")))
                }
            }
        }
        for u in inputs.unsur where u.respondents >= t.minimumRespondents && u.nrr < t.unsurNRRBelow {
            let converted = u.nrr * 25
            out.append(DraftFinding(
                ruleKey: "\(FindingKind.unsurLow.rawValue):\(u.surveyID):\(u.code)", kind: .unsurLow,
                title: "Nilai unsur \(u.name) rendah (NRR \(decimal(u.nrr)), nilai konversi \(decimal(converted)))",
                detail: "Survei kepuasan masyarakat periode \(u.period): unsur \(u.name) memperoleh NRR \(decimal(u.nrr)) dari \(u.respondents) responden, di bawah batas \(decimal(t.unsurNRRBelow)).",
                evidence: FindingEvidence(figures: ["nrr": u.nrr, "converted": converted, "respondents": Double(u.respondents), "threshold": t.unsurNRRBelow],
                                          surveyID: u.surveyID, period: u.period, unsur: u.code),
                impact: clamp(100 * (t.unsurNRRBelow - u.nrr) / max(t.unsurNRRBelow - 1, 0.01)),
                recommendation: DraftRecommendation(category: .unsurActions, text: unsurActions(letter: u.regulationLetter, name: u.name))))
        }
        for q in inputs.quizQuestions where q.answers >= t.minimumQuizAnswers {
            let share = Double(q.wrong) / Double(q.answers)
            guard share > t.quizWrongShare else { continue }
            let step = q.stepNumber.map { "langkah \($0)" } ?? "langkah yang ditanyakan"
            out.append(DraftFinding(
                ruleKey: "\(FindingKind.quizMissed.rawValue):\(q.questionID)", kind: .quizMissed,
                title: "Sebagian besar pegawai salah menjawab: \(q.text)",
                detail: "\(q.wrong) dari \(q.answers) jawaban salah (\(percent(share))); batas \(percent(t.quizWrongShare)).",
                evidence: FindingEvidence(figures: ["answers": Double(q.answers), "wrong": Double(q.wrong), "share": share, "threshold": t.quizWrongShare],
                                          stepID: q.stepID, questionID: q.questionID),
                impact: clamp(60 * share),
                recommendation: DraftRecommendation(category: .socialisation, text:
                    "Sosialisasikan kembali SOP kepada pegawai, khususnya \(step), melalui apel pagi, briefing singkat atau media informasi di ruang kerja.")))
        }
        for r in inputs.monitoringRows {
            let action = r.action.trimmingCharacters(in: .whitespacesAndNewlines)
            out.append(DraftFinding(
                ruleKey: "\(FindingKind.monitoringRowNotGood.rawValue):\(r.recordID):\(r.row)", kind: .monitoringRowNotGood,
                title: "Prosedur tidak berjalan dengan baik: \(r.procedure)",
                detail: r.note.isEmpty ? "Hasil monitoring (Tabel 7) periode \(r.period)." : r.note,
                evidence: FindingEvidence(period: r.period, recordID: r.recordID, row: r.row),
                impact: 50,
                recommendation: DraftRecommendation(category: .monitoringAction, text: action.isEmpty
                    ? "Tetapkan tindakan perbaikan atas prosedur \"\(r.procedure)\" sesuai hasil monitoring."
                    : action)))
        }
        for i in inputs.indicators where i.target != 0 || !i.higherIsBetter {
            let below = i.higherIsBetter ? i.realisation < i.target : i.realisation > i.target
            guard below else { continue }
            let shortfall = i.higherIsBetter ? (i.target - i.realisation) / abs(i.target) : (i.realisation - i.target) / max(abs(i.target), 1e-9)
            out.append(DraftFinding(
                ruleKey: "\(FindingKind.indicatorBelowTarget.rawValue):\(i.indicatorID)", kind: .indicatorBelowTarget,
                title: "Indikator \(i.code) \(i.name) belum mencapai target",
                detail: "Periode \(i.period): realisasi \(decimal(i.realisation)) \(i.unitOfMeasure) terhadap target \(decimal(i.target)) \(i.unitOfMeasure).",
                evidence: FindingEvidence(figures: ["target": i.target, "realisation": i.realisation], period: i.period, indicatorID: i.indicatorID),
                impact: clamp(100 * shortfall),
                recommendation: DraftRecommendation(category: .indicatorReview, text:
                    "Analisis penyebab belum tercapainya target indikator \(i.code) dan tetapkan langkah perbaikan beserta penanggung jawabnya.")))
        }
        return out.sorted { ($0.impact, $1.ruleKey) > ($1.impact, $0.ruleKey) }
    }

    /// Typical actions for a low SKM unsur, keyed by the regulation letter (a–i) of PermenPANRB
    /// 14/2017 (not the questionnaire position: U8 and U9 differ between the two orders).
    public static let unsurCatalog: [String: String] = [
        "a": "Sederhanakan dan umumkan persyaratan pelayanan secara jelas (papan informasi, laman, media sosial); hapus persyaratan yang tidak diperlukan.",
        "b": "Sederhanakan alur dan prosedur pelayanan, tampilkan bagan alirnya di ruang pelayanan, dan sediakan petugas informasi.",
        "c": "Percepat waktu penyelesaian: kaji langkah yang paling lama, atur antrean, dan umumkan standar waktu pelayanan.",
        "d": "Umumkan biaya/tarif resmi secara terbuka, pastikan tidak ada pungutan di luar ketentuan, dan sediakan saluran pembayaran yang jelas.",
        "e": "Pastikan produk layanan sesuai standar pelayanan; periksa mutu hasil sebelum diserahkan dan umumkan spesifikasinya.",
        "f": "Tingkatkan kompetensi pelaksana melalui pelatihan teknis, bimbingan, dan penempatan petugas sesuai keahliannya.",
        "g": "Bina perilaku pelaksana (sopan, ramah, responsif) melalui pelatihan pelayanan prima, kode etik, dan pengawasan atasan.",
        "h": "Perbaiki pengelolaan pengaduan, saran dan masukan: sediakan kanal yang mudah, tindak lanjuti tepat waktu, dan umumkan hasilnya.",
        "i": "Perbaiki sarana dan prasarana pelayanan (ruang tunggu, tempat duduk, toilet, akses bagi penyandang disabilitas) sesuai prioritas anggaran.",
    ]

    static func unsurActions(letter: String?, name: String) -> String {
        if let l = letter?.lowercased(), let a = unsurCatalog[l] { return a }
        return "Analisis penyebab rendahnya nilai unsur \(name) dan tetapkan langkah perbaikan beserta penanggung jawabnya."
    }

    static func clamp(_ v: Double) -> Double { v.isFinite ? min(100, max(0, (v * 10).rounded() / 10)) : 0 }

    /// "14%", "12,5%" (Indonesian decimal comma).
    static func percent(_ share: Double) -> String {
        let v = (share * 1000).rounded() / 10
        return (v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v).replacingOccurrences(of: ".", with: ",")) + "%"
    }

    static func decimal(_ v: Double) -> String { String(format: "%.2f", v).replacingOccurrences(of: ".", with: ",") }

    static func minutes(_ seconds: Double) -> String {
        let m = seconds / 60
        return m >= 1 ? "\(Int(m.rounded())) menit" : "\(Int(seconds.rounded())) detik"
    }
}
