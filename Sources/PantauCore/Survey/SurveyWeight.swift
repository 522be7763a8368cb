import Foundation

/// The weight of one unsur in the index, kept as an exact fraction.
///
/// The default weight of each of the nine unsur is exactly 1/9 (PermenPANRB 14/2017 prints it
/// rounded; rounding it to 0.11 caps the IKM at 99, see `docs/skm.md`). Decimal weights entered
/// by a unit (`0.15`) are stored as the decimal fraction the person typed (3/20), not as the
/// nearest binary floating-point number, so weight sums and the IKM are computed exactly.
///
/// Coding: decodes a JSON number (`0.15`) or a string (`"1/9"`, `"0.15"`, `"15%"`); encodes a
/// number when the fraction has a short exact decimal form, otherwise the string `"n/d"`.
public struct SurveyWeight: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Numerator of the reduced fraction (≥ 0).
    public let numerator: Int64
    /// Denominator of the reduced fraction (> 0).
    public let denominator: Int64

    /// The fraction `numerator/denominator`, reduced; nil if the denominator is not positive or
    /// the numerator is negative.
    public init?(numerator: Int64, denominator: Int64) {
        guard denominator > 0, numerator >= 0 else { return nil }
        let g = Self.gcd(numerator, denominator)
        self.numerator = numerator / g
        self.denominator = denominator / g
    }

    /// `1/count`: the equal share of `count` unsur (count ≥ 1; smaller values give 1/1).
    public static func equalShare(of count: Int) -> SurveyWeight {
        SurveyWeight(numerator: 1, denominator: Int64(max(1, count))) ?? .one
    }

    /// The whole (1/1).
    public static let one = SurveyWeight(unchecked: 1, 1)
    /// Nothing (0/1).
    public static let zero = SurveyWeight(unchecked: 0, 1)

    private init(unchecked n: Int64, _ d: Int64) {
        numerator = n
        denominator = d
    }

    /// The decimal that `value` prints as (Swift's shortest round-trip form), as a fraction:
    /// `SurveyWeight(0.15)` is 3/20. Nil for negative, non-finite values, or more than 15 decimals.
    public init?(_ value: Double) {
        guard value.isFinite, value >= 0 else { return nil }
        var text = "\(value)"
        if text.contains("e") || text.contains("E") {
            // Small or large magnitudes print in exponent form; expand through Decimal.
            text = "\(Decimal(string: text) ?? Decimal(value))"
        }
        self.init(decimalText: text)
    }

    /// Parses `"1/9"`, a decimal (`"0.15"`, `"0,15"` with a decimal comma) or a percentage (`"15%"`).
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let slash = t.firstIndex(of: "/") {
            let a = t[..<slash].trimmingCharacters(in: .whitespaces)
            let b = t[t.index(after: slash)...].trimmingCharacters(in: .whitespaces)
            guard let n = Int64(a), let d = Int64(b) else { return nil }
            self.init(numerator: n, denominator: d)
        } else if t.hasSuffix("%") {
            guard let w = SurveyWeight(decimalText: String(t.dropLast()).trimmingCharacters(in: .whitespaces))
            else { return nil }
            let (d, overflow) = w.denominator.multipliedReportingOverflow(by: 100)
            guard !overflow else { return nil }
            self.init(numerator: w.numerator, denominator: d)
        } else {
            self.init(decimalText: t.replacingOccurrences(of: ",", with: "."))
        }
    }

    /// Parses a plain decimal `123.456` (at most 15 fraction digits, no sign, no exponent).
    init?(decimalText: String) {
        let parts = decimalText.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let intPart = parts.first else { return nil }
        let frac = parts.count == 2 ? parts[1] : ""
        guard !(intPart.isEmpty && frac.isEmpty), frac.count <= 15,
              intPart.allSatisfy({ $0.isASCII && $0.isNumber }), frac.allSatisfy({ $0.isASCII && $0.isNumber }),
              intPart.count <= 3
        else { return nil }
        var den: Int64 = 1
        for _ in 0..<frac.count { den *= 10 }
        let whole = Int64(intPart.isEmpty ? "0" : intPart) ?? 0
        let f = Int64(frac.isEmpty ? "0" : frac) ?? 0
        self.init(numerator: whole * den + f, denominator: den)
    }

    /// The weight as a floating-point number (for display and charts only).
    public var doubleValue: Double { Double(numerator) / Double(denominator) }

    /// `"n/d"` (or `"n"` for a whole number).
    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }

    /// The exact decimal text if the denominator has only factors 2 and 5 and at most 15 decimals.
    var exactDecimalText: String? {
        var d = denominator
        var twos = 0, fives = 0
        while d % 2 == 0 { d /= 2; twos += 1 }
        while d % 5 == 0 { d /= 5; fives += 1 }
        guard d == 1 else { return nil }
        let digits = max(twos, fives)
        guard digits <= 15 else { return nil }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let scaled = numerator * (scale / denominator)
        let whole = scaled / scale
        guard digits > 0 else { return "\(whole)" }
        var frac = String(scaled % scale)
        frac = String(repeating: "0", count: digits - frac.count) + frac
        return "\(whole).\(frac)"
    }

    public static func < (a: SurveyWeight, b: SurveyWeight) -> Bool {
        Int128(a.numerator) * Int128(b.denominator) < Int128(b.numerator) * Int128(a.denominator)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            guard let w = SurveyWeight(parsing: s) else {
                throw DecodingError.dataCorruptedError(
                    in: c, debugDescription: "expected a weight such as 1/9, 0.15 or 15%, got '\(s)'")
            }
            self = w
        } else {
            let v = try c.decode(Double.self)
            guard let w = SurveyWeight(v) else {
                throw DecodingError.dataCorruptedError(
                    in: c, debugDescription: "expected a non-negative weight with at most 15 decimals, got \(v)")
            }
            self = w
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if exactDecimalText != nil, SurveyWeight(doubleValue) == self {
            try c.encode(doubleValue)
        } else {
            try c.encode(description)
        }
    }

    static func gcd(_ a: Int64, _ b: Int64) -> Int64 {
        var x = a.magnitude, y = b.magnitude
        while y != 0 { (x, y) = (y, x % y) }
        return x == 0 ? 1 : Int64(x)
    }
}

