import Foundation

/// One problem in a paper-survey CSV file: where (row, line, column), the value, and what is wrong.
public struct SurveyCSVIssue: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Problem: String, Hashable, Sendable, Codable {
        case notUTF8, emptyFile, unterminatedQuote
        case noUnsurColumn, unknownColumn, duplicateColumn
        case tooFewFields, tooManyFields
        case scoreNotInRange
        case unknownGender, unknownEducation, unknownOccupation, unknownServiceType
        /// A profile value that names two or more choices (``SurveyCSVIssue/accepted`` lists them).
        case ambiguousEducation, ambiguousOccupation, ambiguousServiceType
        case invalidDate, invalidTime, invalidAge
        case noAnswer, tooLong
    }

    /// Record number as a spreadsheet shows it: the header is row 1, the first data row is row 2.
    public var row: Int
    /// Physical line where the record starts (differs from ``row`` after quoted multi-line fields).
    public var line: Int
    /// Column header as written in the file (empty when the problem is not about one column).
    public var column: String
    /// The offending value (empty when not applicable).
    public var value: String
    public var problem: Problem
    /// For an unknown profile value: the survey's list (the values accepted); for an ambiguous one:
    /// the choices it names. Empty otherwise.
    public var accepted: [ProfileChoice]

    public init(row: Int, line: Int, column: String, value: String, problem: Problem, accepted: [ProfileChoice] = []) {
        self.row = row
        self.line = line
        self.column = column
        self.value = value
        self.problem = problem
        self.accepted = accepted
    }

    private enum CodingKeys: String, CodingKey { case row, line, column, value, problem, accepted }

    /// Reads reports stored before ``accepted`` existed too.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        row = try c.decode(Int.self, forKey: .row)
        line = try c.decode(Int.self, forKey: .line)
        column = try c.decode(String.self, forKey: .column)
        value = try c.decode(String.self, forKey: .value)
        problem = try c.decode(Problem.self, forKey: .problem)
        accepted = try c.decodeIfPresent([ProfileChoice].self, forKey: .accepted) ?? []
    }

    /// The accepted values as `code (label)` in `language`, the label only where it differs from the code.
    public func acceptedValues(_ language: SurveyLanguage) -> [String] { ProfileChoiceAliases.acceptedValues(accepted, language) }

    /// Bilingual explanation of ``problem``.
    public var message: String {
        switch problem {
        case .notUTF8: return "berkas bukan UTF-8 (file is not UTF-8)"
        case .emptyFile: return "berkas kosong (empty file)"
        case .unterminatedQuote: return "tanda petik tidak ditutup (unterminated quote)"
        case .noUnsurColumn: return "tidak ada kolom unsur (no unsur column in the header)"
        case .unknownColumn: return "kolom tidak dikenal (unknown column)"
        case .duplicateColumn: return "kolom ganda (duplicate column)"
        case .tooFewFields: return "jumlah kolom kurang (too few fields)"
        case .tooManyFields: return "jumlah kolom lebih (too many fields)"
        case .scoreNotInRange: return "nilai harus 1, 2, 3 atau 4 (score must be 1–4)"
        case .unknownGender: return "jenis kelamin harus L atau P (gender must be L or P)"
        case .unknownEducation: return "pendidikan tidak dikenal (unknown education level)"
        case .unknownOccupation: return "pekerjaan tidak dikenal (unknown occupation)"
        case .unknownServiceType: return "jenis layanan tidak dikenal (unknown service type)"
        case .ambiguousEducation: return "pendidikan menunjuk lebih dari satu pilihan (education value names several choices)"
        case .ambiguousOccupation: return "pekerjaan menunjuk lebih dari satu pilihan (occupation value names several choices)"
        case .ambiguousServiceType: return "jenis layanan menunjuk lebih dari satu pilihan (service type names several choices)"
        case .invalidDate: return "tanggal tidak valid, gunakan YYYY-MM-DD atau DD/MM/YYYY (invalid date)"
        case .invalidTime: return "jam tidak valid, gunakan HH:MM (invalid time)"
        case .invalidAge: return "usia harus bilangan bulat 1–130 (age must be a whole number 1–130)"
        case .noAnswer: return "tidak ada unsur yang dijawab (no unsur answered)"
        case .tooLong: return "teks terlalu panjang (text too long)"
        }
    }

    public var description: String {
        let col = column.isEmpty ? "" : ", kolom '\(column)'"
        let val = value.isEmpty ? "" : ", nilai '\(value)'"
        let ok = accepted.isEmpty ? "" : "; diterima (accepted): " + acceptedValues(.indonesian).joined(separator: ", ")
        return "baris \(row) (line \(line))\(col)\(val): \(message)\(ok)"
    }
}

