import Foundation

// MARK: - Statistics (pure)

/// The tests of the before/after comparison (issue 9 item 8, `docs/before-after.md`): the
/// Mann–Whitney U test, the median difference with a percentile bootstrap confidence interval, and
/// the pooled two-proportion z-test. Pure Swift, deterministic (the bootstrap draws from a seeded
/// SplitMix64), results equal to SciPy's (`scipy.stats.mannwhitneyu`, `scipy.stats.norm`).
public enum BeforeAfterStatistics {
    /// The result of a two-sided Mann–Whitney U test of `x` against `y`.
    public struct MannWhitney: Sendable, Hashable, Codable {
        /// U of the first sample: its rank sum minus n₁(n₁+1)/2 (SciPy's `statistic`).
        public var u: Double
        /// Normal approximation with tie and continuity correction, signed: negative when the first
        /// sample tends to be smaller. Nil when the exact distribution was used.
        public var z: Double?
        /// Two-sided p-value.
        public var p: Double
        /// True when `p` comes from the exact distribution of U (both samples ≤ 20, no ties).
        public var exact: Bool
    }

    /// Largest sample size (each side) for which the exact distribution of U is used.
    public static let exactLimit = 20

    /// Two-sided Mann–Whitney U test. Ranks by sorting (O(n log n)); exact p-value when both
    /// samples have at most ``exactLimit`` values and no value is tied, else the normal
    /// approximation with tie correction and continuity correction (as SciPy's
    /// `mannwhitneyu(x, y, alternative='two-sided', use_continuity=True)` with method `exact`
    /// respectively `asymptotic`). Nil when either sample is empty or holds a non-finite value.
    public static func mannWhitneyU(_ x: [Double], _ y: [Double]) -> MannWhitney? {
        let n1 = x.count, n2 = y.count
        guard n1 > 0, n2 > 0, x.allSatisfy(\.isFinite), y.allSatisfy(\.isFinite) else { return nil }
        // Pool, sort, give tied values their mean rank; count ties for the variance correction.
        var pooled: [(Double, Bool)] = []
        pooled.reserveCapacity(n1 + n2)
        for v in x { pooled.append((v, true)) }
        for v in y { pooled.append((v, false)) }
        pooled.sort { $0.0 < $1.0 }
        let n = n1 + n2
        var r1 = 0.0
        var tieTerm = 0.0
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && pooled[j + 1].0 == pooled[i].0 { j += 1 }
            let rank = Double(i + j + 2) / 2  // ranks i+1 … j+1
            for k in i...j where pooled[k].1 { r1 += rank }
            let t = Double(j - i + 1)
            tieTerm += t * t * t - t
            i = j + 1
        }
        let u1 = r1 - Double(n1 * (n1 + 1)) / 2
        let u2 = Double(n1 * n2) - u1
        if n1 <= exactLimit && n2 <= exactLimit && tieTerm == 0 {
            let p = min(1, 2 * exactUpperTail(max(u1, u2), n1, n2))
            return MannWhitney(u: u1, z: nil, p: p, exact: true)
        }
        let mu = Double(n1 * n2) / 2
        let nn = Double(n)
        let variance = Double(n1 * n2) / 12 * ((nn + 1) - tieTerm / (nn * (nn - 1)))
        guard variance > 0 else { return MannWhitney(u: u1, z: 0, p: 1, exact: false) }
        let d = u1 - mu
        let z = (d < 0 ? -1.0 : 1.0) * max(0, abs(d) - 0.5) / variance.squareRoot()
        return MannWhitney(u: u1, z: z, p: min(1, 2 * normalUpperTail(abs(z))), exact: false)
    }

    /// P(U ≥ u) under the null hypothesis for samples of n1 and n2 values without ties: the
    /// number of arrangements with U ≥ u over C(n1+n2, n1), counted by the recurrence
    /// f(i, j, u) = f(i−1, j, u−j) + f(i, j−1, u) (exact in Double up to 40 values).
    static func exactUpperTail(_ u: Double, _ n1: Int, _ n2: Int) -> Double {
        let maxU = n1 * n2
        // f[j][k]: arrangements of i values of the first and j of the second sample with U = k.
        var f = [[Double]](repeating: [Double](repeating: 0, count: maxU + 1), count: n2 + 1)
        for j in 0...n2 { f[j][0] = 1 }  // i = 0
        if n1 > 0 {
            for _ in 1...n1 {
                var g = [[Double]](repeating: [Double](repeating: 0, count: maxU + 1), count: n2 + 1)
                g[0][0] = 1
                if n2 > 0 {
                    for j in 1...n2 {
                        for k in 0...maxU {
                            // The largest value is from the first sample (it beats all j of the
                            // second: U grows by j) or from the second (U unchanged).
                            g[j][k] = (k >= j ? f[j][k - j] : 0) + g[j - 1][k]
                        }
                    }
                }
                f = g
            }
        }
        let counts = f[n2]
        let total = counts.reduce(0, +)
        let from = Int(u.rounded(.up))
        guard from <= maxU else { return 0 }
        return counts[max(0, from)...].reduce(0, +) / total
    }

    /// P(Z > z) of the standard normal distribution.
    public static func normalUpperTail(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

    /// Median (mean of the two middle values for an even count), nil for no values.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        return medianOfSorted(values.sorted())
    }

    static func medianOfSorted(_ s: [Double]) -> Double {
        let n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    /// Linear-interpolation percentile of sorted values (NumPy's default), `q` in [0, 1].
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let x = q * Double(sorted.count - 1)
        let lo = Int(x.rounded(.down)), hi = Int(x.rounded(.up))
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (x - Double(lo))
    }

    /// A confidence interval.
    public struct Interval: Sendable, Hashable, Codable {
        public var lower: Double
        public var upper: Double
        public var level: Double
        public init(lower: Double, upper: Double, level: Double) {
            self.lower = lower; self.upper = upper; self.level = level
        }
        public func contains(_ v: Double) -> Bool { lower <= v && v <= upper }
    }

    /// Options of the bootstrap.
    public struct BootstrapOptions: Sendable, Hashable {
        /// Number of resamples (B).
        public var resamples: Int
        /// Confidence level.
        public var level: Double
        /// Seed of the generator: the same seed gives the same interval.
        public var seed: UInt64
        /// Largest sample (per side) resampled as it is; a larger one is first reduced to this
        /// many values taken evenly from its sorted order (deterministic; the interval then comes
        /// out somewhat wider, never narrower, than the full sample's).
        public var maxSample: Int

        public init(resamples: Int = 2000, level: Double = 0.95, seed: UInt64 = 0x5EED_B4AF, maxSample: Int = 50_000) {
            self.resamples = resamples; self.level = level; self.seed = seed; self.maxSample = maxSample
        }
    }

    /// Values taken evenly from the sorted sample (its quantiles), `m` of them.
    static func thinned(_ sorted: [Double], to m: Int) -> [Double] {
        guard sorted.count > m, m > 0 else { return sorted }
        let n = sorted.count
        return (0..<m).map { i in sorted[min(n - 1, Int((Double(i) + 0.5) * Double(n) / Double(m)))] }
    }

    /// Percentile bootstrap interval of median(after) − median(before): each side resampled with
    /// replacement on its own, B times. A resample's median is found without sorting: the sample
    /// is sorted once and the drawn positions are counted, so each resample costs O(n).
    /// Nil when either side is empty.
    public static func medianDifferenceInterval(before: [Double], after: [Double], options: BootstrapOptions = .init()) -> Interval? {
        guard !before.isEmpty, !after.isEmpty, options.resamples > 0 else { return nil }
        let b = thinned(before.sorted(), to: options.maxSample)
        let a = thinned(after.sorted(), to: options.maxSample)
        var rng = SplitMix64(seed: options.seed)
        var countsA = [Int32](repeating: 0, count: a.count)
        var countsB = [Int32](repeating: 0, count: b.count)
        var diffs = [Double]()
        diffs.reserveCapacity(options.resamples)
        for _ in 0..<options.resamples {
            let mb = resampledMedian(b, &countsB, &rng)
            let ma = resampledMedian(a, &countsA, &rng)
            diffs.append(ma - mb)
        }
        diffs.sort()
        let alpha = (1 - options.level) / 2
        return Interval(lower: percentile(diffs, alpha), upper: percentile(diffs, 1 - alpha), level: options.level)
    }

    /// The median of n draws with replacement from sorted values (counts: scratch, zeroed).
    static func resampledMedian(_ sorted: [Double], _ counts: inout [Int32], _ rng: inout SplitMix64) -> Double {
        let n = sorted.count
        for i in 0..<n { counts[i] = 0 }
        for _ in 0..<n { counts[rng.index(n)] += 1 }
        // The k-th smallest drawn value (0-based): walk the counts in sorted order.
        func kth(_ k: Int) -> Double {
            var seen = 0
            for i in 0..<n {
                seen += Int(counts[i])
                if seen > k { return sorted[i] }
            }
            return sorted[n - 1]
        }
        if n % 2 == 1 { return kth(n / 2) }
        return (kth(n / 2 - 1) + kth(n / 2)) / 2
    }

    /// The pooled two-proportion z-test of the share after against the share before.
    public struct ProportionTest: Sendable, Hashable, Codable {
        /// (p_after − p_before) / √(p̂(1−p̂)(1/n_before + 1/n_after)), p̂ the pooled share; 0 when
        /// every case has the same outcome.
        public var z: Double
        /// Two-sided p-value.
        public var p: Double
    }

    /// Pooled two-proportion z-test (as statsmodels' `proportions_ztest` with `value=0`,
    /// `alternative='two-sided'`). Nil when either side has no cases.
    public static func twoProportionZTest(successesBefore x1: Int, casesBefore n1: Int, successesAfter x2: Int, casesAfter n2: Int) -> ProportionTest? {
        guard n1 > 0, n2 > 0, (0...n1).contains(x1), (0...n2).contains(x2) else { return nil }
        let p1 = Double(x1) / Double(n1), p2 = Double(x2) / Double(n2)
        let pooled = Double(x1 + x2) / Double(n1 + n2)
        let se = (pooled * (1 - pooled) * (1 / Double(n1) + 1 / Double(n2))).squareRoot()
        guard se > 0 else { return ProportionTest(z: 0, p: 1) }
        let z = (p2 - p1) / se
        return ProportionTest(z: z, p: min(1, 2 * normalUpperTail(abs(z))))
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small deterministic generator, the same numbers on
/// every platform for the same seed.
public struct SplitMix64: Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, n), by the high bits of a 128-bit product (no modulo bias to speak of).
    public mutating func index(_ n: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }
    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}

