import CZlib
import Foundation

/// Writes an ``EventLog`` as XES 1.0 (optionally gzip-compressed).
///
/// Each case becomes a `<trace>` (`concept:name` = case id, then the case attributes), each event
/// an `<event>` with `concept:name`, `time:timestamp`, `org:resource`, `org:group` (unit) and its
/// other attributes, written with the XES type they were read with. Dates are ISO 8601 with
/// milliseconds (microseconds when needed) at ``Options/utcOffsetSeconds``.
///
/// Start times are written as a `start_timestamp` date attribute when the log's start times came
/// from an attribute, and as a separate `lifecycle:transition` = `start` event right before the
/// complete event when they were paired from lifecycle events; reading the file back with the
/// default options restores the same log.
public struct XESWriter: Sendable {
    public struct Options: Hashable, Sendable {
        /// Offset of written dates, seconds east of UTC (25200 = +07:00, WIB).
        public var utcOffsetSeconds: Int
        /// Compress with gzip (also implied by a `.gz` file name in ``XESWriter/write(_:to:)``).
        public var gzip: Bool

        public init(utcOffsetSeconds: Int = 0, gzip: Bool = false) {
            self.utcOffsetSeconds = utcOffsetSeconds
            self.gzip = gzip
        }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    /// The XES document (gzip-compressed when ``Options/gzip``).
    public func data(_ log: EventLog) throws -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(log.eventCount * 200 + 1024)
        func w(_ s: String) { out.append(contentsOf: s.utf8) }
        func esc(_ s: String) { out.append(contentsOf: xmlEscaped(s).utf8) }
        func attr(_ type: String, _ key: String, _ value: String, indent: String) {
            w("\(indent)<\(type) key=\"")
            esc(key)
            w("\" value=\"")
            esc(value)
            w("\"/>\n")
        }
        let lifecycleStarts = log.startTimestampSource == .lifecycle
        let off = options.utcOffsetSeconds
        w("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        w("<log xes.version=\"1.0\" xes.features=\"nested-attributes\" xmlns=\"http://www.xes-standard.org/\">\n")
        w(" <extension name=\"Concept\" prefix=\"concept\" uri=\"http://www.xes-standard.org/concept.xesext\"/>\n")
        w(" <extension name=\"Time\" prefix=\"time\" uri=\"http://www.xes-standard.org/time.xesext\"/>\n")
        w(" <extension name=\"Organizational\" prefix=\"org\" uri=\"http://www.xes-standard.org/org.xesext\"/>\n")
        if lifecycleStarts {
            w(" <extension name=\"Lifecycle\" prefix=\"lifecycle\" uri=\"http://www.xes-standard.org/lifecycle.xesext\"/>\n")
        }
        for (k, v) in log.logAttributes.sorted(by: { $0.key < $1.key }) { attr("string", k, v, indent: " ") }
        let caseCols = log.caseAttributes.columns
        let eventCols = log.eventAttributes.columns
        for c in 0..<log.caseCount {
            w(" <trace>\n")
            attr("string", "concept:name", log.caseIDs[c], indent: "  ")
            for col in caseCols {
                if let v = col.value(atRow: c) { attr(col.type.rawValue, col.key, v, indent: "  ") }
            }
            for e in log.events(ofCase: c) {
                let name = log.activities[Int(log.eventActivity[e])]
                let resource = log.resource(ofEvent: e)
                let unit = log.unit(ofEvent: e)
                if lifecycleStarts, let s = log.startTime(ofEvent: e) {
                    w("  <event>\n")
                    attr("string", "concept:name", name, indent: "   ")
                    attr("string", "lifecycle:transition", "start", indent: "   ")
                    attr("date", "time:timestamp", CivilTime.iso8601(s, offset: off), indent: "   ")
                    if let resource { attr("string", "org:resource", resource, indent: "   ") }
                    w("  </event>\n")
                }
                w("  <event>\n")
                attr("string", "concept:name", name, indent: "   ")
                if lifecycleStarts { attr("string", "lifecycle:transition", "complete", indent: "   ") }
                if let t = log.completeTime(ofEvent: e) {
                    attr("date", "time:timestamp", CivilTime.iso8601(t, offset: off), indent: "   ")
                }
                if !lifecycleStarts, let s = log.startTime(ofEvent: e) {
                    attr("date", "start_timestamp", CivilTime.iso8601(s, offset: off), indent: "   ")
                }
                if let resource { attr("string", "org:resource", resource, indent: "   ") }
                if let unit { attr("string", "org:group", unit, indent: "   ") }
                for col in eventCols {
                    if let v = col.value(atRow: e) { attr(col.type.rawValue, col.key, v, indent: "   ") }
                }
                w("  </event>\n")
            }
            w(" </trace>\n")
        }
        w("</log>\n")
        return options.gzip ? try gzipped(out) : Data(out)
    }

    /// Writes the log to `url`; gzip when the name ends in `.gz` or ``Options/gzip`` is set.
    public func write(_ log: EventLog, to url: URL) throws {
        var w = self
        if url.pathExtension.lowercased() == "gz" { w.options.gzip = true }
        do {
            try w.data(log).write(to: url)
        } catch let e as EventLogError {
            throw e
        } catch {
            throw EventLogError.io(path: url.path, message: "\(error)")
        }
    }
}