/// A data row left out of an import, with every problem found in it.
public struct SurveyCSVSkippedRow: Hashable, Sendable, Codable {
    public var row: Int
    public var line: Int
    public var issues: [SurveyCSVIssue]
}

/// What an import produced.
public struct SurveyCSVImport: Hashable, Sendable {
    /// Parsed responses, in file order.
    public var responses: [SurveyResponse]
    /// The row number (header = 1) of each response.
    public var sourceRows: [Int]
    /// Rows left out (only with ``SurveyCSVImporter/Options/skipInvalidRows``).
    public var skipped: [SurveyCSVSkippedRow]
    /// Completely empty rows, ignored.
    public var blankRows: Int
    /// The delimiter used.
    public var delimiter: SurveyCSVImporter.Delimiter
    /// Header names of the columns left out (unknown columns with ``SurveyCSVImporter/Options/allowUnknownColumns``),
    /// as the file writes them.
    public var ignoredColumns: [String] = []
}

/// Reads paper questionnaires typed into a spreadsheet and saved as CSV.
///
/// Layout (RFC 4180; UTF-8, a byte-order mark is ignored; comma, semicolon or tab delimiter,
/// detected from the header line unless set). The first row is the header; column names are
/// matched case-insensitively, spaces and `-` read as `_`; columns may come in any order and all
/// are optional except that at least one unsur column must be present:
///
/// | column | content |
/// |---|---|
/// | an unsur code of the definition (`persyaratan`, `prosedur`, `waktu`, `biaya`, `produk`, `kompetensi`, `perilaku`, `sarana`, `pengaduan`, or a unit's own code) | score 1–4; empty = unanswered |
/// | `u1` … `u9` | the standard unsur by sample-questionnaire number (U8 = sarana, U9 = pengaduan) |
/// | `jenis_kelamin` | `L` / `P` (also Laki-laki / Perempuan) |
/// | `pendidikan` | a code or label of the definition's list (default SD, SMP, SMA, S1, S2, S3) |
/// | `pekerjaan` | a code or label (default PNS, TNI, POLRI, SWASTA, WIRAUSAHA, LAINNYA) |
/// | `pekerjaan_lainnya` | free text for "Lainnya (sebutkan)" |
/// | `jenis_layanan` | the definition's service-type code, or free text if it has no list |
/// | `usia` (or `umur`) | whole years 1–130 |
/// | `tanggal` | `YYYY-MM-DD`, `DD/MM/YYYY` or `DD-MM-YYYY` |
/// | `jam` | `HH:MM` |
/// | `saran` | free text |
/// | `referensi_kasus` | case reference (e.g. the permit number) |
/// | `no_formulir` | the form's number, kept as the response id |
/// | `id` | the form's number when there is no `no_formulir` column (in the app's raw-response export `id` is the stored id: ignored) |
/// | `kanal`, `waktu_kirim` | written by the raw-response export; ignored |
///
/// The names are ``SurveyCSVColumn``'s, shared with the export and the import template. Each row
/// is checked with ``SurveyResponse/validate(against:)`` (the validator of every entry point);
/// its problems are reported at the column they come from.
/// Every problem is collected with its row, column and value. By default any bad row rejects the
/// file (``SurveyError/csvRejected(_:)`` listing all of them); with ``Options/skipInvalidRows`` the
/// good rows are returned and the bad ones reported in ``SurveyCSVImport/skipped``.
///
/// - Complexity: O(bytes + rows × columns).
public struct SurveyCSVImporter: Sendable {
    public enum Delimiter: String, Hashable, Sendable, Codable, CaseIterable {
        case comma = ","
        case semicolon = ";"
        case tab = "\t"

        var byte: UInt8 { rawValue.utf8.first ?? 0x2C }
    }

    public struct Options: Hashable, Sendable {
        /// Nil: detect from the header line.
        public var delimiter: Delimiter?
        /// Return good rows and report bad ones instead of rejecting the file.
        public var skipInvalidRows: Bool
        /// Ignore columns that are not in the layout (default: report them as errors, since a
        /// misspelt unsur column would otherwise be dropped silently).
        public var allowUnknownColumns: Bool