// MARK: - The comparison

/// The samples of one side (before or after) of a comparison, as the store reads them.
public struct BeforeAfterSide: Sendable, Hashable, Codable {
    /// Lead time of each closed case (seconds).
    public var leadSeconds: [Double] = []
    /// Total waiting of each closed case whose waits were measured (seconds).
    public var waitingSeconds: [Double] = []
    /// Per step id: the time each case spent in the step (all its occurrences), and the wait
    /// before it.
    public var stepSeconds: [String: [Double]] = [:]
    public var stepWaitingSeconds: [String: [Double]] = [:]
    /// Closed cases checked against the SOP, and those conforming to it.
    public var checkedCases = 0
    public var compliantCases = 0
    /// SKM results of the periods on this side.
    public var ikm: [IKMPeriodFigure] = []

    public init() {}
}

/// The IKM of one survey period.
public struct IKMPeriodFigure: Sendable, Hashable, Codable {
    public var surveyID: Int64
    public var survey: String
    /// `SurveyPeriod` text, e.g. `2026-Q2`.
    public var period: String
    public var from: CivilDate
    public var to: CivilDate
    public var respondents: Int
    public var ikm: Double

    public init(surveyID: Int64, survey: String, period: String, from: CivilDate, to: CivilDate, respondents: Int, ikm: Double) {
        self.surveyID = surveyID; self.survey = survey; self.period = period; self.from = from; self.to = to
        self.respondents = respondents; self.ikm = ikm
    }
}

