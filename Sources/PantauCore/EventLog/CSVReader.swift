import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which CSV columns hold which event property.
///
/// A `nil` property is found from the header by common names (case-insensitive, surrounding
/// spaces ignored), first match wins:
/// - case: `case:concept:name`, `case id`, `case_id`, `caseid`, `case`, `id kasus`
/// - activity: `concept:name`, `activity`, `activity name`, `activity_name`, `aktivitas`, `kegiatan`
/// - timestamp (completion): `time:timestamp`, `timestamp`, `complete timestamp`, `complete_timestamp`,
///   `end timestamp`, `end_timestamp`, `end time`, `end_time`, `completed`, `waktu selesai`, `time`
/// - start timestamp: `start_timestamp`, `start timestamp`, `start time`, `start_time`, `waktu mulai`
/// - resource: `org:resource`, `resource`, `user`, `pelaksana`, `petugas`
/// - unit: `org:group`, `unit`, `unit kerja`, `unit_kerja`, `department`
/// - lifecycle: `lifecycle:transition`, `lifecycle`, `transition`
///
/// A property given by name must exist, otherwise reading fails with
/// ``EventLogError/missingColumn(name:available:at:)``; case and activity are always required.
/// Remaining columns become case attributes when their name starts with `case:` (or they are
/// listed in ``caseAttributes``; the value of a case's first row is kept) and event attributes
/// otherwise.
public struct CSVColumnMapping: Hashable, Sendable {
    public var caseID: String?
    public var activity: String?
    public var timestamp: String?
    public var startTimestamp: String?
    public var resource: String?
    public var unit: String?
    public var lifecycle: String?
    /// Columns read as case attributes; nil means "columns whose name starts with `case:`".
    public var caseAttributes: [String]?
    /// Columns not read at all (also stops them being detected as a property).
    public var ignored: [String]

    public init(caseID: String? = nil, activity: String? = nil, timestamp: String? = nil,
                startTimestamp: String? = nil, resource: String? = nil, unit: String? = nil,
                lifecycle: String? = nil, caseAttributes: [String]? = nil, ignored: [String] = []) {
        self.caseID = caseID
        self.activity = activity
        self.timestamp = timestamp
        self.startTimestamp = startTimestamp
        self.resource = resource
        self.unit = unit
        self.lifecycle = lifecycle
        self.caseAttributes = caseAttributes
        self.ignored = ignored
    }

    /// Every property detected from the header.
    public static var automatic: CSVColumnMapping { CSVColumnMapping() }

    static let candidates: [Role: [String]] = [
        .caseID: ["case:concept:name", "case id", "case_id", "caseid", "case", "id kasus"],
        .activity: ["concept:name", "activity", "activity name", "activity_name", "aktivitas", "kegiatan"],
        .timestamp: ["time:timestamp", "timestamp", "complete timestamp", "complete_timestamp", "end timestamp",
                     "end_timestamp", "end time", "end_time", "completed", "waktu selesai", "time"],
        .startTimestamp: ["start_timestamp", "start timestamp", "start time", "start_time", "waktu mulai"],
        .resource: ["org:resource", "resource", "user", "pelaksana", "petugas"],
        .unit: ["org:group", "unit", "unit kerja", "unit_kerja", "department"],
        .lifecycle: ["lifecycle:transition", "lifecycle", "transition"],
    ]

    enum Role: Hashable, Sendable {
        case caseID, activity, timestamp, startTimestamp, resource, unit, lifecycle
    }

    func given(_ r: Role) -> String? {
        switch r {
        case .caseID: return caseID
        case .activity: return activity
        case .timestamp: return timestamp
        case .startTimestamp: return startTimestamp
        case .resource: return resource
        case .unit: return unit
        case .lifecycle: return lifecycle
        }
    }
}

