import Foundation

/// The seed's five families of indicators (IKU) of an SOP or unit.
public enum IndicatorFamily: String, Sendable, Hashable, Codable, CaseIterable {
    /// Kepatuhan prosedur: cases carried out as the SOP says.
    case compliance
    /// Efisiensi waktu dan biaya.
    case efficiency
    /// Kualitas layanan: citizen satisfaction (SKM).
    case quality
    /// Komunikasi: staff understand the SOP.
    case communication
    /// Dampak organisasi: entered by hand with its evidence.
    case impact
}

/// Where an indicator's realisation comes from. Every metric but ``manual`` is computed from the
/// data Pantau holds; a manual value may still be entered for any indicator and period, and then
/// it is shown as such, with its explanation and evidence.
public enum IndicatorMetric: String, Sendable, Hashable, Codable, CaseIterable {
    /// Share (%) of the period's closed cases that conform to the SOP.
    case complianceShare = "compliance_share"
    /// Median lead time (minutes) of the period's closed cases.
    case medianLeadMinutes = "median_lead_minutes"
    /// 90th percentile lead time (minutes) of the period's closed cases.
    case p90LeadMinutes = "p90_lead_minutes"
    /// Share (%) of closed cases within the SOP's total time standard.
    case withinStandardShare = "within_standard_share"
    /// Median total waiting time (minutes) between steps of the period's closed cases.
    case medianWaitMinutes = "median_wait_minutes"
    /// Indeks Kepuasan Masyarakat (25–100) of the SOP's (or unit's) survey in the period.
    case ikm
    /// The converted NRR (×25) of one SKM unsur (``Indicator/unsur``).
    case unsurNRR = "unsur_nrr"
    /// Average staff quiz score (%) on the SOP version in force.
    case quizScore = "quiz_score"
    /// Share (%) of the unit's staff who acknowledged the SOP version in force.
    case acknowledgedShare = "acknowledged_share"
    /// Entered by hand with evidence (organisational impact, cost against the tariff, anything
    /// Pantau does not measure).
    case manual

    /// The family a metric belongs to.
    public var family: IndicatorFamily {
        switch self {
        case .complianceShare: return .compliance
        case .medianLeadMinutes, .p90LeadMinutes, .withinStandardShare, .medianWaitMinutes: return .efficiency
        case .ikm, .unsurNRR: return .quality
        case .quizScore, .acknowledgedShare: return .communication
        case .manual: return .impact
        }
    }

    /// The unit of measure the metric is computed in (nil: the person chooses).
    public var unitOfMeasure: String? {
        switch self {
        case .complianceShare, .withinStandardShare, .quizScore, .acknowledgedShare: return "%"
        case .medianLeadMinutes, .p90LeadMinutes, .medianWaitMinutes: return "menit"
        case .ikm, .unsurNRR: return "indeks"
        case .manual: return nil
        }
    }

    /// Whether a higher value is better, as the metric is usually read.
    public var defaultDirection: IndicatorDirection {
        switch self {
        case .medianLeadMinutes, .p90LeadMinutes, .medianWaitMinutes: return .lowerIsBetter
        default: return .higherIsBetter
        }
    }

    /// Whether the metric reads the SOP's cases (and so needs an SOP).
    public var needsSOP: Bool {
        switch self {
        case .complianceShare, .medianLeadMinutes, .p90LeadMinutes, .withinStandardShare, .medianWaitMinutes,
             .quizScore, .acknowledgedShare: return true
        case .ikm, .unsurNRR, .manual: return false
        }
    }

    /// The metrics of a family, in the order forms list them.
    public static func of(_ family: IndicatorFamily) -> [IndicatorMetric] { allCases.filter { $0.family == family } }
}

/// Whether a higher or a lower realisation is better.
public enum IndicatorDirection: String, Sendable, Hashable, Codable, CaseIterable {
    case higherIsBetter = "higher"
    case lowerIsBetter = "lower"
}

/// Red / amber / green of an achievement.
public enum IndicatorStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case green, amber, red
}

/// How achievement (capaian, %) is computed and graded. The formula for lower-is-better
/// indicators follows the SAKIP practice (PermenPANRB 53/2014 technical guidance, **UNVERIFIED**
/// in REFERENCE.md, hence configurable): capaian = (2 × target − realisasi) / target × 100.
/// The alternative ``LowerFormula/ratio`` is target / realisasi × 100.
public struct AchievementPolicy: Sendable, Hashable, Codable {
    public enum LowerFormula: String, Sendable, Hashable, Codable, CaseIterable {
        /// (2t − r) / t × 100, floored at 0.
        case sakip
        /// t / r × 100.
        case ratio
    }

    public var lowerFormula: LowerFormula
    /// At or above this achievement (%): green.
    public var greenFrom: Double
    /// At or above this achievement (%), below green: amber. Below: red.
    public var amberFrom: Double

    public init(lowerFormula: LowerFormula = .sakip, greenFrom: Double = 100, amberFrom: Double = 85) {
        self.lowerFormula = lowerFormula
        self.greenFrom = greenFrom
        self.amberFrom = amberFrom
    }

    public static let standard = AchievementPolicy()

    /// Achievement (%) of `realisation` against `target` in `direction`; nil when it cannot be
    /// computed (no target, a zero target, a zero realisation of a lower-is-better ratio).
    public func achievement(realisation: Double, target: Double, direction: IndicatorDirection) -> Double? {
        guard target.isFinite, realisation.isFinite, target != 0 else { return nil }
        switch direction {
        case .higherIsBetter:
            return max(0, realisation / target * 100)
        case .lowerIsBetter:
            switch lowerFormula {
            case .sakip: return max(0, (2 * target - realisation) / target * 100)
            case .ratio:
                guard realisation > 0 else { return nil }
                return target / realisation * 100
            }
        }
    }

    /// The colour of an achievement.
    public func status(_ achievement: Double) -> IndicatorStatus {
        if achievement >= greenFrom { return .green }
        if achievement >= amberFrom { return .amber }
        return .red
    }
}
