import Foundation
import PantauCore

/// A number format for ``XLSXCell/number(_:_:)``.
public enum XLSXNumberFormat: Int, Hashable, Sendable, CaseIterable {
    /// Excel's General.
    case general
    /// `0`
    case integer
    /// `0.00`
    case twoDecimals
    /// `0.0000`
    case fourDecimals
    /// `#,##0` (thousands separator as the reader's locale shows it).
    case thousands
    /// `0.00%` (the value 0.25 shows as 25.00%).
    case percent
    /// `yyyy-mm-dd` (used by ``XLSXCell/date(_:)``).
    case date
    /// `yyyy-mm-dd hh:mm` (used by ``XLSXCell/dateTime(_:)``).
    case dateTime

    /// (numFmtId, custom format code if not built in).
    var numFmt: (id: Int, code: String?) {
        switch self {
        case .general: return (0, nil)
        case .integer: return (1, nil)
        case .twoDecimals: return (2, nil)
        case .thousands: return (3, nil)
        case .percent: return (10, nil)
        case .fourDecimals: return (164, "0.0000")
        case .date: return (165, "yyyy-mm-dd")
        case .dateTime: return (166, "yyyy-mm-dd hh:mm")
        }
    }
}

/// One spreadsheet cell.
public enum XLSXCell: Hashable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    case empty
    /// Text (at most 32,767 characters, Excel's limit). Control characters are kept via `_xHHHH_` escapes.
    case text(String)
    /// A number; NaN and infinities are written as the error `#NUM!`.
    case number(Double, XLSXNumberFormat = .general)
    case integer(Int)
    /// A calendar date (stored as an Excel serial day, shown `yyyy-mm-dd`).
    case date(CivilDate)
    /// An instant, shown in the writer's time zone (``XLSXWriter/Options/timeZone``) as `yyyy-mm-dd hh:mm`.
    case dateTime(Date)
    case bool(Bool)
    /// Text in bold (the header style) outside the header rows.
    case boldText(String)

    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
}

/// One worksheet.
public struct XLSXSheet: Hashable, Sendable {
    /// Sheet tab name; made valid on write (see ``XLSXWriter``).
    public var name: String
    public var rows: [[XLSXCell]]
    /// The first `headerRows` rows are bold (and frozen when ``freezeHeader`` is set).
    public var headerRows: Int
    public var freezeHeader: Bool
    /// Column widths in characters, from column A; missing or non-positive entries keep the default.
    public var columnWidths: [Double]

    public init(name: String, rows: [[XLSXCell]], headerRows: Int = 1, freezeHeader: Bool = true, columnWidths: [Double] = []) {
        self.name = name
        self.rows = rows
        self.headerRows = headerRows
        self.freezeHeader = freezeHeader
        self.columnWidths = columnWidths
    }

    /// A sheet with a text header row followed by `rows`.
    public init(name: String, header: [String], rows: [[XLSXCell]], columnWidths: [Double] = []) {
        self.init(name: name, rows: [header.map(XLSXCell.text)] + rows, headerRows: 1, columnWidths: columnWidths)
    }
}

/// A workbook: sheets plus document properties.
public struct XLSXWorkbook: Hashable, Sendable {
    public var sheets: [XLSXSheet]
    /// Document title (docProps/core.xml).
    public var title: String?
    /// Author (docProps/core.xml), e.g. the application or unit name.
    public var creator: String?

    public init(sheets: [XLSXSheet], title: String? = nil, creator: String? = nil) {
        self.sheets = sheets
        self.title = title
        self.creator = creator
    }
}

/// Errors writing a workbook.
public enum XLSXError: Error, Hashable, Sendable, CustomStringConvertible {
    case noSheets
    /// More than 1,048,576 rows.
    case tooManyRows(sheet: String, rows: Int)
    /// More than 16,384 columns.
    case tooManyColumns(sheet: String, row: Int, columns: Int)
    /// A text longer than 32,767 characters, at a cell such as `B7`.
    case textTooLong(sheet: String, cell: String, length: Int)
    case zip(ZipArchiveError)

