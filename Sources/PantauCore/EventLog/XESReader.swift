import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads XES (IEEE 1849) event logs, plain or gzip-compressed (detected from the first bytes).
///
/// The reader streams the input in 4 MiB blocks through a byte-level XML scanner specialised for
/// XES, so memory stays proportional to the log, not the file. It reads:
/// - one case per `<trace>` (its `concept:name` is the case id; a trace without one gets
///   `trace-N`, N its 1-based position; traces with the same name are merged into one case, as
///   PM4Py's data frame does; a trace without events is left out);
/// - per `<event>`: activity (`concept:name`), completion time (`time:timestamp`), start time
///   (`start_timestamp`), resource (`org:resource`), unit (`org:group`), lifecycle
///   (`lifecycle:transition`, see ``LifecycleHandling``), and every other attribute as text;
/// - attributes of any XES type (`string`, `date`, `int`, `float`, `boolean`, `id`); nested
///   attributes, `<list>` and `<container>` contents are skipped; `<global>`, `<extension>` and
///   `<classifier>` are skipped (global defaults are not applied: a missing lifecycle counts as
///   `complete`, a missing timestamp stays missing);
/// - XML declarations, comments, CDATA and DOCTYPE are skipped; the predefined entities
///   (`&amp;` `&lt;` `&gt;` `&quot;` `&apos;`) and character references (`&#39;`, `&#x27;`) in
///   attribute values are decoded.
///
/// Events keep file order inside each trace. Malformed input (unclosed or mismatched tags, an
/// event without `concept:name`, an unparseable date, truncated gzip) throws ``EventLogError``
/// with line and column.
public struct XESReader: Sendable {
    /// What the reader extracts and how.
    public struct Options: Hashable, Sendable {
        public var lifecycle: LifecycleHandling
        /// Zone of dates written without offset (XES dates normally have one).
        public var defaultTimeZone: TimeZone
        public var activityKey: String
        public var timestampKey: String
        public var startTimestampKey: String
        public var resourceKey: String
        public var unitKey: String
        /// Keep attributes other than the ones above (false saves memory and time).
        public var keepOtherAttributes: Bool
        /// A gzip-compressed input may expand to at most this many bytes (a "zip bomb" is refused
        /// with ``EventLogError/decompressedTooLarge(limit:at:)``).
        public var maxDecompressedBytes: Int = EventLog.defaultMaxDecompressedBytes

        public init(lifecycle: LifecycleHandling = .completeOnly,
                    defaultTimeZone: TimeZone = TimeZone(identifier: "UTC")!,
                    activityKey: String = "concept:name", timestampKey: String = "time:timestamp",
                    startTimestampKey: String = "start_timestamp", resourceKey: String = "org:resource",
                    unitKey: String = "org:group", keepOtherAttributes: Bool = true) {
            self.lifecycle = lifecycle
            self.defaultTimeZone = defaultTimeZone
            self.activityKey = activityKey
            self.timestampKey = timestampKey
            self.startTimestampKey = startTimestampKey
            self.resourceKey = resourceKey
            self.unitKey = unitKey
            self.keepOtherAttributes = keepOtherAttributes
        }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    /// Reads the XES file at `url` (`.xes` or gzip-compressed `.xes.gz`).
    /// - Throws: ``EventLogError`` with file, line and column.
    /// - Complexity: O(file size).
    public func read(contentsOf url: URL) throws -> EventLog {
        let path = url.path
        do {
            let limit = options.maxDecompressedBytes
            return try read { try ByteSources.open(path: path, maxDecompressedBytes: limit) }
        } catch let e as EventLogError {
            throw e.with(file: url.lastPathComponent)
        }
    }

    /// Reads XES from memory (plain or gzip).
    public func read(data: Data) throws -> EventLog {
        try read { try ByteSources.open(data: data, maxDecompressedBytes: options.maxDecompressedBytes) }
    }

