import Foundation

/// Summary of a set of durations (seconds).
///
/// - `mean` = sum / count (the sum is compensated, Neumaier);
/// - `median` = middle value, or the mean of the two middle values;
/// - `p50`, `p90`, `p95`: percentiles by linear interpolation between closest ranks (Hyndman & Fan
///   type 7, the default of numpy and pandas): for sorted values x₀ ≤ … ≤ xₙ₋₁ and q in [0, 1],
///   h = (n − 1)·q and P(q) = x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋). `p50` equals `median`;
/// - `stdev`: sample standard deviation √(Σ(x − mean)² / (n − 1)), nil for a single value.
public struct DurationStatistics: Hashable, Sendable, Codable {
    public var count: Int
    public var mean: Double
    public var median: Double
    public var min: Double
    public var max: Double
    public var sum: Double
    public var stdev: Double?
    public var p90: Double
    public var p95: Double

    public var p50: Double { median }

    /// The summary of `values` (missing values, NaN, are skipped); nil when none is left.
    /// - Complexity: O(n log n) (sorting a copy).
    public init?(_ values: some Sequence<Double>) {
        var v = values.filter { !$0.isNaN }
        guard !v.isEmpty else { return nil }
        DurationStatistics.sort(&v)
        self.init(sorted: v)
    }

    /// The summary of already sorted values without NaN (not checked).
    init(sorted v: [Double]) {
        let n = v.count
        count = n
        sum = DurationStatistics.compensatedSum(v)
        mean = sum / Double(n)
        min = v[0]
        max = v[n - 1]
        median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
        p90 = DurationStatistics.percentile(sorted: v, 0.90)
        p95 = DurationStatistics.percentile(sorted: v, 0.95)
        if n > 1 {
            var ss = 0.0, c = 0.0
            for x in v {
                let d = x - mean
                let y = d * d - c
                let t = ss + y
                c = (t - ss) - y
                ss = t
            }
            stdev = (ss / Double(n - 1)).squareRoot()
        } else {
            stdev = nil
        }
    }

    /// Percentile `q` (0...1) of sorted values, type 7 (see the type's documentation).
    public static func percentile(sorted v: [Double], _ q: Double) -> Double {
        guard !v.isEmpty else { return .nan }
        let h = Double(v.count - 1) * Swift.min(Swift.max(q, 0), 1)
        let lo = Int(h.rounded(.down))
        let hi = Swift.min(lo + 1, v.count - 1)
        return v[lo] + (h - Double(lo)) * (v[hi] - v[lo])
    }

    /// Sorts values without NaN ascending: LSD radix sort on the IEEE 754 bit patterns (11-bit
    /// digits, passes whose digit is the same for all values skipped) for large arrays, the standard
    /// library's sort for small ones. - Complexity: O(n).
    static func sort(_ v: inout [Double]) {
        let n = v.count
        guard n >= 4096 else { v.sort(); return }
        // order-preserving map to unsigned integers: negatives flip all bits, positives the sign bit
        var keys = [UInt64](repeating: 0, count: n)
        var tmp = [UInt64](repeating: 0, count: n)
        v.withUnsafeBufferPointer { src in
            keys.withUnsafeMutableBufferPointer { k in
                for i in 0..<n {
                    let b = src[i].bitPattern
                    k[i] = b & (1 << 63) != 0 ? ~b : b | (1 << 63)
                }
            }
        }
        let bits: UInt64 = 11
        let buckets = 1 << Int(bits)
        let mask = UInt64(buckets - 1)
        var counts = [Int](repeating: 0, count: buckets)
        var inKeys = true
        var shift: UInt64 = 0
        while shift < 64 {
            let s = shift
            let skipped: Bool = keys.withUnsafeMutableBufferPointer { k in
                tmp.withUnsafeMutableBufferPointer { t in
                    counts.withUnsafeMutableBufferPointer { c in
                        let src = inKeys ? k : t
                        let dst = inKeys ? t : k
                        for i in 0..<buckets { c[i] = 0 }
                        for i in 0..<n { c[Int((src[i] >> s) & mask)] += 1 }
                        if c[Int((src[0] >> s) & mask)] == n { return true }
                        var sum = 0
                        for i in 0..<buckets { let x = c[i]; c[i] = sum; sum += x }
                        for i in 0..<n {
                            let d = Int((src[i] >> s) & mask)
                            dst[c[d]] = src[i]
                            c[d] += 1
                        }
                        return false
                    }
                }
            }
            if !skipped { inKeys.toggle() }
            shift += bits
        }
        let sorted = inKeys ? keys : tmp
        sorted.withUnsafeBufferPointer { k in
            v.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    let b = k[i]
                    dst[i] = Double(bitPattern: b & (1 << 63) != 0 ? b & ~(1 << 63) : ~b)
                }
            }
        }
    }

    /// Neumaier's compensated sum.
    static func compensatedSum(_ v: [Double]) -> Double {
        var s = 0.0, c = 0.0
        for x in v {
            let t = s + x
            if abs(s) >= abs(x) { c += (s - t) + x } else { c += (x - t) + s }
            s = t
        }
        return s + c
    }
}
