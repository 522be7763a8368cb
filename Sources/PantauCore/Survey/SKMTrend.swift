import Foundation

/// Direction of a change between two periods.
public enum SKMChange: String, Hashable, Sendable, Codable {
    case up = "naik"
    case down = "turun"
    case same = "tetap"

    init(_ delta: Int) { self = delta > 0 ? .up : delta < 0 ? .down : .same }

    public var label: SurveyText {
        switch self {
        case .up: return SurveyText(id: "naik", en: "up")
        case .down: return SurveyText(id: "turun", en: "down")
        case .same: return SurveyText(id: "tetap", en: "unchanged")
        }
    }
}

/// One period in a trend.
public struct SKMTrendPoint: Hashable, Sendable, Codable {
    public var period: SurveyPeriod
    public var respondentCount: Int
    public var ikm: Double?
    public var grade: SKMGrade?
    /// IKM change from the previous point that has an IKM (in IKM points, 2 dp); nil for the first.
    public var change: Double?
    public var direction: SKMChange?
}

/// How one unsur changed between two periods.
public struct SKMUnsurChange: Hashable, Sendable, Codable {
    public var code: UnsurCode
    public var name: SurveyText
    public var previousNRR: Double?
    public var currentNRR: Double?
    /// Change of NRR×25 (2 dp, IKM scale); nil if either side has no answers.
    public var change: Double?
    public var direction: SKMChange?
}

/// IKM over several periods and the per-unsur comparison of the last two.
///
/// Changes are differences of the rounded values (hundredths), so a report that prints both
/// IKMs and the change always adds up.
public struct SKMTrend: Hashable, Sendable, Codable {
    /// Oldest first.
    public var points: [SKMTrendPoint]
    /// Per unsur of the latest period, compared with the previous one (empty with fewer than 2 periods).
    public var unsurChanges: [SKMUnsurChange]

    /// Builds the trend from results keyed by period (order does not matter; each result's own
    /// ``SKMResult/period`` is ignored in favour of the key). Duplicate periods keep the last.
    ///
    /// - Complexity: O(P log P + U²) for P periods and U unsur.
    public init(_ results: [(period: SurveyPeriod, result: SKMResult)]) {
        var byPeriod: [SurveyPeriod: SKMResult] = [:]
        for r in results { byPeriod[r.period] = r.result }
        let sorted = byPeriod.keys.sorted()
        var points: [SKMTrendPoint] = []
        var lastIKM: Int?
        for p in sorted {
            guard let r = byPeriod[p] else { continue }
            var point = SKMTrendPoint(period: p, respondentCount: r.respondentCount, ikm: r.ikm, grade: r.grade)
            if let h = r.ikmHundredths {
                if let l = lastIKM {
                    point.change = Double(h - l) / 100
                    point.direction = SKMChange(h - l)
                }
                lastIKM = h
            }
            points.append(point)
        }
        self.points = points
        if sorted.count >= 2, let cur = byPeriod[sorted[sorted.count - 1]], let prev = byPeriod[sorted[sorted.count - 2]] {
            unsurChanges = SKMTrend.compare(previous: prev, current: cur)
        } else {
            unsurChanges = []
        }
    }

    /// Per-unsur comparison of two results, in the current result's unsur order.
    public static func compare(previous: SKMResult, current: SKMResult) -> [SKMUnsurChange] {
        current.unsur.map { u in
            let p = previous.unsur(u.code)
            var c = SKMUnsurChange(code: u.code, name: u.name, previousNRR: p?.nrr, currentNRR: u.nrr)
            if let a = p?.convertedNRR, let b = u.convertedNRR {
                let delta = Int((b * 100).rounded()) - Int((a * 100).rounded())
                c.change = Double(delta) / 100
                c.direction = SKMChange(delta)
            }
            return c
        }
    }
}
