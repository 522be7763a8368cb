import Foundation

/// Writes CSV as RFC 4180 describes it: fields separated by a delimiter, records by CRLF, and a
/// field quoted (with inner quotes doubled) when it holds the delimiter, a quote, CR or LF.
///
/// Excel in an Indonesian locale (decimal comma) splits files on `;`, so the delimiter is
/// configurable; ``Options/excelIndonesia`` is `;` with a UTF-8 byte-order mark (without the BOM
/// Excel reads UTF-8 as ANSI and garbles non-ASCII names).
///
/// ```swift
/// var w = CSVWriter(options: .excelIndonesia)
/// w.writeRow(["Unsur", "NRR"])
/// w.writeRow(["Waktu", "3,45"])
/// let bytes = w.data
/// ```
///
/// - Complexity: O(total characters).
public struct CSVWriter: Sendable {
    public struct Options: Hashable, Sendable {
        public enum LineEnding: String, Hashable, Sendable {
            case crlf = "\r\n"
            case lf = "\n"
        }

        /// Field separator; must not be `"`, CR or LF (those fall back to `,`).
        public var delimiter: Character
        public var lineEnding: LineEnding
        /// Start ``CSVWriter/data`` with the UTF-8 byte-order mark EF BB BF.
        public var byteOrderMark: Bool
        /// Quote every field, not only those that need it.
        public var quoteAll: Bool
        /// Prefix `'` to text fields that start with `=`, `+`, `-`, `@`, tab or CR and are not
        /// numbers, so a spreadsheet does not run them as formulas (CSV injection). Turn it on
        /// for exports holding citizen-typed text such as saran.
        public var neutralizeFormulas: Bool

        public init(delimiter: Character = ",", lineEnding: LineEnding = .crlf, byteOrderMark: Bool = false,
                    quoteAll: Bool = false, neutralizeFormulas: Bool = false) {
            self.delimiter = delimiter
            self.lineEnding = lineEnding
            self.byteOrderMark = byteOrderMark
            self.quoteAll = quoteAll
            self.neutralizeFormulas = neutralizeFormulas
        }

        /// RFC 4180: comma, CRLF, no BOM.
        public static let rfc4180 = Options()
        /// `;`, CRLF, BOM, formulas neutralised: opens cleanly in Excel set to Indonesian.
        public static let excelIndonesia = Options(delimiter: ";", byteOrderMark: true, neutralizeFormulas: true)
    }

    public let options: Options
    /// The text written so far (without BOM).
    public private(set) var text: String = ""
    private let delimiter: Character

    public init(options: Options = .rfc4180) {
        self.options = options
        let d = options.delimiter
        delimiter = (d == "\"" || d == "\r" || d == "\n" || d == "\r\n") ? "," : d
    }

    /// Appends one record.
    public mutating func writeRow(_ fields: [String]) {
        var first = true
        for f in fields {
            if !first { text.append(delimiter) }
            first = false
            text += encode(f)
        }
        text += options.lineEnding.rawValue
    }

    /// Appends several records.
    public mutating func writeRows(_ rows: [[String]]) {
        for r in rows { writeRow(r) }
    }

    /// UTF-8 bytes, with the BOM if ``Options/byteOrderMark`` is set.
    public var data: Data {
        var d = Data()
        if options.byteOrderMark { d.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
        d.append(contentsOf: Array(text.utf8))
        return d
    }

    /// One-shot: the CSV text of `rows`.
    public static func string(_ rows: [[String]], options: Options = .rfc4180) -> String {
        var w = CSVWriter(options: options)
        w.writeRows(rows)
        return w.text
    }

    /// One-shot: the CSV bytes of `rows` (with BOM if set).
    public static func data(_ rows: [[String]], options: Options = .rfc4180) -> Data {
        var w = CSVWriter(options: options)
        w.writeRows(rows)
        return w.data
    }

    /// The field as written: neutralised if asked, then quoted if needed.
    public func encode(_ field: String) -> String {
        var f = field
        if options.neutralizeFormulas, let c = f.unicodeScalars.first,
           "=+-@\t\r".unicodeScalars.contains(c), !Self.looksNumeric(f) {
            f = "'" + f
        }
        let needs = options.quoteAll || f.contains(delimiter) || f.contains("\"") || f.contains("\n") || f.contains("\r")
            || f.unicodeScalars.contains { $0 == "\r" || $0 == "\n" }
        guard needs else { return f }
        return "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `-12`, `+3.5`, `-0,75`: a plain signed decimal number.
    private static func looksNumeric(_ s: String) -> Bool {
        var digits = 0, seps = 0
        for (i, c) in s.enumerated() {
            if c.isASCII && c.isNumber { digits += 1 }
            else if (c == "-" || c == "+") && i == 0 { continue }
            else if c == "." || c == "," { seps += 1 }
            else { return false }
        }
        return digits > 0 && seps <= 1
    }
}