        public init(delimiter: Delimiter? = nil, skipInvalidRows: Bool = false, allowUnknownColumns: Bool = false) {
            self.delimiter = delimiter
            self.skipInvalidRows = skipInvalidRows
            self.allowUnknownColumns = allowUnknownColumns
        }
    }

    public var definition: SurveyDefinition
    public var options: Options

    public init(definition: SurveyDefinition, options: Options = Options()) {
        self.definition = definition
        self.options = options
    }

    private enum Field: Hashable {
        case unsur(UnsurCode), gender, education, occupation, occupationDetail, serviceType, age
        case date, time, saran, caseReference, formNumber, id, ignored
        /// Not in the layout (allowed only with ``Options/allowUnknownColumns``).
        case unknown
    }

    /// Parses CSV bytes (UTF-8, optional BOM).
    /// - Throws: ``SurveyError/csvRejected(_:)``.
    public func parse(_ data: Data) throws(SurveyError) -> SurveyCSVImport {
        guard let text = String(data: data, encoding: .utf8) else {
            throw .csvRejected([SurveyCSVIssue(row: 1, line: 1, column: "", value: "", problem: .notUTF8)])
        }
        return try parse(text)
    }

    /// Parses CSV text.
    /// - Throws: ``SurveyError/csvRejected(_:)`` with the header problem, or all row problems when
    ///   ``Options/skipInvalidRows`` is off.
    public func parse(_ text: String) throws(SurveyError) -> SurveyCSVImport {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let delimiter = options.delimiter ?? Self.detectDelimiter(bytes)
        let records: [CSVRecord]
        do { records = try CSVRecord.split(bytes, delimiter: delimiter.byte) } catch {
            throw .csvRejected([SurveyCSVIssue(row: error.row, line: error.line, column: "", value: "", problem: .unterminatedQuote)])
        }
        guard let header = records.first, !(header.fields.count == 1 && header.fields[0].isEmpty) else {
            throw .csvRejected([SurveyCSVIssue(row: 1, line: 1, column: "", value: "", problem: .emptyFile)])
        }
        let columns = try mapHeader(header.fields)

        var out = SurveyCSVImport(responses: [], sourceRows: [], skipped: [], blankRows: 0, delimiter: delimiter)
        out.ignoredColumns = zip(header.fields, columns).compactMap { name, field in
            field == .unknown && !name.trimmingCharacters(in: .whitespaces).isEmpty ? name : nil
        }
        var allIssues: [SurveyCSVIssue] = []
        for (i, rec) in records.enumerated().dropFirst() {
            let row = i + 1
            if rec.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                out.blankRows += 1
                continue
            }
            let (response, issues) = parseRow(rec, row: row, header: header.fields, columns: columns)
            if issues.isEmpty, let response {
                out.responses.append(response)
                out.sourceRows.append(row)
            } else {
                allIssues += issues
                out.skipped.append(SurveyCSVSkippedRow(row: row, line: rec.line, issues: issues))
            }
        }
        if !options.skipInvalidRows && !allIssues.isEmpty { throw .csvRejected(allIssues) }
        return out
    }

    private func mapHeader(_ names: [String]) throws(SurveyError) -> [Field] {
        let codes = Set(definition.unsurCodes)
        var issues: [SurveyCSVIssue] = []
        var fields: [Field] = []
        var seen: Set<Field> = []
        for name in names {
            let key = name.trimmingCharacters(in: .whitespaces).lowercased()
                .replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
            var f: Field?
            if codes.contains(UnsurCode(key)) {
                f = .unsur(UnsurCode(key))
            } else if key.count >= 2, key.first == "u", let n = Int(key.dropFirst()), (1...9).contains(n),
                      codes.contains(SurveyUnsur.questionnaireOrder[n - 1]) {
                f = .unsur(SurveyUnsur.questionnaireOrder[n - 1])
            } else if let column = SurveyCSVColumn(reading: key) {
                switch column {
                case .gender: f = .gender
                case .education: f = .education
                case .occupation: f = .occupation
                case .occupationDetail: f = .occupationDetail
                case .serviceType: f = .serviceType
                case .age: f = .age
                case .date: f = .date
                case .time: f = .time
                case .saran: f = .saran
                case .caseReference: f = .caseReference
                case .formNumber: f = .formNumber
                case .id: f = .id
                case .channel, .submittedAt: f = .ignored
                }
            }
            guard let field = f else {
                if !options.allowUnknownColumns {
                    issues.append(SurveyCSVIssue(row: 1, line: 1, column: name, value: "", problem: .unknownColumn))
                }
                fields.append(.unknown)
                continue
            }
            if field != .ignored, !seen.insert(field).inserted {
                issues.append(SurveyCSVIssue(row: 1, line: 1, column: name, value: "", problem: .duplicateColumn))
            }
            fields.append(field)
        }
        if !fields.contains(where: { if case .unsur = $0 { return true } else { return false } }) {
            issues.append(SurveyCSVIssue(row: 1, line: 1, column: "", value: "", problem: .noUnsurColumn))
        }
        if !issues.isEmpty { throw .csvRejected(issues) }
        return fields
    }

    private func parseRow(_ rec: CSVRecord, row: Int, header: [String], columns: [Field]) -> (SurveyResponse?, [SurveyCSVIssue]) {
        var issues: [SurveyCSVIssue] = []
        func issue(_ col: Int, _ value: String, _ p: SurveyCSVIssue.Problem, accepted: [ProfileChoice] = []) {
            issues.append(SurveyCSVIssue(row: row, line: rec.line, column: col < header.count ? header[col] : "", value: value, problem: p,
                                         accepted: accepted))
        }
        /// The code a profile value names (code, label or alias), or nil with the problem reported
        /// with the survey's list (unknown) or the choices it names (ambiguous).
        func choice(_ v: String, _ kind: ProfileListKind, col: Int, raw: String) -> String? {
            let list = definition.profile.choices(kind)
            switch ProfileChoiceAliases.match(v, in: list, kind: kind) {
            case .matched(let c): return c.code
            case .ambiguous(let cs):
                issue(col, raw, kind == .education ? .ambiguousEducation : kind == .occupation ? .ambiguousOccupation : .ambiguousServiceType,
                      accepted: cs)
            case .unknown:
                issue(col, raw, kind == .education ? .unknownEducation : kind == .occupation ? .unknownOccupation : .unknownServiceType,
                      accepted: list)
            }
            return nil
        }
        if rec.fields.count < columns.count {
            issue(0, "", .tooFewFields)
            return (nil, issues)
        }
        if rec.fields.count > columns.count,
           rec.fields[columns.count...].contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            issue(0, "", .tooManyFields)
            return (nil, issues)
        }
        var r = SurveyResponse(answers: [:])
        // Where each part of the response came from, to report the validator's problems there.
        var source: [SurveyResponseProblem.Field: (col: Int, raw: String)] = [:]
        var badScore = false
        let hasFormNumber = columns.contains(.formNumber)
        for (col, field) in columns.enumerated() {
            let raw = rec.fields[col]
            let v = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if v.isEmpty { continue }
            switch field {
            case .unsur(let code):
                // Whole numbers are the validator's to range-check; anything else is not a score.
                if v.count <= 3, v.allSatisfy({ $0.isASCII && $0.isNumber }), let s = Int(v) {
                    r.answers[code] = s
                    source[.answer(code)] = (col, raw)
                } else {
                    issue(col, raw, .scoreNotInRange)
                    badScore = true
                }
            case .gender:
                if let g = ProfileChoiceAliases.gender(v) { r.profile.gender = g } else {
                    issue(col, raw, .unknownGender, accepted: ProfileChoiceAliases.genderChoices)
                }
            case .education:
                if let code = choice(v, .education, col: col, raw: raw) { r.profile.education = code }
            case .occupation:
                if let code = choice(v, .occupation, col: col, raw: raw) { r.profile.occupation = code }
            case .occupationDetail:
                r.profile.occupationDetail = v
                source[.occupationDetail] = (col, raw)
            case .serviceType:
                if definition.profile.serviceTypes.isEmpty {
                    r.profile.serviceType = v
                    source[.serviceType] = (col, raw)
                } else if let code = choice(v, .serviceType, col: col, raw: raw) {
                    r.profile.serviceType = code
                }
            case .age:
                if v.count <= 3, v.allSatisfy({ $0.isASCII && $0.isNumber }), let a = Int(v) {
                    r.profile.age = a
                    source[.age] = (col, raw)
                } else {
                    issue(col, raw, .invalidAge)
                }
            case .date:
                if let d = Self.parseDate(v) { r.date = d } else { issue(col, raw, .invalidDate) }
            case .time:
                if let t = SurveyTimeOfDay(v) { r.time = t } else { issue(col, raw, .invalidTime) }
            case .saran:
                r.saran = v
                source[.saran] = (col, raw)
            case .caseReference:
                r.caseReference = v
                source[.caseReference] = (col, raw)
            case .formNumber:
                r.id = v
                source[.formNumber] = (col, raw)
            case .id:
                if !hasFormNumber {
                    r.id = v
                    source[.formNumber] = (col, raw)
                }
            case .ignored, .unknown: break
            }
        }
        r = r.normalized(against: definition)
        for p in r.validate(against: definition) {
            let problem: SurveyCSVIssue.Problem
            switch p.code {
            case .unknownUnsur: problem = .unknownColumn
            case .scoreOutOfRange: problem = .scoreNotInRange
            case .noAnswer:
                if badScore { continue }  // already reported at the unreadable scores
                problem = .noAnswer
            case .unknownEducation: problem = .unknownEducation
            case .unknownOccupation: problem = .unknownOccupation
            case .unknownServiceType: problem = .unknownServiceType
            case .ageOutOfRange: problem = .invalidAge
            case .tooLong: problem = .tooLong
            }
            if let s = source[p.field] { issue(s.col, s.raw, problem) } else { issue(columns.count, "", problem) }
        }
        // Report in column order, whichever check found the problem.
        let order = Dictionary(header.indices.map { (header[$0], $0) }, uniquingKeysWith: { a, _ in a })
        let sorted = issues.enumerated().sorted { a, b in
            let x = order[a.element.column] ?? Int.max, y = order[b.element.column] ?? Int.max
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
        return sorted.isEmpty ? (r, []) : (nil, sorted)
    }

    /// `YYYY-MM-DD`, `DD/MM/YYYY`, `DD-MM-YYYY` (day first, as written in Indonesia).
    static func parseDate(_ s: String) -> CivilDate? {
        if let d = CivilDate(s) { return d }
        let parts = s.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." })
        guard parts.count == 3, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 4,
              let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]), (1...12).contains(m),
              d >= 1, d <= CivilDate.daysIn(month: m, year: y)
        else { return nil }
        return CivilDate(year: y, month: m, day: d)
    }

    /// The most frequent of `,` `;` tab on the first line (outside quotes); comma on a tie or none.
    static func detectDelimiter(_ bytes: [UInt8]) -> Delimiter {
        var counts: [Delimiter: Int] = [:]
        var inQuotes = false
        for b in bytes {
            if b == 0x22 { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if b == 0x0A || b == 0x0D { break }
            for d in Delimiter.allCases where d.byte == b { counts[d, default: 0] += 1 }
        }
        let best = Delimiter.allCases.max { (counts[$0] ?? 0) < (counts[$1] ?? 0) } ?? .comma
        return (counts[best] ?? 0) > (counts[.comma] ?? 0) ? best : .comma
    }
}

