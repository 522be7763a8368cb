import Foundation

/// Why an .xlsx file could not be read. Each case has a stable ``code`` (for translations and
/// tests) and names the part of the package, and the cell where there is one
/// (`xl/worksheets/sheet1.xml cell C7`).
public enum XLSXReadError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes are not a ZIP archive.
    case notZip
    /// The archive is damaged (e.g. cut off before its central directory).
    case corruptArchive(String)
    /// ZIP64 archives (over 4 GiB or 65,535 entries) are not read.
    case zip64
    /// A password-protected entry.
    case encrypted(part: String)
    /// An entry compressed other than stored or deflate.
    case unsupportedCompression(part: String, method: Int)
    /// An entry is damaged: bad header, invalid deflate data, wrong size.
    case corruptEntry(part: String, String)
    /// An entry's CRC-32 does not match its contents.
    case crcMismatch(part: String)
    /// An entry would expand beyond the reader's limit (a "zip bomb").
    case entryTooLarge(part: String, limit: Int)
    /// A part the workbook needs is not in the archive (e.g. not a spreadsheet at all).
    case missingPart(String)
    /// A part's XML cannot be read; `offset` is the byte offset in the part.
    case malformedXML(part: String, message: String, offset: Int)
    /// The workbook lists no worksheet.
    case noSheet
    /// No sheet has the asked name; `available` lists the workbook's sheets.
    case sheetNotFound(String, available: [String])
    /// A cell reference such as `A1` cannot be read, or lies outside Excel's grid.
    case badCellReference(part: String, String)
    /// A cell's value does not fit its type (e.g. a shared-string index past the table).
    case badCell(part: String, cell: String, String)
    /// The sheet holds more cells (rows × columns up to the last value) than the reader's limit.
    case tooManyCells(limit: Int)

    /// A short stable code: `not_zip`, `corrupt`, `zip64`, `encrypted`, `compression`, `crc`,
    /// `too_large`, `missing_part`, `xml`, `no_sheet`, `sheet_not_found`, `cell_reference`, `cell`, `too_many_cells`.
    public var code: String {
        switch self {
        case .notZip: "not_zip"
        case .corruptArchive, .corruptEntry: "corrupt"
        case .zip64: "zip64"
        case .encrypted: "encrypted"
        case .unsupportedCompression: "compression"
        case .crcMismatch: "crc"
        case .entryTooLarge: "too_large"
        case .missingPart: "missing_part"
        case .malformedXML: "xml"
        case .noSheet: "no_sheet"
        case .sheetNotFound: "sheet_not_found"
        case .badCellReference: "cell_reference"
        case .badCell: "cell"
        case .tooManyCells: "too_many_cells"
        }
    }

    public var description: String {
        switch self {
        case .notZip: return "bukan berkas .xlsx (not an .xlsx/ZIP file)"
        case .corruptArchive(let m): return "arsip .xlsx rusak (corrupt .xlsx archive): \(m)"
        case .zip64: return "arsip ZIP64 tidak didukung; simpan ulang di Excel (ZIP64 archives are not supported)"
        case .encrypted(let p): return "\(p): bagian terenkripsi; buka kata sandinya dulu (encrypted entry)"
        case .unsupportedCompression(let p, let m): return "\(p): metode kompresi \(m) tidak didukung (unsupported compression method)"
        case .corruptEntry(let p, let m): return "\(p): rusak (corrupt): \(m)"
        case .crcMismatch(let p): return "\(p): CRC-32 tidak cocok, berkas rusak (CRC-32 mismatch)"
        case .entryTooLarge(let p, let l): return "\(p): lebih dari \(l >> 20) MB setelah dibuka (expands beyond the limit); ditolak"
        case .missingPart(let p): return "\(p) tidak ada; bukan buku kerja Excel? (missing part, not a workbook?)"
        case .malformedXML(let p, let m, let o): return "\(p) byte \(o): XML rusak (malformed XML): \(m)"
        case .noSheet: return "buku kerja tanpa lembar kerja (workbook has no worksheet)"
        case .sheetNotFound(let n, let a): return "lembar '\(n)' tidak ada (no such sheet); ada: \(a.joined(separator: ", "))"
        case .badCellReference(let p, let r): return "\(p): rujukan sel '\(r)' tidak sah (invalid cell reference)"
        case .badCell(let p, let c, let m): return "\(p) cell \(c): \(m)"
        case .tooManyCells(let l): return "lembar kerja lebih dari \(l) sel (too many cells); simpan sebagai CSV"
        }
    }
}

