import Foundation

/// Exact evaluation and rounding of `scale × Σ wᵢ·Sᵢ/nᵢ` (the IKM, or one unsur's NRR×25).
///
/// Binary floating point cannot hold 76.605 or 1/9, so `(x * 100).rounded()` on a `Double` can
/// round a true half down. Here the terms `scale·w·S/n` (w an exact fraction, S and n integers)
/// are first added as one exact fraction in 128-bit integers; rounding to 2 decimals is then half
/// away from zero on that exact value (all values are positive, so: half up). This covers the
/// usual cases (equal weights, or decimal weights, with any respondent counts whose common
/// denominator fits in 128 bits). Otherwise each term is expanded by integer long division to 30
/// decimal places and the expansions are added; truncation loses less than 10⁻³⁰ per term, so the
/// decision is still exact unless the value lies within that distance below a half (then it is
/// rounded up and `isExact` is false). Only if a single term overflows 128 bits (weights with
/// huge denominators) does it fall back to `Double` (also `isExact == false`).
struct SKMExactIndex {
    /// One weighted mean: weight × sum / count.
    struct Term {
        var weight: ExactFraction
        var sum: Int
        var count: Int
    }

    /// Value in units of 10⁻³⁰ (when exact), as Double, and rounded to hundredths.
    var hundredths: Int
    var value: Double
    var isExact: Bool

    private static let p10: Int128 = 10_000_000_000
    private static let unit: Int128 = p10 * p10 * p10           // 10^30
    private static let hundredthUnit: Int128 = unit / 100         // 10^28

    /// Computes `scale × Σ weightᵢ·sumᵢ/countᵢ` over terms with countᵢ > 0; nil if there are none.
    static func evaluate(_ terms: [Term], scale: Int = 25) -> SKMExactIndex? {
        let live = terms.filter { $0.count > 0 }
        guard !live.isEmpty else { return nil }
        if let exact = exactSum(live, scale: scale) { return exact }
        var total: Int128 = 0
        var truncated: Int128 = 0
        var ok = true
        for t in live {
            guard let (v, inexact) = fixedPoint(t, scale: scale) else { ok = false; break }
            let (s, o) = total.addingReportingOverflow(v)
            guard !o else { ok = false; break }
            total = s
            if inexact { truncated += 1 }
        }
        if ok {
            let h = total / hundredthUnit
            let rem = total % hundredthUnit
            let half = hundredthUnit / 2
            let up = rem >= half || (truncated > 0 && rem + truncated > half)
            let hundredths = Int(h) + (up ? 1 : 0)
            let value = Double(total / unit) + Double(total % unit) / Double(unit)
            let ambiguous = rem < half && truncated > 0 && rem + truncated > half
            return SKMExactIndex(hundredths: hundredths, value: value, isExact: !ambiguous)
        }
        // Fallback: floating point (only for weights whose products exceed 128 bits).
        var v = 0.0
        for t in live { v += t.weight.doubleValue * Double(t.sum) / Double(t.count) * Double(scale) }
        let hundredths = Int((v * 100 * (1 + 1e-15)).rounded(.toNearestOrAwayFromZero))
        return SKMExactIndex(hundredths: hundredths, value: v, isExact: false)
    }

    /// The sum as one fraction n/d, rounded half up: ⌊(200·n + d) / (2·d)⌋ hundredths; nil on overflow.
    private static func exactSum(_ terms: [Term], scale: Int) -> SKMExactIndex? {
        var sum = ExactFraction.zero
        for t in terms {
            let (a, o1) = t.weight.numerator.multipliedReportingOverflow(by: Int128(t.sum) * Int128(scale))
            let (d, o2) = t.weight.denominator.multipliedReportingOverflow(by: Int128(t.count))
            guard !o1, !o2, d > 0, let s = sum.adding(ExactFraction(a, d)) else { return nil }
            sum = s
        }
        let (n200, o3) = sum.numerator.multipliedReportingOverflow(by: 200)
        let (d2, o4) = sum.denominator.multipliedReportingOverflow(by: 2)
        guard !o3, !o4, case let (top, o5) = n200.addingReportingOverflow(sum.denominator), !o5 else { return nil }
        let hundredths = top / d2
        guard hundredths <= Int128(Int.max) else { return nil }
        let whole = sum.numerator / sum.denominator
        let value = Double(whole) + Double(sum.numerator % sum.denominator) / Double(sum.denominator)
        return SKMExactIndex(hundredths: Int(hundredths), value: value, isExact: true)
    }

    /// `scale·w·S/n` in units of 10⁻³⁰, truncated, and whether a remainder was dropped; nil on overflow.
    private static func fixedPoint(_ t: Term, scale: Int) -> (Int128, Bool)? {
        let (a, o1) = t.weight.numerator.multipliedReportingOverflow(by: Int128(t.sum) * Int128(scale))
        let (d, o2) = t.weight.denominator.multipliedReportingOverflow(by: Int128(t.count))
        guard !o1, !o2, d > 0 else { return nil }
        let q = a / d
        var r = a % d
        let (whole, o3) = q.multipliedReportingOverflow(by: unit)
        guard !o3 else { return nil }
        var acc = whole
        var place = unit / p10
        for _ in 0..<3 {
            let (rr, o) = r.multipliedReportingOverflow(by: p10)
            guard !o else { return nil }
            let digit = rr / d
            r = rr % d
            acc += digit * place
            place /= p10
        }
        return (acc, r != 0)
    }
}

extension SKMExactIndex {
    /// The rounded value as a `Double` with two decimals (e.g. 91.48).
    var rounded: Double { Double(hundredths) / 100 }
}