    public var description: String {
        switch self {
        case .noSheets: return "buku kerja tanpa lembar (workbook has no sheets)"
        case .tooManyRows(let s, let n): return "lembar '\(s)': \(n) baris melebihi 1.048.576 (too many rows)"
        case .tooManyColumns(let s, let r, let n): return "lembar '\(s)' baris \(r): \(n) kolom melebihi 16.384 (too many columns)"
        case .textTooLong(let s, let c, let n): return "lembar '\(s)' sel \(c): teks \(n) karakter melebihi 32.767 (text too long)"
        case .zip(let e): return e.description
        }
    }
}

/// Writes Office Open XML SpreadsheetML (.xlsx) files without dependencies: the package parts
/// (`[Content_Types].xml`, `_rels/.rels`, `docProps/core.xml`, `xl/workbook.xml`,
/// `xl/_rels/workbook.xml.rels`, `xl/styles.xml`, `xl/sharedStrings.xml`,
/// `xl/worksheets/sheetN.xml`) inside a ZIP written by ``ZipArchiveWriter`` (entries deflated).
///
/// Texts go to the shared-string table (deduplicated). Styles: header rows and
/// ``XLSXCell/boldText(_:)`` are bold; numbers carry one of ``XLSXNumberFormat``. Dates are Excel
/// serial days (1900 date system). Sheet names are made valid: `[]:*?/\` become `_`, the name is
/// trimmed to 31 characters, an empty name becomes `SheetN`, and duplicates (case-insensitive)
/// get ` (2)`, ` (3)`…
///
/// - Complexity: O(total cell text + cells).
public struct XLSXWriter: Sendable {
    public struct Options: Hashable, Sendable {
        /// Time zone for ``XLSXCell/dateTime(_:)`` cells (default WIB).
        public var timeZone: TimeZone
        /// Creation date written to docProps and the ZIP entries; nil = 1980-01-01 for
        /// byte-identical output from identical input.
        public var created: Date?
        /// Deflate the package's parts (default; Excel, LibreOffice and openpyxl read both).
        /// False stores them uncompressed.
        public var compress: Bool

