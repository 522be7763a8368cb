import Foundation

/// A survey period: a month, quarter (triwulan), half-year (semester) or year.
///
/// Text form (``description``, Codable): `2026-07` (month), `2026-Q3` (quarter), `2026-S1`
/// (semester), `2026` (year). Years 1000–9999.
public struct SurveyPeriod: Hashable, Comparable, Sendable, Codable, LosslessStringConvertible {
    /// Length of a period.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case month, quarter, semester, year

        /// Periods of this kind in a year.
        public var perYear: Int {
            switch self {
            case .month: return 12
            case .quarter: return 4
            case .semester: return 2
            case .year: return 1
            }
        }

        /// Months in one period of this kind.
        public var months: Int { 12 / perYear }
    }

    public let kind: Kind
    public let year: Int
    /// 1-based number within the year: month 1–12, quarter 1–4, semester 1–2, always 1 for a year.
    public let index: Int

    /// Nil unless the year is 1000–9999 and the index fits the kind.
    public init?(kind: Kind, year: Int, index: Int = 1) {
        guard (1000...9999).contains(year), (1...kind.perYear).contains(index) else { return nil }
        self.kind = kind
        self.year = year
        self.index = index
    }

    /// Parses `YYYY`, `YYYY-MM`, `YYYY-Qn`, `YYYY-Sn` (the letters in either case); also `YYYY-Tn`
    /// (triwulan) and `YYYY-Hn` (half) as aliases.
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let parts = t.split(separator: "-", omittingEmptySubsequences: false)
        guard let y = parts.first, y.count == 4, y.allSatisfy({ $0.isASCII && $0.isNumber }), let year = Int(y) else { return nil }
        if parts.count == 1 {
            self.init(kind: .year, year: year)
            return
        }
        guard parts.count == 2 else { return nil }
        let p = parts[1]
        if p.count == 2, p.allSatisfy({ $0.isASCII && $0.isNumber }), let m = Int(p) {
            self.init(kind: .month, year: year, index: m)
        } else if p.count == 2, let letter = p.first, let n = Int(p.dropFirst()), p.last?.isNumber == true {
            switch letter {
            case "Q", "T": self.init(kind: .quarter, year: year, index: n)
            case "S", "H": self.init(kind: .semester, year: year, index: n)
            default: return nil
            }
        } else {
            return nil
        }
    }

    /// Parses like ``init(_:)`` but throws ``SurveyError/invalidPeriod(_:)``.
    public static func parse(_ text: String) throws(SurveyError) -> SurveyPeriod {
        guard let p = SurveyPeriod(text) else { throw .invalidPeriod(text) }
        return p
    }

    /// The period of `kind` that contains `date`.
    public init(containing date: CivilDate, kind: Kind) {
        let idx = (date.month - 1) / kind.months + 1
        self.kind = kind
        self.year = min(max(date.year, 1000), 9999)
        self.index = idx
    }

    public var description: String {
        switch kind {
        case .year: return String(format: "%04d", year)
        case .month: return String(format: "%04d-%02d", year, index)
        case .quarter: return String(format: "%04d-Q%d", year, index)
        case .semester: return String(format: "%04d-S%d", year, index)
        }
    }

    /// First month (1–12) of the period.
    public var firstMonth: Int { (index - 1) * kind.months + 1 }
    /// Last month (1–12) of the period.
    public var lastMonth: Int { firstMonth + kind.months - 1 }

    /// First day.
    public var firstDay: CivilDate { CivilDate(year: year, month: firstMonth, day: 1) }
    /// Last day.
    public var lastDay: CivilDate {
        CivilDate(year: year, month: lastMonth, day: CivilDate.daysIn(month: lastMonth, year: year))
    }
    /// First through last day, inclusive.
    public var dateRange: ClosedRange<CivilDate> { firstDay...lastDay }

    /// True if `date` falls in the period.
    public func contains(_ date: CivilDate) -> Bool { dateRange.contains(date) }

    /// The instants `[start, end)` of the period in `timeZone` (default WIB): midnight of the first
    /// day to midnight after the last day. Use it to filter timestamps in a store query.
    public func interval(in timeZone: TimeZone = .wib) -> Range<Date> {
        let start = firstDay.startOfDay(in: timeZone)
        let end = next.firstDay.startOfDay(in: timeZone)
        return start..<end
    }

    /// The period just before (same kind).
    public var previous: SurveyPeriod { offset(by: -1) }
    /// The period just after (same kind).
    public var next: SurveyPeriod { offset(by: 1) }

    /// The period `n` steps away (negative = earlier); clamped to years 1000–9999.
    public func offset(by n: Int) -> SurveyPeriod {
        let per = kind.perYear
        var ordinal = year * per + (index - 1) + n
        ordinal = min(max(ordinal, 1000 * per), 9999 * per + per - 1)
        return SurveyPeriod(uncheckedKind: kind, year: ordinal / per, index: ordinal % per + 1)
    }

    private init(uncheckedKind: Kind, year: Int, index: Int) {
        self.kind = uncheckedKind
        self.year = year
        self.index = index
    }

    /// The `count` periods before this one, oldest first (for trends). Stops at year 1000.
    public func preceding(_ count: Int) -> [SurveyPeriod] {
        guard count > 0 else { return [] }
        var out: [SurveyPeriod] = []
        var p = self
        for _ in 0..<count {
            let q = p.previous
            if q == p { break }
            out.append(q)
            p = q
        }
        return out.reversed()
    }

    /// The last `count` periods ending with this one, oldest first.
    public func trendWindow(_ count: Int) -> [SurveyPeriod] {
        guard count > 0 else { return [] }
        return preceding(count - 1) + [self]
    }

    private static let monthsID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
                                   "Agustus", "September", "Oktober", "November", "Desember"]
    private static let monthsEN = ["January", "February", "March", "April", "May", "June", "July",
                                   "August", "September", "October", "November", "December"]
    private static let roman = ["I", "II", "III", "IV"]

    /// Human label: "Triwulan III 2026" / "Q3 2026", "Semester I 2026" / "H1 2026",
    /// "Juli 2026" / "July 2026", "Tahun 2026" / "2026".
    public func label(_ language: SurveyLanguage) -> String {
        switch (kind, language) {
        case (.year, .indonesian): return "Tahun \(year)"
        case (.year, .english): return "\(year)"
        case (.month, .indonesian): return "\(Self.monthsID[index - 1]) \(year)"
        case (.month, .english): return "\(Self.monthsEN[index - 1]) \(year)"
        case (.quarter, .indonesian): return "Triwulan \(Self.roman[index - 1]) \(year)"
        case (.quarter, .english): return "Q\(index) \(year)"
        case (.semester, .indonesian): return "Semester \(Self.roman[index - 1]) \(year)"
        case (.semester, .english): return "H\(index) \(year)"
        }
    }

    /// Earlier start first; for equal starts, the shorter period first.
    public static func < (a: SurveyPeriod, b: SurveyPeriod) -> Bool {
        let sa = a.year * 12 + a.firstMonth, sb = b.year * 12 + b.firstMonth
        if sa != sb { return sa < sb }
        return a.kind.months < b.kind.months
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let p = SurveyPeriod(s) else {
            throw DecodingError.dataCorruptedError(
                in: c, debugDescription: "expected a period such as 2026, 2026-07, 2026-Q3 or 2026-S1, got '\(s)'")
        }
        self = p
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
