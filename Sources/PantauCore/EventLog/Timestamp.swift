import Foundation

/// How timestamps in a CSV column (or an XES date written oddly) are written.
///
/// Timestamps become `Double` seconds since 1970-01-01T00:00:00Z. A timestamp that carries no
/// offset is read in the reader's default time zone (``TimestampParser/defaultTimeZone``, UTC
/// unless configured: what pandas/PM4Py do with `utc=True`, so durations match PM4Py's).
public enum TimestampFormat: Hashable, Sendable {
    /// Accepts, per value:
    /// - ISO 8601 / RFC 3339: `2024-01-02T08:11:46.617+07:00`, `2024-01-02 08:11:46`, `2024-01-02T08:11Z`,
    ///   `2024-01-02` (midnight), fraction with `.` or `,` and any number of digits, offset `Z`,
    ///   `±HH:MM`, `±HHMM`, `±HH`, optionally preceded by a space or `UTC`/`GMT`;
    /// - `yyyy/MM/dd` with the same time part;
    /// - day first: `dd/MM/yyyy`, `dd-MM-yyyy`, `dd.MM.yyyy` (1 or 2 digit day and month), with an
    ///   optional time `HH:mm`, `HH:mm:ss` or `HH:mm:ss.SSS` and offset.
    ///
    /// Slashed dates are always read day first (the Indonesian and European convention); use
    /// ``pattern(_:)`` for month-first (`MM/dd/yyyy`).
    case automatic
    /// A fixed pattern with the tokens `yyyy` (4-digit year), `yy` (2-digit year, 2000-2099),
    /// `MM`/`M` (month), `dd`/`d` (day), `HH`/`H` (hour 0-23), `mm` (minute), `ss` (second),
    /// `S...` (fraction, any number of digits), `X...`/`Z...` (offset: `Z` or `±HH[:MM]`, optional).
    /// Other characters match themselves; text in single quotes is literal; a space matches one
    /// or more spaces. Example: `"dd/MM/yyyy HH:mm"`.
    case pattern(String)
    /// A number of seconds since 1970 (may have a fraction).
    case unixSeconds
    /// A number of milliseconds since 1970.
    case unixMilliseconds
}

/// Parses timestamps from bytes or strings into seconds since 1970 (UTC).
///
/// Invalid calendar values (month 13, 31 April, hour 24, minute 60) are rejected. A leap second
/// (`:60`) is read as the first second of the next minute.
public struct TimestampParser: Sendable {
    public let format: TimestampFormat
    /// The zone of timestamps written without an offset.
    public let defaultTimeZone: TimeZone
    private let zone: ZoneResolver
    private let tokens: [PatternToken]

    public init(format: TimestampFormat = .automatic, defaultTimeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.format = format
        self.defaultTimeZone = defaultTimeZone
        self.zone = ZoneResolver(defaultTimeZone)
        if case let .pattern(p) = format { tokens = PatternToken.compile(p) } else { tokens = [] }
    }

    /// Seconds since 1970 for `text`, or nil when it does not match the format.
    public func parse(_ text: String) -> Double? {
        var t = text
        return t.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Seconds since 1970 for the UTF-8 bytes, or nil when they do not match the format.
    public func parse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard let base = bytes.baseAddress else { return nil }
        var s = 0, e = bytes.count
        while s < e, isSpace(base.load(fromByteOffset: s, as: UInt8.self)) { s += 1 }
        while e > s, isSpace(base.load(fromByteOffset: e - 1, as: UInt8.self)) { e -= 1 }
        guard s < e else { return nil }
        let p = UnsafeRawBufferPointer(start: base + s, count: e - s)
        switch format {
        case .automatic: return parseAutomatic(p)
        case .pattern: return parsePattern(p)
        case .unixSeconds: return parseNumber(p)
        case .unixMilliseconds: return parseNumber(p).map { $0 / 1000 }
        }
    }

    // MARK: automatic

