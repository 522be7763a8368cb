import Foundation
import PantauCore
import Testing

/// Expected values computed with SciPy 1.17 (the call is given in each test's comment).
@Suite("Before/after statistics: Mann–Whitney U, bootstrap interval of the median difference, two-proportion z-test")
struct BeforeAfterStatisticsTests {
    static func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tol * max(1, abs(b))
    }

    @Test("Exact distribution for small samples without ties")
    func exactSmall() throws {
        // stats.mannwhitneyu([12,15,9,20,17,11,14], [22,19,25,18,30,21], alternative='two-sided', method='exact')
        // → statistic=2.0, pvalue=0.004662004662004662
        let r = try #require(BeforeAfterStatistics.mannWhitneyU([12, 15, 9, 20, 17, 11, 14], [22, 19, 25, 18, 30, 21]))
        #expect(r.exact && r.z == nil)
        #expect(r.u == 2)
        #expect(Self.close(r.p, 0.004662004662004662))
        // stats.mannwhitneyu([3,5,...,21], [4,6,...,22,24,26], alternative='two-sided', method='exact')
        // → statistic=45.0, pvalue=0.34627910788901506
        let x = stride(from: 3.0, through: 21, by: 2).map { $0 }
        let y = stride(from: 4.0, through: 26, by: 2).map { $0 }
        let r2 = try #require(BeforeAfterStatistics.mannWhitneyU(x, y))
        #expect(r2.exact && r2.u == 45)
        #expect(Self.close(r2.p, 0.34627910788901506))
        // The test is symmetric in p; U of the other side is n1·n2 − U.
        let r3 = try #require(BeforeAfterStatistics.mannWhitneyU(y, x))
        #expect(r3.u == 120 - 45 && Self.close(r3.p, r2.p))
    }

    @Test("Normal approximation with tie and continuity correction")
    func asymptoticWithTies() throws {
        // stats.mannwhitneyu([1,2,2,3,3,3,4,5,5,6], [3,4,4,5,6,6,7,7,8,9,9], alternative='two-sided', method='asymptotic')
        // → statistic=15.5, pvalue=0.005625214779700691
        let r = try #require(BeforeAfterStatistics.mannWhitneyU([1, 2, 2, 3, 3, 3, 4, 5, 5, 6], [3, 4, 4, 5, 6, 6, 7, 7, 8, 9, 9]))
        #expect(!r.exact)
        #expect(r.u == 15.5)
        #expect(Self.close(r.p, 0.005625214779700691))
        #expect((r.z ?? 0) < 0, "the first sample is smaller")
        // Every value equal: no evidence at all.
        // stats.mannwhitneyu([1,1,1], [1,1,1], alternative='two-sided') → statistic=4.5, pvalue=1.0
        let same = try #require(BeforeAfterStatistics.mannWhitneyU([1, 1, 1], [1, 1, 1]))
        #expect(same.u == 4.5 && same.p == 1)
        #expect(BeforeAfterStatistics.mannWhitneyU([], [1]) == nil)
        #expect(BeforeAfterStatistics.mannWhitneyU([.nan], [1]) == nil)
    }

    @Test("Larger samples (30 and 35 values, some tied) as SciPy")
    func asymptoticLarger() throws {
        // a = np.round(np.random.default_rng(7).normal(40, 8, 30), 1); b = np.round(rng.normal(15, 5, 35), 1)
        // stats.mannwhitneyu(a, b, alternative='two-sided', method='asymptotic')
        // → statistic=1045.0, pvalue=8.10292895891842e-12
        let a: [Double] = [40.0, 42.4, 37.8, 32.9, 36.4, 32.1, 40.5, 50.7, 36.1, 35.0, 43.9, 42.9, 40.8, 32.6, 39.8, 45.6, 29.2, 36.3,
                           24.8, 29.7, 25.3, 38.1, 29.9, 42.2, 41.3, 38.5, 19.9, 35.7, 39.6, 40.9]
        let b: [Double] = [7.3, 12.6, 10.1, 11.0, 20.3, 11.0, 14.8, 19.4, 12.1, 14.4, 15.6, 15.3, 8.9, 15.4, 21.8, 7.3, 19.3, 15.6,
                           11.8, 25.0, 18.8, 9.0, 15.4, 17.9, 14.1, 18.4, 14.7, 18.3, 22.2, 11.6, 16.0, 12.7, 15.6, 9.1, 12.1]
        let r = try #require(BeforeAfterStatistics.mannWhitneyU(a, b))
        #expect(!r.exact && r.u == 1045)
        #expect(Self.close(r.p, 8.10292895891842e-12, 1e-6))
        #expect((r.z ?? 0) > 6)
        // np.median(a) = 37.95, np.median(b) = 14.8
        #expect(Self.close(BeforeAfterStatistics.median(a), 37.95) && BeforeAfterStatistics.median(b) == 14.8)
    }

    @Test("Pooled two-proportion z-test")
    func proportions() throws {
        // p = (x1+x2)/(n1+n2); z = (x2/n2 − x1/n1) / sqrt(p(1−p)(1/n1+1/n2)); p-value = 2*stats.norm.sf(abs(z))
        // (430 of 500, 485 of 510) → z=4.952291863047155, p=7.334448729401068e-07
        let r = try #require(BeforeAfterStatistics.twoProportionZTest(successesBefore: 430, casesBefore: 500, successesAfter: 485, casesAfter: 510))
        #expect(Self.close(r.z, 4.952291863047155))
        #expect(Self.close(r.p, 7.334448729401068e-07, 1e-7))
        // (45 of 60, 50 of 62) → z=0.7509033734441224, p=0.4527108099825873
        let r2 = try #require(BeforeAfterStatistics.twoProportionZTest(successesBefore: 45, casesBefore: 60, successesAfter: 50, casesAfter: 62))
        #expect(Self.close(r2.z, 0.7509033734441224) && Self.close(r2.p, 0.4527108099825873))
        let all = try #require(BeforeAfterStatistics.twoProportionZTest(successesBefore: 10, casesBefore: 10, successesAfter: 5, casesAfter: 5))
        #expect(all.z == 0 && all.p == 1)
        #expect(BeforeAfterStatistics.twoProportionZTest(successesBefore: 0, casesBefore: 0, successesAfter: 1, casesAfter: 2) == nil)
        #expect(BeforeAfterStatistics.twoProportionZTest(successesBefore: 3, casesBefore: 2, successesAfter: 1, casesAfter: 2) == nil)
    }

    /// n values around `centre` minutes (sum of three uniforms: a skewless hump), in seconds.
    static func sample(_ n: Int, centre: Double, seed: UInt64) -> [Double] {
        var g = SplitMix64(seed: seed)
        return (0..<n).map { _ in (centre + (g.unit() + g.unit() + g.unit() - 1.5) * 12) * 60 }
    }

    @Test("The bootstrap interval covers the true shift and is reproducible with its seed")
    func bootstrap() throws {
        let before = Self.sample(400, centre: 40, seed: 1), after = Self.sample(380, centre: 15, seed: 2)
        let ci = try #require(BeforeAfterStatistics.medianDifferenceInterval(before: before, after: after))
        #expect(ci.level == 0.95)
        #expect(ci.contains(-25 * 60), "\(ci)")
        #expect(ci.upper - ci.lower < 5 * 60 && ci.upper < 0, "\(ci)")
        let observed = try #require(BeforeAfterStatistics.median(after)) - (try #require(BeforeAfterStatistics.median(before)))
        #expect(ci.contains(observed))
        // Same seed, same interval; another seed, another one.
        #expect(BeforeAfterStatistics.medianDifferenceInterval(before: before, after: after) == ci)
        let other = try #require(BeforeAfterStatistics.medianDifferenceInterval(before: before, after: after, options: .init(seed: 99)))
        #expect(other != ci && other.contains(-25 * 60))
        // No shift: the interval covers 0.
        let null = try #require(BeforeAfterStatistics.medianDifferenceInterval(before: before, after: Self.sample(300, centre: 40, seed: 3)))
        #expect(null.contains(0), "\(null)")
        #expect(BeforeAfterStatistics.medianDifferenceInterval(before: [], after: after) == nil)
    }

    @Test("A sample over the cap is thinned deterministically and still covers the shift")
    func bootstrapCap() throws {
        let before = Self.sample(12_000, centre: 40, seed: 5), after = Self.sample(9_000, centre: 30, seed: 6)
        let opts = BeforeAfterStatistics.BootstrapOptions(resamples: 300, maxSample: 2_000)
        let ci = try #require(BeforeAfterStatistics.medianDifferenceInterval(before: before, after: after, options: opts))
        #expect(ci.contains(-10 * 60), "\(ci)")
        #expect(BeforeAfterStatistics.medianDifferenceInterval(before: before, after: after, options: opts) == ci)
        // The U test takes the whole samples.
        let u = try #require(BeforeAfterStatistics.mannWhitneyU(before, after))
        #expect(u.p < 1e-12 && !u.exact)
    }

    @Test("The comparison orders steps as the SOP and words significant changes as findings")
    func comparison() throws {
        var b = BeforeAfterSide(), a = BeforeAfterSide()
        b.leadSeconds = Self.sample(200, centre: 80, seed: 11); a.leadSeconds = Self.sample(200, centre: 55, seed: 12)
        b.waitingSeconds = Self.sample(200, centre: 40, seed: 13); a.waitingSeconds = Self.sample(200, centre: 15, seed: 14)
        b.stepWaitingSeconds = ["suntik": Self.sample(200, centre: 40, seed: 15), "daftar": Self.sample(200, centre: 3, seed: 16)]
        a.stepWaitingSeconds = ["suntik": Self.sample(200, centre: 15, seed: 17), "daftar": Self.sample(200, centre: 3, seed: 18)]
        // "catat": half a minute longer after, in every case: significant, but too small to word.
        b.stepSeconds = ["daftar": Self.sample(200, centre: 4, seed: 19), "catat": (0..<200).map { 120 + Double($0 % 10) }]
        a.stepSeconds = ["daftar": Self.sample(200, centre: 4, seed: 20), "baru": [60, 120], "catat": (0..<200).map { 150 + Double($0 % 10) }]
        b.checkedCases = 200; b.compliantCases = 150; a.checkedCases = 200; a.compliantCases = 190
        let d = CivilDate(year: 2026, month: 1, day: 1)
        b.ikm = [IKMPeriodFigure(surveyID: 1, survey: "S", period: "2025-Q4", from: d, to: d, respondents: 50, ikm: 80)]
        a.ikm = [IKMPeriodFigure(surveyID: 1, survey: "S", period: "2026-Q1", from: d, to: d, respondents: 50, ikm: 84),
                 IKMPeriodFigure(surveyID: 1, survey: "S", period: "2026-Q2", from: d, to: d, respondents: 50, ikm: 86)]
        let split = Date(timeIntervalSince1970: 1_767_200_000)
        let c = BeforeAfterComparison(split: split, beforeFrom: split - 90 * 86_400, afterTo: split + 90 * 86_400, before: b, after: a,
                                      stepOrder: ["daftar", "suntik"], bootstrap: .init(resamples: 500))
        #expect(c.steps.map(\.stepID) == ["daftar", "suntik", "baru", "catat"])
        // Four step measures are tested (daftar's time and wait, suntik's wait, catat's time).
        #expect(c.stepAlpha() == 0.05 / 4)
        #expect((c.steps.last?.duration.test?.p ?? 1) < 1e-6)
        #expect(c.ikm.meanAfter == 85 && c.ikm.difference == 5)
        #expect(c.compliance.shareBefore == 0.75 && c.compliance.shareAfter == 0.95 && (c.compliance.test?.p ?? 1) < 0.001)
        let f = c.findings()
        #expect(f.map(\.metric) == [.leadTime, .waitingTime, .compliance, .ikm, .stepWaiting("suntik")])
        #expect(f.prefix(4).map(\.direction) == [.down, .down, .up, .up])
        let wait = try #require(f.last)
        #expect(wait.kind == .seconds && abs(wait.before - 2400) < 120 && abs(wait.after - 900) < 120 && (wait.p ?? 1) < 0.001)
        // Round trip through JSON (the API's body).
        let data = try JSONEncoder().encode(c)
        #expect(try JSONDecoder().decode(BeforeAfterComparison.self, from: data) == c)
    }
}