/// One duration measure compared before and after.
public struct DurationComparison: Sendable, Hashable, Codable {
    public var nBefore: Int
    public var nAfter: Int
    public var medianBefore: Double?
    public var medianAfter: Double?
    /// median(after) − median(before), seconds.
    public var difference: Double?
    /// Bootstrap interval of the difference.
    public var interval: BeforeAfterStatistics.Interval?
    public var test: BeforeAfterStatistics.MannWhitney?

    public init(before: [Double], after: [Double], bootstrap: BeforeAfterStatistics.BootstrapOptions) {
        nBefore = before.count; nAfter = after.count
        medianBefore = BeforeAfterStatistics.median(before)
        medianAfter = BeforeAfterStatistics.median(after)
        if let a = medianAfter, let b = medianBefore { difference = a - b }
        interval = BeforeAfterStatistics.medianDifferenceInterval(before: before, after: after, options: bootstrap)
        // U of the before sample: large when before tends to be longer.
        test = BeforeAfterStatistics.mannWhitneyU(before, after)
    }
}

/// A step's time and wait compared.
public struct StepComparison: Sendable, Hashable, Codable {
    public var stepID: String
    public var duration: DurationComparison
    public var waiting: DurationComparison
}

/// Share of conforming cases compared.
public struct ComplianceComparison: Sendable, Hashable, Codable {
    public var casesBefore: Int
    public var compliantBefore: Int
    public var casesAfter: Int
    public var compliantAfter: Int
    public var shareBefore: Double?
    public var shareAfter: Double?
    public var test: BeforeAfterStatistics.ProportionTest?
}