    private func parseAutomatic(_ p: UnsafeRawBufferPointer) -> Double? {
        var c = Cursor(p)
        let (d1, n1) = c.digits(max: 4)
        guard n1 > 0, let sep = c.peek(), sep == UInt8(ascii: "-") || sep == UInt8(ascii: "/") || sep == UInt8(ascii: ".") else { return nil }
        var year = 0, month = 0, day = 0
        if n1 == 4 {
            guard sep != UInt8(ascii: ".") else { return nil }
            year = d1
            c.advance()
            let (m, nm) = c.digits(max: 2)
            guard nm > 0, c.peek() == sep else { return nil }
            c.advance()
            let (d, nd) = c.digits(max: 2)
            guard nd > 0 else { return nil }
            month = m; day = d
        } else if n1 <= 2 {
            day = d1
            c.advance()
            let (m, nm) = c.digits(max: 2)
            guard nm > 0, c.peek() == sep else { return nil }
            c.advance()
            let (y, ny) = c.digits(max: 4)
            guard ny == 4 else { return nil }
            month = m; year = y
        } else {
            return nil
        }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var offset: Int? = nil
        if !c.atEnd {
            // time part
            guard let b = c.peek(), b == UInt8(ascii: "T") || b == UInt8(ascii: "t") || b == UInt8(ascii: " ") else { return nil }
            c.advance()
            c.skipSpaces()
            let (h, nh) = c.digits(max: 2)
            guard nh > 0, c.peek() == UInt8(ascii: ":") else { return nil }
            c.advance()
            let (mi, nmi) = c.digits(max: 2)
            guard nmi == 2 else { return nil }
            hour = h; minute = mi
            if c.peek() == UInt8(ascii: ":") {
                c.advance()
                let (se, nse) = c.digits(max: 2)
                guard nse == 2 else { return nil }
                second = se
                if let b = c.peek(), b == UInt8(ascii: ".") || b == UInt8(ascii: ",") {
                    c.advance()
                    guard let f = c.fraction() else { return nil }
                    fraction = f
                }
            }
            c.skipSpaces()
            if !c.atEnd {
                guard let o = c.offset() else { return nil }
                offset = o
                c.skipSpaces()
                guard c.atEnd else { return nil }
            }
        }
        return assemble(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                        fraction: fraction, offset: offset)
    }

    private func assemble(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int,
                          fraction: Double, offset: Int?) -> Double? {
        guard month >= 1, month <= 12, day >= 1, day <= CivilTime.daysInMonth(year: year, month: month),
              hour >= 0, hour <= 23, minute >= 0, minute <= 59, second >= 0, second <= 60 else { return nil }
        let days = CivilTime.daysFromCivil(year: year, month: month, day: day)
        let local = days * 86_400 + hour * 3600 + minute * 60 + second
        let off = offset ?? zone.offset(forLocal: local)
        return Double(local - off) + fraction
    }

    // MARK: pattern

    private func parsePattern(_ p: UnsafeRawBufferPointer) -> Double? {
        var c = Cursor(p)
        var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var offset: Int? = nil
        for t in tokens {
            switch t {
            case let .number(field, minDigits, maxDigits):
                let (v, n) = c.digits(max: maxDigits)
                guard n >= minDigits else { return nil }
                switch field {
                case .year: year = v
                case .year2: year = 2000 + v
                case .month: month = v
                case .day: day = v
                case .hour: hour = v
                case .minute: minute = v
                case .second: second = v
                }
            case .fraction:
                guard let f = c.fraction() else { return nil }
                fraction = f
            case .offset:
                c.skipSpaces()
                if !c.atEnd {
                    guard let o = c.offset() else { return nil }
                    offset = o
                }
            case let .literal(b):
                guard c.peek() == b else { return nil }
                c.advance()
            case .spaces:
                guard c.peek() == UInt8(ascii: " ") else { return nil }
                c.skipSpaces()
            }
        }
        guard c.atEnd else { return nil }
        return assemble(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                        fraction: fraction, offset: offset)
    }

    private func parseNumber(_ p: UnsafeRawBufferPointer) -> Double? {
        guard let v = Double(String(decoding: p, as: UTF8.self)), v.isFinite else { return nil }
        return v
    }
}

@inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

/// A read position in a byte buffer (timestamp parsing).
private struct Cursor {
    let p: UnsafeRawBufferPointer
    var i = 0
    init(_ p: UnsafeRawBufferPointer) { self.p = p }
    var atEnd: Bool { i >= p.count }
    func peek() -> UInt8? { i < p.count ? p[i] : nil }
    mutating func advance() { i += 1 }
    mutating func skipSpaces() { while i < p.count, p[i] == 0x20 { i += 1 } }
    /// Up to `max` decimal digits: (value, number of digits).
    mutating func digits(max: Int) -> (Int, Int) {
        var v = 0, n = 0
        while n < max, i < p.count {
            let d = Int(p[i]) - 48
            guard d >= 0, d <= 9 else { break }
            v = v * 10 + d
            n += 1
            i += 1
        }
        return (v, n)
    }
    /// Fraction digits after the separator (at least one); digits beyond 9 are read and dropped.
    mutating func fraction() -> Double? {
        var v = 0, n = 0, scale = 1
        while i < p.count {
            let d = Int(p[i]) - 48
            guard d >= 0, d <= 9 else { break }
            if n < 9 { v = v * 10 + d; scale *= 10 }
            n += 1
            i += 1
        }
        return n > 0 ? Double(v) / Double(scale) : nil
    }
    /// `Z`, `UTC`, `GMT` (each optionally followed by an offset), `±HH`, `±HHMM`, `±HH:MM`.
    mutating func offset() -> Int? {
        guard let b = peek() else { return nil }
        if b == UInt8(ascii: "Z") || b == UInt8(ascii: "z") {
            advance()
            return 0
        }
        if b == UInt8(ascii: "U") || b == UInt8(ascii: "G") {
            guard i + 3 <= p.count else { return nil }
            let w = String(decoding: UnsafeRawBufferPointer(rebasing: p[i..<(i + 3)]), as: UTF8.self)
            guard w == "UTC" || w == "GMT" else { return nil }
            i += 3
            if atEnd { return 0 }
        }
        guard let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") else { return nil }
        advance()
        let (h, nh) = digits(max: 2)
        guard nh == 2 || (nh == 1 && atEnd) else { return nil }
        var m = 0
        if peek() == UInt8(ascii: ":") { advance() }
        if !atEnd {
            let (mm, nm) = digits(max: 2)
            guard nm == 2 else { return nil }
            m = mm
        }
        guard h <= 18, m <= 59 else { return nil }
        let o = h * 3600 + m * 60
        return s == UInt8(ascii: "-") ? -o : o
    }
}