    /// Reads from the source `open()` gives; on an error whose place is a byte offset, reads the
    /// input again up to it to find its line and column.
    func read(_ open: () throws -> any ByteSource) throws -> EventLog {
        var parser = XESParser(options: options)
        do {
            try ByteSources.stream(try open()) { bytes, atEnd in
                try parser.scan(bytes, atEnd: atEnd)
            }
        } catch let e as EventLogError {
            guard let at = e.location, at.line == -1 else { throw e }
            let resolved = (try? ByteSources.lineAndColumn(ofOffset: at.column, in: try open()))
                ?? InputLocation(line: 0, column: 0)
            throw e.with(location: resolved)
        }
        return parser.builder.build()
    }
}

/// The element names XES uses.
private enum XESElement: UInt8 {
    case log, trace, event, attribute, global, ignored, root
}

/// The streaming XES scanner. `scan` consumes whole markup items and returns how far it got; an
/// item cut by the end of a block is handed again with the next block.
struct XESParser {
    var builder: EventLog.Builder
    let options: XESReader.Options
    private let dates: TimestampParser
    private var keys = StringTable()
    private var keyColumn: [Int] = []  // key id -> event column (-1 = not yet)
    private var stack: [XESElement] = [.root]
    private var stackHash: [UInt64] = [0]
    private var sawLog = false
    private var logClosed = false
    private var offsetBefore = 0
    /// The byte offset of each `<event>` begun (only when not nil: the chunk reader asks, to give
    /// each event its line).
    var eventOffsets: [Int]? = nil

    // trace state
    private var traceCase: Int32 = -1
    private var traceStartRow = 0
    private var traceOrdinal = 0
    private var traceHasUnassigned = false
    private var pendingCaseAttributes: [(key: String, type: AttributeType, value: String)] = []

    // event state
    private var evActivity: Int32 = -1
    private var evComplete = Double.nan
    private var evStart = Double.nan
    private var evResource: Int32 = -1
    private var evUnit: Int32 = -1
    private var evLifecycle: UInt8 = 0
    private var evInstance: Int32 = -1

    // known key ids (interned first, so fixed)
    private static let kActivity: Int32 = 0, kTimestamp: Int32 = 1, kStart: Int32 = 2, kResource: Int32 = 3,
                       kUnit: Int32 = 4, kLifecycle: Int32 = 5, kInstance: Int32 = 6

    init(options: XESReader.Options) {
        self.options = options
        self.builder = EventLog.Builder(options: .init(ordering: .asAppended, lifecycle: options.lifecycle))
        self.dates = TimestampParser(format: .automatic, defaultTimeZone: options.defaultTimeZone)
        for k in [options.activityKey, options.timestampKey, options.startTimestampKey, options.resourceKey,
                  options.unitKey, "lifecycle:transition", "concept:instance"] {
            // duplicate option keys would shift the ids; the later ones then simply never match
            _ = keys.intern(k)
        }
        while keyColumn.count < keys.count { keyColumn.append(-1) }
    }

    // MARK: streaming

    /// Bytes consumed by `scan` so far (the absolute offset of the next block).
    var bytesConsumed: Int { offsetBefore }

    /// The first row of the trace being read, nil between traces: its rows may still change case
    /// (a trace named after its events) and get case attributes, so the chunk reader holds them.
    var openTraceStartRow: Int? { stack.contains(.trace) ? traceStartRow : nil }

    /// The builder's first `count` rows were taken out (by the chunk reader).
    mutating func rowsTaken(_ count: Int) { traceStartRow = max(0, traceStartRow - count) }

    // MARK: locations

    /// The location of byte `pos` of the current block. Line numbers are not counted while
    /// scanning (that would cost a pass over every byte); the location holds the absolute byte
    /// offset (line -1) and ``XESReader`` turns it into line and column by reading the input again.
    private func location(_ p: UnsafeRawBufferPointer, _ pos: Int) -> InputLocation {
        InputLocation(line: -1, column: offsetBefore + pos)
    }

    private func malformed(_ msg: String, _ p: UnsafeRawBufferPointer, _ pos: Int) -> EventLogError {
        .malformedXML(message: msg, at: location(p, pos))
    }

    // MARK: scanning

