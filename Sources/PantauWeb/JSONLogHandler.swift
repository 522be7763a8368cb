import Foundation
import Logging
import NIOConcurrencyHelpers

/// How log lines are written (`PANTAU_LOG_FORMAT`): `text` (swift-log's default stream handler)
/// or `json` (one JSON object per line, for log collectors such as Loki, Elasticsearch or journald
/// with a JSON parser).
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json
}

/// A swift-log handler that writes one JSON object per line to standard error:
///
/// `{"timestamp":"2026-12-01T08:15:02.123Z","level":"notice","label":"pantau","message":"sign-in failed","source":"PantauWeb","user":"budi","client":"10.0.0.7"}`
///
/// `timestamp` is RFC 3339 in UTC with milliseconds; metadata is flattened into the object
/// (nested values are written as JSON arrays and objects; a key that would hide one of the fixed
/// fields gets a `meta_` prefix). Lines are written whole, one `write` per line, under a lock, so
/// lines from concurrent tasks never interleave.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    public let label: String
    private let sink: @Sendable (String) -> Void

    /// A handler writing to standard error (what `pantau serve` bootstraps with `PANTAU_LOG_FORMAT=json`).
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, metadataProvider: metadataProvider, sink: JSONLogHandler.standardError)
    }

    /// A handler passing each line (without its newline) to `sink`, for tests and other outputs.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, sink: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let m = event.metadata { merged.merge(m) { _, new in new } }
        sink(Self.line(timestamp: Date(), level: event.level, label: label, message: event.message.description,
                       metadata: merged, source: event.source))
    }

    static let fixedKeys: Set<String> = ["timestamp", "level", "label", "message", "source"]

    /// One JSON object (no newline). Keys in a fixed order: the five fixed fields, then metadata
    /// sorted by key, so lines diff and grep well.
    static func line(timestamp: Date, level: Logger.Level, label: String, message: String,
                     metadata: Logger.Metadata, source: String) -> String {
        var out = "{\"timestamp\":" + quote(rfc3339(timestamp))
        out += ",\"level\":" + quote(level.rawValue)
        out += ",\"label\":" + quote(label)
        out += ",\"message\":" + quote(message)
        out += ",\"source\":" + quote(source)
        for key in metadata.keys.sorted() {
            let name = fixedKeys.contains(key) ? "meta_" + key : key
            out += "," + quote(name) + ":" + json(metadata[key]!)
        }
        return out + "}"
    }

    static func json(_ v: Logger.Metadata.Value) -> String {
        switch v {
        case let .string(s): return quote(s)
        case let .stringConvertible(c): return quote(c.description)
        case let .array(a): return "[" + a.map(json).joined(separator: ",") + "]"
        case let .dictionary(d):
            return "{" + d.keys.sorted().map { quote($0) + ":" + json(d[$0]!) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal: quotes, backslashes and every control character escaped (a message
    /// with a line break stays on one line).
    static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x7f || u.value == 0x2028 || u.value == 0x2029:
                out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-12-01T08:15:02.123Z`.
    static func rfc3339(_ d: Date) -> String {
        let ms = Int64((d.timeIntervalSince1970 * 1000).rounded(.down))
        let secs = ms / 1000, milli = Int(ms % 1000)
        var t = time_t(secs)
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday),
                      Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec), milli)
    }

    private static let writeLock = NIOLock()

    @Sendable static func standardError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        writeLock.withLock {
            bytes.withUnsafeBufferPointer { buf in
                var offset = 0
                while offset < buf.count {
                    let n = write(STDERR_FILENO, buf.baseAddress! + offset, buf.count - offset)
                    if n <= 0 { if errno == EINTR { continue }; return }
                    offset += n
                }
            }
        }
    }
}

extension LogFormat {
    /// Installs the log handler of this format for the whole process (call once, before any
    /// logger is made). `text` keeps swift-log's standard-error stream handler.
    public func bootstrap() {
        switch self {
        case .text: LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        case .json: LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        }
    }
}
