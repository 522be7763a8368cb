import Foundation

/// Mutu pelayanan (service quality grade) from the IKM, PermenPANRB 14/2017 conversion table.
///
/// | IKM (rounded to 2 dp) | NI (1–4) | grade | kinerja unit |
/// |---|---|---|---|
/// | 88.31–100.00 | 3.5324–4.00 | A | Sangat baik |
/// | 76.61–88.30 | 3.0644–3.532 | B | Baik |
/// | 65.00–76.60 | 2.60–3.064 | C | Kurang baik |
/// | 25.00–64.99 | 1.00–2.5996 | D | Tidak baik |
public enum SKMGrade: String, Hashable, Comparable, Sendable, Codable, CaseIterable {
    case a = "A"
    case b = "B"
    case c = "C"
    case d = "D"

    /// Kinerja unit pelayanan: Sangat baik / Baik / Kurang baik / Tidak baik.
    public var label: SurveyText {
        switch self {
        case .a: return SurveyText(id: "Sangat baik", en: "Very good")
        case .b: return SurveyText(id: "Baik", en: "Good")
        case .c: return SurveyText(id: "Kurang baik", en: "Poor")
        case .d: return SurveyText(id: "Tidak baik", en: "Very poor")
        }
    }

    /// Lowest IKM of the grade, in hundredths (A 8831, B 7661, C 6500, D 2500).
    public var lowerBoundHundredths: Int {
        switch self {
        case .a: return 8831
        case .b: return 7661
        case .c: return 6500
        case .d: return 2500
        }
    }

    /// The grade of an IKM already rounded to hundredths (9148 = 91.48):
    /// A if ≥ 88.31, B if ≥ 76.61, C if ≥ 65.00, otherwise D.
    public init(ikmHundredths h: Int) {
        if h >= 8831 { self = .a } else if h >= 7661 { self = .b } else if h >= 6500 { self = .c } else { self = .d }
    }

    /// The grade of an IKM value: rounds it to 2 decimals (half away from zero on its shortest
    /// decimal form, so 76.605 → 76.61 → B) and classifies it.
    public init(ikm: Double) {
        self.init(ikmHundredths: SKMGrade.hundredths(of: ikm))
    }

    /// `value` rounded to hundredths, half away from zero, using the decimal text Swift prints for
    /// it (so the literal 76.605 rounds to 76.61 although its binary value is 76.60499…).
    public static func hundredths(of value: Double) -> Int {
        guard value.isFinite else { return 0 }
        let d = Decimal(string: "\(value)") ?? Decimal(value)
        var x = d * 100
        var r = Decimal()
        NSDecimalRound(&r, &x, 0, .plain)
        return NSDecimalNumber(decimal: r).intValue
    }

    /// A is best: `.a < .b` is false; grades compare by quality (D lowest).
    public static func < (x: SKMGrade, y: SKMGrade) -> Bool { x.lowerBoundHundredths < y.lowerBoundHundredths }
}

/// A respondent-profile question used to break results down.
public enum ProfileDimension: String, Hashable, Sendable, Codable, CaseIterable {
    case gender = "jenis_kelamin"
    case education = "pendidikan"
    case occupation = "pekerjaan"
    case serviceType = "jenis_layanan"
    case ageBand = "usia"

    public var label: SurveyText {
        switch self {
        case .gender: return SurveyText(id: "Jenis kelamin", en: "Gender")
        case .education: return SurveyText(id: "Pendidikan", en: "Education")
        case .occupation: return SurveyText(id: "Pekerjaan", en: "Occupation")
        case .serviceType: return SurveyText(id: "Jenis layanan", en: "Service received")
        case .ageBand: return SurveyText(id: "Usia", en: "Age")
        }
    }
}

