import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One event of a log read in chunks (``EventChunkReader``): what the whole-log readers would put
/// in an ``EventLog`` for it, plus its 1-based position in its case and the line it starts on.
public struct StreamedEvent: Hashable, Sendable {
    public var caseID: String
    /// 1-based position among the events of its case kept so far (file order; with
    /// ``LifecycleHandling/completeOnly`` only completed events count).
    public var position: Int
    public var activity: String
    /// Completion time, seconds since 1970.
    public var complete: Double?
    /// Start time: the explicit start column/attribute, else a paired `start` event's time.
    public var start: Double?
    public var resource: String?
    public var unit: String?
    /// Every other event attribute, as text (the first value when a key repeats).
    public var attributes: [String: String]
    /// The case's attributes, on the case's first event only (empty on the others).
    public var caseAttributes: [String: String]
    /// 1-based line the event starts on (CSV record, XES `<event>`; for an .xlsx sheet the
    /// spreadsheet row); 0 when not known (events from an ``EventLog`` in memory).
    public var line: Int

    public init(caseID: String, position: Int, activity: String, complete: Double?, start: Double? = nil,
                resource: String? = nil, unit: String? = nil, attributes: [String: String] = [:],
                caseAttributes: [String: String] = [:], line: Int = 0) {
        self.caseID = caseID
        self.position = position
        self.activity = activity
        self.complete = complete
        self.start = start
        self.resource = resource
        self.unit = unit
        self.attributes = attributes
        self.caseAttributes = caseAttributes
        self.line = line
    }
}

/// Events handed out a chunk at a time, never the whole log at once.
public protocol EventChunkSource: AnyObject {
    /// The next events (at most `maxEvents`, at least one), nil at the end.
    /// - Throws: ``EventLogError`` with file, line and column.
    func next(maxEvents: Int) throws -> [StreamedEvent]?
    /// How much of the input has been read, 0 … 1 (of the file's bytes, compressed ones for gzip).
    var fractionRead: Double { get }
    /// Rows left out because they could not be read (only when asked to skip them), so far.
    var unreadableRows: [EventLogError] { get }
}

/// Reads a CSV or XES log (plain or gzip) in chunks of events through a bounded buffer: the same
/// parsers as ``CSVReader`` and ``XESReader`` fill an ``EventLog/Builder`` whose rows are taken out
/// after every block of input, so memory holds one block (256 KiB of input and its events) plus,
/// per distinct case, its id and a counter (and `start` events still waiting for their completion
/// under ``LifecycleHandling/completeOnly``). An XES trace's events are held until `</trace>` (its
/// name and attributes may follow them), so the largest trace counts too.
///
/// The events are exactly those of the whole-log reader with `ordering: .asAppended` (same
/// lifecycle rule, start pairing, attributes and case attributes), in file order rather than
/// grouped by case; ``StreamedEvent/position`` is the event's position in its case.
///
/// ```swift
/// let reader = try CSVReader(options: .init(ordering: .asAppended)).chunks(contentsOf: url)
/// while let chunk = try reader.next(maxEvents: 5_000) { for e in chunk { … } }
/// ```
public final class EventChunkReader: EventChunkSource {
    private var csv: CSVParser?
    private var xes: XESParser?
    private var assembler: EventStreamAssembler
    private let source: any ByteSource
    private let counter: CountingByteSource
    private let reopen: () throws -> any ByteSource
    private let fileName: String?
    private let lineOfRecord: ((Int) -> Int)?
    private let mapError: ((EventLogError) -> EventLogError)?

    private var buffer: UnsafeMutableRawBufferPointer
    private var have = 0
    private var atEnd = false
    private var finished = false
    private var ready: [StreamedEvent] = []
    private var readyStart = 0

    // XES: lines of the events begun (aligned with the builder's rows)
    private var xesLines: [Int] = []
    private var countedOffset = 0
    private var countedLine = 1

    /// The input's size in bytes, when known (a file, or data in memory).
    public let totalBytes: Int?
    /// Bytes of the input read so far (compressed ones for gzip).
    public var bytesRead: Int { counter.count }
    /// Rows (CSV) or `<event>`s (XES) read so far, before the lifecycle rule.
    public private(set) var sourceEvents = 0
    public private(set) var unreadableRows: [EventLogError] = []

    public var fractionRead: Double {
        guard let total = totalBytes, total > 0 else { return finished ? 1 : 0 }
        return finished ? 1 : min(1, Double(counter.count) / Double(total))
    }

    /// Block size of the input buffer (it grows only for a single record or tag larger than it).
    static let blockSize = 1 << 18