/// The values of one worksheet as text, one array per spreadsheet row: `rows[0]` is row 1, and
/// every row has the same width (missing cells are ""). Trailing empty rows and columns are dropped.
public struct XLSXTable: Hashable, Sendable {
    /// The sheet's tab name.
    public var sheetName: String
    public var rows: [[String]]

    public init(sheetName: String, rows: [[String]]) {
        self.sheetName = sheetName
        self.rows = rows
    }

    /// The table as RFC 4180 CSV (UTF-8, `\n` line ends, `,` between fields; a field is quoted when
    /// it holds `,` `;` `|` a tab, a quote or a line break). One CSV record per spreadsheet row,
    /// empty rows included, so record k is row k.
    public var csv: CSV {
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * 32)
        var rowOfLine: [Int] = []
        rowOfLine.reserveCapacity(rows.count)
        for (r, row) in rows.enumerated() {
            rowOfLine.append(r + 1)
            for (k, field) in row.enumerated() {
                if k > 0 { out.append(0x2C) }
                let u = field.utf8
                if u.contains(where: { $0 == 0x2C || $0 == 0x3B || $0 == 0x7C || $0 == 0x09 || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                    out.append(0x22)
                    for b in u {
                        if b == 0x22 { out.append(0x22) }
                        // Line breaks inside a field count as lines for the CSV readers: remember which row they are.
                        if b == 0x0A { rowOfLine.append(r + 1) }
                        out.append(b)
                    }
                    out.append(0x22)
                } else {
                    out.append(contentsOf: u)
                }
            }
            out.append(0x0A)
        }
        return CSV(data: Data(out), rowOfLine: rowOfLine)
    }

    /// CSV bytes made from a table, and which spreadsheet row each CSV line (1-based) belongs to.
    public struct CSV: Hashable, Sendable {
        public var data: Data
        public var rowOfLine: [Int]

        /// The spreadsheet row of CSV line `line` (1-based); lines past the end map to themselves
        /// shifted by the embedded line breaks.
        public func row(ofLine line: Int) -> Int {
            guard line >= 1 else { return line }
            if line <= rowOfLine.count { return rowOfLine[line - 1] }
            return line - rowOfLine.count + (rowOfLine.last ?? 0)
        }

        /// The text (for readers that take a string).
        public var text: String { String(decoding: data, as: UTF8.self) }
    }
}

/// Reads a worksheet of an Office Open XML workbook (.xlsx, as Excel, LibreOffice, Google Sheets
/// and openpyxl write it) into text rows, without dependencies beyond zlib.
///
/// - The package: ZIP with stored or deflate entries (see ``XLSXReadError`` for what is refused);
///   each entry may expand to ``Options/maxPartBytes`` at most.
/// - The sheet: the first sheet of `xl/workbook.xml` that is not hidden (or the one named
///   ``Options/sheet``), found through the relationships parts.
/// - Cells by type: shared strings (`s`, rich-text runs joined, phonetic runs left out), formula
///   text (`str`), inline strings, booleans (`TRUE`/`FALSE`), errors (`#N/A`…, as text), ISO
///   dates (`d`), and numbers. A formula cell gives its cached value.
/// - Numbers are written as Excel shows them in General format: up to 15 significant digits
///   (`0.1`, `42`, `6281234567890`). A number whose cell style is a date or time format (built-in
///   formats 14–22, 27–36, 45–47, 50–58, or a custom format with y, m, d, h or s outside quotes) is
///   a serial date and becomes `yyyy-MM-dd` (date formats), `HH:mm:ss` (time-only formats) or
///   `yyyy-MM-dd HH:mm:ss`, rounded to the second, in the 1900 date system (serial 1 is 1900-01-01;
///   serial 60, the 29 February 1900 that Excel counts but that never was, reads as 1900-03-01) or
///   the 1904 system when the workbook says so. Serials outside 0…2958465 stay numbers. Excel stores no time zone: the text is wall-clock time, which the importers
///   read in the zone they are given.
/// - Cells are placed by their reference (`A1`, `AA10`); cells and rows without a reference
///   follow the previous one. Gaps become "".
/// - Text keeps OOXML's `_xHHHH_` escapes decoded (`_x000D_` is a carriage return).
///
/// - Complexity: O(archive size + cells).
public struct XLSXReader: Sendable {
    public struct Options: Hashable, Sendable {
        /// The sheet to read (tab name, case-insensitive); nil = the first visible sheet.
        public var sheet: String?
        /// Largest uncompressed size of any one part (default 200 MB).
        public var maxPartBytes: Int
        /// Largest table (rows × columns up to the last non-empty cell; default 10,000,000).
        public var maxCells: Int