        public init(timeZone: TimeZone = .wib, created: Date? = nil, compress: Bool = true) {
            self.timeZone = timeZone
            self.created = created
            self.compress = compress
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    static let maxRows = 1_048_576
    static let maxColumns = 16_384
    static let maxText = 32_767
    static let mainNS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let xmlHeader = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

    /// The .xlsx bytes of `workbook`.
    /// - Throws: ``XLSXError``.
    public func write(_ workbook: XLSXWorkbook) throws(XLSXError) -> Data {
        guard !workbook.sheets.isEmpty else { throw .noSheets }
        let names = Self.sheetNames(workbook.sheets.map(\.name))
        var strings = SharedStrings()
        var sheetParts: [[UInt8]] = []
        for (i, sheet) in workbook.sheets.enumerated() {
            sheetParts.append(try sheetXML(sheet, name: names[i], strings: &strings))
        }
        var zip = ZipArchiveWriter(modified: options.created, timeZone: options.timeZone)
        zip.compress = options.compress
        do {
            try zip.add(name: "[Content_Types].xml", data: Array(contentTypes(sheetCount: sheetParts.count).utf8))
            try zip.add(name: "_rels/.rels", data: Array(rootRels.utf8))
            try zip.add(name: "docProps/core.xml", data: Array(coreXML(workbook).utf8))
            try zip.add(name: "xl/workbook.xml", data: Array(workbookXML(names).utf8))
            try zip.add(name: "xl/_rels/workbook.xml.rels", data: Array(workbookRels(sheetCount: sheetParts.count).utf8))
            try zip.add(name: "xl/styles.xml", data: Array(Self.stylesXML.utf8))
            try zip.add(name: "xl/sharedStrings.xml", data: strings.xml())
            for (i, part) in sheetParts.enumerated() {
                try zip.add(name: "xl/worksheets/sheet\(i + 1).xml", data: part)
            }
            return Data(try zip.finish())
        } catch {
            throw .zip(error)
        }
    }

    // MARK: Parts

    private func contentTypes(sheetCount: Int) -> String {
        var s = Self.xmlHeader
        s += "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        s += "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        s += "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        s += "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
        for i in 1...sheetCount {
            s += "<Override PartName=\"/xl/worksheets/sheet\(i).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }
        s += "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
        s += "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
        s += "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
        s += "</Types>"
        return s
    }

    private var rootRels: String {
        Self.xmlHeader
            + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
            + "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
            + "</Relationships>"
    }

    private func coreXML(_ wb: XLSXWorkbook) -> String {
        var s = Self.xmlHeader
        s += "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
        s += "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" "
        s += "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
        if let t = wb.title { s += "<dc:title>\(Self.escape(t))</dc:title>" }
        if let c = wb.creator { s += "<dc:creator>\(Self.escape(c))</dc:creator>" }
        if let d = options.created {
            let f = ISO8601DateFormatter()
            f.timeZone = TimeZone(secondsFromGMT: 0)
            s += "<dcterms:created xsi:type=\"dcterms:W3CDTF\">\(f.string(from: d))</dcterms:created>"
        }
        s += "</cp:coreProperties>"
        return s
    }

    private func workbookXML(_ names: [String]) -> String {
        var s = Self.xmlHeader
        s += "<workbook xmlns=\"\(Self.mainNS)\" xmlns:r=\"\(Self.relNS)\"><bookViews><workbookView/></bookViews><sheets>"
        for (i, n) in names.enumerated() {
            s += "<sheet name=\"\(Self.escape(n, attribute: true))\" sheetId=\"\(i + 1)\" r:id=\"rId\(i + 1)\"/>"
        }
        s += "</sheets></workbook>"
        return s
    }

    private func workbookRels(sheetCount: Int) -> String {
        var s = Self.xmlHeader
        s += "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        for i in 1...sheetCount {
            s += "<Relationship Id=\"rId\(i)\" Type=\"\(Self.relNS)/worksheet\" Target=\"worksheets/sheet\(i).xml\"/>"
        }
        s += "<Relationship Id=\"rId\(sheetCount + 1)\" Type=\"\(Self.relNS)/styles\" Target=\"styles.xml\"/>"
        s += "<Relationship Id=\"rId\(sheetCount + 2)\" Type=\"\(Self.relNS)/sharedStrings\" Target=\"sharedStrings.xml\"/>"
        s += "</Relationships>"
        return s
    }

    /// Style index of (format, bold): `format.rawValue * 2 + (bold ? 1 : 0)`.
    static func styleIndex(_ format: XLSXNumberFormat, bold: Bool) -> Int { format.rawValue * 2 + (bold ? 1 : 0) }

    static let stylesXML: String = {
        var s = xmlHeader
        s += "<styleSheet xmlns=\"\(mainNS)\">"
        let custom = XLSXNumberFormat.allCases.compactMap { f in f.numFmt.code.map { (f.numFmt.id, $0) } }
        s += "<numFmts count=\"\(custom.count)\">"
        for (id, code) in custom { s += "<numFmt numFmtId=\"\(id)\" formatCode=\"\(escape(code, attribute: true))\"/>" }
        s += "</numFmts>"
        s += "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
        s += "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>"
        s += "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
        s += "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
        s += "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        s += "<cellXfs count=\"\(XLSXNumberFormat.allCases.count * 2)\">"
        for f in XLSXNumberFormat.allCases {
            for bold in [false, true] {
                let id = f.numFmt.id
                s += "<xf numFmtId=\"\(id)\" fontId=\"\(bold ? 1 : 0)\" fillId=\"0\" borderId=\"0\" xfId=\"0\""
                s += id != 0 ? " applyNumberFormat=\"1\"" : ""
                s += bold ? " applyFont=\"1\"" : ""
                s += "/>"
            }
        }
        s += "</cellXfs>"
        s += "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
        s += "</styleSheet>"
        return s
    }()

    private func sheetXML(_ sheet: XLSXSheet, name: String, strings: inout SharedStrings) throws(XLSXError) -> [UInt8] {
        guard sheet.rows.count <= Self.maxRows else { throw .tooManyRows(sheet: name, rows: sheet.rows.count) }
        var out: [UInt8] = []
        out.reserveCapacity(64 + sheet.rows.count * 64)
        func put(_ s: String) { out.append(contentsOf: s.utf8) }
        let width = sheet.rows.map(\.count).max() ?? 0
        put(Self.xmlHeader)
        put("<worksheet xmlns=\"\(Self.mainNS)\" xmlns:r=\"\(Self.relNS)\">")
        if width > 0 && !sheet.rows.isEmpty {
            put("<dimension ref=\"A1:\(Self.columnName(width - 1))\(sheet.rows.count)\"/>")
        }
        let frozen = min(sheet.headerRows, sheet.rows.count)
        if sheet.freezeHeader && frozen > 0 {
            put("<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"\(frozen)\" topLeftCell=\"A\(frozen + 1)\" activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>")
        } else {
            put("<sheetViews><sheetView workbookViewId=\"0\"/></sheetViews>")
        }
        put("<sheetFormatPr defaultRowHeight=\"15\"/>")
        let widths = sheet.columnWidths.prefix(Self.maxColumns).enumerated().filter { $0.element > 0 && $0.element.isFinite }
        if !widths.isEmpty {
            put("<cols>")
            for (i, w) in widths {
                put("<col min=\"\(i + 1)\" max=\"\(i + 1)\" width=\"\(Self.number(min(w, 255)))\" customWidth=\"1\"/>")
            }
            put("</cols>")
        }
        put("<sheetData>")
        for (r, row) in sheet.rows.enumerated() {
            guard row.count <= Self.maxColumns else { throw .tooManyColumns(sheet: name, row: r + 1, columns: row.count) }
            let header = r < sheet.headerRows
            put("<row r=\"\(r + 1)\">")
            for (c, cell) in row.enumerated() {
                let ref = "\(Self.columnName(c))\(r + 1)"
                switch cell {
                case .empty:
                    continue
                case .text(let t), .boldText(let t):
                    var bold = header
                    if case .boldText = cell { bold = true }
                    guard t.count <= Self.maxText else { throw .textTooLong(sheet: name, cell: ref, length: t.count) }
                    let i = strings.index(t)
                    put("<c r=\"\(ref)\" t=\"s\"\(style(.general, bold))><v>\(i)</v></c>")
                case .number(let v, let f):
                    if v.isFinite {
                        put("<c r=\"\(ref)\"\(style(f, header))><v>\(Self.number(v))</v></c>")
                    } else {
                        put("<c r=\"\(ref)\" t=\"e\"\(style(f, header))><v>#NUM!</v></c>")
                    }
                case .integer(let v):
                    put("<c r=\"\(ref)\"\(style(.general, header))><v>\(v)</v></c>")
                case .date(let d):
                    put("<c r=\"\(ref)\"\(style(.date, header))><v>\(Self.serialDay(d))</v></c>")
                case .dateTime(let d):
                    put("<c r=\"\(ref)\"\(style(.dateTime, header))><v>\(Self.number(serial(d)))</v></c>")
                case .bool(let b):
                    put("<c r=\"\(ref)\" t=\"b\"\(style(.general, header))><v>\(b ? 1 : 0)</v></c>")
                }
            }
            put("</row>")
        }
        put("</sheetData>")
        put("<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>")
        put("</worksheet>")
        return out
    }

    private func style(_ f: XLSXNumberFormat, _ bold: Bool) -> String {
        let s = Self.styleIndex(f, bold: bold)
        return s == 0 ? "" : " s=\"\(s)\""
    }

    // MARK: Helpers

    /// Column letters: 0 → A, 25 → Z, 26 → AA, 16383 → XFD.
    public static func columnName(_ index: Int) -> String {
        var n = index + 1
        var s: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            s.append(Character(Unicode.Scalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(s.reversed())
    }

    /// Excel serial day of a date in the 1900 date system (1900-03-01 = 61; day 0 = 1899-12-30).
    public static func serialDay(_ d: CivilDate) -> Int {
        daysFromCivil(d.year, d.month, d.day) - daysFromCivil(1899, 12, 30)
    }

    private func serial(_ date: Date) -> Double {
        let seconds = date.timeIntervalSince1970 + Double(options.timeZone.secondsFromGMT(for: date))
        let days = (seconds / 86400).rounded(.down)
        let frac = (seconds - days * 86400) / 86400
        return Double(25569 + Int(days)) + (frac * 86400).rounded() / 86400  // 25569 = serial of 1970-01-01
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// Shortest round-trip decimal, in plain or `1.5E-7` notation (valid xsd:double).
    static func number(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)".replacingOccurrences(of: "e", with: "E")
    }

    /// Makes tab names valid and unique.
    static func sheetNames(_ raw: [String]) -> [String] {
        var used: Set<String> = []
        var out: [String] = []
        for (i, r) in raw.enumerated() {
            var n = String(r.map { "[]:*?/\\".contains($0) ? "_" : $0 })
                .trimmingCharacters(in: .whitespacesAndNewlines)
            n = String(n.unicodeScalars.filter { $0.value >= 0x20 }.map(Character.init))
            while n.hasPrefix("'") { n.removeFirst() }
            while n.hasSuffix("'") { n.removeLast() }
            if n.isEmpty || n.lowercased() == "history" { n = "Sheet\(i + 1)" }
            n = String(n.prefix(31))
            var candidate = n
            var k = 2
            while used.contains(candidate.lowercased()) {
                let suffix = " (\(k))"
                candidate = String(n.prefix(31 - suffix.count)) + suffix
                k += 1
            }
            used.insert(candidate.lowercased())
            out.append(candidate)
        }
        return out
    }

    /// XML text escaping plus the OOXML `_xHHHH_` escape for characters XML 1.0 forbids (C0
    /// controls other than tab and line feed, CR, U+FFFE, U+FFFF) and for literal `_xHHHH_` runs.
    static func escape(_ s: String, attribute: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        let scalars = Array(s.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "\t" where attribute: out += "&#9;"
            case "\n" where attribute: out += "&#10;"
            case "_":
                if i + 6 < scalars.count, scalars[i + 1] == "x", scalars[i + 6] == "_",
                   scalars[(i + 2)...(i + 5)].allSatisfy({ $0.properties.isASCIIHexDigit }) {
                    out += "_x005F_"
                } else {
                    out += "_"
                }
            default:
                let v = c.value
                if (v < 0x20 && v != 0x09 && v != 0x0A) || v == 0xFFFE || v == 0xFFFF {
                    out += String(format: "_x%04X_", v)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
            i += 1
        }
        return out
    }
}

/// The shared-string table: each distinct text once, in first-use order.
struct SharedStrings {
    private var index: [String: Int] = [:]
    private var list: [String] = []
    private(set) var references = 0

    mutating func index(_ s: String) -> Int {
        references += 1
        if let i = index[s] { return i }
        let i = list.count
        list.append(s)
        index[s] = i
        return i
    }

    func xml() -> [UInt8] {
        var out: [UInt8] = []
        func put(_ s: String) { out.append(contentsOf: s.utf8) }
        put(XLSXWriter.xmlHeader)
        put("<sst xmlns=\"\(XLSXWriter.mainNS)\" count=\"\(references)\" uniqueCount=\"\(list.count)\">")
        for s in list {
            let needsPreserve = s.first?.isWhitespace == true || s.last?.isWhitespace == true || s.contains("\n")
            put(needsPreserve ? "<si><t xml:space=\"preserve\">" : "<si><t>")
            put(XLSXWriter.escape(s))
            put("</t></si>")
        }
        put("</sst>")
        return out
    }
}