/// One CSV record (RFC 4180) with the physical line it starts on.
struct CSVRecord {
    var line: Int
    var fields: [String]

    struct UnterminatedQuote: Error {
        var row: Int
        var line: Int
    }

    /// Splits RFC 4180 text: fields separated by `delimiter`, records by CRLF, LF or CR; a field in
    /// double quotes may hold delimiters, line breaks and doubled quotes. A final line break does
    /// not start an empty record.
    static func split(_ bytes: [UInt8], delimiter: UInt8) throws(UnterminatedQuote) -> [CSVRecord] {
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var i = 0
        let n = bytes.count
        var quoted = false
        var atFieldStart = true
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            atFieldStart = true
        }
        func endRecord() {
            endField()
            records.append(CSVRecord(line: recordLine, fields: fields))
            fields.removeAll(keepingCapacity: true)
        }
        while i < n {
            let b = bytes[i]
            if quoted {
                if b == 0x22 {
                    if i + 1 < n && bytes[i + 1] == 0x22 { field.append(0x22); i += 2; continue }
                    quoted = false
                    i += 1
                    continue
                }
                if b == 0x0A || (b == 0x0D && !(i + 1 < n && bytes[i + 1] == 0x0A)) { line += 1 }
                field.append(b)
                i += 1
                continue
            }
            switch b {
            case 0x22 where atFieldStart:
                quoted = true
                atFieldStart = false
                i += 1
            case delimiter:
                endField()
                i += 1
            case 0x0D, 0x0A:
                endRecord()
                if b == 0x0D && i + 1 < n && bytes[i + 1] == 0x0A { i += 1 }
                i += 1
                line += 1
                recordLine = line
            default:
                field.append(b)
                atFieldStart = false
                i += 1
            }
        }
        if quoted { throw UnterminatedQuote(row: records.count + 1, line: recordLine) }
        if !field.isEmpty || !fields.isEmpty || !atFieldStart { endRecord() }
        return records
    }
}