    /// Consumes complete markup from `p`; returns the number of bytes consumed.
    mutating func scan(_ p: UnsafeRawBufferPointer, atEnd: Bool) throws -> Int {
        let n = p.count
        guard p.baseAddress != nil else {
            if atEnd { try finish(p, 0) }
            return 0
        }
        var i = 0
        // skip a UTF-8 byte order mark at the very start
        if offsetBefore == 0 && !sawLog && n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { i = 3 }
        var consumed = i
        scanLoop: while i < n {
            // text between tags (whitespace in XES) is skipped
            var s = i
            while s < n && p[s] != 0x3C { s += 1 }
            if s == n {
                i = n
                consumed = n
                break
            }
            if s + 1 >= n { break scanLoop }
            let c1 = p[s + 1]
            if c1 == UInt8(ascii: "?") {
                guard let e = find2(p, from: s + 2, UInt8(ascii: "?"), UInt8(ascii: ">")) else { break scanLoop }
                i = e + 2
            } else if c1 == UInt8(ascii: "!") {
                if s + 9 > n && !atEnd { break scanLoop }
                if hasPrefix(p, s, "<!--") {
                    guard let e = find3(p, from: s + 4, "-->") else { break scanLoop }
                    i = e + 3
                } else if hasPrefix(p, s, "<![CDATA[") {
                    guard let e = find3(p, from: s + 9, "]]>") else { break scanLoop }
                    i = e + 3
                } else {
                    // DOCTYPE or another declaration; an internal subset [...] may contain '>'
                    var j = s + 2
                    var depth = 0
                    var found = -1
                    while j < n {
                        let b = p[j]
                        if b == UInt8(ascii: "[") { depth += 1 } else if b == UInt8(ascii: "]") { depth -= 1 } else if b == UInt8(ascii: ">") && depth <= 0 { found = j; break }
                        j += 1
                    }
                    if found < 0 { break scanLoop }
                    i = found + 1
                }
            } else if c1 == UInt8(ascii: "/") {
                var gt = s + 2
                while gt < n && p[gt] != 0x3E { gt += 1 }
                if gt >= n { break scanLoop }
                var ne = gt
                while ne > s + 2 && isSpace(p[ne - 1]) { ne -= 1 }
                try endTag(UnsafeRawBufferPointer(rebasing: p[(s + 2)..<ne]), p, s)
                i = gt + 1
            } else {
                guard let next = try startTag(p, s) else { break scanLoop }
                i = next
            }
            consumed = i
        }
        if atEnd && consumed < n {
            // something is cut off at the end of the input
            throw malformed("unexpected end of input inside markup", p, consumed)
        }
        if atEnd { try finish(p, consumed) }
        offsetBefore += consumed
        return consumed
    }

    private func finish(_ p: UnsafeRawBufferPointer, _ pos: Int) throws {
        if !sawLog {
            if p.isEmpty && offsetBefore == 0 { throw EventLogError.emptyInput(at: InputLocation(line: 0, column: 0)) }
            throw EventLogError.notXES(message: "no <log> element", at: location(p, pos))
        }
        if stack.count > 1 {
            let open: String
            switch stack.last! {
            case .log: open = "log"
            case .trace: open = "trace"
            case .event: open = "event"
            default: open = "element"
            }
            throw malformed("unexpected end of input: <\(open)> is not closed", p, pos)
        }
    }

    private func hasPrefix(_ p: UnsafeRawBufferPointer, _ s: Int, _ lit: StaticString) -> Bool {
        let m = lit.utf8CodeUnitCount
        guard s + m <= p.count else { return false }
        let q = lit.utf8Start
        for k in 0..<m where p[s + k] != q[k] { return false }
        return true
    }

    private func find2(_ p: UnsafeRawBufferPointer, from: Int, _ a: UInt8, _ b: UInt8) -> Int? {
        var j = from
        while j + 1 < p.count {
            if p[j] == a && p[j + 1] == b { return j }
            j += 1
        }
        return nil
    }

    private func find3(_ p: UnsafeRawBufferPointer, from: Int, _ lit: StaticString) -> Int? {
        let q = lit.utf8Start
        var j = from
        while j + 2 < p.count {
            if p[j] == q[0] && p[j + 1] == q[1] && p[j + 2] == q[2] { return j }
            j += 1
        }
        return nil
    }

    // MARK: tags

    private static func nameHash(_ name: UnsafeRawBufferPointer) -> UInt64 { StringTable.hash(name) }

    /// Classifies an element name (namespace prefix ignored).
    private static func classify(_ full: UnsafeRawBufferPointer) -> (XESElement, AttributeType?) {
        var name = full
        var k = full.count - 1
        while k >= 0 && full[k] != UInt8(ascii: ":") { k -= 1 }
        if k >= 0 { name = UnsafeRawBufferPointer(rebasing: full[(k + 1)...]) }
        func eq(_ w: StaticString) -> Bool {
            guard name.count == w.utf8CodeUnitCount else { return false }
            let q = w.utf8Start
            for k in 0..<name.count where name[k] != q[k] { return false }
            return true
        }
        switch name.count {
        case 2: if eq("id") { return (.attribute, .id) }
        case 3:
            if eq("log") { return (.log, nil) }
            if eq("int") { return (.attribute, .int) }
        case 4:
            if eq("date") { return (.attribute, .date) }
            if eq("list") { return (.attribute, nil) }
        case 5:
            if eq("trace") { return (.trace, nil) }
            if eq("event") { return (.event, nil) }
            if eq("float") { return (.attribute, .float) }
        case 6:
            if eq("string") { return (.attribute, .string) }
            if eq("global") { return (.global, nil) }
        case 7:
            if eq("boolean") { return (.attribute, .boolean) }
        case 9:
            if eq("container") { return (.attribute, nil) }
        default: break
        }
        return (.ignored, nil)
    }