/// IKM per period and the difference of the means of the periods' IKM.
public struct IKMComparison: Sendable, Hashable, Codable {
    public var before: [IKMPeriodFigure]
    public var after: [IKMPeriodFigure]
    /// Unweighted means of the periods' IKM on each side.
    public var meanBefore: Double?
    public var meanAfter: Double?
    public var difference: Double?
}

/// What a before/after comparison says about one measure, for a sentence ("Waktu tunggu turun
/// dari 40 menit menjadi 15 menit, p < 0,001"): the web layer words it from catalog keys.
public struct BeforeAfterFinding: Sendable, Hashable, Codable {
    public enum Metric: Sendable, Hashable, Codable {
        case leadTime
        case waitingTime
        case stepDuration(String)
        case stepWaiting(String)
        case compliance
        case ikm
    }
    public enum Direction: String, Sendable, Hashable, Codable {
        case down, up, unchanged
    }
    /// How `before` and `after` are measured.
    public enum Kind: String, Sendable, Hashable, Codable {
        case seconds, share, index
    }
    public var metric: Metric
    public var kind: Kind
    /// `unchanged` when the difference is not significant (p ≥ α) or zero.
    public var direction: Direction
    public var before: Double
    public var after: Double
    /// Nil for IKM (the periods are too few for a test).
    public var p: Double?
}

/// The before/after comparison of an SOP around a split instant (issue 9 item 8).
public struct BeforeAfterComparison: Sendable, Hashable, Codable {
    public var split: Date
    /// Cases opened in [beforeFrom, split) against [split, afterTo).
    public var beforeFrom: Date
    public var afterTo: Date
    public var leadTime: DurationComparison
    public var waitingTime: DurationComparison
    /// The steps seen on either side, in the order given (SOP order), then any others by id.
    public var steps: [StepComparison]
    public var compliance: ComplianceComparison
    public var ikm: IKMComparison
    public var resamples: Int
    public var level: Double