    private init(open: @escaping () throws -> (any ByteSource, CountingByteSource), totalBytes: Int?, fileName: String?,
                 csv: CSVParser?, xes: XESParser?, lifecycle: LifecycleHandling,
                 lineOfRecord: ((Int) -> Int)? = nil, mapError: ((EventLogError) -> EventLogError)? = nil) throws {
        let (s, c) = try open()
        source = s
        counter = c
        reopen = { try open().0 }
        self.totalBytes = totalBytes
        self.fileName = fileName
        self.csv = csv
        self.xes = xes
        self.lineOfRecord = lineOfRecord
        self.mapError = mapError
        assembler = EventStreamAssembler(lifecycle: lifecycle)
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.blockSize, alignment: 16)
        self.csv?.rowLines = []
        self.xes?.eventOffsets = []
    }

    deinit { buffer.deallocate() }

    static func csv(options: CSVReader.Options, skipBadRows: Bool, totalBytes: Int?, fileName: String?,
                    lineOfRecord: ((Int) -> Int)? = nil, mapError: ((EventLogError) -> EventLogError)? = nil,
                    open: @escaping () throws -> (any ByteSource, CountingByteSource)) throws -> EventChunkReader {
        var p = CSVParser(options: options)
        p.skipBadRows = skipBadRows
        return try EventChunkReader(open: open, totalBytes: totalBytes, fileName: fileName, csv: p, xes: nil,
                                    lifecycle: options.lifecycle, lineOfRecord: lineOfRecord, mapError: mapError)
    }

    static func xes(options: XESReader.Options, totalBytes: Int?, fileName: String?,
                    open: @escaping () throws -> (any ByteSource, CountingByteSource)) throws -> EventChunkReader {
        try EventChunkReader(open: open, totalBytes: totalBytes, fileName: fileName, csv: nil, xes: XESParser(options: options),
                             lifecycle: options.lifecycle)
    }

    public func next(maxEvents: Int) throws -> [StreamedEvent]? {
        let want = max(1, maxEvents)
        while ready.count - readyStart < want && !finished {
            do {
                try step()
            } catch let e as EventLogError {
                finished = true
                throw resolve(e)
            }
        }
        let available = ready.count - readyStart
        if available == 0 { return nil }
        let take = min(want, available)
        let out = Array(ready[readyStart ..< readyStart + take])
        readyStart += take
        if readyStart == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyStart = 0
        } else if readyStart > 4096 && readyStart * 2 > ready.count {
            ready.removeFirst(readyStart)
            readyStart = 0
        }
        return out
    }

    /// The error with its file and, for XES, line and column found by reading the input again up
    /// to its byte offset (as ``XESReader`` does).
    private func resolve(_ e: EventLogError) -> EventLogError {
        var e = e
        if let at = e.location, at.line == -1 {
            let resolved = (try? ByteSources.lineAndColumn(ofOffset: at.column, in: try reopen())) ?? InputLocation(line: 0, column: 0)
            e = e.with(location: resolved)
        }
        if let mapError { e = mapError(e) }
        return e.with(file: fileName)
    }

    /// Reads one block, parses it and takes the finished rows out of the builder.
    private func step() throws {
        if !atEnd {
            while have < buffer.count {
                let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[have...]))
                if n == 0 { atEnd = true; break }
                have += n
            }
        }
        let block = UnsafeRawBufferPointer(rebasing: buffer[0 ..< have])
        let consumed: Int
        if csv != nil {
            consumed = try csv!.scan(block, atEnd: atEnd)
            let skipped = csv!.skippedRows
            if !skipped.isEmpty {
                csv!.skippedRows.removeAll()
                unreadableRows += skipped.map { e in
                    let mapped = mapError.map { $0(e) } ?? e
                    return mapped.with(file: fileName)
                }
            }
            let k = csv!.builder.eventCount
            var lines = csv!.rowLines ?? []
            csv!.rowLines!.removeAll(keepingCapacity: true)
            if let lineOfRecord { lines = lines.map(lineOfRecord) }
            sourceEvents += k
            assembler.take(&csv!.builder, rows: k, lines: lines, into: &ready)
            if atEnd && !csv!.hasHeader { throw EventLogError.emptyInput(at: InputLocation(line: 1, column: 1)) }
        } else {
            let blockStart = xes!.bytesConsumed
            consumed = try xes!.scan(block, atEnd: atEnd)
            countLines(block, blockStart: blockStart, consumed: consumed)
            let n = xes!.builder.eventCount
            let k = atEnd ? n : (xes!.openTraceStartRow ?? n)
            sourceEvents += k
            let lines = Array(xesLines.prefix(k))
            xesLines.removeFirst(min(k, xesLines.count))
            assembler.take(&xes!.builder, rows: k, lines: lines, into: &ready)
            xes!.rowsTaken(k)
        }
        if atEnd {
            finished = true
            return
        }
        if consumed < have {
            if consumed > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + consumed, byteCount: have - consumed)
            } else if have == buffer.count {
                // one record or tag larger than the buffer: grow
                let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
                grown.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: have)
                buffer.deallocate()
                buffer = grown
            }
        }
        have -= consumed
    }

    /// XES: turns the byte offsets of the events begun in this block into lines, counting line
    /// breaks up to each, then up to the end of what the parser consumed.
    private func countLines(_ p: UnsafeRawBufferPointer, blockStart: Int, consumed: Int) {
        let offsets = xes!.eventOffsets ?? []
        xes!.eventOffsets!.removeAll(keepingCapacity: true)
        func advance(to absolute: Int) {
            var i = countedOffset - blockStart
            let end = min(absolute - blockStart, p.count)
            guard let base = p.baseAddress, i < end else { return }
            while i < end, let nl = memchr(base + i, 0x0A, end - i) {
                countedLine += 1
                i = (UnsafeRawPointer(nl) - base) + 1
            }
            countedOffset = absolute
        }
        for o in offsets {
            advance(to: o)
            xesLines.append(countedLine)
        }
        advance(to: blockStart + consumed)
    }
}