    /// Parses a start tag at `s` (`p[s] == '<'`). Returns the index after it, or nil when the tag
    /// is cut off by the end of the block.
    private mutating func startTag(_ p: UnsafeRawBufferPointer, _ s: Int) throws -> Int? {
        let n = p.count
        var j = s + 1
        while j < n {
            let b = p[j]
            if isSpace(b) || b == UInt8(ascii: "/") || b == UInt8(ascii: ">") { break }
            j += 1
        }
        if j >= n { return nil }
        let nameRange = (s + 1)..<j
        if nameRange.isEmpty { throw malformed("empty element name", p, s) }
        var keyR: Range<Int>? = nil, valueR: Range<Int>? = nil
        var selfClosing = false
        // attributes
        while true {
            while j < n && isSpace(p[j]) { j += 1 }
            if j >= n { return nil }
            let b = p[j]
            if b == UInt8(ascii: ">") { j += 1; break }
            if b == UInt8(ascii: "/") {
                if j + 1 >= n { return nil }
                guard p[j + 1] == UInt8(ascii: ">") else { throw malformed("expected '>' after '/'", p, j) }
                selfClosing = true
                j += 2
                break
            }
            let an = j
            while j < n {
                let c = p[j]
                if c == UInt8(ascii: "=") || isSpace(c) || c == UInt8(ascii: ">") || c == UInt8(ascii: "/") { break }
                j += 1
            }
            let attrName = an..<j
            while j < n && isSpace(p[j]) { j += 1 }
            if j >= n { return nil }
            guard p[j] == UInt8(ascii: "="), !attrName.isEmpty else {
                throw malformed("expected name=\"value\" in tag", p, j)
            }
            j += 1
            while j < n && isSpace(p[j]) { j += 1 }
            if j >= n { return nil }
            let q = p[j]
            guard q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") else {
                throw malformed("attribute value must be quoted", p, j)
            }
            var ce = j + 1
            while ce < n && p[ce] != q { ce += 1 }
            if ce >= n { return nil }
            let vr = (j + 1)..<ce
            let len = attrName.count
            if len == 3 && p[an] == UInt8(ascii: "k") && p[an + 1] == UInt8(ascii: "e") && p[an + 2] == UInt8(ascii: "y") {
                keyR = vr
            } else if len == 5 && p[an] == UInt8(ascii: "v") && p[an + 1] == UInt8(ascii: "a") && p[an + 2] == UInt8(ascii: "l")
                        && p[an + 3] == UInt8(ascii: "u") && p[an + 4] == UInt8(ascii: "e") {
                valueR = vr
            }
            j = ce + 1
        }
        let name = UnsafeRawBufferPointer(rebasing: p[nameRange])
        let (kind, type) = XESParser.classify(name)
        let top = stack[stack.count - 1]
        var pushed: XESElement = .ignored
        switch top {
        case .root:
            guard kind == .log else {
                throw EventLogError.notXES(message: "root element is <\(String(decoding: name, as: UTF8.self))>, not <log>", at: location(p, s))
            }
            if sawLog { throw malformed("second <log> element", p, s) }
            sawLog = true
            pushed = .log
        case .log:
            switch kind {
            case .trace:
                beginTrace()
                pushed = .trace
            case .attribute:
                if type != nil, let keyR, let valueR {
                    let key = String(decoding: UnsafeRawBufferPointer(rebasing: p[keyR]), as: UTF8.self)
                    if builder.logAttributes[key] == nil {
                        builder.logAttributes[key] = decodeString(p, valueR)
                    }
                }
            default: break
            }
        case .trace:
            switch kind {
            case .event:
                beginEvent()
                eventOffsets?.append(offsetBefore + s)
                pushed = .event
            case .attribute:
                if let type, let keyR, let valueR { try traceAttribute(p, keyR, valueR, type) }
            case .trace:
                throw malformed("<trace> inside <trace>", p, s)
            default: break
            }
        case .event:
            if kind == .attribute, let type, let keyR, let valueR {
                try eventAttribute(p, keyR, valueR, type, at: s)
            } else if kind == .event || kind == .trace {
                throw malformed("<\(String(decoding: name, as: UTF8.self))> inside <event>", p, s)
            }
        default:
            break
        }
        if selfClosing {
            if pushed == .event { try endEvent(p, s) }
            if pushed == .trace { endTrace() }
            if pushed == .log { logClosed = true }
        } else {
            stack.append(pushed)
            stackHash.append(XESParser.nameHash(name))
        }
        return j
    }