/// Reads event logs from CSV (RFC 4180 style), plain or gzip-compressed (`.csv.gz`, detected from
/// the first bytes).
///
/// - The first record is the header. The delimiter is `,`, `;`, tab or `|`, detected from the
///   header (the most frequent one outside quotes) unless given.
/// - Fields may be quoted with `"`; a quote inside is doubled (`""`); quoted fields may span
///   lines. Line ends are `\n` or `\r\n`. Blank lines are skipped. A UTF-8 byte order mark is skipped.
/// - Timestamps are parsed with ``TimestampParser`` (``Options/timestampFormat``; values without
///   offset are in ``Options/defaultTimeZone``, UTC by default). An empty timestamp is a missing
///   timestamp; an empty case id or activity is an error.
/// - Events are grouped by case (cases in order of first appearance) and sorted by completion
///   time inside each case, ties and missing timestamps (last) in row order — PM4Py's
///   `format_dataframe` order.
///
/// Errors name the line (1-based, counting the header as line 1) and the field (1-based column).
public struct CSVReader: Sendable {
    public struct Options: Hashable, Sendable {
        public var mapping: CSVColumnMapping
        /// Field separator; nil = detect from the header.
        public var delimiter: UInt8?
        public var timestampFormat: TimestampFormat
        public var defaultTimeZone: TimeZone
        public var lifecycle: LifecycleHandling
        public var ordering: EventLog.Builder.EventOrdering
        /// Keep columns that are not mapped to a property, as attributes.
        public var keepOtherColumns: Bool
        /// A gzip-compressed input may expand to at most this many bytes (a "zip bomb" is refused
        /// with ``EventLogError/decompressedTooLarge(limit:at:)``).
        public var maxDecompressedBytes: Int = EventLog.defaultMaxDecompressedBytes

        public init(mapping: CSVColumnMapping = .automatic, delimiter: UInt8? = nil,
                    timestampFormat: TimestampFormat = .automatic,
                    defaultTimeZone: TimeZone = TimeZone(identifier: "UTC")!,
                    lifecycle: LifecycleHandling = .completeOnly,
                    ordering: EventLog.Builder.EventOrdering = .byCompleteTime,
                    keepOtherColumns: Bool = true) {
            self.mapping = mapping
            self.delimiter = delimiter
            self.timestampFormat = timestampFormat
            self.defaultTimeZone = defaultTimeZone
            self.lifecycle = lifecycle
            self.ordering = ordering
            self.keepOtherColumns = keepOtherColumns
        }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    /// Reads the CSV file at `url` (`.csv` or gzip-compressed `.csv.gz`).
    /// - Throws: ``EventLogError`` with file, line and field.
    /// - Complexity: O(file size + E log k) for cases of at most k events.
    public func read(contentsOf url: URL) throws -> EventLog {
        do {
            return try read(source: try ByteSources.open(path: url.path, maxDecompressedBytes: options.maxDecompressedBytes))
        } catch let e as EventLogError {
            throw e.with(file: url.lastPathComponent)
        }
    }

    /// Reads CSV from memory (plain or gzip).
    public func read(data: Data) throws -> EventLog {
        try read(source: try ByteSources.open(data: data, maxDecompressedBytes: options.maxDecompressedBytes))
    }

    /// Reads CSV text.
    public func read(string: String) throws -> EventLog {
        try read(data: Data(string.utf8))
    }

    func read(source: any ByteSource) throws -> EventLog {
        var parser = CSVParser(options: options)
        try ByteSources.stream(source) { bytes, atEnd in
            try parser.scan(bytes, atEnd: atEnd)
        }
        return try parser.finish()
    }
}

/// The streaming CSV parser: consumes whole records, hands back an incomplete last one.
struct CSVParser {
    let options: CSVReader.Options
    var builder: EventLog.Builder
    private let dates: TimestampParser
    private var delimiter: UInt8 = UInt8(ascii: ",")
    private var header: [String]? = nil
    private var line = 1  // line number of the next record
    private var started = false

    // field ranges of the current record (reused)
    private var fields = CSVFieldStore(capacity: 64)
    private var fieldCount = 0

    // column roles
    private enum ColumnRole {
        case caseID, activity, timestamp, start, resource, unit, lifecycle, caseAttribute(Int), eventAttribute(Int), ignore
    }
    private var roles: [ColumnRole] = []
    private var caseColumn = 0
    private var lastCaseBytes: [UInt8] = []
    private var lastCase: Int32 = -1
    private var rows = 0

    // streaming (``EventChunkReader``): the line of each appended row, and rows skipped
    /// The line of each row appended to `builder` (only when not nil: the chunk reader asks).
    var rowLines: [Int]? = nil
    /// Rows the reader cannot read (a missing value, an unreadable timestamp, a wrong number of
    /// fields) are recorded in `skippedRows` and left out instead of stopping the reading.
    var skipBadRows = false
    var skippedRows: [EventLogError] = []
    /// Whether the header has been read.
    var hasHeader: Bool { header != nil }

    init(options: CSVReader.Options) {
        self.options = options
        self.builder = EventLog.Builder(options: .init(ordering: options.ordering, lifecycle: options.lifecycle))
        self.dates = TimestampParser(format: options.timestampFormat, defaultTimeZone: options.defaultTimeZone)
        if let d = options.delimiter { delimiter = d }
    }