/// Takes finished rows out of a builder and turns them into ``StreamedEvent``s: the lifecycle
/// rule and start pairing of ``EventLog/Builder/build()`` applied case by case as rows arrive,
/// positions counted per case, case attributes put on each case's first event.
struct EventStreamAssembler {
    let lifecycle: LifecycleHandling
    /// Events kept so far per case index (the builder's case table).
    private var positions: [Int32] = []
    /// `start` events waiting for their completion, per case.
    private var pendingStarts: [Int32: [(act: Int32, inst: Int32, time: Double)]] = [:]
    /// Case attributes waiting for the case's first event.
    private var pendingCaseAttributes: [Int32: [String: String]] = [:]

    init(lifecycle: LifecycleHandling) { self.lifecycle = lifecycle }

    private func kept(_ c: Int32) -> Int32 { Int(c) < positions.count ? positions[Int(c)] : 0 }

    /// Moves rows `0..<count` of `b` (and every case attribute collected so far) out of it.
    mutating func take(_ b: inout EventLog.Builder, rows count: Int, lines: [Int], into out: inout [StreamedEvent]) {
        // 1. case attributes (the first value of a key wins; none after the case's first event)
        for ci in b.caseColumns.indices where !b.caseColumns[ci].rows.isEmpty {
            let key = b.caseColumns[ci].key
            let col = b.caseColumns[ci]
            for j in col.rows.indices {
                let c = col.rows[j]
                guard c >= 0, kept(c) == 0, pendingCaseAttributes[c]?[key] == nil else { continue }
                pendingCaseAttributes[c, default: [:]][key] = col.table.strings[Int(col.valueIDs[j])]
            }
            b.caseColumns[ci].keep(fromIndex: col.rows.count, shiftingRowsBy: 0)
        }
        guard count > 0 else { return }
        // 2. event attributes of the rows taken
        var attributes = [[String: String]](repeating: [:], count: count)
        for ci in b.eventColumns.indices where !b.eventColumns[ci].rows.isEmpty {
            let key = b.eventColumns[ci].key
            var split = 0
            do {
                let col = b.eventColumns[ci]
                while split < col.rows.count && Int(col.rows[split]) < count {
                    let r = Int(col.rows[split])
                    if attributes[r][key] == nil { attributes[r][key] = col.table.strings[Int(col.valueIDs[split])] }
                    split += 1
                }
            }
            b.eventColumns[ci].keep(fromIndex: split, shiftingRowsBy: Int32(count))
        }
        // 3. the events
        out.reserveCapacity(out.count + count)
        for r in 0 ..< count {
            let c = b.rowCase[r]
            guard c >= 0 else { continue }
            let act = b.rowActivity[r]
            let time = b.rowComplete[r]
            var start = r < b.rowStart.count ? b.rowStart[r] : .nan
            if lifecycle == .completeOnly {
                let lc = r < b.rowLifecycle.count ? b.rowLifecycle[r] : 0
                let inst = r < b.rowInstance.count ? b.rowInstance[r] : -1
                if lc == 1 {
                    pendingStarts[c, default: []].append((act, inst, time))
                    continue
                }
                if lc == 2 { continue }
                if var waiting = pendingStarts[c], let j = waiting.firstIndex(where: { $0.act == act && $0.inst == inst }) {
                    if start.isNaN { start = waiting[j].time }
                    waiting.remove(at: j)
                    pendingStarts[c] = waiting.isEmpty ? nil : waiting
                }
            }
            if Int(c) >= positions.count { positions.append(contentsOf: repeatElement(0, count: Int(c) + 1 - positions.count)) }
            positions[Int(c)] += 1
            let position = Int(positions[Int(c)])
            let res = r < b.rowResource.count ? b.rowResource[r] : -1
            let unit = r < b.rowUnit.count ? b.rowUnit[r] : -1
            out.append(StreamedEvent(
                caseID: b.caseTable.strings[Int(c)], position: position, activity: b.activityTable.strings[Int(act)],
                complete: time.isNaN ? nil : time, start: start.isNaN ? nil : start,
                resource: res >= 0 ? b.resourceTable.strings[Int(res)] : nil, unit: unit >= 0 ? b.unitTable.strings[Int(unit)] : nil,
                attributes: attributes[r],
                caseAttributes: position == 1 ? (pendingCaseAttributes.removeValue(forKey: c) ?? [:]) : [:],
                line: r < lines.count ? lines[r] : 0))
        }
        // 4. out of the builder
        func drop<T>(_ a: inout [T]) {
            if a.count <= count { a.removeAll(keepingCapacity: true) } else { a.removeFirst(count) }
        }
        drop(&b.rowCase)
        drop(&b.rowActivity)
        drop(&b.rowComplete)
        drop(&b.rowStart)
        drop(&b.rowResource)
        drop(&b.rowUnit)
        drop(&b.rowLifecycle)
        drop(&b.rowInstance)
    }
}