    private mutating func endTag(_ name: UnsafeRawBufferPointer, _ p: UnsafeRawBufferPointer, _ s: Int) throws {
        guard stack.count > 1 else {
            throw malformed("closing tag </\(String(decoding: name, as: UTF8.self))> without opening tag", p, s)
        }
        guard stackHash[stackHash.count - 1] == XESParser.nameHash(name) else {
            throw malformed("mismatched closing tag </\(String(decoding: name, as: UTF8.self))>", p, s)
        }
        let kind = stack.removeLast()
        stackHash.removeLast()
        switch kind {
        case .event: try endEvent(p, s)
        case .trace: endTrace()
        case .log: logClosed = true
        default: break
        }
    }

    // MARK: values

    /// The bytes of an attribute value with entities decoded (into a temporary buffer when needed).
    @inline(__always)
    static func withValue<R>(_ p: UnsafeRawBufferPointer, _ r: Range<Int>,
                             _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let raw = UnsafeRawBufferPointer(rebasing: p[r])
        var amp = false
        for b in raw where b == 0x26 { amp = true; break }
        guard amp else { return try body(raw) }
        var tmp: [UInt8] = []
        tmp.reserveCapacity(raw.count)
        decodeEntities(raw, into: &tmp)
        return try tmp.withUnsafeBytes { try body($0) }
    }

    private func decodeString(_ p: UnsafeRawBufferPointer, _ r: Range<Int>) -> String {
        XESParser.withValue(p, r) { String(decoding: $0, as: UTF8.self) }
    }

    static func decodeEntities(_ raw: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var i = 0
        let n = raw.count
        while i < n {
            let b = raw[i]
            guard b == UInt8(ascii: "&") else { out.append(b); i += 1; continue }
            var e = i + 1
            while e < n && e - i <= 12 && raw[e] != UInt8(ascii: ";") { e += 1 }
            guard e < n && raw[e] == UInt8(ascii: ";") else { out.append(b); i += 1; continue }
            let ent = String(decoding: UnsafeRawBufferPointer(rebasing: raw[(i + 1)..<e]), as: UTF8.self)
            var scalar: UInt32? = nil
            switch ent {
            case "amp": scalar = 0x26
            case "lt": scalar = 0x3C
            case "gt": scalar = 0x3E
            case "quot": scalar = 0x22
            case "apos": scalar = 0x27
            default:
                if ent.hasPrefix("#x") || ent.hasPrefix("#X") {
                    scalar = UInt32(ent.dropFirst(2), radix: 16)
                } else if ent.hasPrefix("#") {
                    scalar = UInt32(ent.dropFirst(), radix: 10)
                }
            }
            if let s = scalar, let u = Unicode.Scalar(s) {
                out.append(contentsOf: Array(String(Character(u)).utf8))
                i = e + 1
            } else {
                out.append(b)
                i += 1
            }
        }
    }

    // MARK: attribute keys

    private struct KeyCacheEntry {
        var length: Int
        var w0: UInt64
        var w1: UInt64
        var id: Int32
    }
    private var keyCache: [KeyCacheEntry] = []

    /// The id of an attribute key. Keys of 8 to 16 bytes (most XES keys) are matched against a
    /// small cache by length and two overlapping 8-byte words, without hashing.
    @inline(__always)
    private mutating func keyID(_ k: UnsafeRawBufferPointer) -> Int32 {
        let n = k.count
        guard n >= 8 && n <= 16, let b = k.baseAddress else { return keys.intern(k) }
        let w0 = b.loadUnaligned(as: UInt64.self)
        let w1 = b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        for e in keyCache where e.length == n && e.w0 == w0 && e.w1 == w1 { return e.id }
        let id = keys.intern(k)
        if keyCache.count < 32 { keyCache.append(KeyCacheEntry(length: n, w0: w0, w1: w1, id: id)) }
        return id
    }

    // MARK: trace and event state

