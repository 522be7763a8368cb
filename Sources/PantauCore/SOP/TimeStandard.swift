import Foundation

/// The "Waktu" of a step's mutu baku: how long the step may take, as a real duration.
///
/// Written in SOP files as a number with a unit, in Bahasa Indonesia or English:
/// `"15 menit"`, `"2 jam"`, `"1 hari"`, `"30 detik"`, `"15m"`, `"1h30m"`, `"2d"`, or as ISO 8601
/// (`"PT15M"`). A day is 24 hours (calendar time): SOPs that mean working days should say so in
/// hours of office time (e.g. `"8 jam"`).
public struct TimeStandard: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Duration in seconds; always positive for a valid standard.
    public var seconds: Double

    public init(seconds: Double) { self.seconds = seconds }
    public static func minutes(_ m: Double) -> TimeStandard { .init(seconds: m * 60) }
    public static func hours(_ h: Double) -> TimeStandard { .init(seconds: h * 3600) }
    public static func days(_ d: Double) -> TimeStandard { .init(seconds: d * 86_400) }

    public static func < (a: TimeStandard, b: TimeStandard) -> Bool { a.seconds < b.seconds }

    /// The longest time standard read (100 years): a longer one is no SOP's, and formatting one
    /// beyond `Int`'s range trapped (found by fuzzing: "666…667 hari" in an SOP file crashed the
    /// process when the SOP was shown). ``format(seconds:language:)`` caps at it too.
    public static let maxSeconds: Double = 100 * 365 * 86_400

    private static let units: [(names: [String], seconds: Double)] = [
        (["detik", "dtk", "s", "sec", "second", "seconds"], 1),
        (["menit", "mnt", "m", "min", "mins", "minute", "minutes"], 60),
        (["jam", "j", "h", "hr", "hrs", "hour", "hours"], 3600),
        (["hari", "d", "day", "days"], 86_400),
        (["minggu", "w", "week", "weeks"], 604_800),
    ]

    /// Parses the forms listed on the type. Returns nil when the text is not a duration.
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !t.isEmpty else { return nil }
        if t.hasPrefix("p") {
            guard let s = TimeStandard.parseISO(t), s <= TimeStandard.maxSeconds else { return nil }
            self.init(seconds: s)
            return
        }
        // Sequence of <number><unit> pairs, optional spaces: "1 jam 30 menit", "1h30m", "1,5 jam".
        var total = 0.0
        var i = t.startIndex
        var sawAny = false
        func skipSpaces() { while i < t.endIndex, t[i] == " " { i = t.index(after: i) } }
        while true {
            skipSpaces()
            if i == t.endIndex { break }
            let numStart = i
            while i < t.endIndex, t[i].isNumber || t[i] == "." || t[i] == "," { i = t.index(after: i) }
            guard numStart < i, let n = Double(t[numStart..<i].replacingOccurrences(of: ",", with: ".")) else { return nil }
            skipSpaces()
            let unitStart = i
            while i < t.endIndex, t[i].isLetter { i = t.index(after: i) }
            let unit = String(t[unitStart..<i])
            guard let u = TimeStandard.units.first(where: { $0.names.contains(unit) }) else { return nil }
            total += n * u.seconds
            sawAny = true
        }
        guard sawAny, total <= TimeStandard.maxSeconds else { return nil }
        self.init(seconds: total)
    }

    private static func parseISO(_ t: String) -> Double? {
        // PnDTnHnMnS (weeks, months and years are not durations an SOP step uses)
        var total = 0.0
        var inTime = false
        var num = ""
        for ch in t.dropFirst() {
            if ch == "t" { inTime = true; continue }
            if ch.isNumber || ch == "." { num.append(ch); continue }
            guard let n = Double(num) else { return nil }
            num = ""
            switch (ch, inTime) {
            case ("d", false): total += n * 86_400
            case ("h", true): total += n * 3600
            case ("m", true): total += n * 60
            case ("s", true): total += n
            default: return nil
            }
        }
        return num.isEmpty && total > 0 ? total : nil
    }

    /// Indonesian text such as "1 jam 30 menit", the form written back to SOP files.
    public var description: String { TimeStandard.format(seconds: seconds, language: .id) }

    /// Formats a duration for people: "1 jam 30 menit" / "1 h 30 min".
    public static func format(seconds: Double, language: Language) -> String {
        if !(seconds > 0) { return language == .id ? "0 menit" : "0 min" }
        var rest = Int(min(seconds, maxSeconds).rounded())
        let d = rest / 86_400; rest %= 86_400
        let h = rest / 3600; rest %= 3600
        let m = rest / 60; let s = rest % 60
        var parts: [String] = []
        let names = language == .id ? ["hari", "jam", "menit", "detik"] : ["d", "h", "min", "s"]
        if d > 0 { parts.append("\(d) \(names[0])") }
        if h > 0 { parts.append("\(h) \(names[1])") }
        if m > 0 { parts.append("\(m) \(names[2])") }
        if s > 0 { parts.append("\(s) \(names[3])") }
        return parts.joined(separator: " ")
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Double.self) {
            // A bare number is minutes, the unit SOP tables use most.
            self.init(seconds: n * 60)
            return
        }
        let text = try c.decode(String.self)
        guard let v = TimeStandard(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                in: c, debugDescription: "'\(text)' is not a duration (e.g. '15 menit', '2 jam', '1 hari')")
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// The two UI and document languages.
public enum Language: String, Sendable, Codable, CaseIterable {
    case id, en
}