extension AttributeColumnBuilder {
    /// Keeps the entries from `index` on, their rows moved down by `shift`, with a fresh value
    /// table holding only their values (so the table does not grow with the file).
    mutating func keep(fromIndex index: Int, shiftingRowsBy shift: Int32) {
        if index >= rows.count {
            rows.removeAll(keepingCapacity: true)
            valueIDs.removeAll(keepingCapacity: true)
            if table.count > 0 { table = StringTable() }
            return
        }
        let values = valueIDs[index...].map { table.strings[Int($0)] }
        let keptRows = rows[index...].map { $0 - shift }
        table = StringTable()
        rows = keptRows
        valueIDs = values.map { table.intern($0) }
    }

    /// Drops the entries from `count` on (a row that turned out unreadable).
    mutating func truncate(to count: Int) {
        guard count < rows.count else { return }
        rows.removeSubrange(count...)
        valueIDs.removeSubrange(count...)
    }
}

/// Counts the bytes another source hands out (progress through a file).
final class CountingByteSource: ByteSource {
    private let inner: any ByteSource
    private(set) var count = 0

    init(_ inner: any ByteSource) { self.inner = inner }

    func read(into dst: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: dst)
        count += n
        return n
    }
}

extension ByteSources {
    /// `open(path:)` with the file's bytes counted before any gunzipping.
    static func openCounting(path: String, maxDecompressedBytes: Int) throws -> (any ByteSource, CountingByteSource) {
        let counter = CountingByteSource(try FileByteSource(path: path))
        var magic = [UInt8](repeating: 0, count: 2)
        let n = try magic.withUnsafeMutableBytes { try counter.read(into: $0) }
        let rest = PrefixedByteSource(prefix: Data(magic[0 ..< n]), rest: counter)
        if n == 2 && magic[0] == 0x1F && magic[1] == 0x8B {
            return (try GzipByteSource(rest, file: path, maxOutput: maxDecompressedBytes), counter)
        }
        return (rest, counter)
    }

    /// `open(data:)` with the bytes counted before any gunzipping.
    static func openCounting(data: Data, maxDecompressedBytes: Int) throws -> (any ByteSource, CountingByteSource) {
        let counter = CountingByteSource(DataByteSource(data))
        if data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B {
            return (try GzipByteSource(counter, file: nil, maxOutput: maxDecompressedBytes), counter)
        }
        return (counter, counter)
    }

    static func fileSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
    }
}