    private mutating func beginTrace() {
        traceOrdinal += 1
        traceCase = -1
        traceStartRow = builder.eventCount
        traceHasUnassigned = false
        pendingCaseAttributes.removeAll(keepingCapacity: true)
    }

    private mutating func endTrace() {
        if traceCase < 0 {
            let hasEvents = builder.eventCount > traceStartRow
            guard hasEvents else {
                builder.emptyCasesSkipped += 1
                return
            }
            traceCase = builder.caseIndex("trace-\(traceOrdinal)")
        }
        if traceHasUnassigned {
            builder.assignCase(traceCase, rows: traceStartRow ..< builder.eventCount)
        }
        for a in pendingCaseAttributes {
            builder.addCaseAttribute(case: traceCase, key: a.key, type: a.type, value: a.value)
        }
        pendingCaseAttributes.removeAll(keepingCapacity: true)
    }

    private mutating func traceAttribute(_ p: UnsafeRawBufferPointer, _ keyR: Range<Int>, _ valueR: Range<Int>,
                                         _ type: AttributeType) throws {
        let key = keyID(UnsafeRawBufferPointer(rebasing: p[keyR]))
        if key == XESParser.kActivity && traceCase < 0 {
            traceCase = XESParser.withValue(p, valueR) { builder.caseIndex(bytes: $0) }
            return
        }
        let keyName = keys.strings[Int(key)]
        let value = decodeString(p, valueR)
        if traceCase >= 0 {
            builder.addCaseAttribute(case: traceCase, key: keyName, type: type, value: value)
        } else {
            pendingCaseAttributes.append((keyName, type, value))
        }
    }

    private mutating func beginEvent() {
        evActivity = -1
        evComplete = .nan
        evStart = .nan
        evResource = -1
        evUnit = -1
        evLifecycle = 0
        evInstance = -1
    }

    private mutating func eventAttribute(_ p: UnsafeRawBufferPointer, _ keyR: Range<Int>, _ valueR: Range<Int>,
                                         _ type: AttributeType, at pos: Int) throws {
        let key = keyID(UnsafeRawBufferPointer(rebasing: p[keyR]))
        switch key {
        case XESParser.kActivity:
            evActivity = XESParser.withValue(p, valueR) { builder.activityTable.intern($0) }
            return
        case XESParser.kTimestamp, XESParser.kStart:
            let t = XESParser.withValue(p, valueR) { dates.parse($0) }
            guard let t else {
                throw EventLogError.invalidTimestamp(value: decodeString(p, valueR), field: keys.strings[Int(key)],
                                                     at: location(p, valueR.lowerBound))
            }
            if key == XESParser.kTimestamp { evComplete = t } else { evStart = t }
            return
        case XESParser.kResource:
            evResource = XESParser.withValue(p, valueR) { builder.resourceTable.intern($0) }
            return
        case XESParser.kUnit:
            evUnit = XESParser.withValue(p, valueR) { builder.unitTable.intern($0) }
            return
        case XESParser.kLifecycle:
            evLifecycle = XESParser.withValue(p, valueR) { EventLog.Builder.lifecycleCode($0) }
            if options.lifecycle == .completeOnly { return }
        case XESParser.kInstance:
            evInstance = XESParser.withValue(p, valueR) { builder.instanceTable.intern($0) }
        default:
            break
        }
        guard options.keepOtherAttributes || key == XESParser.kLifecycle else { return }
        while keyColumn.count < keys.count { keyColumn.append(-1) }
        var col = keyColumn[Int(key)]
        if col < 0 {
            col = builder.eventColumn(keys.strings[Int(key)], type: type)
            keyColumn[Int(key)] = col
        }
        let row = Int32(truncatingIfNeeded: builder.eventCount)
        XESParser.withValue(p, valueR) { builder.eventColumns[col].append(row: row, value: $0) }
    }

    private mutating func endEvent(_ p: UnsafeRawBufferPointer, _ pos: Int) throws {
        guard evActivity >= 0 else {
            throw EventLogError.missingValue(field: options.activityKey, at: location(p, pos))
        }
        if traceCase < 0 { traceHasUnassigned = true }
        if builder.eventCount >= Int(Int32.max) { throw EventLogError.tooLarge(message: "more than \(Int32.max) events") }
        builder.appendRaw(case: traceCase, activity: evActivity, complete: evComplete, start: evStart,
                          resource: evResource, unit: evUnit, lifecycle: evLifecycle, instance: evInstance)
    }
}