    private func loc(_ column: Int) -> InputLocation { InputLocation(line: line, column: column) }

    /// Consumes complete records of `p`; returns the bytes consumed.
    mutating func scan(_ p: UnsafeRawBufferPointer, atEnd: Bool) throws -> Int {
        var i = 0
        if !started {
            if p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { i = 3 }
            if options.delimiter == nil {
                // detect from the header line; needs the whole line
                guard let d = CSVParser.detectDelimiter(p, from: i, atEnd: atEnd) else { return 0 }
                delimiter = d
            }
            started = true
        }
        while i < p.count {
            guard let next = try record(p, from: i, atEnd: atEnd) else { break }
            i = next
        }
        return i
    }

    /// The most frequent of `,` `;` tab `|` outside quotes in the first line; nil when the first
    /// line is not complete yet.
    static func detectDelimiter(_ p: UnsafeRawBufferPointer, from: Int, atEnd: Bool) -> UInt8? {
        let cands: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, UInt8(ascii: "|")]
        var counts = [0, 0, 0, 0]
        var inQuote = false
        var i = from
        var complete = false
        while i < p.count {
            let b = p[i]
            if b == UInt8(ascii: "\"") { inQuote.toggle() } else if !inQuote {
                if b == 0x0A { complete = true; break }
                if let k = cands.firstIndex(of: b) { counts[k] += 1 }
            }
            i += 1
        }
        if !complete && !atEnd { return nil }
        var best = 0
        for k in 1..<4 where counts[k] > counts[best] { best = k }
        return cands[best]
    }

    /// Parses one record at `from`. Returns the index after it, or nil when the record is cut off
    /// by the end of the block (and more input follows).
    private mutating func record(_ p: UnsafeRawBufferPointer, from: Int, atEnd: Bool) throws -> Int? {
        let n = p.count
        let base = p.baseAddress!
        let d = delimiter
        fieldCount = 0
        var i = from
        var newlines = 0
        while true {
            // one field
            if i < n && p[i] == UInt8(ascii: "\"") {
                let s = i + 1
                var j = s
                while true {
                    guard let q = memchr(base + j, 0x22, n - j) else {
                        if atEnd { throw EventLogError.unterminatedQuote(at: loc(fieldCount + 1)) }
                        return nil
                    }
                    let qi = UnsafeRawPointer(q) - base
                    // count line breaks inside the quoted part
                    var k = j
                    while k < qi {
                        if let nl = memchr(base + k, 0x0A, qi - k) {
                            newlines += 1
                            k = (UnsafeRawPointer(nl) - base) + 1
                        } else { break }
                    }
                    if qi + 1 < n && p[qi + 1] == UInt8(ascii: "\"") {
                        j = qi + 2
                        continue
                    }
                    if qi + 1 >= n && !atEnd { return nil }
                    addField(s, qi, true)
                    i = qi + 1
                    break
                }
                // after the closing quote: delimiter, line end or end of input
                if i < n && p[i] == UInt8(ascii: "\r") { i += 1 }
                if i >= n {
                    if !atEnd { return nil }
                    break
                }
                if p[i] == d { i += 1; continue }
                if p[i] == 0x0A { i += 1; break }
                throw EventLogError.malformedCSV(message: "unexpected character after closing quote",
                                                 at: InputLocation(line: line + newlines, column: fieldCount))
            } else {
                let s = i
                while i < n {
                    let b = p[i]
                    if b == d || b == 0x0A { break }
                    i += 1
                }
                if i >= n && !atEnd { return nil }
                var e = i
                if e > s && p[e - 1] == UInt8(ascii: "\r") { e -= 1 }
                addField(s, e, false)
                if i >= n { break }
                if p[i] == d { i += 1; continue }
                i += 1  // newline
                break
            }
        }
        let recordLine = line
        line += 1 + newlines
        // blank line
        if fieldCount == 1 && fields.end[0] == fields.start[0] && !fields.quoted[0] { return i }
        let saved = line
        line = recordLine
        defer { line = saved }
        if header == nil {
            try setHeader(p)
        } else if skipBadRows {
            try rowSkippingBadOnes(p)
        } else {
            try row(p)
        }
        return i
    }

    @inline(__always)
    private mutating func addField(_ s: Int, _ e: Int, _ quoted: Bool) {
        if fieldCount == fields.capacity { fields = fields.grown() }
        fields.start[fieldCount] = s
        fields.end[fieldCount] = e
        fields.quoted[fieldCount] = quoted
        fieldCount += 1
    }