/// An exact non-negative fraction with 128-bit parts, used internally for weight sums and the IKM.
struct ExactFraction: Hashable, Sendable {
    var numerator: Int128
    var denominator: Int128

    init(_ n: Int128, _ d: Int128) {
        let g = ExactFraction.gcd(n, d)
        numerator = n / g
        denominator = d / g
    }

    init(_ w: SurveyWeight) { self.init(Int128(w.numerator), Int128(w.denominator)) }

    static let zero = ExactFraction(0, 1)

    static func gcd(_ a: Int128, _ b: Int128) -> Int128 {
        var x = a < 0 ? -a : a, y = b < 0 ? -b : b
        while y != 0 { (x, y) = (y, x % y) }
        return x == 0 ? 1 : x
    }

    /// Sum, or nil on overflow.
    func adding(_ o: ExactFraction) -> ExactFraction? {
        let g = ExactFraction.gcd(denominator, o.denominator)
        let (l, o1) = (denominator / g).multipliedReportingOverflow(by: o.denominator)
        let (a, o2) = numerator.multipliedReportingOverflow(by: o.denominator / g)
        let (b, o3) = o.numerator.multipliedReportingOverflow(by: denominator / g)
        let (s, o4) = a.addingReportingOverflow(b)
        guard !(o1 || o2 || o3 || o4) else { return nil }
        return ExactFraction(s, l)
    }

    /// Quotient, or nil on overflow or division by zero.
    func dividing(by o: ExactFraction) -> ExactFraction? {
        guard o.numerator != 0 else { return nil }
        let g1 = ExactFraction.gcd(numerator, o.numerator)
        let g2 = ExactFraction.gcd(denominator, o.denominator)
        let (n, f1) = (numerator / g1).multipliedReportingOverflow(by: o.denominator / g2)
        let (d, f2) = (denominator / g2).multipliedReportingOverflow(by: o.numerator / g1)
        guard !(f1 || f2) else { return nil }
        return ExactFraction(n, d)
    }

    var doubleValue: Double { Double(numerator) / Double(denominator) }
}