/// The result for one unsur.
public struct SKMUnsurResult: Hashable, Sendable, Codable {
    public var code: UnsurCode
    public var name: SurveyText
    /// Letter a–i for a standard unsur.
    public var regulationLetter: String?
    public var weight: SurveyWeight
    /// Respondents who answered this unsur.
    public var answered: Int
    /// Respondents who left it empty.
    public var unanswered: Int
    /// Sum of the scores.
    public var scoreSum: Int
    /// How many answered 1, 2, 3, 4 (index 0 is score 1).
    public var answerCounts: [Int]
    /// NRR = scoreSum ÷ answered (1–4); nil when nobody answered.
    public var nrr: Double?
    /// NRR × weight actually used (after renormalisation, if any).
    public var weightedNRR: Double?
    /// NRR × 25 rounded to 2 decimals (the unsur's value on the IKM scale).
    public var convertedNRR: Double?
    /// Grade of ``convertedNRR``.
    public var grade: SKMGrade?
}

/// An unsur ranked for improvement (lowest NRR first).
public struct SKMPriority: Hashable, Sendable, Codable {
    public var rank: Int
    public var code: UnsurCode
    public var name: SurveyText
    public var nrr: Double
    public var convertedNRR: Double
    public var grade: SKMGrade
}

/// One group of a profile breakdown (e.g. pendidikan = SMA).
public struct SKMProfileGroup: Hashable, Sendable, Codable {
    /// The choice code (`SMA`, `L`, the band's lower bound for age); nil for "not answered".
    public var code: String?
    public var label: SurveyText
    public var respondents: Int
    /// Share of all respondents (0–1).
    public var share: Double
    /// IKM of this group's responses (rounded to 2 dp); nil when the group is empty.
    public var ikm: Double?
    public var grade: SKMGrade?
}

/// Respondents and IKM by one profile question.
public struct SKMProfileBreakdown: Hashable, Sendable, Codable {
    public var dimension: ProfileDimension
    public var label: SurveyText
    public var groups: [SKMProfileGroup]
}

/// Everything computed for one survey period: per-unsur NRR, the IKM and its grade, improvement
/// priorities, the profile breakdown and the sample-size check.
public struct SKMResult: Hashable, Sendable, Codable {
    public var service: SurveyService
    public var period: SurveyPeriod?
    /// Responses counted.
    public var respondentCount: Int
    /// Per unsur, in the definition's (form) order.
    public var unsur: [SKMUnsurResult]
    /// Σ NRRᵢ × wᵢ on the 1–4 scale (nilai indeks); nil when nothing was answered.
    public var index: Double?
    /// IKM = index × 25 before rounding.
    public var ikmUnrounded: Double?
    /// IKM rounded to 2 decimals, half away from zero on the exact decimal value.
    public var ikm: Double?
    /// IKM in hundredths (9148 for 91.48): exact, use it for comparisons.
    public var ikmHundredths: Int?
    public var grade: SKMGrade?
    /// Answered unsur, lowest NRR first (ties in form order).
    public var priorities: [SKMPriority]
    /// Breakdown per requested profile question.
    public var profile: [SKMProfileBreakdown]
    /// Krejcie–Morgan check, when a population was given.
    public var sample: SampleAdequacy?
    /// Unsur nobody answered (excluded from the IKM; see ``weightsRenormalized``).
    public var unsurWithoutAnswers: [UnsurCode]
    /// True if some unsur had no answers and the others' weights were rescaled to sum to 1.
    public var weightsRenormalized: Bool
    /// True when the rounding to 2 decimals was decided on the exact value (always, except for
    /// weights whose products exceed 128-bit integers; see `docs/skm.md`).
    public var isExact: Bool

    /// The grade of the IKM as text, e.g. "A (Sangat baik)".
    public func gradeText(_ language: SurveyLanguage) -> String? {
        grade.map { "\($0.rawValue) (\($0.label.text(language)))" }
    }

    /// The result for `code`.
    public func unsur(_ code: UnsurCode) -> SKMUnsurResult? { unsur.first { $0.code == code } }
}