    private func fieldString(_ p: UnsafeRawBufferPointer, _ k: Int) -> String {
        CSVParser.withField(p, fields.start[k], fields.end[k], fields.quoted[k]) { String(decoding: $0, as: UTF8.self) }
    }

    /// The bytes of a field, with doubled quotes undone for quoted fields.
    @inline(__always)
    static func withField<R>(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int, _ quoted: Bool,
                             _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let raw = UnsafeRawBufferPointer(rebasing: p[s..<e])
        guard quoted, let b = raw.baseAddress, memchr(b, 0x22, raw.count) != nil else { return try body(raw) }
        var tmp: [UInt8] = []
        tmp.reserveCapacity(raw.count)
        var k = 0
        while k < raw.count {
            tmp.append(raw[k])
            k += raw[k] == UInt8(ascii: "\"") && k + 1 < raw.count && raw[k + 1] == UInt8(ascii: "\"") ? 2 : 1
        }
        return try tmp.withUnsafeBytes { try body($0) }
    }

    private mutating func setHeader(_ p: UnsafeRawBufferPointer) throws {
        let names = (0..<fieldCount).map { fieldString(p, $0).trimmingCharacters(in: .whitespaces) }
        header = names
        let lower = names.map { $0.lowercased() }
        let m = options.mapping
        let ignored = Set(m.ignored.map { $0.lowercased() })
        var roleOf = [ColumnRole?](repeating: nil, count: names.count)
        for (k, l) in lower.enumerated() where ignored.contains(l) { roleOf[k] = .ignore }
        let order: [(CSVColumnMapping.Role, ColumnRole, Bool)] = [
            (.caseID, .caseID, true), (.activity, .activity, true), (.timestamp, .timestamp, false),
            (.startTimestamp, .start, false), (.resource, .resource, false), (.unit, .unit, false),
            (.lifecycle, .lifecycle, false),
        ]
        for (r, role, required) in order {
            if let name = m.given(r) {
                guard let k = lower.firstIndex(of: name.lowercased()), roleOf[k] == nil else {
                    throw EventLogError.missingColumn(name: name, available: names, at: loc(1))
                }
                roleOf[k] = role
            } else {
                var found = false
                for c in CSVColumnMapping.candidates[r] ?? [] {
                    if let k = lower.firstIndex(of: c), roleOf[k] == nil {
                        roleOf[k] = role
                        found = true
                        break
                    }
                }
                if required && !found {
                    let want = r == .caseID ? "case id (e.g. case:concept:name)" : "activity (e.g. concept:name)"
                    throw EventLogError.missingColumn(name: want, available: names, at: loc(1))
                }
            }
        }
        let caseAttrs = m.caseAttributes.map { Set($0.map { $0.lowercased() }) }
        roles = []
        for (k, name) in names.enumerated() {
            if let r = roleOf[k] {
                roles.append(r)
                if case .caseID = r { caseColumn = k }
                continue
            }
            guard options.keepOtherColumns else { roles.append(.ignore); continue }
            let isCase = caseAttrs.map { $0.contains(lower[k]) } ?? lower[k].hasPrefix("case:")
            if isCase {
                let key = caseAttrs == nil ? String(name.dropFirst(5)) : name
                roles.append(.caseAttribute(builder.caseColumn(key, type: .string)))
            } else {
                roles.append(.eventAttribute(builder.eventColumn(name, type: .string)))
            }
        }
    }

    /// `row(p)`, but a row the reader cannot read is recorded in `skippedRows` and whatever it
    /// added to the attribute columns is taken back.
    private mutating func rowSkippingBadOnes(_ p: UnsafeRawBufferPointer) throws {
        let eventMarks = builder.eventColumns.map(\.rows.count)
        let caseMarks = builder.caseColumns.map(\.rows.count)
        do {
            try row(p)
        } catch let e as EventLogError {
            switch e {
            case .missingValue, .invalidTimestamp, .wrongFieldCount: break
            default: throw e
            }
            for (k, n) in eventMarks.enumerated() { builder.eventColumns[k].truncate(to: n) }
            for (k, n) in caseMarks.enumerated() { builder.caseColumns[k].truncate(to: n) }
            skippedRows.append(e)
        }
    }