        public init(sheet: String? = nil, maxPartBytes: Int = 200 << 20, maxCells: Int = 10_000_000) {
            self.sheet = sheet
            self.maxPartBytes = maxPartBytes
            self.maxCells = maxCells
        }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    /// Whether `data` starts like a ZIP archive (`PK\3\4`, or `PK\5\6` for an empty one): how an
    /// uploaded .xlsx is told from CSV or XES whatever its name.
    public static func looksLikeZip(_ data: Data) -> Bool {
        guard data.count >= 4 else { return false }
        let b = Array(data.prefix(4))
        return b[0] == 0x50 && b[1] == 0x4B && ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6))
    }

    /// Reads the worksheet of the .xlsx bytes `data`: the single entry point (also for fuzzing).
    /// - Throws: ``XLSXReadError``.
    public func read(_ data: Data) throws(XLSXReadError) -> XLSXTable {
        let zip = try ZipReader([UInt8](data), maxEntryBytes: options.maxPartBytes)
        // The workbook part, from the package relationships.
        var workbookPath = "xl/workbook.xml"
        if zip.contains("_rels/.rels") {
            for r in try relationships(zip, "_rels/.rels", base: "") where r.type.hasSuffix("/officeDocument") {
                workbookPath = r.target
                break
            }
        }
        let dir = workbookPath.split(separator: "/").dropLast().joined(separator: "/")
        let relsPath = (dir.isEmpty ? "" : dir + "/") + "_rels/" + (workbookPath.split(separator: "/").last.map(String.init) ?? "") + ".rels"
        let rels = zip.contains(relsPath) ? try relationships(zip, relsPath, base: dir) : []
        // Sheets and the date system.
        var scanner = XMLScanner(try zip.read(workbookPath), part: workbookPath)
        var sheets: [(name: String, rid: String, hidden: Bool)] = []
        var date1904 = false
        while true {
            let t = try scanner.next()
            if case .eof = t { break }
            guard case let .start(name, _) = t else { continue }
            if name == "workbookPr", let v = scanner.attribute("date1904") { date1904 = v == "1" || v.lowercased() == "true" }
            if name == "sheet" {
                let state = scanner.attribute("state") ?? "visible"
                sheets.append((scanner.attribute("name") ?? "", scanner.attribute("id") ?? "", state != "visible"))
            }
        }
        guard !sheets.isEmpty else { throw .noSheet }
        let chosen: (name: String, rid: String, hidden: Bool)
        if let want = options.sheet {
            guard let s = sheets.first(where: { $0.name.caseInsensitiveCompare(want) == .orderedSame }) else {
                throw .sheetNotFound(want, available: sheets.map(\.name))
            }
            chosen = s
        } else {
            chosen = sheets.first { !$0.hidden } ?? sheets[0]
        }
        let sheetIndex = sheets.firstIndex { $0.rid == chosen.rid && $0.name == chosen.name } ?? 0
        let sheetPath = rels.first { $0.id == chosen.rid }?.target ?? (dir.isEmpty ? "" : dir + "/") + "worksheets/sheet\(sheetIndex + 1).xml"
        // Shared strings and styles (both optional).
        let sstPath = rels.first { $0.type.hasSuffix("/sharedStrings") }?.target ?? (zip.contains("xl/sharedStrings.xml") ? "xl/sharedStrings.xml" : nil)
        let stylesPath = rels.first { $0.type.hasSuffix("/styles") }?.target ?? (zip.contains("xl/styles.xml") ? "xl/styles.xml" : nil)
        let strings = try sstPath.map { p throws(XLSXReadError) in try sharedStrings(try zip.read(p), part: p) } ?? []
        let dateStyles = try stylesPath.map { p throws(XLSXReadError) in try Self.dateStyles(try zip.read(p), part: p) } ?? []
        let rows = try readSheet(try zip.read(sheetPath), part: sheetPath, strings: strings, dateStyles: dateStyles, date1904: date1904)
        return XLSXTable(sheetName: chosen.name, rows: rows)
    }

    // MARK: Parts

    struct Relationship { var id: String; var type: String; var target: String }

    /// A relationships part; targets resolved to package paths (relative to `base`, the source part's folder).
    private func relationships(_ zip: ZipReader, _ path: String, base: String) throws(XLSXReadError) -> [Relationship] {
        var s = XMLScanner(try zip.read(path), part: path)
        var out: [Relationship] = []
        while true {
            let t = try s.next()
            if case .eof = t { break }
            guard case .start("Relationship", _) = t, s.attribute("TargetMode") != "External",
                  let id = s.attribute("Id"), let target = s.attribute("Target") else { continue }
            out.append(Relationship(id: id, type: s.attribute("Type") ?? "", target: Self.resolve(target, base: base)))
        }
        return out
    }

    static func resolve(_ target: String, base: String) -> String {
        var parts: [Substring] = target.hasPrefix("/") ? [] : base.split(separator: "/")
        for p in target.split(separator: "/") {
            if p == "." { continue }
            if p == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(p)
        }
        return parts.joined(separator: "/")
    }

    /// The shared-string table: each `<si>`'s `<t>` texts joined (rich-text runs), phonetic runs left out.
    private func sharedStrings(_ bytes: [UInt8], part: String) throws(XLSXReadError) -> [String] {
        var s = XMLScanner(bytes, part: part)
        var out: [String] = []
        var current = ""
        var inSI = false, inT = false, inPhonetic = false
        while true {
            let t = try s.next()
            switch t {
            case .eof:
                return out
            case let .start(name, empty):
                if name == "si" { current = ""; inSI = !empty; if empty { out.append("") } }
                else if name == "t" && !empty { inT = true }
                else if name == "rPh" && !empty { inPhonetic = true }
            case let .end(name):
                if name == "si" && inSI { out.append(Self.unescapeOOXML(current)); inSI = false }
                else if name == "t" { inT = false }
                else if name == "rPh" { inPhonetic = false }
            case let .text(text):
                if inSI && inT && !inPhonetic { current += text }
            }
        }
    }

    /// Which cell styles (indexes into `cellXfs`) show numbers as dates or times.
    static func dateStyles(_ bytes: [UInt8], part: String) throws(XLSXReadError) -> [DateKind?] {
        var s = XMLScanner(bytes, part: part)
        var custom: [Int: String] = [:]
        var xfs: [DateKind?] = []
        var inCellXfs = false
        var xfNumFmt: [Int] = []
        while true {
            let t = try s.next()
            switch t {
            case .eof:
                xfs = xfNumFmt.map { id in custom[id].map(Self.dateKind(format:)) ?? Self.dateKind(builtIn: id) }
                return xfs
            case let .start(name, empty):
                if name == "numFmt", let id = s.attribute("numFmtId").flatMap({ Int($0) }) { custom[id] = s.attribute("formatCode") ?? "" }
                else if name == "cellXfs" && !empty { inCellXfs = true }
                else if name == "xf" && inCellXfs { xfNumFmt.append(s.attribute("numFmtId").flatMap { Int($0) } ?? 0) }
            case let .end(name):
                if name == "cellXfs" { inCellXfs = false }
            case .text:
                break
            }
        }
    }

    enum DateKind: Hashable { case date, time, dateTime }

    static func dateKind(builtIn id: Int) -> DateKind? {
        switch id {
        case 18...21, 32...35, 45...47: return .time
        case 22: return .dateTime
        case 14...17, 27...31, 36, 50...58: return .date
        default: return nil
        }
    }

    /// A custom number format's kind: its letters outside quotes, `\`-escapes, `_x`/`*x` fillers
    /// and `[…]` sections (colours, locales; `[h]`, `[m]`, `[s]` count as time).
    static func dateKind(format: String) -> DateKind? {
        var date = false, time = false, month = false
        var chars = Array(format.lowercased())
        // Only the first section (positive numbers) matters.
        var i = 0
        var plain: [Character] = []
        var inQuote = false
        while i < chars.count {
            let c = chars[i]
            if inQuote { if c == "\"" { inQuote = false }; i += 1; continue }
            switch c {
            case "\"": inQuote = true
            case "\\", "_", "*": i += 1
            case ";": i = chars.count; continue
            case "[":
                var j = i + 1
                var inner: [Character] = []
                while j < chars.count && chars[j] != "]" { inner.append(chars[j]); j += 1 }
                if !inner.isEmpty && inner.allSatisfy({ "hms".contains($0) }) { time = true }
                i = j
            default: plain.append(c)
            }
            i += 1
        }
        chars = plain
        for c in chars {
            switch c {
            case "y", "d": date = true
            case "h", "s": time = true
            case "m": month = true
            default: break
            }
        }
        if month && !time { date = true }
        if date && time { return .dateTime }
        if date { return .date }
        if time { return .time }
        return nil
    }

    // MARK: The sheet

    private func readSheet(_ bytes: [UInt8], part: String, strings: [String], dateStyles: [DateKind?], date1904: Bool) throws(XLSXReadError) -> [[String]] {
        var s = XMLScanner(bytes, part: part)
        var rows: [Int: [String]] = [:]
        var maxRow = 0, maxCol = -1
        var rowNumber = 0
        var nextCol = 0
        // The cell being read.
        var ref = "", type = "n", style = 0, col = 0
        var value: String? = nil, inlineText = "", hasInline = false
        var inCell = false, inV = false, inIS = false, inT = false, inPhonetic = false
        var cellCount = 0
        let maxCells = options.maxCells
        // The row being filled, kept out of `rows` so that a cell is added in place (no copy).
        var current: [String] = [], currentNumber = 0
        func flush() {
            if !current.isEmpty { rows[currentNumber] = current }
            current = []
        }
        while true {
            let t = try s.next()
            switch t {
            case .eof:
                flush()
                return try Self.assemble(rows, maxRow: maxRow, maxCol: maxCol, limit: maxCells)
            case let .start(name, empty):
                switch name {
                case "row":
                    if let r = s.attribute("r") {
                        guard let n = Int(r), n >= 1, n <= 1_048_576 else { throw .badCellReference(part: part, r) }
                        rowNumber = n
                    } else {
                        guard rowNumber < 1_048_576 else { throw .badCellReference(part: part, "row \(rowNumber + 1)") }
                        rowNumber += 1
                    }
                    nextCol = 0
                case "c":
                    ref = s.attribute("r") ?? ""
                    if !ref.isEmpty {
                        guard let (c, r) = Self.parseReference(ref) else { throw .badCellReference(part: part, ref) }
                        rowNumber = r
                        col = c
                    } else {
                        if rowNumber == 0 { rowNumber = 1 }
                        guard nextCol < 16_384 else { throw .badCellReference(part: part, XLSXReader.columnName(nextCol) + String(rowNumber)) }
                        col = nextCol
                        ref = XLSXReader.columnName(col) + String(rowNumber)
                    }
                    nextCol = col + 1
                    type = s.attribute("t") ?? "n"
                    style = s.attribute("s").flatMap { Int($0) } ?? 0
                    value = nil
                    inlineText = ""
                    hasInline = false
                    inCell = !empty
                    if empty { continue }
                case "v" where inCell:
                    inV = !empty
                    if value == nil { value = "" }
                case "is" where inCell:
                    inIS = !empty
                    hasInline = true
                case "t" where inIS:
                    inT = !empty
                case "rPh" where inIS:
                    inPhonetic = !empty
                default:
                    break
                }
            case let .end(name):
                switch name {
                case "c" where inCell:
                    inCell = false
                    let text = try cellText(type: type, style: style, value: value, inline: hasInline ? inlineText : nil, strings: strings,
                                            dateStyles: dateStyles, date1904: date1904, part: part, ref: ref)
                    guard !text.isEmpty else { continue }
                    cellCount += 1
                    if cellCount > maxCells { throw .tooManyCells(limit: maxCells) }
                    if rowNumber != currentNumber {
                        flush()
                        currentNumber = rowNumber
                        current = rows.removeValue(forKey: rowNumber) ?? []
                    }
                    if current.count <= col {
                        // The table will be at least this large: refuse before growing it.
                        guard (max(col, maxCol) + 1) * max(rowNumber, maxRow) <= maxCells else { throw .tooManyCells(limit: maxCells) }
                        current.append(contentsOf: repeatElement("", count: col + 1 - current.count))
                    }
                    current[col] = text
                    maxRow = max(maxRow, rowNumber)
                    maxCol = max(maxCol, col)
                case "v": inV = false
                case "is": inIS = false
                case "t": inT = false
                case "rPh": inPhonetic = false
                default: break
                }
            case let .text(text):
                if inV { value = (value ?? "") + text }
                else if inIS && inT && !inPhonetic { inlineText += text }
            }
        }
    }

    /// Rows 1…maxRow, each `maxCol + 1` wide.
    private static func assemble(_ rows: [Int: [String]], maxRow: Int, maxCol: Int, limit: Int) throws(XLSXReadError) -> [[String]] {
        guard maxRow > 0 else { return [] }
        let width = maxCol + 1
        guard maxRow.multipliedReportingOverflow(by: width).partialValue <= limit else { throw .tooManyCells(limit: limit) }
        var out: [[String]] = []
        out.reserveCapacity(maxRow)
        for r in 1...maxRow {
            var row = rows[r] ?? []
            if row.count < width { row.append(contentsOf: repeatElement("", count: width - row.count)) }
            out.append(row)
        }
        return out
    }

    private func cellText(type: String, style: Int, value: String?, inline: String?, strings: [String], dateStyles: [DateKind?],
                          date1904: Bool, part: String, ref: String) throws(XLSXReadError) -> String {
        switch type {
        case "s":
            guard let v = value?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return "" }
            guard let i = Int(v), i >= 0, i < strings.count else {
                throw .badCell(part: part, cell: ref, "indeks teks bersama '\(v)' tidak ada (shared string index out of range)")
            }
            return strings[i]
        case "inlineStr":
            return Self.unescapeOOXML(inline ?? value ?? "")
        case "str":
            return Self.unescapeOOXML(value ?? "")
        case "b":
            guard let v = value?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return "" }
            return v == "1" || v.lowercased() == "true" ? "TRUE" : "FALSE"
        case "e":
            return value ?? ""
        case "d":
            guard let v = value?.trimmingCharacters(in: .whitespaces) else { return "" }
            return Self.isoDateCell(v)
        default:  // "n"
            guard let v = value?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return "" }
            guard let d = Double(v), d.isFinite else { throw .badCell(part: part, cell: ref, "bukan angka '\(v)' (not a number)") }
            if style >= 0, style < dateStyles.count, let kind = dateStyles[style], let text = Self.serialText(d, kind: kind, date1904: date1904) {
                return text
            }
            return Self.general(d)
        }
    }

    /// A number as Excel's General format shows it: 15 significant digits, no trailing zeros.
    static func general(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        var s = String(format: "%.15G", d)
        if s.contains("E") {
            // 1.50000000000000E+20 → 1.5E+20
            let parts = s.split(separator: "E", maxSplits: 1)
            var mantissa = String(parts[0])
            if mantissa.contains(".") {
                while mantissa.hasSuffix("0") { mantissa.removeLast() }
                if mantissa.hasSuffix(".") { mantissa.removeLast() }
            }
            s = mantissa + "E" + parts[1]
        } else if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// A serial date as ISO text; nil when it is outside 0…2958465 (9999-12-31), left as a number.
    static func serialText(_ serial: Double, kind: DateKind, date1904: Bool) -> String? {
        guard serial >= 0, serial < 2_958_466 else { return nil }
        var days = Int(serial.rounded(.down))
        var seconds = Int(((serial - Double(days)) * 86_400).rounded())
        if seconds >= 86_400 { days += 1; seconds -= 86_400 }
        let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60)
        let time = String(format: "%02d:%02d:%02d", h, m, s)
        if kind == .time && days == 0 { return time }
        // Days since 1970-01-01.
        let epochDays: Int
        if date1904 {
            epochDays = days + civilDays(1904, 1, 1)
        } else if days < 61 {
            // Excel counts a 29 February 1900 that never was: serials before it are a day later.
            epochDays = days + civilDays(1899, 12, 31)
        } else {
            epochDays = days + civilDays(1899, 12, 30)
        }
        let (y, mo, d) = civil(fromDays: epochDays)
        let date = String(format: "%04d-%02d-%02d", y, mo, d)
        return kind == .date && seconds == 0 ? date : date + " " + time
    }

    /// `2024-03-05T10:00:00Z`-style cell text (type `d`) as `yyyy-MM-dd[ HH:mm:ss]`.
    static func isoDateCell(_ v: String) -> String {
        var t = v.replacingOccurrences(of: "T", with: " ")
        if t.hasSuffix("Z") { t.removeLast() }
        if let dot = t.firstIndex(of: "."), t.distance(from: t.startIndex, to: dot) >= 19 { t = String(t[..<dot]) }
        if t.hasSuffix(" 00:00:00") { t = String(t.dropLast(9)) }
        return t
    }

    static func civilDays(_ y: Int, _ m: Int, _ d: Int) -> Int { CivilTime.daysFromCivil(year: y, month: m, day: d) }

    static func civil(fromDays z: Int) -> (Int, Int, Int) {
        let c = CivilTime.civilFromDays(z)
        return (c.year, c.month, c.day)
    }

    /// `A1` → (column 0, row 1); `XFD1048576` is the largest. `$` signs are allowed.
    static func parseReference(_ ref: String) -> (Int, Int)? {
        var col = 0, row = 0, letters = 0, digits = 0
        for u in ref.utf8 {
            switch u {
            case 0x24: continue
            case 0x41...0x5A, 0x61...0x7A:
                guard digits == 0, letters < 3 else { return nil }
                col = col * 26 + Int((u | 0x20) - 0x61) + 1
                letters += 1
            case 0x30...0x39:
                guard letters > 0, digits < 7 else { return nil }
                row = row * 10 + Int(u - 0x30)
                digits += 1
            default:
                return nil
            }
        }
        guard letters > 0, digits > 0, col <= 16_384, row >= 1, row <= 1_048_576 else { return nil }
        return (col - 1, row)
    }

    /// Column letters: 0 → A, 26 → AA.
    static func columnName(_ index: Int) -> String {
        var n = index + 1
        var s: [UInt8] = []
        while n > 0 {
            s.append(UInt8(65 + (n - 1) % 26))
            n = (n - 1) / 26
        }
        return String(decoding: s.reversed(), as: UTF8.self)
    }

    /// OOXML's `_xHHHH_` escapes (characters XML cannot hold) decoded; `_x005F_` is `_`.
    static func unescapeOOXML(_ s: String) -> String {
        guard s.contains("_x") else { return s }
        let u = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < u.count {
            if u[i] == "_", i + 6 < u.count, u[i + 1] == "x", u[i + 6] == "_",
               u[(i + 2)...(i + 5)].allSatisfy({ $0.properties.isASCIIHexDigit }),
               let v = UInt32(String(String.UnicodeScalarView(u[(i + 2)...(i + 5)])), radix: 16), let scalar = Unicode.Scalar(v) {
                out.append(scalar)
                i += 7
            } else {
                out.append(u[i])
                i += 1
            }
        }
        return String(out)
    }
}