/// Writes an ``EventLog`` as CSV (RFC 4180: fields with the delimiter, a quote or a line break
/// are quoted, quotes doubled; `\n` line ends).
///
/// Columns: `case:concept:name`, `concept:name`, `time:timestamp`, then `start_timestamp`,
/// `org:resource`, `org:group` when the log has them, then `case:<key>` per case attribute and
/// one column per event attribute. One row per event, in log order. Timestamps are ISO 8601 at
/// ``Options/utcOffsetSeconds``; missing values are empty fields. Reading the file back with
/// ``CSVReader`` restores the log (start times paired from lifecycle events come back as an
/// attribute start time).
public struct CSVWriter: Sendable {
    public struct Options: Hashable, Sendable {
        public var delimiter: UInt8
        public var utcOffsetSeconds: Int
        public var gzip: Bool

        public init(delimiter: UInt8 = UInt8(ascii: ","), utcOffsetSeconds: Int = 0, gzip: Bool = false) {
            self.delimiter = delimiter
            self.utcOffsetSeconds = utcOffsetSeconds
            self.gzip = gzip
        }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    public func data(_ log: EventLog) throws -> Data {
        let d = String(UnicodeScalar(options.delimiter))
        func field(_ s: String) -> String {
            if s.contains(where: { $0 == "\"" || $0 == "\n" || $0 == "\r" || String($0) == d }) {
                return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return s
        }
        let caseCols = log.caseAttributes.columns
        let eventCols = log.eventAttributes.columns
        var header = ["case:concept:name", "concept:name", "time:timestamp"]
        if log.hasStartTimestamps { header.append("start_timestamp") }
        if !log.eventResource.isEmpty { header.append("org:resource") }
        if !log.eventUnit.isEmpty { header.append("org:group") }
        header += caseCols.map { "case:" + $0.key }
        header += eventCols.map(\.key)
        var out: [UInt8] = []
        out.reserveCapacity(log.eventCount * 120 + 256)
        out.append(contentsOf: (header.map(field).joined(separator: d) + "\n").utf8)
        let off = options.utcOffsetSeconds
        var row: [String] = []
        for c in 0..<log.caseCount {
            let caseValues = caseCols.map { $0.value(atRow: c) ?? "" }
            for e in log.events(ofCase: c) {
                row.removeAll(keepingCapacity: true)
                row.append(log.caseIDs[c])
                row.append(log.activities[Int(log.eventActivity[e])])
                row.append(log.completeTime(ofEvent: e).map { CivilTime.iso8601($0, offset: off) } ?? "")
                if log.hasStartTimestamps { row.append(log.startTime(ofEvent: e).map { CivilTime.iso8601($0, offset: off) } ?? "") }
                if !log.eventResource.isEmpty { row.append(log.resource(ofEvent: e) ?? "") }
                if !log.eventUnit.isEmpty { row.append(log.unit(ofEvent: e) ?? "") }
                row += caseValues
                for col in eventCols { row.append(col.value(atRow: e) ?? "") }
                out.append(contentsOf: (row.map(field).joined(separator: d) + "\n").utf8)
            }
        }
        return options.gzip ? try gzipped(out) : Data(out)
    }

    /// Writes the log to `url`; gzip when the name ends in `.gz` or ``Options/gzip`` is set.
    public func write(_ log: EventLog, to url: URL) throws {
        var w = self
        if url.pathExtension.lowercased() == "gz" { w.options.gzip = true }
        do {
            try w.data(log).write(to: url)
        } catch let e as EventLogError {
            throw e
        } catch {
            throw EventLogError.io(path: url.path, message: "\(error)")
        }
    }
}

func xmlEscaped(_ s: String) -> String {
    guard s.contains(where: { "&<>\"'\n\r\t".contains($0) }) else { return s }
    var out = ""
    out.reserveCapacity(s.count + 16)
    for ch in s {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        case "\n": out += "&#10;"
        case "\r": out += "&#13;"
        case "\t": out += "&#9;"
        default: out.append(ch)
        }
    }
    return out
}

/// gzip-compresses bytes with zlib (one member, default level).
func gzipped(_ bytes: [UInt8]) throws -> Data {
    var s = z_stream()
    guard pantau_deflate_init_gzip(&s, Z_DEFAULT_COMPRESSION) == Z_OK else {
        throw EventLogError.io(path: "<gzip>", message: "cannot start zlib")
    }
    defer { deflateEnd(&s) }
    var input = bytes
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&s, uLong(bytes.count))) + 64)
    let rc = input.withUnsafeMutableBufferPointer { inp in
        out.withUnsafeMutableBufferPointer { o in
            s.next_in = inp.baseAddress
            s.avail_in = uInt(inp.count)
            s.next_out = o.baseAddress
            s.avail_out = uInt(o.count)
            return deflate(&s, Z_FINISH)
        }
    }
    guard rc == Z_STREAM_END else {
        throw EventLogError.io(path: "<gzip>", message: "compression failed (zlib \(rc))")
    }
    return Data(out[0..<Int(s.total_out)])
}