private enum PatternField: Sendable { case year, year2, month, day, hour, minute, second }

private enum PatternToken: Sendable {
    case number(PatternField, Int, Int)
    case fraction
    case offset
    case literal(UInt8)
    case spaces

    static func compile(_ pattern: String) -> [PatternToken] {
        let b = Array(pattern.utf8)
        var out: [PatternToken] = []
        var i = 0
        while i < b.count {
            let ch = b[i]
            var j = i
            while j < b.count, b[j] == ch { j += 1 }
            let run = j - i
            switch ch {
            case UInt8(ascii: "y"):
                out.append(run == 2 ? .number(.year2, 2, 2) : .number(.year, 4, 4))
            case UInt8(ascii: "M"): out.append(.number(.month, run >= 2 ? 1 : 1, 2))
            case UInt8(ascii: "d"): out.append(.number(.day, 1, 2))
            case UInt8(ascii: "H"): out.append(.number(.hour, 1, 2))
            case UInt8(ascii: "m"): out.append(.number(.minute, 2, 2))
            case UInt8(ascii: "s"): out.append(.number(.second, 2, 2))
            case UInt8(ascii: "S"): out.append(.fraction)
            case UInt8(ascii: "X"), UInt8(ascii: "Z"): out.append(.offset)
            case UInt8(ascii: " "): out.append(.spaces)
            case UInt8(ascii: "'"):
                // quoted literal
                var k = i + 1
                while k < b.count, b[k] != UInt8(ascii: "'") { out.append(.literal(b[k])); k += 1 }
                i = k + 1
                continue
            default:
                for _ in 0..<run { out.append(.literal(ch)) }
            }
            i = j
        }
        return out
    }
}

/// Offsets of a time zone for local wall-clock times.
private struct ZoneResolver: Sendable {
    let fixed: Int?
    let zone: TimeZone

    init(_ tz: TimeZone) {
        zone = tz
        let epoch = Date(timeIntervalSince1970: 0)
        let o0 = tz.secondsFromGMT(for: epoch)
        if tz.nextDaylightSavingTimeTransition(after: epoch) == nil,
           o0 == tz.secondsFromGMT(for: Date(timeIntervalSince1970: 1_700_000_000)) {
            fixed = o0
        } else {
            fixed = nil
        }
    }

    /// The zone's offset at the local time `local` (seconds since 1970 as if the wall clock were UTC).
    func offset(forLocal local: Int) -> Int {
        if let fixed { return fixed }
        let guess = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local)))
        return zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local - guess)))
    }
}

/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01).
public enum CivilTime {
    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeap(year) ? 29 : 28
        default: return 0
        }
    }

    /// Day number of a calendar date. The year is shifted to start in March so the leap day is
    /// the last day of the shifted year; 400-year eras have 146,097 days.
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = (month + 9) % 12
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The calendar date of a day number (inverse of ``daysFromCivil(year:month:day:)``).
    public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// ISO 8601 text of `seconds` since 1970 shown at `offset` seconds east of UTC, e.g.
    /// `2024-01-02T08:11:46.617+07:00`. Uses 3 fraction digits when the value is (within 1 µs) a
    /// whole millisecond, else 6.
    static func iso8601(_ seconds: Double, offset: Int = 0) -> String {
        let local = seconds + Double(offset)
        var whole = local.rounded(.down)
        var frac = local - whole
        var micros = Int((frac * 1_000_000).rounded())
        if micros >= 1_000_000 { whole += 1; micros -= 1_000_000; frac = 0 }
        let total = Int(whole)
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let sod = total - days * 86_400
        let (y, m, d) = civilFromDays(days)
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        var out = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(sod / 3600, 2)):\(pad(sod % 3600 / 60, 2)):\(pad(sod % 60, 2))"
        if micros % 1000 == 0 {
            out += "." + pad(micros / 1000, 3)
        } else {
            out += "." + pad(micros, 6)
        }
        if offset == 0 {
            out += "+00:00"
        } else {
            let a = abs(offset)
            out += (offset < 0 ? "-" : "+") + pad(a / 3600, 2) + ":" + pad(a % 3600 / 60, 2)
        }
        return out
    }
}