    private mutating func row(_ p: UnsafeRawBufferPointer) throws {
        guard fieldCount == roles.count else {
            throw EventLogError.wrongFieldCount(expected: roles.count, found: fieldCount, at: loc(min(fieldCount, roles.count) + 1))
        }
        rows += 1
        if builder.eventCount >= Int(Int32.max) { throw EventLogError.tooLarge(message: "more than \(Int32.max) events") }
        // case
        let cs = fields.start[caseColumn], ce = fields.end[caseColumn]
        guard ce > cs else { throw EventLogError.missingValue(field: header?[caseColumn] ?? "case", at: loc(caseColumn + 1)) }
        var isNewCase = false
        let c: Int32
        let sameAsLast = ce - cs == lastCaseBytes.count && lastCaseBytes.withUnsafeBytes { lb in
            memcmp(lb.baseAddress!, p.baseAddress! + cs, ce - cs) == 0
        }
        if sameAsLast && lastCase >= 0 {
            c = lastCase
        } else {
            let before = builder.caseTable.count
            c = CSVParser.withField(p, cs, ce, fields.quoted[caseColumn]) { builder.caseIndex(bytes: $0) }
            isNewCase = builder.caseTable.count > before
            lastCase = c
            lastCaseBytes.removeAll(keepingCapacity: true)
            lastCaseBytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[cs..<ce]))
        }
        var activity: Int32 = -1
        var complete = Double.nan, start = Double.nan
        var resource: Int32 = -1, unit: Int32 = -1
        var lifecycle: UInt8 = 0
        let row = Int32(truncatingIfNeeded: builder.eventCount)
        for k in 0..<roles.count {
            let s = fields.start[k], e = fields.end[k]
            let q = fields.quoted[k]
            switch roles[k] {
            case .caseID, .ignore:
                continue
            case .activity:
                guard e > s else { throw EventLogError.missingValue(field: header?[k] ?? "activity", at: loc(k + 1)) }
                activity = CSVParser.withField(p, s, e, q) { builder.activityTable.intern($0) }
            case .timestamp, .start:
                guard e > s else { continue }
                guard let t = CSVParser.withField(p, s, e, q, { dates.parse($0) }) else {
                    throw EventLogError.invalidTimestamp(value: fieldString(p, k), field: header?[k] ?? "", at: loc(k + 1))
                }
                if case .timestamp = roles[k] { complete = t } else { start = t }
            case .resource:
                if e > s { resource = CSVParser.withField(p, s, e, q) { builder.resourceTable.intern($0) } }
            case .unit:
                if e > s { unit = CSVParser.withField(p, s, e, q) { builder.unitTable.intern($0) } }
            case .lifecycle:
                lifecycle = CSVParser.withField(p, s, e, q) { EventLog.Builder.lifecycleCode($0) }
                if options.lifecycle == .keepAll && e > s {
                    let v = fieldString(p, k)
                    builder.addEventAttribute(row: row, key: header?[k] ?? "lifecycle:transition", type: .string, value: v)
                }
            case let .caseAttribute(col):
                if isNewCase && e > s {
                    CSVParser.withField(p, s, e, q) { builder.caseColumns[col].append(row: c, value: $0) }
                }
            case let .eventAttribute(col):
                if e > s {
                    CSVParser.withField(p, s, e, q) { builder.eventColumns[col].append(row: row, value: $0) }
                }
            }
        }
        rowLines?.append(line)
        builder.appendRaw(case: c, activity: activity, complete: complete, start: start, resource: resource,
                          unit: unit, lifecycle: lifecycle, instance: -1)
    }

    mutating func finish() throws -> EventLog {
        if header == nil { throw EventLogError.emptyInput(at: InputLocation(line: 1, column: 1)) }
        return builder.build()
    }
}

/// Field boundaries of the current CSV record in fixed buffers (no per-field array bookkeeping).
final class CSVFieldStore {
    let capacity: Int
    let start: UnsafeMutablePointer<Int>
    let end: UnsafeMutablePointer<Int>
    let quoted: UnsafeMutablePointer<Bool>

    init(capacity: Int) {
        self.capacity = capacity
        start = .allocate(capacity: capacity)
        end = .allocate(capacity: capacity)
        quoted = .allocate(capacity: capacity)
    }

    deinit {
        start.deallocate()
        end.deallocate()
        quoted.deallocate()
    }

    /// A store of twice the capacity with the same contents.
    func grown() -> CSVFieldStore {
        let g = CSVFieldStore(capacity: capacity * 2)
        g.start.update(from: start, count: capacity)
        g.end.update(from: end, count: capacity)
        g.quoted.update(from: quoted, count: capacity)
        return g
    }
}