    public init(split: Date, beforeFrom: Date, afterTo: Date, before: BeforeAfterSide, after: BeforeAfterSide,
                stepOrder: [String] = [], bootstrap: BeforeAfterStatistics.BootstrapOptions = .init()) {
        self.split = split; self.beforeFrom = beforeFrom; self.afterTo = afterTo
        resamples = bootstrap.resamples; level = bootstrap.level
        leadTime = DurationComparison(before: before.leadSeconds, after: after.leadSeconds, bootstrap: bootstrap)
        waitingTime = DurationComparison(before: before.waitingSeconds, after: after.waitingSeconds, bootstrap: bootstrap)
        let seen = Set(before.stepSeconds.keys).union(after.stepSeconds.keys)
            .union(before.stepWaitingSeconds.keys).union(after.stepWaitingSeconds.keys)
        let ordered = stepOrder.filter(seen.contains) + seen.subtracting(stepOrder).sorted()
        steps = ordered.map { id in
            StepComparison(stepID: id,
                           duration: DurationComparison(before: before.stepSeconds[id] ?? [], after: after.stepSeconds[id] ?? [], bootstrap: bootstrap),
                           waiting: DurationComparison(before: before.stepWaitingSeconds[id] ?? [], after: after.stepWaitingSeconds[id] ?? [],
                                                       bootstrap: bootstrap))
        }
        func share(_ x: Int, _ n: Int) -> Double? { n > 0 ? Double(x) / Double(n) : nil }
        compliance = ComplianceComparison(
            casesBefore: before.checkedCases, compliantBefore: before.compliantCases,
            casesAfter: after.checkedCases, compliantAfter: after.compliantCases,
            shareBefore: share(before.compliantCases, before.checkedCases), shareAfter: share(after.compliantCases, after.checkedCases),
            test: BeforeAfterStatistics.twoProportionZTest(successesBefore: before.compliantCases, casesBefore: before.checkedCases,
                                                           successesAfter: after.compliantCases, casesAfter: after.checkedCases))
        func mean(_ xs: [IKMPeriodFigure]) -> Double? { xs.isEmpty ? nil : xs.map(\.ikm).reduce(0, +) / Double(xs.count) }
        let mb = mean(before.ikm), ma = mean(after.ikm)
        ikm = IKMComparison(before: before.ikm, after: after.ikm, meanBefore: mb, meanAfter: ma,
                            difference: mb.flatMap { b in ma.map { $0 - b } })
    }

    /// The level below which a step's time or wait counts as changed: `alpha` divided by the
    /// number of step measures tested (Bonferroni), since testing every step of an SOP would
    /// otherwise find a "change" by chance in about one measure in twenty.
    public func stepAlpha(_ alpha: Double = 0.05) -> Double {
        let m = steps.reduce(0) { $0 + ($1.duration.test == nil ? 0 : 1) + ($1.waiting.test == nil ? 0 : 1) }
        return alpha / Double(max(1, m))
    }

    /// The findings to put in words, in this order: lead time, total waiting, compliance, IKM,
    /// then every step time or wait that changed significantly at ``stepAlpha(_:)`` and by at
    /// least `minimumStepChange` seconds and a tenth of its median before (largest change first).
    /// A measure without data on both sides is left out; `alpha` decides what counts as a change.
    public func findings(alpha: Double = 0.05, minimumStepChange: Double = 60) -> [BeforeAfterFinding] {
        func duration(_ m: BeforeAfterFinding.Metric, _ c: DurationComparison) -> BeforeAfterFinding? {
            guard let b = c.medianBefore, let a = c.medianAfter, let t = c.test else { return nil }
            let dir: BeforeAfterFinding.Direction = t.p >= alpha || a == b ? .unchanged : (a < b ? .down : .up)
            return BeforeAfterFinding(metric: m, kind: .seconds, direction: dir, before: b, after: a, p: t.p)
        }
        var out: [BeforeAfterFinding] = []
        if let f = duration(.leadTime, leadTime) { out.append(f) }
        if let f = duration(.waitingTime, waitingTime) { out.append(f) }
        if let b = compliance.shareBefore, let a = compliance.shareAfter, let t = compliance.test {
            let dir: BeforeAfterFinding.Direction = t.p >= alpha || a == b ? .unchanged : (a < b ? .down : .up)
            out.append(BeforeAfterFinding(metric: .compliance, kind: .share, direction: dir, before: b, after: a, p: t.p))
        }
        if let b = ikm.meanBefore, let a = ikm.meanAfter {
            out.append(BeforeAfterFinding(metric: .ikm, kind: .index, direction: a == b ? .unchanged : (a < b ? .down : .up),
                                          before: b, after: a, p: nil))
        }
        var stepFindings: [(Double, BeforeAfterFinding)] = []
        let level = stepAlpha(alpha)
        for s in steps {
            for (m, c) in [(BeforeAfterFinding.Metric.stepWaiting(s.stepID), s.waiting), (.stepDuration(s.stepID), s.duration)] {
                guard let f = duration(m, c), let p = f.p, p < level else { continue }
                let change = abs(f.after - f.before)
                if f.direction != .unchanged, change >= minimumStepChange, change >= f.before / 10 { stepFindings.append((change, f)) }
            }
        }
        out += stepFindings.enumerated().sorted { ($0.element.0, -$0.offset) > ($1.element.0, -$1.offset) }.map(\.element.1)
        return out
    }
}