extension CSVReader {
    /// The CSV file at `url` (plain or gzip) read in chunks (``EventChunkReader``). With
    /// `skipBadRows`, a row with a missing value, an unreadable timestamp or a wrong number of
    /// fields is left out and listed in ``EventChunkReader/unreadableRows`` instead of stopping.
    public func chunks(contentsOf url: URL, skipBadRows: Bool = false) throws -> EventChunkReader {
        let path = url.path, limit = options.maxDecompressedBytes
        do {
            return try EventChunkReader.csv(options: options, skipBadRows: skipBadRows, totalBytes: ByteSources.fileSize(path),
                                            fileName: url.lastPathComponent) {
                try ByteSources.openCounting(path: path, maxDecompressedBytes: limit)
            }
        } catch let e as EventLogError {
            throw e.with(file: url.lastPathComponent)
        }
    }

    /// CSV bytes (plain or gzip) read in chunks.
    public func chunks(data: Data, skipBadRows: Bool = false) throws -> EventChunkReader {
        let limit = options.maxDecompressedBytes
        return try EventChunkReader.csv(options: options, skipBadRows: skipBadRows, totalBytes: data.count, fileName: nil) {
            try ByteSources.openCounting(data: data, maxDecompressedBytes: limit)
        }
    }

    /// The first visible sheet (or `sheet`) of an .xlsx workbook read in chunks, as
    /// ``read(xlsx:sheet:)`` reads it: the workbook is in memory, its sheet turned into CSV, whose
    /// events are then handed out in chunks; lines are the spreadsheet's rows.
    /// - Throws: ``XLSXReadError`` when the workbook cannot be read.
    public func chunks(xlsx data: Data, sheet: String? = nil, maxPartBytes: Int? = nil, skipBadRows: Bool = false) throws -> EventChunkReader {
        var xo = XLSXReader.Options(sheet: sheet)
        if let maxPartBytes { xo.maxPartBytes = maxPartBytes }
        let csv = try XLSXReader(options: xo).read(data).csv
        var o = options
        o.delimiter = UInt8(ascii: ",")
        let bytes = csv.data
        return try EventChunkReader.csv(options: o, skipBadRows: skipBadRows, totalBytes: bytes.count, fileName: nil,
                                        lineOfRecord: { csv.row(ofLine: $0) }, mapError: { csv.spreadsheetError($0) }) {
            try ByteSources.openCounting(data: bytes, maxDecompressedBytes: .max)
        }
    }
}

extension XESReader {
    /// The XES file at `url` (plain or gzip) read in chunks (``EventChunkReader``).
    public func chunks(contentsOf url: URL) throws -> EventChunkReader {
        let path = url.path, limit = options.maxDecompressedBytes
        do {
            return try EventChunkReader.xes(options: options, totalBytes: ByteSources.fileSize(path), fileName: url.lastPathComponent) {
                try ByteSources.openCounting(path: path, maxDecompressedBytes: limit)
            }
        } catch let e as EventLogError {
            throw e.with(file: url.lastPathComponent)
        }
    }

    /// XES bytes (plain or gzip) read in chunks.
    public func chunks(data: Data) throws -> EventChunkReader {
        let limit = options.maxDecompressedBytes
        return try EventChunkReader.xes(options: options, totalBytes: data.count, fileName: nil) {
            try ByteSources.openCounting(data: data, maxDecompressedBytes: limit)
        }
    }
}

/// The events of an ``EventLog`` already in memory, handed out in chunks: cases in order, events
/// of a case in order (an .xlsx read whole, or tests).
public final class EventLogChunks: EventChunkSource {
    public let log: EventLog
    private var caseIndex = 0
    private var eventInCase = 0
    private var handed = 0

    public init(_ log: EventLog) { self.log = log }

    public var fractionRead: Double { log.eventCount == 0 ? 1 : Double(handed) / Double(log.eventCount) }
    public var unreadableRows: [EventLogError] { [] }

    public func next(maxEvents: Int) throws -> [StreamedEvent]? {
        var out: [StreamedEvent] = []
        let want = max(1, maxEvents)
        while out.count < want && caseIndex < log.caseCount {
            let events = log.events(ofCase: caseIndex)
            if eventInCase >= events.count {
                caseIndex += 1
                eventInCase = 0
                continue
            }
            let e = events[events.startIndex + eventInCase]
            eventInCase += 1
            out.append(StreamedEvent(
                caseID: log.caseIDs[caseIndex], position: eventInCase, activity: log.activities[Int(log.eventActivity[e])],
                complete: log.completeTime(ofEvent: e), start: log.startTime(ofEvent: e), resource: log.resource(ofEvent: e),
                unit: log.unit(ofEvent: e), attributes: log.eventAttributes.attributes(ofRow: e),
                caseAttributes: eventInCase == 1 ? log.caseAttributes.attributes(ofRow: caseIndex) : [:]))
        }
        handed += out.count
        return out.isEmpty ? nil : out
    }
}
